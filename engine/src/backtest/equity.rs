//! Risk-adjusted return of a run from its equity Eᵢ sampled at a fixed interval Δ: the
//! interval PnLs rᵢ = Eᵢ − Eᵢ₋₁ (USD: a market maker's capital is a choice, its PnL is not)
//! give Sharpe and Sortino per day ([`super::returns`]); max drawdown is
//! `max_t (max_{s ≤ t} E_s − E_t)`, USD. O(1) memory: no stored path.

use super::returns::ReturnStats;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EquityStats {
    interval_s: f64,
    first_usd: Option<f64>,
    last_usd: f64,
    peak_usd: f64,
    max_drawdown_usd: f64,
    returns: ReturnStats,
}

/// The run's figures (`None` where too few intervals or no variation leave them undefined).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EquitySummary {
    pub interval_s: f64,
    pub intervals: u64,
    pub pnl_usd: f64,
    pub mean_interval_pnl_usd: f64,
    pub sharpe_per_day: Option<f64>,
    pub sortino_per_day: Option<f64>,
    pub max_drawdown_usd: f64,
}

impl EquityStats {
    /// Samples every `interval_s` seconds (> 0).
    pub fn new(interval_s: f64) -> Self {
        Self {
            interval_s,
            first_usd: None,
            last_usd: 0.0,
            peak_usd: f64::NEG_INFINITY,
            max_drawdown_usd: 0.0,
            returns: ReturnStats::default(),
        }
    }

    /// The equity at the next sample time; a non-finite value is ignored (returns false).
    pub fn push(&mut self, equity_usd: f64) -> bool {
        if !equity_usd.is_finite() {
            return false;
        }
        if self.first_usd.is_some() {
            self.returns.push(equity_usd - self.last_usd);
        } else {
            self.first_usd = Some(equity_usd);
        }
        self.last_usd = equity_usd;
        self.peak_usd = self.peak_usd.max(equity_usd);
        self.max_drawdown_usd = self.max_drawdown_usd.max(self.peak_usd - equity_usd);
        true
    }

    pub fn summary(&self) -> EquitySummary {
        EquitySummary {
            interval_s: self.interval_s,
            intervals: self.returns.intervals(),
            pnl_usd: self.first_usd.map_or(0.0, |first| self.last_usd - first),
            mean_interval_pnl_usd: self.returns.mean_usd(),
            sharpe_per_day: self.returns.sharpe_per_day(self.interval_s),
            sortino_per_day: self.returns.sortino_per_day(self.interval_s),
            max_drawdown_usd: self.max_drawdown_usd,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Equity 0, 2, 1, 4, 2, 5 sampled hourly: r = 2, −1, 3, −2, 3; mean 1, sample variance
    /// (1 + 4 + 4 + 9 + 4)/4 = 5.5; downside √((1 + 4)/5) = 1; 24 intervals a day.
    #[test]
    fn sharpe_sortino_and_drawdown_by_hand() {
        let mut s = EquityStats::new(3_600.0);
        for e in [0.0, 2.0, 1.0, 4.0, 2.0, 5.0] {
            assert!(s.push(e));
        }
        assert!(!s.push(f64::NAN));
        let x = s.summary();
        assert_eq!(x.intervals, 5);
        assert!(close(x.pnl_usd, 5.0) && close(x.mean_interval_pnl_usd, 1.0));
        assert!(close(x.sharpe_per_day.unwrap(), 1.0 / 5.5f64.sqrt() * 24f64.sqrt()));
        assert!(close(x.sortino_per_day.unwrap(), 24f64.sqrt()));
        // Peak 4 then 2: drawdown 2 (the later 2 → 1 dip from 2 is 1).
        assert!(close(x.max_drawdown_usd, 2.0));
    }

    #[test]
    fn a_path_that_never_falls_has_no_sortino_and_a_flat_one_no_sharpe() {
        let mut rising = EquityStats::new(60.0);
        for e in [1.0, 2.0, 4.0] {
            rising.push(e);
        }
        let x = rising.summary();
        assert_eq!((x.sortino_per_day, x.max_drawdown_usd), (None, 0.0));
        assert!(x.sharpe_per_day.unwrap() > 0.0);
        let mut flat = EquityStats::new(60.0);
        for _ in 0..3 {
            flat.push(7.0);
        }
        assert_eq!(flat.summary().sharpe_per_day, None);
        assert_eq!(EquityStats::new(1.0).summary().pnl_usd, 0.0);
    }
}
