//! What a [`DepthBook`](super::DepthBook) is told and what it reports: its configuration,
//! its sync state, the outcome of each update, and its counters (metrics keys).
//!
//! Kept apart from the state machine so the book's file reads as the procedure it follows.

use crate::market::MAX_BOOK_LEVELS;

/// Tuning of a [`DepthBook`](super::DepthBook); see its module doc for the rules each field
/// feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthBookConfig {
    /// Levels kept per side, nearest the touch (the REST snapshot's maximum is 1000).
    pub max_levels_per_side: usize,
    /// Diffs buffered for a snapshot to land on (256 ≈ 12.8 s at a 50 ms cadence).
    pub max_buffered_diffs: usize,
    /// Levels buffered across those diffs (the recordings average ~67 a diff).
    pub max_buffered_levels: usize,
    pub warmup_min_diffs: u64,
    pub warmup_min_levels_per_side: usize,
    pub warmup_min_ticker_matches: u32,
    /// Consecutive failed bookTicker checks that drop a synced book.
    pub desync_after_ticker_mismatches: u32,
}

impl Default for DepthBookConfig {
    fn default() -> Self {
        Self {
            max_levels_per_side: 1000,
            max_buffered_diffs: 256,
            max_buffered_levels: 64 * 1024,
            warmup_min_diffs: 300,
            warmup_min_levels_per_side: MAX_BOOK_LEVELS,
            warmup_min_ticker_matches: 20,
            desync_after_ticker_mismatches: 3,
        }
    }
}

/// A [`DepthBookConfig`] the book cannot work with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid Binance depth book config: {0}")]
pub struct InvalidConfig(pub &'static str);

impl DepthBookConfig {
    pub fn validate(&self) -> Result<(), InvalidConfig> {
        if self.max_levels_per_side < MAX_BOOK_LEVELS {
            return Err(InvalidConfig("max_levels_per_side must hold a full 20-level export"));
        }
        if self.warmup_min_levels_per_side > self.max_levels_per_side {
            return Err(InvalidConfig("warmup_min_levels_per_side exceeds max_levels_per_side"));
        }
        if self.desync_after_ticker_mismatches == 0 {
            return Err(InvalidConfig("desync_after_ticker_mismatches must be at least 1"));
        }
        Ok(())
    }
}

/// Where the book's contents came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncSource {
    /// A REST snapshot bridged to the diff stream (Binance's procedure).
    Snapshot,
    /// Diffs alone, after the warm-up rule was met.
    Warmup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// No book: nothing received yet, or the book was just dropped.
    Empty,
    /// Built from diffs alone; not yet trusted, not exported.
    WarmingUp,
    /// Trusted and exported.
    Synced(SyncSource),
}

/// Why the book was thrown away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// Best bid ≥ best ask after an update.
    Crossed,
    /// `desync_after_ticker_mismatches` consecutive bookTicker checks failed.
    TickerMismatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffOutcome {
    Applied,
    /// Already covered by the book (`u` not above its last id, or below a fresh snapshot's
    /// `lastUpdateId`): dropped.
    Stale,
    /// `pu` ≠ the book's last `u` (or, right after a snapshot, `U` > `lastUpdateId`): the
    /// book was dropped and restarted, warming up, from this diff.
    Gap {
        last_update_id: u64,
    },
    BookDropped(DropReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotOutcome {
    /// Installed; `diffs_replayed` buffered diffs were applied on top of it.
    Applied {
        diffs_replayed: usize,
    },
    /// The book, synced from a snapshot, is already at or past `lastUpdateId`.
    Stale,
    /// Older than every buffered diff (`U > lastUpdateId`): cannot be bridged; fetch again.
    TooOld,
    BookDropped(DropReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickerOutcome {
    /// Newer than the book: now laid over the exported top.
    Applied,
    /// Not newer than the book or the previous ticker.
    Stale,
    /// No book to lay it over.
    NoBook,
    /// Bid ≥ ask, or an empty side: refused.
    Rejected,
    BookDropped(DropReason),
}

/// Event counts, for metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepthCounters {
    pub diffs_applied: u64,
    pub diffs_stale: u64,
    pub gaps: u64,
    pub crossed_books: u64,
    /// Times the book was thrown away (gap, crossed, ticker mismatches).
    pub resets: u64,
    pub warmups_completed: u64,
    pub snapshots_applied: u64,
    pub snapshot_diffs_replayed: u64,
    pub snapshots_stale: u64,
    pub snapshots_too_old: u64,
    pub buffered_diffs_forgotten: u64,
    /// Levels not kept (or evicted) because a side was full.
    pub levels_dropped_deep: u64,
    pub tickers_applied: u64,
    pub tickers_stale: u64,
    pub tickers_rejected: u64,
    pub ticker_checks: u64,
    pub ticker_mismatches: u64,
    pub ticker_checks_undecidable: u64,
    pub ticker_desyncs: u64,
}
