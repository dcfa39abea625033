//! What the parser makes of a Hyperliquid WebSocket frame: one typed [`Frame`] per server
//! frame, and the market-data types the engine has no own type for ([`Bbo`], [`AssetCtx`],
//! [`Mid`], [`TradePrint`], [`SubscriptionAck`]).
//!
//! Channel shapes are those of HYPERLIQUID.md, "WebSocket". Engine types are reused where they
//! fit: a book is the engine's [`L2Book`], a trade carries the engine's [`Trade`] (with
//! `tid`). Variable-length parts (book, trades, fills, …) live in buffers the [`Parser`]
//! reuses, so a `Frame` borrows the parser until the next frame is parsed; everything in it
//! is `Copy` and allocation-free.
//!
//! [`Parser`]: super::Parser

use super::hex::{Address, TxHash};
use super::post::PostResponse;
use super::user::{OrderUpdate, UserEvent, UserFills};
pub use crate::market::Bbo;
use crate::market::{L2Book, Trade};
use crate::types::{CoinId, Price, Qty, UnixNanos};
use arrayvec::ArrayString;
use std::fmt;

/// A server channel (the frame's `"channel"` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Not yet known: the error is in the envelope (bad JSON, no `channel`).
    Envelope,
    L2Book,
    Trades,
    Bbo,
    AllMids,
    ActiveAssetCtx,
    SubscriptionResponse,
    Pong,
    Error,
    Post,
    UserFills,
    OrderUpdates,
    /// The `userEvents` subscription's channel.
    User,
    /// A channel this parser does not handle (`candle`, `notification`, `webData2`, …).
    Other,
}

impl Channel {
    /// Wire name of the channel (`"envelope"`/`"other"` for the two pseudo-channels).
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Envelope => "envelope",
            Channel::L2Book => "l2Book",
            Channel::Trades => "trades",
            Channel::Bbo => "bbo",
            Channel::AllMids => "allMids",
            Channel::ActiveAssetCtx => "activeAssetCtx",
            Channel::SubscriptionResponse => "subscriptionResponse",
            Channel::Pong => "pong",
            Channel::Error => "error",
            Channel::Post => "post",
            Channel::UserFills => "userFills",
            Channel::OrderUpdates => "orderUpdates",
            Channel::User => "user",
            Channel::Other => "other",
        }
    }

    /// The channel named `name` on the wire; [`Channel::Other`] for any other name.
    pub fn from_wire(name: &str) -> Channel {
        match name {
            "l2Book" => Channel::L2Book,
            "trades" => Channel::Trades,
            "bbo" => Channel::Bbo,
            "allMids" => Channel::AllMids,
            "activeAssetCtx" => Channel::ActiveAssetCtx,
            "subscriptionResponse" => Channel::SubscriptionResponse,
            "pong" => Channel::Pong,
            "error" => Channel::Error,
            "post" => Channel::Post,
            "userFills" => Channel::UserFills,
            "orderUpdates" => Channel::OrderUpdates,
            "user" => Channel::User,
            _ => Channel::Other,
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A short wire name held inline (truncated at a character boundary past 32 bytes).
pub type WireName = ArrayString<32>;

/// `text`, truncated to fit `N` bytes without splitting a character.
pub(super) fn truncated<const N: usize>(text: &str) -> ArrayString<N> {
    let mut out = ArrayString::new();
    for c in text.chars() {
        if out.try_push(c).is_err() {
            break;
        }
    }
    out
}

/// One parsed server frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Frame<'p> {
    /// `l2Book`: a full snapshot of a configured coin.
    L2Book(&'p L2Book),
    /// `trades`: prints of configured coins. The first frame after subscribing replays older
    /// trades; only the caller knows which frame is first (see [`Trades::exchange_time_range`]).
    Trades(Trades<'p>),
    /// `bbo`: the best bid and offer of a configured coin.
    Bbo(Bbo),
    /// `allMids`: mids of the configured coins only, in the frame's order.
    AllMids(&'p [Mid]),
    /// `activeAssetCtx`: funding, open interest and reference prices of a configured coin.
    AssetCtx(AssetCtx),
    /// `subscriptionResponse`: the server's echo of a (un)subscribe request.
    SubscriptionResponse(SubscriptionAck),
    /// `pong`: the answer to `{"method":"ping"}`.
    Pong,
    /// `error`: the server's message about a bad request.
    Error(&'p str),
    /// `post`: the answer to an action or info request sent over the socket.
    Post(PostResponse<'p>),
    /// `userFills`: our fills (a snapshot of past fills first).
    UserFills(UserFills<'p>),
    /// `orderUpdates`: status changes of our orders.
    OrderUpdates(&'p [OrderUpdate]),
    /// `user` (from `userEvents`): fills, funding, liquidation or venue-side cancels.
    User(UserEvent<'p>),
    /// A single-coin frame (or a trades frame with no configured coin) for a coin the table
    /// does not hold. Not an error: the caller counts it.
    UnknownCoin(Channel),
    /// A well-formed frame on a channel this parser does not handle; its name, truncated.
    Unhandled(WireName),
}

impl Frame<'_> {
    /// The channel the frame came on.
    pub fn channel(&self) -> Channel {
        match self {
            Frame::L2Book(_) => Channel::L2Book,
            Frame::Trades(_) => Channel::Trades,
            Frame::Bbo(_) => Channel::Bbo,
            Frame::AllMids(_) => Channel::AllMids,
            Frame::AssetCtx(_) => Channel::ActiveAssetCtx,
            Frame::SubscriptionResponse(_) => Channel::SubscriptionResponse,
            Frame::Pong => Channel::Pong,
            Frame::Error(_) => Channel::Error,
            Frame::Post(_) => Channel::Post,
            Frame::UserFills(_) => Channel::UserFills,
            Frame::OrderUpdates(_) => Channel::OrderUpdates,
            Frame::User(_) => Channel::User,
            Frame::UnknownCoin(channel) => *channel,
            Frame::Unhandled(_) => Channel::Other,
        }
    }
}

/// One public trade: the engine's [`Trade`] plus what only the venue knows about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradePrint {
    pub trade: Trade,
    pub hash: TxHash,
    /// `[buyer, seller]`, when the frame lists them.
    pub users: Option<[Address; 2]>,
}

/// The prints of one `trades` frame, in the frame's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trades<'p> {
    pub prints: &'p [TradePrint],
    /// Prints skipped because their coin is not configured.
    pub unknown_coin_trades: u32,
}

impl<'p> Trades<'p> {
    /// The engine trades, in the frame's order.
    pub fn trades(&self) -> impl Iterator<Item = &'p Trade> + 'p {
        self.prints.iter().map(|p| &p.trade)
    }

    /// Earliest and latest exchange time among the prints: lets the caller tell the replay
    /// of older trades that follows a subscription from live prints.
    pub fn exchange_time_range(&self) -> Option<(UnixNanos, UnixNanos)> {
        let mut times = self.prints.iter().map(|p| p.trade.exchange_time);
        let first = times.next()?;
        Some(times.fold((first, first), |(lo, hi), t| (lo.min(t), hi.max(t))))
    }
}

/// The mid price of one configured coin (`allMids`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mid {
    pub coin: CoinId,
    pub px: Price,
}

/// A perp's context (`activeAssetCtx`). Every field may be `null` on the wire, so every field
/// is optional. Prices and open interest are exact; rates and volumes, which Hyperliquid
/// prints with more than eight decimals, are `f64` parsed from their decimal strings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssetCtx {
    pub coin: CoinId,
    /// Current hourly funding rate as a fraction (`funding`).
    pub funding_rate_frac_per_hour: Option<f64>,
    /// Open interest in base units (`openInterest`).
    pub open_interest: Option<Qty>,
    pub oracle_px: Option<Price>,
    pub mark_px: Option<Price>,
    pub mid_px: Option<Price>,
    /// Mark-vs-oracle premium as a fraction (`premium`).
    pub premium_frac: Option<f64>,
    /// Impact bid and impact ask prices (`impactPxs`).
    pub impact_pxs: Option<[Price; 2]>,
    /// 24 h notional volume in USD (`dayNtlVlm`).
    pub day_notional_volume_usd: Option<f64>,
    pub prev_day_px: Option<Price>,
    /// 24 h volume in base units (`dayBaseVlm`).
    pub day_base_volume: Option<Qty>,
}

/// `method` of a subscription echo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionMethod {
    Subscribe,
    Unsubscribe,
    Other,
}

/// `subscription.type` of a subscription echo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionKind {
    L2Book,
    Trades,
    Bbo,
    ActiveAssetCtx,
    AllMids,
    UserFills,
    OrderUpdates,
    UserEvents,
    Other,
}

impl SubscriptionKind {
    pub(super) fn from_wire(name: &str) -> Self {
        match name {
            "l2Book" => SubscriptionKind::L2Book,
            "trades" => SubscriptionKind::Trades,
            "bbo" => SubscriptionKind::Bbo,
            "activeAssetCtx" => SubscriptionKind::ActiveAssetCtx,
            "allMids" => SubscriptionKind::AllMids,
            "userFills" => SubscriptionKind::UserFills,
            "orderUpdates" => SubscriptionKind::OrderUpdates,
            "userEvents" => SubscriptionKind::UserEvents,
            _ => SubscriptionKind::Other,
        }
    }
}

/// A `coin` field that may be absent, name a configured coin, or name another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoinField {
    Absent,
    Known(CoinId),
    Unknown,
}

/// The server's echo of `{"method":…,"subscription":{…}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionAck {
    pub method: SubscriptionMethod,
    pub kind: SubscriptionKind,
    pub coin: CoinField,
    pub user: Option<Address>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        for c in [
            Channel::L2Book,
            Channel::Trades,
            Channel::Bbo,
            Channel::AllMids,
            Channel::ActiveAssetCtx,
            Channel::SubscriptionResponse,
            Channel::Pong,
            Channel::Error,
            Channel::Post,
            Channel::UserFills,
            Channel::OrderUpdates,
            Channel::User,
        ] {
            assert_eq!(Channel::from_wire(c.as_str()), c);
        }
        assert_eq!(Channel::from_wire("candle"), Channel::Other);
    }

    #[test]
    fn names_truncate_at_char_boundaries() {
        assert_eq!(truncated::<32>("candle").as_str(), "candle");
        let long = "é".repeat(20);
        let name = truncated::<32>(&long);
        assert_eq!(name.len(), 32);
        assert!(long.starts_with(name.as_str()));
    }
}
