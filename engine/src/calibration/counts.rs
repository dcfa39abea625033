//! First calibration state: counts of predictions and outcomes, so that a prediction stream
//! wired to nothing (the seed diagnostics' `fill_samples=0` after 32 fills) shows at once.

use super::{Outcome, OutcomeKind, Prediction};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CalibrationCounts {
    pub predictions: u64,
    pub predicted_levels: u64,
    pub outcomes_filled: u64,
    pub outcomes_unfilled: u64,
}

impl CalibrationCounts {
    pub fn on_prediction(&mut self, p: &Prediction) {
        self.predictions += 1;
        self.predicted_levels += u64::from(p.levels);
    }

    pub fn on_outcome(&mut self, o: &Outcome) {
        match o.kind {
            OutcomeKind::Filled => self.outcomes_filled += 1,
            OutcomeKind::ExpiredUnfilled => self.outcomes_unfilled += 1,
        }
    }
}
