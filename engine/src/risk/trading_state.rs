//! ACTIVE / REDUCE_ONLY / HALTED, with the reason and time of each change.

use crate::types::Nanos;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradingState {
    /// Quote both sides within limits.
    Active,
    /// Quote only orders that shrink the position.
    ReduceOnly,
    /// Quote nothing; every open order is cancelled.
    Halted,
}

/// The latest change of trading state and why it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TradingStateChange {
    pub state: TradingState,
    pub reason: String,
    pub at: Nanos,
}
