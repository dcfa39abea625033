//! FillActor: turns fills into position, cash and PnL per coin, marks the position to the
//! latest mid, tells RiskActor and QuoteActor the new position, and reports each fill as an
//! outcome to CalibrationActor.

use crate::msg::{Msg, PositionUpdate};
use crate::report::{ActorReport, CoinPnl, FillSummary};
use crate::{Actor, ActorId, Outbox};
use engine::calibration::{Outcome, OutcomeKind};
use engine::portfolio::Position;
use engine::types::{CoinId, Nanos};
use engine::venue::VenueEvent;

struct CoinState {
    position: Position,
    mark_usd: f64,
}

pub struct FillActor {
    coins: Vec<CoinState>,
}

impl FillActor {
    pub fn new(coin_count: usize) -> Self {
        Self { coins: (0..coin_count).map(|_| CoinState { position: Position::default(), mark_usd: 0.0 }).collect() }
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
                    tracing::error!(coin = fill.coin.0, "fill for a coin this engine does not trade");
                    return;
                };
                state.position.on_fill(&fill);
                if state.mark_usd == 0.0 {
                    state.mark_usd = fill.px.to_f64();
                }
                let update = PositionUpdate { coin: fill.coin, position: state.position.qty() };
                out.send(ActorId::Risk, Msg::Position(update));
                out.send(ActorId::Quote, Msg::Position(update));
                let outcome = Outcome { coin: fill.coin, cloid: fill.cloid, kind: OutcomeKind::Filled, at: now };
                out.send(ActorId::Calibration, Msg::Outcome(outcome));
            }
            Msg::Params(params) => {
                if let Some(state) = self.coins.get_mut(params.coin.index()) {
                    state.mark_usd = params.mid_usd;
                }
            }
            _ => {}
        }
    }

    fn report(&self) -> ActorReport {
        let coins = self
            .coins
            .iter()
            .enumerate()
            .map(|(i, c)| CoinPnl { coin: CoinId(i as u8), pnl: c.position.snapshot(c.mark_usd) })
            .collect();
        ActorReport::Fill(FillSummary { coins })
    }
}
