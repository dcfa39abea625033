//! Arrival rate of a point process (trades, volume buckets) in events per second.
//!
//! `λ = 1 / E[Δt]`, with `E[Δt]` an exponentially weighted mean of inter-arrival times. Two
//! instances are meant to run per coin: one fed by trades, one by completed volume buckets
//! ([`super::BucketsCompleted`]; bucket rate × bucket volume = volume per second).
//!
//! **Event-based weights.** Each inter-arrival time is one sample with weight `α`, where
//! `α = 1 − 2^(−1/h)` for a half-life of `h` arrivals. A time-based weight
//! `w = 1 − exp(−Δt/τ)` was rejected for two reasons:
//! - it weighs each interval by its own length, so the mean converges to `E[w·Δt]/E[w]`, which
//!   for `Δt ≪ τ` is `E[Δt²]/E[Δt] = 2/λ` on a Poisson process: the rate would be halved;
//! - it gives simultaneous arrivals (`Δt = 0`) weight 0. Trades arrive in batches that share a
//!   timestamp (one venue message, one block), so `n` trades per batch every `g` seconds would
//!   read as `1/g` instead of `n/g`. Here the zeros count: the mean becomes `g/n`.
//!
//! The cost of event weights is that memory in seconds scales with `1/λ`: a fast market
//! adapts quickly, a slow one slowly — the staleness rule below covers the dangerous side.
//!
//! **Why `1/E[Δt]`, not `E[1/Δt]`.** The mean interval is unbiased for `1/λ`; its inverse has a
//! small Jensen bias `E[1/m̂] ≈ λ·(1 + CV²/n_eff)` (CV = 1 for Poisson, `n_eff = (2 − α)/α` for
//! an EWMA: +0.35 % at `h = 100`). Averaging instantaneous rates `1/Δt` instead is useless:
//! `E[1/Δt] = ∞` for exponential intervals, and one `Δt = 0` makes it infinite outright.
//!
//! **Early samples.** The weighted mean is normalised by its total weight
//! (`S/W` with `W = 1 − (1 − α)^n`), so the first intervals give their plain average rather
//! than a value pulled towards an arbitrary initial mean.
//!
//! **Silence.** A mean only moves at the next arrival. `rate_per_s(now)` therefore uses
//! `1 / max(mean, now − last)`: once the current gap exceeds the mean interval, the gap itself is
//! a better estimate of the interval (the process has evidently slowed), and the rate decays
//! like `1/gap` instead of reporting the old rate through a silence.

use crate::types::Nanos;
use serde::{Deserialize, Serialize};

/// Floor of the mean interval: one engine tick (1 ns). A mean of 0 (only simultaneous arrivals
/// so far) means "faster than the clock resolves"; the floor keeps the rate finite.
const MIN_INTERVAL_S: f64 = 1e-9;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArrivalRateConfig {
    /// Half-life of the interval EWMA, in arrivals.
    pub half_life_arrivals: f64,
    /// Intervals needed before the rate is trusted.
    pub warmup_intervals: u32,
}

impl Default for ArrivalRateConfig {
    fn default() -> Self {
        Self { half_life_arrivals: 100.0, warmup_intervals: 20 }
    }
}

/// Why an [`ArrivalRateConfig`] is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArrivalRateConfigError {
    #[error("arrival.half_life_arrivals must be a finite number ≥ 1, got {0}")]
    HalfLife(f64),
}

impl ArrivalRateConfig {
    pub fn validate(&self) -> Result<(), ArrivalRateConfigError> {
        // Below one arrival the EWMA would forget the last interval within a single step.
        if !(self.half_life_arrivals >= 1.0 && self.half_life_arrivals.is_finite()) {
            return Err(ArrivalRateConfigError::HalfLife(self.half_life_arrivals));
        }
        Ok(())
    }
}

/// EWMA arrival-rate state machine.
#[derive(Debug, Clone)]
pub struct ArrivalRate {
    /// `1 − α`, the weight kept by the old mean at each interval.
    keep: f64,
    warmup_intervals: u32,
    last: Option<Nanos>,
    /// Σ weights·intervals and Σ weights (bias-corrected EWMA = sum / weight).
    weighted_interval_s: f64,
    weight: f64,
    intervals: u64,
    arrivals: u64,
    out_of_order: u64,
}

impl ArrivalRate {
    pub fn new(config: &ArrivalRateConfig) -> Result<Self, ArrivalRateConfigError> {
        config.validate()?;
        Ok(Self {
            keep: (-std::f64::consts::LN_2 / config.half_life_arrivals).exp(),
            warmup_intervals: config.warmup_intervals,
            last: None,
            weighted_interval_s: 0.0,
            weight: 0.0,
            intervals: 0,
            arrivals: 0,
            out_of_order: 0,
        })
    }

    /// One arrival at `now`.
    pub fn on_arrival(&mut self, now: Nanos) {
        self.on_arrivals(now, 1);
    }

    /// `count` simultaneous arrivals at `now` (e.g. several buckets completed by one trade):
    /// the interval since the last arrival, then `count − 1` zero intervals, in O(1). A time
    /// before the last arrival is taken as the last arrival's time and counted.
    pub fn on_arrivals(&mut self, now: Nanos, count: u32) {
        if count == 0 {
            return;
        }
        self.arrivals += u64::from(count);
        let mut zeros = count - 1;
        let now = match self.last {
            None => now,
            Some(last) if now < last => {
                self.out_of_order += 1;
                zeros += 1;
                last
            }
            Some(last) => {
                self.add_interval(now.saturating_sub(last).as_secs_f64());
                now
            }
        };
        if zeros > 0 {
            // n zero samples: S ← keepⁿ·S, W ← keepⁿ·W + (1 − keepⁿ).
            let keep_n = self.keep.powf(f64::from(zeros));
            self.weighted_interval_s *= keep_n;
            self.weight = self.weight * keep_n + (1.0 - keep_n);
            self.intervals += u64::from(zeros);
        }
        self.last = Some(now);
    }

    fn add_interval(&mut self, interval_s: f64) {
        let alpha = 1.0 - self.keep;
        self.weighted_interval_s = self.keep * self.weighted_interval_s + alpha * interval_s;
        self.weight = self.keep * self.weight + alpha;
        self.intervals += 1;
    }

    /// EWMA of the inter-arrival time, seconds; `None` before the first interval.
    pub fn mean_interval_s(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.weighted_interval_s / self.weight)
    }

    /// Arrivals per second at `now`: `1 / max(mean interval, now − last arrival)`, 0 before
    /// the first interval.
    pub fn rate_per_s(&self, now: Nanos) -> f64 {
        match (self.mean_interval_s(), self.last) {
            (Some(mean_s), Some(last)) => {
                let gap_s = now.saturating_sub(last).as_secs_f64();
                1.0 / mean_s.max(gap_s).max(MIN_INTERVAL_S)
            }
            _ => 0.0,
        }
    }

    pub fn last_arrival(&self) -> Option<Nanos> {
        self.last
    }

    /// Intervals folded into the mean (the sample count).
    pub fn intervals(&self) -> u64 {
        self.intervals
    }

    pub fn arrivals(&self) -> u64 {
        self.arrivals
    }

    /// Arrivals stamped before the previous one.
    pub fn out_of_order(&self) -> u64 {
        self.out_of_order
    }

    pub fn is_warm(&self) -> bool {
        self.intervals >= u64::from(self.warmup_intervals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp};

    fn rate(half_life_arrivals: f64) -> ArrivalRate {
        ArrivalRate::new(&ArrivalRateConfig { half_life_arrivals, warmup_intervals: 20 }).unwrap()
    }

    /// Feeds `n` Poisson arrivals at `rate_per_s` from `t_s`; returns the last arrival time.
    fn poisson(
        est: &mut ArrivalRate,
        rng: &mut rand_chacha::ChaCha8Rng,
        mut t_s: f64,
        rate_per_s: f64,
        n: usize,
    ) -> f64 {
        let gap = Exp::new(rate_per_s).unwrap();
        for _ in 0..n {
            t_s += gap.sample(rng);
            est.on_arrival(Nanos::from_secs_f64(t_s));
        }
        t_s
    }

    #[test]
    fn recovers_a_poisson_rate() {
        // h = 2000 arrivals: n_eff ≈ 5770, so the rate's sampling error is ≈ 1.3 %.
        let mut est = rate(2000.0);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let t_s = poisson(&mut est, &mut rng, 0.0, 7.3, 20_000);
        let got = est.rate_per_s(Nanos::from_secs_f64(t_s));
        eprintln!("Poisson 7.3/s: estimated {got:.4}/s ({:+.2} %)", (got / 7.3 - 1.0) * 100.0);
        assert!((got / 7.3 - 1.0).abs() < 0.05, "rate {got}");
        assert!(est.is_warm() && est.intervals() == 19_999 && est.arrivals() == 20_000);
    }

    #[test]
    fn tracks_a_rate_change() {
        // h = 200 arrivals: n_eff ≈ 577, sampling error ≈ 4 % once settled.
        let mut est = rate(200.0);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let t_s = poisson(&mut est, &mut rng, 0.0, 2.0, 3000);
        let before = est.rate_per_s(Nanos::from_secs_f64(t_s));
        // Five half-lives later the old regime's intervals weigh 1/32 of the mean; they are 5×
        // longer, so the expected mean interval is 0.1 + 0.4/32 = 0.1125 s (8.9/s).
        let t_s = poisson(&mut est, &mut rng, t_s, 10.0, 1000);
        let after = est.rate_per_s(Nanos::from_secs_f64(t_s));
        let t_s = poisson(&mut est, &mut rng, t_s, 10.0, 3000);
        let settled = est.rate_per_s(Nanos::from_secs_f64(t_s));
        eprintln!("2/s → 10/s: before {before:.3}, after 5 half-lives {after:.3}, after 20 {settled:.3}");
        assert!((before / 2.0 - 1.0).abs() < 0.15, "before {before}");
        assert!((after * 0.1125 - 1.0).abs() < 0.15, "after {after}");
        assert!((settled / 10.0 - 1.0).abs() < 0.15, "settled {settled}");
    }

    #[test]
    fn warm_up_and_silence() {
        let mut est = ArrivalRate::new(&ArrivalRateConfig { half_life_arrivals: 50.0, warmup_intervals: 3 }).unwrap();
        assert_eq!(est.rate_per_s(Nanos(0)), 0.0);
        est.on_arrival(Nanos::from_millis(1000));
        assert_eq!(est.rate_per_s(Nanos::from_millis(1000)), 0.0);
        assert_eq!(est.mean_interval_s(), None);
        // Early intervals average plainly: 0.1 s and 0.3 s → 0.2 s (weights differ by 1.4 %).
        est.on_arrival(Nanos::from_millis(1100));
        assert!(!est.is_warm());
        est.on_arrival(Nanos::from_millis(1400));
        let mean = est.mean_interval_s().unwrap();
        assert!((mean - 0.2).abs() < 0.002, "{mean}");
        est.on_arrival(Nanos::from_millis(1600));
        assert!(est.is_warm());
        // A silence longer than the mean takes over: 5 s without arrivals → 0.2/s.
        let mean = est.mean_interval_s().unwrap();
        assert_eq!(est.rate_per_s(Nanos::from_millis(1650)), 1.0 / mean);
        assert!((est.rate_per_s(Nanos::from_millis(6600)) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn simultaneous_arrivals_count() {
        // Batches of 5 at one instant, once a second: 5 arrivals per second, not 1.
        let mut batched = rate(500.0);
        let mut one_by_one = rate(500.0);
        for s in 1..=400u64 {
            batched.on_arrivals(Nanos::from_millis(1000 * s), 5);
            for _ in 0..5 {
                one_by_one.on_arrival(Nanos::from_millis(1000 * s));
            }
        }
        let now = Nanos::from_millis(400_000);
        let got = batched.rate_per_s(now);
        eprintln!("batches of 5 per second: {got:.4}/s");
        assert!((got / 5.0 - 1.0).abs() < 0.01, "{got}");
        assert!((one_by_one.rate_per_s(now) / got - 1.0).abs() < 1e-9);
        assert_eq!(batched.intervals(), one_by_one.intervals());

        // Only simultaneous arrivals so far: the floor keeps the rate finite.
        let mut burst = rate(10.0);
        burst.on_arrivals(Nanos(7), 3);
        assert_eq!(burst.rate_per_s(Nanos(7)), 1.0 / MIN_INTERVAL_S);
        // An arrival stamped in the past counts as simultaneous with the last one.
        burst.on_arrival(Nanos(3));
        assert_eq!((burst.out_of_order(), burst.intervals(), burst.last_arrival()), (1, 3, Some(Nanos(7))));
    }

    #[test]
    fn rejects_bad_half_life() {
        for bad in [0.0, 0.5, f64::NAN, f64::INFINITY] {
            assert!(ArrivalRate::new(&ArrivalRateConfig { half_life_arrivals: bad, warmup_intervals: 1 }).is_err());
        }
    }
}
