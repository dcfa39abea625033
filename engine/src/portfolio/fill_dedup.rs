//! Recognising a fill seen before, by its venue trade id, in a bounded window per coin.
//!
//! Hyperliquid may deliver one fill more than once: live on `userFills`/`user` and again in
//! the `userFills` snapshot after a reconnect, or twice around a reconnect, and not always in
//! time order. A [`TradeIdWindow`] holds the last `capacity` distinct trade ids of one coin
//! (the caller keeps one window per coin, so the key is (coin, tid)) in a ring allocated once
//! at construction; admitting a fill never allocates. Lookup is a linear scan of the ring
//! (2 048 ids are 16 KiB, a few hundred nanoseconds, on the fill path, never the quote path).
//!
//! **The bound.** A duplicate is recognised as long as fewer than `capacity` distinct fills of
//! that coin were admitted between the original and the duplicate, whatever their order. The
//! Hyperliquid `userFills` snapshot holds at most the account's 2 000 most recent fills, so
//! the default [`DEFAULT_TID_WINDOW`] of 2 048 per coin covers a whole snapshot. Beyond the
//! window a duplicate is no longer recognised and would be admitted again; to make that
//! visible, every *new* id whose exchange time is not later than the newest time ever evicted
//! from the window is counted in [`DedupStats::beyond_window`]: such a fill may be an
//! unrecognisable duplicate (or a genuinely new fill arriving very late), and the
//! position reconciliation against the venue is what settles it.

use crate::types::UnixNanos;
use serde::Serialize;

/// Trade ids remembered per coin by default (covers a full 2 000-fill `userFills` snapshot).
pub const DEFAULT_TID_WINDOW: usize = 2_048;

/// What a window made of an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Not seen in the window: recorded now.
    New,
    /// Already in the window: the caller must change nothing.
    Duplicate,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DedupStats {
    pub admitted: u64,
    pub duplicates: u64,
    /// New ids no later than an id already evicted: possibly duplicates the window could not
    /// recognise any more (see the module doc).
    pub beyond_window: u64,
}

/// The last `capacity` distinct trade ids of one coin, with their exchange times.
#[derive(Debug, Clone)]
pub struct TradeIdWindow {
    tids: Box<[u64]>,
    times: Box<[UnixNanos]>,
    len: usize,
    /// Slot the next id goes to (the oldest once full).
    next: usize,
    newest_evicted: Option<UnixNanos>,
    stats: DedupStats,
}

impl TradeIdWindow {
    /// # Panics
    /// If `capacity` is zero.
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "a trade-id window needs room for one id");
        Self {
            tids: vec![0; capacity].into_boxed_slice(),
            times: vec![UnixNanos(0); capacity].into_boxed_slice(),
            len: 0,
            next: 0,
            newest_evicted: None,
            stats: DedupStats::default(),
        }
    }

    pub fn capacity(&self) -> usize {
        self.tids.len()
    }

    pub fn contains(&self, tid: u64) -> bool {
        self.tids[..self.len].contains(&tid)
    }

    /// Records `tid` unless it is in the window already.
    pub fn admit(&mut self, tid: u64, exchange_time: UnixNanos) -> Admission {
        if self.contains(tid) {
            self.stats.duplicates += 1;
            return Admission::Duplicate;
        }
        if self.newest_evicted.is_some_and(|t| exchange_time <= t) {
            self.stats.beyond_window += 1;
        }
        if self.len == self.tids.len() {
            let evicted = self.times[self.next];
            self.newest_evicted = Some(self.newest_evicted.map_or(evicted, |t| t.max(evicted)));
        } else {
            self.len += 1;
        }
        self.tids[self.next] = tid;
        self.times[self.next] = exchange_time;
        self.next = (self.next + 1) % self.tids.len();
        self.stats.admitted += 1;
        Admission::New
    }

    pub fn stats(&self) -> DedupStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_in_any_order_are_recognised_within_the_window() {
        let mut w = TradeIdWindow::new(4);
        for tid in [30, 10, 20] {
            assert_eq!(w.admit(tid, UnixNanos(tid)), Admission::New);
        }
        for tid in [10, 30, 20, 10] {
            assert_eq!(w.admit(tid, UnixNanos(tid)), Admission::Duplicate);
        }
        assert_eq!(w.stats(), DedupStats { admitted: 3, duplicates: 4, beyond_window: 0 });
    }

    #[test]
    fn past_the_bound_an_old_id_is_forgotten_and_flagged() {
        let mut w = TradeIdWindow::new(2);
        w.admit(1, UnixNanos(100));
        w.admit(2, UnixNanos(200));
        w.admit(3, UnixNanos(300)); // evicts tid 1 (t = 100)
        assert!(!w.contains(1) && w.contains(2) && w.contains(3));
        // tid 1 again: not recognisable any more, admitted, but flagged as beyond the window.
        assert_eq!(w.admit(1, UnixNanos(100)), Admission::New);
        assert_eq!(w.stats().beyond_window, 1);
        // A genuinely later fill is not flagged.
        assert_eq!(w.admit(4, UnixNanos(400)), Admission::New);
        assert_eq!(w.stats(), DedupStats { admitted: 5, duplicates: 0, beyond_window: 1 });
    }
}
