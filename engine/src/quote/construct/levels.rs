//! The levels of each side: how many, how far apart, how large, and which sides the position
//! lets us quote.
//!
//! - **Prices**: level `i` (0-based) of a side sits `h + i·level_spacing_bps` from the quote
//!   centre, h the side's half spread: `px = mid·(1 + (s − sign·(h + i·spacing))/10⁴)`, s the
//!   centre skew (bps), sign +1 for bids and −1 for asks. Each level then passes
//!   `tick_rules::push_level`.
//! - **Sizes and headroom**: each level is `order_size`, and a side's total resting size never
//!   exceeds its headroom — what can fill before the position passes `max_position`: bids
//!   `max(max_position − position, 0)`, asks `max(max_position + position, 0)` (a short of
//!   −max has no ask headroom). The last level that fits is cut to the remaining headroom
//!   (whole lots); a remainder too small for a lot or the minimum order value ends the side.
//! - **Inventory first**: once `|position| ≥ soft_limit_frac·max_position`, only the side that
//!   reduces the position is quoted (asks when long, bids when short).
//! - **Taker rebalance**: once `|position| ≥ hard_limit_frac·max_position` and
//!   `rebalance_enabled` (off by default), the decision carries a request for an IOC on the
//!   reducing side, sized to bring the position back to the soft limit (rounded down to lots,
//!   left out if under the minimum order value at the mid). The order layer sends it.

use super::tick_rules::{push_level, LevelDrop, Touch};
use super::QuoteConstructionConfigError as ConfigError;
use crate::instrument::Instrument;
use crate::quote::{InventoryInputs, QuoteLevel, MAX_LADDER_LEVELS};
use crate::types::{Qty, Side};
use crate::units::bps_to_frac;
use arrayvec::ArrayVec;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LevelsConfig {
    pub levels_per_side: usize,
    /// Extra distance of each further level from the centre, bps.
    pub level_spacing_bps: f64,
    /// |position| / max_position from which only the reducing side is quoted.
    pub soft_limit_frac: f64,
    /// |position| / max_position from which a taker rebalance is requested.
    pub hard_limit_frac: f64,
    pub rebalance_enabled: bool,
}

impl Default for LevelsConfig {
    fn default() -> Self {
        Self {
            // One level: the models price the innermost quote; deeper levels are a choice.
            levels_per_side: 1,
            // One bp apart: several BTC ticks, so levels do not collapse after rounding.
            level_spacing_bps: 1.0,
            // Keep the last fifth of the limit for reducing: at 80 % of max stop adding.
            soft_limit_frac: 0.8,
            // At the limit itself.
            hard_limit_frac: 1.0,
            // Crossing the spread costs the taker fee: opt in.
            rebalance_enabled: false,
        }
    }
}

impl LevelsConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        ConfigError::check(
            "levels.levels_per_side",
            self.levels_per_side as f64,
            "1..=MAX_LADDER_LEVELS (8)",
            (1..=MAX_LADDER_LEVELS).contains(&self.levels_per_side),
        )?;
        let spacing = self.level_spacing_bps;
        ConfigError::check(
            "levels.level_spacing_bps",
            spacing,
            "a finite number ≥ 0",
            spacing.is_finite() && spacing >= 0.0,
        )?;
        let soft = self.soft_limit_frac;
        ConfigError::check("levels.soft_limit_frac", soft, "in (0, 1]", soft > 0.0 && soft <= 1.0)?;
        let hard = self.hard_limit_frac;
        ConfigError::check(
            "levels.hard_limit_frac",
            hard,
            "finite and ≥ soft_limit_frac",
            hard.is_finite() && hard >= soft,
        )
    }
}

/// An IOC the order layer should send to bring the position back inside the soft limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RebalanceRequest {
    pub side: Side,
    pub qty: Qty,
}

/// Which sides the position lets us quote, and whether it asks for a taker rebalance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InventoryMode {
    /// Indexed by `Side::index()`.
    pub quote_side: [bool; 2],
    pub inventory_first: bool,
    pub rebalance: Option<RebalanceRequest>,
}

/// Size that may rest on `side` before a full fill takes the position past `max_position`.
pub fn headroom(side: Side, inventory: &InventoryInputs) -> Qty {
    let (max, position) = (inventory.max_position.units(), inventory.position.units());
    let room = match side {
        Side::Bid => max.saturating_sub(position),
        Side::Ask => max.saturating_add(position),
    };
    Qty(room.max(0))
}

/// Whether `|position| ≥ frac·max_position` (multiplied, not divided, so 0.008 of 0.01 is
/// exactly 80 %); false when nothing may be held.
fn at_least(inventory: &InventoryInputs, frac: f64) -> bool {
    let max_units = inventory.max_position.units() as f64;
    max_units > 0.0 && inventory.position.units().unsigned_abs() as f64 >= frac * max_units
}

/// Which sides the position lets us quote, and the taker rebalance it asks for (module doc).
pub fn inventory_mode(
    inventory: &InventoryInputs,
    instrument: &Instrument,
    mid_usd: f64,
    config: &LevelsConfig,
) -> InventoryMode {
    let position = inventory.position;
    // The side that reduces the position: sell when long, buy when short.
    let reducing = if position.units() > 0 {
        Some(Side::Ask)
    } else if position.units() < 0 {
        Some(Side::Bid)
    } else {
        None
    };
    let inventory_first = reducing.is_some() && at_least(inventory, config.soft_limit_frac);
    let quote_side = match reducing {
        Some(side) if inventory_first => [side == Side::Bid, side == Side::Ask],
        _ => [true, true],
    };
    let rebalance = match reducing {
        Some(side) if config.rebalance_enabled && at_least(inventory, config.hard_limit_frac) => {
            let soft_limit = inventory.max_position.to_f64() * config.soft_limit_frac;
            let excess = Qty::from_f64(position.to_f64().abs() - soft_limit);
            let qty = instrument.round_qty_down(excess);
            let worth = qty.to_f64() * mid_usd;
            (instrument.is_valid_qty(qty) && worth >= instrument.min_notional_usd)
                .then_some(RebalanceRequest { side, qty })
        }
        _ => None,
    };
    InventoryMode { quote_side, inventory_first, rebalance }
}

/// What building a side did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SideBuild {
    pub placed: u8,
    pub dropped: u8,
}

/// The centre and width one side is built from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SideGeometry {
    pub mid_usd: f64,
    /// Centre skew, bps of the mid (positive up).
    pub skew_bps: f64,
    /// Distance of the innermost level from the centre, bps of the mid.
    pub half_spread_bps: f64,
}

/// Appends up to `levels_per_side` levels of `side` to `levels` (cleared by the caller).
pub fn build_side(
    side: Side,
    geometry: SideGeometry,
    inventory: &InventoryInputs,
    instrument: &Instrument,
    touch: Touch,
    config: &LevelsConfig,
    levels: &mut ArrayVec<QuoteLevel, MAX_LADDER_LEVELS>,
) -> SideBuild {
    let mut build = SideBuild::default();
    let mut room = headroom(side, inventory);
    let sign = side.sign() as f64;
    for i in 0..config.levels_per_side.min(MAX_LADDER_LEVELS) {
        let qty = inventory.order_size.min(room);
        if instrument.round_qty_down(qty).is_zero() {
            break;
        }
        let distance_bps = geometry.half_spread_bps + i as f64 * config.level_spacing_bps;
        let raw_px_usd = geometry.mid_usd * (1.0 + bps_to_frac(geometry.skew_bps) - sign * bps_to_frac(distance_bps));
        match push_level(instrument, touch, side, raw_px_usd, qty, levels) {
            Ok(level) => {
                room -= level.qty;
                build.placed += 1;
            }
            // The headroom's remainder is worth too little: the side ends here.
            Err(LevelDrop::BelowMinNotional) if qty < inventory.order_size => {
                build.dropped += 1;
                break;
            }
            Err(_) => build.dropped += 1,
        }
    }
    build
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Price;

    fn btc() -> Instrument {
        Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 }
    }

    fn inv(position: f64, order_size: f64) -> InventoryInputs {
        InventoryInputs {
            position: Qty::from_f64(position),
            order_size: Qty::from_f64(order_size),
            max_position: Qty::from_f64(0.01),
        }
    }

    fn touch() -> Touch {
        Touch { best_bid: Price::from_f64(99_999.0), best_ask: Price::from_f64(100_001.0) }
    }

    fn config(levels: usize) -> LevelsConfig {
        LevelsConfig { levels_per_side: levels, rebalance_enabled: true, ..LevelsConfig::default() }
    }

    fn geometry(half_spread_bps: f64, skew_bps: f64) -> SideGeometry {
        SideGeometry { mid_usd: 100_000.0, skew_bps, half_spread_bps }
    }

    fn sizes(levels: &[QuoteLevel]) -> Vec<f64> {
        levels.iter().map(|l| l.qty.to_f64()).collect()
    }

    fn prices(levels: &[QuoteLevel]) -> Vec<f64> {
        levels.iter().map(|l| l.px.to_f64()).collect()
    }

    #[test]
    fn headroom_caps_each_sides_total_size() {
        // Long 0.004 of max 0.01: bids may add 0.006, asks may sell 0.014.
        let i = inv(0.004, 0.004);
        assert_eq!(headroom(Side::Bid, &i), Qty::from_f64(0.006));
        assert_eq!(headroom(Side::Ask, &i), Qty::from_f64(0.014));
        assert_eq!(headroom(Side::Bid, &inv(0.012, 0.004)), Qty::ZERO);
        let mut bids = ArrayVec::new();
        let b = build_side(Side::Bid, geometry(2.0, 0.0), &i, &btc(), touch(), &config(3), &mut bids);
        // 0.004 + 0.002 (cut to the headroom left), then nothing left.
        assert_eq!(sizes(&bids), vec![0.004, 0.002]);
        assert_eq!(b, SideBuild { placed: 2, dropped: 0 });
        // 2, 3 bps under 100000: 99980, 99970.
        assert_eq!(prices(&bids), vec![99_980.0, 99_970.0]);
        let mut asks = ArrayVec::new();
        build_side(Side::Ask, geometry(2.0, 0.0), &i, &btc(), touch(), &config(3), &mut asks);
        assert_eq!(sizes(&asks), vec![0.004, 0.004, 0.004]);
        assert_eq!(prices(&asks), vec![100_020.0, 100_030.0, 100_040.0]);
        // Long 0.00995: 0.00005 of bid headroom is $5 at 99980, under $10: the side is empty
        // and stops at the first such level.
        let mut bids = ArrayVec::new();
        let b = build_side(Side::Bid, geometry(2.0, 0.0), &inv(0.00995, 0.004), &btc(), touch(), &config(3), &mut bids);
        assert_eq!((bids.len(), b), (0, SideBuild { placed: 0, dropped: 1 }));
    }

    #[test]
    fn skew_moves_both_sides_with_the_centre() {
        // Centre 1.5 bps up (100015): bid 2 bps under it, ask 2 bps over it.
        let i = inv(0.0, 0.001);
        let (mut bids, mut asks) = (ArrayVec::new(), ArrayVec::new());
        build_side(Side::Bid, geometry(2.0, 1.5), &i, &btc(), touch(), &config(1), &mut bids);
        build_side(Side::Ask, geometry(2.0, 1.5), &i, &btc(), touch(), &config(1), &mut asks);
        // 100000·(1 + 0.00015 − 0.0002) = 99995; 100000·(1 + 0.00035) = 100035.
        assert_eq!((prices(&bids), prices(&asks)), (vec![99_995.0], vec![100_035.0]));
    }

    #[test]
    fn levels_collapsing_onto_one_tick_are_dropped() {
        // Level 0 at 1.95 bps: raw 99980.5, rounded down to 99980. Spacing 0.001 bp = $0.01 at
        // 100k: levels 1 and 2 (raw 99980.49, 99980.48) land on the same $1 tick and are dropped.
        let i = inv(0.0, 0.001);
        let mut bids = ArrayVec::new();
        let cfg = LevelsConfig { level_spacing_bps: 0.001, ..config(3) };
        let b = build_side(Side::Bid, geometry(1.95, 0.0), &i, &btc(), touch(), &cfg, &mut bids);
        assert_eq!(b, SideBuild { placed: 1, dropped: 2 });
        assert_eq!(prices(&bids), vec![99_980.0]);
        // At 0.1 bp = $1 spacing they are distinct: 99980, 99979, 99978.
        let cfg = LevelsConfig { level_spacing_bps: 0.1, ..config(3) };
        bids.clear();
        build_side(Side::Bid, geometry(1.95, 0.0), &i, &btc(), touch(), &cfg, &mut bids);
        assert_eq!(prices(&bids), vec![99_980.0, 99_979.0, 99_978.0]);
    }

    #[test]
    fn inventory_first_quotes_only_the_reducing_side() {
        let m = inventory_mode(&inv(0.007, 0.001), &btc(), 100_000.0, &config(1));
        assert_eq!((m.quote_side, m.inventory_first, m.rebalance), ([true, true], false, None));
        // 0.008 of 0.01 is the 80 % soft limit: asks only.
        let m = inventory_mode(&inv(0.008, 0.001), &btc(), 100_000.0, &config(1));
        assert_eq!((m.quote_side, m.inventory_first, m.rebalance), ([false, true], true, None));
        let m = inventory_mode(&inv(-0.009, 0.001), &btc(), 100_000.0, &config(1));
        assert_eq!(m.quote_side, [true, false]);
        // Flat with no position allowed: nothing to reduce, both sides (headroom is zero anyway).
        let none = InventoryInputs { max_position: Qty::ZERO, ..inv(0.0, 0.001) };
        assert!(!inventory_mode(&none, &btc(), 100_000.0, &config(1)).inventory_first);
    }

    #[test]
    fn at_the_hard_limit_a_rebalance_back_to_the_soft_limit_is_requested_when_enabled() {
        // Long 0.012 ≥ 1.0 · 0.01: sell 0.012 − 0.008 = 0.004.
        let m = inventory_mode(&inv(0.012, 0.001), &btc(), 100_000.0, &config(1));
        assert_eq!(m.rebalance, Some(RebalanceRequest { side: Side::Ask, qty: Qty::from_f64(0.004) }));
        let m = inventory_mode(&inv(-0.0100001, 0.001), &btc(), 100_000.0, &config(1));
        assert_eq!(m.rebalance, Some(RebalanceRequest { side: Side::Bid, qty: Qty::from_f64(0.002) }));
        // Off by default.
        let off = LevelsConfig { levels_per_side: 1, ..LevelsConfig::default() };
        assert_eq!(inventory_mode(&inv(0.012, 0.001), &btc(), 100_000.0, &off).rebalance, None);
        // Worth under $10 at the mid: left out (0.004 BTC at $1000 is $4).
        assert_eq!(inventory_mode(&inv(0.012, 0.001), &btc(), 1_000.0, &config(1)).rebalance, None);
    }

    #[test]
    fn config_errors_name_the_field() {
        assert!(LevelsConfig::default().validate().is_ok());
        let e = LevelsConfig { levels_per_side: 9, ..LevelsConfig::default() }.validate().unwrap_err();
        assert_eq!(e.field, "levels.levels_per_side");
        let e = LevelsConfig { hard_limit_frac: 0.5, ..LevelsConfig::default() }.validate().unwrap_err();
        assert_eq!(e.field, "levels.hard_limit_frac");
        let e = LevelsConfig { soft_limit_frac: 0.0, ..LevelsConfig::default() }.validate().unwrap_err();
        assert_eq!(e.field, "levels.soft_limit_frac");
    }
}
