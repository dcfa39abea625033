//! Profiling target: every estimator path of `perf::estimators::paths` (and `params(now)`
//! alone) over the Binance BTCUSDT recording (the Hyperliquid capture with `--hyperliquid`),
//! each warmed by one pass and then measured over `MEASURED_PASSES` passes inside `measured`,
//! for instruction counts per event (see perf/BENCHMARKS.md, "Estimator set cost"):
//!
//! `valgrind --tool=callgrind --dump-instr=no --collect-atstart=no
//! --toggle-collect=estimators_profile::measured --dump-after=estimators_profile::measured
//! target/release/examples/estimators_profile [--hyperliquid] [NAME…]`
//!
//! writes one profile per path (`callgrind.out.PID.N`, N in the printed order), holding only
//! that path's measured passes: its `totals` ÷ (passes × events) is the path's Ir per event.

use perf::estimators::paths::{for_each_path, PathVisitor};
use perf::estimators::{default_set, params_pass, EstimatorPath, Recording, Replayer};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MEASURED_PASSES: u32 = 2;

/// The measured passes; everything outside it is left out of the profile.
#[inline(never)]
fn measured(run: &mut dyn FnMut()) {
    for _ in 0..MEASURED_PASSES {
        run();
    }
}

struct Profile<'a> {
    recording: &'a Recording,
    only: &'a [String],
}

impl Profile<'_> {
    fn wanted(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|n| n == name)
    }

    fn report(&self, name: &str, started: Instant) {
        let events = self.recording.len() as f64 * f64::from(MEASURED_PASSES);
        println!(
            "{name}: {:.1} ns/event wall clock (not under valgrind)",
            started.elapsed().as_nanos() as f64 / events
        );
    }
}

impl PathVisitor for Profile<'_> {
    fn visit<P: EstimatorPath>(&mut self, name: &str, role: &str, path: P) {
        if !self.wanted(name) {
            return;
        }
        let events = &self.recording.events;
        let mut replayer = Replayer::new(path, self.recording);
        replayer.pass(events);
        let started = Instant::now();
        measured(&mut || replayer.pass(events));
        self.report(name, started);
        println!("  {role}");
        if replayer.refused_books() > 0 {
            println!("  (the keeper refused {} books and BBO updates over all passes)", replayer.refused_books());
        }
    }
}

fn main() {
    let mut only: Vec<String> = std::env::args().skip(1).collect();
    let hyperliquid = only.iter().any(|a| a == "--hyperliquid");
    only.retain(|a| a != "--hyperliquid");
    let recording = if hyperliquid { Recording::hyperliquid_btc() } else { Recording::binance_btcusdt() };
    println!(
        "{} events ({} books, {} BBO updates, {} trades over {:.1} s) × {MEASURED_PASSES} measured passes",
        recording.len(),
        recording.books,
        recording.bbos,
        recording.trades,
        recording.span.as_secs_f64()
    );
    let mut profile = Profile { recording: &recording, only: &only };
    for_each_path(&mut profile);
    if profile.wanted("params_only") {
        let mut replayer = Replayer::new(default_set(), &recording);
        replayer.pass(&recording.events);
        let (times, offset) = (recording.times(), replayer.next_pass_start());
        let started = Instant::now();
        measured(&mut || params_pass(replayer.path(), &times, offset));
        profile.report("params_only", started);
    }
}
