//! Calibration: predictions, their outcomes, and the statistics that score them.

mod brier;
mod correlation;
mod counts;
mod edge_posterior;
mod records;

pub use brier::{BrierAccumulator, BrierScore, ReliabilityRow, RELIABILITY_BINS};
pub use correlation::{CorrelationAccumulator, CorrelationScore};
pub use counts::CalibrationCounts;
pub use edge_posterior::EdgePosterior;
pub use records::{Outcome, OutcomeKind, Prediction, PredictionKind};
