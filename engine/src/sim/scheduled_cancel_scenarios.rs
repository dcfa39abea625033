//! The dead man's switch at the simulated exchange, through its public API: a scheduled
//! cancel fires at its time and cancels every open order with the usual events and latency,
//! a refresh before the time postpones it, a clear disarms it, a time too close is refused.

use super::config::SimVenueConfig;
use super::exchange::SimExchange;
use super::test_support::{instrument, order, place};
use crate::types::{Cloid, CoinId, Nanos, Side, UnixNanos};
use crate::venue::{OrderAction, ScheduleCancelReject, VenueEvent};

const MS: u64 = 1_000_000;
const SEC: u64 = 1_000 * MS;
const START_UNIX: UnixNanos = UnixNanos(1_767_225_600 * SEC);
/// The default one-way latencies (order in, response out).
const LATENCY: u64 = 5 * MS;

/// Two coins; coin 0 holds orders 1 and 2, coin 1 holds order 3 (accepted by 10 ms).
fn exchange_with_three_orders() -> SimExchange {
    let mut ex = SimExchange::new(&SimVenueConfig::default(), START_UNIX, vec![instrument(), instrument()]);
    let mut on_coin_1 = order(3, Side::Ask, "101", "1", true);
    on_coin_1.coin = CoinId(1);
    let orders = [place(1, Side::Bid, "99", "1", true), place(2, Side::Ask, "101", "1", true)];
    ex.submit(Nanos(0), &orders);
    ex.submit(Nanos(0), &[OrderAction::Place(on_coin_1)]);
    let accepted = poll(&mut ex, Nanos(10 * MS));
    assert_eq!(accepted.len(), 3, "{accepted:?}");
    assert_eq!(ex.open_order_count(), 3);
    ex
}

fn poll(ex: &mut SimExchange, now: Nanos) -> Vec<VenueEvent> {
    let mut out = Vec::new();
    ex.poll(now, &mut |e| out.push(e));
    out
}

/// Venue time `s` seconds after the start.
fn venue(s: u64) -> UnixNanos {
    UnixNanos(START_UNIX.0 + s * SEC)
}

fn schedule(s: u64) -> OrderAction {
    OrderAction::ScheduleCancel { at: Some(venue(s)) }
}

fn cancelled(coin: u8, cloid: u128) -> VenueEvent {
    VenueEvent::Cancelled { coin: CoinId(coin), cloid: Cloid(cloid) }
}

#[test]
fn fires_at_t_cancelling_every_open_order_then_reports_the_count() {
    let mut ex = exchange_with_three_orders();
    ex.submit(Nanos(10 * MS), &[schedule(10)]);
    assert_eq!(poll(&mut ex, Nanos(20 * MS)), vec![VenueEvent::ScheduleCancelAccepted { at: Some(venue(10)) }]);
    assert_eq!(ex.scheduled_cancel().armed_at, Some(venue(10)));
    assert_eq!(ex.next_wakeup(), Some(Nanos(10 * SEC)), "wakes for the firing");

    assert!(poll(&mut ex, Nanos(10 * SEC - 1)).is_empty());
    assert_eq!(ex.open_order_count(), 3, "nothing happens before T");
    assert!(poll(&mut ex, Nanos(10 * SEC)).is_empty(), "cancelled at T, answers on their way");
    assert_eq!(ex.open_order_count(), 0);
    assert_eq!(ex.next_wakeup(), Some(Nanos(10 * SEC + LATENCY)));
    let events = poll(&mut ex, Nanos(10 * SEC + LATENCY));
    let fired = VenueEvent::ScheduleCancelFired { at: venue(10), cancelled_orders: 3 };
    assert_eq!(events, vec![cancelled(0, 1), cancelled(0, 2), cancelled(1, 3), fired]);
    let stats = ex.scheduled_cancel();
    assert_eq!((stats.fired, stats.cancelled_orders, stats.armed_at), (1, 3, None));
    assert_eq!(ex.next_wakeup(), None, "fired once; nothing scheduled any more");
}

#[test]
fn a_refresh_before_t_postpones_it() {
    let mut ex = exchange_with_three_orders();
    ex.submit(Nanos(0), &[schedule(10)]);
    ex.submit(Nanos(4 * SEC), &[schedule(14)]);
    let events = poll(&mut ex, Nanos(12 * SEC));
    assert!(events.iter().all(|e| matches!(e, VenueEvent::ScheduleCancelAccepted { .. })), "{events:?}");
    assert_eq!(ex.open_order_count(), 3, "the old T passed without firing");
    assert_eq!(ex.scheduled_cancel().armed_at, Some(venue(14)));
    let events = poll(&mut ex, Nanos(14 * SEC + LATENCY));
    assert_eq!(events.last(), Some(&VenueEvent::ScheduleCancelFired { at: venue(14), cancelled_orders: 3 }));
    assert_eq!(ex.open_order_count(), 0);
}

#[test]
fn a_refresh_arriving_at_t_itself_is_too_late() {
    let mut ex = exchange_with_three_orders();
    ex.submit(Nanos(0), &[schedule(10)]);
    // Sent one order latency before T: it reaches the venue at T, after the firing.
    ex.submit(Nanos(10 * SEC - LATENCY), &[schedule(20)]);
    let events = poll(&mut ex, Nanos(10 * SEC + LATENCY));
    let fired = VenueEvent::ScheduleCancelFired { at: venue(10), cancelled_orders: 3 };
    let rearmed = VenueEvent::ScheduleCancelAccepted { at: Some(venue(20)) };
    assert_eq!(events[events.len() - 2..], [fired, rearmed]);
    assert_eq!(ex.scheduled_cancel().armed_at, Some(venue(20)), "the late refresh arms the next one");
}

#[test]
fn a_clear_disarms_it() {
    let mut ex = exchange_with_three_orders();
    ex.submit(Nanos(0), &[schedule(10)]);
    ex.submit(Nanos(2 * SEC), &[OrderAction::ScheduleCancel { at: None }]);
    let events = poll(&mut ex, Nanos(100 * SEC));
    let expected = vec![
        VenueEvent::ScheduleCancelAccepted { at: Some(venue(10)) },
        VenueEvent::ScheduleCancelAccepted { at: None },
    ];
    assert_eq!(events, expected);
    assert_eq!(ex.open_order_count(), 3);
    assert_eq!(ex.next_wakeup(), None);
    assert_eq!(ex.scheduled_cancel().fired, 0);
}

#[test]
fn a_time_under_5_s_ahead_on_arrival_is_refused() {
    let mut ex = exchange_with_three_orders();
    // 5 s after sending is 4.995 s after arrival.
    ex.submit(Nanos(0), &[schedule(5)]);
    let reason = ScheduleCancelReject::TooSoon;
    let refused = VenueEvent::ScheduleCancelRejected { at: Some(venue(5)), reason };
    assert_eq!(poll(&mut ex, Nanos(SEC)), vec![refused]);
    assert_eq!(ex.next_wakeup(), None);
    assert!(poll(&mut ex, Nanos(60 * SEC)).is_empty());
    assert_eq!(ex.open_order_count(), 3);
    assert_eq!(ex.scheduled_cancel().rejected, 1);
}

#[test]
fn orders_placed_after_a_firing_rest_until_the_next_one() {
    let mut ex = exchange_with_three_orders();
    ex.submit(Nanos(0), &[schedule(10)]);
    poll(&mut ex, Nanos(11 * SEC));
    ex.submit(Nanos(11 * SEC), &[place(4, Side::Bid, "99", "1", true), schedule(30)]);
    poll(&mut ex, Nanos(29 * SEC));
    assert_eq!(ex.open_order_count(), 1);
    let events = poll(&mut ex, Nanos(30 * SEC + LATENCY));
    let fired = VenueEvent::ScheduleCancelFired { at: venue(30), cancelled_orders: 1 };
    assert_eq!(events, vec![cancelled(0, 4), fired]);
    assert_eq!(ex.scheduled_cancel().fired, 2);
}
