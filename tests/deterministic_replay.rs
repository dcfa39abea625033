//! The sequential runtime is deterministic: the same seed gives the very same fills, and a
//! different seed gives different ones (so the comparison can fail).

mod common;

use actors::ActorId;
use common::{paper, recording_fills, wrap_actor};
use engine::types::Nanos;
use engine::venue::FillReport;
use hyperquote::run::run_sequential;
use hyperquote::wiring::{build_actors, instruments, MarketChoice};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn fills(seed: u64) -> (Vec<(Nanos, FillReport)>, String) {
    let mut config = paper();
    config.engine.seed = seed;
    let log = Arc::new(Mutex::new(Vec::new()));
    let actors = build_actors(&config, 42, &MarketChoice::Synthetic).unwrap();
    let actors = wrap_actor(actors, ActorId::Fill, |inner| recording_fills(inner, log.clone()));
    let summary = run_sequential(actors, 1024, &instruments(&config), Duration::from_secs(300));
    // The equity path was sampled every simulated second of the five minutes.
    let equity = summary.equity.expect("a simulated-clock run samples its equity");
    assert!((299..=301).contains(&equity.intervals), "{equity:?}");
    assert!(equity.max_drawdown_usd >= 0.0 && equity.sharpe_per_day.is_some_and(f64::is_finite), "{equity:?}");
    let pnl = serde_json::to_string(&(&summary.coins, equity)).unwrap();
    let fills = log.lock().unwrap().clone();
    (fills, pnl)
}

#[test]
fn same_seed_same_fills_different_seed_different_fills() {
    let (a, pnl_a) = fills(7);
    let (b, pnl_b) = fills(7);
    assert!(a.len() > 50, "five simulated minutes should fill often, got {}", a.len());
    assert_eq!(a, b, "fills differ between two runs with one seed");
    assert_eq!(pnl_a, pnl_b);
    let (c, _) = fills(8);
    assert_ne!(a, c, "a different seed produced the same fills");
}
