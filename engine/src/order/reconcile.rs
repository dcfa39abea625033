//! Reconciliation: the fewest actions that turn the live orders into the target ladder.
//!
//! A live order (new or open) is kept when the target has a level on its side at its price
//! whose size is at least the order's remaining size — a partly filled order keeps its queue
//! place rather than being replaced, and an order larger than the target (e.g. after risk
//! cut the size) is replaced so it cannot breach a limit. Every other live order is
//! cancelled, and every target level not covered by a kept order is placed.

use super::{LiveOrder, LiveOrders, OrderState};
use crate::quote::TargetLadder;
use crate::types::{CloidSequence, Side};
use crate::venue::{ActionBatch, OrderAction, OrderRequest};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileStats {
    pub kept: u32,
    pub cancelled: u32,
    pub placed: u32,
    /// Actions left for a later cycle because the batch or the order table was full.
    pub deferred: u32,
}

/// Appends to `out` the actions that move `live` toward `target`, updating `live` to match.
pub fn reconcile(
    live: &mut LiveOrders,
    target: &TargetLadder,
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
        let keep = levels.iter().enumerate().position(|(j, level)| {
            covered[order.side.index()] & (1 << j) == 0 && level.px == order.px && order.remaining <= level.qty
        });
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
        let s = reconcile(&mut live, &t1, &mut ids, &mut batch);
        assert_eq!((s.placed, count(&batch)), (3, (3, 0)));
        batch.clear();
        let s = reconcile(&mut live, &t1, &mut ids, &mut batch);
        assert_eq!((s.kept, batch.len()), (3, 0));
        let t2 = ladder(&[(99.0, 1.0), (97.0, 1.0)], &[(101.0, 1.0)]);
        let s = reconcile(&mut live, &t2, &mut ids, &mut batch);
        assert_eq!((s.kept, s.cancelled, s.placed), (2, 1, 1));
        assert_eq!(count(&batch), (1, 1));
    }

    #[test]
    fn empty_target_cancels_everything_once() {
        let mut live = LiveOrders::default();
        let mut ids = CloidSequence::new(1);
        let mut batch = ActionBatch::new();
        reconcile(&mut live, &ladder(&[(99.0, 1.0)], &[(101.0, 1.0)]), &mut ids, &mut batch);
        batch.clear();
        let empty = TargetLadder::empty(CoinId(0));
        assert_eq!(reconcile(&mut live, &empty, &mut ids, &mut batch).cancelled, 2);
        batch.clear();
        // Cancels in flight are not sent twice.
        assert_eq!(reconcile(&mut live, &empty, &mut ids, &mut batch).cancelled, 0);
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
        reconcile(&mut live, &ladder(&[(99.0, 2.0)], &[]), &mut ids, &mut batch);
        batch.clear();
        let s = reconcile(&mut live, &ladder(&[(99.0, 1.0)], &[]), &mut ids, &mut batch);
        assert_eq!((s.kept, s.cancelled, s.placed), (0, 1, 1));
    }
}
