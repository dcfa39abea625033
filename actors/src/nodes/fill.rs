//! FillActor: turns fills into position, cash and PnL per coin, marks the position to the
//! latest mid, tells QuoteActor the new position and RiskActor the new accounting (position,
//! PnL parts, traded volume — Risk marks it to its own mids for the loss limits), and
//! reports each fill, and each fill's realized adverse selection and edge at the attribution
//! horizon, as outcomes to CalibrationActor.
//!
//! Each coin's books are an [`engine::portfolio::CoinLedger`]: a fill whose (coin, tid) was
//! seen before changes nothing and tells nobody; mids feed its markouts and attribution, and
//! while markouts are open a timer ([`MARKOUT_TICK`]) lets the clock expire those whose mid
//! never comes (a quiet feed).
//!
//! **The trading session and history.** The ledgers know when this trading session started
//! ([`FillActor::with_session_start`]): a historical fill (`VenueEvent::HistoricalFill`, the
//! `userFills` snapshot) is reconciled as [`FillOrigin::Snapshot`] — a fill seen before is
//! skipped, one from before the session start is history (reported, not booked), one from
//! the session never seen live (missed while disconnected or down) is booked as recovered and
//! told to Risk and Quote like a live fill. A restart passes the journal's first session
//! start and seeds the ledgers with the fills already journaled ([`FillActor::with_history`]),
//! so the position and PnL go on where they were, fills missed while the engine was down count,
//! and older history does not. [`FillActor::new`] starts a session at the epoch (paper runs:
//! every fill is this session's).
//!
//! **Funding** (`VenueEvent::Funding`) goes to the ledger (a replayed payment is ignored);
//! Risk is told the accounting with funding folded into the realized PnL (funding is cash
//! received or paid, realized like a closed trade).

use crate::msg::{Msg, PnlUpdate, PositionUpdate};
use crate::report::{ActorReport, CoinPnl, FillSummary};
use crate::{Actor, ActorId, Outbox};
use engine::calibration::{Outcome, OutcomeKind};
use engine::portfolio::{CoinLedger, FillOrigin, FillOutcome, LedgerConfig};
use engine::risk::CoinAccounting;
use engine::types::{CoinId, Nanos, UnixNanos};
use engine::venue::{FillReport, VenueEvent};

/// How often the clock expires open markouts while the feed is quiet.
pub const MARKOUT_TICK: Nanos = Nanos::from_millis(500);

struct CoinState {
    ledger: CoinLedger,
    mark_usd: f64,
    seeded_fills: u64,
}

impl CoinState {
    /// The accounting Risk gets: funding is realized PnL.
    fn accounting(&self) -> CoinAccounting {
        let pnl = self.ledger.position().snapshot(self.mark_usd);
        CoinAccounting {
            position: self.ledger.position().qty(),
            avg_entry_usd: pnl.avg_entry_usd,
            realized_pnl_usd: pnl.realized_pnl_usd + self.ledger.funding_usd(),
            fees_usd: pnl.fees_usd,
            volume_usd: pnl.volume_usd,
        }
    }
}

pub struct FillActor {
    coins: Vec<CoinState>,
    unknown_coin_fills: u64,
    /// Set while some coin has open markouts.
    next_tick: Option<Nanos>,
    /// Seeded with earlier fills: tell Risk and Quote the books at the first wake-up.
    announce_seeded: bool,
}

impl FillActor {
    /// A session started at the epoch: every historical fill not seen yet is this session's.
    pub fn new(coin_count: usize) -> Self {
        Self::with_session_start(coin_count, UnixNanos(0))
    }

    /// A trading session started at `session_start` (exchange time): historical fills before
    /// it are history, not this session's PnL.
    pub fn with_session_start(coin_count: usize, session_start: UnixNanos) -> Self {
        let config = LedgerConfig::default();
        let coins = (0..coin_count)
            .map(|_| CoinState { ledger: CoinLedger::new(&config, session_start), mark_usd: 0.0, seeded_fills: 0 })
            .collect();
        Self { coins, unknown_coin_fills: 0, next_tick: None, announce_seeded: false }
    }

    /// [`Self::with_session_start`], seeded with `fills` already journaled by this session
    /// (a restart): each is booked like a live fill, de-duplicated by trade id, without
    /// markouts or spread capture (no mid of the time is known). At its first wake-up (time
    /// zero) it tells Risk and Quote each seeded coin's accounting and position, so a
    /// restarted engine skews and limits its quotes by the inventory it holds. The latest fill
    /// price of a coin marks its position until the first mid. Fills of an unknown coin are
    /// counted in `unknown_coin_fills`.
    pub fn with_history(
        coin_count: usize,
        session_start: UnixNanos,
        fills: impl IntoIterator<Item = FillReport>,
    ) -> Self {
        let mut actor = Self::with_session_start(coin_count, session_start);
        for fill in fills {
            let Some(state) = actor.coins.get_mut(fill.coin.index()) else {
                actor.unknown_coin_fills += 1;
                continue;
            };
            if state.ledger.on_fill(Nanos::ZERO, &fill, FillOrigin::Live) == FillOutcome::Booked {
                state.seeded_fills += 1;
                state.mark_usd = fill.px.to_f64();
            }
        }
        actor.announce_seeded = actor.coins.iter().any(|c| c.seeded_fills > 0);
        actor
    }

    /// Books `fill` (live or historical) and tells Risk, Quote and Calibration if it counted.
    fn on_fill(&mut self, now: Nanos, fill: &FillReport, origin: FillOrigin, out: &mut Outbox) {
        let Some(state) = self.coins.get_mut(fill.coin.index()) else {
            self.unknown_coin_fills += 1;
            tracing::error!(coin = fill.coin.0, tid = fill.tid, "fill for a coin this engine does not trade");
            return;
        };
        match state.ledger.on_fill(now, fill, origin) {
            FillOutcome::Booked | FillOutcome::Recovered => {}
            FillOutcome::Duplicate => {
                tracing::debug!(coin = fill.coin.0, tid = fill.tid, "duplicate fill ignored");
                return;
            }
            FillOutcome::History => return,
        }
        if state.ledger.pending_markouts() > 0 {
            self.next_tick.get_or_insert(now + MARKOUT_TICK);
        }
        if state.mark_usd == 0.0 {
            state.mark_usd = fill.px.to_f64();
        }
        out.send(ActorId::Risk, Msg::Pnl(PnlUpdate { coin: fill.coin, accounting: state.accounting() }));
        let update = PositionUpdate { coin: fill.coin, position: state.ledger.position().qty() };
        out.send(ActorId::Quote, Msg::Position(update));
        let outcome = Outcome { coin: fill.coin, cloid: fill.cloid, kind: OutcomeKind::Filled, at: now };
        out.send(ActorId::Calibration, Msg::Outcome(outcome));
    }
}

impl Actor for FillActor {
    fn id(&self) -> ActorId {
        ActorId::Fill
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        match msg {
            Msg::Venue(VenueEvent::Fill(fill)) => self.on_fill(now, &fill, FillOrigin::Live, out),
            Msg::Venue(VenueEvent::HistoricalFill(fill)) => self.on_fill(now, &fill, FillOrigin::Snapshot, out),
            Msg::Venue(VenueEvent::Funding { coin, payment_usd, exchange_time }) => {
                let Some(state) = self.coins.get_mut(coin.index()) else {
                    tracing::error!(coin = coin.0, "funding for a coin this engine does not trade");
                    return;
                };
                if state.ledger.on_funding(exchange_time, payment_usd) {
                    out.send(ActorId::Risk, Msg::Pnl(PnlUpdate { coin, accounting: state.accounting() }));
                }
            }
            Msg::Params(params) => {
                let coin = params.coin;
                if let Some(state) = self.coins.get_mut(coin.index()) {
                    state.mark_usd = params.mid_usd;
                    // Each fill's attribution horizon: its realized adverse selection and edge.
                    state.ledger.on_mid_with(now, params.mid_usd, |fill, mid| {
                        let kind =
                            OutcomeKind::Markout { adverse_bps: fill.adverse_bps(mid), edge_bps: fill.edge_bps(mid) };
                        out.send(
                            ActorId::Calibration,
                            Msg::Outcome(Outcome { coin, cloid: fill.cloid, kind, at: now }),
                        );
                    });
                }
            }
            _ => {}
        }
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        if self.announce_seeded {
            return Some(Nanos::ZERO);
        }
        self.next_tick
    }

    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        if std::mem::take(&mut self.announce_seeded) {
            for (i, state) in self.coins.iter().enumerate().filter(|(_, c)| c.seeded_fills > 0) {
                let coin = CoinId(i as u8);
                out.send(ActorId::Risk, Msg::Pnl(PnlUpdate { coin, accounting: state.accounting() }));
                let position = state.ledger.position().qty();
                out.send(ActorId::Quote, Msg::Position(PositionUpdate { coin, position }));
            }
        }
        let mut pending = false;
        for state in &mut self.coins {
            state.ledger.on_time(now);
            pending |= state.ledger.pending_markouts() > 0;
        }
        self.next_tick = pending.then(|| now + MARKOUT_TICK);
    }

    fn report(&self) -> ActorReport {
        let coins = self
            .coins
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let ledger = c.ledger.snapshot();
                CoinPnl {
                    coin: CoinId(i as u8),
                    pnl: c.ledger.position().snapshot(c.mark_usd),
                    markouts: ledger.markouts,
                    attribution: ledger.attribution,
                    funding_usd: ledger.funding_usd,
                    funding_payments: ledger.funding_payments,
                    snapshots: ledger.snapshots,
                    seeded_fills: c.seeded_fills,
                }
            })
            .collect();
        ActorReport::Fill(FillSummary { coins, unknown_coin_fills: self.unknown_coin_fills })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::types::{Cloid, Price, Qty, Side};
    use engine::venue::Liquidity;

    fn fill(coin: u8) -> Msg {
        Msg::Venue(VenueEvent::Fill(FillReport {
            coin: CoinId(coin),
            cloid: Cloid(1),
            side: Side::Bid,
            px: Price::from_f64(100.0),
            qty: Qty::from_f64(2.0),
            remaining: Qty::ZERO,
            fee_usd: 0.03,
            liquidity: Liquidity::Maker,
            exchange_time: UnixNanos(0),
            tid: 9,
        }))
    }

    #[test]
    fn a_fill_updates_the_position_and_tells_risk_quote_and_calibration() {
        let mut actor = FillActor::new(1);
        let mut out = Outbox::default();
        actor.handle(Nanos(1), fill(0), &mut out);
        let sent = out.take();
        let targets: Vec<ActorId> = sent.iter().map(|o| o.to).collect();
        assert_eq!(targets, vec![ActorId::Risk, ActorId::Quote, ActorId::Calibration]);
        let Msg::Pnl(pnl) = &sent[0].msg else { panic!("Risk gets the accounting: {:?}", sent[0].msg) };
        let a = pnl.accounting;
        assert_eq!((a.position, a.avg_entry_usd, a.fees_usd, a.volume_usd), (Qty::from_f64(2.0), 100.0, 0.03, 200.0));
        let ActorReport::Fill(s) = actor.report() else { panic!("fill report") };
        assert_eq!(s.coins[0].pnl.position_base, 2.0);
        assert_eq!(s.coins[0].pnl.fills, 1);
    }

    #[test]
    fn a_duplicate_fill_changes_nothing_and_tells_nobody() {
        let mut actor = FillActor::new(1);
        let mut out = Outbox::default();
        actor.handle(Nanos(1), fill(0), &mut out);
        out.take();
        actor.handle(Nanos(2), fill(0), &mut out);
        assert!(out.is_empty());
        let ActorReport::Fill(s) = actor.report() else { panic!("fill report") };
        assert_eq!((s.coins[0].pnl.position_base, s.coins[0].pnl.fills), (2.0, 1));
    }

    #[test]
    fn a_fill_for_an_unknown_coin_is_counted_not_a_panic() {
        let mut actor = FillActor::new(1);
        let mut out = Outbox::default();
        actor.handle(Nanos(1), fill(7), &mut out);
        assert!(out.is_empty());
        let ActorReport::Fill(s) = actor.report() else { panic!("fill report") };
        assert_eq!(s.unknown_coin_fills, 1);
        assert_eq!(s.coins[0].pnl.fills, 0);
    }

    #[test]
    fn the_clock_expires_markouts_while_the_feed_is_quiet() {
        let mut actor = FillActor::new(1);
        let mut out = Outbox::default();
        assert_eq!(actor.next_wakeup(), None, "no markouts, no timer");
        actor.handle(Nanos(1), crate::testkit::params(0, 1), &mut out);
        actor.handle(Nanos(2), fill(0), &mut out);
        assert_eq!(actor.next_wakeup(), Some(Nanos(2) + MARKOUT_TICK));
        // The feed goes quiet: no mid after the fill, only the timer.
        let mut now = Nanos(2);
        while let Some(t) = actor.next_wakeup() {
            assert!(t > now, "the timer moves forward");
            now = t;
            actor.on_wakeup(now, &mut out);
        }
        assert!(now <= Nanos::from_millis(61_500 + 1) + MARKOUT_TICK, "stops once every horizon expired: {now:?}");
        let ActorReport::Fill(s) = actor.report() else { panic!("fill report") };
        let m = s.coins[0].markouts;
        assert_eq!(m.pending, 0);
        for h in 0..m.horizons_ms.len() {
            assert_eq!((m.cells[h][0].expired, m.cells[h][0].count), (1, 0), "horizon {h}");
        }
        let a = s.coins[0].attribution;
        assert_eq!(a.total.fees_usd, 0.03);
    }

    fn report(actor: &FillActor) -> FillSummary {
        let ActorReport::Fill(s) = actor.report() else { panic!("fill report") };
        s
    }

    const SESSION: UnixNanos = UnixNanos(1_000_000_000);

    fn traded(tid: u64, side: Side, px: f64, qty: f64, fee_usd: f64, exchange_ns: u64) -> FillReport {
        FillReport {
            coin: CoinId(0),
            cloid: Cloid(u128::from(tid)),
            side,
            px: Price::from_f64(px),
            qty: Qty::from_f64(qty),
            remaining: Qty::ZERO,
            fee_usd,
            liquidity: Liquidity::Maker,
            exchange_time: UnixNanos(exchange_ns),
            tid,
        }
    }

    fn pnl_of(sent: &[crate::actor::Outgoing]) -> Vec<CoinAccounting> {
        sent.iter().filter_map(|o| if let Msg::Pnl(p) = &o.msg { Some(p.accounting) } else { None }).collect()
    }

    #[test]
    fn historical_fills_are_reconciled_known_history_or_recovered() {
        let mut actor = FillActor::with_session_start(1, SESSION);
        let mut out = Outbox::default();
        let live = traded(1, Side::Bid, 100.0, 1.0, 0.0, SESSION.0 + 10);
        actor.handle(Nanos(1), Msg::Venue(VenueEvent::Fill(live)), &mut out);
        out.take();
        // The live fill again, in the snapshot: known, nobody told.
        actor.handle(Nanos(2), Msg::Venue(VenueEvent::HistoricalFill(live)), &mut out);
        // Before the session: history, not booked.
        let old = traded(2, Side::Bid, 90.0, 5.0, 0.1, SESSION.0 - 1);
        actor.handle(Nanos(3), Msg::Venue(VenueEvent::HistoricalFill(old)), &mut out);
        assert!(out.is_empty());
        // The session's, never seen live: booked and told like a live fill.
        let missed = traded(3, Side::Bid, 102.0, 1.0, 0.0, SESSION.0 + 20);
        actor.handle(Nanos(4), Msg::Venue(VenueEvent::HistoricalFill(missed)), &mut out);
        let sent = out.take();
        let targets: Vec<ActorId> = sent.iter().map(|o| o.to).collect();
        assert_eq!(targets, vec![ActorId::Risk, ActorId::Quote, ActorId::Calibration]);
        assert_eq!(pnl_of(&sent)[0].position, Qty::from_f64(2.0));
        let s = report(&actor).coins[0];
        assert_eq!((s.snapshots.snapshot_fills, s.snapshots.known, s.snapshots.history_fills), (3, 1, 1));
        assert_eq!((s.snapshots.recovered, s.pnl.fills, s.pnl.position_base), (1, 2, 2.0));
        assert_eq!(s.pnl.avg_entry_usd, 101.0);
    }

    #[test]
    fn funding_is_booked_once_and_risk_sees_it_as_realized_pnl() {
        let mut actor = FillActor::new(1);
        let mut out = Outbox::default();
        let funding = |payment_usd, t| {
            Msg::Venue(VenueEvent::Funding { coin: CoinId(0), payment_usd, exchange_time: UnixNanos(t) })
        };
        actor.handle(Nanos(1), funding(-0.25, 3_600), &mut out);
        actor.handle(Nanos(2), funding(-0.25, 3_600), &mut out);
        actor.handle(Nanos(3), funding(0.75, 7_200), &mut out);
        let accounting = pnl_of(&out.take());
        assert_eq!(accounting.len(), 2, "the replayed payment tells nobody");
        assert_eq!((accounting[0].realized_pnl_usd, accounting[1].realized_pnl_usd), (-0.25, 0.5));
        let s = report(&actor).coins[0];
        assert_eq!((s.funding_usd, s.funding_payments), (0.5, 2));
        assert_eq!(s.attribution.total.funding_usd, 0.5);
        // Funding of an unknown coin is not a panic.
        actor.handle(
            Nanos(4),
            Msg::Venue(VenueEvent::Funding { coin: CoinId(9), payment_usd: 1.0, exchange_time: UnixNanos(1) }),
            &mut out,
        );
        assert!(out.is_empty());
    }

    #[test]
    fn a_seeded_actor_holds_the_position_and_pnl_its_fills_imply() {
        let fills = [
            traded(1, Side::Bid, 100.0, 2.0, 0.02, SESSION.0 + 1),
            traded(2, Side::Ask, 110.0, 1.0, -0.01, SESSION.0 + 2),
            traded(2, Side::Ask, 110.0, 1.0, -0.01, SESSION.0 + 2),
            FillReport { coin: CoinId(5), ..traded(3, Side::Bid, 1.0, 1.0, 0.0, SESSION.0 + 3) },
        ];
        let mut actor = FillActor::with_history(1, SESSION, fills);
        let s = report(&actor);
        let c = s.coins[0];
        assert_eq!((c.seeded_fills, c.pnl.fills, s.unknown_coin_fills), (2, 2, 1), "the duplicate counted once");
        assert_eq!((c.pnl.position_base, c.pnl.avg_entry_usd, c.pnl.realized_pnl_usd), (1.0, 100.0, 10.0));
        assert_eq!(c.pnl.mark_usd, 110.0, "marked at the last fill until a mid comes");
        assert_eq!(c.markouts.pending, 0, "no markouts for seeded fills");
        // At start it tells Risk and Quote the books it holds, once.
        let mut out = Outbox::default();
        assert_eq!(actor.next_wakeup(), Some(Nanos::ZERO));
        actor.on_wakeup(Nanos::ZERO, &mut out);
        let told = out.take();
        assert_eq!(pnl_of(&told)[0].position, Qty::from_f64(1.0));
        assert!(told.iter().any(|o| matches!(o.msg, Msg::Position(p) if p.position == Qty::from_f64(1.0))));
        assert_eq!(actor.next_wakeup(), None);
        // The snapshot after the restart knows the seeded fills; a fill missed while down counts.
        actor.handle(Nanos(1), Msg::Venue(VenueEvent::HistoricalFill(fills[1])), &mut out);
        assert!(out.is_empty());
        let missed = traded(4, Side::Ask, 120.0, 1.0, 0.0, SESSION.0 + 4);
        actor.handle(Nanos(2), Msg::Venue(VenueEvent::HistoricalFill(missed)), &mut out);
        let accounting = pnl_of(&out.take());
        assert_eq!((accounting[0].position, accounting[0].realized_pnl_usd), (Qty::ZERO, 30.0));
        let c = report(&actor).coins[0];
        assert_eq!((c.snapshots.known, c.snapshots.recovered), (1, 1));
    }
}
