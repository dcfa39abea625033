//! What the admin API answers, built from the actors' reports: pure functions of the
//! reports, so each view is tested without a server.

use super::EngineInfo;
use actors::latency::{LatencySnapshot, Percentiles};
use actors::report::{FillSummary, OrderReport, QuoteReport, RiskReport};
use actors::runtime::InboxDepth;
use actors::QueueCounters;
use engine::calibration::{CalibrationReport, DegradationAlert};
use engine::portfolio::PnlSnapshot;
use engine::risk::{TradingState, TradingStateChange};
use serde::Serialize;
use std::time::{Duration, SystemTime};

/// `GET /state`.
#[derive(Debug, Clone, Serialize)]
pub struct StateView {
    pub uptime_s: f64,
    pub trading_state: TradingStateView,
    pub coins: Vec<CoinView>,
    pub totals: Totals,
    /// OrderActor's report: live (open) orders and what it placed, cancelled, kept.
    pub orders: OrderReport,
    /// RiskActor's report: the trading state, limits with their version, counters.
    pub risk: RiskReport,
    /// The quote parameters in force and the decision counters.
    pub quote: QuoteReport,
    /// CalibrationActor's counts and alerts (`GET /calibration`: every score); null when it
    /// did not answer in time (a stalled calibration must not take the status away).
    pub calibration: Option<CalibrationStatus>,
}

/// The compact calibration part of `GET /state`: what was scored, what was lost, and the
/// degradation alerts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationStatus {
    pub predictions: u64,
    pub outcomes_filled: u64,
    pub outcomes_unfilled: u64,
    pub markouts: u64,
    pub queue_drops: u64,
    /// Some of the sample was lost: the scores are from a subsample.
    pub lossy: bool,
    pub alerts: Vec<DegradationAlert>,
}

impl CalibrationStatus {
    pub fn of(c: &CalibrationReport) -> Self {
        Self {
            predictions: c.counts.predictions,
            outcomes_filled: c.counts.outcomes_filled,
            outcomes_unfilled: c.counts.outcomes_unfilled,
            markouts: c.counts.markouts,
            queue_drops: c.queue_drops,
            lossy: c.lossy,
            alerts: c.alerts.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TradingStateView {
    pub state: TradingState,
    pub reason: String,
    /// When it changed: seconds on the engine's clock (since start) and wall time.
    pub since_start_s: f64,
    pub at_unix_ms: u64,
}

/// One coin's position and PnL (FillActor's attribution).
#[derive(Debug, Clone, Serialize)]
pub struct CoinView {
    pub coin: String,
    #[serde(flatten)]
    pub pnl: PnlSnapshot,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub fills: u64,
    pub realized_pnl_usd: f64,
    pub unrealized_pnl_usd: f64,
    pub fees_usd: f64,
    pub net_pnl_usd: f64,
    pub volume_usd: f64,
}

impl TradingStateView {
    pub fn of(change: &TradingStateChange, info: &EngineInfo) -> Self {
        let at = info.clock_zero_wall + Duration::from_nanos(change.at.0);
        Self {
            state: change.state,
            reason: change.reason.clone(),
            since_start_s: change.at.as_secs_f64(),
            at_unix_ms: at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
        }
    }
}

/// Coin views with the configured names (`coin-<n>` for an index the config lacks).
pub fn coin_views(fill: &FillSummary, info: &EngineInfo) -> Vec<CoinView> {
    let name = |i: usize| info.coins.get(i).cloned().unwrap_or_else(|| format!("coin-{i}"));
    fill.coins.iter().map(|c| CoinView { coin: name(c.coin.index()), pnl: c.pnl }).collect()
}

pub fn totals(fill: &FillSummary) -> Totals {
    fill.coins.iter().fold(Totals::default(), |mut t, c| {
        t.fills += c.pnl.fills;
        t.realized_pnl_usd += c.pnl.realized_pnl_usd;
        t.unrealized_pnl_usd += c.pnl.unrealized_pnl_usd;
        t.fees_usd += c.pnl.fees_usd;
        t.net_pnl_usd += c.pnl.net_pnl_usd;
        t.volume_usd += c.pnl.volume_usd;
        t
    })
}

impl StateView {
    pub fn new(
        risk: RiskReport,
        orders: OrderReport,
        fill: &FillSummary,
        quote: QuoteReport,
        calibration: Option<&CalibrationReport>,
        info: &EngineInfo,
    ) -> Self {
        Self {
            uptime_s: info.started.elapsed().as_secs_f64(),
            trading_state: TradingStateView::of(&risk.trading_state, info),
            coins: coin_views(fill, info),
            totals: totals(fill),
            orders,
            risk,
            quote,
            calibration: calibration.map(CalibrationStatus::of),
        }
    }
}

/// `GET /latency`: each actor's queue wait and service time, tick-to-order, and the queues.
#[derive(Debug, Clone, Serialize)]
pub struct LatencyView {
    pub actors: Vec<LatencySnapshot>,
    /// Venue event in → order action out (OrderActor's histogram).
    pub tick_to_order: Option<Percentiles>,
    pub queues: Vec<QueueCounters>,
    pub inboxes: Vec<InboxDepth>,
}

impl LatencyView {
    pub fn new(actors: Vec<LatencySnapshot>, queues: Vec<QueueCounters>, inboxes: Vec<InboxDepth>) -> Self {
        let tick_to_order = actors.iter().find_map(|a| a.tick_to_order);
        Self { actors, tick_to_order, queues, inboxes }
    }
}

/// `GET /params`: the quote parameters `POST /params` changes, and their version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamsView {
    pub version: u64,
    pub model: String,
    pub gamma_per_usd: f64,
    pub min_edge_bps: f64,
    pub levels_per_side: usize,
    pub level_spacing_bps: f64,
    pub requote_tolerance_bps: f64,
}

impl ParamsView {
    pub fn of(q: &QuoteReport) -> Self {
        Self {
            version: q.params_version,
            model: q.model.clone(),
            gamma_per_usd: q.gamma_per_usd,
            min_edge_bps: q.min_edge_bps,
            levels_per_side: q.levels_per_side,
            level_spacing_bps: q.level_spacing_bps,
            requote_tolerance_bps: q.requote_tolerance_bps,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use actors::report::CoinPnl;
    use engine::portfolio::{AttributionReport, MarkoutStats};
    use engine::types::{CoinId, Nanos};
    use serde_json::json;
    use std::time::Instant;

    pub(crate) fn info() -> EngineInfo {
        EngineInfo {
            coins: vec!["BTC".into(), "ETH".into()],
            config_origin: "test".into(),
            started: Instant::now(),
            clock_zero_wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_000),
        }
    }

    /// A calibration report by hand: `glft` with every score and an adverse-selection alert,
    /// `static` with none of the optional ones (no Brier, no IC, no lead calls).
    pub(crate) fn calibration_report() -> CalibrationReport {
        use engine::calibration::{
            BrierScore, CalibrationCounts, CorrelationScore, FillModelReport, LeadReport, ModelReport, PredictionKind,
        };
        let correlation =
            |ic: f64, ir: f64| CorrelationScore { count: 57, mean_predicted: 1.0, mean_realized: 0.5, ic, ir };
        let glft = ModelReport {
            model: "glft",
            fill: FillModelReport {
                filled: 12,
                unfilled: 88,
                unready: 3,
                brier: Some(BrierScore {
                    count: 100,
                    brier: 0.09,
                    reliability: 0.01,
                    resolution: 0.02,
                    uncertainty: 0.1056,
                    within_bin: 0.0044,
                    skill: 0.15,
                    base_rate: 0.12,
                }),
                reliability: Vec::new(),
                intensity_ratio: Some(0.8),
            },
            adverse_selection: Some(correlation(0.056, 0.42)),
            edge: Some(correlation(0.3, 2.25)),
            lead: LeadReport { hits: 30, misses: 10, flat: 5, hit_rate: Some(0.75) },
            buckets: Vec::new(),
        };
        let cold = ModelReport {
            model: "static",
            fill: FillModelReport {
                filled: 0,
                unfilled: 4,
                unready: 4,
                brier: None,
                reliability: Vec::new(),
                intensity_ratio: None,
            },
            adverse_selection: None,
            edge: None,
            lead: LeadReport { hits: 0, misses: 0, flat: 0, hit_rate: None },
            buckets: Vec::new(),
        };
        CalibrationReport {
            messages_received: 400,
            counts: CalibrationCounts {
                predictions: 110,
                outcomes_filled: 12,
                outcomes_unfilled: 92,
                markouts: 57,
                evicted: 1,
                ..CalibrationCounts::default()
            },
            queue_drops: 7,
            lossy: true,
            models: vec![glft, cold],
            profitability: Vec::new(),
            alerts: vec![DegradationAlert {
                model: "glft",
                prediction: PredictionKind::AdverseSelection,
                metric: "information_ratio",
                value: 0.42,
                threshold: 1.0,
                samples: 57,
            }],
            widen_enabled: false,
        }
    }

    #[test]
    fn the_status_calibration_part_has_the_counts_the_losses_and_the_alerts() {
        let c = CalibrationStatus::of(&calibration_report());
        let json = serde_json::to_value(&c).unwrap();
        for (key, expected) in [
            ("predictions", 110),
            ("outcomes_filled", 12),
            ("outcomes_unfilled", 92),
            ("markouts", 57),
            ("queue_drops", 7),
        ] {
            assert_eq!(json[key].as_u64(), Some(expected), "{key} in {json}");
        }
        assert_eq!(json["lossy"], true);
        let alerts = json["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 1, "{json}");
        assert_eq!(
            (&alerts[0]["model"], &alerts[0]["prediction"], &alerts[0]["metric"], &alerts[0]["samples"]),
            (&json!("glft"), &json!("adverse_selection"), &json!("information_ratio"), &json!(57))
        );
    }

    fn pnl(position_base: f64, net_pnl_usd: f64, fills: u64) -> PnlSnapshot {
        PnlSnapshot { position_base, net_pnl_usd, fills, ..PnlSnapshot::default() }
    }

    fn coin(coin: u8, pnl: PnlSnapshot) -> CoinPnl {
        CoinPnl {
            coin: CoinId(coin),
            pnl,
            markouts: MarkoutStats::default(),
            attribution: AttributionReport::default(),
            funding_usd: 0.0,
            funding_payments: 0,
            snapshots: engine::portfolio::SnapshotStats::default(),
            seeded_fills: 0,
        }
    }

    #[test]
    fn coins_are_named_and_totals_add_up() {
        let fill = FillSummary {
            coins: vec![coin(0, pnl(0.5, 1.25, 3)), coin(1, pnl(-2.0, -0.25, 4)), coin(7, pnl(0.0, 0.0, 0))],
            unknown_coin_fills: 0,
        };
        let views = coin_views(&fill, &info());
        let names: Vec<&str> = views.iter().map(|c| c.coin.as_str()).collect();
        assert_eq!(names, ["BTC", "ETH", "coin-7"]);
        let json = serde_json::to_value(&views[1]).unwrap();
        assert_eq!((json["coin"].as_str(), json["position_base"].as_f64()), (Some("ETH"), Some(-2.0)));
        let t = totals(&fill);
        assert_eq!((t.fills, t.net_pnl_usd), (7, 1.0));
    }

    #[test]
    fn the_trading_state_carries_its_reason_and_wall_time() {
        let change =
            TradingStateChange { state: TradingState::Halted, reason: "operator".into(), at: Nanos(2_500_000_000) };
        let v = TradingStateView::of(&change, &info());
        assert_eq!(
            (v.state, v.reason.as_str(), v.since_start_s, v.at_unix_ms),
            (TradingState::Halted, "operator", 2.5, 1_002_500)
        );
    }
}
