//! The static-spread baseline as a `QuoteModel`: a fixed half spread around a reservation
//! price that leans linearly against inventory, in basis points from config.
//!
//! δb = h + s·q, δa = h − s·q (h = `half_spread_bps`, s = `inventory_skew_bps_per_lot`, q in
//! lots, converted to fractions). It is Avellaneda–Stoikov's shape, r = mid − q·(coefficient),
//! with both coefficients fixed instead of derived, and ignores σ, κ, A, γ and the drift —
//! which is what makes it the comparison every model must beat.

use super::{ModelError, ModelInputs, ModelQuote, QuoteModel};
use crate::units::bps_to_frac;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticSpreadModelConfig {
    /// Distance of each quote from the reservation price.
    pub half_spread_bps: f64,
    /// Shift of the reservation price per lot of inventory (down when long).
    pub inventory_skew_bps_per_lot: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaticSpreadModel {
    half_spread_frac: f64,
    skew_frac_per_lot: f64,
}

impl StaticSpreadModel {
    pub fn new(config: StaticSpreadModelConfig) -> Result<Self, ModelError> {
        let StaticSpreadModelConfig { half_spread_bps: h, inventory_skew_bps_per_lot: s } = config;
        if !(h.is_finite() && h > 0.0) {
            return Err(ModelError::Input { name: "half_spread_bps", requirement: "positive and finite", value: h });
        }
        if !(s.is_finite() && s >= 0.0) {
            let requirement = "non-negative and finite";
            return Err(ModelError::Input { name: "inventory_skew_bps_per_lot", requirement, value: s });
        }
        Ok(Self { half_spread_frac: bps_to_frac(h), skew_frac_per_lot: bps_to_frac(s) })
    }
}

impl QuoteModel for StaticSpreadModel {
    fn name(&self) -> &'static str {
        "static"
    }

    fn quote(&self, inputs: &ModelInputs) -> Result<ModelQuote, ModelError> {
        let q = inputs.inventory_lots;
        if !q.is_finite() {
            return Err(ModelError::Input { name: "inventory_lots", requirement: "finite", value: q });
        }
        let offset = -self.skew_frac_per_lot * q;
        Ok(ModelQuote {
            bid_depth_frac: self.half_spread_frac - offset,
            ask_depth_frac: self.half_spread_frac + offset,
            spread_term_frac: self.half_spread_frac,
            reservation_offset_frac: offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> StaticSpreadModel {
        StaticSpreadModel::new(StaticSpreadModelConfig { half_spread_bps: 2.5, inventory_skew_bps_per_lot: 0.5 })
            .unwrap()
    }

    fn inputs(q: f64) -> ModelInputs {
        ModelInputs {
            sigma_frac_per_sqrt_s: 2e-4,
            kappa_per_frac: 2_000.0,
            a_per_s: 0.5,
            gamma_per_frac_lot: 50.0,
            inventory_lots: q,
            drift_frac_per_s: 0.0,
        }
    }

    #[test]
    fn exact_depths() {
        // Flat: 2.5 bps both sides. Long 3 lots: centre −1.5 bps, bid 4.0 bps, ask 1.0 bps.
        let flat = model().quote(&inputs(0.0)).unwrap();
        assert_eq!((flat.bid_depth_frac, flat.ask_depth_frac), (2.5e-4, 2.5e-4));
        let long = model().quote(&inputs(3.0)).unwrap();
        assert!((long.bid_depth_frac - 4.0e-4).abs() < 1e-18, "{long:?}");
        assert!((long.ask_depth_frac - 1.0e-4).abs() < 1e-18, "{long:?}");
        assert!((long.reservation_offset_frac + 1.5e-4).abs() < 1e-18, "{long:?}");
        let short = model().quote(&inputs(-2.0)).unwrap();
        assert!((short.bid_depth_frac - 1.5e-4).abs() < 1e-18 && (short.ask_depth_frac - 3.5e-4).abs() < 1e-18);
    }

    #[test]
    fn ignores_the_market_inputs() {
        let wild = ModelInputs {
            sigma_frac_per_sqrt_s: f64::NAN,
            kappa_per_frac: -1.0,
            a_per_s: 0.0,
            gamma_per_frac_lot: 1e9,
            ..inputs(1.0)
        };
        assert_eq!(model().quote(&wild), model().quote(&inputs(1.0)));
    }

    #[test]
    fn bad_config_and_inventory_are_named() {
        let cfg = |h, s| {
            StaticSpreadModel::new(StaticSpreadModelConfig { half_spread_bps: h, inventory_skew_bps_per_lot: s })
        };
        assert!(matches!(cfg(0.0, 0.0), Err(ModelError::Input { name: "half_spread_bps", .. })));
        assert!(matches!(cfg(1.0, -0.1), Err(ModelError::Input { name: "inventory_skew_bps_per_lot", .. })));
        assert!(matches!(model().quote(&inputs(f64::NAN)), Err(ModelError::Input { name: "inventory_lots", .. })));
    }
}
