//! Market data: the book, trades, the asset context, the event type a market source emits, and the built-in
//! synthetic market.

mod asset_context;
mod bbo;
mod book;
mod book_keeper;
mod event;
mod source;
pub mod synthetic;
mod trade;

pub use asset_context::AssetContext;
pub use bbo::Bbo;
#[cfg(test)]
pub(crate) use book::fixtures as book_fixtures;
pub use book::{BookLevel, L2Book, MAX_BOOK_LEVELS};
pub use book_keeper::{BookKeeper, BookReject, FeedHealthChange};
pub use event::MarketEvent;
pub use source::{MarketSource, PushedMarket, SourceCounters};
pub use trade::Trade;
