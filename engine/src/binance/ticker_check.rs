//! Sequence-aligned check of the diff-built top of book against `bookTicker`.
//!
//! Binance pushes a `bookTicker` for every change of the top (price or size), in real time,
//! stamped with the update id `u` it results from — the diffs' id space. So the true top
//! right after the diff ending at `u_k` is the newest ticker with id `≤ u_k`, and our book's
//! top there must equal it exactly. The 2024-08-08 recordings confirm it: aligned this way,
//! the diff-built top equals the ticker's on every diff once the book holds the touch.
//!
//! Ticker frames for ids inside a diff's window often arrive *after* that diff (the diff
//! stream is batched, the ticker is not): comparing against "the latest ticker received"
//! disagrees ~2–4 % of the time for that reason alone. So a top recorded at `u_k` waits in a
//! small queue until a ticker with id `> u_k` has been seen — tickers arrive in id order, so
//! no older one can still come — and is then compared with the newest ticker `≤ u_k`, kept in
//! a short history. Fixed-size arrays throughout: no allocation.

use super::events::PriceLevel;
use arrayvec::ArrayVec;

/// Tickers remembered (≈10 arrive between two 50 ms diffs in the recordings; bursts more).
const HISTORY: usize = 64;
/// Book tops waiting for a newer ticker (one per diff; a quiet top sends no tickers).
pub(super) const PENDING: usize = 16;

/// The best level of each side, as a book or a ticker shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Top {
    pub bid: Option<PriceLevel>,
    pub ask: Option<PriceLevel>,
}

#[derive(Debug, Clone, Copy)]
struct Stamped {
    update_id: u64,
    top: Top,
}

/// Results of the checks that became decidable, oldest first (`true` = tops equal), and how
/// many could not be decided (their ticker had already left the history, or none came before).
#[derive(Debug, Default)]
pub(super) struct Verdicts {
    pub agreed: ArrayVec<bool, { PENDING + 1 }>,
    pub undecidable: u64,
}

#[derive(Debug, Clone)]
pub(super) struct TickerCheck {
    /// Ring of the newest tickers, ids increasing; `head` is the next slot to write.
    history: [Option<Stamped>; HISTORY],
    head: usize,
    /// Book tops by update id, increasing, not yet decidable.
    pending: ArrayVec<Stamped, PENDING>,
}

impl Default for TickerCheck {
    fn default() -> Self {
        Self { history: [None; HISTORY], head: 0, pending: ArrayVec::new() }
    }
}

impl TickerCheck {
    fn newest_ticker(&self) -> Option<Stamped> {
        self.history[(self.head + HISTORY - 1) % HISTORY]
    }

    /// Newest remembered ticker with id `≤ update_id`, if the history reaches back that far.
    fn ticker_at(&self, update_id: u64) -> Option<Stamped> {
        (1..=HISTORY).map(|back| self.history[(self.head + HISTORY - back) % HISTORY]).find_map(|t| match t {
            Some(t) if t.update_id <= update_id => Some(Some(t)),
            Some(_) => None,
            None => Some(None),
        })?
    }

    fn decide(&self, book: Stamped, out: &mut Verdicts) {
        match self.ticker_at(book.update_id) {
            Some(t) => {
                // `agreed` has room for every pending top plus the one being recorded.
                let _ = out.agreed.try_push(t.top == book.top);
            }
            None => out.undecidable += 1,
        }
    }

    /// Records a ticker; decides the book tops it shows to be settled. A ticker not newer
    /// than the last one is ignored (returns `false`).
    pub fn record_ticker(&mut self, update_id: u64, top: Top) -> (bool, Verdicts) {
        let mut out = Verdicts::default();
        if self.newest_ticker().is_some_and(|t| t.update_id >= update_id) {
            return (false, out);
        }
        self.history[self.head] = Some(Stamped { update_id, top });
        self.head = (self.head + 1) % HISTORY;
        let settled = self.pending.iter().take_while(|b| b.update_id < update_id).count();
        for i in 0..settled {
            self.decide(self.pending[i], &mut out);
        }
        self.pending.drain(..settled);
        (true, out)
    }

    /// Records the book's top right after the diff ending at `update_id`; decides it at once
    /// if a newer ticker was already seen, else queues it.
    pub fn record_book(&mut self, update_id: u64, top: Top) -> Verdicts {
        let mut out = Verdicts::default();
        let book = Stamped { update_id, top };
        if self.newest_ticker().is_some_and(|t| t.update_id > update_id) {
            self.decide(book, &mut out);
        } else {
            if self.pending.is_full() {
                self.pending.remove(0);
                out.undecidable += 1;
            }
            self.pending.push(book);
        }
        out
    }

    /// Forgets queued book tops (the book they describe was dropped).
    pub fn clear_pending(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Price, Qty};

    fn top(bid: i64, ask: i64) -> Top {
        Top {
            bid: Some(PriceLevel { px: Price(bid), qty: Qty(1) }),
            ask: Some(PriceLevel { px: Price(ask), qty: Qty(1) }),
        }
    }

    #[test]
    fn compares_with_the_newest_ticker_not_after_the_book() {
        let mut c = TickerCheck::default();
        assert!(c.record_ticker(10, top(1, 2)).0);
        // Book at id 15: only ticker 10 seen so far; a ticker ≤ 15 may still come → queued.
        assert!(c.record_book(15, top(3, 4)).agreed.is_empty());
        // Ticker 14 (the late one for the diff's window) arrives, then 20 settles id 15.
        assert!(c.record_ticker(14, top(3, 4)).1.agreed.is_empty());
        let (_, v) = c.record_ticker(20, top(5, 6));
        assert_eq!(v.agreed.as_slice(), &[true]);
        // Book at id 18 after ticker 20 is known: decided at once against ticker 14.
        assert_eq!(c.record_book(18, top(3, 5)).agreed.as_slice(), &[false]);
        // Older or repeated tickers are ignored.
        assert!(!c.record_ticker(20, top(0, 9)).0);
        // A book older than the whole history cannot be decided.
        let mut fresh = TickerCheck::default();
        fresh.record_ticker(100, top(1, 2));
        assert_eq!(fresh.record_book(50, top(1, 2)).undecidable, 1);
    }

    #[test]
    fn pending_queue_is_bounded() {
        let mut c = TickerCheck::default();
        c.record_ticker(1, top(1, 2));
        let mut undecidable = 0;
        for u in 2..2 + PENDING as u64 + 3 {
            undecidable += c.record_book(u, top(1, 2)).undecidable;
        }
        assert_eq!(undecidable, 3);
        let (_, v) = c.record_ticker(1000, top(1, 2));
        assert_eq!(v.agreed.len(), PENDING);
        assert!(v.agreed.iter().all(|&a| a));
    }
}
