//! QuoteActor: turns the newest book, the latest `MarketParams` and the position into a
//! target ladder for RiskActor — each coin through its own `Quoter` (model + construction
//! pipeline) — and sends every decision's record to CalibrationActor, which logs it off the
//! hot path.
//!
//! **Predictions.** Every level of every decision carries its predictions (fill probability
//! within the order's life, adverse selection, edge and its uncertainty, the lead call:
//! [`predict_levels`]) under an id made of the decision's sequence number and the level's
//! slot; they travel in the ladder to OrderActor, which binds them to the order's cloid.
//! What the outcomes taught each context bucket comes back from CalibrationActor as
//! `Msg::Feedback` (the priors until then). With `[calibration.widen]` on, a side whose
//! innermost level would sit in a bucket of poor realized edge is widened by `widen_bps`; the
//! bucket is judged at the depth the quote would have without that widening, so widening does
//! not switch itself off by moving the level into another bucket.
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
use engine::calibration::{bucket_of, predict_levels, CalibrationConfig, CoinFeedback, ModelTag, PredictionInputs};
use engine::estimator::MarketParams;
use engine::instrument::Instrument;
use engine::quote::{Fallback, InventoryInputs, QuoteConfig, Quoter, TargetLadder, STATIC_FALLBACK};
use engine::types::{CoinId, Nanos, Qty, Side};

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
    feedback: CoinFeedback,
    /// Depth of each side's innermost level before edge widening, bps (last decision).
    unwidened_depth_bps: [Option<f64>; 2],
}

pub struct QuoteActor {
    config: QuoteConfig,
    calibration: CalibrationConfig,
    coins: Vec<CoinState>,
    decisions: u64,
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
    /// Predictions start from `CalibrationConfig::default()` priors, widening off (see
    /// [`Self::with_calibration`]).
    pub fn new(config: QuoteConfig, coins: Vec<QuoteCoin>) -> Result<Self, String> {
        let calibration = CalibrationConfig::default();
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
                feedback: CoinFeedback::prior(CoinId(i as u8), &calibration),
                unwidened_depth_bps: [None; 2],
            })
            .collect();
        let mut report = QuoteReport { params_version: 1, ..QuoteReport::default() };
        describe(&config, &mut report);
        Ok(Self { config, calibration, coins, decisions: 0, report })
    }

    /// Predicts with `calibration`'s priors and lead threshold, and widens poor-edge buckets
    /// if it says so.
    pub fn with_calibration(mut self, calibration: CalibrationConfig) -> Self {
        for (i, state) in self.coins.iter_mut().enumerate() {
            state.feedback = CoinFeedback::prior(CoinId(i as u8), &calibration);
        }
        self.report.edge_widen_enabled = calibration.widen.enabled;
        self.calibration = calibration;
        self
    }

    /// The edge widening of each side (see the module doc).
    fn edge_widen_bps(
        calibration: &CalibrationConfig,
        state: &CoinState,
        params: &MarketParams,
        inventory: &InventoryInputs,
    ) -> [f64; 2] {
        let widen = &calibration.widen;
        [Side::Bid, Side::Ask].map(|side| {
            let poor = widen.enabled
                && state.unwidened_depth_bps[side.index()]
                    .is_some_and(|depth| state.feedback.bucket(bucket_of(params, inventory, side, depth)).widen);
            if poor {
                widen.widen_bps
            } else {
                0.0
            }
        })
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
        let widen = Self::edge_widen_bps(&self.calibration, state, &params, &inventory);
        let (decision, fallback) =
            state.quoter.decide(&params, &inventory, &state.config.instrument, widen, &mut state.ladder);
        self.decisions += 1;
        let model =
            if decision.model == STATIC_FALLBACK { ModelTag::FALLBACK } else { ModelTag::of(self.config.model) };
        let inputs = PredictionInputs {
            decision: self.decisions,
            model,
            market: &params,
            inventory: &inventory,
            feedback: &state.feedback,
            maker_fee_bps: self.config.construction.half_spread.maker_fee_bps,
            lead_min_bps: self.calibration.lead_min_bps,
        };
        predict_levels(&mut state.ladder, &inputs);
        for side in [Side::Bid, Side::Ask] {
            let innermost = state.ladder.side(side).first();
            let widened = widen[side.index()];
            state.unwidened_depth_bps[side.index()] = innermost.map(|l| f64::from(l.prediction.depth_bps) - widened);
            self.report.edge_widened_sides += u64::from(widened > 0.0);
        }
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
            Msg::Feedback(feedback) => {
                if let Some(state) = self.coins.get_mut(feedback.coin.index()) {
                    state.feedback = feedback;
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
        actor_with(CalibrationConfig::default())
    }

    fn actor_with(calibration: CalibrationConfig) -> QuoteActor {
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
        QuoteActor::new(config, vec![coin]).unwrap().with_calibration(calibration)
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

    fn poor_everywhere() -> Msg {
        let mut feedback = CoinFeedback::prior(CoinId(0), &CalibrationConfig::default());
        for b in feedback.buckets.iter_mut() {
            b.widen = true;
            b.adverse_bps = 0.7;
        }
        Msg::Feedback(feedback)
    }

    #[test]
    fn every_level_carries_its_predictions_and_poor_buckets_widen_only_when_enabled() {
        let mut actor = actor();
        let ladder = quote(&mut actor);
        let levels: Vec<_> = ladder.bids.iter().chain(&ladder.asks).map(|l| l.prediction).collect();
        assert_eq!(levels.len(), 4);
        let ids: std::collections::HashSet<_> = levels.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), 4, "one id per level");
        assert!(levels.iter().all(|p| p.id.decision() == levels[0].id.decision() && p.id.decision() > 0));
        // The static baseline's 3 bps half spread: the innermost bid ~3 bps under the mid.
        assert!((levels[0].depth_bps - 3.0).abs() < 0.2, "{:?}", levels[0]);
        assert!(levels.iter().all(|p| p.fill_rate_per_s.is_nan()), "cold intensity: no fill prediction");
        // Feedback reaches the predictions; widening is off, so the prices stay.
        actor.handle(Nanos(2), poor_everywhere(), &mut Outbox::default());
        let after = quote(&mut actor);
        assert_eq!(after.bids[0].px, ladder.bids[0].px);
        assert!((after.bids[0].prediction.adverse_bps - 0.7).abs() < 1e-6);
        assert!(after.bids[0].prediction.id.decision() > levels[0].id.decision());

        let mut config = CalibrationConfig::default();
        config.widen.enabled = true;
        config.widen.widen_bps = 2.0;
        let mut actor = actor_with(config);
        let before = quote(&mut actor);
        actor.handle(Nanos(2), poor_everywhere(), &mut Outbox::default());
        let widened = quote(&mut actor);
        for (b, w) in [(&before.bids[0], &widened.bids[0]), (&before.asks[0], &widened.asks[0])] {
            let moved_bps = f64::from(w.prediction.depth_bps - b.prediction.depth_bps);
            assert!((moved_bps - 2.0).abs() < 0.2, "moved {moved_bps} bps");
        }
        // Judged at the unwidened depth: the next decision stays widened.
        assert_eq!(quote(&mut actor).bids[0].px, widened.bids[0].px);
        let ActorReport::Quote(r) = actor.report() else { panic!("quote report") };
        assert!(r.edge_widen_enabled);
        assert_eq!(r.edge_widened_sides, 4);
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
