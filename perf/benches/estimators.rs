//! Cost per event of the estimator set on real market data: 345 s of recorded Binance USD-M
//! BTCUSDT (`usdm_btcusdt_20240808.gz`: 6,546 depth-diff books, 64,953 book-ticker BBO
//! updates, 21,313 trades) and 25 s of Hyperliquid BTC (`hyperliquid_btcusd_20250126.gz`: 46
//! `l2Book` snapshots, 34 trades), replayed once into memory and then driven, pass after pass, through
//! a `BookKeeper` into each path of `perf::estimators::paths`, side by side:
//!
//! - `full_set`: `CoinEstimators`, what EstimatorActor runs per event (`on_time` before every
//!   event, as `hyperquote estimate`; `full_set_actor_tick` calls it on the actor's 1 s tick);
//! - `baseline_mid_vol`: what it replaced, the mid-return EWMA σ (`MidVolEstimator`) on books;
//! - the book-side and trade-side parts and their estimators one by one;
//! - `keeper_only`: the keeper and the loop, paid by every row (subtract it for the estimators);
//! - `params_only`: `CoinEstimators::params(now)` alone on a warm set (`on_book` calls it too).
//!
//! One iteration is one pass over every event of the recording (throughput in events). The
//! estimators are built and warmed by one pass before timing and are never rebuilt, and time
//! runs forward across passes (`perf::estimators`): what is measured is the steady state of a
//! long session, not construction or warm-up.

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode, Throughput};
use perf::estimators::paths::{for_each_path, PathVisitor};
use perf::estimators::{default_set, params_pass, EstimatorPath, Recording, Replayer};
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Adds each path of the list to the group (all, or the named ones).
struct Bench<'g, 'r> {
    group: BenchmarkGroup<'g, WallTime>,
    recording: &'r Recording,
    only: Option<&'static [&'static str]>,
}

impl PathVisitor for Bench<'_, '_> {
    fn visit<P: EstimatorPath>(&mut self, name: &str, _role: &str, path: P) {
        if self.only.is_some_and(|only| !only.contains(&name)) {
            return;
        }
        let events = &self.recording.events;
        let mut replayer = Replayer::new(path, self.recording);
        replayer.pass(events);
        self.group.bench_function(name, |b| b.iter(|| replayer.pass(events)));
    }
}

impl Bench<'_, '_> {
    fn params_only(&mut self) {
        let mut replayer = Replayer::new(default_set(), self.recording);
        replayer.pass(&self.recording.events);
        let (times, offset) = (self.recording.times(), replayer.next_pass_start());
        self.group.bench_function("params_only", |b| b.iter(|| params_pass(replayer.path(), &times, offset)));
    }
}

fn binance(c: &mut Criterion) {
    let recording = Recording::binance_btcusdt();
    assert_eq!(
        (recording.books, recording.bbos, recording.trades),
        (6_546, 64_953, 21_313),
        "the recording or its replay changed: update BENCHMARKS.md"
    );
    let mut group = c.benchmark_group("estimators/binance_btcusdt");
    // A pass is 10–80 ms: flat sampling, few samples.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(recording.len() as u64));
    let mut bench = Bench { group, recording: &recording, only: None };
    for_each_path(&mut bench);
    bench.params_only();
    bench.group.finish();
}

fn hyperliquid(c: &mut Criterion) {
    let recording = Recording::hyperliquid_btc();
    assert_eq!(
        (recording.books, recording.bbos, recording.trades),
        (46, 0, 34),
        "the capture or its replay changed: update BENCHMARKS.md"
    );
    let mut group = c.benchmark_group("estimators/hyperliquid_btc");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(recording.len() as u64));
    let only: &[&str] = &["keeper_only", "baseline_mid_vol", "full_set", "book_side", "trade_side"];
    let mut bench = Bench { group, recording: &recording, only: Some(only) };
    for_each_path(&mut bench);
    bench.params_only();
    bench.group.finish();
}

criterion_group!(benches, binance, hyperliquid);
criterion_main!(benches);
