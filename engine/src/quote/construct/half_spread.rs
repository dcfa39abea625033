//! The half spread of each side — its distance from the quote centre — decomposed into the
//! terms that made it, all in bps of the mid.
//!
//! `total = base + vol + toxicity (+ min-spread bump)`, per side:
//!
//! - **base** = maker fee + minimum edge: the fee floor. A fill at the centre ± base earns at
//!   least the edge after paying the fee (a negative fee is a rebate and lowers the floor;
//!   the config keeps the floor ≥ 0 so a bid never sits above the centre).
//! - **vol** = `max(h_model − base, 0)`: what the model asks for beyond the floor, with
//!   `h_model` the model's own half spread around its own centre — `h_bid = δb + o`,
//!   `h_ask = δa − o` (δ the model's depths from the mid, o its reservation offset, so the
//!   model's bid is at `mid·(1 + o − h_bid)`). For GLFT both equal `c1 + σ·c2/2`
//!   (Guéant 2017 §4; MODELS.md "GLFT"): the fill-intensity term c1 ≈ 1/κ plus the σ-driven
//!   risk term, i.e. everything the market's σ, κ and A put into the width. `base + vol =
//!   max(h_model, base)`: the model's width, never under the fee floor.
//! - **toxicity** = the per-side widening of `toxicity.rs`.
//! - **min-spread bump**: when `total_bid + total_ask < min_spread_bps`, both sides grow by
//!   half the shortfall, so the quoted spread is at least the configured minimum.
//!
//! A side the model refuses (depth +∞) has an infinite half spread and is not quoted.
//!
//! **The inventory term** is the model's reservation offset `o` (bps, negative when long).
//! It is reported here because it is the inventory's share of each side's distance from the
//! *mid* (`δb = h_bid − o`, `δa = h_ask + o`), but it does not widen the half spread: it
//! enters the quotes once, as the inventory skew of the centre (`skew.rs`).

use super::QuoteConstructionConfigError as ConfigError;
use crate::quote::models::ModelQuote;
use crate::sim::fees::HL_BASE_MAKER_FEE_BPS;
use crate::types::Side;
use crate::units::frac_to_bps;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HalfSpreadConfig {
    /// Our maker fee, bps of notional; negative for a rebate.
    pub maker_fee_bps: f64,
    /// Edge each fill must earn beyond the maker fee, bps.
    pub min_edge_bps: f64,
    /// Least total quoted spread (bid half + ask half), bps of the mid.
    pub min_spread_bps: f64,
}

impl Default for HalfSpreadConfig {
    fn default() -> Self {
        Self {
            // Hyperliquid's base-tier perp maker fee (sim/fees.rs); set the account's real
            // tier (info `userFees`) in production.
            maker_fee_bps: HL_BASE_MAKER_FEE_BPS,
            // No edge beyond the fee by default: the models' own width (1/κ) already prices
            // the adverse selection the edge would stand for.
            min_edge_bps: 0.0,
            // One bp in total: a few ticks on the majors (BTC's $1 tick at ~$100k is 0.1 bp,
            // ETH's $0.1 at ~$3k 0.3 bp). It only binds when a rebate brings the floor near 0.
            min_spread_bps: 1.0,
        }
    }
}

impl HalfSpreadConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        ConfigError::check("half_spread.maker_fee_bps", self.maker_fee_bps, "finite", self.maker_fee_bps.is_finite())?;
        ConfigError::check(
            "half_spread.min_edge_bps",
            self.min_edge_bps,
            "finite and ≥ −maker_fee_bps (a fee floor ≥ 0)",
            self.min_edge_bps.is_finite() && self.maker_fee_bps + self.min_edge_bps >= 0.0,
        )?;
        ConfigError::check(
            "half_spread.min_spread_bps",
            self.min_spread_bps,
            "a positive finite number",
            self.min_spread_bps.is_finite() && self.min_spread_bps > 0.0,
        )
    }
}

/// One side's half spread and its terms, bps of the mid.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct SideHalfSpread {
    /// The model's own half spread around its centre (+∞: the model refuses the side).
    pub model_bps: f64,
    /// What the model adds above the base: `max(model − base, 0)`.
    pub vol_bps: f64,
    pub toxicity_bps: f64,
    /// Added because the side's context bucket realized poor edge (`[calibration.widen]`).
    pub edge_widen_bps: f64,
    /// Added so the total spread reaches `min_spread_bps`.
    pub min_spread_bump_bps: f64,
    /// Distance of the innermost quote from the quote centre.
    pub total_bps: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct HalfSpread {
    /// Maker fee + minimum edge.
    pub base_bps: f64,
    /// The model's reservation offset (negative when long): reported, applied as skew.
    pub inventory_bps: f64,
    pub bid: SideHalfSpread,
    pub ask: SideHalfSpread,
}

impl HalfSpread {
    pub fn side(&self, side: Side) -> &SideHalfSpread {
        match side {
            Side::Bid => &self.bid,
            Side::Ask => &self.ask,
        }
    }
}

/// The half spreads of both sides for `model`, with `toxicity_widen_bps` and
/// `edge_widen_bps` indexed by `Side::index()`. The model quote must be checked first (depths not NaN or −∞, a finite
/// reservation offset); a depth of +∞ gives an infinite half spread on that side.
pub fn half_spread(
    model: &ModelQuote,
    toxicity_widen_bps: [f64; 2],
    edge_widen_bps: [f64; 2],
    config: &HalfSpreadConfig,
) -> HalfSpread {
    let base_bps = config.maker_fee_bps + config.min_edge_bps;
    let offset_bps = frac_to_bps(model.reservation_offset_frac);
    let side = |s: Side, model_bps: f64| {
        let vol_bps = (model_bps - base_bps).max(0.0);
        let (toxicity_bps, edge_widen_bps) = (toxicity_widen_bps[s.index()], edge_widen_bps[s.index()]);
        SideHalfSpread {
            model_bps,
            vol_bps,
            toxicity_bps,
            edge_widen_bps,
            min_spread_bump_bps: 0.0,
            total_bps: base_bps + vol_bps + toxicity_bps + edge_widen_bps,
        }
    };
    let mut bid = side(Side::Bid, frac_to_bps(model.bid_depth_frac) + offset_bps);
    let mut ask = side(Side::Ask, frac_to_bps(model.ask_depth_frac) - offset_bps);
    let total_bps = bid.total_bps + ask.total_bps;
    if total_bps < config.min_spread_bps {
        let bump_bps = (config.min_spread_bps - total_bps) / 2.0;
        for s in [&mut bid, &mut ask] {
            s.min_spread_bump_bps = bump_bps;
            s.total_bps += bump_bps;
        }
    }
    HalfSpread { base_bps, inventory_bps: offset_bps, bid, ask }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(maker_fee_bps: f64, min_edge_bps: f64) -> HalfSpreadConfig {
        HalfSpreadConfig { maker_fee_bps, min_edge_bps, min_spread_bps: 1.0 }
    }

    fn model(bid_bps: f64, ask_bps: f64, offset_bps: f64) -> ModelQuote {
        ModelQuote {
            bid_depth_frac: bid_bps * 1e-4,
            ask_depth_frac: ask_bps * 1e-4,
            spread_term_frac: 0.0,
            reservation_offset_frac: offset_bps * 1e-4,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn decomposes_a_long_model_quote_into_base_vol_toxicity_and_edge_widening() {
        // Long: the model's bid is 4 bps from the mid, its ask 2 bps, its centre 1 bp below
        // the mid. Around that centre both halves are 3 bps (4 − 1, 2 + 1). The bid's bucket
        // realized poor edge: +0.5 bp.
        let h = half_spread(&model(4.0, 2.0, -1.0), [0.0, 2.0], [0.5, 0.0], &config(1.5, 0.5));
        assert!(close(h.base_bps, 2.0));
        assert!(close(h.inventory_bps, -1.0));
        assert!(close(h.bid.model_bps, 3.0) && close(h.ask.model_bps, 3.0));
        // vol = 3 − 2 = 1 on both sides; the ask adds 2 bps of toxicity.
        assert!(close(h.bid.vol_bps, 1.0) && close(h.ask.vol_bps, 1.0));
        assert!(close(h.bid.total_bps, 3.5), "{}", h.bid.total_bps);
        assert!(close(h.ask.total_bps, 5.0), "{}", h.ask.total_bps);
        assert_eq!((h.bid.edge_widen_bps, h.ask.edge_widen_bps), (0.5, 0.0));
        assert_eq!(h.bid.min_spread_bump_bps, 0.0);
    }

    #[test]
    fn a_model_tighter_than_the_fee_floor_is_floored() {
        // Model half 1 bp, floor 1.5 + 0.5 = 2 bps: vol 0, total = the floor.
        let h = half_spread(&model(1.0, 1.0, 0.0), [0.0, 0.0], [0.0, 0.0], &config(1.5, 0.5));
        assert_eq!(h.bid.vol_bps, 0.0);
        assert!(close(h.bid.total_bps, 2.0) && close(h.ask.total_bps, 2.0));
    }

    #[test]
    fn a_rebate_lowers_the_floor_and_the_minimum_spread_takes_over() {
        // Rebate 0.2 bp, edge 0.2 bp: floor 0. Model half 0.1 bp per side: total 0.2 bp,
        // under the 1 bp minimum, so each side grows by (1 − 0.2)/2 = 0.4 bp to 0.5 bp.
        let h = half_spread(&model(0.1, 0.1, 0.0), [0.0, 0.0], [0.0, 0.0], &config(-0.2, 0.2));
        assert!(close(h.base_bps, 0.0));
        assert!(close(h.bid.vol_bps, 0.1));
        assert!(close(h.bid.min_spread_bump_bps, 0.4));
        assert!(close(h.bid.total_bps, 0.5) && close(h.ask.total_bps, 0.5));
    }

    #[test]
    fn a_refused_side_is_infinitely_wide_and_leaves_the_other_alone() {
        let mut m = model(3.0, 0.0, 0.0);
        m.ask_depth_frac = f64::INFINITY;
        let h = half_spread(&m, [0.0, 0.0], [0.0, 0.0], &config(1.5, 0.0));
        assert_eq!(h.ask.total_bps, f64::INFINITY);
        assert!(close(h.bid.total_bps, 3.0));
        assert_eq!(h.bid.min_spread_bump_bps, 0.0);
    }

    #[test]
    fn config_errors_name_the_field() {
        assert!(HalfSpreadConfig::default().validate().is_ok());
        let e = config(-0.5, 0.2).validate().unwrap_err();
        assert_eq!(e.field, "half_spread.min_edge_bps");
        let e = HalfSpreadConfig { min_spread_bps: 0.0, ..HalfSpreadConfig::default() }.validate().unwrap_err();
        assert_eq!(e.field, "half_spread.min_spread_bps");
        let e = config(f64::NAN, 0.0).validate().unwrap_err();
        assert_eq!(e.field, "half_spread.maker_fee_bps");
    }
}
