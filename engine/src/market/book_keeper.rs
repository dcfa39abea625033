//! The book FeedActor keeps for one coin, and the health of its feed.
//!
//! A snapshot replaces the book. A BBO update moves the top between snapshots: levels it
//! supersedes are removed (a new best bid at P removes every bid above P, and sets the size
//! at P), so the book stays sorted and within 20 levels. An update that would leave the book
//! crossed or empty is refused and the previous book kept: quoting against it would be
//! quoting against garbage. Within one subscription an update older than the last accepted
//! one is a late frame and refused; `resync` (a new subscription) lifts that. The feed is
//! *stale* when no accepted update arrived for `stale_after`; the keeper reports each
//! transition once (stale, then fresh again), which is what RiskActor uses to pull and
//! restore quotes.

use super::{Bbo, BookLevel, L2Book, MAX_BOOK_LEVELS};
use crate::types::{CoinId, Nanos, Side};

/// Why an update was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookReject {
    /// Best bid at or above best ask.
    Crossed,
    /// A side has no level.
    OneSided,
    /// Exchange time older than the book's: a late or replayed frame.
    OutOfOrder,
}

/// An edge of the feed's health, reported once per change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedHealthChange {
    Stale { since: Nanos },
    Fresh,
}

#[derive(Debug, Clone)]
pub struct BookKeeper {
    book: L2Book,
    /// Updates older than this are late frames of the current subscription and refused.
    min_exchange_time_ns: u64,
    last_update: Option<Nanos>,
    stale_after: Nanos,
    stale: bool,
}

impl BookKeeper {
    pub fn new(coin: CoinId, stale_after: Nanos) -> Self {
        Self { book: L2Book::empty(coin), min_exchange_time_ns: 0, last_update: None, stale_after, stale: false }
    }

    pub fn book(&self) -> &L2Book {
        &self.book
    }

    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// Replaces the book with `snapshot` unless it is unusable.
    pub fn apply_snapshot(&mut self, now: Nanos, snapshot: &L2Book) -> Result<Option<FeedHealthChange>, BookReject> {
        self.check_order(snapshot.exchange_time.0)?;
        check_usable(snapshot)?;
        self.book.clone_from(snapshot);
        self.min_exchange_time_ns = snapshot.exchange_time.0;
        Ok(self.touched(now))
    }

    /// Moves the top of the book to `bbo`, keeping it sorted; refuses a crossed result.
    pub fn apply_bbo(&mut self, now: Nanos, bbo: &Bbo) -> Result<Option<FeedHealthChange>, BookReject> {
        self.check_order(bbo.exchange_time.0)?;
        let mut next = self.book.clone();
        next.exchange_time = bbo.exchange_time;
        if let Some(level) = bbo.bid {
            set_top(&mut next, Side::Bid, level);
        }
        if let Some(level) = bbo.ask {
            set_top(&mut next, Side::Ask, level);
        }
        check_usable(&next)?;
        self.book = next;
        self.min_exchange_time_ns = bbo.exchange_time.0;
        Ok(self.touched(now))
    }

    /// A new subscription (after a reconnect): its first snapshot is authoritative whatever
    /// its time, so the ordering of the old stream no longer applies.
    pub fn resync(&mut self) {
        self.min_exchange_time_ns = 0;
    }

    fn check_order(&self, exchange_time_ns: u64) -> Result<(), BookReject> {
        if exchange_time_ns < self.min_exchange_time_ns {
            return Err(BookReject::OutOfOrder);
        }
        Ok(())
    }

    /// The next time the feed would turn stale, if it is fresh now.
    pub fn stale_deadline(&self) -> Option<Nanos> {
        match (self.stale, self.last_update) {
            (false, Some(t)) => Some(t + self.stale_after),
            _ => None,
        }
    }

    /// Reports the feed turning stale at `now`, once.
    pub fn check_stale(&mut self, now: Nanos) -> Option<FeedHealthChange> {
        let deadline = self.stale_deadline()?;
        if now < deadline {
            return None;
        }
        self.stale = true;
        self.last_update.map(|since| FeedHealthChange::Stale { since })
    }

    fn touched(&mut self, now: Nanos) -> Option<FeedHealthChange> {
        self.last_update = Some(now);
        if self.stale {
            self.stale = false;
            return Some(FeedHealthChange::Fresh);
        }
        None
    }
}

fn check_usable(book: &L2Book) -> Result<(), BookReject> {
    if book.bids.is_empty() || book.asks.is_empty() {
        return Err(BookReject::OneSided);
    }
    if book.is_crossed() {
        return Err(BookReject::Crossed);
    }
    Ok(())
}

/// Makes `level` the best level of `side`: better levels go, an equal price takes the new
/// size, otherwise it is inserted in front (dropping the deepest level if full).
fn set_top(book: &mut L2Book, side: Side, level: BookLevel) {
    let levels = match side {
        Side::Bid => &mut book.bids,
        Side::Ask => &mut book.asks,
    };
    let better = |px| match side {
        Side::Bid => px > level.px,
        Side::Ask => px < level.px,
    };
    let superseded = levels.iter().take_while(|l| better(l.px)).count();
    levels.drain(..superseded);
    match levels.first_mut() {
        Some(top) if top.px == level.px => *top = level,
        _ => {
            if levels.len() == MAX_BOOK_LEVELS {
                levels.pop();
            }
            levels.insert(0, level);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Price, Qty, UnixNanos};

    fn level(px: f64, sz: f64) -> BookLevel {
        BookLevel { px: Price::from_f64(px), sz: Qty::from_f64(sz), orders: 1 }
    }

    fn snapshot(t: u64, bids: &[f64], asks: &[f64]) -> L2Book {
        let mut b = L2Book::empty(CoinId(0));
        b.exchange_time = UnixNanos(t);
        b.bids.extend(bids.iter().map(|&p| level(p, 1.0)));
        b.asks.extend(asks.iter().map(|&p| level(p, 1.0)));
        b
    }

    fn bbo(t: u64, bid: Option<(f64, f64)>, ask: Option<(f64, f64)>) -> Bbo {
        Bbo {
            coin: CoinId(0),
            exchange_time: UnixNanos(t),
            bid: bid.map(|(p, s)| level(p, s)),
            ask: ask.map(|(p, s)| level(p, s)),
        }
    }

    fn prices(levels: &[BookLevel]) -> Vec<f64> {
        levels.iter().map(|l| l.px.to_f64()).collect()
    }

    #[test]
    fn snapshot_replaces_and_bbo_moves_the_top() {
        let mut k = BookKeeper::new(CoinId(0), Nanos::from_millis(1000));
        k.apply_snapshot(Nanos(1), &snapshot(10, &[100.0, 99.0, 98.0], &[101.0, 102.0])).unwrap();
        // Bid improves to 100.5: inserted in front.
        k.apply_bbo(Nanos(2), &bbo(11, Some((100.5, 2.0)), None)).unwrap();
        assert_eq!(prices(&k.book().bids), vec![100.5, 100.0, 99.0, 98.0]);
        // Bid falls to 99: levels above go, the size at 99 is replaced.
        k.apply_bbo(Nanos(3), &bbo(12, Some((99.0, 5.0)), Some((101.0, 3.0)))).unwrap();
        assert_eq!(prices(&k.book().bids), vec![99.0, 98.0]);
        assert_eq!(k.book().bids[0].sz, Qty::from_f64(5.0));
        assert_eq!(k.book().asks[0].sz, Qty::from_f64(3.0));
        k.apply_snapshot(Nanos(4), &snapshot(13, &[97.0], &[98.0])).unwrap();
        assert_eq!(prices(&k.book().bids), vec![97.0]);
    }

    #[test]
    fn crossed_one_sided_and_late_updates_are_refused_and_the_book_kept() {
        let mut k = BookKeeper::new(CoinId(0), Nanos::from_millis(1000));
        k.apply_snapshot(Nanos(1), &snapshot(10, &[100.0], &[101.0])).unwrap();
        assert_eq!(k.apply_snapshot(Nanos(2), &snapshot(11, &[102.0], &[101.0])), Err(BookReject::Crossed));
        assert_eq!(k.apply_snapshot(Nanos(2), &snapshot(11, &[], &[101.0])), Err(BookReject::OneSided));
        assert_eq!(k.apply_bbo(Nanos(2), &bbo(11, Some((101.5, 1.0)), None)), Err(BookReject::Crossed));
        assert_eq!(k.apply_snapshot(Nanos(2), &snapshot(9, &[100.0], &[101.0])), Err(BookReject::OutOfOrder));
        assert_eq!(prices(&k.book().bids), vec![100.0]);
        assert!(!k.book().is_crossed());
        // After a resubscription the new stream's first snapshot is taken, whatever its time.
        k.resync();
        k.apply_snapshot(Nanos(3), &snapshot(9, &[99.0], &[100.0])).unwrap();
        assert_eq!(prices(&k.book().bids), vec![99.0]);
    }

    #[test]
    fn a_full_side_drops_its_deepest_level_when_the_top_improves() {
        let mut k = BookKeeper::new(CoinId(0), Nanos::from_millis(1000));
        let bids: Vec<f64> = (0..20).map(|i| 100.0 - i as f64).collect();
        k.apply_snapshot(Nanos(1), &snapshot(10, &bids, &[101.0])).unwrap();
        k.apply_bbo(Nanos(2), &bbo(11, Some((100.5, 1.0)), None)).unwrap();
        assert_eq!(k.book().bids.len(), 20);
        assert_eq!(k.book().bids[0].px.to_f64(), 100.5);
        assert_eq!(k.book().bids[19].px.to_f64(), 82.0);
    }

    #[test]
    fn staleness_is_reported_once_per_transition() {
        let mut k = BookKeeper::new(CoinId(0), Nanos::from_millis(1000));
        assert_eq!(k.check_stale(Nanos::from_millis(5000)), None, "no data yet: nothing to be stale about");
        k.apply_snapshot(Nanos::from_millis(100), &snapshot(10, &[100.0], &[101.0])).unwrap();
        assert_eq!(k.stale_deadline(), Some(Nanos::from_millis(1100)));
        assert_eq!(k.check_stale(Nanos::from_millis(1099)), None);
        assert_eq!(
            k.check_stale(Nanos::from_millis(1100)),
            Some(FeedHealthChange::Stale { since: Nanos::from_millis(100) })
        );
        assert_eq!(k.check_stale(Nanos::from_millis(2000)), None, "reported once");
        assert!(k.is_stale());
        let fresh = k.apply_snapshot(Nanos::from_millis(2500), &snapshot(11, &[100.0], &[101.0])).unwrap();
        assert_eq!(fresh, Some(FeedHealthChange::Fresh));
        assert!(!k.is_stale());
    }
}
