//! `QuoteDecision`: one record of why the ladder is what it is — the model's inputs, each
//! term of the half spread, each skew, each side's toxicity, the inventory mode and what was
//! finally quoted. Copy and heap-free, so building it costs the hot path nothing; `Serialize`,
//! so the actor logs it as one structured record (off the hot path, barter-rs style).

use super::half_spread::HalfSpread;
use super::levels::RebalanceRequest;
use super::skew::Skew;
use super::toxicity::SideToxicity;
use crate::quote::models::ModelInputs;
use crate::types::{CoinId, Side};
use serde::Serialize;

/// Whether the pipeline produced quotes, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    /// The ladder was built (it may still be empty on a side: see the side records).
    #[default]
    Quoted,
    /// The market gives no usable centre: mid not a positive finite number, or the book top
    /// empty, crossed or locked.
    NoMarket,
    /// The model's quote is unusable: a NaN or −∞ depth, or a non-finite reservation offset.
    BadModelQuote,
}

/// What happened on one side.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct SideDecision {
    pub toxicity: SideToxicity,
    /// The model refused the side (infinite depth).
    pub model_refused: bool,
    /// Left out by the inventory-first rule.
    pub inventory_blocked: bool,
    /// Best price quoted, USD (`None`: the side is empty).
    pub best_px_usd: Option<f64>,
    pub levels: u8,
    /// Levels computed but left out by the tick rules (collapsed, under the minimum value).
    pub dropped_levels: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuoteDecision {
    pub coin: CoinId,
    pub status: QuoteStatus,
    /// The model's name (`glft`, …).
    pub model: &'static str,
    /// The model's inputs, in its units (`ModelInputs`).
    pub gamma_per_frac_lot: f64,
    pub kappa_per_frac: f64,
    pub sigma_frac_per_sqrt_s: f64,
    pub a_per_s: f64,
    pub inventory_lots: f64,
    pub mid_usd: f64,
    pub half_spread: HalfSpread,
    pub skew: Skew,
    pub bid: SideDecision,
    pub ask: SideDecision,
    /// |position| reached the soft limit: only the reducing side is quoted.
    pub inventory_first: bool,
    /// An IOC the order layer should send (hard limit reached, rebalancing enabled).
    pub rebalance: Option<RebalanceRequest>,
}

impl QuoteDecision {
    /// A decision that has quoted nothing yet, for `model`'s run with these inputs.
    pub fn new(coin: CoinId, model: &'static str, inputs: &ModelInputs, mid_usd: f64) -> Self {
        QuoteDecision {
            coin,
            status: QuoteStatus::Quoted,
            model,
            gamma_per_frac_lot: inputs.gamma_per_frac_lot,
            kappa_per_frac: inputs.kappa_per_frac,
            sigma_frac_per_sqrt_s: inputs.sigma_frac_per_sqrt_s,
            a_per_s: inputs.a_per_s,
            inventory_lots: inputs.inventory_lots,
            mid_usd,
            half_spread: HalfSpread::default(),
            skew: Skew::default(),
            bid: SideDecision::default(),
            ask: SideDecision::default(),
            inventory_first: false,
            rebalance: None,
        }
    }

    pub fn side(&self, side: Side) -> &SideDecision {
        match side {
            Side::Bid => &self.bid,
            Side::Ask => &self.ask,
        }
    }

    pub fn side_mut(&mut self, side: Side) -> &mut SideDecision {
        match side {
            Side::Bid => &mut self.bid,
            Side::Ask => &mut self.ask,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::construct::half_spread::SideHalfSpread;
    use crate::types::Qty;

    #[test]
    fn serializes_to_one_flat_enough_json_record() {
        let side_half = SideHalfSpread {
            model_bps: 3.0,
            vol_bps: 1.5,
            toxicity_bps: 0.0,
            edge_widen_bps: 0.0,
            min_spread_bump_bps: 0.0,
            total_bps: 3.0,
        };
        let d = QuoteDecision {
            coin: CoinId(2),
            status: QuoteStatus::Quoted,
            model: "glft",
            gamma_per_frac_lot: 0.5,
            kappa_per_frac: 2000.0,
            sigma_frac_per_sqrt_s: 2e-4,
            a_per_s: 1.0,
            inventory_lots: 0.0,
            mid_usd: 100.0,
            half_spread: HalfSpread { base_bps: 1.5, inventory_bps: 0.0, bid: side_half, ask: side_half },
            skew: Skew::default(),
            bid: SideDecision { best_px_usd: Some(99.97), levels: 1, ..SideDecision::default() },
            ask: SideDecision { model_refused: true, ..SideDecision::default() },
            inventory_first: false,
            rebalance: Some(RebalanceRequest { side: Side::Ask, qty: Qty::from_f64(0.5) }),
        };
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(json["model"], "glft");
        assert_eq!(json["status"], "quoted");
        assert_eq!(json["half_spread"]["bid"]["total_bps"], 3.0);
        assert_eq!(json["skew"]["inventory_skew_bps"], 0.0);
        assert_eq!(json["bid"]["best_px_usd"], 99.97);
        assert_eq!(json["ask"]["best_px_usd"], serde_json::Value::Null);
        assert_eq!(json["ask"]["model_refused"], true);
        assert_eq!(json["rebalance"]["side"], "Ask");
        assert_eq!(json["bid"]["toxicity"]["gated"], false);
    }
}
