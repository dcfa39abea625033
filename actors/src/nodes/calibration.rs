//! CalibrationActor: the cold-path consumer of predictions and outcomes. For now it counts
//! them (scoring comes with the calibration issue); its inbound messages are lossy, so a slow
//! calibration never slows quoting, and the runtime counts what it dropped.

use crate::msg::Msg;
use crate::report::ActorReport;
use crate::{Actor, ActorId, Outbox};
use engine::calibration::CalibrationCounts;
use engine::types::Nanos;

#[derive(Default)]
pub struct CalibrationActor {
    counts: CalibrationCounts,
}

impl Actor for CalibrationActor {
    fn id(&self) -> ActorId {
        ActorId::Calibration
    }

    fn handle(&mut self, _now: Nanos, msg: Msg, _out: &mut Outbox) {
        match msg {
            Msg::Prediction(p) => self.counts.on_prediction(&p),
            Msg::Outcome(o) => self.counts.on_outcome(&o),
            _ => {}
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Calibration(self.counts)
    }
}
