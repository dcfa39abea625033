//! One message hop (see `perf::hop`), and for comparison an in-thread FIFO queue: how
//! actors sharing a thread talk. Percentiles: the `latency_harness` binary.

use actors::runtime::WaitStrategy;
use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::VecDeque;
use std::hint::black_box;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn total(iters: u64, wait: WaitStrategy) -> Duration {
    let mut sum = Duration::ZERO;
    perf::hop::one_way(iters, wait, |d| sum += d);
    sum
}

fn hop(c: &mut Criterion) {
    let mut g = c.benchmark_group("hop");
    g.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    for wait in [WaitStrategy::Spin, WaitStrategy::Yield, WaitStrategy::Park] {
        g.bench_function(format!("cross-thread/{wait:?}").to_lowercase(), |b| b.iter_custom(|n| total(n, wait)));
    }
    g.bench_function("in-thread-queue", |b| {
        let mut q: VecDeque<[u64; 16]> = VecDeque::with_capacity(1024);
        b.iter(|| {
            q.push_back(black_box([7; 16]));
            black_box(q.pop_front())
        })
    });
    g.finish();
}

criterion_group!(benches, hop);
criterion_main!(benches);
