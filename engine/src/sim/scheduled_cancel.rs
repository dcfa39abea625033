//! The account's scheduled cancel at the simulated exchange: Hyperliquid's `scheduleCancel`,
//! the venue half of the dead man's switch ([`crate::order::DeadMansSwitch`] is the engine's).
//!
//! One schedule per account (the simulated exchange serves one). A time is taken if it lies
//! at least [`SCHEDULE_CANCEL_MIN_LEAD`] (5 s) after the venue clock when the action
//! arrives, and replaces the previous one; no time clears it. When the clock reaches it, the
//! exchange cancels every open order and the schedule is gone (`super::exchange`).
//!
//! Hyperliquid lets the switch fire at most [`SCHEDULE_CANCEL_TRIGGERS_PER_DAY`] (10) times a
//! day (UTC). What it does past that is not documented; the simulator refuses a new time
//! once the day's firings are used up (`DailyTriggerLimit`), so the engine learns it is
//! unprotected. Clearing is always taken.

use crate::types::UnixNanos;
use crate::venue::{ScheduleCancelReject, SCHEDULE_CANCEL_MIN_LEAD, SCHEDULE_CANCEL_TRIGGERS_PER_DAY};
use serde::Serialize;

const NANOS_PER_DAY: u64 = 86_400 * 1_000_000_000;

/// What the simulated venue did with the scheduled cancel (the venue report's part).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScheduledCancelStats {
    /// When the venue cancels everything, if a time is scheduled.
    pub armed_at: Option<UnixNanos>,
    pub accepted: u64,
    pub rejected: u64,
    /// Times the schedule fired, and the open orders those firings cancelled.
    pub fired: u64,
    pub cancelled_orders: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ScheduledCancel {
    stats: ScheduledCancelStats,
    /// UTC day (days since the epoch) whose firings `fired_today` counts.
    day: u64,
    fired_today: u32,
}

impl ScheduledCancel {
    /// A scheduled cancel arrives at venue time `now`: takes `at` (or the clear) or refuses it,
    /// leaving the previous schedule.
    pub(crate) fn set(&mut self, now: UnixNanos, at: Option<UnixNanos>) -> Result<(), ScheduleCancelReject> {
        let result = match at {
            None => Ok(()),
            Some(t) if t.0 < now.0.saturating_add(SCHEDULE_CANCEL_MIN_LEAD.0) => Err(ScheduleCancelReject::TooSoon),
            Some(_) if self.fired_on(utc_day(now)) >= SCHEDULE_CANCEL_TRIGGERS_PER_DAY => {
                Err(ScheduleCancelReject::DailyTriggerLimit)
            }
            Some(_) => Ok(()),
        };
        match result {
            Ok(()) => {
                self.stats.armed_at = at;
                self.stats.accepted += 1;
            }
            Err(_) => self.stats.rejected += 1,
        }
        result
    }

    /// When the schedule fires, if one is set.
    pub(crate) fn due(&self) -> Option<UnixNanos> {
        self.stats.armed_at
    }

    /// The schedule fired and `cancelled_orders` were cancelled: counts it on its day and
    /// clears it. Returns the time it fired at (`None` if nothing was scheduled).
    pub(crate) fn fired(&mut self, cancelled_orders: u32) -> Option<UnixNanos> {
        let at = self.stats.armed_at.take()?;
        let day = utc_day(at);
        self.fired_today = self.fired_on(day) + 1;
        self.day = day;
        self.stats.fired += 1;
        self.stats.cancelled_orders += u64::from(cancelled_orders);
        Some(at)
    }

    pub(crate) fn stats(&self) -> ScheduledCancelStats {
        self.stats
    }

    fn fired_on(&self, day: u64) -> u32 {
        if day == self.day {
            self.fired_today
        } else {
            0
        }
    }
}

fn utc_day(t: UnixNanos) -> u64 {
    t.0 / NANOS_PER_DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000_000_000;
    /// 2026-01-01T00:00:00Z.
    const MIDNIGHT: UnixNanos = UnixNanos(1_767_225_600 * SEC);

    fn t(s: u64) -> UnixNanos {
        UnixNanos(MIDNIGHT.0 + s * SEC)
    }

    #[test]
    fn takes_a_time_at_least_5_s_ahead_and_replaces_or_clears() {
        let mut s = ScheduledCancel::default();
        assert_eq!(s.set(t(100), Some(UnixNanos(t(105).0 - 1))), Err(ScheduleCancelReject::TooSoon));
        assert_eq!(s.due(), None);
        assert_eq!(s.set(t(100), Some(t(105))), Ok(()), "exactly 5 s is enough");
        assert_eq!(s.set(t(101), Some(t(103))), Err(ScheduleCancelReject::TooSoon));
        assert_eq!(s.due(), Some(t(105)), "a refused time leaves the old one");
        assert_eq!(s.set(t(102), Some(t(120))), Ok(()));
        assert_eq!(s.due(), Some(t(120)));
        assert_eq!(s.set(t(103), None), Ok(()));
        assert_eq!(s.due(), None);
        assert_eq!(s.fired(4), None, "nothing scheduled, nothing fires");
        let stats = s.stats();
        assert_eq!((stats.accepted, stats.rejected, stats.fired), (3, 2, 0));
    }

    #[test]
    fn ten_firings_a_utc_day_then_refused_until_midnight() {
        let mut s = ScheduledCancel::default();
        for k in 0..10u64 {
            let now = t(1_000 + k * 100);
            assert_eq!(s.set(now, Some(t(1_010 + k * 100))), Ok(()), "firing {k}");
            assert_eq!(s.fired(2), Some(t(1_010 + k * 100)));
        }
        assert_eq!(s.set(t(5_000), Some(t(5_010))), Err(ScheduleCancelReject::DailyTriggerLimit));
        assert_eq!(s.set(t(5_000), None), Ok(()), "clearing is always taken");
        // The next UTC day starts afresh.
        assert_eq!(s.set(t(86_400), Some(t(86_410))), Ok(()));
        let stats = s.stats();
        assert_eq!((stats.fired, stats.cancelled_orders), (10, 20));
    }
}
