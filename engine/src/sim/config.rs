//! Settings of the simulated exchange: one-way latencies and the fee schedule.
//!
//! Latencies are in milliseconds because that is how people think about a venue round trip;
//! [`super::latency`] turns them into [`crate::types::Nanos`] once, at construction. The
//! defaults are a colocated-ish 5 ms each way and Hyperliquid's base-tier perp fees
//! (HYPERLIQUID.md, "Prices, sizes, fees, limits").

use super::fees::{HL_BASE_MAKER_FEE_BPS, HL_BASE_TAKER_FEE_BPS};
use serde::{Deserialize, Serialize};

/// Default one-way latency (order in, cancel in, response out), in milliseconds.
const DEFAULT_ONE_WAY_LATENCY_MS: f64 = 5.0;

/// How the simulated venue behaves. Unknown fields are an error, so a typo in a config file
/// is reported instead of silently falling back to a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimVenueConfig {
    /// Time from `submit` of a new order to its arrival at the matching engine.
    pub order_latency_ms: f64,
    /// Time from `submit` of a cancel to its arrival at the matching engine.
    pub cancel_latency_ms: f64,
    /// Time from processing at the matching engine to the event reaching the engine.
    pub response_latency_ms: f64,
    /// Fee on maker fills, in bps of notional; negative is a rebate.
    pub maker_fee_bps: f64,
    /// Fee on taker fills, in bps of notional.
    pub taker_fee_bps: f64,
}

impl Default for SimVenueConfig {
    fn default() -> Self {
        Self {
            order_latency_ms: DEFAULT_ONE_WAY_LATENCY_MS,
            cancel_latency_ms: DEFAULT_ONE_WAY_LATENCY_MS,
            response_latency_ms: DEFAULT_ONE_WAY_LATENCY_MS,
            maker_fee_bps: HL_BASE_MAKER_FEE_BPS,
            taker_fee_bps: HL_BASE_TAKER_FEE_BPS,
        }
    }
}

/// A config value the simulated venue cannot work with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimConfigError {
    #[error("sim venue: {field} must be a finite number of milliseconds ≥ 0, got {value}")]
    BadLatency { field: &'static str, value: f64 },
    #[error("sim venue: {field} must be a finite number of bps, got {value}")]
    BadFee { field: &'static str, value: f64 },
}

impl SimVenueConfig {
    /// Checks every value; the config loader calls this so a bad value is a clear error.
    /// [`super::SimExchange::new`] does not fail: it clamps negative or NaN latencies to 0.
    pub fn validate(&self) -> Result<(), SimConfigError> {
        for (field, value) in [
            ("order_latency_ms", self.order_latency_ms),
            ("cancel_latency_ms", self.cancel_latency_ms),
            ("response_latency_ms", self.response_latency_ms),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(SimConfigError::BadLatency { field, value });
            }
        }
        for (field, value) in [("maker_fee_bps", self.maker_fee_bps), ("taker_fee_bps", self.taker_fee_bps)] {
            if !value.is_finite() {
                return Err(SimConfigError::BadFee { field, value });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_5ms_each_way_and_hl_base_tier_fees() {
        let c = SimVenueConfig::default();
        assert_eq!((c.order_latency_ms, c.cancel_latency_ms, c.response_latency_ms), (5.0, 5.0, 5.0));
        assert_eq!((c.maker_fee_bps, c.taker_fee_bps), (1.5, 4.5));
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn validate_names_the_bad_field() {
        let c = SimVenueConfig { cancel_latency_ms: -1.0, ..SimVenueConfig::default() };
        assert_eq!(c.validate(), Err(SimConfigError::BadLatency { field: "cancel_latency_ms", value: -1.0 }));
        let c = SimVenueConfig { taker_fee_bps: f64::INFINITY, ..SimVenueConfig::default() };
        assert!(matches!(c.validate(), Err(SimConfigError::BadFee { field: "taker_fee_bps", .. })));
        // A maker rebate is a valid negative fee.
        let c = SimVenueConfig { maker_fee_bps: -0.2, ..SimVenueConfig::default() };
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn unknown_config_fields_are_rejected() {
        let text = r#"{"order_latency_ms":5,"cancel_latency_ms":5,"response_latency_ms":5,
            "maker_fee_bps":1.5,"taker_fee_bp":4.5}"#;
        assert!(serde_json::from_str::<SimVenueConfig>(text).is_err());
        let good = serde_json::to_string(&SimVenueConfig::default()).unwrap();
        assert_eq!(serde_json::from_str::<SimVenueConfig>(&good).unwrap(), SimVenueConfig::default());
    }
}
