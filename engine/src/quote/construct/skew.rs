//! Skews of the quote centre: each a coefficient times a signal, capped, in bps of the mid.
//!
//! The centre is `mid·(1 + total/10⁴)`; both sides move with it. **Sign convention: positive
//! moves the centre up.** Buy pressure (more bid depth, net taker buying, a reference venue
//! that has risen and we have not) moves it up; a long position moves it down. Coefficients
//! are ≥ 0 (validated) so these signs always hold; each term is clamped to ±its cap.
//!
//! - **inventory** = `inventory_coef · o`, o the model's reservation offset in bps (negative
//!   when long; Avellaneda–Stoikov's `r − s = −q·γ·σ²·(T − t)`, GLFT's `−q·σ·c2`). 1 keeps
//!   the model's own skew.
//! - **imbalance** = `imbalance_bps_per_unit · I`, I = `book.depth_imbalance` ∈ [−1, 1]
//!   ((bid − ask depth)/sum; MODELS.md "Estimators": "use it to skew, not to set the width").
//! - **flow** = `flow_bps_per_unit · F`, F = `(buy − sell)/(buy + sell)` of taker volume in
//!   the configured `flow.windows` entry, once the flow estimator is warm.
//! - **lead** = `lead_coef · L`, L = `reference.lead_bps` (how far the reference venue moved
//!   over the lead horizon that we have not), only while a fresh reference reports one.
//!
//! A missing or non-finite signal contributes 0.

use super::QuoteConstructionConfigError as ConfigError;
use crate::estimator::{MarketParams, MAX_FLOW_WINDOWS};
use crate::quote::models::ModelQuote;
use crate::units::frac_to_bps;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SkewConfig {
    /// Multiplier of the model's reservation offset (1 = the model's own inventory skew).
    pub inventory_coef: f64,
    pub inventory_cap_bps: f64,
    /// Centre shift per unit of book depth imbalance, bps.
    pub imbalance_bps_per_unit: f64,
    pub imbalance_cap_bps: f64,
    /// Centre shift per unit of taker-flow imbalance, bps.
    pub flow_bps_per_unit: f64,
    /// Which of `flow.windows` (the estimator's configured order) the flow skew reads.
    pub flow_window_index: usize,
    pub flow_cap_bps: f64,
    /// Centre shift per bp of reference lead (dimensionless: 1 follows the lead fully).
    pub lead_coef: f64,
    pub lead_cap_bps: f64,
}

impl Default for SkewConfig {
    fn default() -> Self {
        Self {
            inventory_coef: 1.0,
            // A guard against a model blow-up, not a tuning knob: GLFT skews on the majors are
            // a few bps per lot, so 50 bps is beyond any sane position.
            inventory_cap_bps: 50.0,
            // The signal skews are off until calibrated: a coefficient needs a measured
            // relation between the signal and the next mid move (e.g. the regression of mid
            // changes on imbalance). Their caps are ready for when they are switched on: 2 bps
            // is a typical half spread on the majors, so one signal can at most move the centre
            // by about one half spread.
            imbalance_bps_per_unit: 0.0,
            imbalance_cap_bps: 2.0,
            flow_bps_per_unit: 0.0,
            // The estimator's default windows are 1 s, 5 s, 30 s: 5 s is past the single-trade
            // noise of 1 s and still reacts within a few blocks' worth of flow.
            flow_window_index: 1,
            flow_cap_bps: 2.0,
            lead_coef: 0.0,
            lead_cap_bps: 2.0,
        }
    }
}

impl SkewConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let non_negative = |x: f64| x.is_finite() && x >= 0.0;
        for (field, value) in [
            ("skew.inventory_coef", self.inventory_coef),
            ("skew.inventory_cap_bps", self.inventory_cap_bps),
            ("skew.imbalance_bps_per_unit", self.imbalance_bps_per_unit),
            ("skew.imbalance_cap_bps", self.imbalance_cap_bps),
            ("skew.flow_bps_per_unit", self.flow_bps_per_unit),
            ("skew.flow_cap_bps", self.flow_cap_bps),
            ("skew.lead_coef", self.lead_coef),
            ("skew.lead_cap_bps", self.lead_cap_bps),
        ] {
            ConfigError::check(field, value, "a finite number ≥ 0", non_negative(value))?;
        }
        ConfigError::check(
            "skew.flow_window_index",
            self.flow_window_index as f64,
            "below MAX_FLOW_WINDOWS (4)",
            self.flow_window_index < MAX_FLOW_WINDOWS,
        )
    }
}

/// The centre skews, bps of the mid, positive up.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Skew {
    pub inventory_skew_bps: f64,
    pub imbalance_skew_bps: f64,
    pub flow_skew_bps: f64,
    pub lead_skew_bps: f64,
    /// Sum of the four.
    pub total_skew_bps: f64,
}

/// `coef · signal` clamped to ±`cap_bps`; 0 for a non-finite signal.
pub fn capped_term(coef: f64, signal: f64, cap_bps: f64) -> f64 {
    let x = coef * signal;
    if x.is_finite() {
        x.clamp(-cap_bps, cap_bps)
    } else {
        0.0
    }
}

/// Taker-flow imbalance in [−1, 1] of window `index`, once the flow estimator is warm.
pub fn flow_imbalance(market: &MarketParams, index: usize) -> Option<f64> {
    if !market.flow.is_warm {
        return None;
    }
    let window = market.flow.windows.get(index).copied().flatten()?;
    Some(window.imbalance())
}

pub fn skew(model: &ModelQuote, market: &MarketParams, config: &SkewConfig) -> Skew {
    let inventory = frac_to_bps(model.reservation_offset_frac);
    let inventory_skew_bps = capped_term(config.inventory_coef, inventory, config.inventory_cap_bps);
    let imbalance = market.book.depth_imbalance;
    let imbalance_skew_bps = capped_term(config.imbalance_bps_per_unit, imbalance, config.imbalance_cap_bps);
    let flow = flow_imbalance(market, config.flow_window_index).unwrap_or(0.0);
    let flow_skew_bps = capped_term(config.flow_bps_per_unit, flow, config.flow_cap_bps);
    let lead = market.reference.and_then(|r| r.lead_bps).unwrap_or(0.0);
    let lead_skew_bps = capped_term(config.lead_coef, lead, config.lead_cap_bps);
    Skew {
        inventory_skew_bps,
        imbalance_skew_bps,
        flow_skew_bps,
        lead_skew_bps,
        total_skew_bps: inventory_skew_bps + imbalance_skew_bps + flow_skew_bps + lead_skew_bps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimator::{FlowWindow, ReferenceParams};
    use crate::types::{CoinId, Price, Qty};

    fn market() -> MarketParams {
        MarketParams::cold(CoinId(0), Price::from_f64(99.99), Price::from_f64(100.01), 100.0, 100.0)
    }

    fn model(offset_bps: f64) -> ModelQuote {
        ModelQuote {
            bid_depth_frac: 3e-4,
            ask_depth_frac: 3e-4,
            spread_term_frac: 3e-4,
            reservation_offset_frac: offset_bps * 1e-4,
        }
    }

    fn config() -> SkewConfig {
        SkewConfig {
            inventory_coef: 1.0,
            inventory_cap_bps: 5.0,
            imbalance_bps_per_unit: 2.0,
            imbalance_cap_bps: 0.5,
            flow_bps_per_unit: 1.0,
            flow_window_index: 1,
            flow_cap_bps: 1.0,
            lead_coef: 0.5,
            lead_cap_bps: 1.0,
        }
    }

    fn window(buy: f64, sell: f64) -> FlowWindow {
        FlowWindow {
            window_s: 5.0,
            trades: 4,
            buy_base: Qty::from_f64(buy),
            sell_base: Qty::from_f64(sell),
            buy_usd: buy * 100.0,
            sell_usd: sell * 100.0,
        }
    }

    fn reference(lead_bps: Option<f64>) -> Option<ReferenceParams> {
        Some(ReferenceParams { mid_usd: 100.0, lead_bps, basis_bps: 0.0, basis_ewma_bps: None })
    }

    #[test]
    fn long_inventory_moves_the_centre_down_by_the_model_offset_capped() {
        let s = skew(&model(-2.0), &market(), &config());
        assert_eq!(s.inventory_skew_bps, -2.0 * 1e-4 * 1e4);
        assert!(s.total_skew_bps < 0.0);
        // −8 bps is capped at −5.
        assert_eq!(skew(&model(-8.0), &market(), &config()).inventory_skew_bps, -5.0);
        // Short: up.
        assert!(skew(&model(3.0), &market(), &config()).inventory_skew_bps > 0.0);
    }

    #[test]
    fn buy_pressure_moves_the_centre_up() {
        let mut m = market();
        // More bid depth: I = 0.2 → 2 · 0.2 = 0.4 bp; I = 0.6 → 1.2, capped at 0.5.
        m.book.depth_imbalance = 0.2;
        assert!((skew(&model(0.0), &m, &config()).imbalance_skew_bps - 0.4).abs() < 1e-12);
        m.book.depth_imbalance = 0.6;
        assert_eq!(skew(&model(0.0), &m, &config()).imbalance_skew_bps, 0.5);
        m.book.depth_imbalance = -0.6;
        assert_eq!(skew(&model(0.0), &m, &config()).imbalance_skew_bps, -0.5);
        // Takers bought 3, sold 1 in window 1: F = 0.5 → +0.5 bp. Window 0 is ignored.
        m.book.depth_imbalance = 0.0;
        m.flow.windows[0] = Some(window(0.0, 9.0));
        m.flow.windows[1] = Some(window(3.0, 1.0));
        assert_eq!(skew(&model(0.0), &m, &config()).flow_skew_bps, 0.0, "flow not warm yet");
        m.flow.is_warm = true;
        let s = skew(&model(0.0), &m, &config());
        assert_eq!(s.flow_skew_bps, 0.5);
        // The reference rose 1.2 bps more than we did: 0.5 · 1.2 = 0.6 bp up.
        m.reference = reference(Some(1.2));
        let s = skew(&model(0.0), &m, &config());
        assert!((s.lead_skew_bps - 0.6).abs() < 1e-12);
        assert!((s.total_skew_bps - 1.1).abs() < 1e-12, "{}", s.total_skew_bps);
    }

    #[test]
    fn absent_or_bad_signals_contribute_nothing() {
        let mut m = market();
        m.reference = reference(None);
        m.book.depth_imbalance = f64::NAN;
        m.flow.is_warm = true; // but no window 1
        let s = skew(&model(0.0), &m, &config());
        assert_eq!(s, Skew::default());
        assert_eq!(capped_term(1.0, f64::INFINITY, 3.0), 0.0);
    }

    #[test]
    fn config_errors_name_the_field() {
        assert!(SkewConfig::default().validate().is_ok());
        let e = SkewConfig { lead_coef: -1.0, ..config() }.validate().unwrap_err();
        assert_eq!(e.field, "skew.lead_coef");
        let e = SkewConfig { flow_window_index: 4, ..config() }.validate().unwrap_err();
        assert_eq!(e.field, "skew.flow_window_index");
    }
}
