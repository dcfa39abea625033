//! Mid, microprice and a first volatility estimate from book snapshots.
//!
//! σ is a time-weighted EWMA of squared log-returns of the mid scaled by elapsed time:
//! `v ← (1 − w)·v + w·r²/Δt` with `w = 1 − exp(−Δt/τ)`, `σ = √v` per √second. Scaling each
//! squared return by its own Δt keeps the estimate unbiased when snapshots arrive irregularly
//! (a Brownian increment over Δt has variance σ²·Δt). The volume-clock bipower estimator
//! replaces this in the estimators issue; this one is the honest baseline.

use crate::market::L2Book;
use crate::types::Nanos;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MidVolConfig {
    /// EWMA time constant τ of the variance estimate.
    pub sigma_half_life_s: f64,
    /// Returns needed before σ is trusted.
    pub sigma_warmup_samples: u32,
}

impl Default for MidVolConfig {
    fn default() -> Self {
        Self { sigma_half_life_s: 60.0, sigma_warmup_samples: 20 }
    }
}

impl MidVolConfig {
    /// Refuses settings the estimator cannot run with, naming the field.
    pub fn validate(&self) -> Result<(), &'static str> {
        if !(self.sigma_half_life_s > 0.0 && self.sigma_half_life_s.is_finite()) {
            return Err("sigma_half_life_s must be a positive number");
        }
        Ok(())
    }
}

/// Per-coin mid/σ state machine.
#[derive(Debug, Clone)]
pub struct MidVolEstimator {
    tau_s: f64,
    warmup_samples: u32,
    last: Option<(Nanos, f64)>,
    variance_frac2_per_s: f64,
    samples: u32,
}

impl MidVolEstimator {
    pub fn new(config: &MidVolConfig) -> Self {
        Self {
            // Half-life h ↔ time constant τ = h / ln 2.
            tau_s: config.sigma_half_life_s / std::f64::consts::LN_2,
            warmup_samples: config.sigma_warmup_samples,
            last: None,
            variance_frac2_per_s: 0.0,
            samples: 0,
        }
    }

    pub fn is_warm(&self) -> bool {
        self.samples >= self.warmup_samples
    }

    pub fn samples(&self) -> u32 {
        self.samples
    }

    pub fn sigma_frac_per_sqrt_s(&self) -> f64 {
        self.variance_frac2_per_s.sqrt()
    }

    /// Updates from a snapshot; returns the mid, or `None` when the book has no usable mid
    /// (one-sided, crossed).
    pub fn on_book(&mut self, now: Nanos, book: &L2Book) -> Option<f64> {
        let mid = book.mid_usd()?;
        if let Some((t_prev, mid_prev)) = self.last {
            let dt_s = now.saturating_sub(t_prev).as_secs_f64();
            if dt_s > 0.0 {
                let r = (mid / mid_prev).ln();
                let w = 1.0 - (-dt_s / self.tau_s).exp();
                // Until the first return the variance is unknown: take the first sample whole.
                let w = if self.samples == 0 { 1.0 } else { w };
                self.variance_frac2_per_s += w * (r * r / dt_s - self.variance_frac2_per_s);
                self.samples = self.samples.saturating_add(1);
            }
        }
        self.last = Some((now, mid));
        Some(mid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::BookLevel;
    use crate::types::{CoinId, Price, Qty};
    use rand::{Rng, SeedableRng};

    fn book_at(mid: f64) -> L2Book {
        let mut b = L2Book::empty(CoinId(0));
        let lvl = |px: f64| BookLevel { px: Price::from_f64(px), sz: Qty::from_f64(1.0), orders: 1 };
        b.bids.push(lvl(mid - 0.005));
        b.asks.push(lvl(mid + 0.005));
        b
    }

    #[test]
    fn recovers_the_volatility_of_a_random_walk() {
        let sigma: f64 = 2e-4;
        let dt_s: f64 = 0.5;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut est = MidVolEstimator::new(&MidVolConfig { sigma_half_life_s: 600.0, sigma_warmup_samples: 20 });
        let mut mid = 100.0;
        for i in 0..20_000u64 {
            // ±σ√Δt steps have variance σ²Δt, like the Avellaneda–Stoikov simulation.
            let sign: f64 = if rng.gen::<bool>() { 1.0 } else { -1.0 };
            let step = sign * sigma * f64::sqrt(dt_s);
            mid *= step.exp();
            est.on_book(Nanos::from_secs_f64(i as f64 * dt_s), &book_at(mid));
        }
        let got = est.sigma_frac_per_sqrt_s();
        assert!((got / sigma - 1.0).abs() < 0.1, "σ estimate {got} vs {sigma}");
        assert!(est.is_warm());
    }

    #[test]
    fn not_warm_until_enough_samples_and_no_mid_on_empty_book() {
        let mut est = MidVolEstimator::new(&MidVolConfig::default());
        assert!(est.on_book(Nanos(0), &L2Book::empty(CoinId(0))).is_none());
        assert_eq!(est.on_book(Nanos(1), &book_at(100.0)), Some(100.0));
        assert!(!est.is_warm());
    }
}
