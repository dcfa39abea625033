//! RiskActor: the only gate between the quote path and the venue.
//!
//! Each intent is passed through the `RiskGate` with the coin's limits and current position;
//! what survives goes to OrderActor. A trading-state command re-applies the latest intent of
//! every coin at once, so HALTED cancels every order without waiting for the next tick.

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
    last_intent: TargetLadder,
    approved: TargetLadder,
}

pub struct RiskActor {
    gate: RiskGate,
    coins: Vec<CoinState>,
    intents: u64,
    levels_clipped: u64,
    levels_dropped: u64,
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
                last_intent: TargetLadder::empty(CoinId(i as u8)),
                approved: TargetLadder::empty(CoinId(i as u8)),
            })
            .collect();
        Self { gate: RiskGate::new(initial, Nanos::ZERO), coins, intents: 0, levels_clipped: 0, levels_dropped: 0 }
    }

    fn approve(&mut self, coin: usize, out: &mut Outbox) {
        let Some(state) = self.coins.get_mut(coin) else { return };
        let verdict = self.gate.approve(
            &state.last_intent,
            &state.instrument,
            &state.limits,
            state.position,
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
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Risk(RiskReport {
            trading_state: self.gate.last_change().clone(),
            intents: self.intents,
            levels_clipped: self.levels_clipped,
            levels_dropped: self.levels_dropped,
        })
    }
}
