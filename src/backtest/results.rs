//! One backtest run's results, read from the run summary (the actors' own reports) and the
//! per-second sampler: PnL and its parts, risk-adjusted return, fills and rates per side,
//! markouts, inventory, quote uptime, request-budget use, the splits by session and volatility
//! regime, calibration, latency, and the sanity guards' verdict.

use super::sampler::{CoinSampled, QuoteUptime, RunPaths};
use crate::summary::{LatencyRow, RunSummary};
use actors::report::ActorReport;
use engine::backtest::{sanity_flags, EquitySummary, InventorySummary, SanityFlag, SanityInputs, SplitRow};
use engine::calibration::ReliabilityRow;
use engine::portfolio::HORIZONS;
use engine::quote::ModelKind;
use engine::risk::RejectKind;
use engine::types::Side;
use serde::Serialize;

/// Seconds in an hour, for rates per hour.
const SECONDS_PER_HOUR: f64 = 3_600.0;

/// PnL and its parts, USD, summed over coins: net = realized + unrealized − fees + funding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PnlParts {
    pub realized_usd: f64,
    pub unrealized_usd: f64,
    /// Fees paid net of rebates (negative: the rebates were larger).
    pub fees_usd: f64,
    /// Maker rebates received (part of `fees_usd`, shown apart).
    pub rebates_usd: f64,
    pub funding_usd: f64,
    pub net_usd: f64,
    /// Before fees and funding: realized + unrealized.
    pub gross_usd: f64,
    /// Spread captured against the mid at the fill, and adverse selection at the attribution
    /// horizon (the attribution's terms).
    pub spread_capture_usd: f64,
    pub adverse_selection_usd: f64,
}

/// Fills of one side of the book: our bids (buys) or our asks (sells).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SideResults {
    pub side: &'static str,
    pub fills: u64,
    pub fills_per_hour: f64,
    pub spread_capture_usd: f64,
    pub adverse_selection_usd: f64,
    /// Notional-weighted markout per horizon, bps.
    pub markout_bps: [Option<f64>; HORIZONS],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoinResults {
    pub coin: String,
    pub fills: u64,
    pub inventory: InventorySummary,
    pub quote_uptime: QuoteUptime,
    /// The coin's PnL by its volatility regime at each second.
    pub by_vol_regime: Vec<SplitRow>,
}

/// Hyperliquid's address request budget as the run used it (RiskActor's count) and the
/// venue's refusals for it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BudgetUse {
    pub requests_sent: u64,
    pub requests_allowed: u64,
    pub used_frac: f64,
    pub rate_limited_rejects: u64,
}

/// One run's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunResults {
    pub model: &'static str,
    pub simulated_s: f64,
    pub fills: u64,
    pub fills_per_hour: f64,
    pub volume_usd: f64,
    pub pnl: PnlParts,
    pub equity: Option<EquitySummary>,
    pub sides: [SideResults; 2],
    /// Notional-weighted markout of all fills per horizon (`markout_horizons_ms`), bps.
    pub markout_bps: [Option<f64>; HORIZONS],
    pub markout_horizons_ms: [u64; HORIZONS],
    pub coins: Vec<CoinResults>,
    /// The account's PnL by trading session (UTC hour of each second).
    pub by_session: Vec<SplitRow>,
    pub request_budget: Option<BudgetUse>,
    /// Degradation alerts of the calibration report at the end.
    pub calibration_alerts: usize,
    /// The run model's fill-probability reliability table (forecast vs observed).
    pub reliability: Vec<ReliabilityRow>,
    /// Per-actor service time (wall clock: the engine's own compute in this run; not in the
    /// JSON summary, which is the same for the same command).
    #[serde(skip)]
    pub latency: Vec<LatencyRow>,
    /// What looks too good to be true (engine::backtest::sanity).
    pub sanity: Vec<SanityFlag>,
    /// The paths the report draws (not in the JSON summary).
    #[serde(skip)]
    pub paths: RunPaths,
}

/// Markouts in bps from summed USD and notional per horizon.
fn markout_bps(sums: &[(f64, f64); HORIZONS]) -> [Option<f64>; HORIZONS] {
    std::array::from_fn(|h| (sums[h].1 > 0.0).then(|| 1e4 * sums[h].0 / sums[h].1))
}

/// The run's results from its summary and what the sampler saw.
pub fn results(
    model: ModelKind,
    summary: &RunSummary,
    coin_names: &[String],
    sampled: Vec<CoinSampled>,
    by_session: Vec<SplitRow>,
    paths: RunPaths,
) -> RunResults {
    let hours = summary.elapsed_s / SECONDS_PER_HOUR;
    let per_hour = |n: u64| if hours > 0.0 { n as f64 / hours } else { 0.0 };
    let mut pnl = PnlParts::default();
    let (mut all, mut sides_sums) = ([(0.0, 0.0); HORIZONS], [[(0.0, 0.0); HORIZONS]; 2]);
    let (mut side_fills, mut side_spread, mut side_adverse) = ([0u64; 2], [0.0; 2], [0.0; 2]);
    let mut horizons_ms = [0; HORIZONS];
    let (mut fills, mut volume_usd) = (0, 0.0);
    let mut coin_fills = vec![0; coin_names.len()];
    let mut budget = None;
    let mut rate_limited_rejects = 0;
    for report in &summary.reports {
        match report {
            ActorReport::Fill(f) => {
                for c in &f.coins {
                    pnl.realized_usd += c.pnl.realized_pnl_usd;
                    pnl.unrealized_usd += c.pnl.unrealized_pnl_usd;
                    pnl.fees_usd += c.pnl.fees_usd;
                    pnl.funding_usd += c.funding_usd;
                    pnl.rebates_usd += c.attribution.total.rebates_usd;
                    pnl.spread_capture_usd += c.attribution.total.spread_capture_usd;
                    pnl.adverse_selection_usd += c.attribution.total.adverse_selection_usd;
                    fills += c.pnl.fills;
                    volume_usd += c.pnl.volume_usd;
                    if let Some(n) = coin_fills.get_mut(c.coin.index()) {
                        *n = c.pnl.fills;
                    }
                    horizons_ms = c.markouts.horizons_ms;
                    for s in 0..2 {
                        side_fills[s] += c.pnl.side_fills[s];
                        side_spread[s] += c.attribution.sides[s].spread_capture_usd;
                        side_adverse[s] += c.attribution.sides[s].adverse_selection_usd;
                        for h in 0..HORIZONS {
                            let cell = c.markouts.cells[h][s];
                            sides_sums[s][h].0 += cell.markout_usd;
                            sides_sums[s][h].1 += cell.notional_usd;
                            all[h].0 += cell.markout_usd;
                            all[h].1 += cell.notional_usd;
                        }
                    }
                }
            }
            ActorReport::Risk(r) => {
                let b = r.request_budget;
                let sent = b.session_orders + b.session_cancels;
                let used_frac =
                    if b.requests_allowed > 0 { b.requests_used as f64 / b.requests_allowed as f64 } else { 0.0 };
                budget = Some((sent, b.requests_allowed, used_frac));
            }
            ActorReport::Order(o) => rate_limited_rejects = o.rejects_by.get(RejectKind::RateLimited),
            _ => {}
        }
    }
    pnl.gross_usd = pnl.realized_usd + pnl.unrealized_usd;
    pnl.net_usd = pnl.gross_usd - pnl.fees_usd + pnl.funding_usd;
    let sides = [Side::Bid, Side::Ask].map(|side| {
        let s = side.index();
        SideResults {
            side: match side {
                Side::Bid => "bid (buys)",
                Side::Ask => "ask (sells)",
            },
            fills: side_fills[s],
            fills_per_hour: per_hour(side_fills[s]),
            spread_capture_usd: side_spread[s],
            adverse_selection_usd: side_adverse[s],
            markout_bps: markout_bps(&sides_sums[s]),
        }
    });
    let equity = summary.equity;
    let sanity = sanity_flags(&SanityInputs {
        fills,
        volume_usd,
        gross_pnl_usd: pnl.gross_usd,
        spread_capture_usd: pnl.spread_capture_usd,
        adverse_selection_usd: pnl.adverse_selection_usd,
        sharpe_per_day: equity.and_then(|e| e.sharpe_per_day),
    });
    let coins = coin_names
        .iter()
        .zip(sampled)
        .zip(&coin_fills)
        .map(|((coin, s), &fills)| CoinResults {
            coin: coin.clone(),
            fills,
            inventory: s.inventory,
            quote_uptime: s.uptime,
            by_vol_regime: s.regimes,
        })
        .collect();
    let calibration = summary.calibration.as_ref();
    let reliability = calibration
        .and_then(|c| c.models.iter().find(|m| m.model == model.name()))
        .map(|m| m.fill.reliability.clone())
        .unwrap_or_default();
    RunResults {
        model: model.name(),
        simulated_s: summary.elapsed_s,
        fills,
        fills_per_hour: per_hour(fills),
        volume_usd,
        pnl,
        equity,
        sides,
        markout_bps: markout_bps(&all),
        markout_horizons_ms: horizons_ms,
        coins,
        by_session,
        request_budget: budget.map(|(requests_sent, requests_allowed, used_frac)| BudgetUse {
            requests_sent,
            requests_allowed,
            used_frac,
            rate_limited_rejects,
        }),
        calibration_alerts: calibration.map_or(0, |c| c.alerts.len()),
        reliability,
        latency: summary.latency.clone(),
        sanity,
        paths,
    }
}
