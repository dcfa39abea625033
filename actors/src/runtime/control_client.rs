//! The control client: how a thread other than the run loop (the admin server) asks the
//! actors of a running `ThreadedRuntime` for reports, latency snapshots and commands.
//!
//! It holds clones of the actors' control senders, the runtime counters and the inbox
//! senders (to read queue depths), so it is cheap to clone and `Send + Sync`, and the run
//! loop keeps the runtime to itself. An ask is a `try_send` on the actor's bounded control
//! channel, a wake of its thread and a wait on a one-slot reply channel: no lock anywhere,
//! and the actor answers between two of its messages. A full control queue refuses the ask
//! at once rather than making the asker (or anyone else) wait, so a flood of observers can
//! cost the hot path no more than serving 64 queued snapshots.

use super::wake::Wake;
use crate::control::{Command, CommandReply, Control};
use crate::latency::{ActorLatency, LatencySnapshot};
use crate::msg::Envelope;
use crate::report::ActorReport;
use crate::{ActorId, RuntimeCounters};
use crossbeam_channel::{bounded, Sender};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A control channel of one actor plus how to wake its thread.
#[derive(Clone)]
pub(super) struct ControlHandle {
    pub(super) tx: Sender<Control>,
    pub(super) wake: Wake,
}

/// A thread's inbox as seen from outside: its name and a sender to read the depth from.
pub(super) struct InboxGauge {
    thread: String,
    tx: Sender<Envelope>,
}

impl InboxGauge {
    pub(super) fn new(thread: &str, tx: Sender<Envelope>) -> Self {
        Self { thread: thread.to_string(), tx }
    }
}

/// Messages waiting in one thread's inbox (its cross-thread queue) when asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxDepth {
    pub thread: String,
    pub depth: usize,
    pub capacity: usize,
}

/// The control channels of every hosted actor, the runtime counters and each thread's inbox
/// depth. Cheap to clone (four `Arc`s). Once the runtime has stopped, every ask answers
/// `None` at once.
#[derive(Clone)]
pub struct ControlClient {
    controls: Arc<[Option<ControlHandle>]>,
    inboxes: Arc<[InboxGauge]>,
    counters: Arc<RuntimeCounters>,
    stopped: Arc<AtomicBool>,
}

impl ControlClient {
    pub(super) fn new(
        controls: Vec<Option<ControlHandle>>,
        inboxes: Vec<InboxGauge>,
        counters: Arc<RuntimeCounters>,
        stopped: Arc<AtomicBool>,
    ) -> Self {
        Self { controls: controls.into(), inboxes: inboxes.into(), counters, stopped }
    }

    fn ask<T>(&self, id: ActorId, timeout: Duration, make: impl FnOnce(Sender<T>) -> Control) -> Option<T> {
        if self.stopped.load(Ordering::Acquire) {
            return None;
        }
        let handle = self.controls.get(id.index())?.as_ref()?;
        let (tx, rx) = bounded(1);
        handle.tx.try_send(make(tx)).ok()?;
        handle.wake.wake();
        rx.recv_timeout(timeout).ok()
    }

    /// `id`'s latency percentiles; `None` if it is not hosted, its control queue is full,
    /// the runtime has stopped, or it did not answer within `timeout`.
    pub fn latency(&self, id: ActorId, timeout: Duration) -> Option<LatencySnapshot> {
        self.ask(id, timeout, Control::Latency)
    }

    /// A copy of `id`'s histograms (`None` as for `latency`). Costs the actor's thread a copy
    /// of three HDR histograms; subtract two of them to see one period of a run.
    pub fn histograms(&self, id: ActorId, timeout: Duration) -> Option<ActorLatency> {
        self.ask(id, timeout, Control::Histograms)
    }

    /// `id`'s report (`None` as for `latency`).
    pub fn report(&self, id: ActorId, timeout: Duration) -> Option<ActorReport> {
        self.ask(id, timeout, Control::Report)
    }

    /// Runs `command` on `id` between two of its messages and returns its reply (`None` as
    /// for `latency`; the command may still run after a timeout).
    pub fn command(&self, id: ActorId, command: Command, timeout: Duration) -> Option<CommandReply> {
        self.ask(id, timeout, |tx| Control::Command(command, tx))
    }

    /// The actors the runtime hosts, in `ActorId` order.
    pub fn hosted(&self) -> impl Iterator<Item = ActorId> + '_ {
        ActorId::ALL.into_iter().filter(|id| self.controls.get(id.index()).is_some_and(Option::is_some))
    }

    /// Sent / dropped / coalesced / stalled counts per destination (relaxed atomic loads).
    pub fn counters(&self) -> &Arc<RuntimeCounters> {
        &self.counters
    }

    /// Each thread's inbox depth now (two atomic loads per thread).
    pub fn inbox_depths(&self) -> Vec<InboxDepth> {
        let depth = |g: &InboxGauge| InboxDepth {
            thread: g.thread.clone(),
            depth: g.tx.len(),
            capacity: g.tx.capacity().unwrap_or(usize::MAX),
        };
        self.inboxes.iter().map(depth).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::control::{Command, CommandReply};
    use crate::runtime::{ControlClient, ThreadSpec, ThreadedRuntime, WaitStrategy};
    use crate::testkit::{handled, trade, Script};
    use crate::ActorId;
    use engine::risk::TradingState;
    use engine::types::Nanos;
    use std::time::{Duration, Instant};

    const SECOND: Duration = Duration::from_secs(1);

    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn observers_on_other_threads_ask_while_the_runtime_runs_and_get_none_after_stop() {
        assert_send_sync_clone::<ControlClient>();
        const TRADES: u64 = 200;
        let feed = Script::idle(ActorId::Feed).waking(Nanos::ZERO, |_, out| {
            for tid in 0..TRADES {
                out.send(ActorId::Quote, trade(0, tid));
            }
            None
        });
        let quote = Script::idle(ActorId::Quote).commanded(|_| {});
        let layout = [
            ThreadSpec { name: "src".into(), actors: vec![ActorId::Feed], core: None, wait: WaitStrategy::Park },
            ThreadSpec { name: "dst".into(), actors: vec![ActorId::Quote], core: None, wait: WaitStrategy::Park },
        ];
        let rt = ThreadedRuntime::start(vec![feed.boxed(), quote.boxed()], &layout, 64).unwrap();
        let client = rt.control_client();
        assert_eq!(client.hosted().collect::<Vec<_>>(), [ActorId::Feed, ActorId::Quote]);
        let depths = client.inbox_depths();
        assert_eq!(
            depths.iter().map(|d| (d.thread.as_str(), d.capacity)).collect::<Vec<_>>(),
            [("src", 64), ("dst", 64)]
        );

        // Four observers ask at once, each from its own thread, while the run loop keeps `rt`.
        let observers: Vec<_> = (0..4)
            .map(|_| {
                let client = client.clone();
                std::thread::spawn(move || {
                    let deadline = Instant::now() + 5 * SECOND;
                    while Instant::now() < deadline {
                        let seen = client.report(ActorId::Quote, SECOND).map(|r| handled(&r));
                        if seen == Some(TRADES) {
                            break;
                        }
                    }
                    let latency = client.latency(ActorId::Quote, SECOND).expect("latency");
                    let histograms = client.histograms(ActorId::Quote, SECOND).expect("histograms");
                    assert!(histograms.service_ns.len() >= latency.service.count);
                    let command = Command::SetTradingState { state: TradingState::Halted, reason: "test".into() };
                    (latency.service.count, client.command(ActorId::Quote, command, SECOND))
                })
            })
            .collect();
        for o in observers {
            assert_eq!(o.join().unwrap(), (TRADES, Some(CommandReply::Done)));
        }
        assert_eq!(client.counters().snapshot(ActorId::Quote).sent, TRADES);
        assert!(client.report(ActorId::Risk, SECOND).is_none(), "not hosted");

        rt.stop();
        let t0 = Instant::now();
        assert!(client.report(ActorId::Quote, SECOND).is_none());
        assert!(t0.elapsed() < SECOND / 10, "an ask after stop must not wait for its timeout");
    }
}
