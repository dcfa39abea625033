//! One coin of the simulated exchange: order validation, taker matching against the latest
//! book, our resting orders in price-time priority, and their fills from trades and book
//! snapshots.
//!
//! A new order is checked by [`super::rules`]. A non-post-only order that crosses takes the
//! shown levels it crosses, best first, each level one taker fill at the level's price, and
//! rests the rest (`Gtc`, as Hyperliquid does).
//!
//! No market impact: the market data is what other participants did, and our orders never
//! change it. A taker fill does not remove the levels it took from the stored book, and our
//! resting size is not added to it. One consequence: the remainder of a crossing order larger
//! than all the shown size through its price rests at a price the book still crosses, and the
//! next snapshot that still shows those levels fills it as maker.
//!
//! Storage is a `Vec` reserved for [`MAX_OPEN_ORDERS_PER_COIN`] in time priority; a new order
//! arriving when it is full is rejected (`TooManyOpenOrders`) instead of growing it, and
//! fills and cancels remove orders in place, so no event allocates.

use super::queue::{after_snapshot, crosses, join_queue_ahead_qty, shown_level_qty, LevelTradeWalk};
use super::rules::check_new_order;
use crate::instrument::Instrument;
use crate::market::{L2Book, Trade};
use crate::types::{Cloid, CoinId, Price, Qty, Side};
use crate::venue::{Liquidity, OrderRequest, RejectReason, MAX_ACTIONS_PER_BATCH};

/// Open orders one coin may hold: four full batches, i.e. a two-sided 16-level ladder twice
/// over while its replacement is in flight, with room to spare. Hyperliquid's own limit is
/// account-wide (1000 and up) and far above what one coin's quoting needs.
pub const MAX_OPEN_ORDERS_PER_COIN: usize = 4 * MAX_ACTIONS_PER_BATCH;

/// One of our orders resting at the simulated exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestingOrder {
    pub cloid: Cloid,
    pub side: Side,
    pub px: Price,
    /// Size still open.
    pub leaves_qty: Qty,
    /// Other participants' size ahead of this order at its price ([`super::queue`]).
    pub queue_ahead_qty: Qty,
}

/// One execution of one of our orders, before the exchange stamps fee, time and trade id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Execution {
    pub cloid: Cloid,
    pub side: Side,
    pub px: Price,
    pub qty: Qty,
    pub remaining_qty: Qty,
    pub liquidity: Liquidity,
}

/// What the matching engine did with an action or a market event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchOutcome {
    Accepted(Cloid),
    Rejected(Cloid, RejectReason),
    Cancelled(Cloid),
    CancelRejected(Cloid),
    Fill(Execution),
}

/// The matching state of one coin.
#[derive(Debug, Clone)]
pub(crate) struct CoinMarket {
    instrument: Instrument,
    /// The latest snapshot the market data delivered.
    book: L2Book,
    /// Our resting orders, oldest first (time priority).
    orders: Vec<RestingOrder>,
}

impl CoinMarket {
    pub(crate) fn new(coin: CoinId, instrument: Instrument) -> Self {
        Self { instrument, book: L2Book::empty(coin), orders: Vec::with_capacity(MAX_OPEN_ORDERS_PER_COIN) }
    }

    pub(crate) fn open_order_count(&self) -> usize {
        self.orders.len()
    }

    pub(crate) fn order(&self, cloid: Cloid) -> Option<&RestingOrder> {
        self.orders.iter().find(|o| o.cloid == cloid)
    }

    #[cfg(test)]
    pub(crate) fn order_capacity(&self) -> usize {
        self.orders.capacity()
    }

    /// A new order arrives: reject it, or take what it crosses and rest the remainder.
    /// Taker fills are reported before `Accepted`, which is sent only if some size rests.
    pub(crate) fn place(&mut self, req: &OrderRequest, emit: &mut impl FnMut(MatchOutcome)) {
        if let Err(reason) = check_new_order(&self.instrument, &self.book, &self.orders, req) {
            emit(MatchOutcome::Rejected(req.cloid, reason));
            return;
        }
        let mut leaves_qty = req.qty;
        if !req.post_only {
            for level in self.book.levels(req.side.opposite()) {
                if leaves_qty <= Qty::ZERO || !crosses(req.side, req.px, level.px) {
                    break;
                }
                let qty = level.sz.min(leaves_qty);
                if qty <= Qty::ZERO {
                    continue;
                }
                leaves_qty -= qty;
                emit(MatchOutcome::Fill(Execution {
                    cloid: req.cloid,
                    side: req.side,
                    px: level.px,
                    qty,
                    remaining_qty: leaves_qty,
                    liquidity: Liquidity::Taker,
                }));
            }
        }
        if leaves_qty <= Qty::ZERO {
            return;
        }
        self.orders.push(RestingOrder {
            cloid: req.cloid,
            side: req.side,
            px: req.px,
            leaves_qty,
            queue_ahead_qty: join_queue_ahead_qty(&self.book, req.side, req.px),
        });
        emit(MatchOutcome::Accepted(req.cloid));
    }

    /// The venue cancels every resting order, oldest first (the account's scheduled cancel
    /// fired); returns how many.
    pub(crate) fn cancel_all(&mut self, emit: &mut impl FnMut(MatchOutcome)) -> usize {
        let cancelled = self.orders.len();
        for order in self.orders.drain(..) {
            emit(MatchOutcome::Cancelled(order.cloid));
        }
        cancelled
    }

    /// A cancel arrives: remove the order, or report that there is none.
    pub(crate) fn cancel(&mut self, cloid: Cloid, emit: &mut impl FnMut(MatchOutcome)) {
        match self.orders.iter().position(|o| o.cloid == cloid) {
            Some(index) => {
                self.orders.remove(index);
                emit(MatchOutcome::Cancelled(cloid));
            }
            None => emit(MatchOutcome::CancelRejected(cloid)),
        }
    }

    /// A new snapshot: orders the opposite side moved through fill at their own price as
    /// maker; the queue ahead of the others drops to what their level shows.
    pub(crate) fn on_book(&mut self, book: &L2Book, emit: &mut impl FnMut(MatchOutcome)) {
        self.book.clone_from(book);
        for order in self.orders.iter_mut() {
            let opposite_best = self.book.best(order.side.opposite());
            if opposite_best.is_some_and(|l| crosses(order.side, order.px, l.px)) {
                fill_maker(order, order.leaves_qty, emit);
            } else {
                let shown = shown_level_qty(&self.book, order.side, order.px);
                order.queue_ahead_qty = after_snapshot(order.queue_ahead_qty, shown);
            }
        }
        self.orders.retain(|o| o.leaves_qty > Qty::ZERO);
    }

    /// A public trade: it fills our orders on the side it hit. Orders it printed through (a
    /// sell below our bid, a buy above our ask) fill completely; orders at its price fill
    /// from its excess over the queue ahead, oldest first.
    pub(crate) fn on_trade(&mut self, trade: &Trade, emit: &mut impl FnMut(MatchOutcome)) {
        let hit_side = trade.aggressor.opposite();
        let mut walk = LevelTradeWalk::new(trade.sz);
        for order in self.orders.iter_mut().filter(|o| o.side == hit_side) {
            let fill_qty = if order.px == trade.px {
                walk.visit(&mut order.queue_ahead_qty, order.leaves_qty)
            } else if crosses(order.side, order.px, trade.px) {
                order.leaves_qty
            } else {
                Qty::ZERO
            };
            if fill_qty > Qty::ZERO {
                fill_maker(order, fill_qty, emit);
            }
        }
        self.orders.retain(|o| o.leaves_qty > Qty::ZERO);
    }
}

/// Fills `qty` of a resting order at its own price as maker.
fn fill_maker(order: &mut RestingOrder, qty: Qty, emit: &mut impl FnMut(MatchOutcome)) {
    order.leaves_qty -= qty;
    emit(MatchOutcome::Fill(Execution {
        cloid: order.cloid,
        side: order.side,
        px: order.px,
        qty,
        remaining_qty: order.leaves_qty,
        liquidity: Liquidity::Maker,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{BookLevel, MAX_BOOK_LEVELS};
    use crate::sim::test_support::{book, instrument, order, px, q, trade};

    /// Bid 100 × 5 over 99.99 × 3, ask 100.05 × 5.
    fn quoted_market() -> CoinMarket {
        let mut m = CoinMarket::new(CoinId(0), instrument());
        m.on_book(&book(&[("100", "5"), ("99.99", "3")], &[("100.05", "5")]), &mut |_| {});
        m
    }

    fn run(m: &mut CoinMarket, step: impl FnOnce(&mut CoinMarket, &mut dyn FnMut(MatchOutcome))) -> Vec<MatchOutcome> {
        let mut out = Vec::new();
        step(m, &mut |o| out.push(o));
        out
    }

    fn place(m: &mut CoinMarket, req: OrderRequest) -> Vec<MatchOutcome> {
        run(m, |m, emit| m.place(&req, &mut |o| emit(o)))
    }

    fn on_trade(m: &mut CoinMarket, t: Trade) -> Vec<MatchOutcome> {
        run(m, |m, emit| m.on_trade(&t, &mut |o| emit(o)))
    }

    fn on_book(m: &mut CoinMarket, b: L2Book) -> Vec<MatchOutcome> {
        run(m, |m, emit| m.on_book(&b, &mut |o| emit(o)))
    }

    fn fill(cloid: u128, side: Side, p: &str, size: &str, left: &str, liquidity: Liquidity) -> MatchOutcome {
        let (cloid, px, qty, remaining_qty) = (Cloid(cloid), px(p), q(size), q(left));
        MatchOutcome::Fill(Execution { cloid, side, px, qty, remaining_qty, liquidity })
    }

    fn maker(cloid: u128, side: Side, p: &str, size: &str, left: &str) -> MatchOutcome {
        fill(cloid, side, p, size, left, Liquidity::Maker)
    }

    fn ahead(m: &CoinMarket, cloid: u128) -> Qty {
        m.order(Cloid(cloid)).map_or(Qty(-1), |o| o.queue_ahead_qty)
    }

    #[test]
    fn rejects_are_reported_and_a_full_coin_does_not_grow() {
        let mut m = quoted_market();
        let crossing = order(1, Side::Bid, "100.05", "1", true);
        let out = place(&mut m, crossing);
        assert_eq!(out, vec![MatchOutcome::Rejected(Cloid(1), RejectReason::PostOnlyWouldMatch)]);
        let capacity = m.order_capacity();
        for i in 0..=MAX_OPEN_ORDERS_PER_COIN as u128 {
            place(&mut m, order(100 + i, Side::Bid, "99", "1", true));
        }
        assert_eq!(m.open_order_count(), MAX_OPEN_ORDERS_PER_COIN);
        assert_eq!(m.order_capacity(), capacity);
    }

    #[test]
    fn trade_smaller_than_the_queue_ahead_does_not_fill_a_later_one_fills_the_excess() {
        let mut m = quoted_market();
        place(&mut m, order(1, Side::Bid, "100", "2", true));
        assert_eq!(ahead(&m, 1), q("5"));
        assert_eq!(on_trade(&mut m, trade(Side::Ask, "100", "3")), vec![]);
        assert_eq!(ahead(&m, 1), q("2"));
        // A buyer-initiated trade at our bid's price does not touch bids.
        assert_eq!(on_trade(&mut m, trade(Side::Bid, "100", "3")), vec![]);
        // 3 more: 2 clear the queue, the excess of 1 fills us.
        let out = on_trade(&mut m, trade(Side::Ask, "100", "3"));
        assert_eq!(out, vec![maker(1, Side::Bid, "100", "1", "1")]);
    }

    #[test]
    fn a_trade_through_our_price_fills_the_whole_remainder() {
        let mut m = quoted_market();
        place(&mut m, order(1, Side::Bid, "100", "2", true));
        place(&mut m, order(2, Side::Ask, "100.1", "3", true));
        let out = on_trade(&mut m, trade(Side::Ask, "99.99", "0.01"));
        assert_eq!(out, vec![maker(1, Side::Bid, "100", "2", "0")]);
        let out = on_trade(&mut m, trade(Side::Bid, "100.11", "0.01"));
        assert_eq!(out, vec![maker(2, Side::Ask, "100.1", "3", "0")]);
        assert_eq!(m.open_order_count(), 0);
    }

    #[test]
    fn book_shrinking_at_our_level_advances_the_queue() {
        let mut m = quoted_market();
        place(&mut m, order(1, Side::Bid, "100", "2", true));
        assert!(on_book(&mut m, book(&[("100", "1.5")], &[("100.05", "5")])).is_empty());
        assert_eq!(ahead(&m, 1), q("1.5"));
        // Size added later joins behind us.
        on_book(&mut m, book(&[("100", "9")], &[("100.05", "5")]));
        assert_eq!(ahead(&m, 1), q("1.5"));
        let out = on_trade(&mut m, trade(Side::Ask, "100", "2"));
        assert_eq!(out, vec![maker(1, Side::Bid, "100", "0.5", "1.5")]);
    }

    #[test]
    fn two_of_our_orders_at_one_price_fill_fifo() {
        let mut m = quoted_market();
        place(&mut m, order(1, Side::Ask, "100.05", "1", true));
        place(&mut m, order(2, Side::Ask, "100.05", "1", true));
        // Both joined behind 5; a buy of 6.5 clears the 5, fills #1 and half of #2.
        let out = on_trade(&mut m, trade(Side::Bid, "100.05", "6.5"));
        let expected = vec![maker(1, Side::Ask, "100.05", "1", "0"), maker(2, Side::Ask, "100.05", "0.5", "0.5")];
        assert_eq!(out, expected);
        assert_eq!(m.open_order_count(), 1);
    }

    #[test]
    fn the_opposite_best_moving_through_our_price_fills_us_as_maker() {
        let mut m = quoted_market();
        place(&mut m, order(1, Side::Bid, "100", "2", true));
        place(&mut m, order(2, Side::Bid, "99.5", "2", true));
        let out = on_book(&mut m, book(&[("99.9", "1")], &[("100", "1")]));
        assert_eq!(out, vec![maker(1, Side::Bid, "100", "2", "0")]);
        assert_eq!(m.open_order_count(), 1);
    }

    #[test]
    fn partial_fill_keeps_resting_then_cancel_and_cancel_again() {
        let mut m = CoinMarket::new(CoinId(0), instrument());
        place(&mut m, order(1, Side::Bid, "100", "2", true));
        let out = on_trade(&mut m, trade(Side::Ask, "100", "0.5"));
        assert_eq!(out, vec![maker(1, Side::Bid, "100", "0.5", "1.5")]);
        assert_eq!(m.order(Cloid(1)).map(|o| o.leaves_qty), Some(q("1.5")));
        let out = run(&mut m, |m, emit| {
            for cloid in [1, 1, 7] {
                m.cancel(Cloid(cloid), &mut |o| emit(o));
            }
        });
        let expected = [
            MatchOutcome::Cancelled(Cloid(1)),
            MatchOutcome::CancelRejected(Cloid(1)),
            MatchOutcome::CancelRejected(Cloid(7)),
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn a_crossing_order_takes_the_levels_it_crosses_and_rests_the_rest() {
        let mut m = CoinMarket::new(CoinId(0), instrument());
        on_book(&mut m, book(&[("99.9", "1")], &[("100", "1"), ("100.01", "2"), ("100.05", "5")]));
        let out = place(&mut m, order(1, Side::Bid, "100.01", "4", false));
        let taker = |p, size, left| fill(1, Side::Bid, p, size, left, Liquidity::Taker);
        let expected = vec![taker("100", "1", "3"), taker("100.01", "2", "1"), MatchOutcome::Accepted(Cloid(1))];
        assert_eq!(out, expected);
        assert_eq!(m.order(Cloid(1)).map(|o| o.leaves_qty), Some(q("1")));
        // Filled entirely: no Accepted, nothing rests.
        let out = place(&mut m, order(2, Side::Ask, "99.9", "0.5", false));
        assert_eq!(out, vec![fill(2, Side::Ask, "99.9", "0.5", "0", Liquidity::Taker)]);
        assert!(m.order(Cloid(2)).is_none());
    }

    #[test]
    fn unseen_level_is_all_ahead_until_a_snapshot_shows_it() {
        let mut m = CoinMarket::new(CoinId(0), instrument());
        let mut deep = L2Book::empty(CoinId(0));
        for i in 0..MAX_BOOK_LEVELS as i64 {
            let level_px = Price(px("100").units() - i * px("0.01").units());
            deep.bids.push(BookLevel { px: level_px, sz: q("1"), orders: 1 });
        }
        on_book(&mut m, deep);
        place(&mut m, order(1, Side::Bid, "90", "1", true));
        assert_eq!(on_trade(&mut m, trade(Side::Ask, "90", "1000")), vec![]);
        on_book(&mut m, book(&[("90", "2")], &[]));
        assert_eq!(ahead(&m, 1), q("2"));
    }
}
