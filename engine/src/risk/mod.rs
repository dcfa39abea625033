//! Risk: the trading state and the limits every quote intent must pass.

mod gate;
mod limits;
mod trading_state;

pub use gate::{RiskGate, RiskVerdict};
pub use limits::{CoinLimits, RiskLimitsError};
pub use trading_state::{TradingState, TradingStateChange};
