//! The sequential runtime: every actor on the caller's thread, simulated time, deterministic
//! delivery order. Time jumps from one wake-up to the next; messages between actors are
//! delivered at the instant they are sent (latency is the venue model's business). Same
//! actors, same seed, same input → the same messages in the same order.

use super::clock::SimClock;
use super::group::{LocalGroup, Slot};
use crate::control::{Command, CommandReply};
use crate::msg::Msg;
use crate::report::ActorReport;
use crate::{Actor, ActorId, RuntimeCounters};
use engine::types::Nanos;
use std::sync::Arc;

pub struct SequentialRuntime {
    group: LocalGroup<SimClock>,
    counters: Arc<RuntimeCounters>,
}

impl SequentialRuntime {
    /// `queue_capacity` bounds each actor's queued lossy messages, as in the threaded runtime.
    pub fn new(actors: Vec<Box<dyn Actor>>, queue_capacity: usize) -> Self {
        let counters = Arc::new(RuntimeCounters::default());
        let members = actors.into_iter().map(|a| (a, None)).collect();
        Self { group: LocalGroup::new(SimClock::default(), members, counters.clone(), queue_capacity), counters }
    }

    pub fn now(&self) -> Nanos {
        self.group.now()
    }

    /// Runs until no wake-up is due at or before `end`; the clock then rests at `end`.
    pub fn run_until(&mut self, end: Nanos) {
        loop {
            while self.group.pump() {}
            match self.group.next_wakeup() {
                Some(t) if t <= end => self.group.clock_mut().now = t.max(self.group.now()),
                _ => break,
            }
        }
        self.group.clock_mut().now = end.max(self.group.now());
        while self.group.pump() {}
    }

    pub fn inject(&mut self, to: ActorId, msg: Msg) {
        let now = self.group.now();
        self.group.inject(to, msg, now);
    }

    pub fn command(&mut self, id: ActorId, command: &Command) -> Option<CommandReply> {
        self.group.command(id, command)
    }

    pub fn report(&self, id: ActorId) -> Option<ActorReport> {
        self.group.report(id)
    }

    pub fn counters(&self) -> &Arc<RuntimeCounters> {
        &self.counters
    }

    pub fn into_slots(self) -> Vec<Slot> {
        self.group.into_slots()
    }
}
