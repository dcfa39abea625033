//! OrderActor: reconciles each approved ladder with the live orders (keep / cancel / new)
//! and sends the resulting batch to the venue (one action per message, see `ActionMsg`); tracks acknowledgements, rejects, cancels and
//! fills, and reports every order that ends without a fill as a negative outcome.

use crate::control::{Command, CommandReply, QuoteParamsChange};
use crate::msg::{ActionMsg, Msg};
use crate::report::{ActorReport, OrderReport};
use crate::{Actor, ActorId, Outbox};
use engine::calibration::{Outcome, OutcomeKind};
use engine::order::{reconcile, LiveOrders, OrderUpdate, RequoteTolerance};
use engine::types::{CloidSequence, Nanos};
use engine::venue::{ActionBatch, VenueEvent};

pub struct OrderActor {
    live: Vec<LiveOrders>,
    tolerance: RequoteTolerance,
    cloids: CloidSequence,
    batch: ActionBatch,
    report: OrderReport,
}

impl OrderActor {
    /// `session_prefix` makes this run's client order ids distinct from any other run's;
    /// `tolerance` leaves resting orders alone while their target moved less (validated).
    pub fn new(coin_count: usize, session_prefix: u64, tolerance: RequoteTolerance) -> Self {
        Self {
            live: (0..coin_count).map(|_| LiveOrders::default()).collect(),
            tolerance,
            cloids: CloidSequence::new(session_prefix),
            batch: ActionBatch::new(),
            report: OrderReport::default(),
        }
    }

    fn live_count(&self) -> usize {
        self.live.iter().map(LiveOrders::len).sum()
    }
}

impl Actor for OrderActor {
    fn id(&self) -> ActorId {
        ActorId::Order
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        match msg {
            Msg::Approved(target) => {
                let Some(live) = self.live.get_mut(target.coin.index()) else { return };
                self.batch.clear();
                let stats = reconcile(live, &target, &self.tolerance, &mut self.cloids, &mut self.batch);
                self.report.kept += u64::from(stats.kept);
                self.report.cancelled += u64::from(stats.cancelled);
                self.report.placed += u64::from(stats.placed);
                self.report.deferred += u64::from(stats.deferred);
                if !self.batch.is_empty() {
                    self.report.action_batches += 1;
                    // The batch holds at most MAX_ACTIONS_PER_BATCH (32) actions: fits a u8.
                    let batch_len = self.batch.len() as u8;
                    for (index, action) in self.batch.iter().enumerate() {
                        let msg = ActionMsg { action: *action, index: index as u8, batch_len };
                        out.send(ActorId::Venue, Msg::Action(msg));
                    }
                }
            }
            Msg::Venue(event) => {
                let coin = event.coin();
                let Some(live) = self.live.get_mut(coin.index()) else {
                    self.report.unknown_order_events += 1;
                    return;
                };
                match event {
                    VenueEvent::Rejected { .. } => self.report.rejects += 1,
                    VenueEvent::CancelRejected { .. } => self.report.cancel_rejects += 1,
                    _ => {}
                }
                match live.apply(&event) {
                    OrderUpdate::Unknown => self.report.unknown_order_events += 1,
                    OrderUpdate::Applied { done: true, filled_before_done: false } => {
                        let cloid = match event {
                            VenueEvent::Rejected { cloid, .. }
                            | VenueEvent::Cancelled { cloid, .. }
                            | VenueEvent::CancelRejected { cloid, .. } => cloid,
                            _ => return,
                        };
                        let outcome = Outcome { coin, cloid, kind: OutcomeKind::ExpiredUnfilled, at: now };
                        out.send(ActorId::Calibration, Msg::Outcome(outcome));
                    }
                    OrderUpdate::Applied { .. } => {}
                }
            }
            _ => {}
        }
    }

    /// Takes the requote tolerance of a quote-parameter change; the rest is QuoteActor's.
    fn on_command(&mut self, _now: Nanos, command: &Command, _out: &mut Outbox) -> CommandReply {
        let Command::SetQuoteParams(QuoteParamsChange { requote_tolerance_bps: Some(bps), .. }) = command else {
            return CommandReply::Unsupported;
        };
        let next = RequoteTolerance { price_bps: *bps, ..self.tolerance };
        match next.validate() {
            Ok(()) => {
                self.tolerance = next;
                CommandReply::Done
            }
            Err(e) => CommandReply::Refused(format!("quote.requote_tolerance: {e}")),
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Order(OrderReport { live_orders: self.live_count(), ..self.report.clone() })
    }
}
