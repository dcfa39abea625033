//! Hyperliquid WebSocket frames → typed events, exactly and without steady-state allocation.
//!
//! One [`Parser`] per connection turns each server text frame into a [`Frame`]: every public
//! channel the engine subscribes to (`l2Book`, `trades`, `bbo`, `allMids`, `activeAssetCtx`,
//! `subscriptionResponse`, `pong`, `error`, `post`) and the user channels (`userFills`,
//! `orderUpdates`, `user`), shaped as HYPERLIQUID.md, "WebSocket" describes them.
//!
//! - Exact: prices and sizes go from their JSON strings straight to fixed-point
//!   [`Price`](crate::types::Price)/[`Qty`](crate::types::Qty), never through `f64`.
//! - Tolerant where the venue may vary: unknown fields are ignored, nullable fields are
//!   `Option`s, unknown order statuses keep their name, other channels are `Unhandled`.
//! - Strict where a wrong value would mislead: a malformed frame is a [`FrameError`] naming
//!   channel and field, with a [`kind`](FrameError::kind) to count it by. Never a panic.
//! - Coins resolve through a [`CoinTable`] built once from the configured names (HIP-3
//!   `dex:COIN` names included); a frame for another coin is [`Frame::UnknownCoin`].
//! - Pure: no clock, no socket. Whether a `trades` frame is the replay that follows a
//!   subscription is the caller's call; [`Trades::exchange_time_range`] helps make it.
//!
//! The golden tests check every field against the official SDK's own parse
//! (`hyperliquid_rust_sdk::Message`) over a recorded capture and the documented frames.

mod coins;
mod error;
mod frame;
mod hex;
mod parse;
mod parse_market;
mod parse_post;
mod parse_user;
mod post;
mod reader;
mod user;

#[cfg(test)]
mod alloc_tests;
#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod mutation_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod parse_user_tests;
#[cfg(test)]
mod test_frames;

pub use coins::{CoinTable, CoinTableError};
pub use error::{ErrorKind, FrameError, JsonType, Problem};
pub use frame::{
    AssetCtx, Bbo, Channel, CoinField, Frame, Mid, SubscriptionAck, SubscriptionKind, SubscriptionMethod, TradePrint,
    Trades, WireName,
};
pub use hex::{parse_cloid, Address, TxHash};
pub use parse::{Parser, DEFAULT_MAX_FRAME_BYTES};
pub use post::{ActionResponseKind, ActionStatus, PostOutcome, PostResponse, TextSpan};
pub use user::{
    FeeToken, FillDir, Liquidation, NonUserCancel, OrderStatus, OrderUpdate, StatusName, UserEvent, UserFill,
    UserFills, UserFunding,
};
