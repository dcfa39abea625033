//! The static-spread baseline with inventory skew: the comparison every model must beat.
//!
//! Level `i` (0-based) of each side sits `half_spread_bps + i·level_spacing_bps` from a
//! reservation price that leans against inventory linearly:
//! `r = mid · (1 − skew_bps · q/q_max / 10⁴)`. This is the shape of Avellaneda–Stoikov's
//! `r = s − q·γ·σ²·(T − t)` with the coefficient fixed instead of derived, which is what makes
//! it a baseline. Each level goes through the construction pipeline's tick rules
//! (`construct/tick_rules.rs`): prices round passively to the tick grid and never cross the
//! touch (post-only safety); sizes round down to lots, and a level under the minimum order
//! value or colliding with a better level after rounding is left out.

use super::construct::{push_level, Touch};
use super::{TargetLadder, MAX_LADDER_LEVELS};
use crate::estimator::MarketParams;
use crate::instrument::Instrument;
use crate::types::{Qty, Side};
use crate::units::bps_to_frac;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticSpreadConfig {
    /// Distance of the innermost level from the reservation price.
    pub half_spread_bps: f64,
    /// Extra distance of each further level.
    pub level_spacing_bps: f64,
    pub levels_per_side: usize,
    /// Shift of the reservation price when the position is at its maximum.
    pub inventory_skew_bps_at_max_position: f64,
}

/// Why a static-spread configuration is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StaticSpreadConfigError {
    #[error("quote.half_spread_bps must be a positive number, got {0}")]
    HalfSpread(f64),
    #[error("quote.level_spacing_bps must be ≥ 0, got {0}")]
    Spacing(f64),
    #[error("quote.levels_per_side must be 1..={MAX_LADDER_LEVELS}, got {0}")]
    Levels(usize),
    #[error("quote.inventory_skew_bps_at_max_position must be ≥ 0, got {0}")]
    Skew(f64),
}

impl StaticSpreadConfig {
    pub fn validate(&self) -> Result<(), StaticSpreadConfigError> {
        if !(self.half_spread_bps > 0.0 && self.half_spread_bps.is_finite()) {
            return Err(StaticSpreadConfigError::HalfSpread(self.half_spread_bps));
        }
        if !(self.level_spacing_bps >= 0.0 && self.level_spacing_bps.is_finite()) {
            return Err(StaticSpreadConfigError::Spacing(self.level_spacing_bps));
        }
        if !(1..=MAX_LADDER_LEVELS).contains(&self.levels_per_side) {
            return Err(StaticSpreadConfigError::Levels(self.levels_per_side));
        }
        if !(self.inventory_skew_bps_at_max_position >= 0.0 && self.inventory_skew_bps_at_max_position.is_finite()) {
            return Err(StaticSpreadConfigError::Skew(self.inventory_skew_bps_at_max_position));
        }
        Ok(())
    }
}

/// Per-coin inputs besides the market: what we hold and how much we quote.
#[derive(Debug, Clone, Copy)]
pub struct InventoryInputs {
    pub position: Qty,
    pub order_size: Qty,
    pub max_position: Qty,
}

#[derive(Debug, Clone)]
pub struct StaticSpreadQuoter {
    config: StaticSpreadConfig,
}

impl StaticSpreadQuoter {
    pub fn new(config: StaticSpreadConfig) -> Result<Self, StaticSpreadConfigError> {
        config.validate()?;
        Ok(Self { config })
    }

    /// Reservation price: the mid shifted against inventory, in USD.
    pub fn reservation_usd(&self, mid_usd: f64, inv: &InventoryInputs) -> f64 {
        let q_frac = if inv.max_position.is_zero() {
            0.0
        } else {
            (inv.position.to_f64() / inv.max_position.to_f64()).clamp(-1.0, 1.0)
        };
        mid_usd * (1.0 - bps_to_frac(self.config.inventory_skew_bps_at_max_position) * q_frac)
    }

    /// Writes the target ladder for one coin into `out` (cleared first).
    pub fn ladder(
        &self,
        instrument: &Instrument,
        market: &MarketParams,
        inv: &InventoryInputs,
        out: &mut TargetLadder,
    ) {
        out.coin = market.coin;
        out.bids.clear();
        out.asks.clear();
        let qty = instrument.round_qty_down(inv.order_size);
        if qty.is_zero() {
            return;
        }
        let reservation = self.reservation_usd(market.mid_usd, inv);
        let touch = Touch { best_bid: market.best_bid, best_ask: market.best_ask };
        for side in [Side::Bid, Side::Ask] {
            let levels = out.side_mut(side);
            for i in 0..self.config.levels_per_side {
                let distance_bps = self.config.half_spread_bps + i as f64 * self.config.level_spacing_bps;
                let raw = reservation * (1.0 - side.sign() as f64 * bps_to_frac(distance_bps));
                // A level the tick rules leave out is skipped; the next may still fit.
                let _ = push_level(instrument, touch, side, raw, qty, levels);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::QuoteLevel;
    use crate::types::{CoinId, Price};

    fn btc() -> Instrument {
        Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 }
    }

    fn market(bid: f64, ask: f64) -> MarketParams {
        let mid = (bid + ask) / 2.0;
        MarketParams::cold(CoinId(0), Price::from_f64(bid), Price::from_f64(ask), mid, mid)
    }

    fn config() -> StaticSpreadConfig {
        StaticSpreadConfig {
            half_spread_bps: 2.0,
            level_spacing_bps: 1.0,
            levels_per_side: 3,
            inventory_skew_bps_at_max_position: 4.0,
        }
    }

    fn inv(position: f64) -> InventoryInputs {
        InventoryInputs {
            position: Qty::from_f64(position),
            order_size: Qty::from_f64(0.001),
            max_position: Qty::from_f64(0.01),
        }
    }

    #[test]
    fn flat_inventory_quotes_symmetric_levels_on_the_tick_grid() {
        let q = StaticSpreadQuoter::new(config()).unwrap();
        let mut out = TargetLadder::empty(CoinId(0));
        q.ladder(&btc(), &market(99_999.0, 100_001.0), &inv(0.0), &mut out);
        let px = |l: &QuoteLevel| l.px.to_f64();
        assert_eq!(out.bids.iter().map(px).collect::<Vec<_>>(), vec![99_980.0, 99_970.0, 99_960.0]);
        assert_eq!(out.asks.iter().map(px).collect::<Vec<_>>(), vec![100_020.0, 100_030.0, 100_040.0]);
        assert!(out.bids.iter().all(|l| l.qty == Qty::from_f64(0.001)));
    }

    #[test]
    fn long_inventory_shifts_quotes_down() {
        let q = StaticSpreadQuoter::new(config()).unwrap();
        let (mut flat, mut long) = (TargetLadder::empty(CoinId(0)), TargetLadder::empty(CoinId(0)));
        // A wide book, so the post-only clamp at the touch does not interfere.
        q.ladder(&btc(), &market(99_900.0, 100_100.0), &inv(0.0), &mut flat);
        q.ladder(&btc(), &market(99_900.0, 100_100.0), &inv(0.01), &mut long);
        // At max position the reservation price is 4 bps (= $40) lower.
        assert_eq!(long.bids[0].px.to_f64(), flat.bids[0].px.to_f64() - 40.0);
        assert_eq!(long.asks[0].px.to_f64(), flat.asks[0].px.to_f64() - 40.0);
    }

    #[test]
    fn never_crosses_the_touch_and_drops_collapsed_levels() {
        let mut cfg = config();
        cfg.half_spread_bps = 0.01;
        cfg.level_spacing_bps = 0.0;
        let q = StaticSpreadQuoter::new(cfg).unwrap();
        let mut out = TargetLadder::empty(CoinId(0));
        q.ladder(&btc(), &market(100_000.0, 100_001.0), &inv(0.0), &mut out);
        assert_eq!(out.bids.len(), 1, "levels rounding to one price collapse to one");
        assert_eq!(out.bids[0].px.to_f64(), 100_000.0);
        assert_eq!(out.asks[0].px.to_f64(), 100_001.0);
    }

    #[test]
    fn below_min_notional_quotes_nothing_and_bad_config_is_refused() {
        let q = StaticSpreadQuoter::new(config()).unwrap();
        let mut out = TargetLadder::empty(CoinId(0));
        let tiny = InventoryInputs { order_size: Qty::from_f64(0.00005), ..inv(0.0) };
        q.ladder(&btc(), &market(99_999.0, 100_001.0), &tiny, &mut out);
        assert_eq!(out.level_count(), 0);
        let bad = StaticSpreadConfig { levels_per_side: 0, ..config() };
        assert_eq!(StaticSpreadQuoter::new(bad).unwrap_err(), StaticSpreadConfigError::Levels(0));
    }
}
