//! Venue nodes: the outside world as the runtime hosts it.

mod ack;
mod binance_replay;
pub mod hyperliquid;
mod recorded_market;
pub mod recording;
mod recording_sequence;
pub mod reference_feed;
mod replay;
mod sim;

pub use ack::AckVenue;
pub use binance_replay::{BinanceDecoder, BinanceReplayMarket};
pub use recorded_market::{FrameDecoder, RecordedMarket};
pub use recording_sequence::{RecordingOpener, RecordingSequence, SequenceError};
pub use replay::{HyperliquidDecoder, ReplayMarket};
pub use sim::SimVenue;
