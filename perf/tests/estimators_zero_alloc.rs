//! The estimator set allocates nothing in steady state: `CoinEstimators` (what EstimatorActor
//! runs per event, `on_time` before every event) over the recorded Binance BTCUSDT day, one
//! warm-up pass, then a second pass and a `params(now)` per event counted by a counting global
//! allocator. Single test per binary: the allocator counts every thread.

use perf::counting_alloc::{allocations, Counting};
use perf::estimators::{default_set, params_pass, Recording, Replayer};

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn estimator_set_allocates_nothing_after_warm_up() {
    let recording = Recording::binance_btcusdt();
    let times = recording.times();
    let mut replayer = Replayer::new(default_set(), &recording);
    replayer.pass(&recording.events);
    let params_offset = replayer.next_pass_start();

    let before = allocations();
    replayer.pass(&recording.events);
    params_pass(replayer.path(), &times, params_offset);
    let allocated = allocations() - before;

    let accepted = replayer.path().params(params_offset).expect("books were accepted");
    assert!(accepted.volatility.is_warm, "the set must be warm after a pass");
    assert_eq!(
        allocated,
        0,
        "{allocated} allocations over {} events ({} books, {} BBO updates, {} trades) and as many params()",
        recording.len(),
        recording.books,
        recording.bbos,
        recording.trades
    );
}
