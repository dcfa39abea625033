//! Venue nodes: the outside world as the runtime hosts it.

mod sim;

pub use sim::SimVenue;
