//! CalibrationActor: the cold path that scores every prediction the engine trades on.
//!
//! - Each quote decision is logged as one structured record (target `hyperquote::quote`: the
//!   model's inputs, every half-spread term, every skew, per-side toxicity and gates, the
//!   final quotes) — here, off the hot path — and its mid resolves due lead calls.
//! - OrderActor's `Msg::Predictions` (orders went out with their levels' predictions) and the
//!   outcomes of OrderActor (the order's end, filled or not) and FillActor (each fill and its
//!   markout) go to a [`CalibrationTracker`], which links them by cloid and scores them per
//!   model and context bucket.
//! - Every `feedback_interval_s` the buckets' changed estimates go to QuoteActor
//!   (`Msg::Feedback`); every `report_interval_s` the whole [`CalibrationReport`] is logged
//!   (target `hyperquote::calibration`, one JSON record) and each new degradation alert
//!   warned about. `report()` gives the report as of now (ctl status, admin API, `/metrics`).
//!
//! Its inbound messages are lossy, so a slow calibration never slows quoting; the runtime
//! counts what it dropped, and the report carries that count (and says the sample is lossy).

use crate::counters::RuntimeCounters;
use crate::msg::Msg;
use crate::report::ActorReport;
use crate::{Actor, ActorId, Outbox};
use engine::calibration::{CalibrationConfig, CalibrationReport, CalibrationTracker, PredictionKind};
use engine::portfolio::LedgerConfig;
use engine::quote::construct::{QuoteDecision, QuoteStatus};
use engine::types::{CoinId, Nanos};
use std::sync::Arc;

pub struct CalibrationActor {
    tracker: CalibrationTracker,
    coin_count: usize,
    messages_received: u64,
    queue_counters: Option<Arc<RuntimeCounters>>,
    feedback_every: Nanos,
    report_every: Nanos,
    next_feedback: Nanos,
    next_report: Nanos,
    /// The alerts of the last logged report (a new one is warned about once).
    alerted: Vec<(&'static str, PredictionKind)>,
}

/// How long after an order's end its fills' markouts may still come: FillActor's attribution
/// horizon, the lag a mid may have, and a second for the messages on their way.
fn markout_wait() -> Nanos {
    let ledger = LedgerConfig::default();
    ledger.markouts.horizons[ledger.attribution_horizon] + ledger.markouts.max_lag + Nanos::from_millis(1_000)
}

impl CalibrationActor {
    /// `config` must have passed `validate()`; `lead_horizon` is the estimator's.
    pub fn new(coin_count: usize, config: CalibrationConfig, lead_horizon: Nanos) -> Self {
        let feedback_every = Nanos::from_secs_f64(config.feedback_interval_s);
        let report_every = Nanos::from_secs_f64(config.report_interval_s);
        Self {
            tracker: CalibrationTracker::new(coin_count, config, lead_horizon, markout_wait()),
            coin_count,
            messages_received: 0,
            queue_counters: None,
            feedback_every,
            report_every,
            next_feedback: feedback_every,
            next_report: report_every,
            alerted: Vec::new(),
        }
    }

    pub fn calibration_report(&self) -> CalibrationReport {
        let drops = self.queue_counters.as_ref().map_or(0, |c| c.snapshot(ActorId::Calibration).dropped);
        self.tracker.report(self.messages_received, drops)
    }

    fn log_decision(d: &QuoteDecision) {
        let (h, k) = (&d.half_spread, &d.skew);
        tracing::info!(
            target: "hyperquote::quote",
            coin = d.coin.0,
            status = ?d.status,
            model = d.model,
            gamma = d.gamma_per_frac_lot,
            kappa = d.kappa_per_frac,
            sigma = d.sigma_frac_per_sqrt_s,
            a = d.a_per_s,
            inventory_lots = d.inventory_lots,
            base_bps = h.base_bps,
            half_spread_bid_bps = h.bid.total_bps,
            half_spread_ask_bps = h.ask.total_bps,
            vol_bid_bps = h.bid.vol_bps,
            vol_ask_bps = h.ask.vol_bps,
            edge_widen_bid_bps = h.bid.edge_widen_bps,
            edge_widen_ask_bps = h.ask.edge_widen_bps,
            inventory_skew_bps = k.inventory_skew_bps,
            imbalance_skew_bps = k.imbalance_skew_bps,
            flow_skew_bps = k.flow_skew_bps,
            lead_skew_bps = k.lead_skew_bps,
            toxicity_bid = d.bid.toxicity.score,
            toxicity_ask = d.ask.toxicity.score,
            gated_bid = d.bid.toxicity.gated,
            gated_ask = d.ask.toxicity.gated,
            inventory_first = d.inventory_first,
            bid_px = d.bid.best_px_usd,
            ask_px = d.ask.best_px_usd,
            bid_levels = d.bid.levels,
            ask_levels = d.ask.levels,
            "quote decision"
        );
    }

    /// Logs the report and warns about each alert not in the last one.
    fn log_report(&mut self) {
        let report = self.calibration_report();
        match serde_json::to_string(&report) {
            Ok(json) => tracing::info!(target: "hyperquote::calibration", report = %json, "calibration report"),
            Err(e) => {
                tracing::error!(target: "hyperquote::calibration", error = %e, "calibration report not serializable")
            }
        }
        for alert in &report.alerts {
            let key = (alert.model, alert.prediction);
            if !self.alerted.contains(&key) {
                tracing::warn!(
                    target: "hyperquote::calibration",
                    model = alert.model,
                    prediction = alert.prediction.name(),
                    metric = alert.metric,
                    value = alert.value,
                    threshold = alert.threshold,
                    samples = alert.samples,
                    lossy = report.lossy,
                    "calibration degraded"
                );
            }
        }
        self.alerted = report.alerts.iter().map(|a| (a.model, a.prediction)).collect();
    }
}

impl Actor for CalibrationActor {
    fn id(&self) -> ActorId {
        ActorId::Calibration
    }

    fn handle(&mut self, now: Nanos, msg: Msg, _out: &mut Outbox) {
        self.messages_received += 1;
        match msg {
            Msg::Decision(d) => {
                Self::log_decision(&d);
                if d.status == QuoteStatus::Quoted {
                    self.tracker.on_mid(d.coin, now, d.mid_usd);
                }
            }
            Msg::Predictions(placed) => {
                for p in placed.iter() {
                    self.tracker.on_placed(&p);
                }
            }
            Msg::Outcome(o) => self.tracker.on_outcome(o.cloid, o.kind, o.at),
            _ => {}
        }
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        Some(self.next_feedback.min(self.next_report))
    }

    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        if now >= self.next_feedback {
            for i in 0..self.coin_count {
                if let Some(feedback) = self.tracker.take_feedback(CoinId(i as u8)) {
                    out.send(ActorId::Quote, Msg::Feedback(feedback));
                }
            }
            self.tracker.sweep(now);
            self.next_feedback = now + self.feedback_every;
        }
        if now >= self.next_report {
            self.log_report();
            self.next_report = now + self.report_every;
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Calibration(self.calibration_report())
    }

    /// Keeps the counters to report this node's queue drops with the scores.
    fn attach_counters(&mut self, counters: &Arc<RuntimeCounters>) {
        self.queue_counters = Some(counters.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::calibration::{ContextBucket, LevelPrediction, Outcome, OutcomeKind, PlacedPredictions, PredictionId};
    use engine::types::{Cloid, Side};

    #[test]
    fn outcomes_reach_the_quote_path_as_feedback_once_a_second_and_drops_are_reported() {
        let mut actor = CalibrationActor::new(1, CalibrationConfig::default(), Nanos::from_millis(500));
        let counters = Arc::new(RuntimeCounters::default());
        actor.attach_counters(&counters);
        let mut out = Outbox::default();
        let prediction = LevelPrediction {
            id: PredictionId::new(1, Side::Bid, 0),
            bucket: ContextBucket::from_index(7),
            fill_rate_per_s: 0.5,
            end_rate_per_s: 0.5,
            ..Default::default()
        };
        let mut placed = PlacedPredictions::new(CoinId(0), Nanos(0));
        placed.orders.push((Cloid(3), prediction));
        actor.handle(Nanos(0), Msg::Predictions(placed), &mut out);
        let ended =
            Outcome { coin: CoinId(0), cloid: Cloid(3), kind: OutcomeKind::Ended { filled: false }, at: Nanos(1) };
        actor.handle(Nanos(1), Msg::Outcome(ended), &mut out);
        assert_eq!(actor.next_wakeup(), Some(Nanos::from_millis(1_000)));
        actor.on_wakeup(Nanos::from_millis(1_000), &mut out);
        let sent = out.take();
        assert!(
            matches!(&sent[..], [o] if o.to == ActorId::Quote && matches!(o.msg, Msg::Feedback(f) if f.coin == CoinId(0))),
            "{sent:?}"
        );
        // Nothing new: no feedback.
        actor.on_wakeup(Nanos::from_millis(2_000), &mut out);
        assert!(out.take().is_empty());
        let ActorReport::Calibration(report) = actor.report() else { panic!("calibration report") };
        assert_eq!((report.messages_received, report.counts.outcomes_unfilled, report.queue_drops), (2, 1, 0));
        assert!(!report.lossy);
        // A message the runtime dropped on the way makes the report say its sample is lossy.
        counters.dropped(ActorId::Calibration);
        let ActorReport::Calibration(report) = actor.report() else { panic!("calibration report") };
        assert!(report.queue_drops == 1 && report.lossy);
    }
}
