//! Calibration: predictions, their outcomes, and the statistics that score them.

mod counts;
mod records;

pub use counts::CalibrationCounts;
pub use records::{Outcome, OutcomeKind, Prediction, PredictionKind};
