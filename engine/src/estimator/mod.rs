//! Estimators: turn book and trade events into the model inputs of `MarketParams`.

mod arrival;
mod book_signals;
mod coin_estimators;
mod context;
mod flow;
mod intensity_fit;
mod mid_vol;
mod ofi;
mod params;
mod reference_lead;
mod regime;
mod sampled_series;
mod spread_regime;
#[cfg(test)]
mod test_support;
mod trade_distance;
mod volume_clock;
mod windowed_ring;

pub use arrival::{ArrivalRate, ArrivalRateConfig, ArrivalRateConfigError};
pub use book_signals::{
    depth_imbalance, gamma_multiplier, near_touch_liquidity, spread_bps, BookSignals, BookSignalsConfig,
    BookSignalsConfigError, BookSignalsEstimator, NearTouchLiquidity,
};
pub use coin_estimators::{CoinEstimators, EstimatorConfig, EstimatorConfigError};
pub use context::{
    time_to_next_funding, MarketContext, MarketContextConfig, MarketContextConfigError, FUNDING_INTERVAL,
};
pub use flow::{
    FlowWindow, TradeFlow, TradeFlowConfig, TradeFlowConfigError, MAX_FLOW_CAPACITY_TRADES, MAX_FLOW_WINDOWS,
};
pub use intensity_fit::{IntensityFit, IntensityFitConfig, IntensityFitEstimator, MAX_INTENSITY_LEVELS};
pub use mid_vol::{MidVolConfig, MidVolEstimator};
pub use ofi::{OfiConfig, OfiConfigError, OfiEstimator, OfiWindow, MAX_OFI_WINDOWS};
pub use params::{
    ActivityParams, BookParams, ContextParams, FlowParams, IntensityParams, KappaSource, MarketParams, OfiParams,
    ReferenceParams, SigmaSource, VolatilityParams,
};
pub use reference_lead::{ReferenceLead, ReferenceLeadConfig};
pub use regime::{VolRegime, VolRegimeConfig, VolRegimeConfigError, VolRegimeLabel, MAX_VOL_REGIME_HISTORY};
pub use spread_regime::{SpreadRegime, SpreadRegimeConfig, SpreadRegimeLabel};
pub use trade_distance::{KappaUpdate, TradeDistanceConfig, TradeDistanceEstimator};
pub use volume_clock::{
    BucketsCompleted, VolumeBucket, VolumeClockConfig, VolumeClockConfigError, VolumeClockVolatility,
};
