//! Steady state allocates nothing: a counting global allocator watches (1) the hot path —
//! Feed → Estimator → Quote → Risk → Order, answered by a venue that acknowledges at once —
//! per book update, and (2) the whole paper pipeline with the simulated exchange, fills,
//! PnL and calibration. Single test per binary: the allocator counts every thread.

mod common;

use actors::msg::Msg;
use actors::report::ActorReport;
use actors::runtime::SequentialRuntime;
use actors::venues::AckVenue;
use actors::{Actor, ActorId};
use common::paper;
use engine::market::synthetic::SyntheticMarket;
use engine::market::MarketEvent;
use engine::types::{Nanos, UnixNanos};
use hyperquote::wiring::{build_actors, instruments, MarketChoice};
use perf::counting_alloc::{allocations, Counting};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

#[global_allocator]
static GLOBAL: Counting = Counting;

fn hot_path_allocations_per_book() -> (u64, u64, u64) {
    let config = paper();
    let all = build_actors(&config, 1, &MarketChoice::Synthetic).unwrap();
    let mut actors: Vec<Box<dyn Actor>> = all
        .into_iter()
        .filter(|a| {
            matches!(a.id(), ActorId::Feed | ActorId::Estimator | ActorId::Quote | ActorId::Risk | ActorId::Order)
        })
        .collect();
    actors.push(Box::new(AckVenue::new(Arc::new(AtomicU64::new(0)))));
    let mut runtime = SequentialRuntime::new(actors, 1024);
    // Books of a fast-moving synthetic market, generated up front.
    let coins =
        instruments(&config).into_iter().zip(config.markets.iter().map(|m| m.synthetic.clone().unwrap())).collect();
    let mut market = SyntheticMarket::new(3, UnixNanos(0), coins).unwrap();
    let mut books = Vec::with_capacity(30_000);
    while books.len() < 30_000 {
        let t = market.next_event_time();
        if let Some((t, MarketEvent::Book(b))) = market.pop_due(t) {
            books.push((t, b));
        }
    }
    let (warmup, measured) = books.split_at(10_000);
    for (t, book) in warmup.iter().cloned() {
        runtime.run_until(t);
        runtime.inject(ActorId::Feed, Msg::MarketData(MarketEvent::Book(book)));
    }
    let measured: Vec<_> = measured.to_vec();
    let before = allocations();
    for (t, book) in measured.iter().cloned() {
        runtime.run_until(t);
        runtime.inject(ActorId::Feed, Msg::MarketData(MarketEvent::Book(book)));
    }
    runtime.run_until(measured.last().unwrap().0);
    let allocated = allocations() - before;
    // Orders sent: placed anew or moved by a modify (reconcile's default for a moved level).
    let placed = match runtime.report(ActorId::Order) {
        Some(ActorReport::Order(o)) => o.placed + o.modified,
        _ => 0,
    };
    (allocated, measured.len() as u64, placed)
}

fn paper_pipeline_allocations() -> (u64, u64) {
    let mut config = paper();
    // The periodic calibration report is built and logged as JSON (it allocates, once per
    // interval, on the cold path, by design); everything else is measured.
    config.calibration.report_interval_s = 86_400.0;
    let mut runtime = SequentialRuntime::new(build_actors(&config, 1, &MarketChoice::Synthetic).unwrap(), 1024);
    runtime.run_until(Nanos::from_millis(120_000));
    let books_before = match runtime.report(ActorId::Feed) {
        Some(ActorReport::Feed(f)) => f.books,
        _ => 0,
    };
    let before = allocations();
    runtime.run_until(Nanos::from_millis(1_320_000));
    let allocated = allocations() - before;
    let books = match runtime.report(ActorId::Feed) {
        Some(ActorReport::Feed(f)) => f.books - books_before,
        _ => 0,
    };
    (allocated, books)
}

#[test]
fn steady_state_allocates_nothing() {
    let (allocated, books, placed) = hot_path_allocations_per_book();
    assert!(placed > 1_000, "the hot path must actually trade: {placed} orders placed");
    assert_eq!(allocated, 0, "{allocated} allocations over {books} book updates on the hot path");

    let (allocated, books) = paper_pipeline_allocations();
    assert!(books > 4_000, "20 simulated minutes of two coins: {books} books");
    assert_eq!(allocated, 0, "{allocated} allocations over {books} books in the full paper pipeline");
}
