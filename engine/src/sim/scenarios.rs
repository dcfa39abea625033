//! End-to-end scenarios of the simulated exchange through its public API: fees on real
//! fills, post-only and taker orders against a live book, determinism, and steady state
//! without growth. The unit tests of each part sit in that part's file.

use super::config::SimVenueConfig;
use super::exchange::SimExchange;
use super::test_support::{book_event, cancel, instrument, place, px, q, trade_event};
use crate::types::{Cloid, CoinId, Nanos, Qty, Side, UnixNanos};
use crate::venue::{FillReport, Liquidity, RejectReason, VenueEvent};

const MS: u64 = 1_000_000;
const START_UNIX: UnixNanos = UnixNanos(1_700_000_000_000_000_000);

fn exchange(config: &SimVenueConfig) -> SimExchange {
    SimExchange::new(config, START_UNIX, vec![instrument()])
}

/// Polls at every wakeup until nothing is pending; returns everything delivered.
fn drain(ex: &mut SimExchange) -> Vec<VenueEvent> {
    let mut out = Vec::new();
    while let Some(t) = ex.next_wakeup() {
        ex.poll(t, &mut |e| out.push(e));
    }
    out
}

fn fills(events: &[VenueEvent]) -> Vec<FillReport> {
    events.iter().filter_map(|e| if let VenueEvent::Fill(f) = e { Some(*f) } else { None }).collect()
}

#[test]
fn post_only_crossing_the_book_is_rejected() {
    let mut ex = exchange(&SimVenueConfig::default());
    ex.on_market(Nanos(0), &book_event(&[("100", "5")], &[("100.05", "5")]));
    ex.submit(Nanos(0), &[place(1, Side::Bid, "100.05", "1", true), place(2, Side::Ask, "100", "1", true)]);
    let reason = RejectReason::PostOnlyWouldMatch;
    let expected = vec![
        VenueEvent::Rejected { coin: CoinId(0), cloid: Cloid(1), reason },
        VenueEvent::Rejected { coin: CoinId(0), cloid: Cloid(2), reason },
    ];
    assert_eq!(drain(&mut ex), expected);
    assert_eq!(ex.open_order_count(), 0);
}

#[test]
fn maker_fill_pays_1_5_bps_and_a_rebate_config_pays_us() {
    for (maker_fee_bps, expected_fee_usd) in [(1.5, 0.015), (-0.2, -0.002)] {
        let mut ex = exchange(&SimVenueConfig { maker_fee_bps, ..SimVenueConfig::default() });
        ex.on_market(Nanos(0), &book_event(&[("99.99", "5")], &[("100.05", "5")]));
        ex.submit(Nanos(0), &[place(1, Side::Bid, "100", "1", true)]);
        // Rests at 5 ms with nothing ahead at 100; a sell of 1 at 100 at 7 ms fills it.
        ex.on_market(Nanos(7 * MS), &trade_event(Side::Ask, "100", "1"));
        let fill = fills(&drain(&mut ex))[0];
        assert!((fill.fee_usd - expected_fee_usd).abs() < 1e-12, "$100 notional: {}", fill.fee_usd);
        assert_eq!(fill.liquidity, Liquidity::Maker);
        assert_eq!((fill.px, fill.qty, fill.remaining), (px("100"), q("1"), Qty::ZERO));
        assert_eq!(fill.exchange_time, UnixNanos(START_UNIX.0 + 7 * MS));
        assert_eq!(ex.open_order_count(), 0);
    }
}

#[test]
fn taker_order_fills_against_book_levels_with_taker_fee() {
    let mut ex = exchange(&SimVenueConfig::default());
    ex.on_market(Nanos(0), &book_event(&[("99.99", "5")], &[("100", "1"), ("100.02", "1")]));
    ex.submit(Nanos(0), &[place(1, Side::Bid, "100.02", "3", false)]);
    let events = drain(&mut ex);
    let summary: Vec<_> = fills(&events).iter().map(|f| (f.px, f.qty, f.remaining, f.liquidity)).collect();
    let taker = Liquidity::Taker;
    assert_eq!(summary, vec![(px("100"), q("1"), q("2"), taker), (px("100.02"), q("1"), q("1"), taker)]);
    let fee_usd = fills(&events)[0].fee_usd;
    assert!((fee_usd - 0.045).abs() < 1e-12, "4.5 bps of $100: {fee_usd}");
    assert_eq!(events.last(), Some(&VenueEvent::Accepted { coin: CoinId(0), cloid: Cloid(1) }));
    assert_eq!(ex.resting_order(CoinId(0), Cloid(1)).map(|o| o.leaves_qty), Some(q("1")));
}

/// Fills on both sides, a partial fill, a cancel of the rest and a late cancel.
fn scenario() -> Vec<VenueEvent> {
    let mut ex = exchange(&SimVenueConfig::default());
    ex.on_market(Nanos(0), &book_event(&[("100", "2")], &[("100.05", "2")]));
    let orders = [
        place(1, Side::Bid, "100", "1", true),
        place(2, Side::Bid, "100", "1", true),
        place(3, Side::Ask, "100.05", "1", true),
    ];
    ex.submit(Nanos(0), &orders);
    ex.on_market(Nanos(6 * MS), &trade_event(Side::Ask, "100", "3.5"));
    ex.on_market(Nanos(7 * MS), &trade_event(Side::Bid, "100.1", "0.01"));
    ex.submit(Nanos(8 * MS), &[cancel(2), cancel(3)]);
    let events = drain(&mut ex);
    assert_eq!(ex.open_order_count(), 0);
    events
}

#[test]
fn tids_and_event_order_are_deterministic() {
    let events = scenario();
    assert_eq!(events, scenario());
    let summary: Vec<_> = fills(&events).iter().map(|f| (f.tid, f.cloid.0, f.qty, f.remaining)).collect();
    // Sell 3.5 at 100: 2 ahead, then all of #1, then half of #2; a buy through 100.05 fills #3.
    let expected = vec![(1, 1, q("1"), Qty::ZERO), (2, 2, q("0.5"), q("0.5")), (3, 3, q("1"), Qty::ZERO)];
    assert_eq!(summary, expected);
    assert_eq!(events.len(), 8, "{events:#?}");
    assert_eq!(events[6], VenueEvent::Cancelled { coin: CoinId(0), cloid: Cloid(2) });
    assert_eq!(events[7], VenueEvent::CancelRejected { coin: CoinId(0), cloid: Cloid(3) });
}

#[test]
fn steady_state_does_not_grow_storage() {
    let mut ex = exchange(&SimVenueConfig::default());
    let before = ex.capacities();
    let mut delivered = 0usize;
    let cycles = 200u64;
    for cycle in 0..cycles {
        let t = Nanos(cycle * 20 * MS);
        let cloid = u128::from(cycle) * 2;
        ex.on_market(t, &book_event(&[("100", "2")], &[("100.05", "2")]));
        let quotes = [place(cloid, Side::Bid, "100", "1", true), place(cloid + 1, Side::Ask, "100.05", "1", true)];
        ex.submit(t, &quotes);
        ex.on_market(t + Nanos(6 * MS), &trade_event(Side::Ask, "99.99", "1"));
        ex.submit(t + Nanos(6 * MS), &[cancel(cloid + 1)]);
        ex.poll(t + Nanos(19 * MS), &mut |_| delivered += 1);
    }
    assert_eq!(delivered, cycles as usize * 4, "accepted ×2, fill, cancelled per cycle");
    assert_eq!(ex.capacities(), before);
}
