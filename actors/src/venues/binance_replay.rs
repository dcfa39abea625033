//! Replay of Binance USD-M recordings: the [`FrameDecoder`] that makes a [`RecordedMarket`]
//! play one Binance symbol.
//!
//! The Binance twin of [`HyperliquidDecoder`](super::HyperliquidDecoder): frames are parsed
//! exactly (the live feed's [`Parser`]); the playback itself — lazy reading, the speed mapping
//! `t = (local_ns − first local_ns) / speed`, bad lines — is [`RecordedMarket`]'s.
//!
//! Binance sends diffs, not books, so the frames go through a [`DepthBook`] first:
//! - `depthUpdate` (and a REST snapshot, if the recording holds one) updates the book; once
//!   the book is synced, each applied update emits [`MarketEvent::Book`], its top 20 levels;
//! - `bookTicker` is laid over the book's top; once synced, each applied ticker emits
//!   [`MarketEvent::Bbo`];
//! - a `trade` print emits [`MarketEvent::Trade`] for the coin the symbol stands for.
//!
//! Until the book is synced — it warms up from the diffs alone when there is no snapshot,
//! and again after a sequence gap, a crossed book or a failed ticker check, all handled by
//! [`DepthBook`] — depth and ticker frames emit nothing. Frames that emit nothing are counted
//! (see [`BinanceDecoder`]); malformed frames are counted and skipped by the market.
//!
//! One symbol a replay: frames of other symbols are counted as `unknown_coin`. Nothing is
//! allocated per frame: the parser, the book and the exported [`L2Book`] are reused, and a
//! frame makes at most one event.

use super::recorded_market::{FrameDecoder, RecordedMarket};
use super::recording::RecordingError;
use engine::binance::{DepthBook, DepthBookConfig, DepthCounters, DiffOutcome, Event, ParseError, Parser};
use engine::binance::{SnapshotOutcome, TickerOutcome};
use engine::market::{L2Book, MarketEvent, SourceCounters};
use engine::types::CoinId;
use std::path::Path;

/// Book resets (gaps, crossed books, ticker desyncs) logged individually.
const LOGGED_RESETS: u64 = 5;

/// A Binance USD-M recording of one symbol as a market source.
pub type BinanceReplayMarket = RecordedMarket<BinanceDecoder>;

/// Binance USD-M frames of one symbol → market events for the engine's coin `coin`.
///
/// Counters ([`SourceCounters`]): `bad_frames` as for any source (an event type other than
/// the three above is *not* bad, see next); `unknown_coin` frames of another symbol;
/// `unused_frames` well-formed frames of this symbol that made no event — depth and ticker
/// frames while the book warms up or that changed nothing (stale), REST snapshots that were
/// not applied, liquidation and ADL prints (not order flow: `TradePrint::is_market`),
/// subscription answers and event types the source does not use. The book's own counters
/// (gaps, resets, warm-ups) are [`depth_counters`](BinanceReplayMarket::depth_counters).
pub struct BinanceDecoder {
    parser: Parser,
    symbol: String,
    book: DepthBook,
    /// The book's export, reused; each `Book` event is a copy of it (no heap).
    exported: L2Book,
    resets_logged: u64,
}

impl BinanceDecoder {
    /// Decodes `symbol` (Binance's spelling, `"BTCUSDT"`; case-insensitive) as `coin`.
    pub fn new(symbol: &str, coin: CoinId) -> Self {
        let book = DepthBook::new(coin, DepthBookConfig::default()).expect("the default depth book config is valid");
        BinanceDecoder {
            parser: Parser::new(),
            symbol: symbol.to_ascii_uppercase(),
            book,
            exported: L2Book::empty(coin),
            resets_logged: 0,
        }
    }
}

impl FrameDecoder for BinanceDecoder {
    const VENUE: &'static str = "binance";
    /// A frame makes at most one event, and the queue is refilled only when empty.
    const QUEUE_CAPACITY: usize = 2;
    type Error = ParseError;

    fn decode(
        &mut self,
        frame: &mut [u8],
        counters: &mut SourceCounters,
        mut emit: impl FnMut(MarketEvent),
    ) -> Result<(), ParseError> {
        let resets_before = self.book.counters().resets;
        let event = match self.parser.parse(frame) {
            Ok(event) => event,
            Err(ParseError::UnknownEvent { .. }) => {
                counters.unused_frames += 1;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        if let Some(event) = market_event(event, &self.symbol, &mut self.book, &mut self.exported, counters) {
            emit(event);
        }
        if self.book.counters().resets > resets_before && self.resets_logged < LOGGED_RESETS {
            self.resets_logged += 1;
            tracing::warn!(counters = ?self.book.counters(), "binance replay: depth book dropped; warming up again");
        }
        Ok(())
    }
}

impl BinanceReplayMarket {
    /// Replays `symbol` (Binance's spelling, `"BTCUSDT"`; case-insensitive) from the
    /// recording at `path` as `coin`. `speed` recorded seconds per runtime second (1.0 = as
    /// recorded); a speed that is not positive and finite plays as recorded.
    pub fn open(path: &Path, symbol: &str, coin: CoinId, speed: f64) -> Result<Self, RecordingError> {
        RecordedMarket::open_with(path, BinanceDecoder::new(symbol, coin), speed)
    }

    /// The depth book's counters: diffs applied, gaps, resets, warm-ups, ticker checks.
    pub fn depth_counters(&self) -> &DepthCounters {
        self.decoder().book.counters()
    }
}

/// The market event one parsed frame makes, if any; counts the frames that make none.
fn market_event(
    event: Event<'_>,
    symbol: &str,
    book: &mut DepthBook,
    exported: &mut L2Book,
    counters: &mut SourceCounters,
) -> Option<MarketEvent> {
    let frame_symbol = match &event {
        Event::DepthDiff(d) => Some(d.symbol),
        Event::BookTicker(t) => Some(t.symbol),
        Event::Trade(t) => Some(t.symbol),
        Event::DepthSnapshot(_) | Event::SubscriptionAck { .. } => None,
    };
    if frame_symbol.is_some_and(|s| s != symbol) {
        counters.unknown_coin += 1;
        return None;
    }
    let made = match event {
        Event::DepthDiff(diff) => match book.apply_diff(&diff) {
            DiffOutcome::Applied => book.export_book(exported).then(|| MarketEvent::Book(exported.clone())),
            _ => None,
        },
        Event::DepthSnapshot(snapshot) => match book.apply_snapshot(&snapshot) {
            SnapshotOutcome::Applied { .. } => book.export_book(exported).then(|| MarketEvent::Book(exported.clone())),
            _ => None,
        },
        Event::BookTicker(ticker) => match book.apply_book_ticker(&ticker) {
            TickerOutcome::Applied => book.bbo().map(MarketEvent::Bbo),
            _ => None,
        },
        Event::Trade(print) => print.is_market.then(|| MarketEvent::Trade(print.to_trade(book.coin()))),
        Event::SubscriptionAck { .. } => None,
    };
    if made.is_none() {
        counters.unused_frames += 1;
    }
    made
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::recording::{RecordingReader, RecordingWriter};
    use engine::binance::{SyncSource, SyncState};
    use engine::market::MarketSource;
    use engine::types::Nanos;
    use std::time::Instant;

    const CAPTURE: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/usdm_btcusdt_20240808.gz");
    const BTC: CoinId = CoinId(0);

    fn drain(market: &mut BinanceReplayMarket) -> Vec<(Nanos, MarketEvent)> {
        let mut events = Vec::new();
        while let Some(t) = market.next_event_time() {
            events.push(market.pop_due(t).expect("due at its own time"));
        }
        events
    }

    /// What a plain read of the capture says, to hold the replay against.
    struct Direct {
        first_ns: u64,
        last_ns: u64,
        trade_lines: u64,
        /// Receive time of the REST snapshot (the capture holds one, at line 55).
        snapshot_ns: u64,
    }

    fn read_directly(path: &Path) -> Direct {
        let mut reader = RecordingReader::open(path).unwrap();
        let mut d = Direct { first_ns: 0, last_ns: 0, trade_lines: 0, snapshot_ns: 0 };
        while let Some(frame) = reader.next_frame() {
            let frame = frame.unwrap();
            if d.first_ns == 0 {
                d.first_ns = frame.local_ns;
            }
            d.last_ns = frame.local_ns;
            d.trade_lines += u64::from(frame.frame.contains(r#""e":"trade""#));
            if d.snapshot_ns == 0 && frame.frame.contains("lastUpdateId") {
                d.snapshot_ns = frame.local_ns;
            }
        }
        d
    }

    fn assert_uncrossed(events: &[(Nanos, MarketEvent)]) {
        for (at, event) in events {
            match event {
                MarketEvent::Book(b) => assert!(b.is_two_sided() && b.bids.len() == 20 && b.asks.len() == 20, "{at:?}"),
                MarketEvent::Bbo(b) => {
                    let (bid, ask) = (b.bid.expect("bid"), b.ask.expect("ask"));
                    assert!(bid.px < ask.px, "crossed bbo at {at:?}");
                }
                MarketEvent::Trade(t) => assert!(t.coin == BTC && t.px.units() > 0 && t.sz.units() > 0),
                MarketEvent::AssetCtx(_) => panic!("binance replays no asset context"),
            }
        }
    }

    #[test]
    fn replays_the_real_capture_in_time_order_uncrossed() {
        let path = Path::new(CAPTURE);
        assert!(path.exists(), "missing test data {CAPTURE}");
        let direct = read_directly(path);
        let started = Instant::now();
        let mut market = BinanceReplayMarket::open(path, "btcusdt", BTC, 1.0).unwrap();
        let events = drain(&mut market);
        println!("drained {} events in {:.2?}", events.len(), started.elapsed());

        let count = |f: fn(&MarketEvent) -> bool| events.iter().filter(|(_, e)| f(e)).count() as u64;
        let books = count(|e| matches!(e, MarketEvent::Book(_)));
        let bbos = count(|e| matches!(e, MarketEvent::Bbo(_)));
        let trades = count(|e| matches!(e, MarketEvent::Trade(_)));
        let (c, d) = (market.counters(), market.depth_counters());
        println!("{books} books, {bbos} bbos, {trades} trades; {c:?}; {d:?}");
        assert_eq!(c.frames, 93_954);
        assert_eq!((c.bad_lines, c.bad_frames, c.unknown_coin), (0, 0, 0));
        assert_eq!(trades, direct.trade_lines, "every print of the tape is played");
        assert_eq!(trades, 21_313);
        assert_eq!(books + bbos + trades + c.unused_frames, c.frames, "a frame makes one event or is counted");
        // The capture has no gap; the book is bridged to its one snapshot and stays synced.
        assert_eq!((d.gaps, d.resets, d.snapshots_applied, d.warmups_completed), (0, 0, 1, 0));
        assert!(books > 6_000 && bbos > 60_000, "after sync, nearly every diff and ticker shows");
        assert!(events.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
        assert_uncrossed(&events);
        // Nothing book-related before the book is synced: only trades precede the first book.
        let first_book = events.iter().position(|(_, e)| matches!(e, MarketEvent::Book(_))).unwrap();
        assert!(events[..first_book].iter().all(|(_, e)| matches!(e, MarketEvent::Trade(_))));
        let snapshot_at = Nanos::from_secs_f64((direct.snapshot_ns - direct.first_ns) as f64 / 1e9);
        assert!(events[first_book].0 >= snapshot_at, "the first book is the bridged snapshot or later");

        let span = events.last().unwrap().0.as_secs_f64();
        let recorded = (direct.last_ns - direct.first_ns) as f64 / 1e9;
        assert!((340.0..350.0).contains(&span), "about 345 s as recorded: {span}");
        assert!((span - recorded).abs() < 1e-3, "the last frame makes an event: {span} vs {recorded}");
        // Twice the speed, half the span.
        let mut fast = BinanceReplayMarket::open(path, "BTCUSDT", BTC, 2.0).unwrap();
        let fast_span = drain(&mut fast).last().unwrap().0.as_secs_f64();
        assert!((fast_span - span / 2.0).abs() < 1e-6, "{fast_span} vs {span}");
    }

    /// The capture without its snapshot, cut after the diff warm-up completes: books start
    /// only once `warmup_min_diffs` diffs were applied, from the diffs alone.
    #[test]
    fn without_a_snapshot_books_start_after_the_diff_warm_up() {
        const PREFIX_DIFFS: u64 = 700;
        let dir = std::env::temp_dir().join(format!("hq-binance-replay-warm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("no_snapshot.txt");
        let mut reader = RecordingReader::open(Path::new(CAPTURE)).unwrap();
        let mut writer = RecordingWriter::create(&path).unwrap();
        let warmup_diffs = DepthBookConfig::default().warmup_min_diffs;
        let (mut first_ns, mut diffs, mut warm_diff_ns) = (None, 0, 0);
        while diffs < PREFIX_DIFFS {
            let frame = reader.next_frame().expect("capture longer than the prefix").unwrap();
            if frame.frame.contains("lastUpdateId") {
                continue;
            }
            first_ns.get_or_insert(frame.local_ns);
            if frame.frame.contains(r#""e":"depthUpdate""#) {
                diffs += 1;
                if diffs == warmup_diffs {
                    warm_diff_ns = frame.local_ns;
                }
            }
            writer.write_frame(frame.local_ns, frame.frame).unwrap();
        }
        writer.finish().unwrap();

        let mut market = BinanceReplayMarket::open(&path, "BTCUSDT", BTC, 1.0).unwrap();
        let events = drain(&mut market);
        let d = market.depth_counters();
        assert_eq!((d.snapshots_applied, d.warmups_completed, d.gaps), (0, 1, 0));
        assert_eq!(market.decoder().book.state(), SyncState::Synced(SyncSource::Warmup));
        let first_book = events.iter().position(|(_, e)| !matches!(e, MarketEvent::Trade(_))).unwrap();
        assert!(matches!(events[first_book].1, MarketEvent::Book(_)), "a diff completes the warm-up");
        let warm_at = Nanos::from_secs_f64((warm_diff_ns - first_ns.unwrap()) as f64 / 1e9);
        assert!(events[first_book].0 >= warm_at, "no book before {warmup_diffs} diffs");
        assert!(market.counters().unused_frames >= warmup_diffs, "warm-up frames counted unused");
        assert!(events.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_uncrossed(&events);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_lines_bad_frames_and_other_symbols_are_counted_and_skipped() {
        let dir = std::env::temp_dir().join(format!("hq-binance-replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mixed.txt");
        let trade = r#"{"e":"trade","E":2,"T":1,"s":"BTCUSDT","t":7,"p":"61800.3","q":"0.006","X":"MARKET","m":true}"#;
        let lines = [
            format!("10 {trade}"),
            "not a line".to_string(),
            r#"11 {"e":"trade","E":2,"T":1,"s":"BTCUSDT","t":8,"p":"61800.3"#.to_string(), // cut off
            r#"12 {"e":"trade","E":2,"T":1,"s":"BTCUSDT","t":9,"p":"-1","q":"1","m":true}"#.to_string(), // bad price
            format!("13 {}", trade.replace("BTCUSDT", "ETHUSDT")),
            format!("14 {}", trade.replace("MARKET", "ADL")),
            r#"15 {"e":"aggTrade","s":"BTCUSDT"}"#.to_string(),
            r#"16 {"result":null,"id":1}"#.to_string(),
            // Before warm-up: the book takes the diff and the ticker but shows neither.
            r#"17 {"e":"depthUpdate","E":3,"T":3,"s":"BTCUSDT","U":1,"u":2,"pu":0,"b":[["100.0","1"]],"a":[["101.0","1"]]}"#.to_string(),
            r#"18 {"e":"bookTicker","u":2,"s":"BTCUSDT","b":"100.0","B":"1","a":"101.0","A":"1","T":3,"E":3}"#.to_string(),
            format!("1000000010 {{\"stream\":\"btcusdt@trade\",\"data\":{}}}", trade.replace("\"t\":7", "\"t\":10")),
        ];
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let mut market = BinanceReplayMarket::open(&path, "BTCUSDT", CoinId(3), 1.0).unwrap();
        let events = drain(&mut market);
        let tids: Vec<_> = events
            .iter()
            .map(|(at, e)| match e {
                MarketEvent::Trade(t) => (at.as_secs_f64(), t.coin, t.tid),
                other => panic!("only trades: {other:?}"),
            })
            .collect();
        assert_eq!(tids, vec![(0.0, CoinId(3), 7), (1.0, CoinId(3), 10)]);
        let c = market.counters();
        assert_eq!((c.frames, c.bad_lines, c.bad_frames, c.unknown_coin, c.unused_frames), (10, 1, 2, 1, 5));
        assert_eq!(market.depth_counters().diffs_applied, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
