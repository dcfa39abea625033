//! QuoteActor: turns the newest book, the latest `MarketParams` and the position into a
//! target ladder for RiskActor, and records each decision as a prediction for calibration.
//!
//! It decides on every book (the tick), not on every params update, so the hot path is
//! Feed → Quote → Risk → Order; the estimator's output is used as of its last update, with
//! the touch and mid taken from the book in hand. A position change also requotes, since
//! the inventory skew moved.

use crate::msg::Msg;
use crate::report::{ActorReport, QuoteReport};
use crate::{Actor, ActorId, Outbox};
use engine::calibration::{Prediction, PredictionKind};
use engine::estimator::MarketParams;
use engine::instrument::Instrument;
use engine::quote::{InventoryInputs, StaticSpreadQuoter, TargetLadder};
use engine::types::{CoinId, Nanos, Qty};

/// Per-coin quoting inputs fixed by the configuration.
#[derive(Debug, Clone)]
pub struct QuoteCoin {
    pub instrument: Instrument,
    pub order_size: Qty,
    pub max_position: Qty,
}

struct CoinState {
    config: QuoteCoin,
    params: Option<MarketParams>,
    position: Qty,
    ladder: TargetLadder,
}

pub struct QuoteActor {
    quoter: StaticSpreadQuoter,
    coins: Vec<CoinState>,
    report: QuoteReport,
}

impl QuoteActor {
    pub fn new(quoter: StaticSpreadQuoter, coins: Vec<QuoteCoin>) -> Self {
        let coins = coins
            .into_iter()
            .enumerate()
            .map(|(i, config)| CoinState {
                config,
                params: None,
                position: Qty::ZERO,
                ladder: TargetLadder::empty(CoinId(i as u8)),
            })
            .collect();
        Self { quoter, coins, report: QuoteReport::default() }
    }

    fn decide(&mut self, now: Nanos, coin: CoinId, out: &mut Outbox) {
        let Some(state) = self.coins.get_mut(coin.index()) else { return };
        let Some(params) = state.params else {
            self.report.skipped_not_ready += 1;
            return;
        };
        let inventory = InventoryInputs {
            position: state.position,
            order_size: state.config.order_size,
            max_position: state.config.max_position,
        };
        self.quoter.ladder(&state.config.instrument, &params, &inventory, &mut state.ladder);
        self.report.decisions += 1;
        self.report.levels_quoted += state.ladder.level_count() as u64;
        let levels = state.ladder.level_count() as u32;
        out.send(ActorId::Risk, Msg::Intent(state.ladder.clone()));
        out.send(
            ActorId::Calibration,
            Msg::Prediction(Prediction { coin, kind: PredictionKind::QuoteDecision, levels, made_at: now }),
        );
    }
}

impl Actor for QuoteActor {
    fn id(&self) -> ActorId {
        ActorId::Quote
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        match msg {
            Msg::Book(book) => {
                let Some(state) = self.coins.get_mut(book.coin.index()) else { return };
                let (Some(mid), Some(micro)) = (book.mid_usd(), book.weighted_mid_usd()) else { return };
                if let Some(p) = state.params.as_mut() {
                    p.best_bid = book.bids[0].px;
                    p.best_ask = book.asks[0].px;
                    p.mid_usd = mid;
                    p.microprice_usd = micro;
                }
                self.decide(now, book.coin, out);
            }
            Msg::Params(params) => {
                if let Some(state) = self.coins.get_mut(params.coin.index()) {
                    let first = state.params.is_none();
                    state.params = Some(params);
                    if first {
                        self.decide(now, params.coin, out);
                    }
                }
            }
            Msg::Position(update) => {
                if let Some(state) = self.coins.get_mut(update.coin.index()) {
                    state.position = update.position;
                    self.decide(now, update.coin, out);
                }
            }
            _ => {}
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Quote(self.report.clone())
    }
}
