//! A group of actors that share one thread.
//!
//! Messages between members go through an in-thread FIFO queue — in order, no channel, no
//! hop cost. Messages to actors on other threads go over bounded crossbeam channels. The
//! group also does the runtime's bookkeeping on every message: queue wait, service time and
//! tick-to-order histograms, coalescing of latest-value streams (an older book for the same
//! coin still queued behind a newer one is skipped and counted), and counted drops toward
//! lossy consumers. The threaded runtime runs one group per thread; the sequential runtime
//! and the benches' inline lower bound run a single group holding every actor.

use super::clock::Clock;
use crate::control::{Command, CommandReply, Control};
use crate::latency::{ActorLatency, LatencySnapshot};
use crate::msg::{Delivery, Envelope, Msg, LATEST_KINDS};
use crate::report::ActorReport;
use crate::{Actor, ActorId, Outbox, Outgoing, RuntimeCounters, NODE_COUNT};
use crossbeam_channel::{Receiver, Sender, TrySendError};
use engine::types::{Nanos, MAX_COINS};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::Thread;
use std::time::Instant;

/// Messages taken from the cross-thread inbox per pump, so control stays responsive.
const INBOX_BATCH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Local(usize),
    Remote(usize),
    Absent,
}

/// The sending end toward another thread.
#[derive(Debug, Clone)]
pub struct RemoteLink {
    pub tx: Sender<Envelope>,
    /// Set when that thread parks while idle: it must be woken after a send.
    pub unpark: Option<Thread>,
}

/// One hosted actor with its histograms and control channel.
pub struct Slot {
    pub actor: Box<dyn Actor>,
    pub latency: ActorLatency,
    control: Option<Receiver<Control>>,
    /// Queued messages per latest-value stream: only the last one queued is handled.
    pending_latest: [[u32; MAX_COINS]; LATEST_KINDS],
    queued_lossy: usize,
}

impl Slot {
    fn new(actor: Box<dyn Actor>, control: Option<Receiver<Control>>) -> Self {
        Self {
            actor,
            latency: ActorLatency::default(),
            control,
            pending_latest: [[0; MAX_COINS]; LATEST_KINDS],
            queued_lossy: 0,
        }
    }

    pub fn latency_snapshot(&self) -> LatencySnapshot {
        self.latency.snapshot(self.actor.id())
    }
}

pub struct LocalGroup<C: Clock> {
    clock: C,
    slots: Vec<Slot>,
    route: [Route; NODE_COUNT],
    remotes: Vec<RemoteLink>,
    inbox: Option<Receiver<Envelope>>,
    queue: VecDeque<Envelope>,
    outbox: Outbox,
    counters: Arc<RuntimeCounters>,
    /// Bound on queued lossy messages per local actor (the in-thread twin of a full channel).
    lossy_capacity: usize,
    stop: Option<Arc<AtomicBool>>,
}

impl<C: Clock> LocalGroup<C> {
    /// A group hosting `actors` (with optional control channels); other nodes are absent
    /// until `connect_remote` names the thread they live on.
    pub fn new(
        clock: C,
        actors: Vec<(Box<dyn Actor>, Option<Receiver<Control>>)>,
        counters: Arc<RuntimeCounters>,
        queue_capacity: usize,
    ) -> Self {
        let mut route = [Route::Absent; NODE_COUNT];
        let slots: Vec<Slot> = actors.into_iter().map(|(a, c)| Slot::new(a, c)).collect();
        for (i, slot) in slots.iter().enumerate() {
            route[slot.actor.id().index()] = Route::Local(i);
        }
        Self {
            clock,
            slots,
            route,
            remotes: Vec::new(),
            inbox: None,
            queue: VecDeque::with_capacity(queue_capacity),
            outbox: Outbox::default(),
            counters,
            lossy_capacity: queue_capacity,
            stop: None,
        }
    }

    pub fn set_inbox(&mut self, inbox: Receiver<Envelope>) {
        self.inbox = Some(inbox);
    }

    /// Routes messages for `ids` to another thread through `link`.
    pub fn connect_remote(&mut self, ids: &[ActorId], link: RemoteLink) {
        let index = self.remotes.len();
        self.remotes.push(link);
        for id in ids {
            if matches!(self.route[id.index()], Route::Absent) {
                self.route[id.index()] = Route::Remote(index);
            }
        }
    }

    pub fn now(&self) -> Nanos {
        self.clock.now()
    }

    pub fn clock_mut(&mut self) -> &mut C {
        &mut self.clock
    }

    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    pub fn into_slots(self) -> Vec<Slot> {
        self.slots
    }

    fn slot_of(&self, id: ActorId) -> Option<usize> {
        match self.route[id.index()] {
            Route::Local(i) => Some(i),
            _ => None,
        }
    }

    /// Injects a message from outside the graph (tests, benches, sources).
    pub fn inject(&mut self, to: ActorId, msg: Msg, origin: Nanos) {
        let now = self.clock.now();
        self.route_one(usize::MAX, Outgoing { to, msg, origin }, now);
    }

    /// One round of work: control first, then the inbox, then queued messages, then due
    /// wake-ups. Returns whether anything was done.
    ///
    /// The inbox is drained only while the in-thread queue is short, so a backlog stays in
    /// the bounded channel — where a full queue drops lossy messages and counts them —
    /// instead of piling up here. At most `INBOX_BATCH` messages are handled per round, so
    /// control and the stop flag are looked at often even behind a slow actor.
    pub fn pump(&mut self) -> bool {
        let mut worked = self.serve_controls();
        while self.queue.len() < INBOX_BATCH {
            let Some(env) = self.inbox.as_ref().and_then(|rx| rx.try_recv().ok()) else { break };
            let slot = self.slot_of(env.to);
            self.enqueue(slot, env);
        }
        for _ in 0..INBOX_BATCH {
            if self.stopping() {
                return worked;
            }
            let Some(env) = self.queue.pop_front() else { break };
            worked = true;
            self.dispatch(env);
        }
        let now = self.clock.now();
        for i in 0..self.slots.len() {
            if self.slots[i].actor.next_wakeup().is_some_and(|t| t <= now) {
                worked = true;
                self.outbox.begin(now);
                let t0 = Instant::now();
                self.slots[i].actor.on_wakeup(now, &mut self.outbox);
                self.slots[i].latency.record_service(t0.elapsed().as_nanos() as u64);
                self.flush_outbox(i);
            }
        }
        worked
    }

    /// Makes `pump` return between two messages once `stop` is set.
    pub fn set_stop_flag(&mut self, stop: Arc<AtomicBool>) {
        self.stop = Some(stop);
    }

    fn stopping(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Earliest wake-up any member asked for.
    pub fn next_wakeup(&self) -> Option<Nanos> {
        self.slots.iter().filter_map(|s| s.actor.next_wakeup()).min()
    }

    /// Whether messages wait in the in-thread queue.
    pub fn has_queued(&self) -> bool {
        !self.queue.is_empty()
    }

    fn serve_controls(&mut self) -> bool {
        let mut served = false;
        for i in 0..self.slots.len() {
            loop {
                let Some(ctl) = self.slots[i].control.as_ref().and_then(|rx| rx.try_recv().ok()) else {
                    break;
                };
                served = true;
                match ctl {
                    Control::Latency(reply) => {
                        let _ = reply.send(self.slots[i].latency_snapshot());
                    }
                    Control::Report(reply) => {
                        let _ = reply.send(self.slots[i].actor.report());
                    }
                    Control::Command(cmd, reply) => {
                        let _ = reply.send(self.command_slot(i, &cmd));
                    }
                }
            }
        }
        served
    }

    fn command_slot(&mut self, i: usize, cmd: &Command) -> CommandReply {
        let now = self.clock.now();
        self.outbox.begin(now);
        let reply = self.slots[i].actor.on_command(now, cmd, &mut self.outbox);
        self.flush_outbox(i);
        reply
    }

    /// Runs a command on a member directly (sequential runtime, tests).
    pub fn command(&mut self, id: ActorId, cmd: &Command) -> Option<CommandReply> {
        let i = self.slot_of(id)?;
        Some(self.command_slot(i, cmd))
    }

    pub fn report(&self, id: ActorId) -> Option<ActorReport> {
        self.slot_of(id).map(|i| self.slots[i].actor.report())
    }

    fn enqueue(&mut self, slot: Option<usize>, env: Envelope) {
        let Some(i) = slot else {
            self.counters.dropped(env.to);
            return;
        };
        match env.msg.delivery() {
            Delivery::Latest { kind, coin } => self.slots[i].pending_latest[kind][coin.index()] += 1,
            Delivery::Lossy => self.slots[i].queued_lossy += 1,
            Delivery::Reliable => {}
        }
        self.queue.push_back(env);
    }

    fn dispatch(&mut self, env: Envelope) {
        let Some(i) = self.slot_of(env.to) else {
            self.counters.dropped(env.to);
            return;
        };
        match env.msg.delivery() {
            Delivery::Latest { kind, coin } => {
                let pending = &mut self.slots[i].pending_latest[kind][coin.index()];
                *pending = pending.saturating_sub(1);
                if *pending > 0 {
                    self.counters.coalesced(env.to);
                    return;
                }
            }
            Delivery::Lossy => self.slots[i].queued_lossy = self.slots[i].queued_lossy.saturating_sub(1),
            Delivery::Reliable => {}
        }
        let now = self.clock.now();
        let slot = &mut self.slots[i];
        slot.latency.record_queue_wait(now.saturating_sub(env.sent).0);
        self.outbox.begin(env.origin);
        let t0 = Instant::now();
        slot.actor.handle(now, env.msg, &mut self.outbox);
        slot.latency.record_service(t0.elapsed().as_nanos() as u64);
        self.flush_outbox(i);
    }

    fn flush_outbox(&mut self, from: usize) {
        if self.outbox.is_empty() {
            return;
        }
        let now = self.clock.now();
        let mut items = self.outbox.take();
        for out in items.drain(..) {
            self.route_one(from, out, now);
        }
        self.outbox.restore(items);
    }

    fn route_one(&mut self, from: usize, out: Outgoing, now: Nanos) {
        if matches!(out.msg, Msg::Actions(_)) {
            if let Some(slot) = self.slots.get_mut(from) {
                slot.latency.record_tick_to_order(now.saturating_sub(out.origin).0);
            }
        }
        self.counters.sent(out.to);
        let env = Envelope { to: out.to, msg: out.msg, origin: out.origin, sent: now };
        match self.route[env.to.index()] {
            Route::Local(i) => {
                if env.msg.delivery() == Delivery::Lossy && self.slots[i].queued_lossy >= self.lossy_capacity {
                    self.counters.dropped(env.to);
                } else {
                    self.enqueue(Some(i), env);
                }
            }
            Route::Remote(r) => send_remote(&self.remotes[r], env, &self.counters),
            Route::Absent => self.counters.dropped(env.to),
        }
    }
}

/// Sends across threads: lossy messages are dropped (and counted) when the queue is full;
/// everything else waits for room, counting the stall — the hot path sends nothing lossy to
/// a slow consumer, and the reliable streams are low-rate or coalesced, so a stall is rare.
fn send_remote(link: &RemoteLink, env: Envelope, counters: &RuntimeCounters) {
    let to = env.to;
    let lossy = env.msg.delivery() == Delivery::Lossy;
    match link.tx.try_send(env) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) if lossy => counters.dropped(to),
        Err(TrySendError::Full(env)) => {
            counters.stalled(to);
            if let Some(t) = &link.unpark {
                t.unpark();
            }
            if link.tx.send(env).is_err() {
                counters.dropped(to);
            }
        }
        Err(TrySendError::Disconnected(_)) => counters.dropped(to),
    }
    if let Some(t) = &link.unpark {
        t.unpark();
    }
}
