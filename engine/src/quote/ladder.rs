//! The target ladder: the orders the engine wants resting for one coin.

use crate::calibration::LevelPrediction;
use crate::types::{CoinId, Price, Qty, Side};
use arrayvec::ArrayVec;

/// Most levels quoted per side.
pub const MAX_LADDER_LEVELS: usize = 8;

/// One level: its price and size, and what the quote path predicted for it (carried to the
/// order so that the prediction is scored against the order's outcome).
///
/// Two levels are equal when they are the same order — price and size: the prediction is
/// what was said about the order, not part of it. (Every decision predicts anew, so with the
/// prediction compared the risk gate's throttle saw every resting level as changed, and
/// throttled it.)
#[derive(Debug, Clone, Copy)]
pub struct QuoteLevel {
    pub px: Price,
    pub qty: Qty,
    pub prediction: LevelPrediction,
}

impl PartialEq for QuoteLevel {
    fn eq(&self, other: &Self) -> bool {
        self.px == other.px && self.qty == other.qty
    }
}

impl Eq for QuoteLevel {}

impl QuoteLevel {
    /// A level without predictions yet.
    pub fn new(px: Price, qty: Qty) -> Self {
        Self { px, qty, prediction: LevelPrediction::default() }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::PredictionId;

    #[test]
    fn a_level_is_the_same_order_whatever_was_predicted_for_it() {
        let a = QuoteLevel::new(Price::from_f64(100.0), Qty::from_f64(1.0));
        let mut b = a;
        b.prediction.id = PredictionId(99);
        b.prediction.edge_bps = 3.0;
        assert_eq!(a, b);
        assert_ne!(a, QuoteLevel::new(Price::from_f64(100.0), Qty::from_f64(2.0)));
        assert_ne!(a, QuoteLevel::new(Price::from_f64(100.5), Qty::from_f64(1.0)));
    }
}
