//! `backtest --sweep KEY=V1,V2,…` (repeatable): a parameter grid, each point a backtest of
//! the model against the static baseline under the same overrides (a swept latency or fee
//! changes the baseline's world too), tabulated.
//!
//! The points' runs are independent sequential runs, so they are spread over the machine's
//! cores: a fixed set of worker threads take the next run from a shared counter until none is
//! left, and the results go back in grid order. A run's result does not depend on which
//! worker ran it or when, so a sweep repeats exactly.

use super::results::RunResults;
use super::{run_config, BacktestReport};
use crate::config::Config;
use crate::overrides::{grid, Override};
use crate::wiring::MarketChoice;
use engine::quote::ModelKind;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The key that names the quote model: a sweep over it overrides `--model`.
const MODEL_KEY: &str = "quote.model";

pub struct SweepPlan {
    /// The profile's TOML and where it came from (error messages).
    pub config_text: String,
    pub config_origin: String,
    pub axes: Vec<Vec<Override>>,
    pub market: MarketChoice,
    pub duration: Duration,
    pub model: ModelKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// `KEY=VALUE` of each axis.
    pub overrides: Vec<String>,
    pub report: BacktestReport,
}

/// The config of one grid point for the model's run (`baseline = false`) or the baseline's.
fn point_config(plan: &SweepPlan, point: &[Override], baseline: bool) -> Result<Config, String> {
    let mut config = Config::parse_with(&plan.config_text, &plan.config_origin, point).map_err(|e| e.to_string())?;
    if baseline {
        config.quote.model = ModelKind::Static;
    } else if !point.iter().any(|o| o.key == MODEL_KEY) {
        config.quote.model = plan.model;
    }
    Ok(config)
}

/// Runs the grid on `workers` threads (at least one); every point's configs are checked
/// before any run starts, so a bad value fails at once.
pub fn sweep(plan: &SweepPlan, workers: usize) -> Result<Vec<SweepPoint>, String> {
    let points = grid(&plan.axes);
    let mut jobs = Vec::with_capacity(2 * points.len());
    for point in &points {
        for baseline in [false, true] {
            let config = point_config(plan, point, baseline).map_err(|e| format!("--sweep {}: {e}", label(point)))?;
            jobs.push(config);
        }
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<RunResults, String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers.max(1).min(jobs.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(config) = jobs.get(i) else { break mine };
                        mine.push((i, run_config(config, &plan.market, plan.duration)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    if done.len() != jobs.len() {
        return Err("a sweep worker panicked".into());
    }
    done.sort_by_key(|(i, _)| *i);
    let mut runs = done.into_iter().map(|(_, r)| r);
    points
        .iter()
        .map(|point| {
            let missing = || "a sweep run is missing".to_string();
            let model = runs.next().ok_or_else(missing)??;
            let baseline = runs.next().ok_or_else(missing)??;
            Ok(SweepPoint {
                overrides: point.iter().map(ToString::to_string).collect(),
                report: BacktestReport::new(model, baseline),
            })
        })
        .collect()
}

fn label(point: &[Override]) -> String {
    point.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
}

/// The grid as a table: one row per point.
pub fn render_sweep(points: &[SweepPoint]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<40} {:>8} {:>11} {:>11} {:>11} {:>10} {:>9} {:>9} {:>6}",
        "point", "fills", "net USD", "base USD", "Δ net USD", "Sharpe/d", "adv bps", "max DD", "flags"
    );
    for p in points {
        let (m, b) = (&p.report.model, &p.report.baseline);
        let adverse_bps = if m.volume_usd > 0.0 { 1e4 * m.pnl.adverse_selection_usd / m.volume_usd } else { 0.0 };
        let sharpe = m.equity.and_then(|e| e.sharpe_per_day).map_or("—".into(), |s| format!("{s:.2}"));
        let _ = writeln!(
            out,
            "{:<40} {:>8} {:>+11.4} {:>+11.4} {:>+11.4} {:>10} {:>9.3} {:>9.4} {:>6}",
            p.overrides.join(" "),
            m.fills,
            m.pnl.net_usd,
            b.pnl.net_usd,
            p.report.difference.net_pnl_usd,
            sharpe,
            adverse_bps,
            m.equity.map_or(0.0, |e| e.max_drawdown_usd),
            m.sanity.len() + b.sanity.len(),
        );
    }
    out
}
