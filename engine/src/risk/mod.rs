//! Risk: the trading state, the limits every quote intent must pass, and the gate that
//! enforces them — the only path from the quote path to the venue.
//!
//! - `trading_state`: ACTIVE / REDUCE_ONLY / HALTED with the reason and time of each change;
//! - `limits`, `change`: `RiskLimits` (one versioned value) and `RiskLimitsChange` (a
//!   partial change, from JSON or `KEY=VALUE` assignments, validated on the whole result);
//! - `checks`: the per-intent checks, O(levels) and allocation-free, each effect counted by
//!   `RiskReason`;
//! - `throttle`, `request_budget`, `loss`: the new-order token bucket, Hyperliquid's
//!   address request budget (inventory forcing), and the daily-loss / drawdown guard;
//! - `reject_kinds`, `venue_refusals`: the kinds of venue order refusal, counted per kind,
//!   and what the gate does about them (rate limited → inventory forcing, margin → the
//!   coin reducing-only, repeated own bugs → HALTED), each for a cool-down;
//! - `gate`: `RiskGate`, the state machine that ties them together.

mod change;
mod checks;
mod gate;
mod inputs;
mod limits;
mod loss;
mod reasons;
mod reject_kinds;
mod request_budget;
mod throttle;
mod trading_state;
mod venue_refusals;

pub use change::{AssignmentError, CoinRiskLimitsChange, RiskLimitsChange, ALL_COINS};
pub use checks::{check_ladder, GateInputs, RiskVerdict};
pub use gate::{CoinRiskSnapshot, GateCounts, RiskGate, RiskSink};
pub use inputs::{CoinAccounting, CoinMarket, VolatilityState};
pub use limits::{AccountRiskLimits, CoinRiskLimits, RiskLimits, RiskLimitsError};
pub use loss::{LossBreach, LossGuard, LossSnapshot, DAY};
pub use reasons::{ReasonCounts, RiskReason, REASON_COUNT};
pub use reject_kinds::{RefusalClass, RejectCounts, RejectKind, REJECT_KIND_COUNT};
pub use request_budget::{AddressBudget, RequestBudget, RequestBudgetSnapshot, RequestCounting, EXTRA_CANCELS};
pub use throttle::TokenBucket;
pub use trading_state::{TradingState, TradingStateChange};
pub use venue_refusals::{Expired, RefusalEffect, VenueRefusalSnapshot, VenueRefusals, MAX_BUG_REFUSALS_TO_HALT};
