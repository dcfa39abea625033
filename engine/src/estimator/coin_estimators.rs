//! Every estimator of one coin behind one door: book, trade, context and reference events
//! in, a `MarketParams` snapshot out. EstimatorActor keeps one per coin; `hyperquote
//! estimate` and the benches drive it directly. Each update is O(1) amortised and allocates
//! nothing after construction (each estimator preallocates its rings).
//!
//! Choices made here, where two estimators measure the same thing:
//! - σ: bipower variation on the volume clock once it is warm (jump-robust, MODELS.md
//!   "Estimators"), else the mid-return EWMA, which warms up first.
//! - κ and A: the intensity fit once warm with R² ≥ `min_fit_r_squared` (it gives A and κ
//!   together); else κ from the mean trade distance with A = half the trade rate — under
//!   λ(δ) = A·e^(−κδ) the trades reaching δ = 0 on one side arrive at rate A, and trades split
//!   about evenly between the sides. Each choice is reported (`SigmaSource`, `KappaSource`).

use super::{
    time_to_next_funding, ArrivalRate, ArrivalRateConfig, BookSignalsConfig, BookSignalsEstimator, ContextParams,
    IntensityFitConfig, IntensityFitEstimator, IntensityParams, KappaSource, KappaUpdate, MarketContext,
    MarketContextConfig, MarketParams, MidVolConfig, MidVolEstimator, OfiConfig, OfiEstimator, ReferenceLead,
    ReferenceLeadConfig, ReferenceParams, SigmaSource, TradeDistanceConfig, TradeDistanceEstimator, TradeFlow,
    TradeFlowConfig, VolRegime, VolRegimeConfig, VolatilityParams, VolumeClockConfig, VolumeClockVolatility,
};
use super::{ActivityParams, BookParams, FlowParams, OfiParams};
use crate::market::{AssetContext, L2Book, Trade};
use crate::types::{CoinId, Nanos, UnixNanos};
use serde::{Deserialize, Serialize};

/// The `[estimator]` section: one block per estimator, each with its defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EstimatorConfig {
    pub mid_vol: MidVolConfig,
    pub trade_distance: TradeDistanceConfig,
    pub intensity_fit: IntensityFitConfig,
    pub volume_clock: VolumeClockConfig,
    pub trade_arrival: ArrivalRateConfig,
    pub bucket_arrival: ArrivalRateConfig,
    pub flow: TradeFlowConfig,
    pub book: BookSignalsConfig,
    pub ofi: OfiConfig,
    pub vol_regime: VolRegimeConfig,
    pub context: MarketContextConfig,
    pub reference: ReferenceLeadConfig,
    /// The intensity fit replaces the mean-distance κ only when its log-linear fit explains
    /// at least this share of the variance of log λ across levels.
    pub min_fit_r_squared: f64,
}

impl Default for EstimatorConfig {
    fn default() -> Self {
        Self {
            mid_vol: MidVolConfig::default(),
            trade_distance: TradeDistanceConfig::default(),
            intensity_fit: IntensityFitConfig::default(),
            volume_clock: VolumeClockConfig::default(),
            trade_arrival: ArrivalRateConfig::default(),
            bucket_arrival: ArrivalRateConfig::default(),
            flow: TradeFlowConfig::default(),
            book: BookSignalsConfig::default(),
            ofi: OfiConfig::default(),
            vol_regime: VolRegimeConfig::default(),
            context: MarketContextConfig::default(),
            reference: ReferenceLeadConfig::default(),
            // A straight line through exponential hit rates fits with R² ≈ 0.99 on synthetic
            // data; 0.9 still admits real-data noise while refusing a shapeless cloud.
            min_fit_r_squared: 0.9,
        }
    }
}

/// A config value an estimator refused, with the key under `estimator.` that holds it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("estimator.{key}: {message}")]
pub struct EstimatorConfigError {
    pub key: &'static str,
    pub message: String,
}

fn refused(key: &'static str, error: impl std::fmt::Display) -> EstimatorConfigError {
    EstimatorConfigError { key, message: error.to_string() }
}

pub struct CoinEstimators {
    coin: CoinId,
    min_fit_r_squared: f64,
    mid_vol: MidVolEstimator,
    trade_distance: TradeDistanceEstimator,
    intensity_fit: IntensityFitEstimator,
    volume_clock: VolumeClockVolatility,
    trade_arrival: ArrivalRate,
    bucket_arrival: ArrivalRate,
    flow: TradeFlow,
    book: BookSignalsEstimator,
    ofi: OfiEstimator,
    vol_regime: VolRegime,
    context: MarketContext,
    reference: ReferenceLead,
    /// The last accepted book's params (top of book, book signals, σ from mids).
    last: Option<MarketParams>,
    /// The venue's clock at the last event, and the engine time it was seen: funding is paid
    /// on the venue's hour, so the countdown runs on its timestamps, not the local clock.
    venue_time: Option<(UnixNanos, Nanos)>,
}

impl CoinEstimators {
    /// `bucket_volume_base` overrides the volume clock's bucket size for this coin (a bucket
    /// should hold tens of trades, so it depends on the coin).
    pub fn new(
        coin: CoinId,
        config: &EstimatorConfig,
        bucket_volume_base: Option<f64>,
    ) -> Result<Self, EstimatorConfigError> {
        let mut volume_clock = config.volume_clock.clone();
        if let Some(base) = bucket_volume_base {
            volume_clock.bucket_volume_base = base;
        }
        if !(0.0..=1.0).contains(&config.min_fit_r_squared) {
            return Err(refused("min_fit_r_squared", "must be within 0..=1"));
        }
        config.mid_vol.validate().map_err(|e| refused("mid_vol", e))?;
        config.trade_distance.validate().map_err(|e| refused("trade_distance", e))?;
        config.intensity_fit.validate().map_err(|e| refused("intensity_fit", e))?;
        Ok(Self {
            coin,
            min_fit_r_squared: config.min_fit_r_squared,
            mid_vol: MidVolEstimator::new(&config.mid_vol),
            trade_distance: TradeDistanceEstimator::new(&config.trade_distance),
            intensity_fit: IntensityFitEstimator::new(&config.intensity_fit),
            volume_clock: VolumeClockVolatility::new(&volume_clock).map_err(|e| refused("volume_clock", e))?,
            trade_arrival: ArrivalRate::new(&config.trade_arrival).map_err(|e| refused("trade_arrival", e))?,
            bucket_arrival: ArrivalRate::new(&config.bucket_arrival).map_err(|e| refused("bucket_arrival", e))?,
            flow: TradeFlow::new(&config.flow).map_err(|e| refused("flow", e))?,
            book: BookSignalsEstimator::new(config.book.clone()).map_err(|e| refused("book", e))?,
            ofi: OfiEstimator::new(&config.ofi).map_err(|e| refused("ofi", e))?,
            vol_regime: VolRegime::new(&config.vol_regime).map_err(|e| refused("vol_regime", e))?,
            context: MarketContext::new(&config.context).map_err(|e| refused("context", e))?,
            reference: ReferenceLead::new(&config.reference).map_err(|e| refused("reference", e))?,
            last: None,
            venue_time: None,
        })
    }

    pub fn coin(&self) -> CoinId {
        self.coin
    }

    fn saw_venue_time(&mut self, now: Nanos, venue: UnixNanos) {
        if venue.0 > 0 {
            self.venue_time = Some((venue, now));
        }
    }

    /// A validated book (snapshot, or the top moved by a BBO update). `None` while the book
    /// has no usable mid.
    pub fn on_book(&mut self, now: Nanos, book: &L2Book) -> Option<MarketParams> {
        self.saw_venue_time(now, book.exchange_time);
        self.ofi.on_book(now, book);
        let signals = self.book.on_book(now, book);
        let mid_usd = self.mid_vol.on_book(now, book)?;
        self.reference.on_our_mid(now, mid_usd);
        let (best_bid, best_ask) = (book.best_bid()?, book.best_ask()?);
        let microprice_usd = book.weighted_mid_usd().unwrap_or(mid_usd);
        let mut params = MarketParams::cold(self.coin, best_bid, best_ask, mid_usd, microprice_usd);
        if let Some(s) = signals {
            let spread = self.book.spread_regime();
            params.book = BookParams {
                spread_bps: s.spread_bps,
                spread_ewma_bps: spread.ewma_spread_bps(),
                spread_regime: spread.label(),
                spread_jump_rate_per_s: spread.jump_rate_per_s(now),
                depth_imbalance: s.depth_imbalance,
                touch_bid_base: s.touch_bid_base,
                touch_ask_base: s.touch_ask_base,
                near_touch_bid_usd: s.near_touch.bid_usd,
                near_touch_ask_usd: s.near_touch.ask_usd,
                gamma_multiplier: s.gamma_multiplier,
            };
        }
        self.last = Some(params);
        let sigma = self.volatility().sigma_frac_per_sqrt_s;
        self.vol_regime.on_sigma(now, sigma);
        self.params(now)
    }

    /// A live trade. Returns the κ record when the mean-distance κ was recomputed (at most
    /// once per `trade_distance.recompute_interval_s`).
    pub fn on_trade(&mut self, now: Nanos, trade: &Trade) -> Option<KappaUpdate> {
        self.saw_venue_time(now, trade.exchange_time);
        self.trade_arrival.on_arrival(now);
        self.flow.on_trade(now, trade);
        if let Some(done) = self.volume_clock.on_trade(now, trade) {
            self.bucket_arrival.on_arrivals(done.last.end, done.count);
        }
        // Distances need the mid the trade printed against: the latest book's.
        let mid_usd = self.last.map(|p| p.mid_usd)?;
        self.intensity_fit.on_trade(now, trade, mid_usd);
        self.trade_distance.on_trade(now, trade, mid_usd)
    }

    pub fn on_asset_ctx(&mut self, now: Nanos, context: &AssetContext) {
        self.context.on_asset_ctx(now, context);
    }

    pub fn on_reference_mid(&mut self, now: Nanos, mid_usd: f64) {
        self.reference.on_reference_mid(now, mid_usd);
    }

    /// Lets time-windowed estimators close steps and expire old events without a new event.
    pub fn on_time(&mut self, now: Nanos) -> Option<KappaUpdate> {
        self.intensity_fit.on_time(now);
        self.flow.advance(now);
        self.ofi.advance(now);
        self.trade_distance.on_time(now)
    }

    fn volatility(&self) -> VolatilityParams {
        let bv_warm = self.volume_clock.is_warm();
        let (sigma, source) = if bv_warm {
            (self.volume_clock.sigma_bv_frac_per_sqrt_s(), SigmaSource::BipowerVolumeClock)
        } else {
            (self.mid_vol.sigma_frac_per_sqrt_s(), SigmaSource::MidEwma)
        };
        VolatilityParams {
            sigma_frac_per_sqrt_s: sigma,
            source,
            is_warm: bv_warm || self.mid_vol.is_warm(),
            mid_samples: self.mid_vol.samples(),
            mid_ewma_frac_per_sqrt_s: self.mid_vol.sigma_frac_per_sqrt_s(),
            bipower_frac_per_sqrt_s: self.volume_clock.sigma_bv_frac_per_sqrt_s(),
            realized_frac_per_sqrt_s: self.volume_clock.sigma_rv_frac_per_sqrt_s(),
            jump_share: self.volume_clock.jump_share(),
            regime: self.vol_regime.label(),
        }
    }

    fn intensity(&self, now: Nanos) -> IntensityParams {
        let fit = self.intensity_fit.fit_combined();
        let mean_kappa = self.trade_distance.kappa_ewma_per_frac();
        let mut p = IntensityParams {
            avg_trade_distance_bps: self.trade_distance.avg_distance_bps().unwrap_or(f64::NAN),
            trades_in_window: self.trade_distance.trades_in_window(),
            mean_distance_kappa_per_frac: mean_kappa.unwrap_or(f64::NAN),
            fit_kappa_per_frac: fit.map(|f| f.kappa_per_frac),
            fit_a_per_s: fit.map(|f| f.a_per_s),
            fit_r_squared: fit.map(|f| f.r_squared),
            ..IntensityParams::default()
        };
        match (fit, mean_kappa) {
            (Some(f), _) if self.intensity_fit.is_warm() && f.r_squared >= self.min_fit_r_squared => {
                (p.kappa_per_frac, p.a_per_s, p.source) = (f.kappa_per_frac, f.a_per_s, KappaSource::IntensityFit);
            }
            (_, Some(kappa)) if self.trade_distance.is_warm() && self.trade_arrival.is_warm() => {
                let per_side_rate = self.trade_arrival.rate_per_s(now) / 2.0;
                (p.kappa_per_frac, p.a_per_s, p.source) = (kappa, per_side_rate, KappaSource::MeanDistance);
            }
            _ => {}
        }
        p
    }

    fn context_params(&self, now: Nanos) -> ContextParams {
        let venue_now = self.venue_time.map(|(at, seen)| UnixNanos(at.0.saturating_add(now.saturating_sub(seen).0)));
        ContextParams {
            funding_rate_frac_per_hour: self.context.funding_rate_frac_per_hour(),
            time_to_funding_s: venue_now.map(|t| time_to_next_funding(t).as_secs_f64()),
            funding_extremity: self.context.funding_extremity(),
            open_interest_base: self.context.open_interest_base(),
            open_interest_change_frac: self.context.open_interest_change_frac(now),
            mark_premium_bps: self.context.mark_premium_bps(),
            oracle_px_usd: self.context.oracle_px().map(|px| px.to_f64()),
        }
    }

    fn reference_params(&self, now: Nanos) -> Option<ReferenceParams> {
        Some(ReferenceParams {
            mid_usd: self.reference.reference_mid_usd(now)?,
            lead_bps: self.reference.lead_bps(now),
            basis_bps: self.reference.basis_bps(now)?,
            basis_ewma_bps: self.reference.basis_ewma_bps(),
        })
    }

    /// The full snapshot at `now`; `None` before the first two-sided book.
    pub fn params(&self, now: Nanos) -> Option<MarketParams> {
        let mut p = self.last?;
        p.volatility = self.volatility();
        p.intensity = self.intensity(now);
        p.activity = ActivityParams {
            trade_rate_per_s: self.trade_arrival.rate_per_s(now),
            bucket_rate_per_s: self.bucket_arrival.rate_per_s(now),
        };
        let mut flow = FlowParams { is_warm: self.flow.is_warm(), ..FlowParams::default() };
        for (i, slot) in flow.windows.iter_mut().enumerate() {
            *slot = self.flow.window(i);
        }
        p.flow = flow;
        let mut ofi = OfiParams { is_warm: self.ofi.is_warm(), ..OfiParams::default() };
        for (i, slot) in ofi.windows.iter_mut().enumerate() {
            *slot = self.ofi.window(i);
        }
        p.ofi = ofi;
        p.context = self.context_params(now);
        p.reference = self.reference_params(now);
        Some(p)
    }

    /// The mean-distance estimator's latest κ record (for reports).
    pub fn last_kappa_update(&self) -> Option<KappaUpdate> {
        self.trade_distance.last_update()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimator::test_support::trade;
    use crate::market::BookLevel;
    use crate::types::{Price, Qty, Side};
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, Exp};

    const KAPPA_PER_FRAC: f64 = 2_000.0;
    const A_PER_SIDE_PER_S: f64 = 5.0;

    fn book(mid: f64, exchange_ms: u64) -> L2Book {
        let mut b = L2Book::empty(CoinId(0));
        b.exchange_time = UnixNanos::from_millis(exchange_ms);
        let level = |px: f64| BookLevel { px: Price::from_f64(px), sz: Qty::from_f64(1.0), orders: 1 };
        b.bids.push(level(mid - 0.005));
        b.asks.push(level(mid + 0.005));
        b
    }

    /// `seconds` of a market with known truth: a book a second on a random-walk mid, and on
    /// each side trades at rate A reaching an Exp(κ) distance from the mid.
    fn feed(est: &mut CoinEstimators, seconds: u64, seed: u64) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let distance = Exp::new(KAPPA_PER_FRAC).unwrap();
        let gap = Exp::new(2.0 * A_PER_SIDE_PER_S).unwrap();
        let (mut mid, mut t) = (100.0f64, 0.0f64);
        for second in 0..seconds {
            mid *= 1.0 + if rng.gen::<bool>() { 2e-4 } else { -2e-4 };
            est.on_book(Nanos::from_secs_f64(second as f64), &book(mid, 1_700_000_000_000 + second * 1_000));
            t = t.max(second as f64);
            loop {
                t += gap.sample(&mut rng);
                if t >= (second + 1) as f64 {
                    break;
                }
                let (side, sign) = if rng.gen::<bool>() { (Side::Bid, 1.0) } else { (Side::Ask, -1.0) };
                let px = mid * (1.0 + sign * distance.sample(&mut rng));
                est.on_trade(Nanos::from_secs_f64(t), &trade(side, px, 0.01));
            }
        }
    }

    fn estimators() -> CoinEstimators {
        // 10 trades a bucket: the volume clock warms within a minute.
        CoinEstimators::new(CoinId(0), &EstimatorConfig::default(), Some(0.1)).unwrap()
    }

    #[test]
    fn cold_estimates_say_so_then_each_source_takes_over_when_warm() {
        let mut est = estimators();
        assert!(est.params(Nanos(0)).is_none(), "nothing before the first book");
        feed(&mut est, 5, 1);
        let early = est.params(Nanos::from_millis(5_000)).unwrap();
        assert_eq!(early.volatility.source, SigmaSource::MidEwma);
        assert_eq!(early.intensity.source, KappaSource::None);

        feed(&mut est, 900, 2);
        let p = est.params(Nanos::from_millis(900_000)).unwrap();
        assert_eq!(p.volatility.source, SigmaSource::BipowerVolumeClock);
        assert_eq!(p.intensity.source, KappaSource::IntensityFit, "{:?}", p.intensity);
        let k = p.intensity;
        assert!((k.kappa_per_frac / KAPPA_PER_FRAC - 1.0).abs() < 0.15, "fit κ {}", k.kappa_per_frac);
        // The fit's A is per side, as the model's.
        assert!((k.a_per_s / A_PER_SIDE_PER_S - 1.0).abs() < 0.15, "fit A {}", k.a_per_s);
        assert!((k.mean_distance_kappa_per_frac / KAPPA_PER_FRAC - 1.0).abs() < 0.1, "mean-distance κ {k:?}");
        assert!((k.avg_trade_distance_bps - 5.0).abs() < 0.5, "avg distance {}", k.avg_trade_distance_bps);
        let rate = p.activity.trade_rate_per_s;
        assert!((rate / (2.0 * A_PER_SIDE_PER_S) - 1.0).abs() < 0.2, "trade rate {rate}");
        assert!(p.flow.windows.iter().flatten().count() >= 1 && p.ofi.windows.iter().flatten().count() >= 1);
    }

    #[test]
    fn funding_countdown_runs_on_venue_time_and_the_reference_appears_when_fed() {
        let mut est = estimators();
        // Venue clock 12:59:30 UTC on the book; the engine clock is unrelated.
        let mut b = book(100.0, 0);
        b.exchange_time = UnixNanos::from_millis(1_700_000_000_000 - 1_700_000_000_000 % 3_600_000 + 3_570_000);
        est.on_book(Nanos::from_secs_f64(10.0), &b);
        let p = est.params(Nanos::from_secs_f64(20.0)).unwrap();
        assert_eq!(p.context.time_to_funding_s, Some(20.0), "30 s to the hour, 10 s later");
        assert!(p.reference.is_none(), "no reference venue fed");
        est.on_reference_mid(Nanos::from_secs_f64(20.0), 100.05);
        est.on_book(Nanos::from_secs_f64(20.1), &b);
        let p = est.params(Nanos::from_secs_f64(20.1)).unwrap();
        let reference = p.reference.expect("fresh reference");
        assert!((reference.basis_bps - 5.0).abs() < 0.01, "{reference:?}");
        assert!((reference.mid_usd - 100.05).abs() < 1e-9, "{reference:?}");
    }

    #[test]
    fn a_bad_setting_is_refused_with_its_key() {
        let mut config = EstimatorConfig::default();
        config.volume_clock.bucket_volume_base = -1.0;
        let err = CoinEstimators::new(CoinId(0), &config, None).err().unwrap();
        assert_eq!(err.key, "volume_clock");
        let err = CoinEstimators::new(CoinId(0), &EstimatorConfig::default(), Some(f64::NAN)).err().unwrap();
        assert_eq!(err.key, "volume_clock");
        let config = EstimatorConfig { min_fit_r_squared: 2.0, ..EstimatorConfig::default() };
        assert_eq!(CoinEstimators::new(CoinId(0), &config, None).err().unwrap().key, "min_fit_r_squared");
    }
}
