//! Fixtures shared by the simulator's tests: one instrument (lot 0.01; tick 0.01 between 100
//! and 1000; $10 minimum order), exact numbers from decimal strings, books, orders, trades.

use crate::instrument::Instrument;
use crate::market::{BookLevel, L2Book, MarketEvent, Trade};
use crate::types::{Cloid, CoinId, Price, Qty, Side, UnixNanos};
use crate::venue::{OrderAction, OrderRequest};

pub fn px(text: &str) -> Price {
    Price::parse(text).unwrap()
}

pub fn q(text: &str) -> Qty {
    Qty::parse(text).unwrap()
}

pub fn instrument() -> Instrument {
    Instrument { name: "TEST".into(), sz_decimals: 2, min_notional_usd: 10.0 }
}

/// A snapshot of coin 0 from `(price, size)` levels, best first.
pub fn book(bids: &[(&str, &str)], asks: &[(&str, &str)]) -> L2Book {
    let level = |(p, s): &(&str, &str)| BookLevel { px: px(p), sz: q(s), orders: 1 };
    let mut b = L2Book::empty(CoinId(0));
    b.bids.extend(bids.iter().map(level));
    b.asks.extend(asks.iter().map(level));
    b
}

pub fn order(cloid: u128, side: Side, p: &str, size: &str, post_only: bool) -> OrderRequest {
    let (cloid, px, qty) = (Cloid(cloid), px(p), q(size));
    OrderRequest { coin: CoinId(0), cloid, side, px, qty, post_only }
}

pub fn place(cloid: u128, side: Side, p: &str, size: &str, post_only: bool) -> OrderAction {
    OrderAction::Place(order(cloid, side, p, size, post_only))
}

pub fn cancel(cloid: u128) -> OrderAction {
    OrderAction::Cancel { coin: CoinId(0), cloid: Cloid(cloid) }
}

/// A trade of coin 0; `aggressor` is the taker's side.
pub fn trade(aggressor: Side, p: &str, size: &str) -> Trade {
    let (px, sz) = (px(p), q(size));
    Trade { coin: CoinId(0), aggressor, px, sz, exchange_time: UnixNanos(0), tid: 0 }
}

pub fn book_event(bids: &[(&str, &str)], asks: &[(&str, &str)]) -> MarketEvent {
    MarketEvent::Book(book(bids, asks))
}

pub fn trade_event(aggressor: Side, p: &str, size: &str) -> MarketEvent {
    MarketEvent::Trade(trade(aggressor, p, size))
}
