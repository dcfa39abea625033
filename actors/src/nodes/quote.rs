//! QuoteActor: turns the newest book, the latest `MarketParams` and the position into a
//! target ladder for RiskActor — each coin through its own `Quoter` (model + construction
//! pipeline) — and sends every decision's record to CalibrationActor, which logs it off the
//! hot path.
//!
//! It decides on every book (the tick), not on every params update, so the hot path is
//! Feed → Quote → Risk → Order; the estimator's output is used as of its last update, with
//! the touch and mid taken from the book in hand. A position change also requotes, since
//! the inventory skew moved. The quote parameters (model, γ, base spread, levels) change at
//! run time by `Command::SetQuoteParams`: validated whole, applied between two messages, or
//! refused with the reason and the old parameters kept.

use crate::control::{Command, CommandReply, QuoteParamsChange};
use crate::msg::Msg;
use crate::report::{ActorReport, QuoteReport};
use crate::{Actor, ActorId, Outbox};
use engine::estimator::MarketParams;
use engine::instrument::Instrument;
use engine::quote::{Fallback, InventoryInputs, QuoteConfig, Quoter, TargetLadder};
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
    quoter: Quoter,
    params: Option<MarketParams>,
    position: Qty,
    ladder: TargetLadder,
}

pub struct QuoteActor {
    config: QuoteConfig,
    coins: Vec<CoinState>,
    report: QuoteReport,
}

/// Writes the run-time changeable parameters of `config` into the report.
fn describe(config: &QuoteConfig, report: &mut QuoteReport) {
    report.model = config.model.name().to_string();
    report.gamma_per_usd = config.gamma_per_usd;
    report.min_edge_bps = config.construction.half_spread.min_edge_bps;
    report.levels_per_side = config.construction.levels.levels_per_side;
    report.level_spacing_bps = config.construction.levels.level_spacing_bps;
    report.requote_tolerance_bps = config.requote_tolerance.price_bps;
}

fn quoters(config: &QuoteConfig, n: usize) -> Result<Vec<Quoter>, String> {
    (0..n).map(|_| Quoter::new(config.clone()).map_err(|e| e.to_string())).collect()
}

impl QuoteActor {
    pub fn new(config: QuoteConfig, coins: Vec<QuoteCoin>) -> Result<Self, String> {
        let mut made = quoters(&config, coins.len())?;
        let coins = coins
            .into_iter()
            .zip(made.drain(..))
            .enumerate()
            .map(|(i, (config, quoter))| CoinState {
                config,
                quoter,
                params: None,
                position: Qty::ZERO,
                ladder: TargetLadder::empty(CoinId(i as u8)),
            })
            .collect();
        let mut report = QuoteReport { params_version: 1, ..QuoteReport::default() };
        describe(&config, &mut report);
        Ok(Self { config, coins, report })
    }

    fn decide(&mut self, coin: CoinId, out: &mut Outbox) {
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
        let (decision, fallback) =
            state.quoter.decide(&params, &inventory, &state.config.instrument, &mut state.ladder);
        match fallback {
            Some(Fallback::Cold) => self.report.fallback_cold += 1,
            Some(Fallback::ModelError) => self.report.fallback_model_error += 1,
            None => {}
        }
        self.report.gated_sides += u64::from(decision.bid.toxicity.gated) + u64::from(decision.ask.toxicity.gated);
        self.report.decisions += 1;
        self.report.levels_quoted += state.ladder.level_count() as u64;
        out.send(ActorId::Risk, Msg::Intent(state.ladder.clone()));
        out.send(ActorId::Calibration, Msg::Decision(decision));
    }

    /// Validates the changed parameters as a whole; applies them to every coin or to none.
    fn change(&mut self, change: &QuoteParamsChange) -> CommandReply {
        let mut next = self.config.clone();
        change.apply(&mut next);
        match quoters(&next, self.coins.len()) {
            Ok(made) => {
                for (state, quoter) in self.coins.iter_mut().zip(made) {
                    state.quoter = quoter;
                }
                describe(&next, &mut self.report);
                self.report.params_version += 1;
                self.config = next;
                CommandReply::Applied { version: self.report.params_version }
            }
            Err(reason) => CommandReply::Refused(reason),
        }
    }
}

impl Actor for QuoteActor {
    fn id(&self) -> ActorId {
        ActorId::Quote
    }

    fn handle(&mut self, _now: Nanos, msg: Msg, out: &mut Outbox) {
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
                self.decide(book.coin, out);
            }
            Msg::Params(params) => {
                if let Some(state) = self.coins.get_mut(params.coin.index()) {
                    let first = state.params.is_none();
                    state.params = Some(params);
                    if first {
                        self.decide(params.coin, out);
                    }
                }
            }
            Msg::Position(update) => {
                if let Some(state) = self.coins.get_mut(update.coin.index()) {
                    state.position = update.position;
                    self.decide(update.coin, out);
                }
            }
            _ => {}
        }
    }

    fn on_command(&mut self, _now: Nanos, command: &Command, _out: &mut Outbox) -> CommandReply {
        match command {
            Command::SetQuoteParams(change) => self.change(change),
            _ => CommandReply::Unsupported,
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Quote(self.report.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::quote::models::StaticSpreadModelConfig;
    use engine::quote::ModelKind;
    use engine::types::Price;

    fn actor() -> QuoteActor {
        let mut config = QuoteConfig::static_baseline(StaticSpreadModelConfig {
            half_spread_bps: 3.0,
            inventory_skew_bps_per_lot: 0.0,
        });
        config.construction.levels.levels_per_side = 2;
        let coin = QuoteCoin {
            instrument: Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 },
            order_size: Qty::from_f64(0.001),
            max_position: Qty::from_f64(0.01),
        };
        QuoteActor::new(config, vec![coin]).unwrap()
    }

    fn quote(actor: &mut QuoteActor) -> TargetLadder {
        let params = MarketParams::cold(CoinId(0), Price::from_f64(99_999.0), Price::from_f64(100_001.0), 1e5, 1e5);
        let mut out = Outbox::default();
        actor.handle(Nanos(1), Msg::Params(params), &mut out);
        actor.coins[0].params = Some(params);
        actor.decide(CoinId(0), &mut out);
        let sent = out.take();
        assert!(sent.iter().any(|o| o.to == ActorId::Calibration && matches!(o.msg, Msg::Decision(_))));
        sent.into_iter().rev().find_map(|o| if let Msg::Intent(l) = o.msg { Some(l) } else { None }).expect("an intent")
    }

    fn command(actor: &mut QuoteActor, change: QuoteParamsChange) -> CommandReply {
        actor.on_command(Nanos(2), &Command::SetQuoteParams(change), &mut Outbox::default())
    }

    #[test]
    fn a_parameter_change_applies_to_the_next_quote_and_a_bad_one_is_refused_whole() {
        let mut actor = actor();
        assert_eq!(quote(&mut actor).bids.len(), 2);
        let change = QuoteParamsChange { levels_per_side: Some(4), model: Some(ModelKind::Glft), ..Default::default() };
        assert_eq!(command(&mut actor, change), CommandReply::Applied { version: 2 });
        let ActorReport::Quote(r) = actor.report() else { panic!("quote report") };
        assert_eq!((r.model.as_str(), r.params_version, r.levels_per_side), ("glft", 2, 4));
        // GLFT is cold here, so the baseline quotes, with the new level count.
        assert_eq!(quote(&mut actor).bids.len(), 4);

        // γ ≤ 0 is refused with its key; the level change in the same command is not applied.
        let bad = QuoteParamsChange { gamma_per_usd: Some(-1.0), levels_per_side: Some(1), ..Default::default() };
        let CommandReply::Refused(reason) = command(&mut actor, bad) else { panic!("accepted γ = -1") };
        assert!(reason.contains("gamma_per_usd"), "{reason}");
        assert_eq!(quote(&mut actor).bids.len(), 4);
        let too_many = QuoteParamsChange { levels_per_side: Some(99), ..Default::default() };
        let CommandReply::Refused(reason) = command(&mut actor, too_many) else { panic!("accepted 99 levels") };
        assert!(reason.contains("levels_per_side"), "{reason}");
        let ActorReport::Quote(r) = actor.report() else { panic!("quote report") };
        assert_eq!(r.params_version, 2);
    }
}
