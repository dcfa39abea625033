//! Loss limits: the day's loss and the drawdown from the session's high-water mark.
//!
//! Fed the account's net PnL (realized + unrealized − fees, all coins) whenever it moves —
//! a fill, a new mid. The high-water mark starts at 0 (the session's start) and follows the
//! highest net PnL seen; the day is 24 h of the engine's clock from the session start (the
//! engine keeps no wall clock), and the day's loss is measured from the net PnL at its start.
//! A breach is reported with both numbers; the gate turns it into HALTED with that reason.

use super::AccountRiskLimits;
use crate::types::Nanos;
use serde::Serialize;
use std::fmt;

/// Length of a trading day on the engine's clock.
pub const DAY: Nanos = Nanos(86_400 * 1_000_000_000);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossGuard {
    net_pnl_usd: f64,
    high_water_mark_usd: f64,
    day_start: Nanos,
    day_start_pnl_usd: f64,
}

/// A loss limit passed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LossBreach {
    DailyLoss { loss_usd: f64, limit_usd: f64 },
    Drawdown { drawdown_usd: f64, high_water_mark_usd: f64, limit_usd: f64 },
}

impl fmt::Display for LossBreach {
    /// The HALTED reason.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LossBreach::DailyLoss { loss_usd, limit_usd } => {
                write!(f, "max_daily_loss_usd breached: lost {loss_usd:.2} USD today, limit {limit_usd} USD")
            }
            LossBreach::Drawdown { drawdown_usd, high_water_mark_usd, limit_usd } => write!(
                f,
                "max_drawdown_usd breached: {drawdown_usd:.2} USD below the session's high-water mark \
                 {high_water_mark_usd:.2} USD, limit {limit_usd} USD"
            ),
        }
    }
}

/// The loss figures as reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LossSnapshot {
    pub net_pnl_usd: f64,
    pub high_water_mark_usd: f64,
    pub drawdown_usd: f64,
    pub daily_loss_usd: f64,
}

impl LossGuard {
    /// A session starting at `now` with nothing made or lost.
    pub fn new(now: Nanos) -> Self {
        Self { net_pnl_usd: 0.0, high_water_mark_usd: 0.0, day_start: now, day_start_pnl_usd: 0.0 }
    }

    /// Records the net PnL at `now` (a NaN is ignored).
    pub fn update(&mut self, now: Nanos, net_pnl_usd: f64) {
        if !net_pnl_usd.is_finite() {
            return;
        }
        while now.saturating_sub(self.day_start) >= DAY {
            // A new day starts from where the last one ended.
            self.day_start = self.day_start + DAY;
            self.day_start_pnl_usd = self.net_pnl_usd;
        }
        self.net_pnl_usd = net_pnl_usd;
        self.high_water_mark_usd = self.high_water_mark_usd.max(net_pnl_usd);
    }

    pub fn drawdown_usd(&self) -> f64 {
        self.high_water_mark_usd - self.net_pnl_usd
    }

    pub fn daily_loss_usd(&self) -> f64 {
        (self.day_start_pnl_usd - self.net_pnl_usd).max(0.0)
    }

    /// The first limit passed, if any (the day's loss before the drawdown).
    pub fn breach(&self, limits: &AccountRiskLimits) -> Option<LossBreach> {
        let loss_usd = self.daily_loss_usd();
        if loss_usd > limits.max_daily_loss_usd {
            return Some(LossBreach::DailyLoss { loss_usd, limit_usd: limits.max_daily_loss_usd });
        }
        let drawdown_usd = self.drawdown_usd();
        if drawdown_usd > limits.max_drawdown_usd {
            let high_water_mark_usd = self.high_water_mark_usd;
            return Some(LossBreach::Drawdown {
                drawdown_usd,
                high_water_mark_usd,
                limit_usd: limits.max_drawdown_usd,
            });
        }
        None
    }

    pub fn snapshot(&self) -> LossSnapshot {
        LossSnapshot {
            net_pnl_usd: self.net_pnl_usd,
            high_water_mark_usd: self.high_water_mark_usd,
            drawdown_usd: self.drawdown_usd(),
            daily_loss_usd: self.daily_loss_usd(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(daily: f64, drawdown: f64) -> AccountRiskLimits {
        AccountRiskLimits { max_daily_loss_usd: daily, max_drawdown_usd: drawdown, ..AccountRiskLimits::default() }
    }

    #[test]
    fn drawdown_is_measured_from_the_high_water_mark() {
        let l = limits(1_000.0, 10.0);
        let mut g = LossGuard::new(Nanos::ZERO);
        g.update(Nanos(1), 25.0);
        g.update(Nanos(2), 16.0);
        assert_eq!((g.drawdown_usd(), g.daily_loss_usd()), (9.0, 0.0), "still up on the day");
        assert_eq!(g.breach(&l), None);
        g.update(Nanos(3), 14.5);
        let breach = g.breach(&l).expect("10.5 below the mark of 25");
        assert_eq!(breach, LossBreach::Drawdown { drawdown_usd: 10.5, high_water_mark_usd: 25.0, limit_usd: 10.0 });
        assert_eq!(
            breach.to_string(),
            "max_drawdown_usd breached: 10.50 USD below the session's high-water mark 25.00 USD, limit 10 USD"
        );
        g.update(Nanos(4), f64::NAN);
        assert_eq!(g.snapshot().net_pnl_usd, 14.5, "NaN ignored");
    }

    #[test]
    fn the_daily_loss_restarts_each_day_from_the_days_opening_pnl() {
        let l = limits(20.0, 1_000.0);
        let mut g = LossGuard::new(Nanos::ZERO);
        g.update(Nanos(1), -15.0);
        assert_eq!(g.breach(&l), None);
        g.update(Nanos(2), -21.0);
        assert_eq!(g.breach(&l), Some(LossBreach::DailyLoss { loss_usd: 21.0, limit_usd: 20.0 }));
        // Next day: the loss counts from −21.
        g.update(DAY + Nanos(5), -30.0);
        assert_eq!(g.daily_loss_usd(), 9.0);
        assert_eq!(g.breach(&l), None);
        assert_eq!(g.snapshot().drawdown_usd, 30.0, "the drawdown spans the session");
    }
}
