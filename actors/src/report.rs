//! What each actor reports about itself when asked (status displays, the run summary).

use engine::calibration::CalibrationCounts;
use engine::market::SourceCounters;
use engine::portfolio::PnlSnapshot;
use engine::risk::TradingStateChange;
use engine::types::CoinId;
use serde::Serialize;

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
    Calibration(CalibrationCounts),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VenueReport {
    pub market_events: u64,
    pub action_batches: u64,
    pub venue_events: u64,
    pub open_orders: usize,
    /// The market source has no more events (a replay reached the end of its recording).
    pub market_ended: bool,
    pub source: SourceCounters,
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

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CoinEstimate {
    pub coin: CoinId,
    pub mid_usd: f64,
    pub sigma_frac_per_sqrt_s: f64,
    pub sigma_is_warm: bool,
    pub trades: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EstimatorReport {
    pub books: u64,
    pub trades: u64,
    pub coins: Vec<CoinEstimate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QuoteReport {
    pub decisions: u64,
    pub levels_quoted: u64,
    /// Decisions skipped because the coin had no usable book or estimate yet.
    pub skipped_not_ready: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskReport {
    pub trading_state: TradingStateChange,
    pub intents: u64,
    pub levels_clipped: u64,
    pub levels_dropped: u64,
    /// Coins whose quotes are pulled because their feed is stale.
    pub stale_coins: usize,
    pub feed_health_changes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrderReport {
    pub live_orders: usize,
    pub action_batches: u64,
    pub placed: u64,
    pub cancelled: u64,
    pub kept: u64,
    pub deferred: u64,
    pub rejects: u64,
    pub cancel_rejects: u64,
    /// Venue events naming an order this engine does not track.
    pub unknown_order_events: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CoinPnl {
    pub coin: CoinId,
    pub pnl: PnlSnapshot,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FillSummary {
    pub coins: Vec<CoinPnl>,
    /// Fills naming a coin this engine does not trade (logged; never silently lost).
    pub unknown_coin_fills: u64,
}
