//! What the parser makes of a Binance USD-M futures frame: one typed [`Event`] per frame.
//!
//! Field names follow Binance's one-letter keys spelled out (`U` → `first_update_id`, `pu` →
//! `prev_final_update_id`, `E` → `event_time`, `T` → `transaction_time`), prices and sizes are
//! exact fixed-point ([`Price`], [`Qty`]) and times are [`UnixNanos`] (Binance sends
//! milliseconds). The variable-length level lists of depth frames live in buffers the
//! [`Parser`](super::Parser) reuses, and the symbol borrows the frame's bytes, so an `Event`
//! borrows both until the next frame is parsed and costs no allocation.
//!
//! The engine names a coin by [`CoinId`]; mapping Binance's symbol (`"BTCUSDT"`) to one is the
//! caller's job, so conversions into engine types take the `CoinId` as a parameter.

use crate::market::Trade;
use crate::types::{CoinId, Price, Qty, Side, UnixNanos};

/// One `[price, qty]` level of a depth frame. In a diff, `qty` zero removes the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PriceLevel {
    pub px: Price,
    pub qty: Qty,
}

/// A `depthUpdate` diff (`<symbol>@depth@0ms` / `@100ms` / `@250ms` / `@500ms`): the new
/// absolute size of every level that changed between update ids `U` and `u`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthDiff<'a> {
    pub symbol: &'a str,
    /// `E`: when Binance sent the event.
    pub event_time: UnixNanos,
    /// `T`: the matching engine's time of the last update in the diff.
    pub transaction_time: UnixNanos,
    /// `U`: first update id in this diff.
    pub first_update_id: u64,
    /// `u`: final update id in this diff.
    pub final_update_id: u64,
    /// `pu`: the previous diff's `u`; the sequence check of the USD-M diff stream.
    pub prev_final_update_id: u64,
    /// `b`: bid levels, in the order sent.
    pub bids: &'a [PriceLevel],
    /// `a`: ask levels, in the order sent.
    pub asks: &'a [PriceLevel],
}

/// A REST depth snapshot (`GET /fapi/v1/depth`): the book as of update id `lastUpdateId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthSnapshot<'a> {
    /// `lastUpdateId`.
    pub last_update_id: u64,
    /// `E`, if present.
    pub event_time: Option<UnixNanos>,
    /// `T`, if present.
    pub transaction_time: Option<UnixNanos>,
    /// `bids`, best (highest) first as Binance sends them.
    pub bids: &'a [PriceLevel],
    /// `asks`, best (lowest) first as Binance sends them.
    pub asks: &'a [PriceLevel],
}

/// A `bookTicker` event: the best bid and ask right after update id `u`. Binance pushes one
/// for every change of the top (price or size) in real time, so it runs ahead of the diffs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookTicker<'a> {
    pub symbol: &'a str,
    /// `u`: the update id this top is the result of (same id space as the diffs).
    pub update_id: u64,
    pub event_time: UnixNanos,
    pub transaction_time: UnixNanos,
    pub bid_px: Price,
    pub bid_qty: Qty,
    pub ask_px: Price,
    pub ask_qty: Qty,
}

/// A `trade` event: one fill between a taker and a resting order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradePrint<'a> {
    pub symbol: &'a str,
    /// `t`.
    pub trade_id: u64,
    pub px: Price,
    pub qty: Qty,
    /// `m`: the buyer was the resting (maker) order, so the seller was the aggressor.
    pub buyer_is_maker: bool,
    /// `X` is `"MARKET"` (or absent). Liquidation (`INSURANCE_FUND`) and `ADL` prints are
    /// not order-flow and leave this false.
    pub is_market: bool,
    pub event_time: UnixNanos,
    /// `T`: the match time.
    pub trade_time: UnixNanos,
}

impl TradePrint<'_> {
    /// The taker's side: a buyer-maker trade was initiated by a seller.
    pub const fn aggressor(&self) -> Side {
        if self.buyer_is_maker {
            Side::Ask
        } else {
            Side::Bid
        }
    }

    /// The engine's trade record for `coin` (exchange time = match time `T`).
    pub const fn to_trade(&self, coin: CoinId) -> Trade {
        Trade {
            coin,
            aggressor: self.aggressor(),
            px: self.px,
            sz: self.qty,
            exchange_time: self.trade_time,
            tid: self.trade_id,
        }
    }
}

/// One parsed frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    DepthDiff(DepthDiff<'a>),
    DepthSnapshot(DepthSnapshot<'a>),
    BookTicker(BookTicker<'a>),
    Trade(TradePrint<'a>),
    /// `{"result":…,"id":N}`: the answer to a SUBSCRIBE / UNSUBSCRIBE request.
    SubscriptionAck {
        id: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(buyer_is_maker: bool) -> TradePrint<'static> {
        TradePrint {
            symbol: "BTCUSDT",
            trade_id: 7,
            px: Price::parse("61800.3").unwrap(),
            qty: Qty::parse("0.006").unwrap(),
            buyer_is_maker,
            is_market: true,
            event_time: UnixNanos::from_millis(2),
            trade_time: UnixNanos::from_millis(1),
        }
    }

    #[test]
    fn buyer_maker_means_seller_aggressed() {
        assert_eq!(print(true).aggressor(), Side::Ask);
        assert_eq!(print(false).aggressor(), Side::Bid);
        let t = print(true).to_trade(CoinId(3));
        assert_eq!((t.coin, t.aggressor, t.tid), (CoinId(3), Side::Ask, 7));
        assert_eq!(t.exchange_time, UnixNanos::from_millis(1));
        assert_eq!(t.sz, Qty::parse("0.006").unwrap());
    }
}
