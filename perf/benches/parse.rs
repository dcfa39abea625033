//! Parse throughput on the real frames of the recorded BTC capture
//! (`shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz`: 46 `l2Book` and 9
//! `trades` frames), `l2Book` and `trades` apart, the parse paths side by side:
//!
//! - `ours`: `engine::hyperliquid::Parser` (simd-json tape), one parser reused across frames
//!   as in production; prices and sizes exact fixed-point, hashes and addresses as bytes.
//! - `serde_derive_fixed`: a plain serde_json derive of the same frames (borrowed `&str`
//!   fields, the envelope adjacently tagged so `data` is read in the same pass once `channel`
//!   has been seen), then converted to exactly the engine types our parser makes; the setup
//!   asserts both give equal frames. `serde_derive_only` is the derive without the conversion.
//! - `simd_json_tape_only`: what `ours` spends before reading the tape (copy into the padded
//!   input, simd-json's `fill_tape` with reused buffers): where our time goes.
//! - `sdk_message`: the official SDK's `hyperliquid_rust_sdk::Message` through
//!   `serde_json::from_slice`, as its WebSocket manager does; prices, sizes, coins and hashes
//!   stay owned `String`s, so its output is not comparable work, only a reference point.
//!
//! One iteration parses every frame of the kind once; throughput is in bytes of JSON.

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use engine::hyperliquid::{Address, Channel, CoinTable, Frame, Parser, TradePrint, Trades, TxHash};
use engine::market::{BookLevel, L2Book, Trade};
use engine::types::{CoinId, Price, Qty, Side, UnixNanos};
use serde::Deserialize;
use simd_json::tape::Tape;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CAPTURE_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");

fn coins() -> CoinTable {
    CoinTable::new(["BTC"]).expect("one coin")
}

/// The capture's frames as the socket hands them over, by channel.
struct Capture {
    books: Vec<Vec<u8>>,
    trades: Vec<Vec<u8>>,
}

/// Reads the capture; panics if it is missing or not the 46 + 9 frames this bench reports on.
fn capture() -> Capture {
    let file = std::fs::File::open(CAPTURE_PATH)
        .unwrap_or_else(|e| panic!("capture missing at {CAPTURE_PATH} (shared/ must sit beside the repo): {e}"));
    let mut parser = Parser::new(coins());
    let mut capture = Capture { books: Vec::new(), trades: Vec::new() };
    for (n, line) in BufReader::new(flate2::read::GzDecoder::new(file)).lines().enumerate() {
        let line = line.unwrap_or_else(|e| panic!("capture line {n}: {e}"));
        let (_local_ns, json) =
            line.split_once(' ').unwrap_or_else(|| panic!("capture line {n}: not `<local_ns> <json>`"));
        let frame = parser.parse(json.as_bytes()).unwrap_or_else(|e| panic!("capture line {n}: {e}"));
        match frame.channel() {
            Channel::L2Book => capture.books.push(json.as_bytes().to_vec()),
            Channel::Trades => capture.trades.push(json.as_bytes().to_vec()),
            other => panic!("capture line {n}: unexpected channel {other}"),
        }
    }
    assert_eq!((capture.books.len(), capture.trades.len()), (46, 9), "the capture changed: update BENCHMARKS.md");
    capture
}

/// A frame as a plain serde derive reads it. Adjacently tagged: when `channel` comes before
/// `data` (as Hyperliquid sends it), serde reads `data` straight into its variant without
/// buffering it first (the SDK's internally tagged `Message` buffers the whole frame).
#[derive(Deserialize)]
#[serde(tag = "channel", content = "data", rename_all = "camelCase")]
enum WsFrame<'a> {
    L2Book(#[serde(borrow)] WsBook<'a>),
    Trades(#[serde(borrow)] Vec<WsTrade<'a>>),
}

#[derive(Deserialize)]
struct WsBook<'a> {
    coin: &'a str,
    time: u64,
    #[serde(borrow)]
    levels: [Vec<WsLevel<'a>>; 2],
}

#[derive(Deserialize)]
struct WsLevel<'a> {
    px: &'a str,
    sz: &'a str,
    n: u32,
}

#[derive(Deserialize)]
struct WsTrade<'a> {
    coin: &'a str,
    side: &'a str,
    px: &'a str,
    sz: &'a str,
    time: u64,
    hash: &'a str,
    tid: u64,
    #[serde(borrow, default)]
    users: Option<[&'a str; 2]>,
}

/// What a derived frame's field could not be converted to.
#[derive(Debug)]
struct Refused(&'static str);

/// The output buffers a conversion reuses, as our parser reuses its own.
struct Converter {
    coins: CoinTable,
    book: L2Book,
    prints: Vec<TradePrint>,
}

fn price(text: &str) -> Result<Price, Refused> {
    Price::parse(text).map_err(|_| Refused("px"))
}

fn qty(text: &str) -> Result<Qty, Refused> {
    Qty::parse(text).map_err(|_| Refused("sz"))
}

fn time_ms(ms: u64) -> Result<UnixNanos, Refused> {
    ms.checked_mul(1_000_000).map(UnixNanos).ok_or(Refused("time"))
}

impl Converter {
    fn new() -> Self {
        Self { coins: coins(), book: L2Book::empty(CoinId(0)), prints: Vec::new() }
    }

    /// The derived frame as the engine types our parser makes, exactly.
    fn convert(&mut self, frame: &WsFrame<'_>) -> Result<Frame<'_>, Refused> {
        match frame {
            WsFrame::L2Book(data) => {
                let Some(coin) = self.coins.resolve(data.coin) else {
                    return Ok(Frame::UnknownCoin(Channel::L2Book));
                };
                self.book.coin = coin;
                self.book.exchange_time = time_ms(data.time)?;
                for (side, out) in data.levels.iter().zip([&mut self.book.bids, &mut self.book.asks]) {
                    out.clear();
                    for level in side {
                        let level = BookLevel { px: price(level.px)?, sz: qty(level.sz)?, orders: level.n };
                        out.try_push(level).map_err(|_| Refused("more than MAX_BOOK_LEVELS levels"))?;
                    }
                }
                Ok(Frame::L2Book(&self.book))
            }
            WsFrame::Trades(data) => {
                self.prints.clear();
                let mut unknown_coin_trades = 0u32;
                for t in data {
                    let Some(coin) = self.coins.resolve(t.coin) else {
                        unknown_coin_trades = unknown_coin_trades.saturating_add(1);
                        continue;
                    };
                    let aggressor = match t.side {
                        "B" => Side::Bid,
                        "A" => Side::Ask,
                        _ => return Err(Refused("side")),
                    };
                    let trade = Trade {
                        coin,
                        aggressor,
                        px: price(t.px)?,
                        sz: qty(t.sz)?,
                        exchange_time: time_ms(t.time)?,
                        tid: t.tid,
                    };
                    let address = |text| Address::parse(text).ok_or(Refused("users"));
                    let users = match t.users {
                        Some([buyer, seller]) => Some([address(buyer)?, address(seller)?]),
                        None => None,
                    };
                    let hash = TxHash::parse(t.hash).ok_or(Refused("hash"))?;
                    self.prints.push(TradePrint { trade, hash, users });
                }
                if self.prints.is_empty() && unknown_coin_trades > 0 {
                    return Ok(Frame::UnknownCoin(Channel::Trades));
                }
                Ok(Frame::Trades(Trades { prints: &self.prints, unknown_coin_trades }))
            }
        }
    }
}

/// Every path accepts every frame, and the serde conversion equals our parse exactly.
fn check(frames: &[Vec<u8>]) {
    let (mut parser, mut converter) = (Parser::new(coins()), Converter::new());
    for json in frames {
        let ours = parser.parse(json).expect("ours");
        let derived: WsFrame<'_> = serde_json::from_slice(json).expect("serde derive");
        assert_eq!(
            ours,
            converter.convert(&derived).unwrap_or_else(|Refused(field)| panic!("conversion refused {field}")),
            "serde derive + conversion differs"
        );
        let sdk: hyperliquid_rust_sdk::Message = serde_json::from_slice(json).expect("SDK");
        match (ours, sdk) {
            (Frame::L2Book(_), hyperliquid_rust_sdk::Message::L2Book(_))
            | (Frame::Trades(_), hyperliquid_rust_sdk::Message::Trades(_)) => {}
            (ours, sdk) => panic!("SDK read another channel: ours {ours:?}, SDK {sdk:?}"),
        }
    }
}

/// simd-json's own part of `ours`: the copy into the padded input and `fill_tape`, with
/// buffers reused as the parser reuses them.
struct TapeOnly {
    input: Vec<u8>,
    buffers: simd_json::Buffers,
    tape: Tape<'static>,
}

// One frame through each path. Not inlined, so that `valgrind --tool=callgrind
// --toggle-collect=parse::frame_*` counts the instructions of exactly one path per frame.

#[inline(never)]
fn frame_ours(parser: &mut Parser, json: &[u8]) {
    let frame = parser.parse(json);
    black_box(&frame);
}

#[inline(never)]
fn frame_tape_only(t: &mut TapeOnly, json: &[u8]) {
    t.input.clear();
    t.input.extend_from_slice(json);
    let mut tape = std::mem::replace(&mut t.tape, Tape(Vec::new())).reset();
    let parsed = simd_json::fill_tape(&mut t.input, &mut t.buffers, &mut tape);
    black_box((&parsed, &tape));
    t.tape = tape.reset();
}

#[inline(never)]
fn frame_serde_fixed(converter: &mut Converter, json: &[u8]) {
    if let Ok(derived) = serde_json::from_slice::<WsFrame<'_>>(json) {
        let frame = converter.convert(&derived);
        black_box(&frame);
    }
}

#[inline(never)]
fn frame_serde_only(json: &[u8]) {
    let derived = serde_json::from_slice::<WsFrame<'_>>(json);
    black_box(&derived);
}

#[inline(never)]
fn frame_sdk(json: &[u8]) {
    let message = serde_json::from_slice::<hyperliquid_rust_sdk::Message>(json);
    black_box(&message);
}

/// One iteration: every frame of the kind through `one`.
fn path(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, frames: &[Vec<u8>], mut one: impl FnMut(&[u8])) {
    g.bench_function(name, |b| b.iter(|| frames.iter().for_each(|json| one(black_box(json)))));
}

fn bench_kind(c: &mut Criterion, kind: &str, frames: &[Vec<u8>]) {
    check(frames);
    let bytes: usize = frames.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group(format!("parse/{kind}"));
    g.sample_size(20)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::BytesDecimal(bytes as u64));
    let mut parser = Parser::new(coins());
    path(&mut g, "ours", frames, |json| frame_ours(&mut parser, json));
    let mut tape = TapeOnly { input: Vec::new(), buffers: simd_json::Buffers::default(), tape: Tape(Vec::new()) };
    path(&mut g, "simd_json_tape_only", frames, |json| frame_tape_only(&mut tape, json));
    let mut converter = Converter::new();
    path(&mut g, "serde_derive_fixed", frames, |json| frame_serde_fixed(&mut converter, json));
    path(&mut g, "serde_derive_only", frames, frame_serde_only);
    path(&mut g, "sdk_message", frames, frame_sdk);
    g.finish();
}

fn parse(c: &mut Criterion) {
    let capture = capture();
    bench_kind(c, "l2Book", &capture.books);
    bench_kind(c, "trades", &capture.trades);
}

criterion_group!(benches, parse);
criterion_main!(benches);
