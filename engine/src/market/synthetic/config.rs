//! What a synthetic coin looks like (its volatility, trade flow and depth) and the checks that
//! reject a configuration the generator could not honour, naming the offending field.

use crate::types::MAX_COINS;
use serde::{Deserialize, Serialize};

/// Parameters of one synthetic coin. Every field must be positive and finite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticCoinConfig {
    /// Mid price at time zero, USD.
    pub start_mid_usd: f64,
    /// Volatility of the mid: log-return over Δt seconds is N(0, σ²·Δt).
    pub sigma_frac_per_sqrt_s: f64,
    /// Mean number of trades (aggressive orders) per second; arrivals are Poisson.
    pub trade_rate_per_s: f64,
    /// Mean distance of a trade from the book mid, bps of mid; distances are exponential, so
    /// the fill-intensity decay is κ = 1 / (this · 1e-4) per unit fraction (MODELS.md).
    pub trade_distance_mean_bps: f64,
    /// Median trade size, base units; sizes are lognormal.
    pub trade_size_median_base: f64,
    /// Time between book snapshots, ms (Hyperliquid pushes `l2Book` about every 500 ms).
    pub book_interval_ms: u64,
    /// Mean resting size at the touch, base units; deeper levels follow the measured profile.
    pub depth_scale_base: f64,
}

/// Why a synthetic market configuration was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyntheticConfigError {
    #[error("synthetic market needs at least one coin")]
    NoCoins,
    #[error("synthetic market has {count} coins, at most {max} are supported")]
    TooManyCoins { count: usize, max: usize },
    #[error("coin {coin}: {field} must be finite")]
    NotFinite { coin: usize, field: &'static str },
    #[error("coin {coin}: {field} must be positive, got {value}")]
    NotPositive { coin: usize, field: &'static str, value: f64 },
    #[error("coin {coin}: start_mid_usd {value} is outside [{min_usd}, {max_usd}] for this instrument's tick grid")]
    StartMidOutOfRange { coin: usize, value: f64, min_usd: f64, max_usd: f64 },
}

impl SyntheticCoinConfig {
    /// Checks every field of coin number `coin` (the index is only used in the error).
    pub fn validate(&self, coin: usize) -> Result<(), SyntheticConfigError> {
        let fields = [
            ("start_mid_usd", self.start_mid_usd),
            ("sigma_frac_per_sqrt_s", self.sigma_frac_per_sqrt_s),
            ("trade_rate_per_s", self.trade_rate_per_s),
            ("trade_distance_mean_bps", self.trade_distance_mean_bps),
            ("trade_size_median_base", self.trade_size_median_base),
            // Exact for any interval below 2^53 ms (~285,000 years).
            ("book_interval_ms", self.book_interval_ms as f64),
            ("depth_scale_base", self.depth_scale_base),
        ];
        for (field, value) in fields {
            if !value.is_finite() {
                return Err(SyntheticConfigError::NotFinite { coin, field });
            }
            if value <= 0.0 {
                return Err(SyntheticConfigError::NotPositive { coin, field, value });
            }
        }
        Ok(())
    }
}

/// Checks the coin count against what a [`crate::types::CoinId`] and the engine's per-coin
/// arrays can address.
pub(crate) fn validate_coin_count(count: usize) -> Result<(), SyntheticConfigError> {
    if count == 0 {
        return Err(SyntheticConfigError::NoCoins);
    }
    if count > MAX_COINS {
        return Err(SyntheticConfigError::TooManyCoins { count, max: MAX_COINS });
    }
    Ok(())
}
