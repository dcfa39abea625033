//! Scripted sessions for [`CoinLedger`] with every number worked out by hand.

use super::*;
use crate::types::{Cloid, CoinId, Price, Qty, Side};
use crate::venue::Liquidity;

fn ms(ms: u64) -> Nanos {
    Nanos::from_millis(ms)
}

const SESSION_START: UnixNanos = UnixNanos::from_millis(1_000_000);

fn fill(tid: u64, side: Side, px: f64, qty: f64, fee_usd: f64, exchange_ms: u64) -> FillReport {
    FillReport {
        coin: CoinId(0),
        cloid: Cloid(u128::from(tid)),
        side,
        px: Price::from_f64(px),
        qty: Qty::from_f64(qty),
        remaining: Qty::ZERO,
        fee_usd,
        liquidity: Liquidity::Maker,
        exchange_time: UnixNanos::from_millis(1_000_000 + exchange_ms),
        tid,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Mid 100; buy 2 @ 99.5 (rebate 0.01) at 1 s; mid 99.75; sell 1 @ 100.5 (fee 0.02) at 2 s;
/// mids at 3, 4.5, 11 and 12.5 s; funding −0.3 paid.
fn scripted() -> CoinLedger {
    let mut l = CoinLedger::new(&LedgerConfig::default(), SESSION_START);
    l.on_mid(ms(0), 100.0);
    assert_eq!(
        l.on_fill(ms(1_000), &fill(1, Side::Bid, 99.5, 2.0, -0.01, 1_000), FillOrigin::Live),
        FillOutcome::Booked
    );
    l.on_mid(ms(1_500), 99.75); // bid +0.5 s
    assert_eq!(
        l.on_fill(ms(2_000), &fill(2, Side::Ask, 100.5, 1.0, 0.02, 2_000), FillOrigin::Live),
        FillOutcome::Booked
    );
    l.on_mid(ms(3_000), 100.0); // bid +2 s; ask +0.5 s (0.5 s late, inside max_lag)
    l.on_mid(ms(4_500), 100.25); // ask +2 s
    l.on_mid(ms(11_000), 99.0); // bid +10 s
    l.on_mid(ms(12_500), 99.5); // ask +10 s
    assert!(l.on_funding(UnixNanos::from_millis(1_020_000), -0.3));
    l
}

#[test]
fn the_ledger_books_position_pnl_fees_rebates_and_funding_per_side() {
    let s = scripted().snapshot();
    assert_eq!(s.pnl.position_base, 1.0);
    assert_eq!(s.pnl.avg_entry_usd, 99.5);
    assert_eq!(s.pnl.realized_pnl_usd, 1.0); // (100.5 − 99.5)·1
    assert_eq!(s.pnl.unrealized_pnl_usd, 0.0); // long 1 from 99.5, mark 99.5
    assert_eq!((s.fees_usd, s.rebates_usd, s.funding_usd), (0.02, 0.01, -0.3));
    assert!(close(s.total_pnl_usd, 1.0 - 0.02 + 0.01 - 0.3));
    let [b, a] = s.sides;
    assert_eq!((b.fills, b.volume_base, b.volume_usd, b.fees_usd, b.rebates_usd), (1, 2.0, 199.0, 0.0, 0.01));
    assert_eq!((a.fills, a.volume_base, a.volume_usd, a.fees_usd, a.rebates_usd), (1, 1.0, 100.5, 0.02, 0.0));
}

#[test]
fn markouts_take_the_first_mid_after_each_horizon() {
    let m = scripted().snapshot().markouts;
    // Bid 2 @ 99.5: +0.5 s mid 99.75, +2 s mid 100, +10 s mid 99.
    assert_eq!(m.cells[0][0].markout_usd, 0.5);
    assert_eq!(m.cells[1][0].markout_usd, 1.0);
    assert_eq!(m.cells[2][0].markout_usd, -1.0);
    assert!(close(m.cells[0][0].avg_bps().unwrap(), 1e4 * 0.5 / 199.0));
    // Ask 1 @ 100.5: +0.5 s mid 100, +2 s mid 100.25, +10 s mid 99.5.
    assert_eq!(m.cells[0][1].markout_usd, 0.5);
    assert_eq!(m.cells[1][1].markout_usd, 0.25);
    assert_eq!(m.cells[2][1].markout_usd, 1.0);
    assert!(close(m.cells[2][1].avg_bps().unwrap(), 1e4 / 100.5));
    // Both sides, notional-weighted, at 10 s: (−1 + 1) / (199 + 100.5).
    assert_eq!(m.total(2).avg_bps(), Some(0.0));
    assert_eq!((m.total(3).count, m.total(3).expired, m.pending), (0, 0, 2), "60 s still pending");
}

#[test]
fn attribution_terms_add_up_to_the_pnl_exactly() {
    let s = scripted().snapshot();
    let r = s.attribution;
    let [b, a] = r.sides;
    assert_eq!(r.horizon_ms, 10_000);
    assert_eq!(r.resolved_fills, 2);
    // Spread: bid (100 − 99.5)·2 = 1; ask (100.5 − 99.75)·1 = 0.75.
    assert_eq!((b.spread_capture_usd, a.spread_capture_usd), (1.0, 0.75));
    // Adverse at 10 s: bid (100 − 99)·2 = 2; ask −(99.75 − 99.5)·1 = −0.25 (in our favour).
    assert_eq!((b.adverse_selection_usd, a.adverse_selection_usd), (2.0, -0.25));
    // Carry from the horizon mid to the mark 99.5: bid (99.5 − 99)·2 = 1; ask −(99.5 − 99.5) = 0.
    assert_eq!((b.residual_usd, a.residual_usd), (1.0, 0.0));
    assert_eq!((b.rebates_usd, a.fees_usd, r.total.funding_usd), (0.01, 0.02, -0.3));
    let t = r.total;
    let sum =
        t.spread_capture_usd - t.adverse_selection_usd - t.fees_usd + t.rebates_usd + t.funding_usd + t.residual_usd;
    assert!(close(sum, t.total_usd));
    assert!(close(t.total_usd, s.total_pnl_usd), "{} vs {}", t.total_usd, s.total_pnl_usd);
    assert!(close(b.total_usd + a.total_usd + t.funding_usd, t.total_usd));
    assert!(close(t.total_usd, 0.69));
}

#[test]
fn before_the_horizon_the_whole_move_is_carry() {
    let mut l = CoinLedger::new(&LedgerConfig::default(), SESSION_START);
    l.on_mid(ms(0), 100.0);
    l.on_fill(ms(0), &fill(1, Side::Ask, 100.25, 4.0, 0.0, 0), FillOrigin::Live);
    l.on_mid(ms(3_000), 101.0);
    let s = l.snapshot();
    let t = s.attribution.total;
    assert_eq!((t.spread_capture_usd, t.adverse_selection_usd, t.residual_usd), (1.0, 0.0, -4.0));
    assert_eq!(s.pnl.unrealized_pnl_usd, -3.0);
    assert!(close(t.total_usd, s.total_pnl_usd));
}

#[test]
fn duplicates_and_out_of_order_arrivals_change_nothing() {
    let reference = scripted().snapshot();
    let mut l = CoinLedger::new(&LedgerConfig::default(), SESSION_START);
    l.on_mid(ms(0), 100.0);
    l.on_fill(ms(1_000), &fill(1, Side::Bid, 99.5, 2.0, -0.01, 1_000), FillOrigin::Live);
    l.on_mid(ms(1_500), 99.75);
    l.on_fill(ms(2_000), &fill(2, Side::Ask, 100.5, 1.0, 0.02, 2_000), FillOrigin::Live);
    // Reconnect replays both, newest first.
    assert_eq!(
        l.on_fill(ms(2_100), &fill(2, Side::Ask, 100.5, 1.0, 0.02, 2_000), FillOrigin::Live),
        FillOutcome::Duplicate
    );
    assert_eq!(
        l.on_fill(ms(2_100), &fill(1, Side::Bid, 99.5, 2.0, -0.01, 1_000), FillOrigin::Live),
        FillOutcome::Duplicate
    );
    l.on_mid(ms(3_000), 100.0);
    l.on_mid(ms(4_500), 100.25);
    l.on_mid(ms(11_000), 99.0);
    assert_eq!(
        l.on_fill(ms(11_500), &fill(1, Side::Bid, 99.5, 2.0, -0.01, 1_000), FillOrigin::Live),
        FillOutcome::Duplicate
    );
    l.on_mid(ms(12_500), 99.5);
    assert!(l.on_funding(UnixNanos::from_millis(1_020_000), -0.3));
    assert!(!l.on_funding(UnixNanos::from_millis(1_020_000), -0.3), "replayed funding");
    let s = l.snapshot();
    assert_eq!(s.dedup.duplicates, 3);
    assert_eq!(s.funding_duplicates, 1);
    assert_eq!(s.pnl, reference.pnl);
    assert_eq!(s.sides, reference.sides);
    assert_eq!(s.markouts, reference.markouts);
    assert_eq!(s.attribution, reference.attribution);
    assert_eq!(s.total_pnl_usd, reference.total_pnl_usd);
}

#[test]
fn a_snapshot_after_live_fills_double_counts_nothing() {
    let reference = scripted().snapshot();
    let mut l = scripted();
    // The snapshot on (re)subscribing: one fill from before the session, both live fills
    // again, and a session fill the live stream missed (sell 1 @ 99.25 at 13 s).
    let snapshot = [
        fill(0, Side::Bid, 98.0, 3.0, 0.05, 0).with_time(UnixNanos::from_millis(999_000)),
        fill(1, Side::Bid, 99.5, 2.0, -0.01, 1_000),
        fill(2, Side::Ask, 100.5, 1.0, 0.02, 2_000),
        fill(3, Side::Ask, 99.25, 1.0, 0.0, 13_000),
    ];
    let outcomes: Vec<FillOutcome> = snapshot.iter().map(|f| l.on_fill(ms(14_000), f, FillOrigin::Snapshot)).collect();
    use FillOutcome::*;
    assert_eq!(outcomes, vec![History, Duplicate, Duplicate, Recovered]);
    // The same snapshot again (another reconnect): all known now.
    for f in &snapshot {
        assert_eq!(l.on_fill(ms(15_000), f, FillOrigin::Snapshot), Duplicate);
    }
    let s = l.snapshot();
    assert_eq!(s.snapshots.snapshot_fills, 8);
    assert_eq!((s.snapshots.known, s.snapshots.history_fills, s.snapshots.recovered), (6, 1, 1));
    assert_eq!((s.snapshots.history_volume_usd, s.snapshots.history_fee_usd), (294.0, 0.05));
    // Only the recovered fill changed the books: flat, realized 1 + (99.25 − 99.5)·1.
    assert_eq!(s.pnl.position_base, 0.0);
    assert_eq!(s.pnl.realized_pnl_usd, 0.75);
    assert_eq!(s.sides[0], reference.sides[0]);
    assert_eq!(s.sides[1].fills, 2);
    assert_eq!(s.markouts.total(0).count, reference.markouts.total(0).count, "no markout claimed");
    let t = s.attribution.total;
    assert_eq!(t.spread_capture_usd, reference.attribution.total.spread_capture_usd);
    assert!(close(t.total_usd, s.total_pnl_usd));
}

#[test]
fn fills_before_any_mid_claim_no_spread_and_still_reconcile() {
    let mut l = CoinLedger::new(&LedgerConfig::default(), SESSION_START);
    l.on_fill(ms(0), &fill(1, Side::Bid, 50.0, 1.0, 0.0, 0), FillOrigin::Live);
    l.on_mid(ms(100), 51.0);
    let s = l.snapshot();
    assert_eq!(s.fills_without_mid, 1);
    assert_eq!((s.attribution.total.spread_capture_usd, s.attribution.total.residual_usd), (0.0, 1.0));
    assert!(close(s.attribution.total.total_usd, s.total_pnl_usd));
    assert_eq!(s.markouts.pending, 0);
}

#[test]
fn markouts_whose_mid_never_comes_expire_and_leave_the_move_in_carry() {
    let mut l = CoinLedger::new(&LedgerConfig::default(), SESSION_START);
    l.on_mid(ms(0), 100.0);
    l.on_fill(ms(0), &fill(1, Side::Bid, 99.0, 1.0, 0.0, 0), FillOrigin::Live);
    l.on_time(ms(30_000)); // feed silent: 0.5, 2 and 10 s expire; 60 s still open
    l.on_mid(ms(70_000), 97.0); // 9 s after the 60 s horizon: too late
    let s = l.snapshot();
    let expired: Vec<u64> = (0..4).map(|h| s.markouts.total(h).expired).collect();
    assert_eq!(expired, vec![1, 1, 1, 1]);
    assert_eq!(s.markouts.total(2).count, 0);
    let t = s.attribution.total;
    assert_eq!((s.attribution.resolved_fills, t.adverse_selection_usd), (0, 0.0));
    assert_eq!((t.spread_capture_usd, t.residual_usd), (1.0, -3.0));
    assert!(close(t.total_usd, s.total_pnl_usd));
}

#[test]
fn funding_is_signed_received_positive_paid_negative() {
    let mut l = CoinLedger::new(&LedgerConfig::default(), SESSION_START);
    assert!(l.on_funding(UnixNanos::from_millis(3_600_000), 0.4)); // short paid by longs
    assert!(l.on_funding(UnixNanos::from_millis(7_200_000), -1.5));
    assert!(!l.on_funding(UnixNanos::from_millis(3_600_000), 0.4), "an older payment is a replay");
    let s = l.snapshot();
    assert_eq!((s.funding_usd, s.funding_payments, s.funding_duplicates), (-1.1, 2, 1));
    assert_eq!(s.total_pnl_usd, -1.1);
    assert_eq!(s.attribution.total.total_usd, -1.1);
}

trait WithTime {
    fn with_time(self, t: UnixNanos) -> Self;
}

impl WithTime for FillReport {
    fn with_time(mut self, t: UnixNanos) -> Self {
        self.exchange_time = t;
        self
    }
}

/// A bid of 1 @ 99.99 (fee $0.01) at mid 100; at +10 s the mid is 99.95: adverse selection
/// 1e4·(100 − 99.95)/100 = 5 bps; edge 1e4·((99.95 − 99.99) − 0.01)/99.99 ≈ −5.0005 bps.
#[test]
fn the_attribution_horizon_hands_each_fill_its_realized_adverse_selection_and_edge() {
    let mut l = CoinLedger::new(&LedgerConfig::default(), SESSION_START);
    l.on_mid(ms(0), 100.0);
    l.on_fill(ms(0), &fill(7, Side::Bid, 99.99, 1.0, 0.01, 0), FillOrigin::Live);
    let mut seen = Vec::new();
    for (t, mid) in [(600, 100.0), (2_100, 99.9), (10_000, 99.95)] {
        l.on_mid_with(ms(t), mid, |f, m| seen.push((f.cloid, f.adverse_bps(m), f.edge_bps(m))));
    }
    assert_eq!(seen.len(), 1, "only the 10 s horizon: {seen:?}");
    let (cloid, adverse, edge) = seen[0];
    assert_eq!(cloid, Cloid(7));
    assert!(close(adverse, 5.0), "{adverse}");
    assert!(close(edge, -1e4 * 0.05 / 99.99), "{edge}");
}
