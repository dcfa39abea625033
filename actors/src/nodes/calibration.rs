//! CalibrationActor: the cold-path consumer of quote decisions and outcomes. It logs each
//! decision as one structured record (target `hyperquote::quote`: the model's inputs, every
//! half-spread term, every skew, per-side toxicity and gates, the final quotes) — here, off
//! the hot path — and counts decisions as predictions and outcomes (scoring comes with the
//! calibration issue). Its inbound messages are lossy, so a slow calibration never slows
//! quoting, and the runtime counts what it dropped.

use crate::msg::Msg;
use crate::report::ActorReport;
use crate::{Actor, ActorId, Outbox};
use engine::calibration::{CalibrationCounts, Prediction, PredictionKind};
use engine::types::Nanos;

#[derive(Default)]
pub struct CalibrationActor {
    counts: CalibrationCounts,
}

impl Actor for CalibrationActor {
    fn id(&self) -> ActorId {
        ActorId::Calibration
    }

    fn handle(&mut self, now: Nanos, msg: Msg, _out: &mut Outbox) {
        match msg {
            Msg::Decision(d) => {
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
                self.counts.on_prediction(&Prediction {
                    coin: d.coin,
                    kind: PredictionKind::QuoteDecision,
                    levels: u32::from(d.bid.levels) + u32::from(d.ask.levels),
                    made_at: now,
                });
            }
            Msg::Outcome(o) => self.counts.on_outcome(&o),
            _ => {}
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Calibration(self.counts)
    }
}
