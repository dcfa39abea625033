//! Recorded market: a recording of one venue's frames played back as a market source.
//!
//! Every venue's recording is the same file (`<local_ns> <frame>` lines, [`RecordingReader`])
//! and plays the same way; only what a frame means differs. So the playback is written once,
//! here, and a venue supplies a [`FrameDecoder`] — its live feed's parser plus whatever state
//! turns frames into [`MarketEvent`]s (a trade-replay filter, a depth book).
//!
//! Frames are read lazily, one at a time and only when the queue of due events runs dry, and
//! become events at their receive time mapped to the runtime clock:
//! `t = (local_ns − first local_ns) / speed`. Bad lines and frames the decoder refuses are
//! counted and skipped (the first few logged); the replay never stops on them, only at the end
//! of the file or on an I/O error. Nothing is allocated per frame once the line buffer has
//! grown to the longest line and the queue to the most events one frame makes.

use super::recording::{RecordingError, RecordingReader};
use engine::market::{MarketEvent, MarketSource, SourceCounters};
use engine::types::Nanos;
use std::collections::VecDeque;
use std::fmt;
use std::path::Path;

/// Bad lines logged individually before the replay goes quiet about them.
const LOGGED_BAD_LINES: u64 = 5;
/// Malformed frames logged individually before the replay goes quiet about them.
const LOGGED_BAD_FRAMES: u64 = 5;

/// One venue's frames → market events: what a [`RecordedMarket`] needs to know of a venue.
pub trait FrameDecoder: Send {
    /// The venue, as the replay's log lines name it.
    const VENUE: &'static str;
    /// Events the queue holds before it grows: the most one frame makes in practice.
    const QUEUE_CAPACITY: usize;
    /// A frame the venue's parser refused; counted as `bad_frames` and logged by the market.
    type Error: fmt::Display;

    /// Emits the market events of one frame, in order, and counts in `counters` the frames
    /// or prints it could not use (`unknown_coin`, `unused_frames`, `historical_trades`).
    /// `frame` is a scratch copy the decoder may parse in place.
    fn decode(
        &mut self,
        frame: &mut [u8],
        counters: &mut SourceCounters,
        emit: impl FnMut(MarketEvent),
    ) -> Result<(), Self::Error>;
}

/// A recording played back through the decoder `D` (see the module doc).
///
/// Counters ([`SourceCounters`]): `frames` well-formed lines, `bad_lines` lines that were not
/// `<local_ns> <frame>`, `bad_frames` frames the decoder refused; the rest are the decoder's.
pub struct RecordedMarket<D> {
    reader: RecordingReader,
    /// The current frame's bytes, reused (parsers that work in place need a mutable copy).
    line: Vec<u8>,
    decoder: D,
    speed: f64,
    first_local_ns: Option<u64>,
    queue: VecDeque<(Nanos, MarketEvent)>,
    ended: bool,
    counters: SourceCounters,
}

impl<D: FrameDecoder> RecordedMarket<D> {
    /// Plays the recording at `path` through `decoder`. `speed` recorded seconds per runtime
    /// second (1.0 = as recorded); a speed that is not positive and finite plays as recorded.
    pub fn open_with(path: &Path, decoder: D, speed: f64) -> Result<Self, RecordingError> {
        Self::open_from(path, decoder, speed, None)
    }

    /// [`open_with`](Self::open_with), with runtime time zero at receive time `origin_local_ns`
    /// instead of the recording's first frame: a later file of a sequence plays at its place
    /// on the first file's clock.
    pub fn open_from(
        path: &Path,
        decoder: D,
        speed: f64,
        origin_local_ns: Option<u64>,
    ) -> Result<Self, RecordingError> {
        let mut market = RecordedMarket {
            reader: RecordingReader::open(path)?,
            line: Vec::new(),
            decoder,
            speed: if speed > 0.0 && speed.is_finite() { speed } else { 1.0 },
            first_local_ns: origin_local_ns,
            queue: VecDeque::with_capacity(D::QUEUE_CAPACITY),
            ended: false,
            counters: SourceCounters::default(),
        };
        market.refill();
        Ok(market)
    }

    /// The decoder, for its venue-specific state and counters.
    pub fn decoder(&self) -> &D {
        &self.decoder
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
                    if self.counters.bad_lines <= LOGGED_BAD_LINES {
                        tracing::warn!(venue = D::VENUE, line, "replay: malformed recording line skipped");
                    }
                    continue;
                }
                Some(Err(e)) => {
                    tracing::error!(venue = D::VENUE, "replay: {e}; ending the replay");
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
            let queue = &mut self.queue;
            let decoded = self.decoder.decode(&mut self.line, &mut self.counters, |event| queue.push_back((at, event)));
            if let Err(e) = decoded {
                self.counters.bad_frames += 1;
                if self.counters.bad_frames <= LOGGED_BAD_FRAMES {
                    tracing::warn!(venue = D::VENUE, error = %e, "replay: malformed frame skipped");
                }
            }
        }
    }
}

impl<D: FrameDecoder> MarketSource for RecordedMarket<D> {
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
    use engine::market::Bbo;
    use engine::types::{CoinId, UnixNanos};

    /// A frame `n` makes `n` events (empty BBOs of coin `n`); anything else is refused.
    struct Counting;

    impl FrameDecoder for Counting {
        const VENUE: &'static str = "test";
        const QUEUE_CAPACITY: usize = 1;
        type Error = String;

        fn decode(
            &mut self,
            frame: &mut [u8],
            _: &mut SourceCounters,
            mut emit: impl FnMut(MarketEvent),
        ) -> Result<(), String> {
            let text = std::str::from_utf8(frame).unwrap();
            let n: u8 = text.parse().map_err(|_| format!("not a count: {text}"))?;
            let bbo = Bbo { coin: CoinId(n), exchange_time: UnixNanos(0), bid: None, ask: None };
            (0..n).for_each(|_| emit(MarketEvent::Bbo(bbo)));
            Ok(())
        }
    }

    #[test]
    fn plays_frames_at_their_scaled_receive_time_skipping_what_makes_nothing() {
        let dir = std::env::temp_dir().join(format!("hq-recorded-market-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("counts.txt");
        std::fs::write(&path, "1000000000 2\nnot a line\n1500000000 0\n2000000000 x\n5000000000 1\n").unwrap();
        let mut market = RecordedMarket::open_with(&path, Counting, 2.0).unwrap();
        assert_eq!(market.next_event_time(), Some(Nanos::ZERO));
        assert!(market.pop_due(Nanos::ZERO).is_some() && market.pop_due(Nanos::ZERO).is_some());
        // The empty and the refused frame are read past; the last one plays at 4 s / 2.
        let last = Nanos::from_secs_f64(2.0);
        assert_eq!(market.next_event_time(), Some(last));
        assert_eq!(market.pop_due(Nanos::from_secs_f64(1.9)), None, "not yet due");
        assert!(matches!(market.pop_due(last), Some((at, MarketEvent::Bbo(b))) if at == last && b.coin == CoinId(1)));
        assert_eq!(market.next_event_time(), None, "ended");
        let c = market.counters();
        assert_eq!((c.frames, c.bad_lines, c.bad_frames), (4, 1, 1));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
