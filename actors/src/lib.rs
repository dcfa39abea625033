//! hyperquote's runtime: the actor trait, the threaded and sequential runtimes, latency
//! histograms, the seven actors and the venues.
//!
//! Actors decide nothing themselves: each wraps `engine` state machines and only moves
//! messages, does I/O and measures (ARCHITECTURE.md, "Two layers, one rule").

mod actor;
pub mod control;
mod counters;
mod id;
pub mod journal;
pub mod latency;
pub mod msg;
pub mod nodes;
pub mod report;
pub mod runtime;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod venues;

pub use actor::{Actor, Outbox, Outgoing, OUTBOX_CAPACITY};
pub use counters::{QueueCounters, RuntimeCounters};
pub use id::{ActorId, NODE_COUNT};
