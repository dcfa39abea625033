//! Steady-state parsing allocates nothing: a counting global allocator (this test binary
//! only; counts per thread, so parallel tests do not disturb it) watches the parser work
//! through every frame of the BTC capture and one frame of every other channel, after one
//! warm-up pass has sized its buffers (ARCHITECTURE.md, runtime rule 4).

use super::test_frames::{capture, ONE_PER_CHANNEL};
use super::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct CountingAlloc;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the allocator may run while this thread's locals are being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting touches only a
// const-initialised thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Frames of the other channels, then two the parser refuses (a bad number, a cut-off frame).
fn other_frames() -> Vec<Vec<u8>> {
    let refused = [
        r#"{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[{"px":"1e5","sz":"1","n":1}],[]]}}"#,
        r#"{"channel":"trades","data":[{"coin":"BTC","side":"B","px":"1","sz"#,
    ];
    ONE_PER_CHANNEL.iter().chain(&refused).map(|f| f.as_bytes().to_vec()).collect()
}

fn parse_all(parser: &mut Parser, frames: &[Vec<u8>]) -> usize {
    frames.iter().filter(|f| parser.parse(f).is_ok()).count()
}

#[test]
fn steady_state_parsing_does_not_allocate() {
    let capture: Vec<Vec<u8>> = capture().iter().map(|f| f.as_bytes().to_vec()).collect();
    let others = other_frames();
    let mut parser = Parser::new(CoinTable::new(["BTC", "ETH"]).unwrap());
    // Warm-up: buffers grow to the largest frame of each kind (and the counter sees it).
    let before = allocations();
    assert_eq!(parse_all(&mut parser, &capture), capture.len());
    assert_eq!(parse_all(&mut parser, &others), others.len() - 2);
    assert!(allocations() > before, "the first frames size the buffers");

    let before = allocations();
    for _ in 0..3 {
        assert_eq!(parse_all(&mut parser, &capture), capture.len());
    }
    let capture_allocations = allocations() - before;

    let before = allocations();
    for _ in 0..3 {
        assert_eq!(parse_all(&mut parser, &others), others.len() - 2);
    }
    let other_allocations = allocations() - before;

    assert_eq!(capture_allocations, 0, "l2Book/trades: allocations over {} frames", 3 * capture.len());
    assert_eq!(other_allocations, 0, "other channels and refused frames");
}

#[test]
fn the_counter_sees_allocations() {
    let before = allocations();
    let v: Vec<u64> = std::hint::black_box(vec![1, 2, 3]);
    assert!(allocations() > before && v.len() == 3);
}
