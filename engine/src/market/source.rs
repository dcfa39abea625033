//! Where the simulated venue's market comes from: the built-in synthetic market, or a
//! recording replayed. A source is pulled by time: it says when its next event is due and
//! hands out each event once it is.

use super::MarketEvent;
use crate::types::Nanos;
use serde::Serialize;

/// What a source read and what it could not use, for the run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SourceCounters {
    pub frames: u64,
    /// Lines that were not `<local_ns> <frame>`.
    pub bad_lines: u64,
    /// Frames the parser refused (malformed JSON, wrong types, bad numbers).
    pub bad_frames: u64,
    /// Frames or prints for coins the engine does not quote.
    pub unknown_coin: u64,
    /// Trades replayed by the venue on subscribe: older than the session, not live flow.
    pub historical_trades: u64,
    /// Well-formed frames on channels the market source does not use.
    pub unused_frames: u64,
}

impl std::ops::AddAssign for SourceCounters {
    fn add_assign(&mut self, other: SourceCounters) {
        self.frames += other.frames;
        self.bad_lines += other.bad_lines;
        self.bad_frames += other.bad_frames;
        self.unknown_coin += other.unknown_coin;
        self.historical_trades += other.historical_trades;
        self.unused_frames += other.unused_frames;
    }
}

pub trait MarketSource: Send {
    /// Runtime-clock time of the next event; `None` once the source has ended.
    fn next_event_time(&self) -> Option<Nanos>;

    /// The next event if it is due at or before `now`.
    fn pop_due(&mut self, now: Nanos) -> Option<(Nanos, MarketEvent)>;

    fn counters(&self) -> SourceCounters {
        SourceCounters::default()
    }
}

/// A source with no events of its own: the market is pushed to the venue by a live feed.
#[derive(Debug, Clone, Copy, Default)]
pub struct PushedMarket;

impl MarketSource for PushedMarket {
    fn next_event_time(&self) -> Option<Nanos> {
        None
    }

    fn pop_due(&mut self, _now: Nanos) -> Option<(Nanos, MarketEvent)> {
        None
    }
}
