//! Time as integer nanoseconds. The engine never reads a clock: the runtime hands every
//! state machine the current time, monotonic in live runs and simulated in backtests.

use serde::{Deserialize, Serialize};

/// Nanoseconds on the runtime's clock (monotonic since the runtime started, or simulated).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Nanos(pub u64);

impl Nanos {
    pub const ZERO: Nanos = Nanos(0);
    pub const MAX: Nanos = Nanos(u64::MAX);

    pub const fn from_millis(ms: u64) -> Nanos {
        Nanos(ms * 1_000_000)
    }

    pub const fn from_micros(us: u64) -> Nanos {
        Nanos(us * 1_000)
    }

    pub fn from_secs_f64(s: f64) -> Nanos {
        Nanos((s * 1e9).round().max(0.0) as u64)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    pub const fn saturating_sub(self, earlier: Nanos) -> Nanos {
        Nanos(self.0.saturating_sub(earlier.0))
    }
}

impl std::ops::Add for Nanos {
    type Output = Nanos;
    fn add(self, rhs: Nanos) -> Nanos {
        Nanos(self.0.saturating_add(rhs.0))
    }
}

/// Exchange time: nanoseconds since the Unix epoch (Hyperliquid sends milliseconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UnixNanos(pub u64);

impl UnixNanos {
    pub const fn from_millis(ms: u64) -> UnixNanos {
        UnixNanos(ms * 1_000_000)
    }

    /// `t` since the Unix epoch (0 before it, saturating past `u64`).
    pub fn from_system_time(t: std::time::SystemTime) -> UnixNanos {
        let since = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        UnixNanos(u64::try_from(since.as_nanos()).unwrap_or(u64::MAX))
    }

    /// The wall clock now. For the I/O edge only (stamping journal records, nonces, a live
    /// session's start): decision code takes its time as an argument.
    pub fn wall_clock() -> UnixNanos {
        Self::from_system_time(std::time::SystemTime::now())
    }
}
