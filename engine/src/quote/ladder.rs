//! The target ladder: the orders the engine wants resting for one coin.

use crate::types::{CoinId, Price, Qty, Side};
use arrayvec::ArrayVec;

/// Most levels quoted per side.
pub const MAX_LADDER_LEVELS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteLevel {
    pub px: Price,
    pub qty: Qty,
}

/// Bids best (highest) first, asks best (lowest) first. An empty side quotes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetLadder {
    pub coin: CoinId,
    pub bids: ArrayVec<QuoteLevel, MAX_LADDER_LEVELS>,
    pub asks: ArrayVec<QuoteLevel, MAX_LADDER_LEVELS>,
}

impl TargetLadder {
    /// A ladder that quotes nothing: applying it cancels every order of the coin.
    pub fn empty(coin: CoinId) -> Self {
        Self { coin, bids: ArrayVec::new(), asks: ArrayVec::new() }
    }

    pub fn side(&self, side: Side) -> &ArrayVec<QuoteLevel, MAX_LADDER_LEVELS> {
        match side {
            Side::Bid => &self.bids,
            Side::Ask => &self.asks,
        }
    }

    pub fn side_mut(&mut self, side: Side) -> &mut ArrayVec<QuoteLevel, MAX_LADDER_LEVELS> {
        match side {
            Side::Bid => &mut self.bids,
            Side::Ask => &mut self.asks,
        }
    }

    pub fn level_count(&self) -> usize {
        self.bids.len() + self.asks.len()
    }
}
