//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use actors::control::{Command, CommandReply};
use actors::msg::Msg;
use actors::report::ActorReport;
use actors::{Actor, ActorId, Outbox};
use engine::types::Nanos;
use engine::venue::{FillReport, VenueEvent};
use hyperquote::config::Config;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The embedded paper profile.
pub fn paper() -> Config {
    Config::embedded_paper().expect("embedded config is valid")
}

/// Wraps an actor and sleeps before every message: a stalled consumer.
pub struct Stalling {
    pub inner: Box<dyn Actor>,
    pub per_message: Duration,
}

impl Actor for Stalling {
    fn id(&self) -> ActorId {
        self.inner.id()
    }
    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        std::thread::sleep(self.per_message);
        self.inner.handle(now, msg, out);
    }
    fn next_wakeup(&self) -> Option<Nanos> {
        self.inner.next_wakeup()
    }
    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        self.inner.on_wakeup(now, out);
    }
    fn on_command(&mut self, now: Nanos, command: &Command, out: &mut Outbox) -> CommandReply {
        self.inner.on_command(now, command, out)
    }
    fn report(&self) -> ActorReport {
        self.inner.report()
    }
}

/// Wraps an actor and records every fill it receives (the test's fill log).
pub struct RecordingFills {
    pub inner: Box<dyn Actor>,
    pub fills: Arc<Mutex<Vec<(Nanos, FillReport)>>>,
}

impl Actor for RecordingFills {
    fn id(&self) -> ActorId {
        self.inner.id()
    }
    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        if let Msg::Venue(VenueEvent::Fill(f)) = &msg {
            self.fills.lock().unwrap().push((now, *f));
        }
        self.inner.handle(now, msg, out);
    }
    fn next_wakeup(&self) -> Option<Nanos> {
        self.inner.next_wakeup()
    }
    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        self.inner.on_wakeup(now, out);
    }
    fn on_command(&mut self, now: Nanos, command: &Command, out: &mut Outbox) -> CommandReply {
        self.inner.on_command(now, command, out)
    }
    fn report(&self) -> ActorReport {
        self.inner.report()
    }
}

/// Replaces the actor with `id` in `actors` by `wrap(actor)`.
pub fn wrap_actor(
    actors: Vec<Box<dyn Actor>>,
    id: ActorId,
    wrap: impl FnOnce(Box<dyn Actor>) -> Box<dyn Actor>,
) -> Vec<Box<dyn Actor>> {
    let mut wrap = Some(wrap);
    actors.into_iter().map(|a| if a.id() == id { (wrap.take().expect("one actor per id"))(a) } else { a }).collect()
}
