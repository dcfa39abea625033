//! hyperquote's decision logic.
//!
//! Everything here is a plain value type or a state machine that is handed the time: no
//! threads, sockets, clocks or files (ARCHITECTURE.md, "Two layers, one rule"). The same
//! code therefore runs live, in paper mode against the simulated exchange, and in backtests.

pub mod backtest;
pub mod binance;
pub mod calibration;
pub mod estimator;
pub mod hyperliquid;
pub mod instrument;
pub mod market;
pub mod order;
pub mod portfolio;
pub mod quote;
pub mod risk;
pub mod sim;
pub mod types;
pub mod units;
pub mod venue;
