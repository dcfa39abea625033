//! A and κ of the fill intensity λ(δ) = A·exp(−κ·δ) fitted from how often trades reach each
//! distance from the mid (MODELS.md "Fill intensity", second estimator).
//!
//! Time is cut into steps of `step_s`. In each step and on each side we record the deepest
//! distance a trade reached: a buyer (aggressor `Bid`) lifts asks, ask-side distance
//! (px − mid)/mid; a seller hits bids, bid-side distance (mid − px)/mid. On a grid of levels
//! δ_k = first + k·spacing, a level is "hit" in a step when the deepest distance reached it.
//!
//! **Units.** Levels are configured in bps but every distance here is a **fraction of the
//! mid** (`units::bps_to_frac`), so κ comes out per unit fraction, like the mean-distance
//! estimator's (κ_per_bps = κ_per_frac / 10 000). A fit against δ in ticks or half-ticks would
//! give κ per tick or per half-tick — the known pitfall; nothing here counts ticks.
//!
//! **Mid at trade time**, not at step start: λ(δ) is the fill rate of a quote δ from the
//! *current* mid (the quoter re-centres continuously), and it keeps δ identical to the
//! mean-distance estimator's so the two κ can be compared. Measuring from the step-start mid
//! would add the mid's drift within the step to every distance, which inflates the deepest
//! distance and flattens κ.
//!
//! **Poisson correction.** If trades reaching beyond δ arrive as a Poisson process of rate
//! λ(δ) (trades at rate A with Exp(κ) distances: thinning gives A·e^(−κδ)), a level is hit in a
//! step of length Δt with probability p = 1 − exp(−λ·Δt). We invert that exactly:
//! λ = −ln(1 − p)/Δt. The naive p/Δt saturates at 1/Δt near the mid and flattens κ. Bursts
//! (one sweep printing several trades) count once, which is what a resting quote sees.
//!
//! **Forgetting.** Each closed step multiplies past hit and step counts by d = 2^(−step_s/h)
//! (h = `half_life_s`), so p is an exponentially weighted hit frequency. A gap of n empty steps
//! is applied in O(1): counts × dⁿ, steps × dⁿ + (1 − dⁿ)/(1 − d).
//!
//! **Fit.** Weighted least squares of ln λ_k = ln A − κ·δ_k over levels with at least
//! `min_level_hits` hits *and* as many misses (a level hit in every step only says "λ is
//! large": −ln(1 − p) diverges). Weights are the inverse delta-method variance of ln λ̂,
//! n·(1 − p)·ln²(1 − p)/p, which is ≈ the hit count when p is small. Levels inside the half
//! spread are hit by every trade on that side, so their rate is flat (the total trade rate):
//! set `first_level_bps` at or above the usual half spread on wide-spread coins.

use crate::market::Trade;
use crate::types::{Nanos, Side};
use crate::units::bps_to_frac;
use serde::{Deserialize, Serialize};

/// Upper bound of `levels`: the grid lives in fixed arrays.
pub const MAX_INTENSITY_LEVELS: usize = 32;

/// A line through two points always fits; a third can contradict the exponential shape.
const MIN_LEVELS_WARM: u32 = 3;

/// A trade exactly at a level's price reaches it; this absorbs the rounding of (px − mid)/mid
/// (1e-12 of the mid = 1e-8 bps, far below any level spacing).
const LEVEL_TOLERANCE_FRAC: f64 = 1e-12;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntensityFitConfig {
    /// Step length Δt. Short enough that the mid barely moves and near levels are not hit in
    /// every step; 1 s also spans several Hyperliquid blocks, so one block's prints share a step.
    pub step_s: f64,
    /// Distance of the first level from the mid (bps).
    pub first_level_bps: f64,
    /// Distance between levels (bps).
    pub level_spacing_bps: f64,
    /// Number of levels, at most `MAX_INTENSITY_LEVELS` (more are ignored).
    pub levels: usize,
    /// Half-life of the hit counts (s); deep levels are hit rarely, so it must hold many steps.
    pub half_life_s: f64,
    /// Decayed hits (and misses) a level needs to enter the fit.
    pub min_level_hits: f64,
    /// Closed steps needed before the fit is trusted.
    pub min_steps_warm: u64,
}

impl Default for IntensityFitConfig {
    fn default() -> Self {
        Self {
            step_s: 1.0,
            first_level_bps: 0.0,
            level_spacing_bps: 1.0,
            levels: 20,
            half_life_s: 900.0,
            min_level_hits: 10.0,
            min_steps_warm: 120,
        }
    }
}

impl IntensityFitConfig {
    /// Refuses settings the estimator cannot run with, naming the field.
    pub fn validate(&self) -> Result<(), &'static str> {
        if !(self.step_s > 0.0 && self.step_s.is_finite()) {
            return Err("step_s must be a positive number");
        }
        if !(self.first_level_bps >= 0.0 && self.first_level_bps.is_finite()) {
            return Err("first_level_bps must be a non-negative number");
        }
        if !(self.level_spacing_bps > 0.0 && self.level_spacing_bps.is_finite()) {
            return Err("level_spacing_bps must be a positive number");
        }
        if !(self.half_life_s > 0.0 && self.half_life_s.is_finite()) {
            return Err("half_life_s must be a positive number");
        }
        if !(self.min_level_hits >= 0.0 && self.min_level_hits.is_finite()) {
            return Err("min_level_hits must be a non-negative number");
        }
        if !(3..=MAX_INTENSITY_LEVELS).contains(&self.levels) {
            return Err("levels must be within 3..=32 (a line needs three points to judge its fit)");
        }
        Ok(())
    }
}

/// One fit of ln λ(δ) = ln A − κ·δ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IntensityFit {
    /// Rate at the mid (δ = 0), per second, for one side.
    pub a_per_s: f64,
    pub kappa_per_frac: f64,
    /// Weighted R² of the log-linear fit.
    pub r_squared: f64,
    /// Points in the fit (side, level); up to 2·levels for the combined fit.
    pub levels_used: u32,
}

/// Per-coin intensity fit: O(levels) ≤ O(32) per closed step, O(1) per trade, no allocation.
#[derive(Debug, Clone)]
pub struct IntensityFitEstimator {
    step: Nanos,
    step_s: f64,
    level_frac: [f64; MAX_INTENSITY_LEVELS],
    levels: usize,
    first_level_bps: f64,
    level_spacing_bps: f64,
    /// ln d, d = 2^(−step_s/half_life_s); 0 means no forgetting.
    log_decay_per_step: f64,
    min_level_hits: f64,
    min_steps_warm: u64,
    /// End of the open step; None before the first event.
    step_end: Option<Nanos>,
    /// Deepest distance reached in the open step, per book side (`Side::index`); −∞ = no trade.
    deepest_frac: [f64; 2],
    steps_weight: f64,
    hits: [[f64; MAX_INTENSITY_LEVELS]; 2],
    steps_closed: u64,
    /// Bid side, ask side, combined; refreshed when steps close.
    fits: [Option<IntensityFit>; 3],
    trades_seen: u64,
    rejected_inputs: u64,
    wrong_side_trades: u64,
}

impl IntensityFitEstimator {
    pub fn new(config: &IntensityFitConfig) -> Self {
        let levels = config.levels.min(MAX_INTENSITY_LEVELS);
        let mut level_frac = [0.0; MAX_INTENSITY_LEVELS];
        for (k, level) in level_frac.iter_mut().enumerate().take(levels) {
            *level = bps_to_frac(config.first_level_bps + k as f64 * config.level_spacing_bps);
        }
        // A zero-length step would never close; one nanosecond is the smallest that does.
        let step = Nanos(Nanos::from_secs_f64(config.step_s).0.max(1));
        let step_s = step.as_secs_f64();
        let log_decay = -std::f64::consts::LN_2 * step_s / config.half_life_s;
        Self {
            step,
            step_s,
            level_frac,
            levels,
            first_level_bps: config.first_level_bps,
            level_spacing_bps: config.level_spacing_bps,
            log_decay_per_step: if log_decay.is_finite() && log_decay < 0.0 { log_decay } else { 0.0 },
            min_level_hits: config.min_level_hits,
            min_steps_warm: config.min_steps_warm,
            step_end: None,
            deepest_frac: [f64::NEG_INFINITY; 2],
            steps_weight: 0.0,
            hits: [[0.0; MAX_INTENSITY_LEVELS]; 2],
            steps_closed: 0,
            fits: [None; 3],
            trades_seen: 0,
            rejected_inputs: 0,
            wrong_side_trades: 0,
        }
    }

    /// Closes elapsed steps, then records the trade (`mid_usd` = mid at trade time).
    /// Returns true when steps closed and the fits were refreshed.
    pub fn on_trade(&mut self, now: Nanos, trade: &Trade, mid_usd: f64) -> bool {
        let refitted = self.on_time(now);
        let px = trade.px.to_f64();
        if !(mid_usd.is_finite() && mid_usd > 0.0 && px > 0.0 && trade.sz.to_f64() > 0.0) {
            self.rejected_inputs += 1;
            return refitted;
        }
        // A buyer reaches up into the asks, a seller down into the bids.
        let distance_frac = trade.aggressor.sign() as f64 * (px - mid_usd) / mid_usd;
        if distance_frac < 0.0 {
            self.wrong_side_trades += 1;
        }
        let deepest = &mut self.deepest_frac[trade.aggressor.opposite().index()];
        *deepest = deepest.max(distance_frac);
        self.trades_seen += 1;
        refitted
    }

    /// Closes every step that ended by `now` (a long gap in O(1)); true when fits were refreshed.
    pub fn on_time(&mut self, now: Nanos) -> bool {
        let Some(end) = self.step_end else {
            self.step_end = Some(now + self.step);
            return false;
        };
        if now < end {
            return false;
        }
        self.close_step();
        let empty_steps = now.saturating_sub(end).0 / self.step.0;
        if empty_steps > 0 {
            self.add_empty_steps(empty_steps);
        }
        self.step_end = Some(Nanos(end.0.saturating_add(self.step.0.saturating_mul(empty_steps + 1))));
        self.refit();
        true
    }

    /// Fit for quotes resting on `side` of the book (`Side::Bid`: our bids, hit by sellers).
    pub fn fit(&self, side: Side) -> Option<IntensityFit> {
        self.fits[side.index()]
    }

    /// One (A, κ) through both sides' points: what a symmetric quoter uses. A is per side.
    pub fn fit_combined(&self) -> Option<IntensityFit> {
        self.fits[2]
    }

    /// Enough steps, and a combined fit on ≥ 3 points with a positive finite κ.
    pub fn is_warm(&self) -> bool {
        self.steps_closed >= self.min_steps_warm
            && self.fits[2].is_some_and(|f| {
                f.levels_used >= MIN_LEVELS_WARM && f.kappa_per_frac.is_finite() && f.kappa_per_frac > 0.0
            })
    }

    pub fn steps_closed(&self) -> u64 {
        self.steps_closed
    }

    pub fn level_distance_bps(&self, level: usize) -> Option<f64> {
        (level < self.levels).then_some(self.first_level_bps + level as f64 * self.level_spacing_bps)
    }

    /// Poisson-corrected rate at which trades reach `level` on `side`, per second.
    pub fn level_rate_per_s(&self, side: Side, level: usize) -> Option<f64> {
        if level >= self.levels || self.steps_weight <= 0.0 {
            return None;
        }
        let p = self.hits[side.index()][level] / self.steps_weight;
        (p < 1.0).then(|| -(-p).ln_1p() / self.step_s)
    }

    pub fn trades_seen(&self) -> u64 {
        self.trades_seen
    }

    /// Trades ignored for NaN / non-positive mid or price, or non-positive size.
    pub fn rejected_inputs(&self) -> u64 {
        self.rejected_inputs
    }

    /// Trades on the wrong side of the mid (a buyer below it): the mid was stale. Kept; they
    /// reach no level at or beyond the mid.
    pub fn wrong_side_trades(&self) -> u64 {
        self.wrong_side_trades
    }

    fn close_step(&mut self) {
        let decay = self.log_decay_per_step.exp();
        self.steps_weight = self.steps_weight * decay + 1.0;
        for side in 0..2 {
            let deepest = self.deepest_frac[side] + LEVEL_TOLERANCE_FRAC;
            let reached = self.level_frac[..self.levels].iter().take_while(|&&d| d <= deepest).count();
            for (k, hits) in self.hits[side][..self.levels].iter_mut().enumerate() {
                *hits = *hits * decay + if k < reached { 1.0 } else { 0.0 };
            }
            self.deepest_frac[side] = f64::NEG_INFINITY;
        }
        self.steps_closed = self.steps_closed.saturating_add(1);
    }

    fn add_empty_steps(&mut self, n: u64) {
        let exponent = self.log_decay_per_step * n as f64;
        let decay_n = exponent.exp();
        // Σ_{i<n} dⁱ = (1 − dⁿ)/(1 − d), in expm1 form for d close to 1.
        let added =
            if self.log_decay_per_step < 0.0 { exponent.exp_m1() / self.log_decay_per_step.exp_m1() } else { n as f64 };
        self.steps_weight = self.steps_weight * decay_n + added;
        for hits in self.hits.iter_mut().flat_map(|side| side[..self.levels].iter_mut()) {
            *hits *= decay_n;
        }
        self.steps_closed = self.steps_closed.saturating_add(n);
    }

    /// (δ in frac, ln λ, weight) of `side`'s usable levels.
    fn points(&self, side: usize) -> impl Iterator<Item = (f64, f64, f64)> + Clone + '_ {
        let n = self.steps_weight;
        (0..self.levels).filter_map(move |k| {
            let hits = self.hits[side][k];
            let misses = n - hits;
            if !(hits >= self.min_level_hits && misses >= self.min_level_hits && hits > 0.0 && misses > 0.0) {
                return None;
            }
            let p = hits / n;
            let ln_miss = (-p).ln_1p();
            let rate_per_s = -ln_miss / self.step_s;
            Some((self.level_frac[k], rate_per_s.ln(), n * (1.0 - p) * ln_miss * ln_miss / p))
        })
    }

    fn refit(&mut self) {
        self.fits = [
            weighted_log_fit(self.points(0)),
            weighted_log_fit(self.points(1)),
            weighted_log_fit(self.points(0).chain(self.points(1))),
        ];
    }
}

/// Weighted least squares of y = a + b·x; A = e^a, κ = −b. None without two distinct x.
fn weighted_log_fit(points: impl Iterator<Item = (f64, f64, f64)> + Clone) -> Option<IntensityFit> {
    let (mut sw, mut swx, mut swy, mut count) = (0.0, 0.0, 0.0, 0u32);
    for (x, y, w) in points.clone() {
        sw += w;
        swx += w * x;
        swy += w * y;
        count += 1;
    }
    if count < 2 || !(sw.is_finite() && sw > 0.0) {
        return None;
    }
    let (mx, my) = (swx / sw, swy / sw);
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (x, y, w) in points.clone() {
        sxx += w * (x - mx) * (x - mx);
        sxy += w * (x - mx) * (y - my);
        syy += w * (y - my) * (y - my);
    }
    if !(sxx.is_finite() && sxx > 0.0) {
        return None;
    }
    let slope = sxy / sxx;
    let ss_res: f64 = points.map(|(x, y, w)| w * (y - my - slope * (x - mx)).powi(2)).sum();
    Some(IntensityFit {
        a_per_s: (my - slope * mx).exp(),
        kappa_per_frac: -slope,
        // A flat set of points (syy = 0) explains nothing about κ.
        r_squared: if syy > 0.0 { 1.0 - ss_res / syy } else { 0.0 },
        levels_used: count,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::trade;
    use super::*;
    use crate::types::Qty;
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, Exp};

    /// Feeds Poisson trades at `a_per_s` per side with Exp(κ) distances from a random-walk mid
    /// over [t0, t0 + duration), then closes the last step. Returns the end time.
    fn feed(
        est: &mut IntensityFitEstimator,
        seed: u64,
        a_per_s: f64,
        kappa_per_frac: f64,
        t0_s: f64,
        duration_s: f64,
    ) -> f64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let gap = Exp::new(2.0 * a_per_s).expect("positive rate");
        let depth = Exp::new(kappa_per_frac).expect("positive κ");
        let (mut t_s, mut mid) = (t0_s, 100.0);
        loop {
            t_s += gap.sample(&mut rng);
            if t_s >= t0_s + duration_s {
                est.on_time(Nanos::from_secs_f64(t0_s + duration_s));
                return t0_s + duration_s;
            }
            mid *= 1.0 + 1e-5 * (rng.gen::<f64>() - 0.5);
            let d: f64 = depth.sample(&mut rng);
            let aggressor = if rng.gen::<bool>() { Side::Bid } else { Side::Ask };
            est.on_trade(
                Nanos::from_secs_f64(t_s),
                &trade(aggressor, mid * (1.0 + aggressor.sign() as f64 * d), 1.0),
                mid,
            );
        }
    }

    #[test]
    fn recovers_a_and_kappa_per_side_and_combined() {
        let (a_true, kappa_true) = (2.0, 2_000.0); // per side per s; mean distance 5 bps
        let mut est = IntensityFitEstimator::new(&IntensityFitConfig { half_life_s: 1e9, ..Default::default() });
        feed(&mut est, 3, a_true, kappa_true, 0.0, 10_000.0);
        for fit in [est.fit(Side::Bid), est.fit(Side::Ask), est.fit_combined()] {
            let f = fit.expect("fitted");
            println!("intensity fit: {f:?}");
            assert!((f.kappa_per_frac / kappa_true - 1.0).abs() < 0.1, "{f:?}");
            assert!((f.a_per_s / a_true - 1.0).abs() < 0.1, "{f:?}");
            assert!(f.r_squared > 0.95 && f.levels_used >= 15, "{f:?}");
        }
        assert!(est.is_warm());
        // Without the Poisson correction level 0 would read p/Δt = 1 − e^(−2) ≈ 0.86 per s, not 2.
        let rate0 = est.level_rate_per_s(Side::Ask, 0).expect("rate");
        assert!((rate0 / a_true - 1.0).abs() < 0.1, "{rate0}");
    }

    #[test]
    fn forgetting_follows_a_change_of_kappa() {
        let cfg = IntensityFitConfig { half_life_s: 300.0, ..Default::default() };
        let mut est = IntensityFitEstimator::new(&cfg);
        let t = feed(&mut est, 8, 4.0, 2_000.0, 0.0, 3_000.0);
        let before = est.fit_combined().expect("fitted").kappa_per_frac;
        feed(&mut est, 9, 4.0, 4_000.0, t, 3_000.0);
        let after = est.fit_combined().expect("fitted");
        println!("κ before {before:.0} (truth 2000), after {after:?} (truth 4000)");
        assert!((before / 2_000.0 - 1.0).abs() < 0.15, "{before}");
        assert!((after.kappa_per_frac / 4_000.0 - 1.0).abs() < 0.15, "{after:?}");
    }

    #[test]
    fn empty_steps_count_as_zero_depth_and_levels_are_inclusive() {
        let cfg =
            IntensityFitConfig { half_life_s: f64::INFINITY, levels: 8, min_level_hits: 1.0, ..Default::default() };
        let mut est = IntensityFitEstimator::new(&cfg);
        est.on_time(Nanos(0)); // steps start here: [0, 1 s), [1 s, 2 s), ...
        for cycle in 0..100u64 {
            // One buyer exactly 3 bps up in the first of every four steps: ask levels 0..=3 hit.
            est.on_trade(Nanos::from_secs_f64(cycle as f64 * 4.0 + 0.5), &trade(Side::Bid, 100.03, 1.0), 100.0);
        }
        assert!(est.on_time(Nanos::from_secs_f64(400.0)));
        assert_eq!(est.steps_closed(), 400);
        let expected = -(0.75f64.ln()); // p = 1/4 → λ = −ln(3/4)/1 s
        for k in 0..4 {
            let rate = est.level_rate_per_s(Side::Ask, k).expect("rate");
            assert!((rate - expected).abs() < 1e-12, "level {k}: {rate}");
        }
        assert_eq!(est.level_rate_per_s(Side::Ask, 4), Some(0.0));
        assert_eq!(est.level_rate_per_s(Side::Bid, 0), Some(0.0));
        assert_eq!(est.level_distance_bps(3), Some(3.0));
        assert_eq!(est.level_distance_bps(8), None);
        assert!(est.fit(Side::Ask).is_some_and(|f| f.levels_used == 4 && f.kappa_per_frac.abs() < 1e-6));
        assert!(!est.is_warm(), "a flat fit is not warm");
    }

    #[test]
    fn long_gap_is_closed_in_one_go_and_forgets() {
        let mut est = IntensityFitEstimator::new(&IntensityFitConfig::default());
        let t = feed(&mut est, 4, 2.0, 2_000.0, 0.0, 600.0);
        assert!(est.is_warm());
        let closed = est.steps_closed();
        // A billion seconds of silence: a billion empty steps, applied in O(1).
        assert!(est.on_time(Nanos::from_secs_f64(t + 1e9)));
        assert_eq!(est.steps_closed(), closed + 1_000_000_000);
        assert!(est.fit_combined().is_none() && !est.is_warm(), "every level forgotten");
        assert!(est.level_rate_per_s(Side::Bid, 0).is_some_and(|r| r < 1e-9));
    }

    #[test]
    fn warm_up_and_bad_inputs() {
        let mut est = IntensityFitEstimator::new(&IntensityFitConfig::default());
        assert!(est.fit_combined().is_none() && !est.is_warm());
        assert!(!est.on_trade(Nanos(1), &trade(Side::Bid, 100.0, 1.0), f64::NAN));
        est.on_trade(Nanos(2), &trade(Side::Bid, 100.0, 1.0), -1.0);
        est.on_trade(Nanos(3), &trade(Side::Bid, 0.0, 1.0), 100.0);
        let zero = Trade { sz: Qty::ZERO, ..trade(Side::Bid, 100.0, 1.0) };
        est.on_trade(Nanos(4), &zero, 100.0);
        est.on_trade(Nanos(5), &trade(Side::Bid, 99.0, 1.0), 100.0); // buyer below the mid: stale mid
        assert_eq!((est.rejected_inputs(), est.trades_seen(), est.wrong_side_trades()), (4, 1, 1));
        // 60 s of trades is enough for a fit but short of the 120 warm-up steps.
        feed(&mut est, 6, 5.0, 2_000.0, 0.0, 60.0);
        assert!(est.fit_combined().is_some_and(|f| f.levels_used >= 3 && f.kappa_per_frac > 0.0));
        assert!(est.steps_closed() < 120 && !est.is_warm());
    }
}
