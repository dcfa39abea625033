//! The simulated exchange (`sim` venue): an in-process Hyperliquid stand-in for paper trading
//! and backtests, built as a state machine handed the time.
//!
//! It takes the engine's [`crate::venue::OrderAction`]s and the market data, and answers with
//! [`crate::venue::VenueEvent`]s as live Hyperliquid would: its order rules, price-time
//! priority with an L2 queue-position model, constant latencies each way and its base-tier
//! fee schedule. Our orders do not move the market data (no market impact).
//!
//! - [`config`]: the settings and their validation.
//! - [`latency`]: when actions arrive and answers come back.
//! - [`fees`]: the fee schedule.
//! - [`queue`]: how much size stands ahead of a resting order.
//! - `rules`: which new orders are refused.
//! - `matching`: one coin's orders and their fills.
//! - `outbox`: stamping and holding the answers.
//! - `finished`: the finished orders a status query can still tell.
//! - [`scheduled_cancel`]: the account's scheduled cancel-all (the dead man's switch).
//! - [`exchange`]: the state machine the runtime drives.

pub mod config;
pub mod exchange;
pub mod fees;
mod finished;
pub mod latency;
mod matching;
mod outbox;
pub mod queue;
mod rules;
#[cfg(test)]
mod scenarios;
pub mod scheduled_cancel;
#[cfg(test)]
mod scheduled_cancel_scenarios;
#[cfg(test)]
mod test_support;
mod timed_queue;

pub use config::{SimConfigError, SimVenueConfig};
pub use exchange::SimExchange;
pub use fees::{FeeSchedule, HL_BASE_MAKER_FEE_BPS, HL_BASE_TAKER_FEE_BPS};
pub use latency::ConstantLatency;
pub use matching::{RestingOrder, MAX_OPEN_ORDERS_PER_COIN};
pub use scheduled_cancel::ScheduledCancelStats;
