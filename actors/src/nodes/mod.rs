//! The seven actors. Each wraps `engine` state machines; none decides anything itself.

mod calibration;
mod estimator;
mod feed;
mod fill;
mod order;
mod quote;
mod risk;

pub use calibration::CalibrationActor;
pub use estimator::EstimatorActor;
pub use feed::FeedActor;
pub use fill::FillActor;
pub use order::OrderActor;
pub use quote::{QuoteActor, QuoteCoin};
pub use risk::RiskActor;
