//! The `ack` venue: acknowledges every order action at once (places rest, cancels succeed)
//! and never fills. For measuring the engine's own path without an exchange model behind
//! it: the latency harness and the allocation test. With a `BatchSigner` it first signs each
//! complete batch as the live venue would, so the harness measures tick-to-signed-action.

use super::hyperliquid::exchange::BatchSigner;
use crate::msg::Msg;
use crate::report::{ActorReport, VenueReport};
use crate::{Actor, ActorId, Outbox};
use engine::types::Nanos;
use engine::venue::{OrderAction, VenueEvent};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub struct AckVenue {
    /// Complete action batches received (and signed, with a signer); shared so an outside
    /// observer can wait on it.
    batches: Arc<AtomicU64>,
    signer: Option<BatchSigner>,
    signing_errors: u64,
}

impl AckVenue {
    pub fn new(batches: Arc<AtomicU64>) -> Self {
        Self { batches, signer: None, signing_errors: 0 }
    }

    /// Signs every complete batch before counting it.
    pub fn signing(batches: Arc<AtomicU64>, signer: BatchSigner) -> Self {
        Self { batches, signer: Some(signer), signing_errors: 0 }
    }
}

impl Actor for AckVenue {
    fn id(&self) -> ActorId {
        ActorId::Venue
    }

    fn handle(&mut self, _now: Nanos, msg: Msg, out: &mut Outbox) {
        let Msg::Action(a) = msg else { return };
        let event = match a.action {
            OrderAction::Place(r) => VenueEvent::Accepted { coin: r.coin, cloid: r.cloid },
            OrderAction::Cancel { coin, cloid } => VenueEvent::Cancelled { coin, cloid },
            OrderAction::ScheduleCancel { at } => VenueEvent::ScheduleCancelAccepted { at },
            OrderAction::Modify { coin, cloid, new } => {
                out.send(ActorId::Order, Msg::Venue(VenueEvent::Cancelled { coin, cloid }));
                VenueEvent::Accepted { coin, cloid: new.cloid }
            }
            OrderAction::QueryStatus { coin, cloid } => {
                VenueEvent::OrderStatus { coin, cloid, status: engine::venue::VenueOrderStatus::Open }
            }
        };
        out.send(ActorId::Order, Msg::Venue(event));
        if let Some(Err(e)) = self.signer.as_mut().and_then(|s| s.push(&a)) {
            self.signing_errors += 1;
            tracing::warn!(error = %e, "ack venue: batch not signed");
        }
        if a.is_last() {
            self.batches.fetch_add(1, Ordering::Release);
        }
    }

    fn report(&self) -> ActorReport {
        let action_batches = self.batches.load(Ordering::Acquire);
        ActorReport::Venue(VenueReport {
            action_batches,
            signing_errors: self.signing_errors,
            ..VenueReport::default()
        })
    }
}
