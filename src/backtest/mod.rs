//! `hyperquote backtest`: the same seven actors on recordings or the synthetic market, in the
//! sequential runtime on the simulated clock, once with the chosen model and once with the
//! static-spread baseline on the same data — the two runs on two threads at once — and their
//! results side by side with the differences (model − baseline).
//!
//! Nothing in the decision code knows it is a backtest: the runs are `run_sequential` over
//! `build_actors`, as `run --speed max` is, against the simulated exchange. Once a simulated
//! second the [`sampler`] reads the actors' reports (equity, positions, quotes, regimes);
//! [`results`] turns the run's summary into the figures; the sanity guards flag results that
//! look too good; [`text`] renders the side-by-side table.

pub mod results;
pub mod sampler;
pub mod sweep;
pub mod text;

use crate::config::Config;
use crate::run::run_sequential_observed;
use crate::wiring::{build_actors, instruments, MarketChoice};
use engine::quote::ModelKind;
use engine::types::UnixNanos;
use results::{results, RunResults};
use sampler::RunSampler;
use serde::Serialize;
use std::time::Duration;

pub use text::render_text;

/// What one backtest runs.
pub struct BacktestPlan {
    pub config: Config,
    pub market: MarketChoice,
    /// Simulated run length (a replay also ends with its recording).
    pub duration: Duration,
    pub model: ModelKind,
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

/// Runs `config` (its `quote.model` as set) on `market` for `duration` (the run's seeds and
/// session prefix fixed, so a backtest repeats exactly).
pub fn run_config(config: &Config, market: &MarketChoice, duration: Duration) -> Result<RunResults, String> {
    let actors = build_actors(config, 1, market).map_err(|e| e.to_string())?;
    let soft = config.quote.construction.levels.soft_limit_frac;
    let limits: Vec<(f64, f64)> = config.markets.iter().map(|m| (m.max_position_base, soft)).collect();
    let mut sampler = RunSampler::new(UnixNanos::from_millis(config.venue.start_unix_ms), &limits);
    let summary = run_sequential_observed(
        actors,
        config.runtime.channel_capacity,
        &instruments(config),
        duration,
        |now, runtime| sampler.observe(now, runtime),
    );
    let (coins, sessions, paths) = sampler.finish();
    let names: Vec<String> = config.markets.iter().map(|m| m.coin.clone()).collect();
    Ok(results(config.quote.model, &summary, &names, coins, sessions, paths))
}

fn run_one(plan: &BacktestPlan, model: ModelKind) -> Result<RunResults, String> {
    let mut config = plan.config.clone();
    config.quote.model = model;
    run_config(&config, &plan.market, plan.duration)
}

/// The model's run and the baseline's, on two threads.
pub fn backtest(plan: &BacktestPlan) -> Result<BacktestReport, String> {
    let (model, baseline) = std::thread::scope(|s| {
        let baseline = s.spawn(|| run_one(plan, ModelKind::Static));
        let model = run_one(plan, plan.model);
        (model, baseline.join().unwrap_or_else(|_| Err("the baseline run panicked".into())))
    });
    Ok(BacktestReport::new(model?, baseline?))
}

impl BacktestReport {
    /// The two runs and their differences.
    pub fn new(model: RunResults, baseline: RunResults) -> Self {
        let drawdown = |r: &RunResults| r.equity.map(|e| e.max_drawdown_usd);
        let sharpe = |r: &RunResults| r.equity.and_then(|e| e.sharpe_per_day);
        let difference = Difference {
            net_pnl_usd: model.pnl.net_usd - baseline.pnl.net_usd,
            fills: model.fills as i64 - baseline.fills as i64,
            max_drawdown_usd: drawdown(&model).zip(drawdown(&baseline)).map(|(m, b)| m - b),
            sharpe_per_day: sharpe(&model).zip(sharpe(&baseline)).map(|(m, b)| m - b),
        };
        BacktestReport { model, baseline, difference }
    }
}
