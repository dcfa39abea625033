//! What each actor reports about itself when asked (status displays, the run summary).

use engine::calibration::CalibrationReport;
use engine::estimator::{KappaSource, MarketParams, SigmaSource, VolRegimeLabel};
use engine::market::SourceCounters;
use engine::portfolio::{AttributionReport, MarkoutStats, PnlSnapshot, SnapshotStats};
use engine::risk::{
    CoinRiskSnapshot, LossSnapshot, ReasonCounts, RejectCounts, RequestBudgetSnapshot, RiskLimits, TradingStateChange,
    VenueRefusalSnapshot,
};
use engine::types::CoinId;
use engine::venue::RejectText;
use serde::Serialize;

// The risk report carries the whole limits value and per-reason counts (~700 bytes); reports
// are asked for by observers, never on the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorReport {
    Venue(VenueReport),
    Feed(FeedReport),
    Estimator(EstimatorReport),
    Quote(QuoteReport),
    Risk(RiskReport),
    Order(OrderReport),
    Fill(FillSummary),
    Calibration(CalibrationReport),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VenueReport {
    pub market_events: u64,
    pub action_batches: u64,
    pub venue_events: u64,
    pub open_orders: usize,
    /// The market source has no more events (a replay reached the end of its recording).
    pub market_ended: bool,
    /// Batches a signing venue could not sign (each logged).
    pub signing_errors: u64,
    pub source: SourceCounters,
    /// The venue's scheduled cancel-all: when it would fire, how often it fired, what it cancelled.
    pub dead_mans_switch: engine::sim::ScheduledCancelStats,
    /// The live Hyperliquid venue's counters (posts, fallbacks, replies, timeouts, …).
    pub exchange_client: Option<crate::venues::hyperliquid::exchange_client::ExchangeClientSummary>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FeedReport {
    pub books: u64,
    pub bbo_updates: u64,
    pub trades: u64,
    /// Funding / open-interest updates passed to the estimator.
    pub asset_contexts: u64,
    /// Book updates refused: best bid ≥ best ask.
    pub rejected_crossed: u64,
    /// Book updates refused: a side without levels.
    pub rejected_one_sided: u64,
    /// Book updates refused: older than the book (late or replayed frames).
    pub rejected_out_of_order: u64,
    /// Times a coin's feed went silent past `feed.stale_after_ms`, and came back.
    pub stale_events: u64,
    pub fresh_events: u64,
    /// Resubscriptions of a live feed (each lets the next snapshot replace the book).
    pub resyncs: u64,
    /// Events for a coin the engine does not quote.
    pub unknown_coin_events: u64,
}

/// A coin's model inputs as last published (NaN before the first book).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CoinEstimate {
    pub coin: CoinId,
    pub mid_usd: f64,
    pub sigma_frac_per_sqrt_s: f64,
    pub sigma_source: SigmaSource,
    pub sigma_is_warm: bool,
    pub vol_regime: VolRegimeLabel,
    pub kappa_per_frac: f64,
    pub a_per_s: f64,
    pub kappa_source: KappaSource,
    pub avg_trade_distance_bps: f64,
    pub trade_rate_per_s: f64,
    pub trades: u64,
    /// The reference venue's mid and its basis to ours (bps) while fresh.
    pub reference_mid_usd: Option<f64>,
    pub reference_basis_bps: Option<f64>,
}

impl CoinEstimate {
    pub fn new(coin: CoinId, last: Option<&MarketParams>, trades: u64) -> Self {
        let nan = f64::NAN;
        let v = last.map(|p| p.volatility).unwrap_or_default();
        let k = last.map(|p| p.intensity).unwrap_or_default();
        Self {
            coin,
            mid_usd: last.map_or(nan, |p| p.mid_usd),
            sigma_frac_per_sqrt_s: last.map_or(nan, |_| v.sigma_frac_per_sqrt_s),
            sigma_source: v.source,
            sigma_is_warm: v.is_warm,
            vol_regime: v.regime,
            kappa_per_frac: if k.source == KappaSource::None { nan } else { k.kappa_per_frac },
            a_per_s: if k.source == KappaSource::None { nan } else { k.a_per_s },
            kappa_source: k.source,
            avg_trade_distance_bps: last.map_or(nan, |_| k.avg_trade_distance_bps),
            trade_rate_per_s: last.map_or(nan, |p| p.activity.trade_rate_per_s),
            trades,
            reference_mid_usd: last.and_then(|p| p.reference).map(|r| r.mid_usd),
            reference_basis_bps: last.and_then(|p| p.reference).map(|r| r.basis_bps),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EstimatorReport {
    pub books: u64,
    pub trades: u64,
    pub asset_contexts: u64,
    /// κ recomputes (one structured log record each).
    pub kappa_updates: u64,
    /// Mids received from the reference venue.
    pub reference_mids: u64,
    pub coins: Vec<CoinEstimate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QuoteReport {
    /// The model quoting now (`quote.model`, changeable at run time).
    pub model: String,
    pub gamma_per_usd: f64,
    /// The other run-time quote parameters (`QuoteParamsChange`), as now in force.
    pub min_edge_bps: f64,
    pub levels_per_side: usize,
    pub level_spacing_bps: f64,
    pub requote_tolerance_bps: f64,
    /// Version of the quote parameters: 1 at start, +1 per accepted change.
    pub params_version: u64,
    pub decisions: u64,
    pub levels_quoted: u64,
    /// Decisions skipped because the coin had no usable book or estimate yet.
    pub skipped_not_ready: u64,
    /// Decisions quoted by the static baseline because σ or κ/A were not warm yet.
    pub fallback_cold: u64,
    /// Decisions quoted by the static baseline because the model refused its inputs.
    pub fallback_model_error: u64,
    /// Sides left unquoted by the toxicity gate.
    pub gated_sides: u64,
    /// Sides widened because their context bucket realized poor edge (`[calibration.widen]`,
    /// off by default).
    pub edge_widened_sides: u64,
    pub edge_widen_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskReport {
    pub trading_state: TradingStateChange,
    /// The limits in force and their version: 1 at start, +1 per accepted change.
    pub limits_version: u64,
    pub limits: RiskLimits,
    /// `SetRiskLimits` commands refused (the old limits stayed).
    pub limit_changes_refused: u64,
    pub intents: u64,
    /// Ladders approved (intents and re-approvals after a state or limits change).
    pub approvals: u64,
    pub levels_clipped: u64,
    pub levels_dropped: u64,
    /// The same two per limit: `{reason: count}` (see `engine::risk::RiskReason`).
    pub levels_clipped_by: ReasonCounts,
    pub levels_dropped_by: ReasonCounts,
    /// Levels moved out by the volatility limit.
    pub levels_widened: u64,
    /// Levels approved and resting as far as Risk knows, all coins.
    pub open_orders: usize,
    /// Tokens left in the new-order bucket.
    pub throttle_tokens: f64,
    /// Hyperliquid's address request budget: used vs allowed, inventory forcing.
    pub request_budget: RequestBudgetSnapshot,
    /// Net PnL, the session's high-water mark, drawdown and the day's loss.
    pub pnl: LossSnapshot,
    /// Times a loss limit turned the engine HALTED.
    pub loss_halts: u64,
    pub coins: Vec<CoinRiskSnapshot>,
    /// Coins whose quotes are pulled because their feed is stale.
    pub stale_coins: usize,
    pub feed_health_changes: u64,
    /// The venue's refusals the gate acted on (per kind), the cool-downs running (rate
    /// limited until, coins reducing-only for margin) and the halts they caused.
    pub venue_refusals: VenueRefusalSnapshot,
}

/// One coin's live orders: how many per side and the innermost price of each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CoinQuotes {
    pub live_bids: usize,
    pub live_asks: usize,
    pub best_bid_px: Option<f64>,
    pub best_ask_px: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrderReport {
    pub live_orders: usize,
    /// Per coin (index = `CoinId`).
    pub quotes: Vec<CoinQuotes>,
    pub action_batches: u64,
    pub placed: u64,
    pub cancelled: u64,
    pub kept: u64,
    pub deferred: u64,
    pub rejects: u64,
    /// The same per kind (`{kind: count}`, see `engine::risk::RejectKind`).
    pub rejects_by: RejectCounts,
    /// The text of the last refusal the venue gave in words not recognised (kind `unknown`).
    pub last_unknown_reject: Option<RejectText>,
    pub cancel_rejects: u64,
    /// Venue events naming an order this engine does not track.
    pub unknown_order_events: u64,
    /// The dead man's switch: refreshes sent, the last T, what the venue confirmed.
    pub dead_mans_switch: engine::order::DeadMansSwitchReport,
    /// Moved orders replaced by one modify each (counted as order requests to Risk).
    pub modified: u64,
    /// Actions not sent because the coin's in-flight limit was reached.
    pub refusals_in_flight: u64,
    /// Actions not sent because the order's lifecycle did not allow them (state, full table).
    pub refusals_other: u64,
    /// Status queries sent after an ack timeout, and the answers received.
    pub status_queries: u64,
    pub status_answers: u64,
    /// Venue events the lifecycle found late (a legal race), duplicated or ruled out.
    pub late_events: u64,
    pub duplicate_events: u64,
    pub illegal_events: u64,
    /// Historical (snapshot) fills of tracked orders applied; of other orders ignored.
    pub historical_fills: u64,
    pub historical_fills_untracked: u64,
    /// Finished orders forgotten after their linger.
    pub retired: u64,
    /// Orders tracked (finished ones until retired) and requests unanswered, all coins.
    pub tracked_orders: usize,
    pub in_flight: usize,
    /// The lifecycles' own counters, all coins.
    pub lifecycle: engine::order::LifecycleCounters,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CoinPnl {
    pub coin: CoinId,
    pub pnl: PnlSnapshot,
    /// The ledger's markouts: per horizon and side `[bid, ask]`, count, expired, avg bps.
    pub markouts: MarkoutStats,
    /// The ledger's PnL attribution, per side and in total.
    pub attribution: AttributionReport,
    /// Funding received (positive) or paid (negative), and the payments counted.
    pub funding_usd: f64,
    pub funding_payments: u64,
    /// Historical (`userFills` snapshot) fills: recovered (this session's, booked), history
    /// (before the session, not booked), known (seen before).
    pub snapshots: SnapshotStats,
    /// Fills the actor was seeded with at start (already journaled).
    pub seeded_fills: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FillSummary {
    pub coins: Vec<CoinPnl>,
    /// Fills naming a coin this engine does not trade (logged; never silently lost).
    pub unknown_coin_fills: u64,
}
