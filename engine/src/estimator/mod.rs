//! Estimators: turn book and trade events into the model inputs of `MarketParams`.

mod mid_vol;
mod params;

pub use mid_vol::{MidVolConfig, MidVolEstimator};
pub use params::MarketParams;
