//! The dead man's switch: the engine keeps a venue-side "cancel all my orders at time T" set
//! `lead_s` ahead and pushes it forward every `refresh_s`. While the engine runs, T never
//! comes; if the engine dies or stalls, the venue cancels everything at T, at most `lead_s`
//! after the last refresh.
//!
//! The switch is a state machine handed the engine's time (`now`, runtime clock) and, once,
//! the venue clock at engine time zero (`venue_offset`): T = venue_offset + now + lead_s,
//! rounded up to a whole millisecond (Hyperliquid's `time` is in ms). It answers with
//! [`OrderAction::ScheduleCancel`]s for OrderActor to send and reads the venue's answers.
//!
//! Hyperliquid's rules (HYPERLIQUID.md; [`OrderAction::ScheduleCancel`]) set the config's
//! bounds:
//! - T must be at least 5 s after the venue's clock when the action *arrives*, so `lead_s`
//!   is at least 5 s plus [`TRANSIT_ALLOWANCE_S`] (1 s for signing, the network and the
//!   block), i.e. 6 s; and a refresh must arrive before the T it postpones, so `refresh_s` is
//!   at most `lead_s − 1 s`.
//! - Every refresh is a signed exchange request counted against the address's request
//!   budget, so `refresh_s` is at least [`MIN_REFRESH_S`]. A live profile should prefer a
//!   longer lead (tens of seconds) and refresh: 3 s costs 28,800 requests a day.
//! - The switch fires at most 10 times a day. A firing is an incident: it is counted and
//!   reported, and the switch re-arms at once (the engine that sees the firing is alive).
//! - On the live user stream the venue's cancels carry order status `scheduledCancel`; the
//!   live venue turns them into `Cancelled` events plus one [`VenueEvent::ScheduleCancelFired`].
//!
//! Clean shutdown ([`DeadMansSwitch::on_shutdown`], after the cancel-all): with no order
//! live the schedule is cleared, so a stopped engine does not spend one of the day's
//! firings; with orders still live it is left armed, to cancel them at T. Either way the
//! refreshes stop.

use crate::types::{Nanos, UnixNanos};
use crate::venue::{OrderAction, VenueEvent};
use serde::{Deserialize, Serialize};

/// Time allowed for a scheduled cancel to reach the venue and be processed, seconds.
pub const TRANSIT_ALLOWANCE_S: f64 = 1.0;
/// The shortest refresh interval, seconds: each refresh spends one request of the budget.
pub const MIN_REFRESH_S: f64 = 1.0;
/// The shortest `lead_s`: Hyperliquid's 5 s plus the transit allowance.
pub const MIN_LEAD_S: f64 = 5.0 + TRANSIT_ALLOWANCE_S;

const NANOS_PER_MILLI: u64 = 1_000_000;

/// `[venue.dead_mans_switch]`: whether the switch runs, how far ahead T is set and how
/// often it is pushed forward.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeadMansSwitchConfig {
    pub enabled: bool,
    /// How far ahead of the venue's clock T is set when sent, seconds (≥ [`MIN_LEAD_S`]).
    pub lead_s: f64,
    /// How often T is pushed forward, seconds (≥ [`MIN_REFRESH_S`], ≤ `lead_s` − 1 s).
    pub refresh_s: f64,
}

impl Default for DeadMansSwitchConfig {
    /// Off; when switched on, T 10 s ahead, refreshed every 3 s.
    fn default() -> Self {
        Self { enabled: false, lead_s: 10.0, refresh_s: 3.0 }
    }
}

/// A config value the switch cannot work with; [`Self::field`] names the key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeadMansSwitchConfigError {
    #[error(
        "lead_s must be a number of seconds ≥ {MIN_LEAD_S} (Hyperliquid refuses a scheduled cancel under 5 s \
         ahead; {TRANSIT_ALLOWANCE_S} s is left for the way there), got {0}"
    )]
    Lead(f64),
    #[error("refresh_s must be a number of seconds ≥ {MIN_REFRESH_S} (each refresh is a venue request), got {0}")]
    Refresh(f64),
    #[error(
        "refresh_s ({refresh_s}) must be at most lead_s ({lead_s}) − {TRANSIT_ALLOWANCE_S} s, so each refresh \
         reaches the venue before the time it postpones"
    )]
    RefreshNotBeforeLead { refresh_s: f64, lead_s: f64 },
}

impl DeadMansSwitchConfigError {
    /// The key at fault, within `[venue.dead_mans_switch]`.
    pub fn field(&self) -> &'static str {
        match self {
            DeadMansSwitchConfigError::Lead(_) => "lead_s",
            DeadMansSwitchConfigError::Refresh(_) | DeadMansSwitchConfigError::RefreshNotBeforeLead { .. } => {
                "refresh_s"
            }
        }
    }
}

impl DeadMansSwitchConfig {
    /// Checks every value, also when the switch is off (a bad value is a typo to report).
    pub fn validate(&self) -> Result<(), DeadMansSwitchConfigError> {
        if !(self.lead_s.is_finite() && self.lead_s >= MIN_LEAD_S) {
            return Err(DeadMansSwitchConfigError::Lead(self.lead_s));
        }
        if !(self.refresh_s.is_finite() && self.refresh_s >= MIN_REFRESH_S) {
            return Err(DeadMansSwitchConfigError::Refresh(self.refresh_s));
        }
        if self.refresh_s > self.lead_s - TRANSIT_ALLOWANCE_S {
            return Err(DeadMansSwitchConfigError::RefreshNotBeforeLead {
                refresh_s: self.refresh_s,
                lead_s: self.lead_s,
            });
        }
        Ok(())
    }
}

/// Where the switch is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchPhase {
    /// Not configured: sends nothing.
    #[default]
    Disabled,
    /// Pushing T forward every refresh.
    Running,
    /// Shut down; the clear is on its way to the venue.
    Clearing,
    /// Shut down; the venue holds no scheduled cancel (it confirmed the clear, or nothing was
    /// ever sent).
    Cleared,
    /// Shut down with orders still live: the schedule is left to cancel them at T.
    LeftArmed,
}

/// What the switch did (the dead-man's-switch part of OrderActor's report).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeadMansSwitchReport {
    pub phase: SwitchPhase,
    /// Scheduled cancels sent with a time: the first arms the switch, the others refresh it.
    pub refreshes_sent: u64,
    /// The last T sent (venue clock).
    pub last_at: Option<UnixNanos>,
    /// The T the venue last confirmed; `None`: the venue holds no scheduled cancel.
    pub armed_at: Option<UnixNanos>,
    pub accepted: u64,
    pub rejected: u64,
    /// Times the venue's scheduled cancel fired, and the orders those firings cancelled.
    pub fired: u64,
    pub fired_cancelled_orders: u64,
}

impl DeadMansSwitchReport {
    /// Whether the switch has reached its end after a shutdown (or was never on): nothing
    /// more will be sent or awaited.
    pub fn is_settled(&self) -> bool {
        matches!(self.phase, SwitchPhase::Disabled | SwitchPhase::Cleared | SwitchPhase::LeftArmed)
    }
}

/// The engine's side of the dead man's switch (see the module doc).
#[derive(Debug, Clone)]
pub struct DeadMansSwitch {
    lead: Nanos,
    refresh: Nanos,
    /// The venue's clock at engine time zero.
    venue_offset: UnixNanos,
    /// When the next scheduled cancel is due; `None` while not running.
    next_send: Option<Nanos>,
    report: DeadMansSwitchReport,
}

impl DeadMansSwitch {
    /// A switch that sends nothing.
    pub fn disabled() -> Self {
        Self {
            lead: Nanos::ZERO,
            refresh: Nanos::ZERO,
            venue_offset: UnixNanos(0),
            next_send: None,
            report: DeadMansSwitchReport::default(),
        }
    }

    /// A switch for `config` (validated here) on a venue whose clock reads `venue_offset` at
    /// engine time zero. When enabled it arms at the first wake-up.
    pub fn new(config: &DeadMansSwitchConfig, venue_offset: UnixNanos) -> Result<Self, DeadMansSwitchConfigError> {
        config.validate()?;
        if !config.enabled {
            return Ok(Self::disabled());
        }
        Ok(Self {
            lead: Nanos::from_secs_f64(config.lead_s),
            refresh: Nanos::from_secs_f64(config.refresh_s),
            venue_offset,
            next_send: Some(Nanos::ZERO),
            report: DeadMansSwitchReport { phase: SwitchPhase::Running, ..DeadMansSwitchReport::default() },
        })
    }

    /// When the switch next wants [`Self::poll`].
    pub fn next_wakeup(&self) -> Option<Nanos> {
        self.next_send
    }

    /// The scheduled cancel to send at `now`, if one is due: T = venue clock + lead, and the
    /// next one `refresh` after `now` (a late wake-up delays the cadence, never bunches it).
    pub fn poll(&mut self, now: Nanos) -> Option<OrderAction> {
        self.next_send.filter(|due| *due <= now)?;
        let at = self.schedule_time(now);
        self.next_send = Some(now + self.refresh);
        self.report.refreshes_sent += 1;
        self.report.last_at = Some(at);
        Some(OrderAction::ScheduleCancel { at: Some(at) })
    }

    /// Reads a venue event at `now`; events other than the scheduled cancel's are ignored.
    pub fn on_event(&mut self, now: Nanos, event: &VenueEvent) {
        match *event {
            VenueEvent::ScheduleCancelAccepted { at } => {
                self.report.accepted += 1;
                self.report.armed_at = at;
                if at.is_none() && self.report.phase == SwitchPhase::Clearing {
                    self.report.phase = SwitchPhase::Cleared;
                }
            }
            VenueEvent::ScheduleCancelRejected { .. } => self.report.rejected += 1,
            VenueEvent::ScheduleCancelFired { cancelled_orders, .. } => {
                self.report.fired += 1;
                self.report.fired_cancelled_orders += u64::from(cancelled_orders);
                self.report.armed_at = None;
                if self.report.phase == SwitchPhase::Running {
                    // Whoever reads this is alive: protect the orders placed from now on.
                    self.next_send = Some(now);
                }
            }
            _ => {}
        }
    }

    /// Clean shutdown, after the cancel-all: stops the refreshes and returns the clear to
    /// send when no order is live (`live_orders`) and something was ever armed. With orders
    /// still live the schedule is left to cancel them.
    pub fn on_shutdown(&mut self, live_orders: usize) -> Option<OrderAction> {
        if self.report.phase != SwitchPhase::Running {
            return None;
        }
        self.next_send = None;
        if self.report.refreshes_sent == 0 {
            self.report.phase = SwitchPhase::Cleared;
            None
        } else if live_orders > 0 {
            self.report.phase = SwitchPhase::LeftArmed;
            None
        } else {
            self.report.phase = SwitchPhase::Clearing;
            Some(OrderAction::ScheduleCancel { at: None })
        }
    }

    pub fn report(&self) -> DeadMansSwitchReport {
        self.report
    }

    /// T for a scheduled cancel sent at `now`: venue clock + lead, up to a whole millisecond.
    fn schedule_time(&self, now: Nanos) -> UnixNanos {
        let at = self.venue_offset.0.saturating_add(now.0).saturating_add(self.lead.0);
        UnixNanos(at.div_ceil(NANOS_PER_MILLI).saturating_mul(NANOS_PER_MILLI))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Cloid, CoinId};
    use crate::venue::{ScheduleCancelReject, SCHEDULE_CANCEL_MIN_LEAD};

    const SEC: u64 = 1_000_000_000;
    const OFFSET: UnixNanos = UnixNanos(1_767_225_600_000_000_000);

    fn config(lead_s: f64, refresh_s: f64) -> DeadMansSwitchConfig {
        DeadMansSwitchConfig { enabled: true, lead_s, refresh_s }
    }

    fn switch() -> DeadMansSwitch {
        DeadMansSwitch::new(&config(10.0, 3.0), OFFSET).unwrap()
    }

    fn sent_at(action: Option<OrderAction>) -> Option<UnixNanos> {
        match action {
            Some(OrderAction::ScheduleCancel { at }) => at,
            other => panic!("expected a scheduled cancel with a time, got {other:?}"),
        }
    }

    #[test]
    fn arms_at_once_then_refreshes_every_refresh_s() {
        let mut dms = switch();
        assert_eq!(dms.next_wakeup(), Some(Nanos::ZERO));
        assert_eq!(sent_at(dms.poll(Nanos::ZERO)), Some(UnixNanos(OFFSET.0 + 10 * SEC)));
        assert_eq!(dms.next_wakeup(), Some(Nanos(3 * SEC)));
        assert_eq!(dms.poll(Nanos(3 * SEC - 1)), None, "not due yet");
        let mut sends = vec![0];
        for step in 1..=20u64 {
            let now = Nanos(step * SEC);
            if dms.poll(now).is_some() {
                sends.push(step);
            }
        }
        assert_eq!(sends, vec![0, 3, 6, 9, 12, 15, 18]);
        // A late wake-up sends once and counts the next refresh from itself.
        assert_eq!(dms.next_wakeup(), Some(Nanos(21 * SEC)));
        assert!(dms.poll(Nanos(30 * SEC)).is_some());
        assert_eq!(dms.poll(Nanos(30 * SEC)), None);
        assert_eq!(dms.next_wakeup(), Some(Nanos(33 * SEC)));
        let r = dms.report();
        assert_eq!((r.refreshes_sent, r.last_at), (8, Some(UnixNanos(OFFSET.0 + 40 * SEC))));
        assert_eq!(r.phase, SwitchPhase::Running);
    }

    #[test]
    fn t_is_always_a_whole_ms_at_least_the_lead_ahead_of_the_venue_clock() {
        for (lead_s, refresh_s) in [(6.0, 1.0), (10.0, 3.0), (60.0, 20.0), (6.123_456_789, 5.0)] {
            let mut dms = DeadMansSwitch::new(&config(lead_s, refresh_s), OFFSET).unwrap();
            let mut now = Nanos(0);
            for step in 0..500u64 {
                // Irregular wake-ups, none on a millisecond boundary.
                now = now + Nanos(1_000_000_000 + step * 7_919_777 % 2_000_000_000 + 1);
                let Some(OrderAction::ScheduleCancel { at: Some(at) }) = dms.poll(now) else { continue };
                let venue_now = OFFSET.0 + now.0;
                assert_eq!(at.0 % NANOS_PER_MILLI, 0, "whole milliseconds: {at:?}");
                assert!(at.0 >= venue_now + SCHEDULE_CANCEL_MIN_LEAD.0, "T {at:?} under 5 s after {venue_now}");
                let transit = Nanos::from_secs_f64(TRANSIT_ALLOWANCE_S).0;
                assert!(at.0 >= venue_now + transit + SCHEDULE_CANCEL_MIN_LEAD.0, "no room for the way there");
                assert!(at.0 - venue_now < Nanos::from_secs_f64(lead_s).0 + NANOS_PER_MILLI);
            }
            assert!(dms.report().refreshes_sent > 20, "{:?}", dms.report());
        }
    }

    #[test]
    fn config_validation_names_the_field() {
        assert_eq!(DeadMansSwitchConfig::default().validate(), Ok(()));
        assert_eq!(config(6.0, 5.0).validate(), Ok(()));
        let cases = [
            (config(5.0, 1.0), "lead_s"),
            (config(5.9, 1.0), "lead_s"),
            (config(f64::NAN, 3.0), "lead_s"),
            (config(f64::INFINITY, 3.0), "lead_s"),
            (config(10.0, 0.0), "refresh_s"),
            (config(10.0, 0.5), "refresh_s"),
            (config(10.0, -3.0), "refresh_s"),
            (config(10.0, f64::NAN), "refresh_s"),
            (config(10.0, 10.0), "refresh_s"),
            (config(10.0, 9.5), "refresh_s"),
            (config(10.0, 12.0), "refresh_s"),
            // Checked when off too: a bad value is a typo to report.
            (DeadMansSwitchConfig { enabled: false, lead_s: 2.0, refresh_s: 1.0 }, "lead_s"),
        ];
        for (c, field) in cases {
            let e = c.validate().unwrap_err();
            assert_eq!(e.field(), field, "{c:?}: {e}");
            assert!(e.to_string().starts_with(field), "{e}");
            assert!(DeadMansSwitch::new(&c, OFFSET).is_err());
        }
        let e = config(10.0, 10.0).validate().unwrap_err();
        assert!(e.to_string().contains("lead_s (10)"), "{e}");
    }

    #[test]
    fn config_reads_with_defaults_and_refuses_unknown_keys() {
        let c: DeadMansSwitchConfig = serde_json::from_str(r#"{"enabled": true}"#).unwrap();
        assert_eq!(c, DeadMansSwitchConfig { enabled: true, ..DeadMansSwitchConfig::default() });
        let c: DeadMansSwitchConfig = serde_json::from_str(r#"{"lead_s": 30.0, "refresh_s": 10.0}"#).unwrap();
        assert_eq!((c.enabled, c.lead_s, c.refresh_s), (false, 30.0, 10.0));
        assert!(serde_json::from_str::<DeadMansSwitchConfig>(r#"{"lead": 30.0}"#).is_err());
    }

    #[test]
    fn disabled_sends_nothing_ever() {
        let off = DeadMansSwitchConfig { enabled: false, ..DeadMansSwitchConfig::default() };
        let mut dms = DeadMansSwitch::new(&off, OFFSET).unwrap();
        assert_eq!(dms.next_wakeup(), None);
        assert_eq!(dms.poll(Nanos(100 * SEC)), None);
        assert_eq!(dms.on_shutdown(0), None);
        assert_eq!(dms.report(), DeadMansSwitchReport::default());
        assert!(dms.report().is_settled());
    }

    #[test]
    fn acks_track_what_the_venue_holds_and_rejects_are_counted() {
        let mut dms = switch();
        let at = sent_at(dms.poll(Nanos::ZERO));
        assert_eq!(dms.report().armed_at, None, "not confirmed yet");
        dms.on_event(Nanos(10_000_000), &VenueEvent::ScheduleCancelAccepted { at });
        let reason = ScheduleCancelReject::TooSoon;
        dms.on_event(Nanos(20_000_000), &VenueEvent::ScheduleCancelRejected { at: Some(UnixNanos(1)), reason });
        dms.on_event(Nanos(20_000_000), &VenueEvent::Cancelled { coin: CoinId(0), cloid: Cloid(1) });
        let r = dms.report();
        assert_eq!((r.armed_at, r.accepted, r.rejected), (at, 1, 1), "a refused refresh leaves the old T");
    }

    #[test]
    fn a_firing_is_counted_and_the_switch_rearms_at_once() {
        let mut dms = switch();
        let at = sent_at(dms.poll(Nanos::ZERO)).unwrap();
        dms.on_event(Nanos(10_000_000), &VenueEvent::ScheduleCancelAccepted { at: Some(at) });
        let fired_seen = Nanos(10 * SEC + 5_000_000);
        dms.on_event(fired_seen, &VenueEvent::ScheduleCancelFired { at, cancelled_orders: 6 });
        let r = dms.report();
        assert_eq!((r.fired, r.fired_cancelled_orders, r.armed_at), (1, 6, None));
        assert_eq!(dms.next_wakeup(), Some(fired_seen));
        assert!(dms.poll(fired_seen).is_some());
    }

    #[test]
    fn clean_shutdown_clears_the_schedule_and_stops_refreshing() {
        let mut dms = switch();
        let at = sent_at(dms.poll(Nanos::ZERO));
        dms.on_event(Nanos(10_000_000), &VenueEvent::ScheduleCancelAccepted { at });
        assert!(!dms.report().is_settled());
        assert_eq!(dms.on_shutdown(0), Some(OrderAction::ScheduleCancel { at: None }));
        assert_eq!(dms.report().phase, SwitchPhase::Clearing);
        assert!(!dms.report().is_settled(), "waits for the venue");
        assert_eq!(dms.next_wakeup(), None);
        assert_eq!(dms.poll(Nanos(100 * SEC)), None);
        assert_eq!(dms.on_shutdown(0), None, "once");
        dms.on_event(Nanos(1_000_000_000), &VenueEvent::ScheduleCancelAccepted { at: None });
        let r = dms.report();
        assert_eq!((r.phase, r.armed_at, r.refreshes_sent), (SwitchPhase::Cleared, None, 1));
        assert!(r.is_settled());
    }

    #[test]
    fn shutdown_with_live_orders_leaves_the_switch_armed_to_cancel_them() {
        let mut dms = switch();
        let at = sent_at(dms.poll(Nanos::ZERO));
        dms.on_event(Nanos(10_000_000), &VenueEvent::ScheduleCancelAccepted { at });
        assert_eq!(dms.on_shutdown(3), None);
        let r = dms.report();
        assert_eq!((r.phase, r.armed_at), (SwitchPhase::LeftArmed, at));
        assert_eq!(dms.next_wakeup(), None, "no more refreshes: the venue fires at T");
    }

    #[test]
    fn shutdown_before_anything_was_sent_has_nothing_to_clear() {
        let mut dms = switch();
        assert_eq!(dms.on_shutdown(0), None);
        assert_eq!(dms.report().phase, SwitchPhase::Cleared);
        assert_eq!(dms.next_wakeup(), None);
    }
}
