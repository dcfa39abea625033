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

/// Called with every message a wrapped actor is about to handle.
pub type BeforeHandle = Box<dyn FnMut(Nanos, &Msg) + Send>;

/// Wraps an actor and calls `before` with every message it is about to handle.
pub struct Tap {
    pub inner: Box<dyn Actor>,
    pub before: BeforeHandle,
}

impl Actor for Tap {
    fn id(&self) -> ActorId {
        self.inner.id()
    }
    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        (self.before)(now, &msg);
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
    fn attach_counters(&mut self, counters: &Arc<actors::RuntimeCounters>) {
        self.inner.attach_counters(counters);
    }
}

/// A stalled consumer: sleeps `per_message` before every message.
pub fn stalling(inner: Box<dyn Actor>, per_message: Duration) -> Box<dyn Actor> {
    Box::new(Tap { inner, before: Box::new(move |_, _| std::thread::sleep(per_message)) })
}

/// Records every fill the wrapped actor receives into `log` (the test's fill log).
pub fn recording_fills(inner: Box<dyn Actor>, log: Arc<Mutex<Vec<(Nanos, FillReport)>>>) -> Box<dyn Actor> {
    let before = move |now: Nanos, msg: &Msg| {
        if let Msg::Venue(VenueEvent::Fill(f)) = msg {
            if let Ok(mut log) = log.lock() {
                log.push((now, *f));
            }
        }
    };
    Box::new(Tap { inner, before: Box::new(before) })
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
