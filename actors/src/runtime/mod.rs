//! Runtimes: where and when actors run.

mod clock;
mod control_client;
mod driver;
mod group;
mod layout;
mod sequential;
mod threaded;
mod wake;

pub use clock::{Clock, MonoClock, SimClock};
pub use control_client::{ControlClient, InboxDepth};
pub use driver::{DriverHost, HostedDriver, ThreadDriver};
pub use group::{LocalGroup, Member, RemoteLink, Slot};
pub use layout::{one_thread_per_actor, validate, LayoutError, ThreadSpec, WaitStrategy};
pub use sequential::SequentialRuntime;
pub use threaded::{RuntimeError, ThreadedRuntime};
pub use wake::Wake;
