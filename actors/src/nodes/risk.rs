//! RiskActor: the only gate between the quote path and the venue.
//!
//! Each intent is passed through the `RiskGate` with the coin's limits and current position;
//! what survives goes to OrderActor. A trading-state command re-applies the latest intent of
//! every coin at once, so HALTED cancels every order without waiting for the next tick; a
//! coin whose feed turns stale has its quotes pulled the same way, and restored when fresh.

use crate::control::{Command, CommandReply};
use crate::msg::Msg;
use crate::report::{ActorReport, RiskReport};
use crate::{Actor, ActorId, Outbox};
use engine::instrument::Instrument;
use engine::quote::TargetLadder;
use engine::risk::{CoinLimits, RiskGate, TradingState};
use engine::types::{CoinId, Nanos, Qty};

struct CoinState {
    instrument: Instrument,
    limits: CoinLimits,
    position: Qty,
    feed_stale: bool,
    last_intent: TargetLadder,
    approved: TargetLadder,
}

pub struct RiskActor {
    gate: RiskGate,
    coins: Vec<CoinState>,
    intents: u64,
    levels_clipped: u64,
    levels_dropped: u64,
    feed_health_changes: u64,
}

impl RiskActor {
    pub fn new(initial: TradingState, coins: Vec<(Instrument, CoinLimits)>) -> Self {
        let coins = coins
            .into_iter()
            .enumerate()
            .map(|(i, (instrument, limits))| CoinState {
                instrument,
                limits,
                position: Qty::ZERO,
                feed_stale: false,
                last_intent: TargetLadder::empty(CoinId(i as u8)),
                approved: TargetLadder::empty(CoinId(i as u8)),
            })
            .collect();
        Self {
            gate: RiskGate::new(initial, Nanos::ZERO),
            coins,
            intents: 0,
            levels_clipped: 0,
            levels_dropped: 0,
            feed_health_changes: 0,
        }
    }

    fn approve(&mut self, coin: usize, out: &mut Outbox) {
        let Some(state) = self.coins.get_mut(coin) else { return };
        let verdict = self.gate.approve(
            &state.last_intent,
            &state.instrument,
            &state.limits,
            state.position,
            state.feed_stale,
            &mut state.approved,
        );
        self.levels_clipped += u64::from(verdict.levels_clipped);
        self.levels_dropped += u64::from(verdict.levels_dropped);
        out.send(ActorId::Order, Msg::Approved(state.approved.clone()));
    }
}

impl Actor for RiskActor {
    fn id(&self) -> ActorId {
        ActorId::Risk
    }

    fn handle(&mut self, _now: Nanos, msg: Msg, out: &mut Outbox) {
        match msg {
            Msg::Intent(ladder) => {
                let coin = ladder.coin.index();
                let Some(state) = self.coins.get_mut(coin) else { return };
                self.intents += 1;
                state.last_intent.clone_from(&ladder);
                self.approve(coin, out);
            }
            Msg::Position(update) => {
                if let Some(state) = self.coins.get_mut(update.coin.index()) {
                    state.position = update.position;
                }
            }
            Msg::FeedHealth(health) => {
                let coin = health.coin.index();
                let Some(state) = self.coins.get_mut(coin) else { return };
                if state.feed_stale != health.stale {
                    state.feed_stale = health.stale;
                    self.feed_health_changes += 1;
                    // Pull (or restore) this coin's quotes now, not at its next tick.
                    self.approve(coin, out);
                }
            }
            _ => {}
        }
    }

    fn on_command(&mut self, now: Nanos, command: &Command, out: &mut Outbox) -> CommandReply {
        match command {
            Command::SetTradingState { state, reason } => {
                if !self.gate.set_state(*state, reason, now) {
                    return CommandReply::Unchanged;
                }
                tracing::info!(state = ?state, reason = %reason, "trading state changed");
                for coin in 0..self.coins.len() {
                    self.approve(coin, out);
                }
                CommandReply::Done
            }
            Command::SetQuoteParams(_) => CommandReply::Unsupported,
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Risk(RiskReport {
            trading_state: self.gate.last_change().clone(),
            intents: self.intents,
            levels_clipped: self.levels_clipped,
            levels_dropped: self.levels_dropped,
            stale_coins: self.coins.iter().filter(|c| c.feed_stale).count(),
            feed_health_changes: self.feed_health_changes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::FeedHealth;
    use engine::quote::QuoteLevel;
    use engine::types::Price;

    fn actor() -> RiskActor {
        let btc = Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 };
        let limits = CoinLimits { max_position: Qty::from_f64(0.01), max_order_size: Qty::from_f64(0.001) };
        RiskActor::new(TradingState::Active, vec![(btc, limits)])
    }

    fn intent() -> Msg {
        let mut l = TargetLadder::empty(CoinId(0));
        l.bids.push(QuoteLevel { px: Price::from_f64(99_990.0), qty: Qty::from_f64(0.001) });
        l.asks.push(QuoteLevel { px: Price::from_f64(100_010.0), qty: Qty::from_f64(0.001) });
        Msg::Intent(l)
    }

    /// Levels in each ladder the actor sent to OrderActor.
    fn approved_levels(actor: &mut RiskActor, msg: Msg) -> Vec<usize> {
        let mut out = Outbox::default();
        actor.handle(Nanos(1), msg, &mut out);
        out.take()
            .into_iter()
            .filter_map(|o| match o.msg {
                Msg::Approved(l) => Some(l.level_count()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_stale_feed_pulls_the_coins_quotes_until_it_is_fresh() {
        let mut risk = actor();
        assert_eq!(approved_levels(&mut risk, intent()), vec![2]);
        let stale = Msg::FeedHealth(FeedHealth { coin: CoinId(0), stale: true, since: Nanos(0) });
        assert_eq!(approved_levels(&mut risk, stale), vec![0], "pulled at once");
        assert_eq!(approved_levels(&mut risk, intent()), vec![0], "nothing while stale");
        let fresh = Msg::FeedHealth(FeedHealth { coin: CoinId(0), stale: false, since: Nanos(2) });
        assert_eq!(approved_levels(&mut risk, fresh), vec![2], "restored at once");
        let ActorReport::Risk(r) = risk.report() else { panic!("risk report") };
        assert_eq!((r.stale_coins, r.feed_health_changes), (0, 2));
        let unknown = Msg::FeedHealth(FeedHealth { coin: CoinId(9), stale: true, since: Nanos(0) });
        assert!(approved_levels(&mut risk, unknown).is_empty(), "unknown coin ignored");
    }
}
