//! Binance USD-M futures market data: the cross-venue reference feed.
//!
//! Binance's perpetuals often move before Hyperliquid's, so the estimator reads Binance's mid
//! as a lead signal. This module is the pure half of that feed (ARCHITECTURE.md, "Two
//! layers"): frames in, engine types out, no sockets and no clock.
//!
//! - [`Parser`] turns a WebSocket frame (raw or combined-stream: `depthUpdate`, `bookTicker`,
//!   `trade`) or a REST depth snapshot into a typed [`Event`], exactly (fixed-point prices and
//!   sizes, never `f64`) and without allocating; a malformed frame is a [`ParseError`] whose
//!   [`kind`](ParseError::kind) is a counter key.
//! - [`DepthBook`] keeps the full-depth book of one symbol under Binance's "How to manage a
//!   local order book correctly" rules for USD-M (`pu` chaining, snapshot bridging), warms up
//!   from diffs alone when there is no snapshot, checks itself against `bookTicker`, and
//!   exports the top 20 levels as the engine's [`L2Book`](crate::market::L2Book) plus a
//!   [`Bbo`](crate::market::Bbo).
//! - A trade becomes the engine's [`Trade`](crate::market::Trade) with its aggressor side via
//!   [`TradePrint::to_trade`].
//!
//! Symbols are Binance's (`"BTCUSDT"`); which engine [`CoinId`](crate::types::CoinId) one
//! stands for is the caller's choice, passed in.

mod depth_book;
mod diff_buffer;
mod error;
mod events;
mod ladder;
mod parse;
mod sync;
mod ticker_check;

pub use depth_book::DepthBook;
pub use error::{Expected, ParseError, MAX_EVENT_NAME_BYTES};
pub use events::{BookTicker, DepthDiff, DepthSnapshot, Event, PriceLevel, TradePrint};
pub use parse::Parser;
pub use sync::{
    DepthBookConfig, DepthCounters, DiffOutcome, DropReason, InvalidConfig, SnapshotOutcome, SyncSource, SyncState,
    TickerOutcome,
};

#[cfg(test)]
mod replay_tests;
