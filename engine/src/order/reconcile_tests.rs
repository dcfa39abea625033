//! Tests of reconciliation: keep / modify / cancel / new, the requote tolerance, admission,
//! and a property test of the live orders against random venue answer orders.

use super::*;
use crate::quote::QuoteLevel;
use crate::types::{Cloid, UnixNanos};
use crate::types::{CoinId, Price, Qty};
use crate::venue::{FillReport, Liquidity, RejectReason, VenueEvent};
use proptest::prelude::*;

/// Same price, size no larger than the target; moved orders cancelled and placed anew.
const EXACT: RequoteTolerance = RequoteTolerance { price_bps: 0.0, size_frac: 0.0, use_modify: false };
/// Exact, moved orders modified.
const MODIFY: RequoteTolerance = RequoteTolerance { use_modify: true, ..EXACT };

fn ladder(bids: &[(f64, f64)], asks: &[(f64, f64)]) -> TargetLadder {
    let mut l = TargetLadder::empty(CoinId(0));
    let lvl = |&(px, qty): &(f64, f64)| QuoteLevel::new(Price::from_f64(px), Qty::from_f64(qty));
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
            OrderAction::Modify { coin, cloid, new } => {
                live.apply(&VenueEvent::Cancelled { coin, cloid });
                VenueEvent::Accepted { coin, cloid: new.cloid }
            }
            OrderAction::QueryStatus { .. } => unreachable!("reconcile sends no query"),
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
    let tolerant = RequoteTolerance { price_bps: 1.5, size_frac: 0.0, ..EXACT };
    let (actions, s) = actions_on_a_jittering_target(&tolerant);
    assert_eq!((actions, s.placed, s.cancelled, s.kept), (2, 2, 0, 19 * 2));
    // 0.5 bp does not: 1 cent at 100 is 1 bp > 0.5 bp.
    let tight = RequoteTolerance { price_bps: 0.5, size_frac: 0.0, ..EXACT };
    assert_eq!(actions_on_a_jittering_target(&tight).0, 2 + 19 * 4);
}

#[test]
fn a_move_beyond_the_tolerance_or_a_size_cut_beyond_the_fraction_is_replaced() {
    let tolerance = RequoteTolerance { price_bps: 2.0, size_frac: 0.1, ..EXACT };
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
    let tolerance = RequoteTolerance { price_bps: 5.0, size_frac: 0.0, ..EXACT };
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
    let bad = RequoteTolerance { price_bps: -1.0, size_frac: 0.0, ..EXACT };
    assert_eq!(bad.validate(), Err(RequoteToleranceError::Price(-1.0)));
    assert!(RequoteTolerance { price_bps: 1.0, size_frac: f64::NAN, ..EXACT }.validate().is_err());
}

fn lots(n: f64) -> Qty {
    Qty::from_f64(n)
}

/// Places `target`, answers every place with a resting ack.
fn resting(target: &TargetLadder, tolerance: &RequoteTolerance) -> (LiveOrders, CloidSequence) {
    let mut live = LiveOrders::default();
    let mut ids = CloidSequence::new(1);
    let mut batch = ActionBatch::new();
    reconcile(&mut live, target, tolerance, &mut ids, &mut batch);
    venue_acks(&mut live, &batch);
    (live, ids)
}

fn modifies(batch: &ActionBatch) -> Vec<(Cloid, OrderRequest)> {
    batch
        .iter()
        .filter_map(|a| match *a {
            OrderAction::Modify { cloid, new, .. } => Some((cloid, new)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_moved_level_is_one_modify_and_the_batch_is_cancels_modifies_places() {
    let (mut live, mut ids) = resting(&ladder(&[(99.0, 1.0), (98.0, 1.0)], &[(101.0, 1.0)]), &MODIFY);
    let old_98 = live.iter().find(|o| o.px == Price::from_f64(98.0)).unwrap().cloid;
    let mut batch = ActionBatch::new();
    let s = reconcile(&mut live, &ladder(&[(99.0, 1.0), (97.0, 1.0)], &[(101.0, 1.0)]), &MODIFY, &mut ids, &mut batch);
    assert_eq!((s.kept, s.modified, s.cancelled, s.placed), (2, 1, 0, 0));
    assert_eq!(batch.len(), 1);
    let [(old, new)] = modifies(&batch)[..] else { panic!("{batch:?}") };
    assert_eq!((old, new.px, new.qty, new.side), (old_98, Price::from_f64(97.0), lots(1.0), Side::Bid));
    assert_eq!(live.get(old_98).unwrap().state, OrderState::PendingReplace(new.cloid));
    assert_eq!(live.get(new.cloid).unwrap().state, OrderState::PendingNew);
    assert_eq!(live.serving(), 3, "the replacement serves the level, the old order no more");

    // Three bids become one moved bid and a moved ask: one modify per side, two cancels.
    venue_acks(&mut live, &batch);
    batch.clear();
    let s = reconcile(&mut live, &ladder(&[(96.0, 1.0)], &[(102.0, 1.0)]), &MODIFY, &mut ids, &mut batch);
    assert_eq!((s.kept, s.modified, s.cancelled, s.placed), (0, 2, 1, 0));
    assert!(matches!(batch[0], OrderAction::Cancel { .. }), "cancels first: {batch:?}");
    // The bid level took the nearest bid (97), the 99 one was cancelled.
    let pairs = modifies(&batch);
    let bid = pairs.iter().find(|(_, n)| n.side == Side::Bid).unwrap();
    assert_eq!(live.get(bid.0).map(|o| o.px), Some(Price::from_f64(97.0)));
    // One level becomes three: a modify and two places.
    venue_acks(&mut live, &batch);
    batch.clear();
    let s = reconcile(&mut live, &ladder(&[(95.0, 1.0), (94.0, 1.0), (93.0, 1.0)], &[]), &MODIFY, &mut ids, &mut batch);
    assert_eq!((s.kept, s.modified, s.cancelled, s.placed), (0, 1, 1, 2));
    assert!(matches!(batch[2], OrderAction::Place(_)) && matches!(batch[3], OrderAction::Place(_)));
}

#[test]
fn an_unacknowledged_order_is_cancelled_and_placed_not_modified() {
    let mut live = LiveOrders::default();
    let mut ids = CloidSequence::new(1);
    let mut batch = ActionBatch::new();
    reconcile(&mut live, &ladder(&[(99.0, 1.0)], &[]), &MODIFY, &mut ids, &mut batch);
    batch.clear();
    let s = reconcile(&mut live, &ladder(&[(98.0, 1.0)], &[]), &MODIFY, &mut ids, &mut batch);
    assert_eq!((s.modified, s.cancelled, s.placed), (0, 1, 1));
    // Modifies off: an acknowledged order is cancelled and placed too.
    let (mut live, mut ids) = resting(&ladder(&[(99.0, 1.0)], &[]), &EXACT);
    batch.clear();
    let s = reconcile(&mut live, &ladder(&[(98.0, 1.0)], &[]), &EXACT, &mut ids, &mut batch);
    assert_eq!((s.modified, s.cancelled, s.placed), (0, 1, 1));
    assert!(RequoteTolerance::default().use_modify, "modifies are on by default");
}

#[test]
fn a_refused_action_is_neither_sent_nor_recorded() {
    let (mut live, mut ids) = resting(&ladder(&[(99.0, 1.0), (98.0, 1.0)], &[]), &MODIFY);
    let before: Vec<LiveOrder> = live.iter().copied().collect();
    let mut batch = ActionBatch::new();
    let target = ladder(&[(97.0, 1.0)], &[(101.0, 1.0)]);
    let s = reconcile_with(&mut live, &target, &MODIFY, &mut ids, &mut batch, |a, _| {
        matches!(a, OrderAction::Cancel { .. })
    });
    // The 99 bid is cancelled (admitted); its modify onto 97 and the ask's place are refused.
    assert_eq!((s.modified, s.cancelled, s.placed, s.refused), (0, 1, 0, 2));
    assert_eq!(batch.len(), 1);
    assert_eq!(live.len(), before.len(), "nothing new recorded");
    assert_eq!(live.iter().filter(|o| o.state == OrderState::Open).count(), 1, "the refused modify's order rests on");
}

#[test]
fn a_jittering_target_costs_one_modify_per_side_per_cycle() {
    let (actions, s) = actions_on_a_jittering_target(&MODIFY);
    assert_eq!((actions, s.placed), (2 + 19 * 2, 2));
}

/// Live orders after a modify of 99 → 98 and `events` (built from old and new cloids).
fn after_modify(events: impl Fn(Cloid, Cloid) -> Vec<VenueEvent>) -> (LiveOrders, Cloid, Cloid) {
    let (mut live, mut ids) = resting(&ladder(&[(99.0, 2.0)], &[]), &MODIFY);
    let mut batch = ActionBatch::new();
    reconcile(&mut live, &ladder(&[(98.0, 2.0)], &[]), &MODIFY, &mut ids, &mut batch);
    let [(old, new)] = modifies(&batch)[..] else { panic!("{batch:?}") };
    for e in events(old, new.cloid) {
        live.apply(&e);
    }
    (live, old, new.cloid)
}

#[test]
fn a_modify_answered_in_every_order_leaves_one_order_for_the_level() {
    let c = CoinId(0);
    let cancelled = |x| VenueEvent::Cancelled { coin: c, cloid: x };
    let accepted = |x| VenueEvent::Accepted { coin: c, cloid: x };
    let gone = |x| VenueEvent::CancelRejected { coin: c, cloid: x };
    let rejected = |x, reason| VenueEvent::Rejected { coin: c, cloid: x, reason };
    let full_fill = |x| {
        VenueEvent::Fill(FillReport {
            coin: c,
            cloid: x,
            side: Side::Bid,
            px: Price::from_f64(99.0),
            qty: lots(2.0),
            remaining: Qty::ZERO,
            fee_usd: 0.0,
            liquidity: Liquidity::Maker,
            exchange_time: UnixNanos(0),
            tid: 1,
        })
    };
    let open = |live: &LiveOrders, x| live.get(x).map(|o| o.state) == Some(OrderState::Open);
    // Accepted: either order of the two answers.
    for (live, old, new) in
        [after_modify(|o, n| vec![cancelled(o), accepted(n)]), after_modify(|o, n| vec![accepted(n), cancelled(o)])]
    {
        assert!(live.get(old).is_none() && open(&live, new) && live.len() == 1);
    }
    // The old order was gone (filled first): nothing is left, whatever the order.
    for (live, _, _) in [
        after_modify(|o, n| vec![full_fill(o), gone(o), rejected(n, RejectReason::OrderGone)]),
        after_modify(|o, n| vec![rejected(n, RejectReason::OrderGone), gone(o), full_fill(o)]),
        after_modify(|o, n| vec![gone(o), full_fill(o), rejected(n, RejectReason::OrderGone)]),
    ] {
        assert!(live.is_empty(), "{:?}", live.iter().collect::<Vec<_>>());
    }
    // Refused as a whole: the old order rests on, serving again.
    let (live, old, new) = after_modify(|_, n| vec![rejected(n, RejectReason::RateLimited)]);
    assert!(open(&live, old) && live.get(new).is_none() && live.serving() == 1);
    // Cancel done, place refused (post-only would match), in either order: nothing rests.
    for (live, _, _) in [
        after_modify(|o, n| vec![cancelled(o), rejected(n, RejectReason::PostOnlyWouldMatch)]),
        after_modify(|o, n| vec![rejected(n, RejectReason::PostOnlyWouldMatch), cancelled(o)]),
    ] {
        assert!(live.is_empty());
    }
    // A partial fill of the old order racing the modify: the new order still takes over.
    let partial = |x| match full_fill(x) {
        VenueEvent::Fill(mut f) => {
            f.qty = lots(0.5);
            f.remaining = lots(1.5);
            VenueEvent::Fill(f)
        }
        _ => unreachable!(),
    };
    let (live, old, new) = after_modify(|o, n| vec![partial(o), accepted(n), cancelled(o)]);
    assert!(live.get(old).is_none() && open(&live, new) && live.get(new).unwrap().remaining == lots(2.0));
}

/// One step of a random session.
#[derive(Debug, Clone)]
enum Step {
    /// Reconcile toward a ladder of (tick offset, lots) levels per side.
    Reconcile(Vec<(u8, u8)>, Vec<(u8, u8)>),
    /// The venue processes its next action; the bits pick its fate (see `Venue::process`).
    Process(u8),
    /// The venue fills a resting order (index), fully or in part.
    Fill(usize, bool),
    /// One undelivered event (index) reaches the engine; `true`: delivered twice.
    Deliver(usize, bool),
}

fn step() -> impl Strategy<Value = Step> {
    let side = prop::collection::vec((0u8..5, 1u8..4), 0..4);
    prop_oneof![
        2 => (side.clone(), side).prop_map(|(b, a)| Step::Reconcile(b, a)),
        3 => any::<u8>().prop_map(Step::Process),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(i, full)| Step::Fill(i, full)),
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, d)| Step::Deliver(i, d % 8 == 0)),
    ]
}

/// A venue model: processes actions in the order sent (as Hyperliquid does), its answers
/// reach the engine in any order.
#[derive(Default)]
struct Venue {
    resting: Vec<(Cloid, Qty)>,
    /// (action id, action) not processed yet.
    unprocessed: std::collections::VecDeque<(usize, OrderAction)>,
    /// (action id, or `None` for a fill, event) not delivered yet.
    undelivered: Vec<(Option<usize>, VenueEvent)>,
    next_id: usize,
    next_tid: u64,
}

impl Venue {
    fn send(&mut self, batch: &ActionBatch) {
        for a in batch {
            self.unprocessed.push_back((self.next_id, *a));
            self.next_id += 1;
        }
    }

    fn emit(&mut self, id: Option<usize>, event: VenueEvent) {
        self.undelivered.push((id, event));
    }

    fn rest_or_reject(&mut self, id: usize, req: &OrderRequest, reject: bool) {
        if reject {
            let e = VenueEvent::Rejected { coin: req.coin, cloid: req.cloid, reason: RejectReason::PostOnlyWouldMatch };
            self.emit(Some(id), e);
        } else {
            self.resting.push((req.cloid, req.qty));
            self.emit(Some(id), VenueEvent::Accepted { coin: req.coin, cloid: req.cloid });
        }
    }

    /// Bit 0: the place (or a modify's place half) is refused; bit 1: a modify is refused
    /// as a whole (rate limit).
    fn process(&mut self, bits: u8) {
        let Some((id, action)) = self.unprocessed.pop_front() else { return };
        let coin = CoinId(0);
        match action {
            OrderAction::Place(req) => self.rest_or_reject(id, &req, bits & 1 != 0),
            OrderAction::Cancel { cloid, .. } => match self.resting.iter().position(|(c, _)| *c == cloid) {
                Some(i) => {
                    self.resting.remove(i);
                    self.emit(Some(id), VenueEvent::Cancelled { coin, cloid });
                }
                None => self.emit(Some(id), VenueEvent::CancelRejected { coin, cloid }),
            },
            OrderAction::Modify { cloid, new, .. } => match self.resting.iter().position(|(c, _)| *c == cloid) {
                _ if bits & 2 != 0 => {
                    let e = VenueEvent::Rejected { coin, cloid: new.cloid, reason: RejectReason::RateLimited };
                    self.emit(Some(id), e);
                }
                Some(i) => {
                    self.resting.remove(i);
                    self.emit(Some(id), VenueEvent::Cancelled { coin, cloid });
                    self.rest_or_reject(id, &new, bits & 1 != 0);
                }
                None => {
                    self.emit(Some(id), VenueEvent::CancelRejected { coin, cloid });
                    let e = VenueEvent::Rejected { coin, cloid: new.cloid, reason: RejectReason::OrderGone };
                    self.emit(Some(id), e);
                }
            },
            OrderAction::ScheduleCancel { .. } | OrderAction::QueryStatus { .. } => {}
        }
    }

    fn fill(&mut self, index: usize, full: bool) {
        if self.resting.is_empty() {
            return;
        }
        let i = index % self.resting.len();
        let (cloid, left) = self.resting[i];
        let qty = if full || left <= lots(0.5) { left } else { lots(0.5) };
        let remaining = left - qty;
        if remaining.is_zero() {
            self.resting.remove(i);
        } else {
            self.resting[i].1 = remaining;
        }
        self.next_tid += 1;
        let report = FillReport {
            coin: CoinId(0),
            cloid,
            side: Side::Bid,
            px: Price::from_f64(100.0),
            qty,
            remaining,
            fee_usd: 0.0,
            liquidity: Liquidity::Maker,
            exchange_time: UnixNanos(0),
            tid: self.next_tid,
        };
        self.emit(None, VenueEvent::Fill(report));
    }

    /// Actions not yet fully answered: unprocessed, or with an event not delivered.
    fn in_flight(&self) -> usize {
        let mut ids: Vec<usize> = self.unprocessed.iter().map(|(id, _)| *id).collect();
        ids.extend(self.undelivered.iter().filter_map(|(id, _)| *id));
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }

    /// Whether something on its way (an action not processed, an event not delivered)
    /// names `cloid`.
    fn pending_about(&self, cloid: Cloid) -> bool {
        let action_names = |a: &OrderAction| match *a {
            OrderAction::Place(r) => r.cloid == cloid,
            OrderAction::Cancel { cloid: c, .. } => c == cloid,
            OrderAction::Modify { cloid: c, new, .. } => c == cloid || new.cloid == cloid,
            _ => false,
        };
        let event_names = |e: &VenueEvent| match *e {
            VenueEvent::Fill(f) => f.cloid == cloid,
            VenueEvent::Accepted { cloid: c, .. }
            | VenueEvent::Rejected { cloid: c, .. }
            | VenueEvent::Cancelled { cloid: c, .. }
            | VenueEvent::CancelRejected { cloid: c, .. } => c == cloid,
            _ => false,
        };
        self.unprocessed.iter().any(|(_, a)| action_names(a)) || self.undelivered.iter().any(|(_, e)| event_names(e))
    }
}

fn target_of(bids: &[(u8, u8)], asks: &[(u8, u8)]) -> TargetLadder {
    let bids: Vec<(f64, f64)> = bids.iter().map(|&(t, q)| (99.0 - f64::from(t), f64::from(q))).collect();
    let asks: Vec<(f64, f64)> = asks.iter().map(|&(t, q)| (101.0 + f64::from(t), f64::from(q))).collect();
    ladder(&bids, &asks)
}

/// Delivers one event, counting an old order a refused modify puts back (it really rests).
fn deliver(live: &mut LiveOrders, event: &VenueEvent, reinstated: &mut usize) {
    if let VenueEvent::Rejected { cloid, reason, .. } = *event {
        let waiting = live.iter().any(|o| o.state == OrderState::PendingReplace(cloid));
        *reinstated += usize::from(waiting && reason != RejectReason::OrderGone);
    }
    live.apply(event);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Random ladders, the venue's answers in random orders with duplicates, fills racing
    /// modifies and cancels: live orders never exceed the target plus what is in flight,
    /// every live order rests at the venue or has something on its way, and once everything
    /// is answered the live orders are exactly the venue's resting orders, all Open.
    #[test]
    fn live_orders_follow_the_venue_whatever_the_answer_order(
        steps in prop::collection::vec(step(), 1..80),
        use_modify in any::<bool>(),
        finale in prop::collection::vec(any::<usize>(), 64),
    ) {
        let tolerance = RequoteTolerance { use_modify, ..EXACT };
        let mut live = LiveOrders::default();
        let mut ids = CloidSequence::new(1);
        let mut venue = Venue::default();
        let mut target = TargetLadder::empty(CoinId(0));
        let mut reinstated = 0;
        for step in steps {
            match step {
                Step::Reconcile(b, a) => {
                    target = target_of(&b, &a);
                    let mut batch = ActionBatch::new();
                    let s = reconcile(&mut live, &target, &tolerance, &mut ids, &mut batch);
                    prop_assert_eq!(s.refused, 0);
                    // A level waits only when there is no room: reconciles with nothing
                    // answered in between fill the order table with pending orders.
                    prop_assert!(s.deferred == 0 || live.is_full() || batch.is_full(), "{:?}", s);
                    prop_assert!(live.serving() <= target.bids.len() + target.asks.len());
                    venue.send(&batch);
                    reinstated = 0;
                }
                Step::Process(bits) => venue.process(bits),
                Step::Fill(i, full) => venue.fill(i, full),
                Step::Deliver(i, twice) => {
                    if venue.undelivered.is_empty() {
                        continue;
                    }
                    let (_, event) = venue.undelivered.remove(i % venue.undelivered.len());
                    deliver(&mut live, &event, &mut reinstated);
                    if twice {
                        deliver(&mut live, &event, &mut reinstated);
                    }
                }
            }
            let levels = target.bids.len() + target.asks.len();
            prop_assert!(
                live.len() <= levels + venue.in_flight() + reinstated,
                "{} live > {} levels + {} in flight + {}", live.len(), levels, venue.in_flight(), reinstated
            );
            for o in live.iter() {
                let rests = venue.resting.iter().any(|(c, _)| *c == o.cloid);
                prop_assert!(rests || venue.pending_about(o.cloid), "{:?} neither rests nor is on its way", o);
            }
        }
        // Everything is processed, then delivered in a random order.
        while !venue.unprocessed.is_empty() {
            venue.process(0);
        }
        let mut k = 0;
        while !venue.undelivered.is_empty() {
            let i = finale[k % finale.len()] % venue.undelivered.len();
            k += 1;
            let (_, event) = venue.undelivered.remove(i);
            deliver(&mut live, &event, &mut reinstated);
        }
        let mut ours: Vec<(Cloid, Qty, OrderState)> = live.iter().map(|o| (o.cloid, o.remaining, o.state)).collect();
        let mut theirs: Vec<(Cloid, Qty, OrderState)> =
            venue.resting.iter().map(|&(c, q)| (c, q, OrderState::Open)).collect();
        ours.sort_by_key(|o| o.0);
        theirs.sort_by_key(|o| o.0);
        prop_assert_eq!(ours, theirs);
    }
}
