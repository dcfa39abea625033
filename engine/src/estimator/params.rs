//! The snapshot EstimatorActor publishes: everything the quote path needs about one coin.

use crate::types::{CoinId, Price};

/// Latest model inputs for one coin. Latest-value semantics: a newer one replaces an older.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarketParams {
    pub coin: CoinId,
    pub best_bid: Price,
    pub best_ask: Price,
    pub mid_usd: f64,
    /// Size-weighted mid at the touch (first cut of Stoikov's microprice).
    pub microprice_usd: f64,
    /// Volatility of the mid's log-return, per √second.
    pub sigma_frac_per_sqrt_s: f64,
    /// Mid-return samples behind `sigma_frac_per_sqrt_s`.
    pub sigma_samples: u32,
    /// Whether σ has seen enough samples to be trusted.
    pub sigma_is_warm: bool,
}
