//! What OrderActor and FillActor tell CalibrationActor: a prediction placed with an order,
//! and what then happened to the order.

use super::LevelPrediction;
use crate::types::{Cloid, CoinId, Nanos};
use arrayvec::ArrayVec;
use serde::Serialize;

/// An order went out carrying `prediction` (OrderActor, when it sends the place or modify).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlacedPrediction {
    pub coin: CoinId,
    pub cloid: Cloid,
    pub placed_at: Nanos,
    pub prediction: LevelPrediction,
}

/// Orders of one reconcile cycle per message, at most.
pub const PLACED_PER_MESSAGE: usize = 12;

/// The orders one reconcile cycle sent with predictions (OrderActor), in one message: a
/// message per order would copy a whole (1 KB) message per order on the order thread.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedPredictions {
    pub coin: CoinId,
    pub placed_at: Nanos,
    pub orders: ArrayVec<(Cloid, LevelPrediction), PLACED_PER_MESSAGE>,
}

impl PlacedPredictions {
    pub fn new(coin: CoinId, placed_at: Nanos) -> Self {
        Self { coin, placed_at, orders: ArrayVec::new() }
    }

    pub fn iter(&self) -> impl Iterator<Item = PlacedPrediction> + '_ {
        self.orders.iter().map(|&(cloid, prediction)| PlacedPrediction {
            coin: self.coin,
            cloid,
            placed_at: self.placed_at,
            prediction,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum OutcomeKind {
    /// The order received a fill (FillActor, each fill).
    Filled,
    /// The order left the book (OrderActor): filled in whole or part, or not at all —
    /// cancelled, replaced, rejected, expired: a negative outcome.
    Ended { filled: bool },
    /// One fill's markout at the attribution horizon (FillActor): the mid's move against
    /// us since the fill, and the fill's edge net of fees, bps.
    Markout { adverse_bps: f64, edge_bps: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outcome {
    pub coin: CoinId,
    pub cloid: Cloid,
    pub kind: OutcomeKind,
    pub at: Nanos,
}
