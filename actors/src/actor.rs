//! The actor trait and the outbox an actor writes its messages to.
//!
//! An actor is a state machine: the runtime hands it the time and one message, and collects
//! what it sends. It never sees a thread, a channel or a clock, so the same actor runs under
//! the threaded runtime (live, paper) and the sequential one (backtests, tests).

use crate::control::{Command, CommandReply};
use crate::msg::Msg;
use crate::report::ActorReport;
use crate::ActorId;
use engine::types::Nanos;

/// Messages one handler call may emit before the outbox has to grow (it is reused, so this
/// bounds steady-state allocation, not correctness).
pub const OUTBOX_CAPACITY: usize = 64;

#[derive(Debug)]
pub struct Outgoing {
    pub to: ActorId,
    pub msg: Msg,
    pub origin: Nanos,
}

/// Where an actor puts the messages it sends during one call.
#[derive(Debug)]
pub struct Outbox {
    items: Vec<Outgoing>,
    origin: Nanos,
}

impl Default for Outbox {
    fn default() -> Self {
        Self { items: Vec::with_capacity(OUTBOX_CAPACITY), origin: Nanos::ZERO }
    }
}

impl Outbox {
    /// Sends `msg`, caused by the message being handled (it inherits its ingress time).
    pub fn send(&mut self, to: ActorId, msg: Msg) {
        self.items.push(Outgoing { to, msg, origin: self.origin });
    }

    /// Sends `msg` with an explicit ingress time: used by sources (the venue's market data).
    pub fn send_from(&mut self, origin: Nanos, to: ActorId, msg: Msg) {
        self.items.push(Outgoing { to, msg, origin });
    }

    pub(crate) fn begin(&mut self, origin: Nanos) {
        self.origin = origin;
    }

    /// Takes the queued messages out, leaving an empty (unallocated) list; hand the list
    /// back with `restore` so its capacity is reused and steady state allocates nothing.
    pub(crate) fn take(&mut self) -> Vec<Outgoing> {
        std::mem::take(&mut self.items)
    }

    pub(crate) fn restore(&mut self, mut items: Vec<Outgoing>) {
        items.clear();
        self.items = items;
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

pub trait Actor: Send {
    fn id(&self) -> ActorId;

    /// Handles one message at time `now`.
    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox);

    /// The next time this actor wants `on_wakeup`, if any (timers, sources).
    fn next_wakeup(&self) -> Option<Nanos> {
        None
    }

    fn on_wakeup(&mut self, _now: Nanos, _out: &mut Outbox) {}

    /// An operator command; served ahead of data messages.
    fn on_command(&mut self, _now: Nanos, _command: &Command, _out: &mut Outbox) -> CommandReply {
        CommandReply::Unsupported
    }

    /// A summary of the actor's state for status displays and the run summary.
    fn report(&self) -> ActorReport;

    /// The runtime's delivery counters, handed over once when the actor is hosted (an actor
    /// that reports its own queue drops keeps them).
    fn attach_counters(&mut self, _counters: &std::sync::Arc<crate::counters::RuntimeCounters>) {}
}
