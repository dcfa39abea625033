//! The tick-to-order pipeline: the real actors, one book update in, time until the
//! order action reaches the venue, under each thread layout — and the same work inline on
//! one thread, the lower bound. Used by the criterion bench (`benches/pipeline.rs`) and by
//! the `latency_harness` binary, which prints percentiles side by side.

use actors::msg::Msg;
use actors::nodes::{
    CalibrationActor, EstimatorActor, FeedActor, FillActor, OrderActor, QuoteActor, QuoteCoin, RiskActor,
};
use actors::runtime::{LocalGroup, MonoClock, RuntimeError, ThreadSpec, ThreadedRuntime, WaitStrategy};
use actors::venues::hyperliquid::exchange::{AssetSpec, AssetTable, BatchSigner, Network, PrivateKey, Signer};
use actors::venues::AckVenue;
use actors::{Actor, ActorId, RuntimeCounters};
use engine::calibration::CalibrationConfig;
use engine::estimator::EstimatorConfig;
use engine::instrument::Instrument;
use engine::market::synthetic::{SyntheticCoinConfig, SyntheticMarket};
use engine::market::{L2Book, MarketEvent};
use engine::order::RequoteTolerance;
use engine::quote::models::StaticSpreadModelConfig;
use engine::quote::QuoteConfig;
use engine::risk::{AccountRiskLimits, AddressBudget, CoinRiskLimits, RiskLimits, TradingState};
use engine::types::{CoinId, Nanos, Price, Qty, UnixNanos};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Feed staleness threshold: far beyond any round trip, so it never fires in the harness.
const STALE_AFTER: Nanos = Nanos::from_millis(60_000);

/// Shift between the two alternating books: far enough that every quote level moves, so
/// each book update produces an order action.
const BOOK_SHIFT_USD: f64 = 50.0;

fn btc() -> Instrument {
    Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 }
}

/// The seven actors for one BTC-like coin, plus `venue` (which acknowledges at once).
pub fn actors(venue: AckVenue) -> Vec<Box<dyn Actor>> {
    actors_with(venue, RequoteTolerance::default())
}

/// [`actors`] with OrderActor reconciling under `tolerance` (e.g. without `batchModify`).
pub fn actors_with(venue: AckVenue, tolerance: RequoteTolerance) -> Vec<Box<dyn Actor>> {
    // Per-coin limits as the paper profile; the account-wide ones (σ threshold, throttle,
    // request budget) out of the way: books here arrive microseconds apart, far faster than
    // any venue, so the estimator's σ per √s and the order rate are not a market's.
    let limits =
        RiskLimits { account: AccountRiskLimits::permissive(), coins: vec![CoinRiskLimits::new("BTC", 0.002, 0.001)] };
    let Ok(risk) = RiskActor::new(TradingState::Active, limits, vec![btc()], AddressBudget::default()) else {
        unreachable!("constant risk limits are valid")
    };
    let coin = QuoteCoin { instrument: btc(), order_size: Qty::from_f64(0.0002), max_position: Qty::from_f64(0.002) };
    // The static baseline, three levels a side: the decision path without model arithmetic.
    let mut quote =
        QuoteConfig::static_baseline(StaticSpreadModelConfig { half_spread_bps: 1.5, inventory_skew_bps_per_lot: 0.2 });
    quote.construction.levels.levels_per_side = 3;
    let Ok(quoter) = QuoteActor::new(quote, vec![coin]) else { unreachable!("constant quote config is valid") };
    let Ok(estimator) = EstimatorActor::new(&EstimatorConfig::default(), &[None]) else {
        unreachable!("the default estimator config is valid")
    };
    let lead_horizon = Nanos::from_secs_f64(EstimatorConfig::default().reference.lead_horizon_s);
    vec![
        Box::new(venue),
        Box::new(FeedActor::new(1, STALE_AFTER)),
        Box::new(estimator),
        Box::new(quoter),
        Box::new(risk),
        Box::new(OrderActor::new(1, 1, tolerance)),
        Box::new(FillActor::new(1)),
        Box::new(CalibrationActor::new(1, CalibrationConfig::default(), lead_horizon)),
    ]
}

/// Two books of a realistic shape (the synthetic market's first snapshot) `BOOK_SHIFT_USD`
/// apart; alternating them moves every quote.
pub fn alternating_books() -> [L2Book; 2] {
    let config = SyntheticCoinConfig {
        start_mid_usd: 100_000.0,
        sigma_frac_per_sqrt_s: 5e-5,
        trade_rate_per_s: 1.0,
        trade_distance_mean_bps: 2.0,
        trade_size_median_base: 0.001,
        book_interval_ms: 500,
        depth_scale_base: 3.8,
    };
    let market = SyntheticMarket::new(1, UnixNanos(0), vec![(btc(), config)]);
    let Ok(mut market) = market else { unreachable!("constant synthetic config is valid") };
    let Some((_, MarketEvent::Book(book))) = market.pop_due(Nanos::ZERO) else {
        unreachable!("the synthetic market starts with a book")
    };
    let mut shifted = book.clone();
    for level in shifted.bids.iter_mut().chain(shifted.asks.iter_mut()) {
        level.px += Price::from_f64(BOOK_SHIFT_USD);
    }
    [book, shifted]
}

/// The thread layouts compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every actor on its own thread (the venue shares OrderActor's, as a socket
    /// writer would), all with this wait strategy.
    ThreadPerActor(WaitStrategy),
    /// The whole hot path on one spinning thread, the cold path on a parked one.
    HotPathGrouped,
}

impl Layout {
    pub fn name(self) -> String {
        match self {
            Layout::ThreadPerActor(w) => format!("thread-per-actor/{w:?}").to_lowercase(),
            Layout::HotPathGrouped => "hot-path-grouped/spin".to_string(),
        }
    }

    pub fn threads(self) -> Vec<ThreadSpec> {
        let spec = |name: &str, actors: &[ActorId], wait| ThreadSpec {
            name: name.into(),
            actors: actors.to_vec(),
            core: None,
            wait,
        };
        match self {
            Layout::ThreadPerActor(wait) => {
                let mut threads: Vec<ThreadSpec> = [
                    ActorId::Feed,
                    ActorId::Estimator,
                    ActorId::Quote,
                    ActorId::Risk,
                    ActorId::Fill,
                    ActorId::Calibration,
                ]
                .iter()
                .map(|&id| spec(id.name(), &[id], wait))
                .collect();
                threads.push(spec("order", &[ActorId::Order, ActorId::Venue], wait));
                threads
            }
            Layout::HotPathGrouped => vec![
                spec(
                    "hot",
                    &[ActorId::Venue, ActorId::Feed, ActorId::Estimator, ActorId::Quote, ActorId::Risk, ActorId::Order],
                    WaitStrategy::Spin,
                ),
                spec("cold", &[ActorId::Fill, ActorId::Calibration], WaitStrategy::Park),
            ],
        }
    }
}

/// Book update in → order action at the venue, one at a time.
pub trait Pipeline {
    /// Feeds the next book and waits for the resulting action batch; returns the latency.
    fn round_trip(&mut self) -> Duration;
}

/// The pipeline under the threaded runtime.
pub struct Threaded {
    runtime: Option<ThreadedRuntime>,
    batches: Arc<AtomicU64>,
    books: [L2Book; 2],
    next: usize,
}

impl Threaded {
    pub fn start(layout: Layout) -> Result<Self, RuntimeError> {
        let batches = Arc::new(AtomicU64::new(0));
        let runtime = ThreadedRuntime::start(actors(AckVenue::new(batches.clone())), &layout.threads(), 1024)?;
        let mut pipeline = Self { runtime: Some(runtime), batches, books: alternating_books(), next: 0 };
        // Warm up: the first books create the estimator's params and the first ladder.
        for _ in 0..100 {
            pipeline.round_trip();
        }
        Ok(pipeline)
    }
}

impl Pipeline for Threaded {
    fn round_trip(&mut self) -> Duration {
        let Some(runtime) = &self.runtime else { return Duration::ZERO };
        let book = self.books[self.next].clone();
        self.next ^= 1;
        let before = self.batches.load(Ordering::Acquire);
        let t0 = Instant::now();
        runtime.inject(ActorId::Feed, Msg::MarketData(MarketEvent::Book(book)));
        while self.batches.load(Ordering::Acquire) == before {
            std::hint::spin_loop();
            if t0.elapsed() > Duration::from_secs(5) {
                break;
            }
        }
        t0.elapsed()
    }
}

impl Drop for Threaded {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.stop();
        }
    }
}

/// The same actors and the same work on the caller's thread: the lower bound.
pub struct Inline {
    group: LocalGroup<MonoClock>,
    batches: Arc<AtomicU64>,
    books: [L2Book; 2],
    next: usize,
}

/// The public private key of Hyperliquid's SDK test vectors (HYPERLIQUID.md "Signing"): a
/// signer for measuring, never for trading.
const TEST_VECTOR_KEY: &str = "e908f86dbb4d55ac876378565aafeabc187f6690f046459397b17d9b9a19688e";

/// Signs batches for BTC as Hyperliquid asset 0 (szDecimals 5), on testnet.
fn test_batch_signer() -> BatchSigner {
    let Ok(key) = PrivateKey::from_hex(TEST_VECTOR_KEY, "the SDK's test vectors") else {
        unreachable!("the test-vector key is a valid key")
    };
    let mut assets = AssetTable::new();
    assets.set(CoinId(0), AssetSpec { asset: 0, sz_decimals: btc().sz_decimals });
    BatchSigner::new(Signer::new(key, Network::Testnet), assets)
}

impl Inline {
    pub fn new() -> Self {
        Self::with_venue(|batches| actors(AckVenue::new(batches)))
    }

    /// As `new`, with the venue signing every batch as the live venue will: a round trip is
    /// then book in → signed action out.
    pub fn signing() -> Self {
        Self::with_venue(|batches| actors(AckVenue::signing(batches, test_batch_signer())))
    }

    /// As `signing`, with moved levels cancelled and placed anew instead of modified: the
    /// obvious alternative to `batchModify` (two signed actions per requote, not one).
    pub fn signing_without_modify() -> Self {
        let tolerance = RequoteTolerance { use_modify: false, ..RequoteTolerance::default() };
        Self::with_venue(|batches| actors_with(AckVenue::signing(batches, test_batch_signer()), tolerance))
    }

    fn with_venue(actors: impl FnOnce(Arc<AtomicU64>) -> Vec<Box<dyn Actor>>) -> Self {
        let batches = Arc::new(AtomicU64::new(0));
        let members = actors(batches.clone()).into_iter().map(|a| (a, None)).collect();
        let group =
            LocalGroup::new(MonoClock::new(Instant::now()), members, Arc::new(RuntimeCounters::default()), 1024);
        let mut pipeline = Self { group, batches, books: alternating_books(), next: 0 };
        for _ in 0..100 {
            pipeline.round_trip();
        }
        pipeline
    }
}

impl Default for Inline {
    fn default() -> Self {
        Self::new()
    }
}

impl Pipeline for Inline {
    fn round_trip(&mut self) -> Duration {
        // The previous round's tail first (acks, outcomes, calibration records): the round
        // measures this book's path alone.
        while self.group.pump() {}
        let book = self.books[self.next].clone();
        self.next ^= 1;
        let before = self.batches.load(Ordering::Acquire);
        let t0 = Instant::now();
        let now = self.group.now();
        self.group.inject(ActorId::Feed, Msg::MarketData(MarketEvent::Book(book)), now);
        while self.batches.load(Ordering::Acquire) == before && self.group.pump() {}
        t0.elapsed()
    }
}
