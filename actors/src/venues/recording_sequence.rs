//! Several recordings played as one market, in time order (`--replay A --replay B`).
//!
//! Recordings are usually cut by hour or by day, so a backtest over a longer stretch reads
//! several files. They are ordered by their first receive time (probed when the sequence is
//! made, so a missing or empty file is an error before the run starts) and played one after
//! another on one clock: runtime time zero is the first file's first frame, and each later
//! file is opened — lazily, when the one before it ends, so memory stays one file's reader —
//! with that origin ([`RecordedMarket::open_from`](super::RecordedMarket::open_from)). A gap
//! between files is a gap in the market. Files that overlap in time cannot be merged frame
//! by frame without reading both at once; an event of a later file that is earlier than the
//! last event played is played at that last time instead (time never runs backwards) and
//! counted in [`late_events`](RecordingSequence::late_events), and the overlap is logged.

use super::recording::{RecordingError, RecordingStart, RecordingVenue};
use engine::market::{MarketEvent, MarketSource, SourceCounters};
use engine::types::Nanos;
use std::path::{Path, PathBuf};

/// Opens one file of the sequence, of the given venue, with runtime time zero at the given
/// receive time.
pub type RecordingOpener =
    Box<dyn FnMut(&Path, RecordingVenue, u64) -> Result<Box<dyn MarketSource>, RecordingError> + Send>;

/// Why a sequence could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SequenceError {
    #[error("no recording given")]
    Empty,
    #[error(transparent)]
    Recording(#[from] RecordingError),
    #[error("{0}: no well-formed line in the recording")]
    NoFrames(String),
    #[error("{first} is a {first_venue:?} recording but {other} is {other_venue:?}: one venue per replay")]
    MixedVenues { first: String, first_venue: RecordingVenue, other: String, other_venue: RecordingVenue },
}

pub struct RecordingSequence {
    /// The files still to open, latest first (popped from the back).
    pending: Vec<PathBuf>,
    current: Option<Box<dyn MarketSource>>,
    open: RecordingOpener,
    origin_local_ns: u64,
    /// Counters of the files already played to the end.
    finished: SourceCounters,
    last_at: Nanos,
    late_events: u64,
    venue: RecordingVenue,
}

impl RecordingSequence {
    /// Orders `paths` by their first receive time and opens the first. All must be of one venue.
    pub fn new(paths: &[PathBuf], open: RecordingOpener) -> Result<RecordingSequence, SequenceError> {
        let mut starts = Vec::with_capacity(paths.len());
        for path in paths {
            let start =
                RecordingStart::probe(path)?.ok_or_else(|| SequenceError::NoFrames(path.display().to_string()))?;
            starts.push((start, path.clone()));
        }
        starts.sort_by_key(|(start, _)| start.first_local_ns);
        let ((first, first_path), rest) = starts.split_first().ok_or(SequenceError::Empty)?;
        if let Some((other, other_path)) = rest.iter().find(|(s, _)| s.venue != first.venue) {
            return Err(SequenceError::MixedVenues {
                first: first_path.display().to_string(),
                first_venue: first.venue,
                other: other_path.display().to_string(),
                other_venue: other.venue,
            });
        }
        let mut sequence = RecordingSequence {
            pending: starts.iter().rev().map(|(_, path)| path.clone()).collect(),
            current: None,
            open,
            origin_local_ns: first.first_local_ns,
            finished: SourceCounters::default(),
            last_at: Nanos::ZERO,
            late_events: 0,
            venue: first.venue,
        };
        sequence.advance_file()?;
        Ok(sequence)
    }

    /// The venue of every file in the sequence.
    pub fn venue(&self) -> RecordingVenue {
        self.venue
    }

    /// Events played later than recorded because their file overlapped the one before.
    pub fn late_events(&self) -> u64 {
        self.late_events
    }

    /// Moves past ended files to the next one with events, or to the end.
    fn advance_file(&mut self) -> Result<(), RecordingError> {
        while self.current.as_ref().is_none_or(|m| m.next_event_time().is_none()) {
            if let Some(ended) = self.current.take() {
                self.finished += ended.counters();
            }
            let Some(path) = self.pending.pop() else { return Ok(()) };
            self.current = Some((self.open)(&path, self.venue, self.origin_local_ns)?);
        }
        Ok(())
    }
}

impl MarketSource for RecordingSequence {
    fn next_event_time(&self) -> Option<Nanos> {
        self.current.as_ref().and_then(|m| m.next_event_time()).map(|at| at.max(self.last_at))
    }

    fn pop_due(&mut self, now: Nanos) -> Option<(Nanos, MarketEvent)> {
        let due = self.next_event_time().filter(|at| *at <= now)?;
        let (at, event) = self.current.as_mut()?.pop_due(due.max(now))?;
        if at < self.last_at {
            if self.late_events == 0 {
                tracing::warn!("replay: recordings overlap in time; the later file's early events play late");
            }
            self.late_events += 1;
        }
        self.last_at = due;
        if let Err(e) = self.advance_file() {
            tracing::error!("replay: {e}; ending the replay");
            self.current = None;
            self.pending.clear();
        }
        Some((due, event))
    }

    fn counters(&self) -> SourceCounters {
        let mut counters = self.finished;
        if let Some(current) = &self.current {
            counters += current.counters();
        }
        counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::{HyperliquidDecoder, RecordedMarket};
    use engine::hyperliquid::CoinTable;

    const S: u64 = 1_000_000_000;

    fn book_line(local_ns: u64, px: u32) -> String {
        format!(
            r#"{local_ns} {{"channel":"l2Book","data":{{"coin":"BTC","time":1,"levels":[[{{"px":"{px}","sz":"1","n":1}}],[{{"px":"{}","sz":"1","n":1}}]]}}}}"#,
            px + 1
        )
    }

    fn opener() -> RecordingOpener {
        Box::new(|path, venue, origin| {
            assert_eq!(venue, RecordingVenue::Hyperliquid);
            let decoder = HyperliquidDecoder::new(CoinTable::new(["BTC"]).expect("one coin"));
            Ok(Box::new(RecordedMarket::open_from(path, decoder, 1.0, Some(origin))?) as Box<dyn MarketSource>)
        })
    }

    fn drain(market: &mut RecordingSequence) -> Vec<(Nanos, u32)> {
        let mut played = Vec::new();
        while let Some(t) = market.next_event_time() {
            let Some((at, MarketEvent::Book(book))) = market.pop_due(t) else { panic!("a book due at {t:?}") };
            played.push((at, (book.bids[0].px.units() / engine::types::Price::parse("1").unwrap().units()) as u32));
        }
        played
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hq-sequence-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn files_play_in_time_order_on_the_first_files_clock_with_the_gap_between_them() {
        let dir = scratch("order");
        let (early, late) = (dir.join("early.txt"), dir.join("late.txt"));
        std::fs::write(&early, [book_line(10 * S, 100), "bad line".into(), book_line(12 * S, 101)].join("\n")).unwrap();
        std::fs::write(&late, [book_line(20 * S, 102), book_line(21 * S, 103)].join("\n")).unwrap();
        // Given latest first: still played earliest first.
        let mut market = RecordingSequence::new(&[late, early], opener()).unwrap();
        let played = drain(&mut market);
        let expected = vec![(Nanos::ZERO, 100), (Nanos(2 * S), 101), (Nanos(10 * S), 102), (Nanos(11 * S), 103)];
        assert_eq!(played, expected);
        let c = market.counters();
        assert_eq!((c.frames, c.bad_lines), (4, 1), "both files' counters");
        assert_eq!(market.late_events(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn overlapping_files_never_run_the_clock_backwards_and_are_counted() {
        let dir = scratch("overlap");
        let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
        std::fs::write(&a, [book_line(10 * S, 100), book_line(15 * S, 101)].join("\n")).unwrap();
        std::fs::write(&b, [book_line(12 * S, 102), book_line(16 * S, 103)].join("\n")).unwrap();
        let mut market = RecordingSequence::new(&[a, b], opener()).unwrap();
        let played = drain(&mut market);
        let expected = vec![(Nanos::ZERO, 100), (Nanos(5 * S), 101), (Nanos(5 * S), 102), (Nanos(6 * S), 103)];
        assert_eq!(played, expected);
        assert_eq!(market.late_events(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_empty_and_mixed_venue_files_are_refused_before_playing() {
        let dir = scratch("refused");
        let (good, empty, binance) = (dir.join("good.txt"), dir.join("empty.txt"), dir.join("binance.txt"));
        std::fs::write(&good, book_line(10 * S, 100)).unwrap();
        std::fs::write(&empty, "not a line\n").unwrap();
        std::fs::write(&binance, format!("{} {{\"e\":\"trade\",\"s\":\"BTCUSDT\"}}\n", 11 * S)).unwrap();
        let missing = dir.join("missing.txt");
        let err = |paths: &[PathBuf]| RecordingSequence::new(paths, opener()).err().map(|e| e.to_string());
        assert!(err(&[good.clone(), missing]).is_some_and(|e| e.contains("missing.txt")));
        assert!(err(&[good.clone(), empty]).is_some_and(|e| e.contains("no well-formed line")));
        assert!(err(&[good, binance]).is_some_and(|e| e.contains("one venue per replay")));
        assert!(err(&[]).is_some_and(|e| e == "no recording given"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
