//! Percentiles of single signing calls (criterion, `benches/signing.rs`, reports means): each
//! end-to-end path of `benches/signing/paths.rs` (engine actions → signature), 1 and 10
//! orders, `CALLS` single calls each timed with `Instant` after 1,000 warm-up calls, the
//! paths taking turns call by call:
//!
//! `cargo run -p perf --release --example signing_latency [-- CALLS]` (default 10,000)
//!
//! For instruction counts, `--profile PATH ORDERS CALLS` runs just that path inside
//! `measured` (no warm-up, no timing):
//!
//! `valgrind --tool=callgrind --dump-instr=no --collect-atstart=no
//! --toggle-collect=signing_latency::measured target/release/examples/signing_latency
//! --profile ours 1 1000` → `totals` ÷ CALLS is Ir per call.

#[path = "../benches/signing/paths.rs"]
mod paths;

use paths::{assert_paths_agree, call, fixture, percentiles, PATHS};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The profiled calls; everything outside it is left out of the profile.
#[inline(never)]
fn measured(calls: usize, run: &mut dyn FnMut()) {
    for _ in 0..calls {
        run();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let f = fixture();
    assert_paths_agree(&f);
    if let [flag, path, orders, calls] = args.as_slice() {
        assert_eq!(flag, "--profile", "usage: signing_latency [CALLS] | --profile PATH 1|10 CALLS");
        let ten = orders == "10";
        measured(calls.parse().expect("CALLS"), &mut || call(&f, path, ten));
        return;
    }
    let calls: usize = args.first().map_or(10_000, |n| n.parse().expect("CALLS: a number"));
    println!("single-call latency, {calls} calls a row (the rows' calls interleaved), µs");
    println!("| path | orders | p50 | p90 | p99 | p99.9 | max |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let rows: Vec<(&str, bool)> = [false, true].into_iter().flat_map(|ten| PATHS.map(|path| (path, ten))).collect();
    let f = &f;
    let mut calls_of: Vec<_> = rows.iter().map(|&(path, ten)| move || call(f, path, ten)).collect();
    let mut runs: Vec<&mut dyn FnMut()> = calls_of.iter_mut().map(|c| c as &mut dyn FnMut()).collect();
    for ((path, ten), [p50, p90, p99, p999, max]) in rows.iter().zip(percentiles(calls, &mut runs)) {
        let orders = if *ten { 10 } else { 1 };
        println!("| {path} | {orders} | {p50:.1} | {p90:.1} | {p99:.1} | {p999:.1} | {max:.1} |");
    }
}
