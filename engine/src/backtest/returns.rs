//! Sharpe and Sortino from a stream of interval PnLs rᵢ (USD) of a fixed interval Δ, with
//! n = 86 400 s / Δ intervals per day:
//!
//! - Sharpe (Sharpe 1966; per day, i.i.d. scaling — Lo 2002 for its caveats):
//!   `mean(r) / sd(r) · √n`, sd the sample standard deviation (n − 1);
//! - Sortino (Sortino & Price 1994, target 0): `mean(r) / DD · √n`, DD = √(Σ min(rᵢ, 0)² / N)
//!   the downside deviation over all N intervals.
//!
//! Welford's update for the mean and variance: O(1) per interval, no stored path. Used for a
//! whole run ([`super::EquityStats`]) and for its parts (a session, a volatility regime:
//! [`super::splits`]), whose intervals need not be contiguous.

/// Seconds in the day the ratios are scaled to.
pub const SECONDS_PER_DAY: f64 = 86_400.0;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReturnStats {
    intervals: u64,
    mean_usd: f64,
    m2: f64,
    downside_sq_sum: f64,
}

impl ReturnStats {
    /// One interval's PnL; a non-finite one is ignored (returns false).
    pub fn push(&mut self, r_usd: f64) -> bool {
        if !r_usd.is_finite() {
            return false;
        }
        self.intervals += 1;
        let delta = r_usd - self.mean_usd;
        self.mean_usd += delta / self.intervals as f64;
        self.m2 += delta * (r_usd - self.mean_usd);
        self.downside_sq_sum += r_usd.min(0.0).powi(2);
        true
    }

    pub fn intervals(&self) -> u64 {
        self.intervals
    }

    pub fn mean_usd(&self) -> f64 {
        self.mean_usd
    }

    /// `None` below two intervals or without variation.
    pub fn sharpe_per_day(&self, interval_s: f64) -> Option<f64> {
        let n = self.intervals as f64;
        let sd = (self.intervals >= 2).then(|| (self.m2 / (n - 1.0)).sqrt()).filter(|s| *s > 0.0)?;
        Some(self.mean_usd / sd * (SECONDS_PER_DAY / interval_s).sqrt())
    }

    /// `None` without a losing interval.
    pub fn sortino_per_day(&self, interval_s: f64) -> Option<f64> {
        let n = self.intervals as f64;
        let downside = (self.intervals >= 1).then(|| (self.downside_sq_sum / n).sqrt()).filter(|d| *d > 0.0)?;
        Some(self.mean_usd / downside * (SECONDS_PER_DAY / interval_s).sqrt())
    }
}
