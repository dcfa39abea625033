//! Venue nodes: the outside world as the runtime hosts it.

mod ack;
mod sim;

pub use ack::AckVenue;
pub use sim::SimVenue;
