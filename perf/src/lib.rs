//! hyperquote's benchmark library: the one-hop measurement and the tick-to-order pipeline
//! under each thread layout, shared by the criterion benches and the `latency_harness`; the
//! estimator set over recorded market data, shared by its bench, test and profile example.

pub mod counting_alloc;
pub mod estimators;
pub mod hop;
pub mod pipeline;

pub use pipeline::{Inline, Layout, Pipeline, Threaded};
