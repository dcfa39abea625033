//! Market data: the book, trades, the event type a market source emits, and the built-in
//! synthetic market.

mod book;
mod event;
pub mod synthetic;
mod trade;

pub use book::{BookLevel, L2Book, MAX_BOOK_LEVELS};
pub use event::MarketEvent;
pub use trade::Trade;
