//! A best-bid/offer update: Hyperliquid's `bbo` channel, pushed when the top changes on a
//! block, between full `l2Book` snapshots. A side may be absent (`null`).

use super::BookLevel;
use crate::types::{CoinId, UnixNanos};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bbo {
    pub coin: CoinId,
    pub exchange_time: UnixNanos,
    pub bid: Option<BookLevel>,
    pub ask: Option<BookLevel>,
}
