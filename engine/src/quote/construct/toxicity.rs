//! Toxicity of each side: how likely a fill there is adverse (the price then moves through
//! us), as a score in [0, 1] from the estimators' signals, and what it does to the quote.
//!
//! Components, each in [0, 1], read **against the side** (a bid is hurt by selling, an ask by
//! buying; `s` = +1 for the bid, −1 for the ask):
//!
//! - **imbalance**: `max(−s·I, 0)`, I = `book.depth_imbalance` ∈ [−1, 1]: a heavy ask side
//!   leans on the bid.
//! - **ofi**: `min(max(−s·OFI/AD, 0) / ofi_full_scale, 1)`, OFI/AD = `ofi_per_avg_depth` of
//!   the configured window (Cont–Kukanov–Stoikov 2014: ΔP ≈ β·OFI, β ∝ 1/depth; net pressure
//!   in units of average touch queues), once the OFI estimator is warm.
//! - **flow**: `max(−s·F, 0)·min(trades / flow_full_trades, 1)`, F the taker-flow imbalance
//!   of the configured (short) window: a burst of net selling against the bid. The trade-count
//!   factor discounts a window of one or two trades, whose imbalance is ±1 by construction.
//! - **regime**: 1 when `volatility.regime` is Stressed, else 0 (both sides).
//! - **funding**: `min(funding_extremity, 1)` on the side whose fills build the position that
//!   pays the extreme funding — the bid when funding is positive (longs pay shorts), the ask
//!   when negative. A crowded, paying position is the one a squeeze or a liquidation cascade
//!   unwinds, against that side.
//!
//! `score = Σ wᵢ·cᵢ / Σ wᵢ` (0 when every weight is 0), so it stays in [0, 1]. Above
//! `widen_threshold` the side widens by `widen_max_bps·(score − widen)/(1 − widen)`: 0 at the
//! threshold, the full amount at score 1. At or above `gate_threshold` the side is not quoted
//! (a threshold above 1 never gates).

use super::skew::flow_imbalance;
use super::QuoteConstructionConfigError as ConfigError;
use crate::estimator::{MarketParams, VolRegimeLabel, MAX_FLOW_WINDOWS, MAX_OFI_WINDOWS};
use crate::types::Side;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ToxicityConfig {
    pub imbalance_weight: f64,
    pub ofi_weight: f64,
    pub flow_weight: f64,
    pub regime_weight: f64,
    pub funding_weight: f64,
    /// Which of `ofi.windows` the OFI component reads.
    pub ofi_window_index: usize,
    /// OFI against the side, in average touch depths, that counts as a full shock (1).
    pub ofi_full_scale: f64,
    /// Which of `flow.windows` the flow-burst component reads (the short one).
    pub flow_window_index: usize,
    /// Trades in the window for its imbalance to count in full.
    pub flow_full_trades: u32,
    /// Score above which the side widens.
    pub widen_threshold: f64,
    /// Widening at score 1, bps.
    pub widen_max_bps: f64,
    /// Score at or above which the side is not quoted.
    pub gate_threshold: f64,
}

impl Default for ToxicityConfig {
    fn default() -> Self {
        Self {
            // Equal weights: no measurement yet ranks one signal over another.
            imbalance_weight: 1.0,
            ofi_weight: 1.0,
            flow_weight: 1.0,
            regime_weight: 1.0,
            funding_weight: 1.0,
            // The OFI estimator's default windows are 1 s, 5 s, 15 s: the shock is the short one.
            ofi_window_index: 0,
            // In CKS's stylised book ΔP = δ·OFI/(2D): two touch queues of net pressure move the
            // price by about one tick, which is a shock for a quote near the touch.
            ofi_full_scale: 2.0,
            // The flow estimator's default windows are 1 s, 5 s, 30 s: a burst is the 1 s one.
            flow_window_index: 0,
            // Ten trades: the imbalance of n balanced trades of equal size has standard
            // deviation 1/√n, ≈ 0.3 at 10, so a larger one is more than noise.
            flow_full_trades: 10,
            // Half the signals pointing against a side starts widening it...
            widen_threshold: 0.5,
            // ...by up to 4 bps at full score: about two typical half spreads on the majors.
            widen_max_bps: 4.0,
            // Stand aside only when nearly every signal is maxed out against the side.
            gate_threshold: 0.9,
        }
    }
}

impl ToxicityConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let non_negative = |x: f64| x.is_finite() && x >= 0.0;
        for (field, value) in [
            ("toxicity.imbalance_weight", self.imbalance_weight),
            ("toxicity.ofi_weight", self.ofi_weight),
            ("toxicity.flow_weight", self.flow_weight),
            ("toxicity.regime_weight", self.regime_weight),
            ("toxicity.funding_weight", self.funding_weight),
            ("toxicity.widen_max_bps", self.widen_max_bps),
        ] {
            ConfigError::check(field, value, "a finite number ≥ 0", non_negative(value))?;
        }
        let scale = self.ofi_full_scale;
        ConfigError::check(
            "toxicity.ofi_full_scale",
            scale,
            "a positive finite number",
            scale.is_finite() && scale > 0.0,
        )?;
        ConfigError::check(
            "toxicity.ofi_window_index",
            self.ofi_window_index as f64,
            "below MAX_OFI_WINDOWS (4)",
            self.ofi_window_index < MAX_OFI_WINDOWS,
        )?;
        ConfigError::check(
            "toxicity.flow_window_index",
            self.flow_window_index as f64,
            "below MAX_FLOW_WINDOWS (4)",
            self.flow_window_index < MAX_FLOW_WINDOWS,
        )?;
        ConfigError::check(
            "toxicity.flow_full_trades",
            f64::from(self.flow_full_trades),
            "≥ 1",
            self.flow_full_trades >= 1,
        )?;
        let widen = self.widen_threshold;
        ConfigError::check("toxicity.widen_threshold", widen, "in [0, 1)", (0.0..1.0).contains(&widen))?;
        let gate = self.gate_threshold;
        ConfigError::check(
            "toxicity.gate_threshold",
            gate,
            "finite and > widen_threshold (above 1: never gate)",
            gate.is_finite() && gate > widen,
        )
    }
}

/// One side's toxicity: the components, the score and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct SideToxicity {
    pub imbalance: f64,
    pub ofi: f64,
    pub flow: f64,
    pub regime: f64,
    pub funding: f64,
    /// Weighted mean of the components, in [0, 1].
    pub score: f64,
    /// Added to the side's half spread.
    pub widen_bps: f64,
    /// The side is not quoted.
    pub gated: bool,
}

/// `x` clamped to [0, 1]; 0 for NaN.
fn unit(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

pub fn toxicity(market: &MarketParams, side: Side, config: &ToxicityConfig) -> SideToxicity {
    // Pressure against the side is negative for the bid, positive for the ask.
    let against = |signed: f64| unit(-(side.sign() as f64) * signed);
    let imbalance = against(market.book.depth_imbalance);
    let ofi = if market.ofi.is_warm {
        let window = market.ofi.windows.get(config.ofi_window_index).copied().flatten();
        window.and_then(|w| w.ofi_per_avg_depth).map_or(0.0, |x| against(x / config.ofi_full_scale))
    } else {
        0.0
    };
    let flow =
        match (flow_imbalance(market, config.flow_window_index), market.flow.windows.get(config.flow_window_index)) {
            (Some(f), Some(Some(w))) => against(f) * unit(f64::from(w.trades) / f64::from(config.flow_full_trades)),
            _ => 0.0,
        };
    let regime = if market.volatility.regime == VolRegimeLabel::Stressed { 1.0 } else { 0.0 };
    let funding = match (market.context.funding_extremity, market.context.funding_rate_frac_per_hour) {
        (Some(extremity), Some(rate)) => {
            // Positive funding: longs pay, so the bid (which builds longs) carries it.
            let paying_side = if rate > 0.0 {
                Some(Side::Bid)
            } else if rate < 0.0 {
                Some(Side::Ask)
            } else {
                None
            };
            if paying_side == Some(side) {
                unit(extremity)
            } else {
                0.0
            }
        }
        _ => 0.0,
    };
    let weights =
        [config.imbalance_weight, config.ofi_weight, config.flow_weight, config.regime_weight, config.funding_weight];
    let components = [imbalance, ofi, flow, regime, funding];
    let weight_sum: f64 = weights.iter().sum();
    let score = if weight_sum > 0.0 {
        unit(weights.iter().zip(components).map(|(w, c)| w * c).sum::<f64>() / weight_sum)
    } else {
        0.0
    };
    let widen_bps = if score > config.widen_threshold {
        config.widen_max_bps * (score - config.widen_threshold) / (1.0 - config.widen_threshold)
    } else {
        0.0
    };
    SideToxicity { imbalance, ofi, flow, regime, funding, score, widen_bps, gated: score >= config.gate_threshold }
}

/// Test fixture shared with the pipeline's tests: every toxicity signal of `m` leans on the
/// bid (ask-heavy book, selling OFI and flow, stressed volatility, longs paying funding).
#[cfg(test)]
pub(super) fn lean_on_the_bid(m: &mut MarketParams) {
    use crate::estimator::{FlowWindow, OfiWindow, VolRegimeLabel};
    use crate::types::Qty;
    m.book.depth_imbalance = -0.6;
    m.ofi.is_warm = true;
    m.ofi.windows[0] = Some(OfiWindow {
        window_s: 1.0,
        ofi_base: -30.0,
        events: 12,
        avg_touch_depth_base: 10.0,
        ofi_per_avg_depth: Some(-3.0),
    });
    m.flow.is_warm = true;
    m.flow.windows[0] = Some(FlowWindow {
        window_s: 1.0,
        trades: 5,
        buy_base: Qty::from_f64(1.0),
        sell_base: Qty::from_f64(3.0),
        buy_usd: 100.0,
        sell_usd: 300.0,
    });
    m.volatility.regime = VolRegimeLabel::Stressed;
    m.context.funding_rate_frac_per_hour = Some(2e-4);
    m.context.funding_extremity = Some(0.5);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{CoinId, Price};

    fn quiet() -> MarketParams {
        MarketParams::cold(CoinId(0), Price::from_f64(99.99), Price::from_f64(100.01), 100.0, 100.0)
    }

    /// An ask-heavy, selling market: every signal leans on the bid.
    fn selling() -> MarketParams {
        let mut m = quiet();
        lean_on_the_bid(&mut m);
        m
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn selling_pressure_scores_against_the_bid() {
        let c = ToxicityConfig::default();
        let bid = toxicity(&selling(), Side::Bid, &c);
        // imbalance 0.6; OFI 3 queues / full scale 2 → 1 (clamped); flow F = (1 − 3)/4 = −0.5
        // against the bid, on 5 of 10 trades → 0.25; stressed → 1; funding +, extremity 0.5.
        assert!(close(bid.imbalance, 0.6) && close(bid.ofi, 1.0) && close(bid.flow, 0.25));
        assert!(close(bid.regime, 1.0) && close(bid.funding, 0.5));
        // Equal weights: (0.6 + 1 + 0.25 + 1 + 0.5)/5 = 0.67.
        assert!(close(bid.score, 0.67), "{}", bid.score);
        // Widening 4 · (0.67 − 0.5)/(1 − 0.5) = 1.36 bps; below the 0.9 gate.
        assert!(close(bid.widen_bps, 1.36), "{}", bid.widen_bps);
        assert!(!bid.gated);
        // The ask sees only the stressed regime: 1/5 = 0.2, under the widening threshold.
        let ask = toxicity(&selling(), Side::Ask, &c);
        assert!(close(ask.score, 0.2) && ask.widen_bps == 0.0 && !ask.gated);
        assert_eq!((ask.imbalance, ask.ofi, ask.flow, ask.funding), (0.0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn the_gate_takes_the_side_out_and_negative_funding_turns_to_the_ask() {
        let c = ToxicityConfig { gate_threshold: 0.6, ..ToxicityConfig::default() };
        assert!(toxicity(&selling(), Side::Bid, &c).gated);
        let mut m = quiet();
        m.context.funding_rate_frac_per_hour = Some(-5e-4);
        m.context.funding_extremity = Some(2.5);
        assert_eq!(toxicity(&m, Side::Ask, &c).funding, 1.0);
        assert_eq!(toxicity(&m, Side::Bid, &c).funding, 0.0);
    }

    #[test]
    fn a_quiet_cold_market_is_not_toxic_and_cold_estimators_are_ignored() {
        let c = ToxicityConfig::default();
        for side in [Side::Bid, Side::Ask] {
            assert_eq!(toxicity(&quiet(), side, &c), SideToxicity::default());
        }
        let mut m = selling();
        m.ofi.is_warm = false;
        m.flow.is_warm = false;
        let bid = toxicity(&m, Side::Bid, &c);
        assert_eq!((bid.ofi, bid.flow), (0.0, 0.0));
        // All weights 0: the score is 0 (toxicity off).
        let off = ToxicityConfig {
            imbalance_weight: 0.0,
            ofi_weight: 0.0,
            flow_weight: 0.0,
            regime_weight: 0.0,
            funding_weight: 0.0,
            ..c
        };
        assert_eq!(toxicity(&selling(), Side::Bid, &off).score, 0.0);
    }

    #[test]
    fn config_errors_name_the_field() {
        assert!(ToxicityConfig::default().validate().is_ok());
        let e = ToxicityConfig { widen_threshold: 1.0, ..ToxicityConfig::default() }.validate().unwrap_err();
        assert_eq!(e.field, "toxicity.widen_threshold");
        let e = ToxicityConfig { gate_threshold: 0.4, ..ToxicityConfig::default() }.validate().unwrap_err();
        assert_eq!(e.field, "toxicity.gate_threshold");
        let e = ToxicityConfig { ofi_weight: -1.0, ..ToxicityConfig::default() }.validate().unwrap_err();
        assert_eq!(e.field, "toxicity.ofi_weight");
        let e = ToxicityConfig { flow_full_trades: 0, ..ToxicityConfig::default() }.validate().unwrap_err();
        assert_eq!(e.field, "toxicity.flow_full_trades");
    }
}
