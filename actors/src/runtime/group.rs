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
use super::wake::Wake;
use crate::control::{Command, CommandReply, Control};
use crate::latency::{ActorLatency, LatencySnapshot};
use crate::msg::{Delivery, Envelope, Msg, LATEST_KINDS};
use crate::report::ActorReport;
use crate::{Actor, ActorId, Outbox, Outgoing, RuntimeCounters, NODE_COUNT};
use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TrySendError};
use engine::types::{Nanos, MAX_COINS};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
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
    /// Set when that thread sleeps while idle: it must be woken after a send.
    pub wake: Option<Wake>,
}

/// An actor to host, with its control channel (none in the sequential runtime).
pub type Member = (Box<dyn Actor>, Option<Receiver<Control>>);

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
    pub fn new(clock: C, actors: Vec<Member>, counters: Arc<RuntimeCounters>, queue_capacity: usize) -> Self {
        let mut route = [Route::Absent; NODE_COUNT];
        let mut slots: Vec<Slot> = actors.into_iter().map(|(a, c)| Slot::new(a, c)).collect();
        for slot in &mut slots {
            slot.actor.attach_counters(&counters);
        }
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
    /// wake-ups and the inbox are looked at often; control and the stop flag are looked at
    /// before every message, so even a slow actor's backlog never delays them.
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
            worked |= self.serve_controls();
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
            while let Some(ctl) = self.next_control(i) {
                served = true;
                match ctl {
                    Control::Latency(reply) => {
                        let _ = reply.send(self.slots[i].latency_snapshot());
                    }
                    Control::Histograms(reply) => {
                        let _ = reply.send(self.slots[i].latency.clone());
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

    /// The next control message for slot `i`. This runs before every data message, so the
    /// common empty case must be cheap: `is_empty` is two loads, while `try_recv` on an
    /// empty channel also issues a fence.
    fn next_control(&self, i: usize) -> Option<Control> {
        let rx = self.slots[i].control.as_ref()?;
        if rx.is_empty() {
            return None;
        }
        rx.try_recv().ok()
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
        // Tick-to-order times order flow; the dead man's switch's refreshes are a timer's.
        if matches!(&out.msg, Msg::Action(a) if a.is_first() && a.action.is_order_flow()) {
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
            Route::Remote(r) => send_remote(&self.remotes[r], env, &self.counters, self.stop.as_deref()),
            Route::Absent => self.counters.dropped(env.to),
        }
    }
}

/// How long a stalled reliable send waits between looks at the stop flag.
const STALL_RECHECK: std::time::Duration = std::time::Duration::from_millis(1);

/// Sends across threads: lossy messages are dropped (and counted) when the queue is full;
/// everything else waits for room, counting the stall — the hot path sends nothing lossy to
/// a slow consumer, and the reliable streams are low-rate or coalesced, so a stall is rare.
/// A stalled send gives up (counted as dropped) once the runtime is stopping, so a full
/// queue can never hold up shutdown.
fn send_remote(link: &RemoteLink, env: Envelope, counters: &RuntimeCounters, stop: Option<&AtomicBool>) {
    let to = env.to;
    let lossy = env.msg.delivery() == Delivery::Lossy;
    match link.tx.try_send(env) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) if lossy => counters.dropped(to),
        Err(TrySendError::Full(mut env)) => {
            counters.stalled(to);
            loop {
                if let Some(w) = &link.wake {
                    w.wake();
                }
                match link.tx.send_timeout(env, STALL_RECHECK) {
                    Ok(()) => break,
                    Err(SendTimeoutError::Timeout(back)) if !stop.is_some_and(|s| s.load(Ordering::Relaxed)) => {
                        env = back
                    }
                    Err(_) => {
                        counters.dropped(to);
                        break;
                    }
                }
            }
        }
        Err(TrySendError::Disconnected(_)) => counters.dropped(to),
    }
    if let Some(w) = &link.wake {
        w.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::clock::SimClock;
    use crate::testkit::{actions, book, handled, params, prediction, tag, trade, Script};
    use crossbeam_channel::bounded;
    use std::sync::Mutex;

    type Log = Arc<Mutex<Vec<(ActorId, (char, u8, u64))>>>;

    fn recorder(id: ActorId, log: &Log) -> Box<dyn Actor> {
        let log = log.clone();
        Script::new(id, move |_, msg, _| log.lock().unwrap().push((id, tag(msg)))).boxed()
    }

    fn group(actors: Vec<Box<dyn Actor>>, capacity: usize) -> (LocalGroup<SimClock>, Arc<RuntimeCounters>) {
        let counters = Arc::new(RuntimeCounters::default());
        let members = actors.into_iter().map(|a| (a, None)).collect();
        (LocalGroup::new(SimClock::default(), members, counters.clone(), capacity), counters)
    }

    fn drain(g: &mut LocalGroup<SimClock>) {
        while g.pump() {}
    }

    fn taken(log: &Log) -> Vec<(ActorId, (char, u8, u64))> {
        std::mem::take(&mut *log.lock().unwrap())
    }

    #[test]
    fn in_thread_queue_is_fifo_and_breadth_first() {
        let log = Log::default();
        let relay_log = log.clone();
        let relay = Script::new(ActorId::Feed, move |_, msg, out| {
            relay_log.lock().unwrap().push((ActorId::Feed, tag(msg)));
            out.send(ActorId::Estimator, msg.clone());
        });
        let (mut g, _) = group(vec![relay.boxed(), recorder(ActorId::Estimator, &log)], 16);
        for tid in 1..=3 {
            g.inject(ActorId::Feed, trade(0, tid), Nanos::ZERO);
        }
        drain(&mut g);
        // A message sent while handling queues behind those already queued: no recursion.
        let f = |tid| (ActorId::Feed, ('T', 0, tid));
        let e = |tid| (ActorId::Estimator, ('T', 0, tid));
        assert_eq!(taken(&log), vec![f(1), f(2), f(3), e(1), e(2), e(3)]);
    }

    #[test]
    fn latest_value_streams_coalesce_per_destination_kind_and_coin() {
        let log = Log::default();
        let (mut g, counters) = group(vec![recorder(ActorId::Estimator, &log), recorder(ActorId::Quote, &log)], 16);
        let to_estimator =
            [book(0, 1), trade(0, 1), book(0, 2), params(0, 1), book(1, 1), book(0, 3), trade(0, 2), book(1, 2)];
        for msg in to_estimator {
            g.inject(ActorId::Estimator, msg, Nanos::ZERO);
        }
        g.inject(ActorId::Estimator, params(0, 2), Nanos::ZERO);
        g.inject(ActorId::Quote, book(0, 10), Nanos::ZERO);
        drain(&mut g);
        let e = |t| (ActorId::Estimator, t);
        assert_eq!(
            taken(&log),
            vec![
                e(('T', 0, 1)),
                e(('B', 0, 3)),
                e(('T', 0, 2)),
                e(('B', 1, 2)),
                e(('P', 0, 2)),
                (ActorId::Quote, ('B', 0, 10)),
            ],
            "reliable messages all pass; of each (kind, coin) only the newest, at its own place"
        );
        assert_eq!(counters.snapshot(ActorId::Estimator).coalesced, 4);
        assert_eq!(counters.snapshot(ActorId::Estimator).sent, 9);
        assert_eq!(counters.snapshot(ActorId::Quote).coalesced, 0);

        // The pending counts are back at zero: a lone book later is handled.
        g.inject(ActorId::Estimator, book(0, 4), Nanos::ZERO);
        drain(&mut g);
        assert_eq!(taken(&log), vec![e(('B', 0, 4))]);
        assert_eq!(counters.snapshot(ActorId::Estimator).coalesced, 4);
    }

    #[test]
    fn local_lossy_queue_is_bounded_and_drops_are_counted() {
        let log = Log::default();
        let (mut g, counters) = group(vec![recorder(ActorId::Calibration, &log)], 4);
        for seq in 0..10 {
            g.inject(ActorId::Calibration, prediction(seq), Nanos::ZERO);
        }
        let c = counters.snapshot(ActorId::Calibration);
        assert_eq!((c.sent, c.dropped), (10, 6));
        drain(&mut g);
        let want: Vec<_> = (0..4).map(|s| (ActorId::Calibration, ('L', 0, s))).collect();
        assert_eq!(taken(&log), want, "the oldest four are kept, in order");

        // Handling frees the room again.
        for seq in 10..14 {
            g.inject(ActorId::Calibration, prediction(seq), Nanos::ZERO);
        }
        drain(&mut g);
        assert_eq!(taken(&log).len(), 4);
        assert_eq!(counters.snapshot(ActorId::Calibration).dropped, 6);
    }

    #[test]
    fn control_is_served_between_data_messages() {
        let (ctl_tx, ctl_rx) = bounded(8);
        let (report_tx, report_rx) = bounded(1);
        let (latency_tx, latency_rx) = bounded(1);
        let mut seen = 0;
        // While handling its third message the actor's control channel receives two requests,
        // as if an operator asked then; they must be answered before the fourth message.
        let actor = Script::new(ActorId::Risk, move |_, _, _| {
            seen += 1;
            if seen == 3 {
                ctl_tx.send(Control::Report(report_tx.clone())).unwrap();
                ctl_tx.send(Control::Latency(latency_tx.clone())).unwrap();
            }
        });
        let counters = Arc::new(RuntimeCounters::default());
        let mut g = LocalGroup::new(SimClock::default(), vec![(actor.boxed(), Some(ctl_rx))], counters, 64);
        for tid in 0..10 {
            g.inject(ActorId::Risk, trade(0, tid), Nanos::ZERO);
        }
        assert!(g.pump());
        assert_eq!(handled(&report_rx.try_recv().expect("report answered")), 3);
        assert_eq!(latency_rx.try_recv().expect("latency answered").service.count, 3);
        drain(&mut g);
        assert_eq!(handled(&g.report(ActorId::Risk).unwrap()), 10);
    }

    #[test]
    fn stop_flag_is_checked_between_messages() {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let mut seen = 0;
        let actor = Script::new(ActorId::Quote, move |_, _, _| {
            seen += 1;
            if seen == 3 {
                flag.store(true, Ordering::Relaxed);
            }
        });
        let (mut g, _) = group(vec![actor.boxed()], 64);
        g.set_stop_flag(stop);
        for tid in 0..10 {
            g.inject(ActorId::Quote, trade(0, tid), Nanos::ZERO);
        }
        g.pump();
        assert_eq!(handled(&g.report(ActorId::Quote).unwrap()), 3);
        assert!(g.has_queued());
    }

    #[test]
    fn message_to_unhosted_node_is_counted_as_dropped() {
        let forwarder = Script::new(ActorId::Feed, |_, msg, out| out.send(ActorId::Order, msg.clone()));
        let (mut g, counters) = group(vec![forwarder.boxed()], 16);
        g.inject(ActorId::Calibration, prediction(1), Nanos::ZERO);
        g.inject(ActorId::Estimator, trade(0, 1), Nanos::ZERO);
        g.inject(ActorId::Feed, trade(0, 2), Nanos::ZERO);
        drain(&mut g);
        for id in [ActorId::Calibration, ActorId::Estimator, ActorId::Order] {
            let c = counters.snapshot(id);
            assert_eq!((c.sent, c.dropped), (1, 1), "{id}");
        }
        assert_eq!(g.report(ActorId::Order), None);
    }

    #[test]
    fn tick_to_order_is_recorded_for_actions_only() {
        let log = Log::default();
        let order = Script::new(ActorId::Order, |_, _, out| {
            out.send(ActorId::Venue, actions());
            out.send(ActorId::Venue, trade(0, 9));
        });
        let (mut g, _) = group(vec![order.boxed(), recorder(ActorId::Venue, &log)], 16);
        g.clock_mut().now = Nanos::from_millis(1);
        g.inject(ActorId::Order, trade(0, 1), Nanos::from_micros(400));
        g.inject(ActorId::Venue, actions(), Nanos::ZERO);
        drain(&mut g);
        assert_eq!(taken(&log).len(), 3);
        let order = &g.slots()[0].latency;
        assert_eq!(order.tick_to_order_ns.len(), 1, "one Actions sent by Order");
        let ns = order.tick_to_order_ns.value_at_quantile(0.5);
        assert!(order.tick_to_order_ns.equivalent(ns, 600_000), "ingress 400 µs, sent at 1 ms: {ns}");
        assert!(g.slots()[0].latency_snapshot().tick_to_order.is_some());
        assert!(g.slots()[1].latency.tick_to_order_ns.is_empty(), "injected Actions are nobody's");
    }
}
