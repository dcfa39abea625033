//! What a backtest samples once a simulated second from the actors' reports: the equity and
//! drawdown paths, each coin's position, mid and innermost quotes (bounded [`Timeline`]s for
//! the report's charts), the inventory distribution, quote uptime per side, and the interval
//! PnL split by session and by each coin's volatility regime.
//!
//! It reads the same reports an operator reads (FillActor's, OrderActor's, EstimatorActor's);
//! nothing in the actors knows it is sampled. Memory is fixed per run whatever its length.

use crate::run::equity_usd;
use actors::report::{ActorReport, CoinQuotes, EstimatorReport, FillSummary, OrderReport};
use actors::runtime::SequentialRuntime;
use actors::ActorId;
use engine::backtest::{InventoryDistribution, InventorySummary, Session, SplitRow, SplitStats, Timeline};
use engine::types::{Nanos, UnixNanos};
use serde::Serialize;

/// Seconds between two samples (the sequential run's step).
pub const SAMPLE_INTERVAL_S: f64 = 1.0;

/// The share of samples a coin had live orders on its bid side, its ask side, and both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct QuoteUptime {
    pub samples: u64,
    pub bid_frac: f64,
    pub ask_frac: f64,
    pub two_sided_frac: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct UptimeCounts {
    samples: u64,
    bid: u64,
    ask: u64,
    both: u64,
}

impl UptimeCounts {
    fn push(&mut self, q: &CoinQuotes) {
        let (bid, ask) = (q.live_bids > 0, q.live_asks > 0);
        self.samples += 1;
        self.bid += u64::from(bid);
        self.ask += u64::from(ask);
        self.both += u64::from(bid && ask);
    }

    fn summary(&self) -> QuoteUptime {
        let frac = |n: u64| if self.samples == 0 { 0.0 } else { n as f64 / self.samples as f64 };
        QuoteUptime {
            samples: self.samples,
            bid_frac: frac(self.bid),
            ask_frac: frac(self.ask),
            two_sided_frac: frac(self.both),
        }
    }
}

/// A coin's paths for the charts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoinPaths {
    pub position_base: Timeline,
    pub mid_usd: Timeline,
    pub best_bid_usd: Timeline,
    pub best_ask_usd: Timeline,
}

/// The run's paths for the charts (not in the JSON summary: the report draws them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunPaths {
    pub equity_usd: Timeline,
    pub drawdown_usd: Timeline,
    pub coins: Vec<CoinPaths>,
}

struct CoinSampler {
    inventory: InventoryDistribution,
    uptime: UptimeCounts,
    regimes: SplitStats,
    /// Net PnL with funding, fills and volume at the previous sample.
    last: (f64, u64, f64),
}

/// What one coin's sampling gave.
pub struct CoinSampled {
    pub inventory: InventorySummary,
    pub uptime: QuoteUptime,
    pub regimes: Vec<SplitRow>,
}

pub struct RunSampler {
    start_unix: UnixNanos,
    coins: Vec<CoinSampler>,
    paths: RunPaths,
    peak_usd: f64,
    sessions: SplitStats,
    last_total: (f64, u64, f64),
}

impl RunSampler {
    /// `limits` per coin: `(max_position_base, soft limit as a fraction of it)`.
    pub fn new(start_unix: UnixNanos, limits: &[(f64, f64)]) -> Self {
        let coins = limits
            .iter()
            .map(|&(max_position_base, soft_frac)| CoinSampler {
                inventory: InventoryDistribution::new(max_position_base, soft_frac),
                uptime: UptimeCounts::default(),
                regimes: SplitStats::new(SAMPLE_INTERVAL_S),
                last: (0.0, 0, 0.0),
            })
            .collect();
        let paths = RunPaths { coins: vec![CoinPaths::default(); limits.len()], ..RunPaths::default() };
        Self {
            start_unix,
            coins,
            paths,
            peak_usd: f64::NEG_INFINITY,
            sessions: SplitStats::new(SAMPLE_INTERVAL_S),
            last_total: (0.0, 0, 0.0),
        }
    }

    /// Samples the runtime at simulated time `now`.
    pub fn observe(&mut self, now: Nanos, runtime: &SequentialRuntime) {
        let Some(ActorReport::Fill(fills)) = runtime.report(ActorId::Fill) else { return };
        let orders = match runtime.report(ActorId::Order) {
            Some(ActorReport::Order(o)) => o,
            _ => OrderReport::default(),
        };
        let estimates = match runtime.report(ActorId::Estimator) {
            Some(ActorReport::Estimator(e)) => e,
            _ => EstimatorReport::default(),
        };
        self.sample(now, &fills, &orders, &estimates);
    }

    fn sample(&mut self, now: Nanos, fills: &FillSummary, orders: &OrderReport, estimates: &EstimatorReport) {
        let t_s = now.as_secs_f64();
        let equity = equity_usd(fills);
        self.paths.equity_usd.push(t_s, equity);
        self.peak_usd = self.peak_usd.max(equity);
        self.paths.drawdown_usd.push(t_s, self.peak_usd - equity);
        let total =
            fills.coins.iter().fold((equity, 0, 0.0), |(e, f, v), c| (e, f + c.pnl.fills, v + c.pnl.volume_usd));
        let session = Session::of(UnixNanos(self.start_unix.0.saturating_add(now.0)));
        self.sessions.push(
            session.name(),
            total.0 - self.last_total.0,
            total.1.saturating_sub(self.last_total.1),
            total.2 - self.last_total.2,
        );
        self.last_total = total;
        for (i, (coin, paths)) in self.coins.iter_mut().zip(self.paths.coins.iter_mut()).enumerate() {
            let Some(c) = fills.coins.get(i) else { continue };
            coin.inventory.push(c.pnl.position_base);
            paths.position_base.push(t_s, c.pnl.position_base);
            let quotes = orders.quotes.get(i).copied().unwrap_or_default();
            coin.uptime.push(&quotes);
            let estimate = estimates.coins.get(i);
            paths.mid_usd.push(t_s, estimate.map_or(f64::NAN, |e| e.mid_usd));
            paths.best_bid_usd.push(t_s, quotes.best_bid_px.unwrap_or(f64::NAN));
            paths.best_ask_usd.push(t_s, quotes.best_ask_px.unwrap_or(f64::NAN));
            let now_coin = (c.pnl.net_pnl_usd + c.funding_usd, c.pnl.fills, c.pnl.volume_usd);
            let regime = estimate.map_or("no estimate", |e| e.vol_regime.name());
            coin.regimes.push(
                regime,
                now_coin.0 - coin.last.0,
                now_coin.1.saturating_sub(coin.last.1),
                now_coin.2 - coin.last.2,
            );
            coin.last = now_coin;
        }
    }

    /// The per-coin results, the session split and the paths.
    pub fn finish(self) -> (Vec<CoinSampled>, Vec<SplitRow>, RunPaths) {
        let coins = self
            .coins
            .iter()
            .map(|c| CoinSampled {
                inventory: c.inventory.summary(),
                uptime: c.uptime.summary(),
                regimes: c.regimes.rows(),
            })
            .collect();
        (coins, self.sessions.rows(), self.paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_counts_each_side_and_both() {
        let mut u = UptimeCounts::default();
        let quotes = |bids, asks| CoinQuotes { live_bids: bids, live_asks: asks, ..CoinQuotes::default() };
        for q in [quotes(1, 1), quotes(2, 0), quotes(0, 0), quotes(1, 3)] {
            u.push(&q);
        }
        let s = u.summary();
        assert_eq!(s.samples, 4);
        assert_eq!((s.bid_frac, s.ask_frac, s.two_sided_frac), (0.75, 0.5, 0.5));
        assert_eq!(UptimeCounts::default().summary().two_sided_frac, 0.0);
    }
}
