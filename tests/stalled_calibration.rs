//! A stalled CalibrationActor must not slow quoting: its inbound messages are lossy, so the
//! quote path keeps its rate and the runtime counts what calibration missed.

mod common;

use actors::report::ActorReport;
use actors::ActorId;
use common::{paper, stalling, wrap_actor};
use hyperquote::run::{run_threaded, RunPlan};
use hyperquote::summary::RunSummary;
use hyperquote::wiring::{build_actors, MarketChoice};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

const RUN: Duration = Duration::from_secs(3);

fn run(stall: Option<Duration>) -> RunSummary {
    let mut config = paper();
    // A busy market: a book every 10 ms per coin, so calibration gets ~200 predictions/s.
    for m in &mut config.markets {
        if let Some(synthetic) = m.synthetic.as_mut() {
            synthetic.book_interval_ms = 10;
        }
    }
    config.runtime.channel_capacity = 64;
    let actors = build_actors(&config, 1, &MarketChoice::Synthetic).unwrap();
    let actors = match stall {
        Some(per_message) => wrap_actor(actors, ActorId::Calibration, |inner| stalling(inner, per_message)),
        None => actors,
    };
    let plan = RunPlan::from_config(&config, RUN).unwrap();
    run_threaded(actors, &plan, &AtomicBool::new(false), |_| {}).unwrap()
}

fn quote_decisions(s: &RunSummary) -> u64 {
    s.reports.iter().find_map(|r| if let ActorReport::Quote(q) = r { Some(q.decisions) } else { None }).unwrap()
}

fn feed_books(s: &RunSummary) -> u64 {
    s.reports.iter().find_map(|r| if let ActorReport::Feed(f) = r { Some(f.books) } else { None }).unwrap()
}

#[test]
fn quoting_keeps_its_rate_while_calibration_sleeps_and_drops_are_counted() {
    let free = run(None);
    let stalled = run(Some(Duration::from_millis(20)));

    let (free_rate, stalled_rate) = (quote_decisions(&free) as f64, quote_decisions(&stalled) as f64);
    assert!(free_rate > 300.0, "the fast market should drive hundreds of decisions, got {free_rate}");
    assert!(
        stalled_rate >= 0.8 * free_rate,
        "quote decisions fell from {free_rate} to {stalled_rate} when calibration stalled"
    );
    // Quote kept up with the feed: every book became a decision, less the coalesced ones.
    let books = feed_books(&stalled) as f64;
    assert!(stalled_rate >= 0.8 * books, "{stalled_rate} decisions for {books} books");

    let cal = stalled.queues.iter().find(|q| q.actor == ActorId::Calibration).unwrap();
    assert!(cal.dropped > 0, "a 20 ms/message consumer at ~200 msg/s must drop: {cal:?}");
    // The calibration report carries the drops and says its sample is lossy.
    let report = stalled.calibration.as_ref().expect("a calibration report");
    assert_eq!(report.queue_drops, cal.dropped);
    assert!(report.lossy);
    // What calibration saw plus what was dropped is everything that was sent to it.
    let seen = report.messages_received;
    assert!(seen <= cal.sent - cal.dropped, "seen {seen}, sent {} dropped {}", cal.sent, cal.dropped);
    // At the stop, up to one channel (64) plus one in-thread batch (256) may still be queued.
    assert!(seen + cal.dropped + 64 + 256 >= cal.sent, "messages unaccounted for: {cal:?}, seen {seen}");
    // Without the stall nothing is dropped.
    let free_cal = free.queues.iter().find(|q| q.actor == ActorId::Calibration).unwrap();
    assert_eq!(free_cal.dropped, 0, "{free_cal:?}");
    assert_eq!(free.calibration.as_ref().map(|r| r.queue_drops), Some(0));
}
