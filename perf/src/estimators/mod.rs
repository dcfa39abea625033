//! The estimator set over recorded market data, shared by `benches/estimators.rs`, the
//! steady-state allocation test and the `estimators_profile` example: a recording replayed
//! once into memory, then driven pass after pass through a `BookKeeper` (the validation
//! FeedActor and `hyperquote estimate` put books through) into an [`EstimatorPath`] — the whole
//! `CoinEstimators`, or a part of it ([`paths`]).
//!
//! The estimators are built once and never rebuilt: after the first pass they are warm, their
//! windows and rings full, as in a session that has run for hours, and that steady state is
//! what is measured. Time keeps moving forward across passes: pass k plays at the recorded
//! times plus k × (the recording's span + 1 ms), and the keeper is resynced at each pass start
//! (as after a reconnect) so that the venue timestamps of the next pass are not refused as late.

use actors::venues::{BinanceReplayMarket, ReplayMarket};
use engine::estimator::{CoinEstimators, EstimatorConfig};
use engine::hyperliquid::CoinTable;
use engine::market::{AssetContext, BookKeeper, L2Book, MarketEvent, MarketSource, Trade};
use engine::types::{CoinId, Nanos};
use std::path::Path;

pub mod paths;

/// 345 s of Binance USD-M BTCUSDT depth diffs, book tickers and trades (hftbacktest sample).
pub const BINANCE_BTCUSDT_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/usdm_btcusdt_20240808.gz");
/// 25 s of Hyperliquid BTC: 46 `l2Book` and 9 `trades` frames.
pub const HYPERLIQUID_BTC_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");
/// The coin both recordings are read as.
pub const COIN: CoinId = CoinId(0);
/// The keeper's staleness timer is not used: the recording's gaps are its own.
const NEVER_STALE: Nanos = Nanos(u64::MAX / 2);
/// Between the last event of a pass and the first of the next.
const PASS_GAP: Nanos = Nanos::from_millis(1);

/// A recording's market events in memory, at their runtime-clock times (first frame at 0).
pub struct Recording {
    pub events: Vec<(Nanos, MarketEvent)>,
    pub books: usize,
    pub bbos: usize,
    pub trades: usize,
    /// Time of the last event.
    pub span: Nanos,
}

impl Recording {
    /// [`BINANCE_BTCUSDT_PATH`] through `BinanceReplayMarket`; panics if it is missing.
    pub fn binance_btcusdt() -> Recording {
        let market = BinanceReplayMarket::open(Path::new(BINANCE_BTCUSDT_PATH), "BTCUSDT", COIN, 1.0)
            .unwrap_or_else(|e| panic!("{BINANCE_BTCUSDT_PATH} (shared/ must sit beside the repo): {e}"));
        Recording::drain(market)
    }

    /// [`HYPERLIQUID_BTC_PATH`] through `ReplayMarket`; panics if it is missing.
    pub fn hyperliquid_btc() -> Recording {
        let coins = CoinTable::new(["BTC"]).expect("one coin");
        let market = ReplayMarket::open(Path::new(HYPERLIQUID_BTC_PATH), coins, 1.0)
            .unwrap_or_else(|e| panic!("{HYPERLIQUID_BTC_PATH} (shared/ must sit beside the repo): {e}"));
        Recording::drain(market)
    }

    fn drain(mut source: impl MarketSource) -> Recording {
        let mut recording = Recording { events: Vec::new(), books: 0, bbos: 0, trades: 0, span: Nanos::ZERO };
        while let Some(t) = source.next_event_time() {
            let Some((at, event)) = source.pop_due(t) else { break };
            match &event {
                MarketEvent::Book(_) => recording.books += 1,
                MarketEvent::Bbo(_) => recording.bbos += 1,
                MarketEvent::Trade(_) => recording.trades += 1,
                MarketEvent::AssetCtx(_) => {}
            }
            recording.span = at;
            recording.events.push((at, event));
        }
        recording
    }

    /// The events' times alone (for [`params_pass`], which needs no event).
    pub fn times(&self) -> Vec<Nanos> {
        self.events.iter().map(|(at, _)| *at).collect()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

/// What a measured path does with validated books, trades and the passing of time: the
/// calls `CoinEstimators` makes on the estimators it holds, all of them or some.
pub trait EstimatorPath {
    /// Before every event, as `hyperquote estimate` calls `CoinEstimators::on_time`.
    fn on_time(&mut self, now: Nanos);
    /// A book the keeper accepted (a snapshot, or the top moved by a BBO update).
    fn on_book(&mut self, now: Nanos, book: &L2Book);
    fn on_trade(&mut self, now: Nanos, trade: &Trade);
    fn on_asset_ctx(&mut self, _now: Nanos, _context: &AssetContext) {}
}

/// The default estimator set of [`COIN`].
pub fn default_set() -> CoinEstimators {
    CoinEstimators::new(COIN, &EstimatorConfig::default(), None).expect("the default estimator config is valid")
}

/// A path with its book keeper, replaying a recording pass after pass on a forward clock.
pub struct Replayer<P> {
    keeper: BookKeeper,
    path: P,
    passes: u64,
    /// Added per pass: the recording's span and a gap.
    stride: Nanos,
    refused_books: u64,
}

impl<P: EstimatorPath> Replayer<P> {
    pub fn new(path: P, recording: &Recording) -> Self {
        Self {
            keeper: BookKeeper::new(COIN, NEVER_STALE),
            path,
            passes: 0,
            stride: recording.span + PASS_GAP,
            refused_books: 0,
        }
    }

    /// Every event of `events` (a recording's) once, `pass_index × stride` after the recorded times.
    pub fn pass(&mut self, events: &[(Nanos, MarketEvent)]) {
        let offset = Nanos(self.stride.0 * self.passes);
        self.passes += 1;
        self.keeper.resync();
        for (at, event) in events {
            if !replay_event(&mut self.keeper, &mut self.path, *at + offset, event) {
                self.refused_books += 1;
            }
        }
    }

    /// The time the next pass starts at.
    pub fn next_pass_start(&self) -> Nanos {
        Nanos(self.stride.0 * self.passes)
    }

    pub fn path(&self) -> &P {
        &self.path
    }

    /// Books and BBO updates the keeper refused so far (crossed, one-sided, late).
    pub fn refused_books(&self) -> u64 {
        self.refused_books
    }
}

/// One event through the keeper into the path; false when the keeper refused a book. Not
/// inlined, so that `valgrind --tool=callgrind --toggle-collect='perf::estimators::replay_event*'`
/// counts one path's instructions per event.
#[inline(never)]
pub fn replay_event<P: EstimatorPath>(keeper: &mut BookKeeper, path: &mut P, now: Nanos, event: &MarketEvent) -> bool {
    path.on_time(now);
    let applied = match event {
        MarketEvent::Book(book) => keeper.apply_snapshot(now, book),
        MarketEvent::Bbo(bbo) => keeper.apply_bbo(now, bbo),
        MarketEvent::Trade(trade) => {
            path.on_trade(now, trade);
            return true;
        }
        MarketEvent::AssetCtx(context) => {
            path.on_asset_ctx(now, context);
            return true;
        }
    };
    match applied {
        Ok(_) => {
            path.on_book(now, keeper.book());
            true
        }
        Err(_) => false,
    }
}

/// `params(now)` alone: the snapshot at each of `times` shifted by `offset`, on a set that is
/// not updated meanwhile (warm it with a [`Replayer`] pass first).
#[inline(never)]
pub fn params_pass(set: &CoinEstimators, times: &[Nanos], offset: Nanos) {
    for &at in times {
        std::hint::black_box(set.params(at + offset));
    }
}
