//! The queue-position model: how much resting size stands ahead of one of our orders at its
//! price, and how trades and book snapshots move it.
//!
//! Hyperliquid matches in price-time priority, but its `l2Book` feed shows only the total size
//! per level, not the orders in it. So the model is the usual one for L2 data (as in
//! hftbacktest's risk-averse queue model):
//!
//! - A new order joins behind the whole size the latest book shows at its price.
//! - A trade at our price by an aggressor of the opposite side first consumes the size ahead
//!   of us, and only its excess fills our orders, in time order ([`LevelTradeWalk`]).
//! - A snapshot that shows less size at our price than we think is ahead of us means orders
//!   ahead were cancelled: the size ahead drops to what is shown. It never rises: size added
//!   later joins behind us.
//!
//! Our own orders never appear in the market data the simulator is fed (no market impact),
//! so the size ahead of each of our orders counts other participants only.

use crate::market::{L2Book, MAX_BOOK_LEVELS};
use crate::types::{Price, Qty, Side};

/// Size ahead of an order whose price lies beyond the levels the book shows: unknown, so the
/// model assumes the whole level is ahead until a snapshot shows the price. This keeps fills
/// deep in the book from being overstated; a trade through the price still fills the order.
pub const UNSEEN_LEVEL_AHEAD_QTY: Qty = Qty(i64::MAX);

/// Whether an order on `side` at `our_px` would match a price `other_px` of the opposite
/// side: a bid at or above it, an ask at or below it.
pub fn crosses(side: Side, our_px: Price, other_px: Price) -> bool {
    match side {
        Side::Bid => our_px >= other_px,
        Side::Ask => our_px <= other_px,
    }
}

/// Size the book shows at `px` on `side`: the level's size, zero if the price lies within the
/// shown range but has no level, `None` if it lies beyond the deepest shown level of a full
/// side (the snapshot says nothing about it). A side with fewer than [`MAX_BOOK_LEVELS`]
/// levels is the whole side, so every price on it is known.
pub fn shown_level_qty(book: &L2Book, side: Side, px: Price) -> Option<Qty> {
    let levels = book.levels(side);
    if let Some(level) = levels.iter().find(|l| l.px == px) {
        return Some(level.sz);
    }
    let beyond_deepest = match levels.last() {
        Some(deepest) if levels.len() >= MAX_BOOK_LEVELS => match side {
            Side::Bid => px < deepest.px,
            Side::Ask => px > deepest.px,
        },
        _ => false,
    };
    if beyond_deepest {
        None
    } else {
        Some(Qty::ZERO)
    }
}

/// Size ahead of an order that joins the queue at `px` on `side` now.
pub fn join_queue_ahead_qty(book: &L2Book, side: Side, px: Price) -> Qty {
    shown_level_qty(book, side, px).unwrap_or(UNSEEN_LEVEL_AHEAD_QTY)
}

/// Size ahead after a snapshot showed `shown` at the order's price: cancels ahead of us can
/// only lower it.
pub fn after_snapshot(queue_ahead_qty: Qty, shown: Option<Qty>) -> Qty {
    match shown {
        Some(shown_qty) => queue_ahead_qty.min(shown_qty.max(Qty::ZERO)),
        None => queue_ahead_qty,
    }
}

/// One trade walking the queue at its price. Visit our orders at that price in time order:
/// the trade first eats the other participants' size between the previous order and this
/// one, then this order, then moves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelTradeWalk {
    /// Trade size not yet consumed.
    trade_left_qty: Qty,
    /// Other participants' size at the level this trade has consumed so far.
    market_consumed_qty: Qty,
}

impl LevelTradeWalk {
    pub fn new(trade_qty: Qty) -> Self {
        Self { trade_left_qty: trade_qty.max(Qty::ZERO), market_consumed_qty: Qty::ZERO }
    }

    /// Visits our next order at the trade's price: lowers its `queue_ahead_qty` by the size
    /// the trade consumed ahead of it and returns how much of `leaves_qty` the trade fills.
    pub fn visit(&mut self, queue_ahead_qty: &mut Qty, leaves_qty: Qty) -> Qty {
        let gap_qty = (*queue_ahead_qty - self.market_consumed_qty).max(Qty::ZERO);
        let eaten_qty = gap_qty.min(self.trade_left_qty);
        self.market_consumed_qty += eaten_qty;
        self.trade_left_qty -= eaten_qty;
        *queue_ahead_qty = (*queue_ahead_qty - self.market_consumed_qty).max(Qty::ZERO);
        let fill_qty = self.trade_left_qty.min(leaves_qty.max(Qty::ZERO));
        self.trade_left_qty -= fill_qty;
        fill_qty
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::BookLevel;
    use crate::types::CoinId;

    fn q(s: &str) -> Qty {
        Qty::parse(s).unwrap()
    }

    fn px(s: &str) -> Price {
        Price::parse(s).unwrap()
    }

    #[test]
    fn trade_eats_the_queue_ahead_before_filling_us() {
        let mut ahead = q("5");
        assert_eq!(LevelTradeWalk::new(q("3")).visit(&mut ahead, q("2")), Qty::ZERO);
        assert_eq!(ahead, q("2"));
        assert_eq!(LevelTradeWalk::new(q("3")).visit(&mut ahead, q("2")), q("1"));
        assert_eq!(ahead, Qty::ZERO);
    }

    #[test]
    fn one_trade_fills_our_orders_at_a_price_in_time_order() {
        // Queue: 1 other, A (2), 1 more other, B (2). A trade of 5 fills A and 1 of B.
        let (mut ahead_a, mut ahead_b) = (q("1"), q("2"));
        let mut walk = LevelTradeWalk::new(q("5"));
        assert_eq!(walk.visit(&mut ahead_a, q("2")), q("2"));
        assert_eq!(walk.visit(&mut ahead_b, q("2")), q("1"));
        assert_eq!((ahead_a, ahead_b), (Qty::ZERO, Qty::ZERO));
        // A trade that stops before B still advances B by the others it ate.
        let (mut ahead_a, mut ahead_b) = (q("1"), q("4"));
        let mut walk = LevelTradeWalk::new(q("4"));
        assert_eq!(walk.visit(&mut ahead_a, q("2")), q("2"));
        assert_eq!(walk.visit(&mut ahead_b, q("2")), Qty::ZERO);
        assert_eq!(ahead_b, q("2"), "4 ahead − 2 others consumed (1 before A, 1 after)");
    }

    #[test]
    fn snapshots_only_lower_the_queue() {
        assert_eq!(after_snapshot(q("5"), Some(q("2"))), q("2"));
        assert_eq!(after_snapshot(q("2"), Some(q("9"))), q("2"));
        assert_eq!(after_snapshot(q("2"), None), q("2"));
    }

    #[test]
    fn prices_beyond_a_full_sides_depth_are_unseen() {
        let mut book = L2Book::empty(CoinId(0));
        for i in 0..MAX_BOOK_LEVELS as i64 {
            let level_px = Price(px("100").units() - i * px("1").units());
            book.bids.push(BookLevel { px: level_px, sz: q("1"), orders: 1 });
        }
        assert_eq!(shown_level_qty(&book, Side::Bid, px("100")), Some(q("1")));
        assert_eq!(shown_level_qty(&book, Side::Bid, px("99.5")), Some(Qty::ZERO));
        assert_eq!(shown_level_qty(&book, Side::Bid, px("50")), None);
        assert_eq!(join_queue_ahead_qty(&book, Side::Bid, px("50")), UNSEEN_LEVEL_AHEAD_QTY);
        // A thin side shows everything: an absent price is an empty level.
        assert_eq!(shown_level_qty(&book, Side::Ask, px("500")), Some(Qty::ZERO));
    }

    #[test]
    fn crossing_is_inclusive() {
        assert!(crosses(Side::Bid, px("100"), px("100")));
        assert!(!crosses(Side::Bid, px("99"), px("100")));
        assert!(crosses(Side::Ask, px("100"), px("100")));
        assert!(!crosses(Side::Ask, px("101"), px("100")));
    }
}
