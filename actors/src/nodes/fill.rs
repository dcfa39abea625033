//! FillActor: turns fills into position, cash and PnL per coin, marks the position to the
//! latest mid, tells QuoteActor the new position and RiskActor the new accounting (position,
//! PnL parts, traded volume — Risk marks it to its own mids for the loss limits), and
//! reports each fill as an outcome to CalibrationActor.
//!
//! Each coin's books are an [`engine::portfolio::CoinLedger`]: a fill whose (coin, tid) was
//! seen before changes nothing and tells nobody; mids feed its markouts and attribution, and
//! while markouts are open a timer ([`MARKOUT_TICK`]) lets the clock expire those whose mid
//! never comes (a quiet feed).

use crate::msg::{Msg, PnlUpdate, PositionUpdate};
use crate::report::{ActorReport, CoinPnl, FillSummary};
use crate::{Actor, ActorId, Outbox};
use engine::calibration::{Outcome, OutcomeKind};
use engine::portfolio::{CoinLedger, FillOrigin, FillOutcome, LedgerConfig};
use engine::risk::CoinAccounting;
use engine::types::{CoinId, Nanos, UnixNanos};
use engine::venue::VenueEvent;

/// How often the clock expires open markouts while the feed is quiet.
pub const MARKOUT_TICK: Nanos = Nanos::from_millis(500);

struct CoinState {
    ledger: CoinLedger,
    mark_usd: f64,
}

pub struct FillActor {
    coins: Vec<CoinState>,
    unknown_coin_fills: u64,
    /// Set while some coin has open markouts.
    next_tick: Option<Nanos>,
}

impl FillActor {
    pub fn new(coin_count: usize) -> Self {
        let config = LedgerConfig::default();
        // Only live fills reach this actor so far; no snapshot fill is told from history yet.
        let coins = (0..coin_count)
            .map(|_| CoinState { ledger: CoinLedger::new(&config, UnixNanos(0)), mark_usd: 0.0 })
            .collect();
        Self { coins, unknown_coin_fills: 0, next_tick: None }
    }
}

impl Actor for FillActor {
    fn id(&self) -> ActorId {
        ActorId::Fill
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        match msg {
            Msg::Venue(VenueEvent::Fill(fill)) => {
                let Some(state) = self.coins.get_mut(fill.coin.index()) else {
                    self.unknown_coin_fills += 1;
                    tracing::error!(coin = fill.coin.0, tid = fill.tid, "fill for a coin this engine does not trade");
                    return;
                };
                if state.ledger.on_fill(now, &fill, FillOrigin::Live) == FillOutcome::Duplicate {
                    tracing::debug!(coin = fill.coin.0, tid = fill.tid, "duplicate fill ignored");
                    return;
                }
                if state.ledger.pending_markouts() > 0 {
                    self.next_tick.get_or_insert(now + MARKOUT_TICK);
                }
                if state.mark_usd == 0.0 {
                    state.mark_usd = fill.px.to_f64();
                }
                let pnl = state.ledger.position().snapshot(state.mark_usd);
                let accounting = CoinAccounting {
                    position: state.ledger.position().qty(),
                    avg_entry_usd: pnl.avg_entry_usd,
                    realized_pnl_usd: pnl.realized_pnl_usd,
                    fees_usd: pnl.fees_usd,
                    volume_usd: pnl.volume_usd,
                };
                out.send(ActorId::Risk, Msg::Pnl(PnlUpdate { coin: fill.coin, accounting }));
                let update = PositionUpdate { coin: fill.coin, position: state.ledger.position().qty() };
                out.send(ActorId::Quote, Msg::Position(update));
                let outcome = Outcome { coin: fill.coin, cloid: fill.cloid, kind: OutcomeKind::Filled, at: now };
                out.send(ActorId::Calibration, Msg::Outcome(outcome));
            }
            Msg::Params(params) => {
                if let Some(state) = self.coins.get_mut(params.coin.index()) {
                    state.mark_usd = params.mid_usd;
                    state.ledger.on_mid(now, params.mid_usd);
                }
            }
            _ => {}
        }
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        self.next_tick
    }

    fn on_wakeup(&mut self, now: Nanos, _out: &mut Outbox) {
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
                }
            })
            .collect();
        ActorReport::Fill(FillSummary { coins, unknown_coin_fills: self.unknown_coin_fills })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::types::{Cloid, Price, Qty, Side, UnixNanos};
    use engine::venue::{FillReport, Liquidity};

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
}
