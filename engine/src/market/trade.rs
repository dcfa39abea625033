//! A public trade print.

use crate::types::{CoinId, Price, Qty, Side, UnixNanos};
use serde::{Deserialize, Serialize};

/// One trade as the venue prints it. `aggressor` is the taker's side (`B` = buyer-initiated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    pub coin: CoinId,
    pub aggressor: Side,
    pub px: Price,
    pub sz: Qty,
    pub exchange_time: UnixNanos,
    /// Venue trade id; with the coin it identifies the trade.
    pub tid: u64,
}
