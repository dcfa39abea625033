//! A perpetual's context as the venue publishes it between trades: funding, open interest,
//! oracle and mark prices (Hyperliquid's `activeAssetCtx`). Fields the venue left out are
//! `None`; the estimators read funding and open interest from it.

use crate::types::{CoinId, Price, Qty};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssetContext {
    pub coin: CoinId,
    /// Current funding rate per hour, as a fraction of notional (positive: longs pay).
    pub funding_rate_frac_per_hour: Option<f64>,
    /// Open interest in base units.
    pub open_interest_base: Option<Qty>,
    pub oracle_px: Option<Price>,
    pub mark_px: Option<Price>,
}
