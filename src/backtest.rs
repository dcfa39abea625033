//! `hyperquote backtest`: the same seven actors on a recording or the synthetic market, in the
//! sequential runtime on the simulated clock, once with the chosen model and once with the
//! static-spread baseline on the same data — the two runs on two threads at once — and their
//! results side by side with the differences (model − baseline).
//!
//! Nothing in the decision code knows it is a backtest: the runs are `run_sequential` over
//! `build_actors`, as `run --speed max` is. Each run samples its equity (Sharpe, Sortino, max
//! drawdown: [`EquitySummary`]) and every coin's position ([`InventorySummary`], the soft limit
//! of `quote.construction.levels` as "at the limit") once a simulated second. The sanity
//! guards flag results that look too good (no adverse selection, PnL above the spread
//! captured, an implausible Sharpe).

use crate::config::Config;
use crate::run::run_sequential_observed;
use crate::summary::RunSummary;
use crate::wiring::{build_actors, instruments, MarketChoice};
use engine::backtest::{
    sanity_flags, EquitySummary, InventoryDistribution, InventorySummary, SanityFlag, SanityInputs,
};
use engine::portfolio::HORIZONS;
use engine::quote::ModelKind;
use serde::Serialize;
use std::time::Duration;

/// What one backtest runs.
pub struct BacktestPlan {
    pub config: Config,
    pub market: MarketChoice,
    /// Simulated run length (a replay also ends with its recording).
    pub duration: Duration,
    pub model: ModelKind,
}

/// PnL and its parts, USD, summed over coins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PnlParts {
    pub realized_usd: f64,
    pub unrealized_usd: f64,
    pub fees_usd: f64,
    pub funding_usd: f64,
    pub net_usd: f64,
    /// Spread captured against the mid at the fill, and adverse selection at the attribution
    /// horizon (the attribution's terms).
    pub spread_capture_usd: f64,
    pub adverse_selection_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoinInventory {
    pub coin: String,
    pub inventory: InventorySummary,
}

/// One run's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunResults {
    pub model: &'static str,
    pub simulated_s: f64,
    pub fills: u64,
    pub volume_usd: f64,
    pub pnl: PnlParts,
    pub equity: Option<EquitySummary>,
    pub inventory: Vec<CoinInventory>,
    /// Notional-weighted markout of all fills per horizon (`markout_horizons_ms`), bps.
    pub markout_bps: [Option<f64>; HORIZONS],
    pub markout_horizons_ms: [u64; HORIZONS],
    /// Degradation alerts of the calibration report at the end.
    pub calibration_alerts: usize,
    /// What looks too good to be true (engine::backtest::sanity).
    pub sanity: Vec<SanityFlag>,
}

/// Model − baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    pub net_pnl_usd: f64,
    pub fills: i64,
    pub max_drawdown_usd: Option<f64>,
    pub sharpe_per_day: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    pub model: RunResults,
    pub baseline: RunResults,
    pub difference: Difference,
}

fn results(model: ModelKind, summary: &RunSummary, inventory: Vec<CoinInventory>) -> RunResults {
    let mut pnl = PnlParts::default();
    let (mut markout_usd, mut notional_usd) = ([0.0; HORIZONS], [0.0; HORIZONS]);
    let mut horizons_ms = [0; HORIZONS];
    for report in &summary.reports {
        let actors::report::ActorReport::Fill(fills) = report else { continue };
        for c in &fills.coins {
            pnl.realized_usd += c.pnl.realized_pnl_usd;
            pnl.unrealized_usd += c.pnl.unrealized_pnl_usd;
            pnl.fees_usd += c.pnl.fees_usd;
            pnl.funding_usd += c.funding_usd;
            pnl.spread_capture_usd += c.attribution.total.spread_capture_usd;
            pnl.adverse_selection_usd += c.attribution.total.adverse_selection_usd;
            horizons_ms = c.markouts.horizons_ms;
            for h in 0..HORIZONS {
                let cell = c.markouts.total(h);
                markout_usd[h] += cell.markout_usd;
                notional_usd[h] += cell.notional_usd;
            }
        }
    }
    pnl.net_usd = summary.totals.net_pnl_usd;
    let markout_bps = std::array::from_fn(|h| (notional_usd[h] > 0.0).then(|| 1e4 * markout_usd[h] / notional_usd[h]));
    let sanity = sanity_flags(&SanityInputs {
        fills: summary.totals.fills,
        volume_usd: summary.totals.volume_usd,
        gross_pnl_usd: pnl.net_usd + pnl.fees_usd,
        spread_capture_usd: pnl.spread_capture_usd,
        adverse_selection_usd: pnl.adverse_selection_usd,
        sharpe_per_day: summary.equity.and_then(|e| e.sharpe_per_day),
    });
    RunResults {
        model: model.name(),
        simulated_s: summary.elapsed_s,
        fills: summary.totals.fills,
        volume_usd: summary.totals.volume_usd,
        pnl,
        equity: summary.equity,
        inventory,
        markout_bps,
        markout_horizons_ms: horizons_ms,
        calibration_alerts: summary.calibration.as_ref().map_or(0, |c| c.alerts.len()),
        sanity,
    }
}

/// Runs `model` on `plan`'s market and config (the run's seeds and session prefix fixed, so a
/// backtest repeats exactly).
fn run_one(plan: &BacktestPlan, model: ModelKind) -> Result<RunResults, String> {
    let mut config = plan.config.clone();
    config.quote.model = model;
    let actors = build_actors(&config, 1, &plan.market).map_err(|e| e.to_string())?;
    let soft = config.quote.construction.levels.soft_limit_frac;
    let mut inventories: Vec<InventoryDistribution> =
        config.markets.iter().map(|m| InventoryDistribution::new(m.max_position_base, soft)).collect();
    let summary = run_sequential_observed(
        actors,
        config.runtime.channel_capacity,
        &instruments(&config),
        plan.duration,
        |fills| {
            for (coin, distribution) in fills.coins.iter().zip(inventories.iter_mut()) {
                distribution.push(coin.pnl.position_base);
            }
        },
    );
    let inventory = config
        .markets
        .iter()
        .zip(&inventories)
        .map(|(m, d)| CoinInventory { coin: m.coin.clone(), inventory: d.summary() })
        .collect();
    Ok(results(model, &summary, inventory))
}

/// The model's run and the baseline's, on two threads.
pub fn backtest(plan: &BacktestPlan) -> Result<BacktestReport, String> {
    let (model, baseline) = std::thread::scope(|s| {
        let baseline = s.spawn(|| run_one(plan, ModelKind::Static));
        let model = run_one(plan, plan.model);
        (model, baseline.join().unwrap_or_else(|_| Err("the baseline run panicked".into())))
    });
    let (model, baseline) = (model?, baseline?);
    let drawdown = |r: &RunResults| r.equity.map(|e| e.max_drawdown_usd);
    let sharpe = |r: &RunResults| r.equity.and_then(|e| e.sharpe_per_day);
    let difference = Difference {
        net_pnl_usd: model.pnl.net_usd - baseline.pnl.net_usd,
        fills: model.fills as i64 - baseline.fills as i64,
        max_drawdown_usd: drawdown(&model).zip(drawdown(&baseline)).map(|(m, b)| m - b),
        sharpe_per_day: sharpe(&model).zip(sharpe(&baseline)).map(|(m, b)| m - b),
    };
    Ok(BacktestReport { model, baseline, difference })
}

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or("—".to_string(), |x| format!("{x:.decimals$}"))
}

/// The report as a side-by-side table.
pub fn render_text(report: &BacktestReport) -> String {
    use std::fmt::Write;
    let (m, b) = (&report.model, &report.baseline);
    let mut out = String::new();
    let _ = writeln!(out, "{:<28} {:>18} {:>18}", "", m.model, format!("{} (baseline)", b.model));
    let mut row = |name: &str, f: &dyn Fn(&RunResults) -> String| {
        let _ = writeln!(out, "{name:<28} {:>18} {:>18}", f(m), f(b));
    };
    row("simulated seconds", &|r| format!("{:.0}", r.simulated_s));
    row("fills", &|r| r.fills.to_string());
    row("volume USD", &|r| format!("{:.2}", r.volume_usd));
    row("net PnL USD", &|r| format!("{:+.4}", r.pnl.net_usd));
    row("  realized", &|r| format!("{:+.4}", r.pnl.realized_usd));
    row("  unrealized", &|r| format!("{:+.4}", r.pnl.unrealized_usd));
    row("  fees (− rebates)", &|r| format!("{:.4}", r.pnl.fees_usd));
    row("  funding", &|r| format!("{:+.4}", r.pnl.funding_usd));
    row("spread capture USD", &|r| format!("{:+.4}", r.pnl.spread_capture_usd));
    row("adverse selection USD", &|r| format!("{:.4}", r.pnl.adverse_selection_usd));
    row("Sharpe / day", &|r| opt(r.equity.and_then(|e| e.sharpe_per_day), 2));
    row("Sortino / day", &|r| opt(r.equity.and_then(|e| e.sortino_per_day), 2));
    row("max drawdown USD", &|r| opt(r.equity.map(|e| e.max_drawdown_usd), 4));
    for h in 0..HORIZONS {
        let name = format!("markout {} ms, bps", m.markout_horizons_ms[h]);
        row(&name, &|r| opt(r.markout_bps[h], 3));
    }
    for (i, c) in m.inventory.iter().enumerate() {
        row(&format!("{} inventory mean ± sd", c.coin), &|r| {
            r.inventory
                .get(i)
                .map_or("—".into(), |c| format!("{:+.5} ± {:.5}", c.inventory.mean_base, c.inventory.std_base))
        });
        row(&format!("{} inventory 1 % / 99 %", c.coin), &|r| {
            r.inventory.get(i).map_or("—".into(), |c| {
                format!("{:+.4} / {:+.4}", c.inventory.quantiles_base[0], c.inventory.quantiles_base[4])
            })
        });
        row(&format!("{} time at the limit", c.coin), &|r| {
            r.inventory.get(i).map_or("—".into(), |c| format!("{:.1} %", 100.0 * c.inventory.time_at_limit_frac))
        });
    }
    row("calibration alerts", &|r| r.calibration_alerts.to_string());
    for r in [m, b] {
        for flag in &r.sanity {
            let _ = writeln!(out, "TOO GOOD? {}: {}", r.model, flag.describe());
        }
    }
    let d = &report.difference;
    let _ = writeln!(
        out,
        "difference (model − baseline): net PnL {:+.4} USD, fills {:+}, Sharpe/day {}, max drawdown {} USD",
        d.net_pnl_usd,
        d.fills,
        opt(d.sharpe_per_day, 2),
        opt(d.max_drawdown_usd, 4)
    );
    out
}
