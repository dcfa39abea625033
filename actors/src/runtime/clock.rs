//! The two clocks a runtime hands its actors: monotonic wall time, or simulated time.

use engine::types::Nanos;
use std::time::Instant;

pub trait Clock {
    fn now(&self) -> Nanos;
}

/// Monotonic nanoseconds since a shared epoch; every thread of one runtime holds a copy of
/// the same epoch, so timestamps compare across threads.
#[derive(Debug, Clone, Copy)]
pub struct MonoClock {
    epoch: Instant,
}

impl MonoClock {
    pub fn new(epoch: Instant) -> Self {
        Self { epoch }
    }
}

impl Clock for MonoClock {
    fn now(&self) -> Nanos {
        Nanos(self.epoch.elapsed().as_nanos() as u64)
    }
}

/// Simulated time, advanced only by the sequential runtime.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimClock {
    pub now: Nanos,
}

impl Clock for SimClock {
    fn now(&self) -> Nanos {
        self.now
    }
}
