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
        self.run_while_due(end);
        self.group.clock_mut().now = end.max(self.group.now());
        while self.group.pump() {}
    }

    /// Runs every wake-up due at or before `end` and returns the time of the last one: the
    /// clock stays there, so a source that ends early (a replay) ends the run early.
    pub fn run_while_due(&mut self, end: Nanos) -> Nanos {
        loop {
            while self.group.pump() {}
            match self.group.next_wakeup() {
                Some(t) if t <= end => self.group.clock_mut().now = t.max(self.group.now()),
                _ => return self.group.now(),
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{actions, book, prediction, tag, trade, Script};
    use crate::Outbox;
    use std::sync::Mutex;

    type Log = Arc<Mutex<Vec<(Nanos, ActorId, (char, u8, u64))>>>;

    /// Wakes at `first`, then every `period` up to `last`, logging each wake-up and sending a
    /// book (or, with `trades`, a trade) numbered by the wake-up to `to`.
    fn ticker(id: ActorId, first: u64, period: u64, last: u64, to: ActorId, log: &Log) -> Box<dyn Actor> {
        let log = log.clone();
        let mut seq = 0;
        Script::new(id, |_, _, _| {})
            .waking(Nanos(first), move |now, out| {
                seq += 1;
                log.lock().unwrap().push((now, id, ('W', 0, seq)));
                out.send(to, if seq % 3 == 0 { trade(0, seq) } else { book(0, seq) });
                let next = now.0 + period;
                (next <= last).then_some(Nanos(next))
            })
            .boxed()
    }

    fn recorder(id: ActorId, log: &Log) -> Box<dyn Actor> {
        let log = log.clone();
        Script::new(id, move |now, msg, _| log.lock().unwrap().push((now, id, tag(msg)))).boxed()
    }

    #[test]
    fn wakeups_run_in_time_order_and_the_clock_rests_at_end() {
        let log = Log::default();
        let actors = vec![
            ticker(ActorId::Feed, 10, 20, 50, ActorId::Quote, &log),
            ticker(ActorId::Estimator, 20, 20, 40, ActorId::Quote, &log),
            ticker(ActorId::Risk, 35, 100, 35, ActorId::Quote, &log),
            recorder(ActorId::Quote, &log),
        ];
        let mut rt = SequentialRuntime::new(actors, 16);
        rt.run_until(Nanos(35));
        assert_eq!(rt.now(), Nanos(35));
        rt.run_until(Nanos(100));
        assert_eq!(rt.now(), Nanos(100));
        let log = log.lock().unwrap().clone();
        let wakes: Vec<(u64, ActorId)> = log.iter().filter(|e| e.2 .0 == 'W').map(|e| (e.0 .0, e.1)).collect();
        let (f, e, r) = (ActorId::Feed, ActorId::Estimator, ActorId::Risk);
        assert_eq!(wakes, vec![(10, f), (20, e), (30, f), (35, r), (40, e), (50, f)]);
        // Messages are delivered at the instant they are sent, right after their sender.
        for pair in log.windows(2).filter(|p| p[0].2 .0 == 'W') {
            assert_eq!(pair[1].1, ActorId::Quote);
            assert_eq!(pair[1].0, pair[0].0);
        }
        assert_eq!(log.len(), 12);
    }

    #[test]
    fn wakeup_after_end_waits_for_the_next_run() {
        let log = Log::default();
        let actors = vec![ticker(ActorId::Feed, 70, 1, 70, ActorId::Quote, &log), recorder(ActorId::Quote, &log)];
        let mut rt = SequentialRuntime::new(actors, 16);
        rt.run_until(Nanos(69));
        assert!(log.lock().unwrap().is_empty());
        assert_eq!(rt.now(), Nanos(69));
        rt.run_until(Nanos(70));
        assert_eq!(log.lock().unwrap().first().map(|e| e.0), Some(Nanos(70)), "runs at its own time");
        rt.run_until(Nanos(10));
        assert_eq!(rt.now(), Nanos(70), "the clock never goes back");
    }

    fn one_run() -> Vec<(Nanos, ActorId, (char, u8, u64))> {
        let log = Log::default();
        let relay_log = log.clone();
        // Forwards books as predictions (lossy, bounded) and trades as trades.
        let relay = Script::new(ActorId::Quote, move |now, msg, out| {
            relay_log.lock().unwrap().push((now, ActorId::Quote, tag(msg)));
            let (_, _, seq) = tag(msg);
            for k in 0..3 {
                out.send(ActorId::Calibration, prediction((seq * 3 + k) as u32));
            }
            out.send(ActorId::Calibration, msg.clone());
        });
        let actors = vec![
            ticker(ActorId::Feed, 3, 7, 400, ActorId::Quote, &log),
            ticker(ActorId::Estimator, 5, 11, 400, ActorId::Quote, &log),
            relay.boxed(),
            recorder(ActorId::Calibration, &log),
        ];
        let mut rt = SequentialRuntime::new(actors, 2);
        rt.run_until(Nanos(200));
        rt.inject(ActorId::Quote, trade(1, 999));
        rt.run_until(Nanos(500));
        let dropped = rt.counters().snapshot(ActorId::Calibration).dropped;
        let mut log = log.lock().unwrap().clone();
        log.push((Nanos::MAX, ActorId::Calibration, ('D', 0, dropped)));
        log
    }

    #[test]
    fn identical_runs_produce_identical_message_sequences() {
        let first = one_run();
        assert!(first.len() > 200, "{}", first.len());
        assert!(first.iter().any(|e| e.2 == ('T', 1, 999)));
        assert!(first.last().is_some_and(|e| e.2 .0 == 'D' && e.2 .2 > 0), "the run drops lossy messages too");
        assert_eq!(first, one_run());
    }

    #[test]
    fn tick_to_order_measures_simulated_latency() {
        let venue = Script::new(ActorId::Venue, |_, _, _| {}).boxed();
        let mut rt = SequentialRuntime::new(vec![Box::new(DelayedOrder { pending: None }), venue], 16);
        rt.run_until(Nanos::from_millis(1));
        rt.inject(ActorId::Order, trade(0, 1));
        rt.run_until(Nanos::from_millis(2));
        let slots = rt.into_slots();
        let h = &slots.iter().find(|s| s.actor.id() == ActorId::Order).unwrap().latency.tick_to_order_ns;
        assert_eq!(h.len(), 2);
        assert_eq!(h.min(), 1, "sent at once: zero simulated latency (clamped to the 1 ns floor)");
        assert!(h.equivalent(h.max(), 250_000), "{}", h.max());
    }

    /// Sends one action batch the instant a trade arrives and another 250 µs later, with the
    /// trade's ingress time.
    struct DelayedOrder {
        pending: Option<(Nanos, Nanos)>,
    }

    impl Actor for DelayedOrder {
        fn id(&self) -> ActorId {
            ActorId::Order
        }

        fn handle(&mut self, now: Nanos, _msg: Msg, out: &mut Outbox) {
            out.send(ActorId::Venue, actions());
            // Sequential delivery is instant, so `now` is the trade's ingress time.
            self.pending = Some((now, now + Nanos::from_micros(250)));
        }

        fn next_wakeup(&self) -> Option<Nanos> {
            self.pending.map(|(_, at)| at)
        }

        fn on_wakeup(&mut self, _now: Nanos, out: &mut Outbox) {
            if let Some((origin, _)) = self.pending.take() {
                out.send_from(origin, ActorId::Venue, actions());
            }
        }

        fn report(&self) -> ActorReport {
            ActorReport::Order(Default::default())
        }
    }

    #[test]
    fn message_to_unhosted_node_is_dropped_not_a_panic() {
        let mut rt = SequentialRuntime::new(vec![Script::new(ActorId::Feed, |_, _, _| {}).boxed()], 16);
        rt.inject(ActorId::Calibration, prediction(1));
        rt.inject(ActorId::Order, actions());
        rt.run_until(Nanos(10));
        assert_eq!(rt.counters().snapshot(ActorId::Calibration).dropped, 1);
        assert_eq!(rt.counters().snapshot(ActorId::Order).dropped, 1);
        assert!(rt.report(ActorId::Order).is_none());
    }
}
