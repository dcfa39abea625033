//! The `ack` venue: acknowledges every order action at once (places rest, cancels succeed)
//! and never fills. For measuring the engine's own path without an exchange model behind
//! it: the latency harness and the allocation test.

use crate::msg::Msg;
use crate::report::{ActorReport, VenueReport};
use crate::{Actor, ActorId, Outbox};
use engine::types::Nanos;
use engine::venue::{OrderAction, VenueEvent};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub struct AckVenue {
    /// Complete action batches received; shared so an outside observer can wait on it.
    batches: Arc<AtomicU64>,
}

impl AckVenue {
    pub fn new(batches: Arc<AtomicU64>) -> Self {
        Self { batches }
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
        };
        out.send(ActorId::Order, Msg::Venue(event));
        if a.is_last() {
            self.batches.fetch_add(1, Ordering::Release);
        }
    }

    fn report(&self) -> ActorReport {
        let action_batches = self.batches.load(Ordering::Acquire);
        ActorReport::Venue(VenueReport { action_batches, ..VenueReport::default() })
    }
}
