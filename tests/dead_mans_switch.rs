//! The dead man's switch end to end on the paper engine: a running engine keeps the venue's
//! scheduled cancel ahead and its orders alive, and clears the schedule when it stops; an
//! engine whose OrderActor stalls stops refreshing, and the simulated venue cancels every
//! order at the last scheduled time.

mod common;

use actors::control::{Command, CommandReply};
use actors::msg::Msg;
use actors::report::{ActorReport, OrderReport, VenueReport};
use actors::runtime::SequentialRuntime;
use actors::{Actor, ActorId, Outbox};
use common::{paper, wrap_actor};
use engine::order::SwitchPhase;
use engine::types::{Nanos, UnixNanos};
use hyperquote::config::Config;
use hyperquote::run::{run_sequential, run_threaded, RunPlan};
use hyperquote::summary::RunSummary;
use hyperquote::wiring::{build_actors, instruments, MarketChoice};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const SEC: u64 = 1_000_000_000;

/// An actor that stops dead once `stalled` is set: it handles nothing and never wakes up.
struct Stallable {
    inner: Box<dyn Actor>,
    stalled: Arc<AtomicBool>,
}

impl Actor for Stallable {
    fn id(&self) -> ActorId {
        self.inner.id()
    }
    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        if !self.stalled.load(Ordering::Relaxed) {
            self.inner.handle(now, msg, out);
        }
    }
    fn next_wakeup(&self) -> Option<Nanos> {
        if self.stalled.load(Ordering::Relaxed) {
            None
        } else {
            self.inner.next_wakeup()
        }
    }
    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        self.inner.on_wakeup(now, out);
    }
    fn on_command(&mut self, now: Nanos, command: &Command, out: &mut Outbox) -> CommandReply {
        self.inner.on_command(now, command, out)
    }
    fn report(&self) -> ActorReport {
        self.inner.report()
    }
}

fn order_report(report: Option<ActorReport>) -> OrderReport {
    match report {
        Some(ActorReport::Order(o)) => o,
        other => panic!("no order report: {other:?}"),
    }
}

fn venue_report(report: Option<ActorReport>) -> VenueReport {
    match report {
        Some(ActorReport::Venue(v)) => v,
        other => panic!("no venue report: {other:?}"),
    }
}

fn summary_reports(s: &RunSummary) -> (OrderReport, VenueReport) {
    let order = s.reports.iter().find_map(|r| if let ActorReport::Order(o) = r { Some(o.clone()) } else { None });
    let venue = s.reports.iter().find_map(|r| if let ActorReport::Venue(v) = r { Some(v.clone()) } else { None });
    (order.expect("order report"), venue.expect("venue report"))
}

fn start_unix(config: &Config) -> UnixNanos {
    UnixNanos::from_millis(config.venue.start_unix_ms)
}

#[test]
fn the_shipped_profiles_run_the_switch() {
    for c in [paper().venue.dead_mans_switch, Config::embedded_replay().unwrap().venue.dead_mans_switch] {
        assert!(c.enabled);
        assert_eq!((c.lead_s, c.refresh_s), (10.0, 3.0));
    }
}

#[test]
fn a_bad_switch_setting_is_refused_naming_the_key() {
    for (setting, field) in [("lead_s = 5.0", "lead_s"), ("refresh_s = 10.0", "refresh_s")] {
        let text = hyperquote::config::EMBEDDED_PAPER_TOML.replacen("lead_s = 10.0", setting, 1);
        let e = Config::parse(&text, "test").unwrap_err().to_string();
        assert!(e.contains("venue.dead_mans_switch") && e.contains(field), "{e}");
    }
}

#[test]
fn a_paper_run_keeps_its_orders_refreshes_the_switch_and_clears_it_at_shutdown() {
    let config = paper();
    let actors = build_actors(&config, 1, &MarketChoice::Synthetic).unwrap();
    let summary = run_sequential(actors, 1024, &instruments(&config), Duration::from_secs(120));
    let (order, venue) = summary_reports(&summary);
    let dms = order.dead_mans_switch;
    // Armed at 0 s, then every 3 s to the end of the run (~120 s).
    assert!((40..=42).contains(&dms.refreshes_sent), "{dms:?}");
    assert_eq!(dms.accepted, dms.refreshes_sent + 1, "every refresh and the clear confirmed: {dms:?}");
    assert_eq!((dms.rejected, dms.fired), (0, 0));
    assert_eq!(dms.phase, SwitchPhase::Cleared);
    assert_eq!(dms.armed_at, None);
    let last_at = dms.last_at.expect("a T was sent");
    let last_at_s = (last_at.0 - start_unix(&config).0) as f64 / 1e9;
    assert!((128.0..=132.0).contains(&last_at_s), "last T {last_at_s} s: 10 s after the last refresh");
    // The venue never fired: quoting ran the whole time with the switch armed.
    assert_eq!(venue.dead_mans_switch.fired, 0, "{:?}", venue.dead_mans_switch);
    assert_eq!(venue.dead_mans_switch.armed_at, None, "cleared at shutdown");
    assert!(order.placed > 20 && summary.totals.fills > 0, "the engine quoted: {order:?}");
    assert_eq!((order.live_orders, venue.open_orders), (0, 0));
    assert!(summary.render_text().contains("dead man's switch: "), "{}", summary.render_text());
}

#[test]
fn a_stalled_order_actor_lets_the_venue_cancel_everything_at_t() {
    let mut config = paper();
    // A quiet market, so the quotes a stalled engine leaves behind are not all picked off
    // before T (in the paper profile's market most fill within ten seconds).
    for m in &mut config.markets {
        let synthetic = m.synthetic.as_mut().expect("paper markets are synthetic");
        synthetic.sigma_frac_per_sqrt_s = 1e-6;
        synthetic.trade_rate_per_s = 0.05;
    }
    let stalled = Arc::new(AtomicBool::new(false));
    let actors = build_actors(&config, 1, &MarketChoice::Synthetic).unwrap();
    let actors = wrap_actor(actors, ActorId::Order, |inner| Box::new(Stallable { inner, stalled: stalled.clone() }));
    let mut rt = SequentialRuntime::new(actors, 1024);
    rt.run_until(Nanos(30 * SEC));
    let venue = venue_report(rt.report(ActorId::Venue));
    assert!(venue.open_orders > 0, "quoting by 30 s: {venue:?}");
    let dms = order_report(rt.report(ActorId::Order)).dead_mans_switch;
    assert!(dms.refreshes_sent >= 10, "{dms:?}");

    // The engine stalls: OrderActor handles nothing more and its wake-ups stop.
    stalled.store(true, Ordering::Relaxed);
    let last_at = dms.last_at.expect("armed");
    let t = Nanos(last_at.0 - start_unix(&config).0);
    assert!(t.0 > 30 * SEC && t.0 <= 40 * SEC, "T within lead_s of the stall: {t:?}");
    rt.run_until(Nanos(t.0 - 1));
    let before = venue_report(rt.report(ActorId::Venue));
    assert!(before.open_orders >= 6, "the ladders rest until T: {before:?}");
    assert_eq!(before.dead_mans_switch.fired, 0);
    assert_eq!(before.dead_mans_switch.armed_at, Some(last_at));

    rt.run_until(Nanos(t.0 + SEC));
    let after = venue_report(rt.report(ActorId::Venue));
    assert_eq!(after.open_orders, 0, "the venue cancelled everything at T: {after:?}");
    let fired = after.dead_mans_switch;
    assert_eq!((fired.fired, fired.cancelled_orders, fired.armed_at), (1, before.open_orders as u64, None));
    // The stalled engine never heard: its own books still show the orders.
    let order = order_report(rt.report(ActorId::Order));
    assert!(order.live_orders > 0);
    assert_eq!(order.dead_mans_switch.fired, 0);
    // Nothing re-arms the switch while the engine is stalled.
    rt.run_until(Nanos(t.0 + 60 * SEC));
    let later = venue_report(rt.report(ActorId::Venue));
    assert_eq!((later.dead_mans_switch.fired, later.open_orders), (1, 0));
}

#[test]
fn a_threaded_paper_run_clears_the_switch_at_shutdown() {
    let config = paper();
    let actors = build_actors(&config, 1, &MarketChoice::Synthetic).unwrap();
    let plan = RunPlan::from_config(&config, Duration::from_millis(1_500)).unwrap();
    let summary = run_threaded(actors, &plan, &AtomicBool::new(false), |_| {}).unwrap();
    let (order, venue) = summary_reports(&summary);
    let dms = order.dead_mans_switch;
    assert_eq!(dms.refreshes_sent, 1, "armed at start; 1.5 s is shorter than refresh_s: {dms:?}");
    assert_eq!((dms.phase, dms.armed_at, dms.accepted), (SwitchPhase::Cleared, None, 2), "{dms:?}");
    assert_eq!(venue.dead_mans_switch.armed_at, None);
    assert_eq!(venue.dead_mans_switch.fired, 0);
}
