//! Reconciliation: the fewest actions that turn the live orders into the target ladder —
//! keep, modify, cancel, new.
//!
//! A live order (new or open) is kept when the target has a level on its side at its price
//! whose size is at least the order's remaining size — a partly filled order keeps its queue
//! place rather than being replaced, and an order larger than the target (e.g. after risk
//! cut the size) is replaced so it cannot breach a limit. An order not kept is **modified**
//! onto a target level of its side nobody covers (one [`OrderAction::Modify`] instead of a
//! cancel and a place: on Hyperliquid one `batchModify` signature for a moved ladder instead
//! of a cancel batch and an order batch), if modifies are on ([`RequoteTolerance::use_modify`])
//! and the order is acknowledged (a modify of an order the venue has not confirmed would be
//! refused). Each uncovered level takes the nearest such order in price. Every other order is
//! cancelled, and every level still uncovered is placed. A batch is ordered cancels,
//! modifies, places.
//!
//! **Admission.** [`reconcile_with`] asks `admit` before each action it would send (OrderActor
//! asks the order lifecycles' in-flight limit); a refused action is not sent and not recorded,
//! the order stays as it was, and the level waits for a later cycle (`refused`).
//!
//! **Requote tolerance.** A target that jitters by a tick every cycle would cancel and
//! replace the order each time, losing its queue place and spending rate limit for nothing.
//! With a [`RequoteTolerance`] a live order also serves a level whose price is within
//! `price_bps` of its own (bps of the level's price) and whose size it exceeds by at most
//! `size_frac` of the level's size; among several such levels it takes the nearest in price.
//! The cost is explicit: a kept order may sit up to `price_bps` off the target (a bid up to
//! that much higher than the model asked for), and a side may rest up to `size_frac` of a
//! level more than its headroom. Keep `price_bps` well under the quoted half spread, or a
//! kept bid could meet a newly placed ask of ours. The default (0, 0) is exact: same price,
//! size ≤ target.

use super::{LiveOrder, LiveOrders, OrderState, MAX_LIVE_ORDERS_PER_COIN};
use crate::quote::MAX_LADDER_LEVELS;
use crate::quote::{QuoteLevel, TargetLadder};
use crate::types::{CloidSequence, Side};
use crate::units::bps_to_frac;
use crate::venue::{ActionBatch, OrderAction, OrderRequest};
use arrayvec::ArrayVec;
use serde::{Deserialize, Serialize};

/// How far a resting order may be from its target level and still be left alone, and how an
/// order that moved further is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RequoteTolerance {
    /// Price distance to the level, bps of the level's price.
    pub price_bps: f64,
    /// How much the order's remaining size may exceed the level's, as a fraction of it.
    pub size_frac: f64,
    /// Replace a moved order by a modify (one action) rather than a cancel and a place.
    /// Default on.
    pub use_modify: bool,
}

impl Default for RequoteTolerance {
    /// Exact (0, 0), modifies on.
    fn default() -> Self {
        Self { price_bps: 0.0, size_frac: 0.0, use_modify: true }
    }
}

/// Why a [`RequoteTolerance`] is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequoteToleranceError {
    #[error("order.requote_tolerance.price_bps must be a finite number ≥ 0, got {0}")]
    Price(f64),
    #[error("order.requote_tolerance.size_frac must be a finite number ≥ 0, got {0}")]
    Size(f64),
}

impl RequoteTolerance {
    pub fn validate(&self) -> Result<(), RequoteToleranceError> {
        if !(self.price_bps.is_finite() && self.price_bps >= 0.0) {
            return Err(RequoteToleranceError::Price(self.price_bps));
        }
        if !(self.size_frac.is_finite() && self.size_frac >= 0.0) {
            return Err(RequoteToleranceError::Size(self.size_frac));
        }
        Ok(())
    }

    /// How far `order` is from `level` in price units, if it may serve the level; `None` if
    /// it may not. Integer comparisons, so (0, 0) is exact.
    fn distance(&self, level: &QuoteLevel, order: &LiveOrder) -> Option<u64> {
        let px_slack = (level.px.units() as f64 * bps_to_frac(self.price_bps)).floor() as i64;
        let qty_slack = (level.qty.units() as f64 * self.size_frac).floor() as i64;
        let distance = level.px.units().abs_diff(order.px.units());
        let fits = distance <= px_slack.max(0) as u64
            && order.remaining.units() <= level.qty.units().saturating_add(qty_slack.max(0));
        fits.then_some(distance)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileStats {
    pub kept: u32,
    /// Orders replaced by a modify (each one action).
    pub modified: u32,
    pub cancelled: u32,
    pub placed: u32,
    /// Actions left for a later cycle because the batch or the order table was full.
    pub deferred: u32,
    /// Actions `admit` refused (not sent; the order stays, the level waits).
    pub refused: u32,
}

/// Appends to `out` the actions that move `live` toward `target`, updating `live` to match.
/// Orders within `tolerance` of a target level are left alone (see the module doc). Every
/// action is admitted.
pub fn reconcile(
    live: &mut LiveOrders,
    target: &TargetLadder,
    tolerance: &RequoteTolerance,
    cloids: &mut CloidSequence,
    out: &mut ActionBatch,
) -> ReconcileStats {
    reconcile_with(live, target, tolerance, cloids, out, |_, _| true)
}

/// [`reconcile`], sending only the actions `admit` accepts; `admit` is asked last, when the
/// action will be sent if it says yes, with the target level a place or modify serves (its
/// prediction goes with the new order).
pub fn reconcile_with(
    live: &mut LiveOrders,
    target: &TargetLadder,
    tolerance: &RequoteTolerance,
    cloids: &mut CloidSequence,
    out: &mut ActionBatch,
    mut admit: impl FnMut(&OrderAction, Option<&QuoteLevel>) -> bool,
) -> ReconcileStats {
    let mut stats = ReconcileStats::default();
    let coin = target.coin;
    // Bit j of covered[side] marks target level j as served (kept order, modify, refused).
    let mut covered = [0u32; 2];
    // Orders serving no level: modified onto one, or cancelled.
    let mut unkept: ArrayVec<usize, MAX_LIVE_ORDERS_PER_COIN> = ArrayVec::new();
    for i in 0..live.len() {
        let Some(order) = live.get_mut(i) else { break };
        if !order.state.is_serving() {
            continue;
        }
        let levels = target.side(order.side);
        // The nearest uncovered level this order may serve (the first among equals).
        let keep = levels
            .iter()
            .enumerate()
            .filter(|(j, _)| covered[order.side.index()] & (1 << j) == 0)
            .filter_map(|(j, level)| tolerance.distance(level, order).map(|d| (d, j)))
            .min()
            .map(|(_, j)| j);
        match keep {
            Some(j) => {
                covered[order.side.index()] |= 1 << j;
                stats.kept += 1;
            }
            None => unkept.push(i),
        }
    }
    // Each uncovered level takes the nearest acknowledged unkept order of its side.
    let mut pairs: ArrayVec<(usize, Side, usize), { 2 * MAX_LADDER_LEVELS }> = ArrayVec::new();
    if tolerance.use_modify {
        for side in [Side::Bid, Side::Ask] {
            for (j, level) in target.side(side).iter().enumerate() {
                if covered[side.index()] & (1 << j) != 0 {
                    continue;
                }
                let nearest = unkept
                    .iter()
                    .enumerate()
                    .filter_map(|(k, &i)| live.iter().nth(i).map(|o| (k, o)))
                    .filter(|(_, o)| o.side == side && o.state == OrderState::Open)
                    .min_by_key(|(_, o)| o.px.units().abs_diff(level.px.units()))
                    .map(|(k, _)| k);
                if let Some(k) = nearest {
                    pairs.push((unkept.swap_remove(k), side, j));
                }
            }
        }
    }
    for &i in &unkept {
        let Some(order) = live.get_mut(i) else { continue };
        cancel(order, coin, out, &mut admit, &mut stats);
    }
    for &(i, side, j) in &pairs {
        let level = target.side(side)[j];
        if out.is_full() || live.is_full() {
            // No room for the replacement: cancel now, place the level later.
            if let Some(order) = live.get_mut(i) {
                cancel(order, coin, out, &mut admit, &mut stats);
            }
            continue;
        }
        covered[side.index()] |= 1 << j;
        let Some(old) = live.get_mut(i) else { continue };
        let new =
            OrderRequest { coin, cloid: cloids.next_cloid(), side, px: level.px, qty: level.qty, post_only: true };
        let action = OrderAction::Modify { coin, cloid: old.cloid, new };
        if !admit(&action, Some(&level)) {
            stats.refused += 1;
            continue;
        }
        old.state = OrderState::PendingReplace(new.cloid);
        out.push(action);
        live.push(LiveOrder {
            cloid: new.cloid,
            side,
            px: level.px,
            remaining: level.qty,
            state: OrderState::PendingNew,
        });
        stats.modified += 1;
    }
    for side in [Side::Bid, Side::Ask] {
        for (j, level) in target.side(side).iter().enumerate() {
            if covered[side.index()] & (1 << j) != 0 {
                continue;
            }
            if out.is_full() || live.is_full() {
                stats.deferred += 1;
                continue;
            }
            let cloid = cloids.next_cloid();
            let request = OrderRequest { coin, cloid, side, px: level.px, qty: level.qty, post_only: true };
            let action = OrderAction::Place(request);
            if !admit(&action, Some(level)) {
                stats.refused += 1;
                continue;
            }
            out.push(action);
            live.push(LiveOrder { cloid, side, px: level.px, remaining: level.qty, state: OrderState::PendingNew });
            stats.placed += 1;
        }
    }
    stats
}

fn cancel(
    order: &mut LiveOrder,
    coin: crate::types::CoinId,
    out: &mut ActionBatch,
    admit: &mut impl FnMut(&OrderAction, Option<&QuoteLevel>) -> bool,
    stats: &mut ReconcileStats,
) {
    if out.is_full() {
        stats.deferred += 1;
        return;
    }
    let action = OrderAction::Cancel { coin, cloid: order.cloid };
    if !admit(&action, None) {
        stats.refused += 1;
        return;
    }
    out.push(action);
    order.state = OrderState::PendingCancel;
    stats.cancelled += 1;
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;
