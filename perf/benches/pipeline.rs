//! The whole pipeline, book update in → order action out, through the real actors: inline
//! on one thread (the lower bound), the hot path grouped on one spinning thread, and one
//! thread per actor with each wait strategy. Percentiles: `latency_harness`.

use actors::runtime::WaitStrategy;
use criterion::{criterion_group, criterion_main, Criterion};
use perf::{Inline, Layout, Pipeline, Threaded};
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn total(pipeline: &mut dyn Pipeline, iters: u64) -> Duration {
    (0..iters).map(|_| pipeline.round_trip()).sum()
}

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    let mut inline = Inline::new();
    g.bench_function("inline", |b| b.iter_custom(|n| total(&mut inline, n)));
    for layout in [
        Layout::HotPathGrouped,
        Layout::ThreadPerActor(WaitStrategy::Spin),
        Layout::ThreadPerActor(WaitStrategy::Yield),
        Layout::ThreadPerActor(WaitStrategy::Park),
    ] {
        let Ok(mut threaded) = Threaded::start(layout) else { continue };
        g.bench_function(layout.name(), |b| b.iter_custom(|n| total(&mut threaded, n)));
    }
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
