//! The frame parser: bytes of one WebSocket text frame in, one typed [`Frame`] out.
//!
//! simd-json needs a mutable, padded copy of the input and builds a tape of nodes that
//! borrow it. [`Parser`] owns every buffer that takes — the input copy, simd-json's
//! [`Buffers`], the tape, and the output vectors (book, trades, fills, …) — and reuses them
//! frame after frame, so steady-state parsing allocates nothing (ARCHITECTURE.md, runtime
//! rule 4; shown by the counting-allocator test in `alloc_tests.rs`). The envelope
//! `{"channel":NAME,"data":…}` (HYPERLIQUID.md, "WebSocket") is read here; each channel's
//! data is read by `parse_market.rs`, `parse_user.rs` or `parse_post.rs`.

use super::coins::CoinTable;
use super::error::{FrameError, Problem};
use super::frame::{truncated, AssetCtx, Bbo, Channel, Frame, Mid, SubscriptionAck, TradePrint, Trades, WireName};
use super::post::{ActionStatus, PostOutcome, PostResponse, TextSpan};
use super::reader::{key, pick, Key, Slot};
use super::user::{Liquidation, NonUserCancel, OrderUpdate, UserEvent, UserFill, UserFills, UserFunding};
use super::{parse_market, parse_post, parse_user};
use crate::market::L2Book;
use crate::types::CoinId;
use simd_json::tape::{Tape, Value};
use simd_json::{Buffers, ErrorType};

/// Default limit on one frame: a `userFills` snapshot of 2000 fills is well under 1 MiB.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 4 << 20;

/// Output buffers reused across frames; a [`Frame`] borrows them.
#[derive(Debug)]
pub(super) struct Scratch {
    pub book: L2Book,
    pub prints: Vec<TradePrint>,
    pub mids: Vec<Mid>,
    pub fills: Vec<UserFill>,
    pub orders: Vec<OrderUpdate>,
    pub cancels: Vec<NonUserCancel>,
    pub statuses: Vec<ActionStatus>,
    /// Error texts of `error` and `post` frames.
    pub text: String,
}

impl Scratch {
    /// Appends `message` to the text buffer and returns where it sits.
    pub fn push_text(&mut self, message: &str) -> TextSpan {
        let start = self.text.len();
        self.text.push_str(message);
        // Frames are at most `max_frame_bytes` (< 4 GiB), so offsets fit in u32.
        TextSpan { start: start as u32, len: message.len() as u32 }
    }
}

/// What a channel parser found; [`Scratch::frame`] attaches the buffers it wrote.
#[derive(Debug, Clone, Copy)]
pub(super) enum Parsed {
    L2Book,
    Trades { unknown_coin_trades: u32 },
    Bbo(Bbo),
    AllMids,
    AssetCtx(AssetCtx),
    SubscriptionResponse(SubscriptionAck),
    Pong,
    Error(TextSpan),
    Post { id: u64, outcome: PostOutcome },
    UserFills { is_snapshot: bool, user: super::hex::Address },
    OrderUpdates,
    UserFillEvents,
    Funding(UserFunding),
    Liquidation(Liquidation),
    NonUserCancels,
    UnknownCoin(Channel),
    Unhandled(WireName),
}

impl Scratch {
    fn frame(&self, parsed: Parsed) -> Frame<'_> {
        match parsed {
            Parsed::L2Book => Frame::L2Book(&self.book),
            Parsed::Trades { unknown_coin_trades } => {
                Frame::Trades(Trades { prints: &self.prints, unknown_coin_trades })
            }
            Parsed::Bbo(bbo) => Frame::Bbo(bbo),
            Parsed::AllMids => Frame::AllMids(&self.mids),
            Parsed::AssetCtx(ctx) => Frame::AssetCtx(ctx),
            Parsed::SubscriptionResponse(ack) => Frame::SubscriptionResponse(ack),
            Parsed::Pong => Frame::Pong,
            Parsed::Error(span) => {
                let start = span.start as usize;
                Frame::Error(self.text.get(start..start + span.len as usize).unwrap_or(""))
            }
            Parsed::Post { id, outcome } => {
                Frame::Post(PostResponse { id, outcome, statuses: &self.statuses, text: &self.text })
            }
            Parsed::UserFills { is_snapshot, user } => {
                Frame::UserFills(UserFills { is_snapshot, user, fills: &self.fills })
            }
            Parsed::OrderUpdates => Frame::OrderUpdates(&self.orders),
            Parsed::UserFillEvents => Frame::User(UserEvent::Fills(&self.fills)),
            Parsed::Funding(funding) => Frame::User(UserEvent::Funding(funding)),
            Parsed::Liquidation(liquidation) => Frame::User(UserEvent::Liquidation(liquidation)),
            Parsed::NonUserCancels => Frame::User(UserEvent::NonUserCancel(&self.cancels)),
            Parsed::UnknownCoin(channel) => Frame::UnknownCoin(channel),
            Parsed::Unhandled(name) => Frame::Unhandled(name),
        }
    }
}

/// Parses Hyperliquid WebSocket frames for the configured coins, reusing its buffers.
pub struct Parser {
    coins: CoinTable,
    max_frame_bytes: usize,
    input: Vec<u8>,
    buffers: Buffers,
    /// Always empty between calls; kept only for its allocation.
    tape: Tape<'static>,
    scratch: Scratch,
}

const ENVELOPE: [Key; 2] = [key("channel", "channel"), key("data", "data")];

impl Parser {
    pub fn new(coins: CoinTable) -> Self {
        Self {
            coins,
            max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
            input: Vec::new(),
            buffers: Buffers::default(),
            tape: Tape(Vec::new()),
            scratch: Scratch {
                book: L2Book::empty(CoinId(0)),
                prints: Vec::new(),
                mids: Vec::new(),
                fills: Vec::new(),
                orders: Vec::new(),
                cancels: Vec::new(),
                statuses: Vec::new(),
                text: String::new(),
            },
        }
    }

    /// Refuses frames longer than `max_frame_bytes` (default [`DEFAULT_MAX_FRAME_BYTES`]).
    pub fn with_max_frame_bytes(mut self, max_frame_bytes: usize) -> Self {
        self.max_frame_bytes = max_frame_bytes.min(u32::MAX as usize);
        self
    }

    pub fn coins(&self) -> &CoinTable {
        &self.coins
    }

    /// Parses one text frame. The result borrows the parser until the next call.
    pub fn parse(&mut self, frame: &[u8]) -> Result<Frame<'_>, FrameError> {
        if frame.len() > self.max_frame_bytes {
            return Err(FrameError::new(
                Channel::Envelope,
                "frame",
                Problem::TooLarge { len_bytes: frame.len(), max_bytes: self.max_frame_bytes },
            ));
        }
        self.input.clear();
        self.input.extend_from_slice(frame);
        let mut tape = std::mem::replace(&mut self.tape, Tape(Vec::new())).reset();
        let parsed = match simd_json::fill_tape(&mut self.input, &mut self.buffers, &mut tape) {
            Ok(()) => dispatch(tape.as_value(), &self.coins, &mut self.scratch),
            Err(e) => Err(json_error(&e, frame)),
        };
        self.tape = tape.reset();
        Ok(self.scratch.frame(parsed?))
    }
}

/// Maps simd-json's refusal to a [`FrameError`] on the envelope. simd-json reports a cut-off
/// frame as a plain syntax error, so truncation is recognised here: the bytes end inside a
/// string or an unclosed object or array.
fn json_error(e: &simd_json::Error, frame: &[u8]) -> FrameError {
    let offset_bytes = e.index();
    let problem = match e.error() {
        ErrorType::InvalidUtf8 => Problem::NotUtf8,
        _ if ends_inside_value(frame) => Problem::Truncated { offset_bytes: frame.len() },
        _ => Problem::InvalidJson { offset_bytes },
    };
    FrameError::new(Channel::Envelope, "frame", problem)
}

/// Whether `bytes` end inside a string or with an object or array left open.
fn ends_inside_value(bytes: &[u8]) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth -= 1,
                _ => {}
            }
        }
    }
    in_string || depth > 0
}

/// Reads the envelope and hands `data` to its channel's parser.
fn dispatch(root: Value<'_, '_>, coins: &CoinTable, out: &mut Scratch) -> Result<Parsed, FrameError> {
    let root = Slot::new(root, Channel::Envelope, "frame").object()?;
    let [channel_slot, data] = pick(root, Channel::Envelope, &ENVELOPE)?;
    let name = channel_slot.str()?;
    let channel = Channel::from_wire(name);
    let data = Slot { channel, ..data };
    match channel {
        Channel::L2Book => parse_market::l2_book(data, coins, &mut out.book),
        Channel::Trades => parse_market::trades(data, coins, &mut out.prints),
        Channel::Bbo => parse_market::bbo(data, coins),
        Channel::AllMids => parse_market::all_mids(data, coins, &mut out.mids),
        Channel::ActiveAssetCtx => parse_market::asset_ctx(data, coins),
        Channel::SubscriptionResponse => parse_market::subscription_response(data, coins),
        Channel::Pong => Ok(Parsed::Pong),
        Channel::Error => {
            out.text.clear();
            let message = data.str()?;
            Ok(Parsed::Error(out.push_text(message)))
        }
        Channel::Post => parse_post::post(data, out),
        Channel::UserFills => parse_user::user_fills(data, coins, &mut out.fills),
        Channel::OrderUpdates => parse_user::order_updates(data, coins, &mut out.orders),
        Channel::User => parse_user::user_event(data, coins, out),
        Channel::Other | Channel::Envelope => Ok(Parsed::Unhandled(truncated(name))),
    }
}
