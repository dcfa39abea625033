//! Spread regime: is the quoted spread tight, normal or wide *relative to its own recent
//! normal*, and how often does it jump?
//!
//! The one book signal that needs history: [`SpreadRegime`] keeps a time-weighted EWMA of the
//! spread, a bias-corrected jump rate and a label by the ratio spread / EWMA, so one config
//! works for every coin and tick size. [`BookSignalsEstimator`](super::BookSignalsEstimator)
//! feeds it each usable book's spread. Its config is the `spread` field of
//! [`BookSignalsConfig`](super::BookSignalsConfig), which is why an invalid one reports a
//! [`BookSignalsConfigError`] with the `spread.` prefix. Nothing allocates.

use super::book_signals::BookSignalsConfigError;
use crate::types::Nanos;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpreadRegimeConfig {
    /// Half-life of the time-weighted spread EWMA: the "normal" spread the regime compares to.
    pub ewma_half_life_s: f64,
    /// J: a jump is one update that widens the spread by more than J × its EWMA.
    pub jump_widening_ratio: f64,
    /// Time constant τ of the decayed jump count behind the jump rate.
    pub jump_rate_time_constant_s: f64,
    /// Spread / EWMA below this is `Tight`.
    pub tight_ratio: f64,
    /// Spread / EWMA above this is `Wide`.
    pub wide_ratio: f64,
    /// Spread observations before the label leaves `Normal`.
    pub warmup_samples: u32,
}

impl Default for SpreadRegimeConfig {
    fn default() -> Self {
        Self {
            // Five minutes: long enough that a wide regime lasting a minute stays "wide".
            ewma_half_life_s: 300.0,
            // The spread more than doubles in one update (a one-tick spread going to three).
            jump_widening_ratio: 1.0,
            // A minute: jumps are rare; a shorter window gives a rate of mostly 0 or 1/τ.
            jump_rate_time_constant_s: 60.0,
            tight_ratio: 0.75,
            wide_ratio: 1.5,
            warmup_samples: 20,
        }
    }
}

impl SpreadRegimeConfig {
    pub fn validate(&self) -> Result<(), BookSignalsConfigError> {
        if !(self.ewma_half_life_s > 0.0 && self.ewma_half_life_s.is_finite()) {
            return Err(BookSignalsConfigError("spread.ewma_half_life_s must be a positive number"));
        }
        if !(self.jump_widening_ratio > 0.0 && self.jump_widening_ratio.is_finite()) {
            return Err(BookSignalsConfigError("spread.jump_widening_ratio must be a positive number"));
        }
        if !(self.jump_rate_time_constant_s > 0.0 && self.jump_rate_time_constant_s.is_finite()) {
            return Err(BookSignalsConfigError("spread.jump_rate_time_constant_s must be a positive number"));
        }
        if !(self.tight_ratio > 0.0 && self.tight_ratio < 1.0 && self.wide_ratio > 1.0 && self.wide_ratio.is_finite()) {
            return Err(BookSignalsConfigError("spread ratios must satisfy 0 < tight_ratio < 1 < wide_ratio"));
        }
        Ok(())
    }
}

/// Where the current spread sits relative to its own recent normal.
/// `Normal` until the tracker is warm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpreadRegimeLabel {
    Tight,
    #[default]
    Normal,
    Wide,
}

/// Spread EWMA, jump rate and regime label.
///
/// - EWMA: the spread is a step function between updates, so each update first folds in the
///   *previous* spread over the elapsed Δt with weight `w = 1 − exp(−Δt/τ)` (τ = half-life/ln 2):
///   an exponentially weighted time average, independent of how often the book updates.
/// - Jump: `s_n − s_(n−1) > J · EWMA` (EWMA before `s_n` is folded in, so a jump is judged
///   against the spread that preceded it).
/// - Jump rate: a decayed count `C ← C·exp(−Δt/τ_r) + 1{jump}`; for a Poisson stream of rate λ,
///   `E[C] = λ·τ_r·(1 − exp(−T/τ_r))` after time T, so `rate = C / (τ_r·(1 − exp(−T/τ_r)))`
///   is unbiased from the first second (no warm-up bias) and O(1) per update.
/// - Label by ratio `s / EWMA` (not absolute thresholds): one config works for every coin and
///   tick size. Consequence, by design: a spread that stays wide for many half-lives becomes
///   the new normal.
#[derive(Debug, Clone)]
pub struct SpreadRegime {
    tau_s: f64,
    jump_ratio: f64,
    rate_tau_s: f64,
    tight_ratio: f64,
    wide_ratio: f64,
    warmup_samples: u32,
    first: Option<Nanos>,
    last: Option<(Nanos, f64)>,
    ewma_bps: f64,
    ratio: f64,
    decayed_jumps: f64,
    jumps: u64,
    samples: u32,
    rejected: u64,
}

impl SpreadRegime {
    pub fn new(config: &SpreadRegimeConfig) -> Result<Self, BookSignalsConfigError> {
        config.validate()?;
        Ok(Self {
            tau_s: config.ewma_half_life_s / std::f64::consts::LN_2,
            jump_ratio: config.jump_widening_ratio,
            rate_tau_s: config.jump_rate_time_constant_s,
            tight_ratio: config.tight_ratio,
            wide_ratio: config.wide_ratio,
            warmup_samples: config.warmup_samples,
            first: None,
            last: None,
            ewma_bps: 0.0,
            ratio: 1.0,
            decayed_jumps: 0.0,
            jumps: 0,
            samples: 0,
            rejected: 0,
        })
    }

    /// One spread observation. Non-positive or non-finite spreads and times earlier than the
    /// last observation are ignored and counted.
    pub fn on_spread(&mut self, now: Nanos, spread_bps: f64) {
        if !(spread_bps > 0.0 && spread_bps.is_finite()) || self.last.is_some_and(|(t, _)| now < t) {
            self.rejected += 1;
            return;
        }
        match self.last {
            None => {
                self.first = Some(now);
                self.ewma_bps = spread_bps;
            }
            Some((t_prev, s_prev)) => {
                let dt_s = now.saturating_sub(t_prev).as_secs_f64();
                self.ewma_bps += (1.0 - (-dt_s / self.tau_s).exp()) * (s_prev - self.ewma_bps);
                self.decayed_jumps *= (-dt_s / self.rate_tau_s).exp();
                if spread_bps - s_prev > self.jump_ratio * self.ewma_bps {
                    self.decayed_jumps += 1.0;
                    self.jumps += 1;
                }
            }
        }
        self.ratio = spread_bps / self.ewma_bps;
        self.last = Some((now, spread_bps));
        self.samples = self.samples.saturating_add(1);
    }

    /// Time-weighted EWMA of the spread (0 before the first observation).
    pub fn ewma_spread_bps(&self) -> f64 {
        self.ewma_bps
    }

    /// Latest spread / its EWMA (1 before the first observation).
    pub fn ratio_to_ewma(&self) -> f64 {
        self.ratio
    }

    /// Spread jumps per second, decayed to `now` (0 before the first observation).
    pub fn jump_rate_per_s(&self, now: Nanos) -> f64 {
        let (Some(first), Some((t_last, _))) = (self.first, self.last) else {
            return 0.0;
        };
        let since_last_s = now.saturating_sub(t_last).as_secs_f64();
        let elapsed_s = now.saturating_sub(first).as_secs_f64();
        let coverage_s = self.rate_tau_s * (1.0 - (-elapsed_s / self.rate_tau_s).exp());
        if coverage_s <= 0.0 {
            return 0.0;
        }
        self.decayed_jumps * (-since_last_s / self.rate_tau_s).exp() / coverage_s
    }

    /// `Tight`/`Normal`/`Wide` by the latest ratio; `Normal` until warm.
    pub fn label(&self) -> SpreadRegimeLabel {
        if !self.is_warm() {
            SpreadRegimeLabel::Normal
        } else if self.ratio < self.tight_ratio {
            SpreadRegimeLabel::Tight
        } else if self.ratio > self.wide_ratio {
            SpreadRegimeLabel::Wide
        } else {
            SpreadRegimeLabel::Normal
        }
    }

    /// Jumps seen since construction.
    pub fn jumps(&self) -> u64 {
        self.jumps
    }

    pub fn samples(&self) -> u32 {
        self.samples
    }

    /// Observations ignored (bad spread or time going backwards).
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    pub fn is_warm(&self) -> bool {
        self.samples >= self.warmup_samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_ewma_is_a_time_average() {
        let config = SpreadRegimeConfig { ewma_half_life_s: 10.0, warmup_samples: 1, ..SpreadRegimeConfig::default() };
        let mut r = SpreadRegime::new(&config).unwrap();
        r.on_spread(Nanos::from_secs_f64(0.0), 2.0);
        // 4 bps arrives after 10 s of 2 bps: EWMA still 2 (the 2 bps held the whole time).
        r.on_spread(Nanos::from_secs_f64(10.0), 4.0);
        assert_eq!(r.ewma_spread_bps(), 2.0);
        assert_eq!(r.ratio_to_ewma(), 2.0);
        assert_eq!(r.label(), SpreadRegimeLabel::Wide);
        // 4 bps held one half-life: EWMA moves half way, to 3.
        r.on_spread(Nanos::from_secs_f64(20.0), 4.0);
        assert!((r.ewma_spread_bps() - 3.0).abs() < 1e-12);
        // Widening 2 → 4 (Δ 2) is not more than 1× an EWMA of 2: no jump.
        assert_eq!(r.jumps(), 0);
        // Tight: 1 bps against an EWMA near 3.
        r.on_spread(Nanos::from_secs_f64(20.5), 1.0);
        assert_eq!(r.label(), SpreadRegimeLabel::Tight);
        // Bad input and time going backwards are ignored and counted.
        r.on_spread(Nanos::from_secs_f64(21.0), f64::NAN);
        r.on_spread(Nanos::from_secs_f64(21.0), -1.0);
        r.on_spread(Nanos::from_secs_f64(1.0), 2.0);
        assert_eq!((r.rejected(), r.samples()), (3, 4));
    }

    #[test]
    fn jump_rate_recovers_a_known_rate() {
        // 1 bps base spread, updates every 100 ms; every 2 s the spread spikes to 5 bps for one
        // update (widening 4 bps > 1× an EWMA ≈ 1.2 bps). True rate 0.5 jumps/s.
        let config = SpreadRegimeConfig { jump_rate_time_constant_s: 60.0, ..SpreadRegimeConfig::default() };
        let mut r = SpreadRegime::new(&config).unwrap();
        let step_ms = 100u64;
        let mut last = Nanos::ZERO;
        for i in 0..(600_000 / step_ms) {
            last = Nanos::from_millis(i * step_ms);
            let spike = i % 20 == 10;
            r.on_spread(last, if spike { 5.0 } else { 1.0 });
        }
        assert_eq!(r.jumps(), 300);
        // Read 0.9 s after the last spike: the periodic stream's decayed sum is then
        // e^(−0.9/60)/(1 − e^(−2/60)) = 30.05 ≈ λ·τ = 30 (+0.16 %).
        let rate = r.jump_rate_per_s(last);
        assert!((rate - 0.5).abs() < 0.01, "jump rate {rate}");
        // Early reads are bias-corrected: after the first 20 s (10 jumps) the rate is already ~0.5.
        let mut early = SpreadRegime::new(&config).unwrap();
        for i in 0..200u64 {
            early.on_spread(Nanos::from_millis(i * step_ms), if i % 20 == 10 { 5.0 } else { 1.0 });
        }
        let early_rate = early.jump_rate_per_s(Nanos::from_millis(19_900));
        assert!((early_rate - 0.5).abs() < 0.05, "early jump rate {early_rate}");
        // With no further jumps the rate decays: one τ later it is ~e⁻¹ of what it was.
        let later = r.jump_rate_per_s(last + Nanos::from_secs_f64(60.0));
        assert!((later / rate - (-1.0f64).exp()).abs() < 0.01, "{later} vs {rate}");
    }
}
