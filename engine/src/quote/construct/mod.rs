//! Quote construction: from a model's quote, the market and the inventory to the target
//! ladder, with one [`QuoteDecision`] record of every step.
//!
//! The pipeline, one concept per file, in the order [`construct`] runs it:
//!
//! 1. `toxicity.rs` — a score in [0, 1] per side from the estimators' signals; above one
//!    threshold the side widens, above another it is not quoted.
//! 2. `half_spread.rs` — each side's distance from the quote centre: fee floor + what the
//!    model adds + toxicity widening, at least the minimum spread; the model's reservation
//!    offset reported as the inventory term.
//! 3. `skew.rs` — the centre: mid shifted by inventory (the model's), book imbalance, taker
//!    flow and the reference venue's lead, each capped. Positive = up.
//! 4. `levels.rs` — N levels per side within the position headroom; inventory-first
//!    (reducing side only) from the soft limit; a taker rebalance request at the hard limit.
//! 5. `tick_rules.rs` — Hyperliquid's tick, lot and minimum-value rules, post-only safety,
//!    strictly ordered levels.
//! 6. `decision.rs` — the record.
//!
//! Prices: `bid_i = mid·(1 + (s − h_bid − i·spacing)/10⁴)`, `ask_i = mid·(1 + (s + h_ask +
//! i·spacing)/10⁴)`, s the total skew and h the half spreads in bps. With the inventory
//! coefficient 1, no other skew, no toxicity and the model above the fee floor, the innermost
//! quotes are exactly the model's `mid·(1 − δb)` and `mid·(1 + δa)` before rounding.
//!
//! No allocation: fixed arrays and the caller's preallocated `TargetLadder`.

mod decision;
mod half_spread;
mod levels;
mod skew;
mod tick_rules;
mod toxicity;

#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod tests;

pub use decision::{QuoteDecision, QuoteStatus, SideDecision};
pub use half_spread::{half_spread, HalfSpread, HalfSpreadConfig, SideHalfSpread};
pub use levels::{
    build_side, headroom, inventory_mode, InventoryMode, LevelsConfig, RebalanceRequest, SideBuild, SideGeometry,
};
pub use skew::{capped_term, flow_imbalance, skew, Skew, SkewConfig};
pub use tick_rules::{is_behind, post_only_safe, price_from_usd, push_level, LevelDrop, Touch};
pub use toxicity::{toxicity, SideToxicity, ToxicityConfig};

use super::models::{ModelInputs, ModelQuote};
use super::{InventoryInputs, TargetLadder};
use crate::estimator::MarketParams;
use crate::instrument::Instrument;
use crate::types::Side;
use serde::{Deserialize, Serialize};

/// Every setting of the pipeline, one section per step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuoteConstructionConfig {
    pub half_spread: HalfSpreadConfig,
    pub skew: SkewConfig,
    pub toxicity: ToxicityConfig,
    pub levels: LevelsConfig,
}

impl QuoteConstructionConfig {
    pub fn validate(&self) -> Result<(), QuoteConstructionConfigError> {
        self.half_spread.validate()?;
        self.skew.validate()?;
        self.toxicity.validate()?;
        self.levels.validate()
    }
}

/// A setting out of its range, named by its path in the config.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("quote_construction.{field} must be {requirement}, got {value}")]
pub struct QuoteConstructionConfigError {
    pub field: &'static str,
    pub requirement: &'static str,
    pub value: f64,
}

impl QuoteConstructionConfigError {
    /// `Ok` when `ok`, else the error naming `field`.
    fn check(field: &'static str, value: f64, requirement: &'static str, ok: bool) -> Result<(), Self> {
        if ok {
            Ok(())
        } else {
            Err(Self { field, requirement, value })
        }
    }
}

/// What a model was asked and what it answered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelRun {
    /// `QuoteModel::name()`.
    pub name: &'static str,
    pub inputs: ModelInputs,
    pub quote: ModelQuote,
}

/// A usable book top and mid: positive finite mid, positive bid strictly under the ask.
fn market_is_usable(market: &MarketParams) -> bool {
    market.mid_usd.is_finite()
        && market.mid_usd > 0.0
        && market.best_bid.units() > 0
        && market.best_ask > market.best_bid
}

/// Depths may be +∞ (the model refuses the side) but not NaN or −∞; the offset is finite.
fn model_quote_is_usable(quote: &ModelQuote) -> bool {
    let depth_ok = |d: f64| !d.is_nan() && d > f64::NEG_INFINITY;
    depth_ok(quote.bid_depth_frac) && depth_ok(quote.ask_depth_frac) && quote.reservation_offset_frac.is_finite()
}

/// Writes the target ladder for `market.coin` into `out` (cleared first) and returns the
/// record of how it was built. `config` must have passed `validate()`; `edge_widen_bps`
/// (per `Side::index()`) widens sides whose context realized poor edge. No allocation.
pub fn construct(
    model: &ModelRun,
    market: &MarketParams,
    inventory: &InventoryInputs,
    instrument: &Instrument,
    config: &QuoteConstructionConfig,
    edge_widen_bps: [f64; 2],
    out: &mut TargetLadder,
) -> QuoteDecision {
    out.coin = market.coin;
    out.bids.clear();
    out.asks.clear();
    let mut decision = QuoteDecision::new(market.coin, model.name, &model.inputs, market.mid_usd);
    if !market_is_usable(market) {
        decision.status = QuoteStatus::NoMarket;
        return decision;
    }
    if !model_quote_is_usable(&model.quote) {
        decision.status = QuoteStatus::BadModelQuote;
        return decision;
    }
    let toxicities = [Side::Bid, Side::Ask].map(|side| toxicity(market, side, &config.toxicity));
    let half = half_spread(&model.quote, toxicities.map(|t| t.widen_bps), edge_widen_bps, &config.half_spread);
    let centre = skew(&model.quote, market, &config.skew);
    let mode = inventory_mode(inventory, instrument, market.mid_usd, &config.levels);
    decision.half_spread = half;
    decision.skew = centre;
    decision.inventory_first = mode.inventory_first;
    decision.rebalance = mode.rebalance;
    // Asks must also stay above our own best bid (see tick_rules.rs), so bids go first.
    let mut touch = Touch { best_bid: market.best_bid, best_ask: market.best_ask };
    for side in [Side::Bid, Side::Ask] {
        let record = decision.side_mut(side);
        record.toxicity = toxicities[side.index()];
        let half_spread_bps = half.side(side).total_bps;
        record.model_refused = !half_spread_bps.is_finite();
        record.inventory_blocked = !mode.quote_side[side.index()];
        if record.model_refused || record.toxicity.gated || record.inventory_blocked {
            continue;
        }
        let geometry = SideGeometry { mid_usd: market.mid_usd, skew_bps: centre.total_skew_bps, half_spread_bps };
        let levels = out.side_mut(side);
        let build = build_side(side, geometry, inventory, instrument, touch, &config.levels, levels);
        record.levels = build.placed;
        record.dropped_levels = build.dropped;
        record.best_px_usd = levels.first().map(|l| l.px.to_f64());
        if let (Side::Bid, Some(best)) = (side, levels.first()) {
            touch.best_bid = touch.best_bid.max(best.px);
        }
    }
    decision
}
