//! One side of the Binance depth book: a sorted, fixed-capacity array of price levels.
//!
//! Binance's full USD-M depth is deep (the 2024-08-08 BTCUSDT diffs touch ~5,000 prices a
//! side) while the engine reads the top 20. So a side keeps the `capacity` levels nearest
//! the touch (1,000 by default, what the REST snapshot returns) and drops deeper ones,
//! counting them; the deepest kept levels may then miss prices Binance still holds, which
//! does not matter for the exported top.
//!
//! Layout: one `Vec` sorted worst → best, reserved once at `capacity` and never grown, so an
//! update never allocates. The best level is *last*: most updates land near the touch, and
//! inserting or removing at index `i` moves only the `len − i` levels better than it. A price
//! is found by binary search. (A `BTreeMap` would allocate and free nodes as levels come and
//! go; a price-indexed ring would need the tick size and recentring.)

use super::events::PriceLevel;
use crate::types::{Price, Side};
use std::cmp::Ordering;

/// What [`Ladder::set`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LevelChange {
    Inserted,
    Updated,
    Removed,
    /// Size zero for a price we do not hold: nothing to do.
    AbsentRemoved,
    /// A new level, and the side was full: the worst level was evicted to make room.
    InsertedEvicting,
    /// A new level worse than every level of a full side: not kept.
    DroppedDeep,
}

#[derive(Debug, Clone)]
pub(super) struct Ladder {
    side: Side,
    /// Sorted worst → best; never longer than `capacity`.
    levels: Vec<PriceLevel>,
    capacity: usize,
}

impl Ladder {
    pub fn new(side: Side, capacity: usize) -> Self {
        Self { side, levels: Vec::with_capacity(capacity), capacity }
    }

    /// Order of `a` relative to `b` in the array: `Greater` when `a` is the better price.
    fn order(&self, a: Price, b: Price) -> Ordering {
        match self.side {
            Side::Bid => a.cmp(&b),
            Side::Ask => b.cmp(&a),
        }
    }

    /// `a` is a strictly better price than `b` on this side.
    pub fn is_better(&self, a: Price, b: Price) -> bool {
        self.order(a, b) == Ordering::Greater
    }

    fn find(&self, px: Price) -> Result<usize, usize> {
        self.levels.binary_search_by(|l| self.order(l.px, px))
    }

    /// Sets the size at `level.px` (zero removes it).
    pub fn set(&mut self, level: PriceLevel) -> LevelChange {
        match self.find(level.px) {
            Ok(i) if level.qty.is_zero() => {
                self.levels.remove(i);
                LevelChange::Removed
            }
            Ok(i) => {
                self.levels[i].qty = level.qty;
                LevelChange::Updated
            }
            Err(_) if level.qty.is_zero() => LevelChange::AbsentRemoved,
            Err(i) if self.levels.len() < self.capacity => {
                self.levels.insert(i, level);
                LevelChange::Inserted
            }
            Err(0) => LevelChange::DroppedDeep,
            Err(i) => {
                // Full: evict the worst (index 0) and shift the levels below `i` down one.
                self.levels.copy_within(1..i, 0);
                self.levels[i - 1] = level;
                LevelChange::InsertedEvicting
            }
        }
    }

    /// Replaces the side with `levels` (any order; zero sizes skipped). Returns how many
    /// levels did not fit. Allocation-free: fills to capacity, sorts in place, then merges
    /// the rest one by one.
    pub fn load(&mut self, levels: &[PriceLevel]) -> u64 {
        self.levels.clear();
        let mut rest = levels.iter().filter(|l| !l.qty.is_zero());
        for level in rest.by_ref() {
            self.levels.push(*level);
            if self.levels.len() == self.capacity {
                break;
            }
        }
        let side = self.side;
        self.levels.sort_unstable_by(|a, b| match side {
            Side::Bid => a.px.cmp(&b.px),
            Side::Ask => b.px.cmp(&a.px),
        });
        self.levels.dedup_by_key(|l| l.px);
        let mut dropped = 0;
        for level in rest {
            if matches!(self.set(*level), LevelChange::DroppedDeep | LevelChange::InsertedEvicting) {
                dropped += 1;
            }
        }
        dropped
    }

    pub fn clear(&mut self) {
        self.levels.clear();
    }

    pub fn len(&self) -> usize {
        self.levels.len()
    }

    pub fn best(&self) -> Option<PriceLevel> {
        self.levels.last().copied()
    }

    /// Levels best first.
    pub fn iter_best_first(&self) -> impl Iterator<Item = &PriceLevel> + '_ {
        self.levels.iter().rev()
    }

    #[cfg(test)]
    pub fn capacity_reserved(&self) -> usize {
        self.levels.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Qty;

    fn lv(px: i64, qty: i64) -> PriceLevel {
        PriceLevel { px: Price(px), qty: Qty(qty) }
    }

    fn prices(l: &Ladder) -> Vec<i64> {
        l.iter_best_first().map(|l| l.px.units()).collect()
    }

    #[test]
    fn bids_best_is_highest_asks_best_is_lowest() {
        let mut bids = Ladder::new(Side::Bid, 8);
        let mut asks = Ladder::new(Side::Ask, 8);
        for px in [5, 1, 3] {
            assert_eq!(bids.set(lv(px, 1)), LevelChange::Inserted);
            assert_eq!(asks.set(lv(px + 10, 1)), LevelChange::Inserted);
        }
        assert_eq!(prices(&bids), vec![5, 3, 1]);
        assert_eq!(prices(&asks), vec![11, 13, 15]);
        assert!(bids.is_better(Price(6), Price(5)) && asks.is_better(Price(10), Price(11)));
        assert_eq!(bids.set(lv(3, 0)), LevelChange::Removed);
        assert_eq!(bids.set(lv(3, 0)), LevelChange::AbsentRemoved);
        assert_eq!(bids.set(lv(5, 9)), LevelChange::Updated);
        assert_eq!(bids.best(), Some(lv(5, 9)));
        assert_eq!(prices(&bids), vec![5, 1]);
    }

    #[test]
    fn a_full_side_keeps_the_levels_nearest_the_touch() {
        let mut bids = Ladder::new(Side::Bid, 3);
        for px in [10, 9, 8] {
            bids.set(lv(px, 1));
        }
        assert_eq!(bids.set(lv(7, 1)), LevelChange::DroppedDeep);
        assert_eq!(bids.set(lv(11, 1)), LevelChange::InsertedEvicting);
        assert_eq!(prices(&bids), vec![11, 10, 9]);
        assert_eq!(bids.set(lv(9, 1) /* mid */), LevelChange::Updated);
        assert_eq!(bids.set(lv(95, 1)), LevelChange::InsertedEvicting);
        assert_eq!(prices(&bids), vec![95, 11, 10]);
        assert_eq!(bids.capacity_reserved(), 3, "never grew");
    }

    #[test]
    fn load_sorts_dedups_skips_zeros_and_truncates() {
        let mut asks = Ladder::new(Side::Ask, 3);
        let dropped = asks.load(&[lv(5, 1), lv(3, 1), lv(4, 0), lv(3, 2), lv(9, 1), lv(1, 1), lv(2, 1)]);
        assert_eq!(prices(&asks), vec![1, 2, 3]);
        assert_eq!(dropped, 2, "9 and 5 were evicted by 1 and 2");
        assert_eq!(asks.capacity_reserved(), 3);
    }
}
