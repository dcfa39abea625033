//! Binance USD-M futures frames → typed [`Event`]s, with simd-json's tape API.
//!
//! Accepted shapes: a raw stream event (`{"e":"depthUpdate",…}`), the same wrapped in a
//! combined-stream envelope (`{"stream":"btcusdt@depth@0ms","data":{…}}`), a REST depth
//! snapshot (`{"lastUpdateId":…,"bids":…,"asks":…}`), and the answer to a subscription
//! request (`{"result":null,"id":1}`, or `{"error":{…}}`). Event kinds: `depthUpdate`,
//! `bookTicker`, `trade`. Unknown fields are ignored; a known field given twice is refused.
//!
//! Exactness: prices and sizes arrive as decimal strings and go straight into fixed-point
//! [`Price`]/[`Qty`] (1e-8 units) — never through `f64`. Ids and times are JSON integers
//! read as `u64`; millisecond times become [`UnixNanos`] with an overflow check.
//!
//! Allocation: the parser keeps simd-json's buffers, its tape and the two level buffers of
//! depth frames between calls, so once they have grown to the largest frame seen, parsing
//! allocates nothing (the symbol borrows the frame's own bytes). simd-json parses in place:
//! the frame buffer is scribbled on (string unescaping) and must not be reused as JSON.

use super::error::{Expected, ParseError};
use super::events::{BookTicker, DepthDiff, DepthSnapshot, Event, PriceLevel, TradePrint};
use crate::types::{Price, Qty, UnixNanos};
use simd_json::base::{ValueAsScalar, ValueIntoString};
use simd_json::tape::{Object, Tape, Value};
use simd_json::Buffers;

/// Input buffer the parser reserves up front: larger than every stream frame; a 1000-level
/// REST snapshot (~42 KB) fits too.
const DEFAULT_FRAME_BYTES: usize = 64 * 1024;
/// Levels per side reserved up front: a 1000-level REST snapshot; diffs carry far fewer.
const DEFAULT_LEVELS_PER_SIDE: usize = 1024;
const NANOS_PER_MILLI: u64 = 1_000_000;

/// Reusable frame parser (one per feed connection; not shared between threads).
pub struct Parser {
    buffers: Buffers,
    /// simd-json's tape, kept empty between calls so its allocation is reused.
    tape: Tape<'static>,
    bids: Vec<PriceLevel>,
    asks: Vec<PriceLevel>,
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Parser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parser").field("bids_capacity", &self.bids.capacity()).finish_non_exhaustive()
    }
}

/// Everything of an event but its level lists, which stay in the parser's buffers.
enum Header<'a> {
    Diff(DepthDiff<'a>),
    Snapshot(DepthSnapshot<'a>),
    Ticker(BookTicker<'a>),
    Trade(TradePrint<'a>),
    Ack { id: u64 },
}

impl Parser {
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_FRAME_BYTES, DEFAULT_LEVELS_PER_SIDE)
    }

    /// A parser with room for frames of `frame_bytes` and `levels_per_side` depth levels
    /// before it first needs to grow a buffer.
    pub fn with_capacity(frame_bytes: usize, levels_per_side: usize) -> Self {
        Self {
            buffers: Buffers::new(frame_bytes),
            // A tape node per JSON value; a frame needs well under one node per 8 bytes.
            tape: Tape(Vec::with_capacity(frame_bytes / 8)),
            bids: Vec::with_capacity(levels_per_side),
            asks: Vec::with_capacity(levels_per_side),
        }
    }

    /// Parses one frame (the JSON only, without a recording's `<local_ns> ` prefix). The
    /// returned event borrows the parser and `frame` until the next call.
    pub fn parse<'a>(&'a mut self, frame: &'a mut [u8]) -> Result<Event<'a>, ParseError> {
        let mut tape: Tape<'a> = std::mem::replace(&mut self.tape, Tape(Vec::new())).reset();
        let header = match simd_json::fill_tape(frame, &mut self.buffers, &mut tape) {
            Ok(()) => read_frame(tape.as_value(), &mut self.bids, &mut self.asks),
            Err(e) if e.is_eof() => Err(ParseError::Truncated { offset_bytes: e.index() }),
            Err(e) => Err(ParseError::InvalidJson { offset_bytes: e.index() }),
        };
        self.tape = tape.reset();
        let (bids, asks) = (self.bids.as_slice(), self.asks.as_slice());
        Ok(match header? {
            Header::Diff(d) => Event::DepthDiff(DepthDiff { bids, asks, ..d }),
            Header::Snapshot(s) => Event::DepthSnapshot(DepthSnapshot { bids, asks, ..s }),
            Header::Ticker(t) => Event::BookTicker(t),
            Header::Trade(t) => Event::Trade(t),
            Header::Ack { id } => Event::SubscriptionAck { id },
        })
    }
}

/// Dispatches on the frame's shape. Level lists go to `bids`/`asks`; the returned header's
/// own level slices are empty placeholders.
fn read_frame<'a>(
    root: Value<'_, 'a>,
    bids: &mut Vec<PriceLevel>,
    asks: &mut Vec<PriceLevel>,
) -> Result<Header<'a>, ParseError> {
    let obj = root.as_object().ok_or(ParseError::NotAnObject)?;
    if let Some(data) = obj.get("data") {
        let event = data.as_object().ok_or(ParseError::WrongType { field: "data", expected: Expected::Object })?;
        return read_event(event, bids, asks);
    }
    if obj.get("e").is_some() {
        return read_event(obj, bids, asks);
    }
    if obj.get("lastUpdateId").is_some() {
        return read_snapshot(obj, bids, asks);
    }
    if let Some(error) = obj.get("error") {
        let code = error.as_object().and_then(|e| e.get("code")).and_then(|c| c.as_i64());
        return Err(ParseError::VenueError { code: code.ok_or(ParseError::MissingField { field: "error.code" })? });
    }
    if obj.get("result").is_some() {
        return Ok(Header::Ack { id: unsigned(obj.get("id"), "id")? });
    }
    Err(ParseError::UnknownFrame)
}

fn read_event<'a>(
    obj: Object<'_, 'a>,
    bids: &mut Vec<PriceLevel>,
    asks: &mut Vec<PriceLevel>,
) -> Result<Header<'a>, ParseError> {
    match string(obj.get("e"), "e")? {
        "depthUpdate" => read_diff(obj, bids, asks),
        "bookTicker" => read_ticker(obj),
        "trade" => read_trade(obj),
        other => Err(ParseError::unknown_event(other)),
    }
}

fn read_diff<'a>(
    obj: Object<'_, 'a>,
    bids: &mut Vec<PriceLevel>,
    asks: &mut Vec<PriceLevel>,
) -> Result<Header<'a>, ParseError> {
    let [s, e_ms, t_ms, first, last, prev, b, a] = pick(obj, ["s", "E", "T", "U", "u", "pu", "b", "a"])?;
    let diff = DepthDiff {
        symbol: string(s, "s")?,
        event_time: millis(e_ms, "E")?,
        transaction_time: millis(t_ms, "T")?,
        first_update_id: unsigned(first, "U")?,
        final_update_id: unsigned(last, "u")?,
        prev_final_update_id: unsigned(prev, "pu")?,
        bids: &[],
        asks: &[],
    };
    levels(b, "b", bids)?;
    levels(a, "a", asks)?;
    Ok(Header::Diff(diff))
}

fn read_snapshot<'a>(
    obj: Object<'_, 'a>,
    bids: &mut Vec<PriceLevel>,
    asks: &mut Vec<PriceLevel>,
) -> Result<Header<'a>, ParseError> {
    let [id, e_ms, t_ms, b, a] = pick(obj, ["lastUpdateId", "E", "T", "bids", "asks"])?;
    let snapshot = DepthSnapshot {
        last_update_id: unsigned(id, "lastUpdateId")?,
        event_time: e_ms.map(|v| millis(Some(v), "E")).transpose()?,
        transaction_time: t_ms.map(|v| millis(Some(v), "T")).transpose()?,
        bids: &[],
        asks: &[],
    };
    levels(b, "bids", bids)?;
    levels(a, "asks", asks)?;
    Ok(Header::Snapshot(snapshot))
}

fn read_ticker<'a>(obj: Object<'_, 'a>) -> Result<Header<'a>, ParseError> {
    let [s, id, e_ms, t_ms, b, bq, a, aq] = pick(obj, ["s", "u", "E", "T", "b", "B", "a", "A"])?;
    Ok(Header::Ticker(BookTicker {
        symbol: string(s, "s")?,
        update_id: unsigned(id, "u")?,
        event_time: millis(e_ms, "E")?,
        transaction_time: millis(t_ms, "T")?,
        bid_px: price(b, "b")?,
        bid_qty: qty(bq, "B")?,
        ask_px: price(a, "a")?,
        ask_qty: qty(aq, "A")?,
    }))
}

fn read_trade<'a>(obj: Object<'_, 'a>) -> Result<Header<'a>, ParseError> {
    let [s, id, e_ms, t_ms, p, q, m, x] = pick(obj, ["s", "t", "E", "T", "p", "q", "m", "X"])?;
    let is_market = match x {
        None => true,
        Some(v) => string(Some(v), "X")? == "MARKET",
    };
    Ok(Header::Trade(TradePrint {
        symbol: string(s, "s")?,
        trade_id: unsigned(id, "t")?,
        px: price(p, "p")?,
        qty: qty(q, "q")?,
        buyer_is_maker: m
            .ok_or(ParseError::MissingField { field: "m" })?
            .as_bool()
            .ok_or(ParseError::WrongType { field: "m", expected: Expected::Bool })?,
        is_market,
        event_time: millis(e_ms, "E")?,
        trade_time: millis(t_ms, "T")?,
    }))
}

/// Looks up `names` in one pass over `obj`; unknown keys are ignored, a repeated one refused.
fn pick<'t, 'a, const N: usize>(
    obj: Object<'t, 'a>,
    names: [&'static str; N],
) -> Result<[Option<Value<'t, 'a>>; N], ParseError> {
    let mut found = [None; N];
    for (key, value) in obj.iter() {
        if let Some(i) = names.iter().position(|&n| n == key) {
            if found[i].is_some() {
                return Err(ParseError::DuplicateField { field: names[i] });
            }
            found[i] = Some(value);
        }
    }
    Ok(found)
}

fn required<'t, 'a>(value: Option<Value<'t, 'a>>, field: &'static str) -> Result<Value<'t, 'a>, ParseError> {
    value.ok_or(ParseError::MissingField { field })
}

fn string<'a>(value: Option<Value<'_, 'a>>, field: &'static str) -> Result<&'a str, ParseError> {
    required(value, field)?.into_string().ok_or(ParseError::WrongType { field, expected: Expected::String })
}

fn unsigned(value: Option<Value<'_, '_>>, field: &'static str) -> Result<u64, ParseError> {
    required(value, field)?.as_u64().ok_or(ParseError::WrongType { field, expected: Expected::UnsignedInteger })
}

fn millis(value: Option<Value<'_, '_>>, field: &'static str) -> Result<UnixNanos, ParseError> {
    let ms = unsigned(value, field)?;
    ms.checked_mul(NANOS_PER_MILLI).map(UnixNanos).ok_or(ParseError::OutOfRange { field })
}

/// A strictly positive price from a decimal string.
fn price_text(text: &str, field: &'static str) -> Result<Price, ParseError> {
    let px = Price::parse(text).map_err(|source| ParseError::BadNumber { field, source })?;
    if px.units() <= 0 {
        return Err(ParseError::OutOfRange { field });
    }
    Ok(px)
}

/// A non-negative size from a decimal string (zero is meaningful: "remove the level").
fn qty_text(text: &str, field: &'static str) -> Result<Qty, ParseError> {
    let q = Qty::parse(text).map_err(|source| ParseError::BadNumber { field, source })?;
    if q.units() < 0 {
        return Err(ParseError::OutOfRange { field });
    }
    Ok(q)
}

fn price(value: Option<Value<'_, '_>>, field: &'static str) -> Result<Price, ParseError> {
    price_text(string(value, field)?, field)
}

fn qty(value: Option<Value<'_, '_>>, field: &'static str) -> Result<Qty, ParseError> {
    qty_text(string(value, field)?, field)
}

/// Reads an array of `["px","qty"]` pairs into `out` (cleared first).
fn levels(value: Option<Value<'_, '_>>, field: &'static str, out: &mut Vec<PriceLevel>) -> Result<(), ParseError> {
    out.clear();
    let list = required(value, field)?.as_array().ok_or(ParseError::WrongType { field, expected: Expected::Array })?;
    for (index, level) in list.iter().enumerate() {
        let bad = || ParseError::BadLevel { field, index };
        let pair = level.as_array().ok_or_else(bad)?;
        let mut items = pair.iter();
        let (Some(px), Some(q), None) = (items.next(), items.next(), items.next()) else {
            return Err(bad());
        };
        let (Some(px), Some(q)) = (px.as_str(), q.as_str()) else {
            return Err(bad());
        };
        out.push(PriceLevel { px: price_text(px, field)?, qty: qty_text(q, field)? });
    }
    Ok(())
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
