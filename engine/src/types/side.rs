//! Order and trade side.

use serde::{Deserialize, Serialize};

/// Which side of the book: a bid buys, an ask sells. For a trade it is the aggressor's side
/// (Hyperliquid `"B"` = buyer-initiated, `"A"` = seller-initiated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    Bid,
    Ask,
}

impl Side {
    /// +1 for a bid (buying adds to the position), −1 for an ask.
    pub const fn sign(self) -> i64 {
        match self {
            Side::Bid => 1,
            Side::Ask => -1,
        }
    }

    pub const fn opposite(self) -> Side {
        match self {
            Side::Bid => Side::Ask,
            Side::Ask => Side::Bid,
        }
    }

    /// Index 0 for bids, 1 for asks: for per-side arrays.
    pub const fn index(self) -> usize {
        match self {
            Side::Bid => 0,
            Side::Ask => 1,
        }
    }
}
