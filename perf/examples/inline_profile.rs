//! Profiling target: the inline pipeline alone, e.g.
//! `valgrind --tool=callgrind target/release/examples/inline_profile` (see perf/BENCHMARKS.md).

use perf::{Inline, Pipeline};
fn main() {
    let mut p = Inline::new();
    for _ in 0..3000 {
        p.round_trip();
    }
}
