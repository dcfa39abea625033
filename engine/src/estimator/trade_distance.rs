//! κ of the fill intensity λ(δ) = A·exp(−κ·δ) from the mean distance at which trades execute
//! (MODELS.md "Fill intensity", first estimator).
//!
//! δ is the distance of a trade from the mid **as a fraction of the mid**, |px − mid| / mid, so
//! κ is per unit fraction (κ = 2000 per frac ↔ mean distance 5 bps). If trade distances are
//! exponential with rate κ, E[δ] = 1/κ, so κ = 1 / (volume-weighted mean δ over a rolling time
//! window). The raw κ is clamped to configured bounds (MODELS.md: 100…50 000 per frac) and
//! smoothed by a time-based EWMA.
//!
//! κ comes from where trades **execute**, never from the shape of the resting book (resting
//! size often grows away from the mid, which gives a flat or positive slope; see the test
//! `book_shape_regression_gets_kappa_wrong_trades_get_it_right`).
//!
//! The half spread is part of the distance, on purpose: a trade printing at the touch is
//! ≈ half a spread from the mid, and a quote placed at distance δ from the mid is also measured
//! from the mid (the GLFT / Avellaneda–Stoikov δ), so the distance a taker reaches *from the
//! mid* is the quantity λ(δ) needs. Subtracting the half spread would measure depth beyond the
//! touch, a different δ. Consequence: with a wide spread κ cannot exceed ≈ 2/spread.
//!
//! The mid passed with a trade should be the mid prevailing just before it (the latest book
//! the caller has); a stale mid shows up as extra distance.

use crate::market::Trade;
use crate::types::Nanos;
use crate::units::{bps_to_frac, frac_to_bps};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TradeDistanceConfig {
    /// Rolling window of trades behind the mean distance.
    pub window_s: f64,
    /// Ring capacity (trades). When full the oldest trade is evicted early (and counted);
    /// size it above the busiest window's trade count.
    pub capacity: usize,
    /// Lower κ bound: mean distance 100 bps. A smaller κ would put quotes hundreds of bps out.
    pub kappa_min_per_frac: f64,
    /// Upper κ bound: mean distance 0.2 bps. Also the value when every trade sits at the mid.
    pub kappa_max_per_frac: f64,
    /// Half-life of the κ EWMA in **seconds**, not in updates: updates come when events arrive
    /// (trades come in bursts), so a per-update half-life would make the smoothing depend on the
    /// trade rate — hours in a quiet market, seconds in a busy one. A time half-life fixes the
    /// response time.
    pub kappa_half_life_s: f64,
    /// κ is recomputed at most this often (on a trade or `on_time`); each recompute is one
    /// `KappaUpdate` record. 0 recomputes on every trade.
    pub recompute_interval_s: f64,
    /// Trades in the window needed before κ is trusted.
    pub min_trades_warm: u32,
    /// Trades farther than this from the mid are dropped and counted as outliers: they reveal
    /// a mid that does not belong to the trade (stale or wrong book), not market depth. 10× the
    /// mean distance implied by `kappa_min_per_frac`.
    pub max_distance_bps: f64,
}

impl Default for TradeDistanceConfig {
    fn default() -> Self {
        Self {
            window_s: 300.0,
            capacity: 65_536,
            kappa_min_per_frac: 100.0,
            kappa_max_per_frac: 50_000.0,
            kappa_half_life_s: 60.0,
            recompute_interval_s: 1.0,
            min_trades_warm: 50,
            max_distance_bps: 1_000.0,
        }
    }
}

impl TradeDistanceConfig {
    /// Refuses settings the estimator cannot run with, naming the field.
    pub fn validate(&self) -> Result<(), &'static str> {
        if !(self.window_s > 0.0 && self.window_s.is_finite()) {
            return Err("window_s must be a positive number");
        }
        if !(self.kappa_min_per_frac > 0.0 && self.kappa_min_per_frac.is_finite()) {
            return Err("kappa_min_per_frac must be a positive number");
        }
        if !(self.kappa_max_per_frac > 0.0 && self.kappa_max_per_frac.is_finite()) {
            return Err("kappa_max_per_frac must be a positive number");
        }
        if !(self.kappa_half_life_s > 0.0 && self.kappa_half_life_s.is_finite()) {
            return Err("kappa_half_life_s must be a positive number");
        }
        if !(self.recompute_interval_s >= 0.0 && self.recompute_interval_s.is_finite()) {
            return Err("recompute_interval_s must be a non-negative number");
        }
        if !(self.max_distance_bps > 0.0 && self.max_distance_bps.is_finite()) {
            return Err("max_distance_bps must be a positive number");
        }
        if self.kappa_min_per_frac > self.kappa_max_per_frac {
            return Err("kappa_min_per_frac must not exceed kappa_max_per_frac");
        }
        if self.capacity == 0 {
            return Err("capacity must be at least 1");
        }
        Ok(())
    }
}

/// One κ recompute, for the actor's log record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KappaUpdate {
    pub trades_in_window: u32,
    /// Volume-weighted mean |px − mid| / mid of the window, in bps (includes the half spread).
    pub avg_distance_bps: f64,
    /// 1 / mean distance, clamped to the bounds.
    pub kappa_per_frac: f64,
    pub kappa_ewma_per_frac: f64,
}

#[derive(Debug, Clone, Copy)]
struct WindowTrade {
    at: Nanos,
    distance_frac: f64,
    size_base: f64,
}

/// Per-coin mean-trade-distance κ estimator: O(1) amortised per event, no allocation after `new`.
#[derive(Debug, Clone)]
pub struct TradeDistanceEstimator {
    window: Nanos,
    recompute_interval: Nanos,
    capacity: usize,
    kappa_min_per_frac: f64,
    kappa_max_per_frac: f64,
    kappa_tau_s: f64,
    min_trades_warm: u32,
    max_distance_frac: f64,
    ring: VecDeque<WindowTrade>,
    /// Σ size and Σ size·distance over the ring, kept incrementally and re-summed exactly every
    /// `capacity` removals so floating-point drift cannot accumulate (amortised O(1)).
    sum_size_base: f64,
    sum_size_distance: f64,
    removals_since_resum: usize,
    last_recompute: Option<Nanos>,
    last_update: Option<KappaUpdate>,
    trades_seen: u64,
    rejected_inputs: u64,
    outliers: u64,
    evicted_full: u64,
    kappa_clamped: u64,
}

impl TradeDistanceEstimator {
    pub fn new(config: &TradeDistanceConfig) -> Self {
        // A ring needs at least one slot; everything else is taken as configured.
        let capacity = config.capacity.max(1);
        Self {
            window: Nanos::from_secs_f64(config.window_s),
            recompute_interval: Nanos::from_secs_f64(config.recompute_interval_s),
            capacity,
            kappa_min_per_frac: config.kappa_min_per_frac,
            kappa_max_per_frac: config.kappa_max_per_frac.max(config.kappa_min_per_frac),
            // Half-life h ↔ time constant τ = h / ln 2.
            kappa_tau_s: config.kappa_half_life_s / std::f64::consts::LN_2,
            min_trades_warm: config.min_trades_warm,
            max_distance_frac: bps_to_frac(config.max_distance_bps),
            ring: VecDeque::with_capacity(capacity),
            sum_size_base: 0.0,
            sum_size_distance: 0.0,
            removals_since_resum: 0,
            last_recompute: None,
            last_update: None,
            trades_seen: 0,
            rejected_inputs: 0,
            outliers: 0,
            evicted_full: 0,
            kappa_clamped: 0,
        }
    }

    /// Adds a trade (`mid_usd` = mid at trade time); returns the update when κ was recomputed.
    pub fn on_trade(&mut self, now: Nanos, trade: &Trade, mid_usd: f64) -> Option<KappaUpdate> {
        let px = trade.px.to_f64();
        let size_base = trade.sz.to_f64();
        if !(mid_usd.is_finite() && mid_usd > 0.0 && px > 0.0 && size_base > 0.0) {
            self.rejected_inputs += 1;
            return self.on_time(now);
        }
        let distance_frac = (px - mid_usd).abs() / mid_usd;
        if distance_frac > self.max_distance_frac {
            self.outliers += 1;
            return self.on_time(now);
        }
        self.evict_older_than(now);
        if self.ring.len() >= self.capacity {
            self.evicted_full += 1;
            self.remove_oldest();
        }
        self.ring.push_back(WindowTrade { at: now, distance_frac, size_base });
        self.sum_size_base += size_base;
        self.sum_size_distance += size_base * distance_frac;
        self.trades_seen += 1;
        self.maybe_recompute(now)
    }

    /// Advances time without a trade: evicts old trades and recomputes when due.
    pub fn on_time(&mut self, now: Nanos) -> Option<KappaUpdate> {
        self.evict_older_than(now);
        self.maybe_recompute(now)
    }

    pub fn is_warm(&self) -> bool {
        self.trades_in_window() >= self.min_trades_warm && self.last_update.is_some()
    }

    pub fn trades_in_window(&self) -> u32 {
        u32::try_from(self.ring.len()).unwrap_or(u32::MAX)
    }

    /// The last recompute. κ is kept when the window empties (then `is_warm` is false).
    pub fn last_update(&self) -> Option<KappaUpdate> {
        self.last_update
    }

    pub fn avg_distance_bps(&self) -> Option<f64> {
        self.last_update.map(|u| u.avg_distance_bps)
    }

    pub fn kappa_per_frac(&self) -> Option<f64> {
        self.last_update.map(|u| u.kappa_per_frac)
    }

    pub fn kappa_ewma_per_frac(&self) -> Option<f64> {
        self.last_update.map(|u| u.kappa_ewma_per_frac)
    }

    /// Valid trades accepted.
    pub fn trades_seen(&self) -> u64 {
        self.trades_seen
    }

    /// Trades ignored for NaN / non-positive mid or price, or non-positive size.
    pub fn rejected_inputs(&self) -> u64 {
        self.rejected_inputs
    }

    /// Trades ignored for being farther than `max_distance_bps` from the mid.
    pub fn outliers(&self) -> u64 {
        self.outliers
    }

    /// Trades evicted before their time because the ring was full.
    pub fn evicted_full(&self) -> u64 {
        self.evicted_full
    }

    /// Recomputes whose raw κ fell outside the bounds.
    pub fn kappa_clamped(&self) -> u64 {
        self.kappa_clamped
    }

    fn evict_older_than(&mut self, now: Nanos) {
        while let Some(oldest) = self.ring.front() {
            if now.saturating_sub(oldest.at) <= self.window {
                break;
            }
            self.remove_oldest();
        }
    }

    fn remove_oldest(&mut self) {
        let Some(old) = self.ring.pop_front() else { return };
        self.sum_size_base -= old.size_base;
        self.sum_size_distance -= old.size_base * old.distance_frac;
        self.removals_since_resum += 1;
        if self.ring.is_empty() || self.removals_since_resum >= self.capacity {
            self.sum_size_base = self.ring.iter().map(|t| t.size_base).sum();
            self.sum_size_distance = self.ring.iter().map(|t| t.size_base * t.distance_frac).sum();
            self.removals_since_resum = 0;
        }
    }

    fn maybe_recompute(&mut self, now: Nanos) -> Option<KappaUpdate> {
        if let Some(last) = self.last_recompute {
            if now.saturating_sub(last) < self.recompute_interval {
                return None;
            }
        }
        if self.ring.is_empty() || self.sum_size_base <= 0.0 {
            return None;
        }
        let dt_s = self.last_recompute.map_or(0.0, |last| now.saturating_sub(last).as_secs_f64());
        self.last_recompute = Some(now);
        let mean_frac = (self.sum_size_distance / self.sum_size_base).max(0.0);
        // E[δ] = 1/κ. A zero mean (every trade at the mid) means "as tight as allowed".
        let kappa_raw = if mean_frac > 0.0 { 1.0 / mean_frac } else { f64::INFINITY };
        // max/min rather than clamp: clamp panics on NaN or inverted bounds from a bad config.
        let kappa = kappa_raw.max(self.kappa_min_per_frac).min(self.kappa_max_per_frac);
        if kappa != kappa_raw {
            self.kappa_clamped += 1;
        }
        let kappa_ewma = match self.last_update {
            // First estimate is taken whole; afterwards w = 1 − exp(−Δt/τ).
            None => kappa,
            Some(prev) => {
                let w = 1.0 - (-dt_s / self.kappa_tau_s).exp();
                prev.kappa_ewma_per_frac + w * (kappa - prev.kappa_ewma_per_frac)
            }
        };
        let update = KappaUpdate {
            trades_in_window: self.trades_in_window(),
            avg_distance_bps: frac_to_bps(mean_frac),
            kappa_per_frac: kappa,
            kappa_ewma_per_frac: kappa_ewma,
        };
        self.last_update = Some(update);
        Some(update)
    }
}

#[cfg(test)]
mod tests {
    use super::super::intensity_fit::{IntensityFitConfig, IntensityFitEstimator};
    use super::super::test_support::trade;
    use super::*;
    use crate::market::{BookLevel, L2Book};
    use crate::types::{CoinId, Price, Qty, Side};
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, Exp};

    /// Poisson trades at `rate_per_s` per side, distances Exp(κ) from a random-walk mid.
    /// Yields (time, trade, mid at trade time).
    fn synthetic_trades(seed: u64, kappa_per_frac: f64, rate_per_s: f64, duration_s: f64) -> Vec<(Nanos, Trade, f64)> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let gap = Exp::new(2.0 * rate_per_s).expect("positive rate");
        let depth = Exp::new(kappa_per_frac).expect("positive κ");
        let (mut t_s, mut mid, mut out) = (0.0, 100.0, Vec::new());
        loop {
            t_s += gap.sample(&mut rng);
            if t_s > duration_s {
                return out;
            }
            mid *= 1.0 + 1e-5 * (rng.gen::<f64>() - 0.5);
            let d: f64 = depth.sample(&mut rng);
            let aggressor = if rng.gen::<bool>() { Side::Bid } else { Side::Ask };
            // A buyer lifts asks above the mid, a seller hits bids below it.
            let px = mid * (1.0 + aggressor.sign() as f64 * d);
            out.push((Nanos::from_secs_f64(t_s), trade(aggressor, px, rng.gen_range(0.1..2.0)), mid));
        }
    }

    fn config() -> TradeDistanceConfig {
        TradeDistanceConfig { window_s: 1_000.0, capacity: 20_000, min_trades_warm: 20, ..Default::default() }
    }

    #[test]
    fn recovers_kappa_of_exponential_trade_distances() {
        let kappa_true = 2_000.0; // mean distance 5 bps
        let mut est = TradeDistanceEstimator::new(&config());
        for (now, t, mid) in synthetic_trades(11, kappa_true, 5.0, 1_500.0) {
            est.on_trade(now, &t, mid);
        }
        let u = est.last_update().expect("recomputed");
        println!("trade distance: {u:?}");
        assert!((u.kappa_per_frac / kappa_true - 1.0).abs() < 0.1, "{u:?}");
        assert!((u.kappa_ewma_per_frac / kappa_true - 1.0).abs() < 0.1, "{u:?}");
        assert!((u.avg_distance_bps - 5.0).abs() < 0.5, "{u:?}");
        assert!(est.is_warm() && est.trades_in_window() > 8_000 && est.evicted_full() == 0);
    }

    #[test]
    fn book_shape_regression_gets_kappa_wrong_trades_get_it_right() {
        // Naive "book-shape κ": regress ln(level size) on the level's distance from the mid.
        fn book_shape_kappa_per_frac(book: &L2Book, mid: f64) -> f64 {
            let pts: Vec<(f64, f64)> = (book.bids.iter().map(|l| (mid - l.px.to_f64(), l.sz)))
                .chain(book.asks.iter().map(|l| (l.px.to_f64() - mid, l.sz)))
                .map(|(d, sz)| (d / mid, sz.to_f64().ln()))
                .collect();
            let n = pts.len() as f64;
            let (mx, my) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
            let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
            let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
            -sxy / sxx
        }
        let (mid, tick, s0) = (100.0, 0.01, 1.0);
        let mut book = L2Book::empty(CoinId(0));
        for i in 0..20 {
            let (off, sz) = ((i as f64 + 0.5) * tick, Qty::from_f64(s0 * (1.0 + i as f64)));
            book.bids.push(BookLevel { px: Price::from_f64(mid - off), sz, orders: 1 });
            book.asks.push(BookLevel { px: Price::from_f64(mid + off), sz, orders: 1 });
        }
        let kappa_book = book_shape_kappa_per_frac(&book, mid);

        let kappa_true = 2_000.0;
        let mut distance = TradeDistanceEstimator::new(&config());
        let fit_config = IntensityFitConfig { half_life_s: 1e9, ..Default::default() };
        let mut fit = IntensityFitEstimator::new(&fit_config);
        for (now, t, mid) in synthetic_trades(5, kappa_true, 2.0, 5_000.0) {
            distance.on_trade(now, &t, mid);
            fit.on_trade(now, &t, mid);
        }
        let kappa_distance = distance.kappa_per_frac().expect("recomputed");
        let kappa_fit = fit.fit_combined().expect("fitted").kappa_per_frac;
        println!("book-shape κ {kappa_book:.0}, mean-distance κ {kappa_distance:.0}, fit κ {kappa_fit:.0}");
        assert!(kappa_book <= 0.0, "size growing away from the mid gives a non-positive slope: {kappa_book}");
        assert!((kappa_distance / kappa_true - 1.0).abs() < 0.1, "{kappa_distance}");
        assert!((kappa_fit / kappa_true - 1.0).abs() < 0.1, "{kappa_fit}");
    }

    #[test]
    fn clamps_to_bounds_and_all_at_mid_is_max_not_a_division_by_zero() {
        let mut est = TradeDistanceEstimator::new(&config());
        let u = est.on_trade(Nanos(1), &trade(Side::Bid, 100.0, 1.0), 100.0).expect("first trade recomputes");
        assert_eq!((u.kappa_per_frac, u.avg_distance_bps), (50_000.0, 0.0));
        let mut est = TradeDistanceEstimator::new(&config());
        // 2 % from the mid: raw κ = 50 per frac, below the 100 floor.
        let u = est.on_trade(Nanos(1), &trade(Side::Bid, 102.0, 1.0), 100.0).expect("recomputed");
        assert_eq!(u.kappa_per_frac, 100.0);
        assert!((u.avg_distance_bps - 200.0).abs() < 1e-9);
        assert_eq!(est.kappa_clamped(), 1);
    }

    #[test]
    fn bad_inputs_are_ignored_and_counted() {
        let mut est = TradeDistanceEstimator::new(&config());
        assert!(est.last_update().is_none() && est.avg_distance_bps().is_none(), "empty: nothing to report");
        assert!(est.on_trade(Nanos(1), &trade(Side::Bid, 100.0, 1.0), f64::NAN).is_none());
        assert!(est.on_trade(Nanos(2), &trade(Side::Bid, 100.0, 1.0), 0.0).is_none());
        assert!(est.on_trade(Nanos(3), &trade(Side::Bid, 100.0, 0.0), 100.0).is_none());
        assert!(est.on_trade(Nanos(4), &trade(Side::Bid, 100.0, -1.0), 100.0).is_none());
        assert!(est.on_trade(Nanos(5), &trade(Side::Bid, 0.0, 1.0), 100.0).is_none());
        assert!(est.on_trade(Nanos(6), &trade(Side::Bid, 150.0, 1.0), 100.0).is_none());
        assert_eq!((est.rejected_inputs(), est.outliers(), est.trades_seen(), est.trades_in_window()), (5, 1, 0, 0));
    }

    #[test]
    fn warms_up_evicts_by_time_and_by_capacity() {
        let cfg = TradeDistanceConfig { window_s: 10.0, capacity: 8, min_trades_warm: 5, ..Default::default() };
        let mut est = TradeDistanceEstimator::new(&cfg);
        for i in 0..5u64 {
            assert!(!est.is_warm());
            est.on_trade(Nanos::from_secs_f64(i as f64), &trade(Side::Bid, 100.05, 1.0), 100.0);
        }
        assert!(est.is_warm());
        // Ring of 8: trades 9..=12 push out the four oldest before their time.
        for i in 0..7u64 {
            est.on_trade(Nanos::from_secs_f64(5.0 + i as f64 * 0.5), &trade(Side::Ask, 99.9, 1.0), 100.0);
        }
        assert_eq!((est.trades_in_window(), est.evicted_full()), (8, 4));
        // 20 s later every trade is older than the 10 s window.
        assert!(est.on_time(Nanos::from_secs_f64(25.0)).is_none(), "empty window: no update");
        assert_eq!(est.trades_in_window(), 0);
        assert!(!est.is_warm());
        assert!(est.kappa_per_frac().is_some(), "last κ is kept for reference");
    }

    #[test]
    fn recomputes_at_most_once_per_interval_and_ewma_follows_with_its_half_life() {
        let cfg = TradeDistanceConfig { window_s: 1.0, kappa_half_life_s: 10.0, ..config() };
        let mut est = TradeDistanceEstimator::new(&cfg);
        assert!(est.on_trade(Nanos::from_secs_f64(0.0), &trade(Side::Bid, 100.1, 1.0), 100.0).is_some());
        assert!(est.on_trade(Nanos::from_secs_f64(0.5), &trade(Side::Bid, 100.1, 1.0), 100.0).is_none());
        // The window now holds one trade at 5 bps: raw κ 2000 vs EWMA starting at 1000.
        let u = est.on_trade(Nanos::from_secs_f64(10.0), &trade(Side::Bid, 100.05, 1.0), 100.0).expect("due");
        assert!((u.kappa_per_frac - 2_000.0).abs() < 1e-6);
        // One half-life later the EWMA has moved half-way: 1000 → 1500.
        assert!((u.kappa_ewma_per_frac - 1_500.0).abs() < 1e-6, "{u:?}");
    }
}
