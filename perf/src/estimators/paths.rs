//! The measured paths: the whole estimator set, the baseline it replaced, and its parts, each
//! making exactly the calls `CoinEstimators` makes on the estimators it holds (same order,
//! same inputs), so that a part's cost is its share of the whole. [`for_each_path`] is the one
//! list the bench and the profile example both walk.
//!
//! Parts that need the mid a trade printed against (intensity fit, trade distance) keep the
//! last accepted book's mid as `CoinEstimators` does; the volume clock's σ feeds the volatility
//! regime only in the whole set (the book-side part feeds it the mid-return σ).

use super::{default_set, EstimatorPath};
use engine::estimator::{
    ArrivalRate, BookSignalsEstimator, CoinEstimators, EstimatorConfig, IntensityFitEstimator, MidVolEstimator,
    OfiEstimator, ReferenceLead, TradeDistanceEstimator, TradeFlow, VolRegime, VolumeClockVolatility,
};
use engine::market::{AssetContext, L2Book, Trade};
use engine::types::Nanos;
use std::hint::black_box;

/// EstimatorActor's tick: time windows advance once a second without an event.
pub const ACTOR_TICK: Nanos = Nanos::from_millis(1_000);

/// Receives each path of [`for_each_path`] in turn.
pub trait PathVisitor {
    /// `name`: the bench id; `role`: what the path stands for in the table.
    fn visit<P: EstimatorPath>(&mut self, name: &str, role: &str, path: P);
}

/// Every measured path, in table order.
pub fn for_each_path(v: &mut impl PathVisitor) {
    let config = EstimatorConfig::default();
    v.visit("keeper_only", "BookKeeper and the event loop, no estimator (in every row)", KeeperOnly);
    v.visit("baseline_mid_vol", "baseline: MidVolEstimator on books only", MidVolOnly::new(&config));
    v.visit("full_set", "CoinEstimators, on_time before every event (as `hyperquote estimate`)", default_set());
    v.visit("full_set_actor_tick", "CoinEstimators, on_time on the 1 s tick (as EstimatorActor)", ActorTick::new());
    v.visit("book_side", "book side: OFI, book signals, mid σ, reference, vol regime", BookSide::new(&config));
    v.visit("book_ofi", "↳ OfiEstimator (on_book + advance)", Ofi::new(&config));
    v.visit("book_signals", "↳ BookSignalsEstimator (+ spread regime)", BookSignals::new(&config));
    v.visit("trade_side", "trade side: arrivals, flow, volume clock, intensity fit, distance", TradeSide::new(&config));
    v.visit("trade_volume_clock", "↳ VolumeClockVolatility (+ bucket arrivals)", VolumeClock::new(&config));
    v.visit("trade_flow", "↳ TradeFlow (on_trade + advance)", Flow::new(&config));
    v.visit("trade_intensity_fit", "↳ IntensityFitEstimator (on_trade + on_time)", IntensityFit::new(&config));
    v.visit("trade_distance", "↳ TradeDistanceEstimator (on_trade + on_time)", TradeDistance::new(&config));
    v.visit("trade_arrival", "↳ ArrivalRate of trades", TradeArrival::new(&config));
}

/// The whole set, as `hyperquote estimate` drives it.
impl EstimatorPath for CoinEstimators {
    fn on_time(&mut self, now: Nanos) {
        black_box(CoinEstimators::on_time(self, now));
    }

    fn on_book(&mut self, now: Nanos, book: &L2Book) {
        black_box(CoinEstimators::on_book(self, now, book));
    }

    fn on_trade(&mut self, now: Nanos, trade: &Trade) {
        black_box(CoinEstimators::on_trade(self, now, trade));
    }

    fn on_asset_ctx(&mut self, now: Nanos, context: &AssetContext) {
        CoinEstimators::on_asset_ctx(self, now, context);
    }
}

/// No estimator: what every other path pays besides its estimators.
pub struct KeeperOnly;

impl EstimatorPath for KeeperOnly {
    fn on_time(&mut self, _now: Nanos) {}

    fn on_book(&mut self, _now: Nanos, book: &L2Book) {
        black_box(book);
    }

    fn on_trade(&mut self, _now: Nanos, trade: &Trade) {
        black_box(trade);
    }
}

/// The estimator the set replaced: the mid-return EWMA σ on books, nothing else.
pub struct MidVolOnly(MidVolEstimator);

impl MidVolOnly {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self(MidVolEstimator::new(&config.mid_vol))
    }
}

impl EstimatorPath for MidVolOnly {
    fn on_time(&mut self, _now: Nanos) {}

    fn on_book(&mut self, now: Nanos, book: &L2Book) {
        black_box(self.0.on_book(now, book));
        black_box(self.0.sigma_frac_per_sqrt_s());
    }

    fn on_trade(&mut self, _now: Nanos, trade: &Trade) {
        black_box(trade);
    }
}

/// The whole set with `on_time` called as EstimatorActor calls it: on a tick armed by an
/// event, at the tick's time, before the first event at or past it.
pub struct ActorTick {
    set: CoinEstimators,
    next_tick: Option<Nanos>,
}

impl ActorTick {
    pub fn new() -> Self {
        Self { set: default_set(), next_tick: None }
    }
}

impl Default for ActorTick {
    fn default() -> Self {
        Self::new()
    }
}

impl EstimatorPath for ActorTick {
    fn on_time(&mut self, now: Nanos) {
        if let Some(tick) = self.next_tick.filter(|&tick| tick <= now) {
            black_box(self.set.on_time(tick));
            self.next_tick = None;
        }
        self.next_tick.get_or_insert(now + ACTOR_TICK);
    }

    fn on_book(&mut self, now: Nanos, book: &L2Book) {
        black_box(self.set.on_book(now, book));
    }

    fn on_trade(&mut self, now: Nanos, trade: &Trade) {
        black_box(self.set.on_trade(now, trade));
    }
}

/// `CoinEstimators::on_book`'s estimators without the `MarketParams` it then builds, and
/// `ofi.advance` from `on_time`.
pub struct BookSide {
    ofi: OfiEstimator,
    book: BookSignalsEstimator,
    mid_vol: MidVolEstimator,
    reference: ReferenceLead,
    vol_regime: VolRegime,
}

impl BookSide {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self {
            ofi: OfiEstimator::new(&config.ofi).expect("default"),
            book: BookSignalsEstimator::new(config.book.clone()).expect("default"),
            mid_vol: MidVolEstimator::new(&config.mid_vol),
            reference: ReferenceLead::new(&config.reference).expect("default"),
            vol_regime: VolRegime::new(&config.vol_regime).expect("default"),
        }
    }
}

impl EstimatorPath for BookSide {
    fn on_time(&mut self, now: Nanos) {
        self.ofi.advance(now);
    }

    fn on_book(&mut self, now: Nanos, book: &L2Book) {
        black_box(self.ofi.on_book(now, book));
        black_box(self.book.on_book(now, book));
        let Some(mid_usd) = self.mid_vol.on_book(now, book) else { return };
        self.reference.on_our_mid(now, mid_usd);
        black_box(self.vol_regime.on_sigma(now, self.mid_vol.sigma_frac_per_sqrt_s()));
    }

    fn on_trade(&mut self, _now: Nanos, trade: &Trade) {
        black_box(trade);
    }
}

/// Order-flow imbalance from the top of each book.
pub struct Ofi(OfiEstimator);

impl Ofi {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self(OfiEstimator::new(&config.ofi).expect("default"))
    }
}

impl EstimatorPath for Ofi {
    fn on_time(&mut self, now: Nanos) {
        self.0.advance(now);
    }

    fn on_book(&mut self, now: Nanos, book: &L2Book) {
        black_box(self.0.on_book(now, book));
    }

    fn on_trade(&mut self, _now: Nanos, trade: &Trade) {
        black_box(trade);
    }
}

/// Spread, depth imbalance, near-touch liquidity and the spread regime.
pub struct BookSignals(BookSignalsEstimator);

impl BookSignals {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self(BookSignalsEstimator::new(config.book.clone()).expect("default"))
    }
}

impl EstimatorPath for BookSignals {
    fn on_time(&mut self, _now: Nanos) {}

    fn on_book(&mut self, now: Nanos, book: &L2Book) {
        black_box(self.0.on_book(now, book));
    }

    fn on_trade(&mut self, _now: Nanos, trade: &Trade) {
        black_box(trade);
    }
}

/// `CoinEstimators::on_trade`'s estimators and `on_time`'s advances except OFI's.
pub struct TradeSide {
    trade_arrival: ArrivalRate,
    flow: TradeFlow,
    volume_clock: VolumeClockVolatility,
    bucket_arrival: ArrivalRate,
    intensity_fit: IntensityFitEstimator,
    trade_distance: TradeDistanceEstimator,
    mid_usd: Option<f64>,
}

impl TradeSide {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self {
            trade_arrival: ArrivalRate::new(&config.trade_arrival).expect("default"),
            flow: TradeFlow::new(&config.flow).expect("default"),
            volume_clock: VolumeClockVolatility::new(&config.volume_clock).expect("default"),
            bucket_arrival: ArrivalRate::new(&config.bucket_arrival).expect("default"),
            intensity_fit: IntensityFitEstimator::new(&config.intensity_fit),
            trade_distance: TradeDistanceEstimator::new(&config.trade_distance),
            mid_usd: None,
        }
    }
}

impl EstimatorPath for TradeSide {
    fn on_time(&mut self, now: Nanos) {
        black_box(self.intensity_fit.on_time(now));
        self.flow.advance(now);
        black_box(self.trade_distance.on_time(now));
    }

    fn on_book(&mut self, _now: Nanos, book: &L2Book) {
        self.mid_usd = book.mid_usd().or(self.mid_usd);
    }

    fn on_trade(&mut self, now: Nanos, trade: &Trade) {
        self.trade_arrival.on_arrival(now);
        self.flow.on_trade(now, trade);
        if let Some(done) = self.volume_clock.on_trade(now, trade) {
            self.bucket_arrival.on_arrivals(done.last.end, done.count);
        }
        let Some(mid_usd) = self.mid_usd else { return };
        black_box(self.intensity_fit.on_trade(now, trade, mid_usd));
        black_box(self.trade_distance.on_trade(now, trade, mid_usd));
    }
}

/// Realized and bipower σ on the volume clock, and the arrival rate of its buckets.
pub struct VolumeClock {
    volume_clock: VolumeClockVolatility,
    bucket_arrival: ArrivalRate,
}

impl VolumeClock {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self {
            volume_clock: VolumeClockVolatility::new(&config.volume_clock).expect("default"),
            bucket_arrival: ArrivalRate::new(&config.bucket_arrival).expect("default"),
        }
    }
}

impl EstimatorPath for VolumeClock {
    fn on_time(&mut self, _now: Nanos) {}

    fn on_book(&mut self, _now: Nanos, book: &L2Book) {
        black_box(book);
    }

    fn on_trade(&mut self, now: Nanos, trade: &Trade) {
        if let Some(done) = self.volume_clock.on_trade(now, trade) {
            self.bucket_arrival.on_arrivals(done.last.end, done.count);
        }
    }
}

/// Aggressor buy and sell volume over the flow windows.
pub struct Flow(TradeFlow);

impl Flow {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self(TradeFlow::new(&config.flow).expect("default"))
    }
}

impl EstimatorPath for Flow {
    fn on_time(&mut self, now: Nanos) {
        self.0.advance(now);
    }

    fn on_book(&mut self, _now: Nanos, book: &L2Book) {
        black_box(book);
    }

    fn on_trade(&mut self, now: Nanos, trade: &Trade) {
        self.0.on_trade(now, trade);
    }
}

/// Hit rates at distances from the mid and their log-linear fit (κ and A).
pub struct IntensityFit {
    fit: IntensityFitEstimator,
    mid_usd: Option<f64>,
}

impl IntensityFit {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self { fit: IntensityFitEstimator::new(&config.intensity_fit), mid_usd: None }
    }
}

impl EstimatorPath for IntensityFit {
    fn on_time(&mut self, now: Nanos) {
        black_box(self.fit.on_time(now));
    }

    fn on_book(&mut self, _now: Nanos, book: &L2Book) {
        self.mid_usd = book.mid_usd().or(self.mid_usd);
    }

    fn on_trade(&mut self, now: Nanos, trade: &Trade) {
        if let Some(mid_usd) = self.mid_usd {
            black_box(self.fit.on_trade(now, trade, mid_usd));
        }
    }
}

/// κ from the mean distance of trades from the mid.
pub struct TradeDistance {
    distance: TradeDistanceEstimator,
    mid_usd: Option<f64>,
}

impl TradeDistance {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self { distance: TradeDistanceEstimator::new(&config.trade_distance), mid_usd: None }
    }
}

impl EstimatorPath for TradeDistance {
    fn on_time(&mut self, now: Nanos) {
        black_box(self.distance.on_time(now));
    }

    fn on_book(&mut self, _now: Nanos, book: &L2Book) {
        self.mid_usd = book.mid_usd().or(self.mid_usd);
    }

    fn on_trade(&mut self, now: Nanos, trade: &Trade) {
        if let Some(mid_usd) = self.mid_usd {
            black_box(self.distance.on_trade(now, trade, mid_usd));
        }
    }
}

/// The arrival rate of trades.
pub struct TradeArrival(ArrivalRate);

impl TradeArrival {
    pub fn new(config: &EstimatorConfig) -> Self {
        Self(ArrivalRate::new(&config.trade_arrival).expect("default"))
    }
}

impl EstimatorPath for TradeArrival {
    fn on_time(&mut self, _now: Nanos) {}

    fn on_book(&mut self, _now: Nanos, book: &L2Book) {
        black_box(book);
    }

    fn on_trade(&mut self, now: Nanos, _trade: &Trade) {
        self.0.on_arrival(now);
    }
}
