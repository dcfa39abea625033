//! What the quote path predicts and what then happened.

use crate::types::{Cloid, CoinId, Nanos};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PredictionKind {
    /// A ladder decision: the orders the model expects to rest, and their fill chances.
    QuoteDecision,
}

/// One prediction the quote path made.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    pub coin: CoinId,
    pub kind: PredictionKind,
    /// Levels quoted in the decision.
    pub levels: u32,
    pub made_at: Nanos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OutcomeKind {
    /// An order received a fill.
    Filled,
    /// An order left the book without any fill (cancelled, rejected): a negative outcome.
    ExpiredUnfilled,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outcome {
    pub coin: CoinId,
    pub cloid: Cloid,
    pub kind: OutcomeKind,
    pub at: Nanos,
}
