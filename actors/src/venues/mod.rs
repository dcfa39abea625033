//! Venue nodes: the outside world as the runtime hosts it.

mod ack;
mod binance_replay;
pub mod hyperliquid;
pub mod recording;
mod replay;
mod sim;

pub use ack::AckVenue;
pub use binance_replay::BinanceReplayMarket;
pub use replay::ReplayMarket;
pub use sim::SimVenue;
