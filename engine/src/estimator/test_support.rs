//! Fixtures shared by the estimators' tests, so each trade-fed estimator builds its input the
//! same way instead of each test module carrying its own copy.

use crate::market::Trade;
use crate::types::{CoinId, Price, Qty, Side, UnixNanos};

/// A trade of coin 0 from floats; `aggressor` is the taker's side. Exchange time and id are
/// zero: the estimators are handed engine time separately.
pub fn trade(aggressor: Side, px: f64, sz: f64) -> Trade {
    let (px, sz) = (Price::from_f64(px), Qty::from_f64(sz));
    Trade { coin: CoinId(0), aggressor, px, sz, exchange_time: UnixNanos(0), tid: 0 }
}
