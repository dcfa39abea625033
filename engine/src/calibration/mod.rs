//! Calibration: every prediction the quote path trades on, linked to its outcome and scored
//! per model and context bucket; what the outcomes teach each bucket goes back to the quote
//! path (adverse selection, edge uncertainty, the ending rate, poor-edge widening).

mod brier;
mod bucket_estimates;
mod config;
mod correlation;
mod edge_posterior;
mod predict;
mod prediction;
mod records;
mod report;
mod scoreboard;
mod tracker;

pub use brier::{BrierAccumulator, BrierScore, ReliabilityRow, RELIABILITY_BINS};
pub use bucket_estimates::{BucketLearning, BucketView, CoinFeedback, CoinLearning};
pub use config::{AlertThresholds, CalibrationConfig, CalibrationConfigError, Priors, WidenOnPoorEdge};
pub use correlation::{CorrelationAccumulator, CorrelationScore};
pub use edge_posterior::EdgePosterior;
pub use predict::{bucket_of, position_frac, predict_levels, PredictionInputs};
pub use prediction::{
    ContextBucket, InventoryBucket, LeadCall, LevelPrediction, ModelTag, PredictionId, DEPTH_BANDS,
    DEPTH_BAND_EDGES_BPS, FLAT_INVENTORY_FRAC, MODEL_TAGS,
};
pub use records::{Outcome, OutcomeKind, PlacedPrediction, PlacedPredictions, PLACED_PER_MESSAGE};
pub use report::{
    alerts_of, BucketProfitability, BucketScoreReport, CalibrationCounts, CalibrationReport, DegradationAlert,
    FillModelReport, LeadReport, ModelReport, PredictionKind,
};
pub use scoreboard::{LeadResult, Scoreboard, Scores};
pub use tracker::{CalibrationTracker, MAX_OPEN_AGE, MAX_OPEN_PREDICTIONS, MAX_PENDING_LEADS};
