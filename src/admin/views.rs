//! What the admin API answers, built from the actors' reports: pure functions of the
//! reports, so each view is tested without a server.

use super::EngineInfo;
use actors::latency::{LatencySnapshot, Percentiles};
use actors::report::{FillSummary, OrderReport, QuoteReport, RiskReport};
use actors::runtime::InboxDepth;
use actors::QueueCounters;
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
    use std::time::Instant;

    pub(crate) fn info() -> EngineInfo {
        EngineInfo {
            coins: vec!["BTC".into(), "ETH".into()],
            config_origin: "test".into(),
            started: Instant::now(),
            clock_zero_wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_000),
        }
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
