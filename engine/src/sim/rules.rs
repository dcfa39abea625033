//! Which new orders the simulated exchange refuses, and why.
//!
//! Hyperliquid's per-order rules (HYPERLIQUID.md, "Orders" and "Prices, sizes, fees, limits";
//! Hyperliquid docs, "Tick and lot size"): a price on the tick grid (5 significant figures,
//! at most 6 − szDecimals decimals), a size in whole lots, an order value of at least $10,
//! and a post-only (`Alo`) order that would match immediately is refused ("Post only order
//! would have immediately matched"). The simulator adds two of its own: a cloid already open
//! on the coin, and a coin already holding [`MAX_OPEN_ORDERS_PER_COIN`] orders (checked up
//! front, so a full coin refuses even an order that would fill entirely as taker).

use super::matching::{RestingOrder, MAX_OPEN_ORDERS_PER_COIN};
use super::queue::crosses;
use crate::instrument::Instrument;
use crate::market::L2Book;
use crate::venue::{OrderRequest, RejectReason};

/// Checks a new order against the rules, the latest `book` and the coin's `open` orders.
pub(crate) fn check_new_order(
    instrument: &Instrument,
    book: &L2Book,
    open: &[RestingOrder],
    req: &OrderRequest,
) -> Result<(), RejectReason> {
    if !instrument.is_valid_price(req.px) {
        return Err(RejectReason::BadTick);
    }
    if !instrument.is_valid_qty(req.qty) {
        return Err(RejectReason::BadSize);
    }
    if !instrument.meets_min_notional(req.px, req.qty) {
        return Err(RejectReason::BelowMinNotional);
    }
    if open.iter().any(|o| o.cloid == req.cloid) {
        return Err(RejectReason::DuplicateCloid);
    }
    if open.len() >= MAX_OPEN_ORDERS_PER_COIN {
        return Err(RejectReason::TooManyOpenOrders);
    }
    let opposite_best = book.best(req.side.opposite());
    if req.post_only && opposite_best.is_some_and(|l| crosses(req.side, req.px, l.px)) {
        return Err(RejectReason::PostOnlyWouldMatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::test_support::{book, instrument, order, px, q};
    use crate::types::{Cloid, Side};

    #[test]
    fn each_rule_has_its_reject() {
        let b = book(&[("100", "5")], &[("100.05", "5")]);
        let cases = [
            (order(1, Side::Ask, "100.105", "1", true), RejectReason::BadTick),
            (order(2, Side::Bid, "0", "1", true), RejectReason::BadTick),
            (order(3, Side::Bid, "99", "0", true), RejectReason::BadSize),
            (order(4, Side::Bid, "99", "1.005", true), RejectReason::BadSize),
            (order(5, Side::Bid, "99", "0.1", true), RejectReason::BelowMinNotional),
            (order(6, Side::Bid, "100.05", "1", true), RejectReason::PostOnlyWouldMatch),
            (order(7, Side::Bid, "101", "1", true), RejectReason::PostOnlyWouldMatch),
            (order(8, Side::Ask, "100", "1", true), RejectReason::PostOnlyWouldMatch),
        ];
        for (req, reason) in cases {
            assert_eq!(check_new_order(&instrument(), &b, &[], &req), Err(reason), "{req:?}");
        }
        // Just inside the spread rests; crossing without post-only is allowed (taker).
        for req in [order(9, Side::Bid, "100.04", "1", true), order(9, Side::Bid, "101", "1", false)] {
            assert_eq!(check_new_order(&instrument(), &b, &[], &req), Ok(()), "{req:?}");
        }
    }

    #[test]
    fn duplicate_cloid_and_full_coin_are_refused() {
        let b = book(&[], &[]);
        let resting = |cloid: u128| RestingOrder {
            cloid: Cloid(cloid),
            side: Side::Bid,
            px: px("99"),
            leaves_qty: q("1"),
            queue_ahead_qty: q("0"),
        };
        let one = [resting(1)];
        let dup = order(1, Side::Bid, "98", "1", true);
        assert_eq!(check_new_order(&instrument(), &b, &one, &dup), Err(RejectReason::DuplicateCloid));
        let full: Vec<RestingOrder> = (0..MAX_OPEN_ORDERS_PER_COIN as u128).map(resting).collect();
        let extra = order(10_000, Side::Bid, "98", "1", true);
        let refused = check_new_order(&instrument(), &b, &full, &extra);
        assert_eq!(refused, Err(RejectReason::TooManyOpenOrders));
    }
}
