//! One ring of timestamped events shared by several rolling time windows, each with its own
//! running sums: "Σ over the last 1 s, 5 s and 30 s" at O(windows) amortised per event.
//!
//! Why one ring, not one per window: every window sees the same events, so the events are
//! stored once, in a preallocated ring (absolute sequence numbers, slot = seq mod capacity),
//! and each window keeps only its sums and the sequence number of its oldest event (its tail).
//! An event enters every window once and leaves each window once, when `now − t ≥ length`.
//! The ring only needs to hold the longest window's events: when it is full, the oldest live
//! event is dropped from every window still holding it and [`WindowedRing::push`] says so, for
//! the owner to count (a non-zero count says the windows were truncated).
//!
//! The sums are the owner's ([`WindowSums`]); exact integer sums make add-then-remove leave no
//! drift. Nothing allocates after `new`. Trade flow and OFI both use it.

use crate::types::Nanos;
use arrayvec::ArrayVec;

/// Running sums a window keeps over the events it holds.
pub(super) trait WindowSums<E>: Copy + Default {
    fn add(&mut self, event: &E);
    fn remove(&mut self, event: &E);
}

#[derive(Debug, Clone, Copy)]
struct Window<S> {
    length: Nanos,
    /// Sequence number of the oldest event inside the window (= head when empty).
    tail: u64,
    sums: S,
}

/// What one window holds now.
#[derive(Debug, Clone, Copy)]
pub(super) struct WindowState<S> {
    pub length: Nanos,
    pub events: u64,
    pub sums: S,
}

/// Events `E` in time order, summed into up to `W` windows of sums `S`.
#[derive(Debug, Clone)]
pub(super) struct WindowedRing<E, S, const W: usize> {
    /// Grows to `capacity` on the first pushes (no reallocation: reserved in `new`), then wraps.
    ring: Vec<(Nanos, E)>,
    capacity: usize,
    windows: ArrayVec<Window<S>, W>,
    /// Sequence number the next event gets.
    head: u64,
}

impl<E: Copy, S: WindowSums<E>, const W: usize> WindowedRing<E, S, W> {
    /// A ring of `capacity` (≥ 1) events and one window per length in seconds (at most `W`;
    /// the owner's config validation guarantees both).
    pub(super) fn new(capacity: usize, lengths_s: &[f64]) -> Self {
        assert!(capacity >= 1, "a windowed ring needs at least one slot");
        let window = |&length_s: &f64| Window { length: Nanos::from_secs_f64(length_s), tail: 0, sums: S::default() };
        let windows = lengths_s.iter().map(window).collect();
        Self { ring: Vec::with_capacity(capacity), capacity, windows, head: 0 }
    }

    fn slot(&self, seq: u64) -> usize {
        (seq % self.capacity as u64) as usize
    }

    /// Drops from each window the events that have left it by `now` (`now − t ≥ length`).
    /// Callers pass non-decreasing times.
    pub(super) fn evict_expired(&mut self, now: Nanos) {
        let cap = self.capacity as u64;
        for window in &mut self.windows {
            while window.tail < self.head {
                let (time, event) = &self.ring[(window.tail % cap) as usize];
                if now.saturating_sub(*time) < window.length {
                    break;
                }
                window.sums.remove(event);
                window.tail += 1;
            }
        }
    }

    /// Adds `event` at `time` (≥ every earlier event's) to every window. Returns `true` when the
    /// ring was full and its oldest live event was dropped from the windows still holding it.
    pub(super) fn push(&mut self, time: Nanos, event: E) -> bool {
        let cap = self.capacity as u64;
        // The oldest event any window still holds (every tail is ≥ it, ≤ head).
        let oldest_live = self.windows.iter().map(|w| w.tail).min().unwrap_or(self.head);
        let full = self.head - oldest_live == cap;
        if full {
            let (_, evicted) = self.ring[self.slot(oldest_live)];
            for window in self.windows.iter_mut().filter(|w| w.tail == oldest_live) {
                window.sums.remove(&evicted);
                window.tail += 1;
            }
        }
        let slot = self.slot(self.head);
        if slot == self.ring.len() {
            self.ring.push((time, event));
        } else {
            self.ring[slot] = (time, event);
        }
        self.head += 1;
        for window in &mut self.windows {
            window.sums.add(&event);
        }
        debug_assert!(self.head <= cap + self.windows.iter().map(|w| w.tail).min().unwrap_or(self.head));
        full
    }

    /// Number of windows (in the order given to `new`).
    pub(super) fn window_count(&self) -> usize {
        self.windows.len()
    }

    /// Window `index` (in the order given to `new`); `None` past the last.
    pub(super) fn window(&self, index: usize) -> Option<WindowState<S>> {
        let w = self.windows.get(index)?;
        Some(WindowState { length: w.length, events: self.head - w.tail, sums: w.sums })
    }

    /// The longest window's length (zero with no windows).
    pub(super) fn longest(&self) -> Nanos {
        self.windows.iter().map(|w| w.length).max().unwrap_or(Nanos::ZERO)
    }
}
