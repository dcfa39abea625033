//! The `hyperquote` binary's library: configuration, wiring of the actors, running, the run
//! summary, and the parameter calculators. `main.rs` is only the command line.

pub mod admin;
pub mod backtest;
pub mod calculators;
pub mod calibration_text;
pub mod config;
pub mod ctl;
pub mod estimate;
pub mod live;
pub mod logging;
pub mod overrides;
pub mod record;
pub mod run;
pub mod summary;
pub mod wiring;
