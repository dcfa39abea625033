//! Tests of the order lifecycle: each transition, the races Hyperliquid can deliver,
//! timeouts, the in-flight limit, and a property test over random arrival orders.

use super::*;
use crate::order::responses::ItemOutcome;
use crate::types::Side;
use crate::venue::{FillReport, Liquidity};
use proptest::prelude::*;

const COIN: CoinId = CoinId(0);
const ID: Cloid = Cloid(0x1e60610f0b3d420597c88c1fed2ad5ee);

fn t(ms: u64) -> Nanos {
    Nanos::from_millis(ms)
}

fn lots(n: i64) -> Qty {
    Qty(n * 100_000_000)
}

fn request(cloid: Cloid, qty_lots: i64) -> OrderRequest {
    OrderRequest {
        coin: COIN,
        cloid,
        side: Side::Bid,
        px: Price::from_f64(100.0),
        qty: lots(qty_lots),
        post_only: true,
    }
}

fn config() -> LifecycleConfig {
    LifecycleConfig { max_in_flight_per_coin: 4, ack_timeout: t(1_000), finished_linger: t(10_000) }
}

fn placed(qty_lots: i64) -> CoinLifecycles {
    let mut book = CoinLifecycles::new(COIN, config());
    book.place(t(0), &request(ID, qty_lots)).unwrap();
    book
}

fn fill(tid: u64, qty_lots: i64) -> OrderEvent {
    OrderEvent::Fill { tid, qty: lots(qty_lots) }
}

fn state(book: &CoinLifecycles) -> LifecycleState {
    book.state(ID).unwrap()
}

#[test]
fn ack_partial_fill_cancel() {
    let mut book = placed(3);
    assert_eq!(state(&book), LifecycleState::PendingNew);
    assert_eq!(book.apply(t(1), ID, OrderEvent::Placed { oid: Some(9) }), EventOutcome::Applied);
    assert_eq!(state(&book), LifecycleState::Open);
    assert_eq!(book.get(ID).unwrap().oid, Some(9));
    assert_eq!(book.apply(t(2), ID, fill(1, 1)), EventOutcome::Applied);
    assert_eq!(state(&book), LifecycleState::PartiallyFilled);
    book.cancel(t(3), ID).unwrap();
    assert_eq!(state(&book), LifecycleState::PendingCancel);
    assert_eq!(book.apply_answer(t(4), ID, ActionKind::Cancel, ItemOutcome::Success), EventOutcome::Applied);
    assert_eq!(state(&book), LifecycleState::Cancelled);
    assert_eq!(book.get(ID).unwrap().filled(), lots(1));
    assert_eq!(book.in_flight(), 0);
}

#[test]
fn fill_before_resting_ack_then_late_ack() {
    let mut book = placed(2);
    assert_eq!(book.apply(t(1), ID, fill(1, 2)), EventOutcome::Applied);
    assert_eq!(state(&book), LifecycleState::Filled);
    assert_eq!(book.in_flight(), 0, "a fill proves the place arrived");
    assert_eq!(book.apply(t(2), ID, OrderEvent::Placed { oid: Some(5) }), EventOutcome::Late);
    assert_eq!(state(&book), LifecycleState::Filled);
    assert_eq!(book.apply(t(3), ID, OrderEvent::Placed { oid: Some(5) }), EventOutcome::Duplicate);
}

#[test]
fn cancel_answers_after_a_full_fill_are_late() {
    let mut book = placed(2);
    book.apply(t(1), ID, OrderEvent::Placed { oid: None });
    book.cancel(t(2), ID).unwrap();
    book.apply(t(3), ID, fill(1, 2));
    assert_eq!(state(&book), LifecycleState::Filled);
    let gone = OrderEvent::CancelRejected(RejectReason::OrderGone);
    assert_eq!(book.apply(t(4), ID, gone), EventOutcome::Late);
    assert_eq!(book.apply(t(5), ID, OrderEvent::Cancelled), EventOutcome::Late);
    assert_eq!(state(&book), LifecycleState::Filled);
    assert_eq!(book.in_flight(), 0);
}

#[test]
fn cancel_rejected_as_gone_ends_the_order_and_late_fill_upgrades_it() {
    let mut book = placed(2);
    book.apply(t(1), ID, OrderEvent::Placed { oid: None });
    book.cancel(t(2), ID).unwrap();
    book.apply(t(3), ID, OrderEvent::CancelRejected(RejectReason::OrderGone));
    assert_eq!(state(&book), LifecycleState::Cancelled);
    assert_eq!(book.apply(t(4), ID, fill(7, 1)), EventOutcome::Late);
    assert_eq!(state(&book), LifecycleState::Cancelled);
    assert_eq!(book.apply(t(5), ID, fill(8, 1)), EventOutcome::Applied);
    assert_eq!(state(&book), LifecycleState::Filled);
}

#[test]
fn cancel_refused_for_rate_limit_leaves_the_order_live() {
    let mut book = placed(2);
    book.apply(t(1), ID, OrderEvent::Placed { oid: None });
    book.cancel(t(2), ID).unwrap();
    book.apply_answer(t(3), ID, ActionKind::Cancel, ItemOutcome::Rejected(RejectReason::RateLimited));
    assert_eq!(state(&book), LifecycleState::Open);
    assert!(book.cancel(t(4), ID).is_ok(), "the engine may cancel again");
}

#[test]
fn cancel_that_overtook_its_place_keeps_the_order_pending() {
    let mut book = placed(2);
    book.cancel(t(1), ID).unwrap();
    book.apply(t(2), ID, OrderEvent::CancelRejected(RejectReason::OrderGone));
    assert_eq!(state(&book), LifecycleState::PendingNew);
    book.apply(t(3), ID, OrderEvent::Placed { oid: None });
    assert_eq!(state(&book), LifecycleState::Open);
}

#[test]
fn rejects_and_what_cannot_follow_them() {
    let mut book = placed(2);
    let reject = ItemOutcome::Rejected(RejectReason::PostOnlyWouldMatch);
    assert_eq!(book.apply_answer(t(1), ID, ActionKind::Place, reject), EventOutcome::Applied);
    assert_eq!(state(&book), LifecycleState::Rejected);
    assert_eq!(book.get(ID).unwrap().reject_reason(), Some(RejectReason::PostOnlyWouldMatch));
    assert_eq!(book.apply_answer(t(2), ID, ActionKind::Place, reject), EventOutcome::Duplicate);
    assert_eq!(book.apply(t(3), ID, OrderEvent::Placed { oid: None }), EventOutcome::Illegal);
    assert_eq!(book.apply(t(4), ID, OrderEvent::Cancelled), EventOutcome::Illegal);
    assert_eq!(book.cancel(t(5), ID), Err(Refusal::NotAllowed(LifecycleState::Rejected)));
    assert_eq!(state(&book), LifecycleState::Rejected);
    // A fill contradicts the reject: the fill is kept, the order treated as live.
    assert_eq!(book.apply(t(6), ID, fill(1, 1)), EventOutcome::Illegal);
    assert_eq!(state(&book), LifecycleState::PartiallyFilled);
    assert_eq!(book.counters().illegal, 3);
}

#[test]
fn place_answered_filled_at_once() {
    let mut book = placed(2);
    let answer = ItemOutcome::Filled { oid: 4, total_sz: lots(2), avg_px: Price::from_f64(100.0) };
    assert_eq!(book.apply_answer(t(1), ID, ActionKind::Place, answer), EventOutcome::Applied);
    assert_eq!(state(&book), LifecycleState::Filled);
    // The fills of the user channel then arrive: counted, never beyond the summary.
    book.apply(t(2), ID, fill(1, 2));
    assert_eq!(book.get(ID).unwrap().filled(), lots(2));
    // An IOC that traded part: the rest is not resting.
    let mut ioc = placed(3);
    let partial = ItemOutcome::Filled { oid: 4, total_sz: lots(1), avg_px: Price::from_f64(100.0) };
    ioc.apply_answer(t(1), ID, ActionKind::Place, partial);
    assert_eq!(state(&ioc), LifecycleState::Cancelled);
    assert_eq!(ioc.get(ID).unwrap().filled(), lots(1));
}

#[test]
fn modify_acked_rejected_and_gone() {
    let mut book = placed(2);
    book.apply(t(1), ID, OrderEvent::Placed { oid: Some(1) });
    let px = Price::from_f64(101.0);
    book.modify(t(2), ID, px, lots(3)).unwrap();
    assert_eq!(state(&book), LifecycleState::PendingModify);
    assert_eq!(book.cancel(t(2), ID), Ok(()), "a cancel may overtake a modify");
    book.apply(t(3), ID, OrderEvent::CancelRejected(RejectReason::RateLimited));
    assert_eq!(book.apply_answer(t(3), ID, ActionKind::Modify, ItemOutcome::Resting { oid: 2 }), EventOutcome::Applied);
    let order = book.get(ID).unwrap();
    assert_eq!((order.px, order.qty, order.oid, order.state()), (px, lots(3), Some(2), LifecycleState::Open));

    book.modify(t(4), ID, Price::from_f64(102.0), lots(3)).unwrap();
    book.apply_answer(t(5), ID, ActionKind::Modify, ItemOutcome::Rejected(RejectReason::BadTick));
    assert_eq!(book.get(ID).unwrap().px, px, "a refused modify leaves the order as it was");
    assert_eq!(state(&book), LifecycleState::Open);

    book.modify(t(6), ID, Price::from_f64(102.0), lots(3)).unwrap();
    book.apply(t(7), ID, OrderEvent::ModifyRejected(RejectReason::OrderGone));
    assert_eq!(state(&book), LifecycleState::Cancelled);
    assert_eq!(book.apply(t(8), ID, OrderEvent::Modified { oid: None }), EventOutcome::Duplicate);
}

#[test]
fn modify_refused_unless_open_with_nothing_in_flight() {
    let mut book = placed(2);
    let px = Price::from_f64(101.0);
    assert_eq!(book.modify(t(1), ID, px, lots(2)), Err(Refusal::NotAllowed(LifecycleState::PendingNew)));
    assert_eq!(book.modify(t(1), Cloid(5), px, lots(2)), Err(Refusal::UnknownOrder));
}

#[test]
fn duplicate_fill_by_trade_id_is_not_counted_twice() {
    let mut book = placed(3);
    book.apply(t(1), ID, fill(42, 1));
    assert_eq!(book.apply(t(2), ID, fill(42, 1)), EventOutcome::Duplicate);
    assert_eq!(book.get(ID).unwrap().filled(), lots(1));
    assert_eq!(book.counters().duplicates, 1);
}

#[test]
fn unknown_orders_and_other_coins_are_counted() {
    let mut book = placed(1);
    assert_eq!(book.apply(t(1), Cloid(99), OrderEvent::Cancelled), EventOutcome::UnknownOrder);
    let other = VenueEvent::Accepted { coin: CoinId(1), cloid: ID };
    assert_eq!(book.apply_venue_event(t(1), &other), EventOutcome::UnknownOrder);
    let ours = VenueEvent::Accepted { coin: COIN, cloid: ID };
    assert_eq!(book.apply_venue_event(t(1), &ours), EventOutcome::Applied);
    assert_eq!(book.counters().unknown_orders, 2);
}

#[test]
fn unanswered_place_becomes_a_status_query_repeated_every_timeout() {
    let mut book = placed(1);
    let mut out = Vec::new();
    assert_eq!(book.poll_timeouts(t(999), &mut out), 0);
    assert_eq!(book.poll_timeouts(t(1_000), &mut out), 1);
    assert_eq!(out, vec![OrderStatusQuery { coin: COIN, cloid: ID }]);
    assert_eq!(book.poll_timeouts(t(1_500), &mut out), 0, "not again before another timeout");
    assert_eq!(book.poll_timeouts(t(2_000), &mut out), 1);
    // The venue never saw it: the place is over.
    book.apply_status(t(2_100), ID, VenueOrderStatus::Unknown);
    assert_eq!(state(&book), LifecycleState::Rejected);
    assert_eq!(book.poll_timeouts(t(9_000), &mut out), 0);
    assert_eq!(book.counters().status_queries, 2);
}

#[test]
fn unanswered_cancel_times_out_and_status_open_reverts_it() {
    let mut book = placed(1);
    book.apply(t(1), ID, OrderEvent::Placed { oid: None });
    book.cancel(t(100), ID).unwrap();
    let mut out = Vec::new();
    assert_eq!(book.poll_timeouts(t(1_099), &mut out), 0);
    assert_eq!(book.poll_timeouts(t(1_100), &mut out), 1);
    book.apply_status(t(1_200), ID, VenueOrderStatus::Open);
    assert_eq!(state(&book), LifecycleState::Open);
    assert_eq!(book.in_flight(), 0);
    book.cancel(t(1_300), ID).unwrap();
    book.apply_status(t(1_400), ID, VenueOrderStatus::Filled);
    assert_eq!(state(&book), LifecycleState::Filled);
}

#[test]
fn in_flight_limit_refuses_and_frees_on_answers() {
    let mut book = CoinLifecycles::new(COIN, config());
    for i in 0..4 {
        book.place(t(0), &request(Cloid(i), 1)).unwrap();
    }
    assert_eq!(book.place(t(0), &request(Cloid(9), 1)), Err(Refusal::InFlightLimit));
    assert_eq!(book.cancel(t(0), Cloid(0)), Err(Refusal::InFlightLimit));
    assert_eq!(book.counters().refusals_in_flight, 2);
    book.apply(t(1), Cloid(0), OrderEvent::Placed { oid: None });
    assert_eq!(book.in_flight(), 3);
    assert!(book.place(t(2), &request(Cloid(9), 1)).is_ok());
    assert_eq!(book.place(t(2), &request(Cloid(9), 1)), Err(Refusal::DuplicateCloid));
}

#[test]
fn finished_orders_retire_after_the_linger() {
    let mut book = placed(1);
    book.apply(t(5), ID, fill(1, 1));
    assert_eq!(book.retire_finished(t(10_004)), 0);
    assert_eq!(book.retire_finished(t(10_005)), 1);
    assert!(book.get(ID).is_none());
}

/// How the venue treats the order in a generated history.
#[derive(Debug, Clone, Copy)]
enum Ending {
    FullyFilled,
    /// We cancel; `fills` of the fills happened before the cancel.
    Cancelled,
    Rejected,
}

fn history() -> impl Strategy<Value = (Ending, Vec<i64>, Vec<usize>, Vec<usize>, usize)> {
    let ending = prop_oneof![Just(Ending::FullyFilled), Just(Ending::Cancelled), Just(Ending::Rejected)];
    (
        ending,
        prop::collection::vec(1i64..4, 1..6),
        prop::collection::vec(0usize..64, 0..40),
        prop::collection::vec(0usize..64, 0..6),
        0usize..64,
    )
}

proptest! {
    /// One order, the venue's events in any order with duplicates: fills are counted once,
    /// and the final state is the one the fills and the venue's verdict imply.
    #[test]
    fn any_arrival_order_ends_consistent((ending, fill_lots, swaps, dups, cancel_at) in history()) {
        let filled_total: i64 = fill_lots.iter().sum();
        let qty = match ending {
            Ending::FullyFilled => filled_total,
            Ending::Cancelled => filled_total + 1,
            Ending::Rejected => filled_total,
        };
        let mut events: Vec<OrderEvent> = Vec::new();
        let mut we_cancel = false;
        match ending {
            Ending::Rejected => events.push(OrderEvent::PlaceRejected(RejectReason::BadTick)),
            Ending::FullyFilled | Ending::Cancelled => {
                events.push(OrderEvent::Placed { oid: Some(1) });
                events.extend(fill_lots.iter().enumerate().map(|(i, q)| fill(i as u64 + 1, *q)));
                we_cancel = matches!(ending, Ending::Cancelled) || cancel_at % 2 == 0;
                if we_cancel {
                    events.push(match ending {
                        Ending::Cancelled => OrderEvent::Cancelled,
                        _ => OrderEvent::CancelRejected(RejectReason::OrderGone),
                    });
                }
            }
        }
        for (k, s) in swaps.iter().enumerate() {
            let (a, b) = (k % events.len(), s % events.len());
            events.swap(a, b);
        }
        for d in &dups {
            let e = events[d % events.len()];
            events.insert((d * 7) % (events.len() + 1), e);
        }
        // Our cancel goes out before the first answer to it.
        let first_cancel_answer = events
            .iter()
            .position(|e| matches!(e, OrderEvent::Cancelled | OrderEvent::CancelRejected(_)))
            .unwrap_or(events.len());
        let cancel_at = cancel_at % (first_cancel_answer + 1);

        let mut book = CoinLifecycles::new(COIN, LifecycleConfig { max_in_flight_per_coin: 8, ..config() });
        book.place(t(0), &request(ID, qty)).unwrap();
        for (i, e) in events.iter().enumerate() {
            if we_cancel && i == cancel_at {
                // Refused only if the order already finished (e.g. fully filled).
                let _ = book.cancel(t(i as u64), ID);
            }
            book.apply(t(i as u64 + 1), ID, *e);
            let order = book.get(ID).unwrap();
            prop_assert!(order.filled_by_fills <= order.qty);
            prop_assert_eq!(order.state() == LifecycleState::Filled, order.filled() == order.qty);
        }
        if we_cancel && cancel_at == events.len() {
            let _ = book.cancel(t(99), ID);
        }
        let order = book.get(ID).unwrap();
        let expected_fills = match ending { Ending::Rejected => 0, _ => filled_total };
        prop_assert_eq!(order.filled_by_fills, lots(expected_fills));
        let expected = match ending {
            Ending::FullyFilled => LifecycleState::Filled,
            Ending::Cancelled => LifecycleState::Cancelled,
            Ending::Rejected => LifecycleState::Rejected,
        };
        prop_assert_eq!(order.state(), expected);
        prop_assert_eq!(book.in_flight(), 0, "{:?} cancel_at {} {:?}", events, cancel_at, order);
        prop_assert_eq!(book.counters().illegal, 0, "{:?} cancel_at {} {:?}", events, cancel_at, order);
    }
}

const NEW: Cloid = Cloid(0x2e60610f0b3d420597c88c1fed2ad5ee);

fn replaced() -> CoinLifecycles {
    let mut book = placed(2);
    book.apply(t(1), ID, OrderEvent::Placed { oid: None });
    let new = OrderRequest { px: Price::from_f64(99.0), ..request(NEW, 2) };
    book.replace(t(2), ID, &new).unwrap();
    book
}

fn venue(book: &mut CoinLifecycles, at: u64, event: VenueEvent) -> EventOutcome {
    book.apply_venue_event(t(at), &event)
}

#[test]
fn a_replacement_is_a_cancel_and_a_place_in_two_in_flight_slots() {
    let book = replaced();
    assert_eq!(book.in_flight(), 2);
    assert_eq!((state(&book), book.state(NEW)), (LifecycleState::PendingCancel, Some(LifecycleState::PendingNew)));
    assert_eq!(book.get(NEW).unwrap().replaces, Some(ID));
    // Either order of the answers ends the same.
    for order in [[0, 1], [1, 0]] {
        let mut book = replaced();
        let events = [VenueEvent::Cancelled { coin: COIN, cloid: ID }, VenueEvent::Accepted { coin: COIN, cloid: NEW }];
        for k in order {
            assert_eq!(venue(&mut book, 3, events[k]), EventOutcome::Applied);
        }
        assert_eq!((state(&book), book.state(NEW)), (LifecycleState::Cancelled, Some(LifecycleState::Open)));
        assert_eq!(book.in_flight(), 0);
    }
}

#[test]
fn a_replacement_refused_whole_leaves_the_old_order_open_and_one_refused_for_gone_ends_both() {
    let mut book = replaced();
    let refused = VenueEvent::Rejected { coin: COIN, cloid: NEW, reason: RejectReason::RateLimited };
    assert_eq!(venue(&mut book, 3, refused), EventOutcome::Applied);
    assert_eq!((state(&book), book.state(NEW)), (LifecycleState::Open, Some(LifecycleState::Rejected)));
    assert_eq!((book.in_flight(), book.counters().replacements_refused), (0, 1));
    // The cancel half done, the place half refused: the old order is cancelled all the same.
    let mut book = replaced();
    venue(&mut book, 3, VenueEvent::Cancelled { coin: COIN, cloid: ID });
    let post_only = VenueEvent::Rejected { coin: COIN, cloid: NEW, reason: RejectReason::PostOnlyWouldMatch };
    venue(&mut book, 4, post_only);
    assert_eq!((state(&book), book.state(NEW)), (LifecycleState::Cancelled, Some(LifecycleState::Rejected)));
    // ... and in the other order too: the late cancel ack still ends it.
    let mut book = replaced();
    venue(&mut book, 3, post_only);
    venue(&mut book, 4, VenueEvent::Cancelled { coin: COIN, cloid: ID });
    assert_eq!(state(&book), LifecycleState::Cancelled);
    // Gone: the old order was filled before the modify arrived.
    let mut book = replaced();
    let fill = FillReport {
        coin: COIN,
        cloid: ID,
        side: Side::Bid,
        px: Price::from_f64(100.0),
        qty: lots(2),
        remaining: Qty::ZERO,
        fee_usd: 0.0,
        liquidity: Liquidity::Maker,
        exchange_time: crate::types::UnixNanos(0),
        tid: 3,
    };
    venue(&mut book, 3, VenueEvent::Rejected { coin: COIN, cloid: NEW, reason: RejectReason::OrderGone });
    venue(&mut book, 4, VenueEvent::CancelRejected { coin: COIN, cloid: ID });
    venue(&mut book, 5, VenueEvent::Fill(fill));
    assert_eq!((state(&book), book.state(NEW)), (LifecycleState::Filled, Some(LifecycleState::Rejected)));
    assert_eq!((book.in_flight(), book.counters().replacements_refused), (0, 0));
    // A historical copy of the fill is the same fill (same trade id).
    assert_eq!(venue(&mut book, 6, VenueEvent::HistoricalFill(fill)), EventOutcome::Duplicate);
    assert_eq!(book.get(ID).unwrap().filled(), lots(2));
}

#[test]
fn a_replacement_needs_an_open_order_and_two_free_slots() {
    let mut book = placed(2);
    let new = request(NEW, 2);
    assert_eq!(book.replace(t(1), ID, &new), Err(Refusal::NotAllowed(LifecycleState::PendingNew)));
    book.apply(t(1), ID, OrderEvent::Placed { oid: None });
    for i in 1..4 {
        book.place(t(1), &request(Cloid(i), 1)).unwrap();
    }
    // 3 places in flight of 4: a replacement needs 2.
    assert_eq!(book.replace(t(2), ID, &new), Err(Refusal::InFlightLimit));
    assert_eq!(book.counters().refusals_in_flight, 1);
    book.apply(t(3), Cloid(1), OrderEvent::Placed { oid: None });
    assert_eq!(book.replace(t(4), ID, &new), Ok(()));
    assert_eq!(book.replace(t(4), Cloid(1), &new), Err(Refusal::DuplicateCloid));
}

#[test]
fn a_status_event_answers_like_apply_status_and_timers_are_announced() {
    let mut book = placed(1);
    assert_eq!(book.next_timeout(), Some(t(1_000)));
    assert_eq!(book.next_retirement(), None);
    let mut out = Vec::new();
    book.poll_timeouts(t(1_000), &mut out);
    assert_eq!(book.next_timeout(), Some(t(2_000)), "the query repeats every timeout");
    let status = VenueEvent::OrderStatus { coin: COIN, cloid: ID, status: VenueOrderStatus::Filled };
    assert_eq!(venue(&mut book, 1_100, status), EventOutcome::Applied);
    assert_eq!(state(&book), LifecycleState::Filled);
    assert_eq!(book.next_timeout(), None);
    assert_eq!(book.next_retirement(), Some(t(1_100 + 10_000)));
    let funding = VenueEvent::Funding { coin: COIN, payment_usd: 1.0, exchange_time: crate::types::UnixNanos(0) };
    assert_eq!(venue(&mut book, 1_200, funding), EventOutcome::UnknownOrder);
}

#[test]
fn a_full_table_evicts_the_longest_finished_order_never_a_live_one() {
    let config = LifecycleConfig { max_in_flight_per_coin: 1_000, ..config() };
    let mut book = CoinLifecycles::new(COIN, config);
    for i in 0..MAX_TRACKED_ORDERS_PER_COIN as u128 {
        book.place(t(0), &request(Cloid(i), 1)).unwrap();
    }
    let extra = request(Cloid(9_999), 1);
    assert_eq!(book.place(t(1), &extra), Err(Refusal::TableFull), "nothing finished: nothing to evict");
    book.apply(t(5), Cloid(7), OrderEvent::PlaceRejected(RejectReason::BadTick));
    book.apply(t(3), Cloid(8), OrderEvent::PlaceRejected(RejectReason::BadTick));
    assert_eq!(book.place(t(6), &extra), Ok(()));
    assert!(book.get(Cloid(8)).is_none() && book.get(Cloid(7)).is_some(), "the longest finished goes first");
    assert_eq!((book.len(), book.counters().evicted_early), (MAX_TRACKED_ORDERS_PER_COIN, 1));
}

#[test]
fn a_late_fill_brings_a_finished_order_back_to_the_live_orders() {
    let mut book = placed(2);
    book.apply(t(1), ID, OrderEvent::PlaceRejected(RejectReason::BadTick));
    assert_eq!((book.next_retirement(), book.in_flight()), (Some(t(10_001)), 0));
    // The reject was wrong: the order is live again, no longer due to retire, and cancellable.
    assert_eq!(book.apply(t(2), ID, fill(1, 1)), EventOutcome::Illegal);
    assert_eq!((state(&book), book.next_retirement()), (LifecycleState::PartiallyFilled, None));
    assert_eq!(book.retire_finished(t(20_000)), 0);
    book.cancel(t(3), ID).unwrap();
    assert_eq!((book.in_flight(), book.next_timeout()), (1, Some(t(1_003))));
    book.apply(t(4), ID, OrderEvent::Cancelled);
    assert_eq!((book.in_flight(), book.next_retirement()), (0, Some(t(10_004))));
    assert_eq!(book.apply(t(5), ID, fill(1, 1)), EventOutcome::Duplicate, "its trade ids are kept");
}

/// A random operation on one of a few orders.
#[derive(Debug, Clone, Copy)]
enum Op {
    Place(u8),
    Cancel(u8),
    Event(u8, u8),
    Poll,
    Retire,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..160).prop_map(Op::Place),
        (0u8..160).prop_map(Op::Cancel),
        ((0u8..160), (0u8..6)).prop_map(|(c, e)| Op::Event(c, e)),
        Just(Op::Poll),
        Just(Op::Retire),
    ]
}

proptest! {
    /// Whatever happens, the kept counts and timers equal what a scan of every tracked order
    /// says: in flight, next timeout, next retirement; and the table stays bounded.
    #[test]
    fn kept_counts_and_timers_match_a_full_scan(ops in prop::collection::vec(op(), 1..1_000)) {
        let config = LifecycleConfig { max_in_flight_per_coin: 64, ..config() };
        let mut book = CoinLifecycles::new(COIN, config);
        let mut out = Vec::new();
        for (k, op) in ops.iter().enumerate() {
            // Time mostly advances, sometimes steps back (events of several sources).
            let now = t(k as u64 * 97 % 7_919 + k as u64 * 40);
            match *op {
                Op::Place(c) => { let _ = book.place(now, &request(Cloid(u128::from(c) + (k as u128) * 1_000), 1)); }
                Op::Cancel(c) => {
                    let cloid = book.iter().nth(usize::from(c)).map(|o| o.cloid);
                    if let Some(cloid) = cloid {
                        let _ = book.cancel(now, cloid);
                    }
                }
                Op::Event(c, e) => {
                    let cloid = book.iter().nth(usize::from(c)).map(|o| o.cloid);
                    let Some(cloid) = cloid else { continue };
                    let event = match e {
                        0 => OrderEvent::Placed { oid: None },
                        1 => OrderEvent::PlaceRejected(RejectReason::BadTick),
                        2 => OrderEvent::Cancelled,
                        3 => OrderEvent::CancelRejected(RejectReason::OrderGone),
                        4 => fill(k as u64 % 5, 1),
                        _ => { book.apply_status(now, cloid, VenueOrderStatus::Unknown); continue; }
                    };
                    book.apply(now, cloid, event);
                }
                Op::Poll => { book.poll_timeouts(now, &mut out); }
                Op::Retire => { book.retire_finished(now); }
            }
            let in_flight: usize = book.iter().map(TrackedOrder::in_flight).sum();
            prop_assert_eq!(book.in_flight(), in_flight);
            prop_assert!(book.len() <= MAX_TRACKED_ORDERS_PER_COIN);
            prop_assert_eq!(book.iter().count(), book.len());
            let retirement = book
                .iter()
                .filter(|o| o.in_flight() == 0)
                .filter_map(|o| o.ended_at())
                .min()
                .map(|at| at + config.finished_linger);
            prop_assert_eq!(book.next_retirement(), retirement);
            let timeout = book.iter().filter_map(TrackedOrder::query_base).min().map(|at| at + config.ack_timeout);
            prop_assert_eq!(book.next_timeout(), timeout);
            for o in book.iter() {
                prop_assert_eq!(book.get(o.cloid).map(|g| g.cloid), Some(o.cloid));
            }
        }
    }
}
