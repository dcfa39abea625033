//! Prints percentiles side by side: one cross-thread hop per wait strategy, and book-in →
//! order-out for every thread layout (and, inline, book-in → signed action) with the ratio of
//! each median to the inline lower bound.
//!
//! `cargo run -p perf --release --bin latency_harness -- [ROUND_TRIPS]`

use actors::runtime::WaitStrategy;
use perf::{Inline, Layout, Pipeline, Threaded};
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn percentiles(mut samples: Vec<Duration>) -> [f64; 5] {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize].as_nanos() as f64 / 1000.0;
    [at(0.5), at(0.9), at(0.99), at(0.999), at(1.0)]
}

fn measure(pipeline: &mut dyn Pipeline, n: usize) -> Vec<Duration> {
    (0..n).map(|_| pipeline.round_trip()).collect()
}

fn hops(n: usize) {
    println!("one cross-thread hop to an idle receiver, {n} messages\n");
    println!("{:<28} {:>9} {:>9} {:>9} {:>9} {:>10}", "wait strategy (µs)", "p50", "p90", "p99", "p99.9", "max");
    for wait in [WaitStrategy::Spin, WaitStrategy::Yield, WaitStrategy::Park] {
        let mut samples = Vec::with_capacity(n);
        perf::hop::one_way(n as u64, wait, |d| samples.push(d));
        let p = percentiles(samples);
        println!(
            "{:<28} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>10.1}",
            format!("{wait:?}").to_lowercase(),
            p[0],
            p[1],
            p[2],
            p[3],
            p[4]
        );
    }
    println!();
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let cores = std::thread::available_parallelism().map_or(0, |c| c.get());
    hops(n);
    println!("book update in → order action out, {n} round trips per layout, {cores} cores\n");
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>9} {:>10} {:>12}",
        "layout (µs)", "p50", "p90", "p99", "p99.9", "max", "p50/inline"
    );
    let inline = percentiles(measure(&mut Inline::new(), n));
    let row = |name: &str, p: [f64; 5]| {
        println!(
            "{name:<28} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>10.1} {:>11.1}x",
            p[0],
            p[1],
            p[2],
            p[3],
            p[4],
            p[0] / inline[0]
        );
    };
    row("inline (lower bound)", inline);
    // The same, with the venue signing each batch as the live venue will (k256, one signature
    // per Hyperliquid action): book in → signed action out.
    row("inline + signing", percentiles(measure(&mut Inline::signing(), n)));
    // The same without batchModify: moved levels cancelled and placed (one more signature).
    row("inline + signing, no modify", percentiles(measure(&mut Inline::signing_without_modify(), n)));
    let layouts = [
        Layout::HotPathGrouped,
        Layout::ThreadPerActor(WaitStrategy::Spin),
        Layout::ThreadPerActor(WaitStrategy::Yield),
        Layout::ThreadPerActor(WaitStrategy::Park),
    ];
    for layout in layouts {
        // Spinning threads outnumbering cores slow everything down: fewer round trips there.
        let rounds = if matches!(layout, Layout::ThreadPerActor(WaitStrategy::Spin)) && cores < 8 { n / 20 } else { n };
        match Threaded::start(layout) {
            Ok(mut p) => row(&layout.name(), percentiles(measure(&mut p, rounds.max(100)))),
            Err(e) => eprintln!("{}: {e}", layout.name()),
        }
    }
}
