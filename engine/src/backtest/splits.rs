//! A run's results split by part — trading session, volatility regime — so a model that
//! only wins in one of them shows it (the seeds' rule: require stability across sessions and
//! volatility regimes).
//!
//! The run is sampled at a fixed interval; each interval's PnL, fills and volume go to the
//! part its label names (the session of its end time, the coin's regime at its end). Per part:
//! time covered, fills and their rate, volume, PnL and its rate, and Sharpe per day over the
//! part's intervals ([`super::returns`]), which need not be contiguous.

use super::returns::ReturnStats;
use crate::types::UnixNanos;
use serde::Serialize;

/// Seconds in an hour, for rates per hour.
const SECONDS_PER_HOUR: f64 = 3_600.0;
/// UTC hour Europe's session starts (London and Frankfurt open: 08:00 UTC in winter).
const EUROPE_FROM_UTC_HOUR: u64 = 8;
/// UTC hour the US session starts (New York's equity open, 13:30 or 14:30 UTC by DST).
const US_FROM_UTC_HOUR: u64 = 14;
const NANOS_PER_HOUR: u64 = 3_600_000_000_000;
const HOURS_PER_DAY: u64 = 24;

/// The trading session of a UTC time: Asia 00–08, Europe 08–14, US 14–24 UTC. Crypto trades
/// around the clock; what moves with the session is who trades, and so volume, volatility and
/// how toxic the flow is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Session {
    Asia,
    Europe,
    Us,
}

impl Session {
    pub fn of(t: UnixNanos) -> Session {
        match (t.0 / NANOS_PER_HOUR) % HOURS_PER_DAY {
            h if h < EUROPE_FROM_UTC_HOUR => Session::Asia,
            h if h < US_FROM_UTC_HOUR => Session::Europe,
            _ => Session::Us,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Session::Asia => "asia",
            Session::Europe => "europe",
            Session::Us => "us",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Part {
    fills: u64,
    volume_usd: f64,
    pnl_usd: f64,
    returns: ReturnStats,
}

/// One part's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitRow {
    pub label: String,
    pub seconds: f64,
    pub fills: u64,
    pub fills_per_hour: f64,
    pub volume_usd: f64,
    pub pnl_usd: f64,
    pub pnl_per_hour_usd: f64,
    pub sharpe_per_day: Option<f64>,
}

/// Parts in the order they first appeared; a handful of labels, so a linear search.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitStats {
    interval_s: f64,
    parts: Vec<(String, Part)>,
}

impl SplitStats {
    pub fn new(interval_s: f64) -> Self {
        Self { interval_s, parts: Vec::new() }
    }

    /// One interval of the part `label`: its PnL, fills and traded volume. A non-finite PnL
    /// or volume is ignored (returns false).
    pub fn push(&mut self, label: &str, pnl_usd: f64, fills: u64, volume_usd: f64) -> bool {
        if !pnl_usd.is_finite() || !volume_usd.is_finite() {
            return false;
        }
        let index = match self.parts.iter().position(|(l, _)| l == label) {
            Some(i) => i,
            None => {
                self.parts.push((label.to_string(), Part::default()));
                self.parts.len() - 1
            }
        };
        let part = &mut self.parts[index].1;
        part.fills += fills;
        part.volume_usd += volume_usd;
        part.pnl_usd += pnl_usd;
        part.returns.push(pnl_usd);
        true
    }

    pub fn rows(&self) -> Vec<SplitRow> {
        self.parts
            .iter()
            .map(|(label, p)| {
                let seconds = p.returns.intervals() as f64 * self.interval_s;
                let hours = seconds / SECONDS_PER_HOUR;
                let per_hour = |x: f64| if hours > 0.0 { x / hours } else { 0.0 };
                SplitRow {
                    label: label.clone(),
                    seconds,
                    fills: p.fills,
                    fills_per_hour: per_hour(p.fills as f64),
                    volume_usd: p.volume_usd,
                    pnl_usd: p.pnl_usd,
                    pnl_per_hour_usd: per_hour(p.pnl_usd),
                    sharpe_per_day: p.returns.sharpe_per_day(self.interval_s),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_utc(hour: u64, minute: u64) -> UnixNanos {
        // 2024-08-08 00:00 UTC = 1 723 075 200 s.
        UnixNanos((1_723_075_200 + hour * 3_600 + minute * 60) * 1_000_000_000)
    }

    #[test]
    fn sessions_by_utc_hour() {
        assert_eq!(Session::of(at_utc(0, 0)), Session::Asia);
        assert_eq!(Session::of(at_utc(7, 59)), Session::Asia);
        assert_eq!(Session::of(at_utc(8, 0)), Session::Europe);
        assert_eq!(Session::of(at_utc(13, 59)), Session::Europe);
        assert_eq!(Session::of(at_utc(14, 0)), Session::Us);
        assert_eq!(Session::of(at_utc(23, 59)), Session::Us);
    }

    /// Part a: PnLs 1, 3 over two 1-s intervals (mean 2, sd √2), 5 fills, 100 USD; part b one
    /// interval of −1. Sharpe/day of a = 2/√2 · √86400.
    #[test]
    fn parts_add_up_by_hand() {
        let mut s = SplitStats::new(1.0);
        assert!(s.push("a", 1.0, 2, 40.0));
        assert!(s.push("b", -1.0, 0, 0.0));
        assert!(s.push("a", 3.0, 3, 60.0));
        assert!(!s.push("a", f64::NAN, 1, 1.0));
        let rows = s.rows();
        assert_eq!(rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        let a = &rows[0];
        assert_eq!((a.seconds, a.fills, a.volume_usd, a.pnl_usd), (2.0, 5, 100.0, 4.0));
        assert!((a.fills_per_hour - 5.0 * 1800.0).abs() < 1e-9);
        assert!((a.pnl_per_hour_usd - 4.0 * 1800.0).abs() < 1e-9);
        let expected = 2.0 / 2f64.sqrt() * 86_400f64.sqrt();
        assert!((a.sharpe_per_day.unwrap() - expected).abs() < 1e-9);
        assert_eq!(rows[1].sharpe_per_day, None, "one interval: no sd");
    }
}
