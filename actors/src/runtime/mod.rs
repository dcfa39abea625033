//! Runtimes: where and when actors run.

mod clock;
mod group;
mod layout;
mod sequential;
mod threaded;

pub use clock::{Clock, MonoClock, SimClock};
pub use group::{LocalGroup, Member, RemoteLink, Slot};
pub use layout::{one_thread_per_actor, validate, LayoutError, ThreadSpec, WaitStrategy};
pub use sequential::SequentialRuntime;
pub use threaded::{Injector, RuntimeError, ThreadedRuntime};
