//! Reconciliation: the fewest actions that turn the live orders into the target ladder.
//!
//! A live order (new or open) is kept when the target has a level on its side at its price
//! whose size is at least the order's remaining size — a partly filled order keeps its queue
//! place rather than being replaced, and an order larger than the target (e.g. after risk
//! cut the size) is replaced so it cannot breach a limit. Every other live order is
//! cancelled, and every target level not covered by a kept order is placed.
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

use super::{LiveOrder, LiveOrders, OrderState};
use crate::quote::{QuoteLevel, TargetLadder};
use crate::types::{CloidSequence, Side};
use crate::units::bps_to_frac;
use crate::venue::{ActionBatch, OrderAction, OrderRequest};
use serde::{Deserialize, Serialize};

/// How far a resting order may be from its target level and still be left alone.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RequoteTolerance {
    /// Price distance to the level, bps of the level's price.
    pub price_bps: f64,
    /// How much the order's remaining size may exceed the level's, as a fraction of it.
    pub size_frac: f64,
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
    pub cancelled: u32,
    pub placed: u32,
    /// Actions left for a later cycle because the batch or the order table was full.
    pub deferred: u32,
}

/// Appends to `out` the actions that move `live` toward `target`, updating `live` to match.
/// Orders within `tolerance` of a target level are left alone (see the module doc).
pub fn reconcile(
    live: &mut LiveOrders,
    target: &TargetLadder,
    tolerance: &RequoteTolerance,
    cloids: &mut CloidSequence,
    out: &mut ActionBatch,
) -> ReconcileStats {
    let mut stats = ReconcileStats::default();
    // Bit i of covered[side] marks target level i as served by a kept order.
    let mut covered = [0u32; 2];
    for i in 0..live.len() {
        let Some(order) = live.get_mut(i) else { break };
        if order.state == OrderState::PendingCancel {
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
            None => {
                if out.try_push(OrderAction::Cancel { coin: target.coin, cloid: order.cloid }).is_ok() {
                    order.state = OrderState::PendingCancel;
                    stats.cancelled += 1;
                } else {
                    stats.deferred += 1;
                }
            }
        }
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
            let request =
                OrderRequest { coin: target.coin, cloid, side, px: level.px, qty: level.qty, post_only: true };
            out.push(OrderAction::Place(request));
            live.push(LiveOrder { cloid, side, px: level.px, remaining: level.qty, state: OrderState::PendingNew });
            stats.placed += 1;
        }
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::QuoteLevel;
    use crate::types::{CoinId, Price, Qty};
    use crate::venue::VenueEvent;

    /// Today's rule: same price, size no larger than the target.
    const EXACT: RequoteTolerance = RequoteTolerance { price_bps: 0.0, size_frac: 0.0 };

    fn ladder(bids: &[(f64, f64)], asks: &[(f64, f64)]) -> TargetLadder {
        let mut l = TargetLadder::empty(CoinId(0));
        let lvl = |&(px, qty): &(f64, f64)| QuoteLevel { px: Price::from_f64(px), qty: Qty::from_f64(qty) };
        l.bids.extend(bids.iter().map(lvl));
        l.asks.extend(asks.iter().map(lvl));
        l
    }

    fn count(batch: &ActionBatch) -> (usize, usize) {
        let places = batch.iter().filter(|a| matches!(a, OrderAction::Place(_))).count();
        (places, batch.len() - places)
    }

    #[test]
    fn unchanged_target_sends_nothing_and_a_moved_level_is_replaced() {
        let mut live = LiveOrders::default();
        let mut ids = CloidSequence::new(1);
        let mut batch = ActionBatch::new();
        let t1 = ladder(&[(99.0, 1.0), (98.0, 1.0)], &[(101.0, 1.0)]);
        let s = reconcile(&mut live, &t1, &EXACT, &mut ids, &mut batch);
        assert_eq!((s.placed, count(&batch)), (3, (3, 0)));
        batch.clear();
        let s = reconcile(&mut live, &t1, &EXACT, &mut ids, &mut batch);
        assert_eq!((s.kept, batch.len()), (3, 0));
        let t2 = ladder(&[(99.0, 1.0), (97.0, 1.0)], &[(101.0, 1.0)]);
        let s = reconcile(&mut live, &t2, &EXACT, &mut ids, &mut batch);
        assert_eq!((s.kept, s.cancelled, s.placed), (2, 1, 1));
        assert_eq!(count(&batch), (1, 1));
    }

    #[test]
    fn empty_target_cancels_everything_once() {
        let mut live = LiveOrders::default();
        let mut ids = CloidSequence::new(1);
        let mut batch = ActionBatch::new();
        reconcile(&mut live, &ladder(&[(99.0, 1.0)], &[(101.0, 1.0)]), &EXACT, &mut ids, &mut batch);
        batch.clear();
        let empty = TargetLadder::empty(CoinId(0));
        assert_eq!(reconcile(&mut live, &empty, &EXACT, &mut ids, &mut batch).cancelled, 2);
        batch.clear();
        // Cancels in flight are not sent twice.
        assert_eq!(reconcile(&mut live, &empty, &EXACT, &mut ids, &mut batch).cancelled, 0);
        assert!(batch.is_empty());
        for o in live.iter().copied().collect::<Vec<_>>() {
            live.apply(&VenueEvent::Cancelled { coin: CoinId(0), cloid: o.cloid });
        }
        assert!(live.is_empty());
    }

    #[test]
    fn a_larger_live_order_than_the_target_is_replaced() {
        let mut live = LiveOrders::default();
        let mut ids = CloidSequence::new(1);
        let mut batch = ActionBatch::new();
        reconcile(&mut live, &ladder(&[(99.0, 2.0)], &[]), &EXACT, &mut ids, &mut batch);
        batch.clear();
        let s = reconcile(&mut live, &ladder(&[(99.0, 1.0)], &[]), &EXACT, &mut ids, &mut batch);
        assert_eq!((s.kept, s.cancelled, s.placed), (0, 1, 1));
    }

    /// Answers every action of `batch` as the venue would: places rest, cancels succeed.
    fn venue_acks(live: &mut LiveOrders, batch: &ActionBatch) {
        for action in batch {
            let event = match *action {
                OrderAction::Place(r) => VenueEvent::Accepted { coin: r.coin, cloid: r.cloid },
                OrderAction::Cancel { coin, cloid } => VenueEvent::Cancelled { coin, cloid },
                OrderAction::ScheduleCancel { at } => VenueEvent::ScheduleCancelAccepted { at },
                OrderAction::Modify { .. } | OrderAction::QueryStatus { .. } => unreachable!("reconcile sends neither"),
            };
            live.apply(&event);
        }
    }

    /// Actions sent over 20 cycles of a target whose bid and ask jitter by one cent (1 bp of
    /// 100) every cycle.
    fn actions_on_a_jittering_target(tolerance: &RequoteTolerance) -> (usize, ReconcileStats) {
        let mut live = LiveOrders::default();
        let mut ids = CloidSequence::new(1);
        let mut batch = ActionBatch::new();
        let (mut actions, mut total) = (0, ReconcileStats::default());
        for cycle in 0..20 {
            let jitter = if cycle % 2 == 0 { 0.0 } else { 0.01 };
            let target = ladder(&[(100.0 - jitter, 1.0)], &[(101.0 + jitter, 1.0)]);
            batch.clear();
            let s = reconcile(&mut live, &target, tolerance, &mut ids, &mut batch);
            venue_acks(&mut live, &batch);
            actions += batch.len();
            total.kept += s.kept;
            total.cancelled += s.cancelled;
            total.placed += s.placed;
        }
        (actions, total)
    }

    #[test]
    fn a_tolerance_leaves_a_jittering_target_alone() {
        // Exact: the first cycle places 2, each of the 19 others cancels 2 and places 2.
        let (actions, s) = actions_on_a_jittering_target(&EXACT);
        assert_eq!((actions, s.placed, s.cancelled, s.kept), (2 + 19 * 4, 2 + 19 * 2, 19 * 2, 0));
        // 1.5 bps covers the 1-cent (≈ 1 bp) moves: the two first orders rest throughout.
        let tolerant = RequoteTolerance { price_bps: 1.5, size_frac: 0.0 };
        let (actions, s) = actions_on_a_jittering_target(&tolerant);
        assert_eq!((actions, s.placed, s.cancelled, s.kept), (2, 2, 0, 19 * 2));
        // 0.5 bp does not: 1 cent at 100 is 1 bp > 0.5 bp.
        let tight = RequoteTolerance { price_bps: 0.5, size_frac: 0.0 };
        assert_eq!(actions_on_a_jittering_target(&tight).0, 2 + 19 * 4);
    }

    #[test]
    fn a_move_beyond_the_tolerance_or_a_size_cut_beyond_the_fraction_is_replaced() {
        let tolerance = RequoteTolerance { price_bps: 2.0, size_frac: 0.1 };
        let mut live = LiveOrders::default();
        let mut ids = CloidSequence::new(1);
        let mut batch = ActionBatch::new();
        reconcile(&mut live, &ladder(&[(100.0, 1.0)], &[]), &tolerance, &mut ids, &mut batch);
        batch.clear();
        // 2 bps of 99.99 is 0.019998: 100 is 0.01 away (kept); the order is 1/0.95 = 5 % larger
        // than the target (kept, within 10 %).
        let s = reconcile(&mut live, &ladder(&[(99.99, 0.95)], &[]), &tolerance, &mut ids, &mut batch);
        assert_eq!((s.kept, s.cancelled, s.placed), (1, 0, 0));
        // 15 % smaller target: replaced.
        let s = reconcile(&mut live, &ladder(&[(100.0, 0.85)], &[]), &tolerance, &mut ids, &mut batch);
        assert_eq!((s.kept, s.cancelled, s.placed), (0, 1, 1));
        venue_acks(&mut live, &batch);
        batch.clear();
        // 3 bps away: replaced.
        let s = reconcile(&mut live, &ladder(&[(100.03, 0.85)], &[]), &tolerance, &mut ids, &mut batch);
        assert_eq!((s.kept, s.cancelled, s.placed), (0, 1, 1));
    }

    #[test]
    fn an_order_serves_the_nearest_level_within_the_tolerance() {
        let tolerance = RequoteTolerance { price_bps: 5.0, size_frac: 0.0 };
        let mut live = LiveOrders::default();
        let mut ids = CloidSequence::new(1);
        let mut batch = ActionBatch::new();
        reconcile(&mut live, &ladder(&[(100.0, 1.0)], &[]), &tolerance, &mut ids, &mut batch);
        let first = batch[0];
        batch.clear();
        // Both new levels are within 5 bps of 100; the order keeps the nearer (99.99) and
        // only 100.03 is placed.
        let s = reconcile(&mut live, &ladder(&[(100.03, 1.0), (99.99, 1.0)], &[]), &tolerance, &mut ids, &mut batch);
        assert_eq!((s.kept, s.cancelled, s.placed), (1, 0, 1));
        match (first, batch[0]) {
            (OrderAction::Place(a), OrderAction::Place(b)) => {
                assert_eq!(a.px, Price::from_f64(100.0));
                assert_eq!(b.px, Price::from_f64(100.03));
            }
            other => panic!("{other:?}"),
        }
        // A bad tolerance is refused by name.
        let bad = RequoteTolerance { price_bps: -1.0, size_frac: 0.0 };
        assert_eq!(bad.validate(), Err(RequoteToleranceError::Price(-1.0)));
        assert!(RequoteTolerance { price_bps: 1.0, size_frac: f64::NAN }.validate().is_err());
    }
}
