//! `RiskLimits`: every limit the gate enforces, as one value the operator reads and changes.
//!
//! Limits that only make sense per coin (sizes in base units, per-coin notionals) sit in
//! `coins`, keyed by the coin's venue name; the rest are account-wide. The value is plain
//! data with the unit in every name, serde both ways (config, control plane, reports); the
//! gate holds one and a version that counts accepted changes. `validate` checks the value
//! as a whole — a change is applied to a copy and validated before it replaces the old one —
//! and names the field it refuses in the operator's spelling: `max_daily_loss_usd` or, for a
//! coin's limit, `max_position_base.BTC`.

use serde::{Deserialize, Serialize};

/// Every limit the gate enforces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskLimits {
    pub account: AccountRiskLimits,
    pub coins: Vec<CoinRiskLimits>,
}

/// Account-wide limits. Each missing config key takes its documented default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountRiskLimits {
    /// Most orders resting across all coins (the levels the gate has approved). Default 100.
    pub max_open_orders: u32,
    /// A level further than this from the coin's mid is dropped, bps. Default 100.
    pub price_band_mid_bps: f64,
    /// A level further than this from the oracle price (while the venue publishes one) is
    /// dropped, bps. Default 300.
    pub price_band_oracle_bps: f64,
    /// Net PnL lost since the start of the day (24 h periods of the engine's clock from the
    /// session start) past which the gate goes HALTED, USD. Default 100.
    pub max_daily_loss_usd: f64,
    /// Fall of net PnL from the session's high-water mark past which the gate goes HALTED,
    /// USD. Default 50.
    pub max_drawdown_usd: f64,
    /// σ (warm estimates only) above which quotes are widened, fraction of mid per √s.
    /// Default 5e-4 (10× a calm BTC's 5e-5; short-horizon σ carries tick-bounce noise).
    pub vol_widen_sigma_frac_per_sqrt_s: f64,
    /// Widening: each level's distance from the mid is multiplied by `vol_widen_factor`,
    /// then moved out by `vol_widen_bps`. Defaults 5 bps and factor 1.
    pub vol_widen_bps: f64,
    pub vol_widen_factor: f64,
    /// σ above which the coin's quotes are pulled, fraction of mid per √s. Default 2e-3.
    pub vol_pull_sigma_frac_per_sqrt_s: f64,
    /// Token bucket of new orders: refill rate and depth. Defaults 50 per s, burst 100.
    pub max_new_orders_per_s: f64,
    pub new_orders_burst: u32,
    /// Hyperliquid's address budget (HYPERLIQUID.md, "Address limit"): the requests every
    /// address starts with (10,000) and those it earns per USD traded (1).
    pub request_budget_initial: u64,
    pub requests_per_usd_traded: f64,
    /// Below this many requests left, the gate quotes only the reducing side (inventory
    /// forcing) so the budget recovers by trading. Default 1,000.
    pub request_headroom: u64,
    /// The venue refused an order because the address's request budget is spent: the gate
    /// quotes as if its own budget were below the headroom (inventory forcing) for this
    /// long after the last such refusal, ms. Default 10,000 (Hyperliquid then allows one
    /// request per 10 s).
    pub rate_limited_cooldown_ms: u64,
    /// The venue refused `margin_refusals_to_restrict` orders of a coin for margin
    /// (insufficient margin, margin tier limit), each within `margin_refusal_cooldown_ms` of
    /// the one before: the coin quotes only the reducing side for `margin_refusal_cooldown_ms`
    /// after the last such refusal. Defaults 2 (one refusal can be a single order that did
    /// not fit; a second confirms the margin is full; 0 or 1: the first restricts) and
    /// 5,000 ms (margin frees as fills and prices move; a refused retry costs one request
    /// per adding order, a batch every 5 s instead of one per quote update).
    pub margin_refusals_to_restrict: u32,
    pub margin_refusal_cooldown_ms: u64,
    /// This many refusals of one kind that means an engine bug (bad tick, bad size, under
    /// the minimum value, unknown coin, duplicate cloid) within `bug_refusal_window_ms`
    /// halt the engine (0: never). Default 5, at most 64.
    pub bug_refusals_to_halt: u32,
    pub bug_refusal_window_ms: u64,
}

impl Default for AccountRiskLimits {
    fn default() -> Self {
        Self {
            max_open_orders: 100,
            price_band_mid_bps: 100.0,
            price_band_oracle_bps: 300.0,
            max_daily_loss_usd: 100.0,
            max_drawdown_usd: 50.0,
            vol_widen_sigma_frac_per_sqrt_s: 5e-4,
            vol_widen_bps: 5.0,
            vol_widen_factor: 1.0,
            vol_pull_sigma_frac_per_sqrt_s: 2e-3,
            max_new_orders_per_s: 50.0,
            new_orders_burst: 100,
            request_budget_initial: 10_000,
            requests_per_usd_traded: 1.0,
            request_headroom: 1_000,
            rate_limited_cooldown_ms: 10_000,
            margin_refusals_to_restrict: 2,
            margin_refusal_cooldown_ms: 5_000,
            bug_refusals_to_halt: 5,
            bug_refusal_window_ms: 60_000,
        }
    }
}

impl AccountRiskLimits {
    /// Every account-wide limit out of the way (benchmarks, and tests of other layers):
    /// huge bands, losses, σ thresholds, rates and budget; venue refusals only counted.
    pub fn permissive() -> Self {
        Self {
            max_open_orders: u32::MAX,
            price_band_mid_bps: 1e9,
            price_band_oracle_bps: 1e9,
            max_daily_loss_usd: 1e18,
            max_drawdown_usd: 1e18,
            vol_widen_sigma_frac_per_sqrt_s: 1e9,
            vol_widen_bps: 0.0,
            vol_widen_factor: 1.0,
            vol_pull_sigma_frac_per_sqrt_s: 1e9,
            max_new_orders_per_s: 1e12,
            new_orders_burst: u32::MAX,
            request_budget_initial: u64::MAX / 4,
            requests_per_usd_traded: 1.0,
            request_headroom: 0,
            rate_limited_cooldown_ms: 0,
            margin_refusals_to_restrict: 0,
            margin_refusal_cooldown_ms: 0,
            bug_refusals_to_halt: 0,
            bug_refusal_window_ms: 0,
        }
    }
}

/// One coin's limits. `None`: no such limit for this coin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoinRiskLimits {
    /// The venue's coin name, e.g. `BTC`.
    pub coin: String,
    /// Hard limit: no resting order may let |position| pass it (worst case: every order on
    /// a side fills).
    pub max_position_base: f64,
    /// Soft limit: at |position| ≥ it, the side that adds is dropped (single-sided).
    #[serde(default)]
    pub soft_position_base: Option<f64>,
    /// The same two in notional (|position|·mid), USD.
    #[serde(default)]
    pub max_position_usd: Option<f64>,
    #[serde(default)]
    pub soft_position_usd: Option<f64>,
    /// Largest single order, base units and USD.
    pub max_order_size_base: f64,
    #[serde(default)]
    pub max_order_usd: Option<f64>,
}

impl CoinRiskLimits {
    /// Only the two required limits.
    pub fn new(coin: &str, max_position_base: f64, max_order_size_base: f64) -> Self {
        Self {
            coin: coin.to_string(),
            max_position_base,
            soft_position_base: None,
            max_position_usd: None,
            soft_position_usd: None,
            max_order_size_base,
            max_order_usd: None,
        }
    }
}

/// A limit refused: the field in the operator's spelling and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RiskLimitsError {
    /// `max_daily_loss_usd`, or `max_position_base.BTC` for a coin's limit.
    pub field: String,
    pub message: String,
}

impl RiskLimitsError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

fn positive(field: &str, value: f64) -> Result<(), RiskLimitsError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(RiskLimitsError::new(field, format!("must be a positive finite number, got {value}")))
    }
}

fn non_negative(field: &str, value: f64) -> Result<(), RiskLimitsError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(RiskLimitsError::new(field, format!("must be a finite number ≥ 0, got {value}")))
    }
}

fn at_most(field: &str, value: f64, bound_field: &str, bound: f64) -> Result<(), RiskLimitsError> {
    if value <= bound {
        Ok(())
    } else {
        Err(RiskLimitsError::new(field, format!("{value} exceeds {bound_field} {bound}")))
    }
}

impl AccountRiskLimits {
    pub fn validate(&self) -> Result<(), RiskLimitsError> {
        if self.max_open_orders == 0 {
            return Err(RiskLimitsError::new("max_open_orders", "must be at least 1"));
        }
        positive("price_band_mid_bps", self.price_band_mid_bps)?;
        positive("price_band_oracle_bps", self.price_band_oracle_bps)?;
        positive("max_daily_loss_usd", self.max_daily_loss_usd)?;
        positive("max_drawdown_usd", self.max_drawdown_usd)?;
        positive("vol_widen_sigma_frac_per_sqrt_s", self.vol_widen_sigma_frac_per_sqrt_s)?;
        positive("vol_pull_sigma_frac_per_sqrt_s", self.vol_pull_sigma_frac_per_sqrt_s)?;
        at_most(
            "vol_widen_sigma_frac_per_sqrt_s",
            self.vol_widen_sigma_frac_per_sqrt_s,
            "vol_pull_sigma_frac_per_sqrt_s",
            self.vol_pull_sigma_frac_per_sqrt_s,
        )?;
        non_negative("vol_widen_bps", self.vol_widen_bps)?;
        if !(self.vol_widen_factor.is_finite() && self.vol_widen_factor >= 1.0) {
            let got = self.vol_widen_factor;
            return Err(RiskLimitsError::new("vol_widen_factor", format!("must be a finite number ≥ 1, got {got}")));
        }
        positive("max_new_orders_per_s", self.max_new_orders_per_s)?;
        if self.new_orders_burst == 0 {
            return Err(RiskLimitsError::new("new_orders_burst", "must be at least 1"));
        }
        non_negative("requests_per_usd_traded", self.requests_per_usd_traded)?;
        if self.bug_refusals_to_halt > super::MAX_BUG_REFUSALS_TO_HALT {
            let (got, max) = (self.bug_refusals_to_halt, super::MAX_BUG_REFUSALS_TO_HALT);
            return Err(RiskLimitsError::new("bug_refusals_to_halt", format!("must be at most {max}, got {got}")));
        }
        Ok(())
    }
}

impl CoinRiskLimits {
    pub fn validate(&self) -> Result<(), RiskLimitsError> {
        let coin = &self.coin;
        if coin.trim().is_empty() {
            return Err(RiskLimitsError::new("coins", "a coin name is empty"));
        }
        let field = |name: &str| format!("{name}.{coin}");
        positive(&field("max_position_base"), self.max_position_base)?;
        positive(&field("max_order_size_base"), self.max_order_size_base)?;
        let max_position = field("max_position_base");
        at_most(&field("max_order_size_base"), self.max_order_size_base, &max_position, self.max_position_base)?;
        if let Some(soft) = self.soft_position_base {
            positive(&field("soft_position_base"), soft)?;
            at_most(&field("soft_position_base"), soft, &max_position, self.max_position_base)?;
        }
        if let Some(hard) = self.max_position_usd {
            positive(&field("max_position_usd"), hard)?;
        }
        if let Some(soft) = self.soft_position_usd {
            positive(&field("soft_position_usd"), soft)?;
            if let Some(hard) = self.max_position_usd {
                at_most(&field("soft_position_usd"), soft, &field("max_position_usd"), hard)?;
            }
        }
        if let Some(usd) = self.max_order_usd {
            positive(&field("max_order_usd"), usd)?;
        }
        Ok(())
    }
}

impl RiskLimits {
    /// The whole value: every field, and each coin listed once.
    pub fn validate(&self) -> Result<(), RiskLimitsError> {
        self.account.validate()?;
        for (i, c) in self.coins.iter().enumerate() {
            c.validate()?;
            if self.coins[..i].iter().any(|other| other.coin == c.coin) {
                return Err(RiskLimitsError::new("coins", format!("`{}` is listed twice", c.coin)));
            }
        }
        Ok(())
    }

    pub fn coin(&self, name: &str) -> Option<&CoinRiskLimits> {
        self.coins.iter().find(|c| c.coin == name)
    }

    pub fn coin_mut(&mut self, name: &str) -> Option<&mut CoinRiskLimits> {
        self.coins.iter_mut().find(|c| c.coin == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> RiskLimits {
        let mut btc = CoinRiskLimits::new("BTC", 0.01, 0.002);
        btc.soft_position_base = Some(0.005);
        btc.max_position_usd = Some(1_000.0);
        btc.soft_position_usd = Some(500.0);
        RiskLimits { account: AccountRiskLimits::default(), coins: vec![btc, CoinRiskLimits::new("ETH", 0.3, 0.05)] }
    }

    fn field_of(l: &RiskLimits) -> String {
        l.validate().expect_err("must be refused").field
    }

    #[test]
    fn defaults_and_a_sound_value_are_valid() {
        AccountRiskLimits::default().validate().unwrap();
        AccountRiskLimits::permissive().validate().unwrap();
        limits().validate().unwrap();
    }

    #[test]
    fn each_refusal_names_its_field() {
        let mut l = limits();
        l.coins[0].soft_position_base = Some(0.02);
        assert_eq!(field_of(&l), "soft_position_base.BTC");
        let err = l.validate().unwrap_err().to_string();
        assert_eq!(err, "soft_position_base.BTC: 0.02 exceeds max_position_base.BTC 0.01");

        let mut l = limits();
        l.coins[1].max_position_base = -1.0;
        assert_eq!(field_of(&l), "max_position_base.ETH");
        let mut l = limits();
        l.coins[1].max_order_size_base = 0.5;
        assert_eq!(field_of(&l), "max_order_size_base.ETH");
        let mut l = limits();
        l.coins[0].soft_position_usd = Some(2_000.0);
        assert_eq!(field_of(&l), "soft_position_usd.BTC");
        let mut l = limits();
        l.coins[0].max_order_usd = Some(f64::NAN);
        assert_eq!(field_of(&l), "max_order_usd.BTC");
        let mut l = limits();
        l.coins[1].coin = "BTC".into();
        assert_eq!(field_of(&l), "coins");

        let mut l = limits();
        l.account.max_drawdown_usd = f64::INFINITY;
        assert_eq!(field_of(&l), "max_drawdown_usd");
        let mut l = limits();
        l.account.vol_widen_sigma_frac_per_sqrt_s = 3e-3;
        assert_eq!(field_of(&l), "vol_widen_sigma_frac_per_sqrt_s");
        let mut l = limits();
        l.account.vol_widen_factor = 0.5;
        assert_eq!(field_of(&l), "vol_widen_factor");
        let mut l = limits();
        l.account.max_open_orders = 0;
        assert_eq!(field_of(&l), "max_open_orders");
        let mut l = limits();
        l.account.new_orders_burst = 0;
        assert_eq!(field_of(&l), "new_orders_burst");
        let mut l = limits();
        l.account.bug_refusals_to_halt = 65;
        assert_eq!(field_of(&l), "bug_refusals_to_halt");
    }

    #[test]
    fn round_trips_through_json() {
        let l = limits();
        let json = serde_json::to_string(&l).unwrap();
        let back: RiskLimits = serde_json::from_str(&json).unwrap();
        assert_eq!(back, l);
    }
}
