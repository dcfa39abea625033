//! How the admin API reads the actors: through the `ControlClient`, with each answer kept
//! for `FRESH_FOR` and shared by every request in that time.
//!
//! An actor answers a control ask on its own thread, between two of its messages; a latency
//! snapshot there means walking three HDR histograms. Asked once per request, a flood of
//! requests would turn into a flood of that work on the trading threads. With the cache, an
//! actor is asked at most once per `FRESH_FOR` for each kind of answer, however many requests
//! come: the hot path's cost is bounded by construction, not by the request rate. Requests
//! arriving while an ask is under way wait for it (one lock per actor and kind, on the admin
//! side only) instead of asking again. A command goes straight to its actor and clears the
//! cache, so a read after a change shows it.

use super::ASK_TIMEOUT;
use actors::control::{Command, CommandReply};
use actors::latency::LatencySnapshot;
use actors::report::ActorReport;
use actors::runtime::{ControlClient, InboxDepth};
use actors::{ActorId, QueueCounters, NODE_COUNT};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long an actor's answer serves later requests.
pub const FRESH_FOR: Duration = Duration::from_millis(100);

type Slot<T> = Mutex<Option<(Instant, T)>>;

pub struct Reads {
    client: ControlClient,
    reports: [Slot<ActorReport>; NODE_COUNT],
    latencies: [Slot<LatencySnapshot>; NODE_COUNT],
}

/// The cached answer in `slot` if fresh, else a new one from `ask` (kept when given).
fn cached<T: Clone>(slot: &Slot<T>, ask: impl FnOnce() -> Option<T>) -> Option<T> {
    let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((at, value)) = slot.as_ref() {
        if at.elapsed() < FRESH_FOR {
            return Some(value.clone());
        }
    }
    let value = ask()?;
    *slot = Some((Instant::now(), value.clone()));
    Some(value)
}

impl Reads {
    pub fn new(client: ControlClient) -> Self {
        Self { client, reports: Default::default(), latencies: Default::default() }
    }

    /// `id`'s report, at most `FRESH_FOR` old; `None` if it did not answer in `ASK_TIMEOUT`.
    pub fn report(&self, id: ActorId) -> Option<ActorReport> {
        cached(&self.reports[id.index()], || self.client.report(id, ASK_TIMEOUT))
    }

    /// `id`'s latency percentiles, at most `FRESH_FOR` old.
    pub fn latency(&self, id: ActorId) -> Option<LatencySnapshot> {
        cached(&self.latencies[id.index()], || self.client.latency(id, ASK_TIMEOUT))
    }

    /// Runs `command` on `id` (never cached) and forgets every cached answer.
    pub fn command(&self, id: ActorId, command: Command) -> Option<CommandReply> {
        let reply = self.client.command(id, command, ASK_TIMEOUT);
        for slot in self.reports.iter() {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
        for slot in self.latencies.iter() {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
        reply
    }

    pub fn hosted(&self) -> Vec<ActorId> {
        self.client.hosted().collect()
    }

    /// Queue counters: atomic loads, read fresh every time.
    pub fn queue(&self, id: ActorId) -> QueueCounters {
        self.client.counters().snapshot(id)
    }

    pub fn inbox_depths(&self) -> Vec<InboxDepth> {
        self.client.inbox_depths()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_fresh_answer_is_shared_a_stale_one_asked_again_and_a_missing_one_not_kept() {
        let slot: Slot<u32> = Mutex::new(None);
        let asked = Cell::new(0);
        let ask = |v: Option<u32>| {
            asked.set(asked.get() + 1);
            v
        };
        assert_eq!(cached(&slot, || ask(None)), None);
        assert!(slot.lock().unwrap().is_none(), "no answer is not cached");
        assert_eq!(cached(&slot, || ask(Some(1))), Some(1));
        assert_eq!(cached(&slot, || ask(Some(2))), Some(1), "fresh: shared");
        assert_eq!(asked.get(), 2);
        slot.lock().unwrap().as_mut().unwrap().0 -= FRESH_FOR;
        assert_eq!(cached(&slot, || ask(Some(3))), Some(3), "stale: asked again");
        assert_eq!(asked.get(), 3);
    }
}
