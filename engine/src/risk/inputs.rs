//! What the gate knows about each coin besides the intent: the market (mid, oracle price,
//! σ — from the estimator's `MarketParams`) and the fills' accounting (from FillActor).

use super::AccountRiskLimits;
use crate::types::Qty;
use serde::Serialize;

/// A coin's market as the gate last heard it. NaN / `None`: not known yet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoinMarket {
    pub mid_usd: f64,
    /// The venue's oracle price (Hyperliquid `activeAssetCtx.oraclePx`), when published.
    pub oracle_usd: Option<f64>,
    pub sigma_frac_per_sqrt_s: f64,
    /// Whether σ has enough samples behind it to act on.
    pub sigma_is_warm: bool,
}

impl Default for CoinMarket {
    fn default() -> Self {
        Self { mid_usd: f64::NAN, oracle_usd: None, sigma_frac_per_sqrt_s: f64::NAN, sigma_is_warm: false }
    }
}

/// What the volatility limit does to a coin's quotes now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VolatilityState {
    #[default]
    Normal,
    /// σ above `vol_widen_sigma_frac_per_sqrt_s`: levels move away from the mid.
    Widen,
    /// σ above `vol_pull_sigma_frac_per_sqrt_s`: no quotes.
    Pull,
}

impl CoinMarket {
    /// Only a warm, finite σ moves the coin out of `Normal` (a cold estimate is noise).
    pub fn volatility_state(&self, limits: &AccountRiskLimits) -> VolatilityState {
        let sigma = self.sigma_frac_per_sqrt_s;
        if !self.sigma_is_warm || !sigma.is_finite() {
            VolatilityState::Normal
        } else if sigma > limits.vol_pull_sigma_frac_per_sqrt_s {
            VolatilityState::Pull
        } else if sigma > limits.vol_widen_sigma_frac_per_sqrt_s {
            VolatilityState::Widen
        } else {
            VolatilityState::Normal
        }
    }
}

/// One coin's fills, cumulative for the session (the average-cost accounting of
/// `portfolio::Position`): enough to mark the position to any mid.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CoinAccounting {
    pub position: Qty,
    pub avg_entry_usd: f64,
    pub realized_pnl_usd: f64,
    pub fees_usd: f64,
    /// Notional traded, USD (earns request budget).
    pub volume_usd: f64,
}

impl CoinAccounting {
    /// realized + unrealized at `mark_usd` − fees; unrealized counts 0 while no mark is known.
    pub fn net_pnl_usd(&self, mark_usd: f64) -> f64 {
        let held = self.position.to_f64();
        let unrealized =
            if held == 0.0 || !mark_usd.is_finite() { 0.0 } else { (mark_usd - self.avg_entry_usd) * held };
        self.realized_pnl_usd + unrealized - self.fees_usd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatility_state_needs_a_warm_sigma() {
        let limits = AccountRiskLimits::default(); // widen above 5e-4, pull above 2e-3
        let mut m = CoinMarket { mid_usd: 100.0, sigma_frac_per_sqrt_s: 1e-3, ..CoinMarket::default() };
        assert_eq!(m.volatility_state(&limits), VolatilityState::Normal, "cold");
        m.sigma_is_warm = true;
        assert_eq!(m.volatility_state(&limits), VolatilityState::Widen);
        m.sigma_frac_per_sqrt_s = 3e-3;
        assert_eq!(m.volatility_state(&limits), VolatilityState::Pull);
        m.sigma_frac_per_sqrt_s = 5e-4;
        assert_eq!(m.volatility_state(&limits), VolatilityState::Normal);
    }

    #[test]
    fn net_pnl_marks_the_position() {
        let a = CoinAccounting {
            position: Qty::from_f64(-2.0),
            avg_entry_usd: 110.0,
            realized_pnl_usd: 10.0,
            fees_usd: 0.5,
            volume_usd: 430.0,
        };
        assert_eq!(a.net_pnl_usd(105.0), 19.5); // 10 + (105 − 110)·(−2) − 0.5
        assert_eq!(a.net_pnl_usd(f64::NAN), 9.5);
    }
}
