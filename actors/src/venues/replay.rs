//! Replay: a recording of Hyperliquid frames as the simulated venue's market source.
//!
//! Frames are read lazily and parsed exactly (the same parser as the live feed); book
//! snapshots, BBO updates and trades become market events at their receive time, mapped to
//! the runtime clock: `t = (local_ns − first local_ns) / speed`. Frames become events as
//! they do live (`market_frames`), subscribe-time trade replays included. Bad lines and malformed frames are counted and
//! skipped (the first few logged); the replay never stops on them.

use super::hyperliquid::market_frames::{market_events, TradeReplayFilter};
use super::recording::{RecordingError, RecordingReader};
use engine::hyperliquid::{CoinTable, Parser};
use engine::market::{MarketEvent, MarketSource, SourceCounters};
use engine::types::Nanos;
use std::collections::VecDeque;
use std::path::Path;

/// Malformed frames logged individually before the replay goes quiet about them.
const LOGGED_BAD_FRAMES: u64 = 5;
/// Events one frame can expand to before the queue grows (a trades frame holds many prints).
const QUEUE_CAPACITY: usize = 256;

pub struct ReplayMarket {
    reader: RecordingReader,
    /// The current frame's bytes, reused (the parser needs a mutable copy anyway).
    line: Vec<u8>,
    parser: Parser,
    speed: f64,
    first_local_ns: Option<u64>,
    queue: VecDeque<(Nanos, MarketEvent)>,
    ended: bool,
    replays: TradeReplayFilter,
    counters: SourceCounters,
}

impl ReplayMarket {
    /// `speed` recorded seconds per runtime second (1.0 = as recorded); must be positive.
    pub fn open(path: &Path, coins: CoinTable, speed: f64) -> Result<ReplayMarket, RecordingError> {
        let reader = RecordingReader::open(path)?;
        let coin_count = coins.len();
        let mut market = ReplayMarket {
            reader,
            line: Vec::new(),
            parser: Parser::new(coins),
            speed: if speed > 0.0 && speed.is_finite() { speed } else { 1.0 },
            first_local_ns: None,
            queue: VecDeque::with_capacity(QUEUE_CAPACITY),
            ended: false,
            replays: TradeReplayFilter::new(coin_count),
            counters: SourceCounters::default(),
        };
        market.refill();
        Ok(market)
    }

    /// Reads frames until one yields an event or the recording ends.
    fn refill(&mut self) {
        while self.queue.is_empty() && !self.ended {
            let local_ns = match self.reader.next_frame() {
                None => {
                    self.ended = true;
                    return;
                }
                Some(Err(RecordingError::BadLine { line })) => {
                    self.counters.bad_lines += 1;
                    tracing::warn!(line, "replay: malformed recording line skipped");
                    continue;
                }
                Some(Err(e)) => {
                    tracing::error!("replay: {e}; ending the replay");
                    self.ended = true;
                    return;
                }
                Some(Ok(frame)) => {
                    self.line.clear();
                    self.line.extend_from_slice(frame.frame.as_bytes());
                    frame.local_ns
                }
            };
            self.counters.frames += 1;
            let first = *self.first_local_ns.get_or_insert(local_ns);
            let at = Nanos::from_secs_f64(local_ns.saturating_sub(first) as f64 / 1e9 / self.speed);
            self.enqueue(at);
        }
    }

    fn enqueue(&mut self, at: Nanos) {
        let parsed = match self.parser.parse(&self.line) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.counters.bad_frames += 1;
                if self.counters.bad_frames <= LOGGED_BAD_FRAMES {
                    tracing::warn!(error = %e, "replay: malformed frame skipped");
                }
                return;
            }
        };
        let queue = &mut self.queue;
        market_events(parsed, &mut self.replays, &mut self.counters, |event| queue.push_back((at, event)));
    }
}

impl MarketSource for ReplayMarket {
    fn next_event_time(&self) -> Option<Nanos> {
        self.queue.front().map(|(at, _)| *at)
    }

    fn pop_due(&mut self, now: Nanos) -> Option<(Nanos, MarketEvent)> {
        if self.queue.front().is_some_and(|(at, _)| *at <= now) {
            let event = self.queue.pop_front();
            self.refill();
            return event;
        }
        None
    }

    fn counters(&self) -> SourceCounters {
        self.counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTURE: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");

    fn drain(market: &mut ReplayMarket) -> Vec<(Nanos, MarketEvent)> {
        let mut events = Vec::new();
        while let Some(t) = market.next_event_time() {
            events.push(market.pop_due(t).expect("due at its own time"));
        }
        events
    }

    #[test]
    fn replays_the_real_capture_in_time_order_without_the_subscribe_replay() {
        let coins = CoinTable::new(["BTC"]).unwrap();
        let mut market = ReplayMarket::open(Path::new(CAPTURE), coins, 1.0).unwrap();
        let events = drain(&mut market);
        let books = events.iter().filter(|(_, e)| matches!(e, MarketEvent::Book(_))).count();
        let trades = events.iter().filter(|(_, e)| matches!(e, MarketEvent::Trade(_))).count();
        let c = market.counters();
        assert_eq!(books, 46);
        assert_eq!(c.frames, 55);
        assert_eq!(trades as u64 + c.historical_trades, 64, "every print is played or counted historical");
        assert!(c.historical_trades > 0, "the first trades frame is the subscribe replay");
        assert_eq!((c.bad_lines, c.bad_frames), (0, 0));
        assert!(events.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
        let span = events.last().unwrap().0.as_secs_f64();
        assert!((20.0..30.0).contains(&span), "about 25 s as recorded: {span}");
        // Twice the speed, half the span.
        let mut fast = ReplayMarket::open(Path::new(CAPTURE), CoinTable::new(["BTC"]).unwrap(), 2.0).unwrap();
        let fast_span = drain(&mut fast).last().unwrap().0.as_secs_f64();
        assert!((fast_span - span / 2.0).abs() < 1e-6);
    }

    #[test]
    fn unknown_coins_bad_lines_and_bad_frames_are_counted_and_skipped() {
        let dir = std::env::temp_dir().join(format!("hq-replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mixed.txt");
        let book = r#"{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[{"px":"100","sz":"1","n":1}],[{"px":"101","sz":"1","n":1}]]}}"#;
        let other = book.replace("BTC", "DOGE");
        let text = format!("1 {book}\nnot a line\n2 {{\"channel\":\"l2Book\",\"data\":[}}\n3 {other}\n4 {book}\n");
        std::fs::write(&path, text).unwrap();
        let mut market = ReplayMarket::open(&path, CoinTable::new(["BTC"]).unwrap(), 1.0).unwrap();
        assert_eq!(drain(&mut market).len(), 2);
        let c = market.counters();
        assert_eq!((c.frames, c.bad_lines, c.bad_frames, c.unknown_coin), (4, 1, 1, 1));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
