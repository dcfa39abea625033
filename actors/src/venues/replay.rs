//! Replay of Hyperliquid recordings: the [`FrameDecoder`] that makes a [`RecordedMarket`]
//! play Hyperliquid frames.
//!
//! Frames are parsed exactly (the same parser as the live feed) and become events as they do
//! live (`market_frames`): book snapshots, BBO updates, trades and asset contexts, with the
//! subscribe-time trade replays counted as historical, not played. The playback itself —
//! lazy reading, the speed mapping, bad lines — is [`RecordedMarket`]'s.

use super::hyperliquid::market_frames::{market_events, TradeReplayFilter};
use super::recorded_market::{FrameDecoder, RecordedMarket};
use super::recording::RecordingError;
use engine::hyperliquid::{CoinTable, FrameError, Parser};
use engine::market::{MarketEvent, SourceCounters};
use std::path::Path;

/// A Hyperliquid recording as a market source.
pub type ReplayMarket = RecordedMarket<HyperliquidDecoder>;

/// Hyperliquid frames → market events, for the coins of one [`CoinTable`].
pub struct HyperliquidDecoder {
    parser: Parser,
    replays: TradeReplayFilter,
}

impl HyperliquidDecoder {
    pub fn new(coins: CoinTable) -> Self {
        let replays = TradeReplayFilter::new(coins.len());
        HyperliquidDecoder { parser: Parser::new(coins), replays }
    }
}

impl FrameDecoder for HyperliquidDecoder {
    const VENUE: &'static str = "hyperliquid";
    /// A trades frame holds many prints.
    const QUEUE_CAPACITY: usize = 256;
    type Error = FrameError;

    fn decode(
        &mut self,
        frame: &mut [u8],
        counters: &mut SourceCounters,
        emit: impl FnMut(MarketEvent),
    ) -> Result<(), FrameError> {
        market_events(self.parser.parse(frame)?, &mut self.replays, counters, emit);
        Ok(())
    }
}

impl ReplayMarket {
    /// Replays the recording at `path` for `coins`. `speed` recorded seconds per runtime
    /// second (1.0 = as recorded); a speed that is not positive and finite plays as recorded.
    pub fn open(path: &Path, coins: CoinTable, speed: f64) -> Result<ReplayMarket, RecordingError> {
        RecordedMarket::open_with(path, HyperliquidDecoder::new(coins), speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::market::MarketSource;
    use engine::types::Nanos;

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
