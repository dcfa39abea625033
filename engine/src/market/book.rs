//! The L2 order book of one coin: a full snapshot of up to 20 levels a side, as
//! Hyperliquid's `l2Book` channel pushes it (no diffs, no sequence numbers). Fixed capacity:
//! replacing a snapshot never allocates.

use crate::types::{CoinId, Price, Qty, Side, UnixNanos};
use arrayvec::ArrayVec;
use serde::{Deserialize, Serialize};

/// Levels per side in a Hyperliquid `l2Book` snapshot.
pub const MAX_BOOK_LEVELS: usize = 20;

/// One price level: total resting size and number of orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookLevel {
    pub px: Price,
    pub sz: Qty,
    pub orders: u32,
}

/// A book snapshot: bids best (highest) first, asks best (lowest) first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L2Book {
    pub coin: CoinId,
    pub exchange_time: UnixNanos,
    pub bids: ArrayVec<BookLevel, MAX_BOOK_LEVELS>,
    pub asks: ArrayVec<BookLevel, MAX_BOOK_LEVELS>,
}

impl L2Book {
    pub fn empty(coin: CoinId) -> Self {
        Self { coin, exchange_time: UnixNanos(0), bids: ArrayVec::new(), asks: ArrayVec::new() }
    }

    pub fn levels(&self, side: Side) -> &[BookLevel] {
        match side {
            Side::Bid => &self.bids,
            Side::Ask => &self.asks,
        }
    }

    pub fn best(&self, side: Side) -> Option<BookLevel> {
        self.levels(side).first().copied()
    }

    pub fn best_bid(&self) -> Option<Price> {
        self.bids.first().map(|l| l.px)
    }

    pub fn best_ask(&self) -> Option<Price> {
        self.asks.first().map(|l| l.px)
    }

    /// Both sides present and best bid strictly below best ask.
    pub fn is_two_sided(&self) -> bool {
        matches!((self.best_bid(), self.best_ask()), (Some(b), Some(a)) if b < a)
    }

    /// Best bid at or above best ask: the snapshot cannot be quoted against.
    pub fn is_crossed(&self) -> bool {
        matches!((self.best_bid(), self.best_ask()), (Some(b), Some(a)) if b >= a)
    }

    /// Mid price in USD, if the book is two-sided.
    pub fn mid_usd(&self) -> Option<f64> {
        if !self.is_two_sided() {
            return None;
        }
        Some((self.bids[0].px.to_f64() + self.asks[0].px.to_f64()) / 2.0)
    }

    /// Size-weighted mid `Pb·(1 − I) + Pa·I` with `I = Qb/(Qb + Qa)` at the touch: the first
    /// cut of Stoikov's microprice (MODELS.md, "Microprice").
    pub fn weighted_mid_usd(&self) -> Option<f64> {
        if !self.is_two_sided() {
            return None;
        }
        let (b, a) = (self.bids[0], self.asks[0]);
        let (qb, qa) = (b.sz.to_f64(), a.sz.to_f64());
        if qb + qa <= 0.0 {
            return self.mid_usd();
        }
        let imbalance = qb / (qb + qa);
        Some(b.px.to_f64() * (1.0 - imbalance) + a.px.to_f64() * imbalance)
    }

    /// Resting size at exactly `px` on `side` (zero if the level is absent).
    pub fn size_at(&self, side: Side, px: Price) -> Qty {
        self.levels(side).iter().find(|l| l.px == px).map_or(Qty::ZERO, |l| l.sz)
    }
}

/// Test fixtures: a book of coin 0 from decimal strings, best levels first.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub fn level(px: &str, sz: &str) -> BookLevel {
        BookLevel { px: Price::parse(px).unwrap(), sz: Qty::parse(sz).unwrap(), orders: 1 }
    }

    pub fn book(bids: &[(&str, &str)], asks: &[(&str, &str)]) -> L2Book {
        let mut b = L2Book::empty(CoinId(0));
        b.bids.extend(bids.iter().map(|(p, s)| level(p, s)));
        b.asks.extend(asks.iter().map(|(p, s)| level(p, s)));
        b
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::book;
    use super::*;

    #[test]
    fn mid_and_weighted_mid() {
        let b = book(&[("100", "3")], &[("102", "1")]);
        assert_eq!(b.mid_usd(), Some(101.0));
        // Heavier bid pulls the weighted mid toward the ask: 100·0.25 + 102·0.75.
        assert_eq!(b.weighted_mid_usd(), Some(101.5));
    }

    #[test]
    fn crossed_and_one_sided_books_have_no_mid() {
        assert!(book(&[("101", "1")], &[("100", "1")]).is_crossed());
        assert_eq!(book(&[("101", "1")], &[("100", "1")]).mid_usd(), None);
        assert_eq!(book(&[("100", "1")], &[]).mid_usd(), None);
        assert!(!L2Book::empty(CoinId(0)).is_crossed());
    }

    #[test]
    fn size_at_finds_levels() {
        let b = book(&[("100", "3"), ("99", "2")], &[("102", "1")]);
        assert_eq!(b.size_at(Side::Bid, Price::parse("99").unwrap()), Qty::parse("2").unwrap());
        assert_eq!(b.size_at(Side::Ask, Price::parse("99").unwrap()), Qty::ZERO);
    }
}
