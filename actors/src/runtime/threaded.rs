//! The threaded runtime: actor groups on OS threads, pinned per the layout, joined by
//! bounded crossbeam channels (one inbox per thread), each actor with its own control
//! channel served ahead of data.
//!
//! Observers on other threads ask the actors through a `ControlClient` (`control_client`).

use super::clock::MonoClock;
use super::control_client::{ControlClient, ControlHandle, InboxGauge};
use super::driver::{run_driven, DriverHost, HostedDriver, ThreadDriver};
use super::group::{LocalGroup, Member, RemoteLink, Slot};
use super::layout::{validate, LayoutError, ThreadSpec, WaitStrategy};
use super::wake::Wake;
use crate::control::{Command, CommandReply, Control};
use crate::latency::LatencySnapshot;
use crate::msg::{Envelope, Msg};
use crate::report::ActorReport;
use crate::{Actor, ActorId, RuntimeCounters, NODE_COUNT};
use crossbeam_channel::{bounded, Receiver, Sender};
use engine::types::Nanos;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Longest a parked thread sleeps before re-checking the stop flag and its timers.
const MAX_PARK: Duration = Duration::from_millis(50);
/// Queued control messages per actor.
const CONTROL_CAPACITY: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("could not spawn thread `{name}`: {source}")]
    Spawn { name: String, source: std::io::Error },
    #[error("actor `{0}` is placed twice")]
    DuplicateActor(ActorId),
    #[error("a thread driver is for actor `{0}`, which no thread hosts")]
    DriverWithoutHost(ActorId),
    #[error("no tokio runtime for the sockets of thread `{name}`: {source}")]
    DriverRuntime { name: String, source: std::io::Error },
}

/// One thread's inbox, and how a sender wakes the thread (none when it polls).
struct ThreadInbox {
    tx: Sender<Envelope>,
    wake: Option<Wake>,
}

pub struct ThreadedRuntime {
    handles: Vec<JoinHandle<Vec<Slot>>>,
    inboxes: Vec<ThreadInbox>,
    thread_of: [Option<usize>; NODE_COUNT],
    control: ControlClient,
    stop: Arc<AtomicBool>,
    clock: MonoClock,
}

/// What a thread does between pumps when there was nothing to do.
fn idle(wait: WaitStrategy, until_next_timer: Option<Duration>) {
    match wait {
        WaitStrategy::Spin => std::hint::spin_loop(),
        WaitStrategy::Yield => thread::yield_now(),
        WaitStrategy::Park => thread::park_timeout(until_next_timer.unwrap_or(MAX_PARK).min(MAX_PARK)),
    }
}

fn pin(spec: &ThreadSpec) {
    let Some(core) = spec.core else { return };
    let available = core_affinity::get_core_ids().unwrap_or_default();
    match available.into_iter().find(|c| c.id == core) {
        Some(id) if core_affinity::set_for_current(id) => {
            tracing::info!(thread = %spec.name, core, "pinned");
        }
        _ => tracing::warn!(thread = %spec.name, core, "core not available on this machine; running unpinned"),
    }
}

/// The drivers of one thread and the tokio runtime their sockets run on.
struct DrivenThread {
    runtime: tokio::runtime::Runtime,
    drivers: Vec<Box<dyn ThreadDriver>>,
    notify: Arc<Notify>,
}

/// Gives each driver to the thread hosting its actor, and builds a tokio runtime for each
/// thread that got any (here, so a failure is an error of `start`, not of a thread).
fn place_drivers(layout: &[ThreadSpec], drivers: Vec<HostedDriver>) -> Result<Vec<Option<DrivenThread>>, RuntimeError> {
    let mut placed: Vec<Vec<Box<dyn ThreadDriver>>> = layout.iter().map(|_| Vec::new()).collect();
    for HostedDriver { with, driver } in drivers {
        let t = layout.iter().position(|s| s.actors.contains(&with)).ok_or(RuntimeError::DriverWithoutHost(with))?;
        placed[t].push(driver);
    }
    placed
        .into_iter()
        .zip(layout)
        .map(|(drivers, spec)| {
            if drivers.is_empty() {
                return Ok(None);
            }
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|source| RuntimeError::DriverRuntime { name: spec.name.clone(), source })?;
            Ok(Some(DrivenThread { runtime, drivers, notify: Arc::new(Notify::new()) }))
        })
        .collect()
}

impl ThreadedRuntime {
    /// Starts `actors` on the threads of `layout`; `channel_capacity` bounds each thread's
    /// inbox and each actor's queue of lossy messages.
    pub fn start(
        actors: Vec<Box<dyn Actor>>,
        layout: &[ThreadSpec],
        channel_capacity: usize,
    ) -> Result<Self, RuntimeError> {
        Self::start_with_drivers(actors, layout, channel_capacity, Vec::new())
    }

    /// As `start`, with each driver's socket loop run on the thread of the actor it feeds.
    pub fn start_with_drivers(
        actors: Vec<Box<dyn Actor>>,
        layout: &[ThreadSpec],
        channel_capacity: usize,
        drivers: Vec<HostedDriver>,
    ) -> Result<Self, RuntimeError> {
        let ids: Vec<ActorId> = actors.iter().map(|a| a.id()).collect();
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                return Err(RuntimeError::DuplicateActor(*id));
            }
        }
        validate(layout, &ids)?;
        let mut drivers = place_drivers(layout, drivers)?;
        let clock = MonoClock::new(Instant::now());
        let counters = Arc::new(RuntimeCounters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let inboxes: Vec<(Sender<_>, Receiver<_>)> = layout.iter().map(|_| bounded(channel_capacity)).collect();
        // A driven thread sleeps in its socket loop on a `Notify`; the others park (or poll).
        let notifies: Vec<Option<Arc<Notify>>> = drivers.iter().map(|d| d.as_ref().map(|d| d.notify.clone())).collect();
        let wakes: Arc<OnceLock<Vec<Option<Wake>>>> = Arc::new(OnceLock::new());
        // Each thread waits for its go signal; dropping the senders (a later spawn failed)
        // makes every started thread return at once instead of waiting forever.
        let mut go_signals = Vec::with_capacity(layout.len());
        let mut by_id: Vec<Option<Box<dyn Actor>>> = (0..NODE_COUNT).map(|_| None).collect();
        for actor in actors {
            let i = actor.id().index();
            by_id[i] = Some(actor);
        }
        let mut control_rx: Vec<Option<Receiver<Control>>> = (0..NODE_COUNT).map(|_| None).collect();
        let mut control_tx: Vec<Option<Sender<Control>>> = (0..NODE_COUNT).map(|_| None).collect();
        for id in &ids {
            let (tx, rx) = bounded(CONTROL_CAPACITY);
            control_tx[id.index()] = Some(tx);
            control_rx[id.index()] = Some(rx);
        }

        let mut handles = Vec::with_capacity(layout.len());
        for (t, spec) in layout.iter().enumerate() {
            let members: Vec<Member> = spec
                .actors
                .iter()
                .filter_map(|id| by_id[id.index()].take().map(|a| (a, control_rx[id.index()].take())))
                .collect();
            let mut group = LocalGroup::new(clock, members, counters.clone(), channel_capacity);
            group.set_inbox(inboxes[t].1.clone());
            group.set_stop_flag(stop.clone());
            let links: Vec<(Vec<ActorId>, Sender<_>, usize)> = layout
                .iter()
                .enumerate()
                .filter(|(other, _)| *other != t)
                .map(|(other, s)| (s.actors.clone(), inboxes[other].0.clone(), other))
                .collect();
            let name = spec.name.clone();
            let (go_tx, go_rx) = bounded::<()>(1);
            go_signals.push(go_tx);
            let (spec, stop, wakes) = (spec.clone(), stop.clone(), wakes.clone());
            let driven = drivers[t].take();
            let handle = thread::Builder::new()
                .name(format!("hq-{name}"))
                .spawn(move || {
                    if go_rx.recv().is_err() {
                        return group.into_slots();
                    }
                    pin(&spec);
                    let all = wakes.get().cloned().unwrap_or_default();
                    for (ids, tx, other) in links {
                        let wake = all.get(other).cloned().flatten();
                        group.connect_remote(&ids, RemoteLink { tx, wake });
                    }
                    match driven {
                        Some(DrivenThread { runtime, drivers, notify }) => {
                            run_driven(&runtime, DriverHost::new(&mut group, &stop, spec.wait, notify), drivers)
                        }
                        None => run_thread(&mut group, &spec, &stop),
                    }
                    group.into_slots()
                })
                .map_err(|source| RuntimeError::Spawn { name, source })?;
            handles.push(handle);
        }
        // How to wake each thread: its `Notify` when driven, else unpark (control messages
        // always wake; data senders only wake threads that sleep, not ones that poll).
        let thread_wakes: Vec<Wake> = handles
            .iter()
            .zip(&notifies)
            .map(|(h, n)| n.clone().map_or_else(|| Wake::Thread(h.thread().clone()), Wake::Notify))
            .collect();
        let sender_wakes: Vec<Option<Wake>> = thread_wakes
            .iter()
            .zip(layout)
            .map(|(w, spec)| (matches!(w, Wake::Notify(_)) || spec.wait == WaitStrategy::Park).then(|| w.clone()))
            .collect();
        let _ = wakes.set(sender_wakes.clone());
        for go in &go_signals {
            let _ = go.send(());
        }

        let mut controls: Vec<Option<ControlHandle>> = (0..NODE_COUNT).map(|_| None).collect();
        let mut thread_of = [None; NODE_COUNT];
        for (t, spec) in layout.iter().enumerate() {
            for id in &spec.actors {
                thread_of[id.index()] = Some(t);
                if let Some(tx) = control_tx[id.index()].take() {
                    controls[id.index()] = Some(ControlHandle { tx, wake: thread_wakes[t].clone() });
                }
            }
        }
        let gauges = layout.iter().zip(&inboxes).map(|(spec, (tx, _))| InboxGauge::new(&spec.name, tx.clone()));
        let control = ControlClient::new(controls, gauges.collect(), counters, stop.clone());
        let inboxes = inboxes.into_iter().zip(sender_wakes).map(|((tx, _), wake)| ThreadInbox { tx, wake }).collect();
        Ok(Self { handles, inboxes, thread_of, control, stop, clock })
    }

    pub fn counters(&self) -> &Arc<RuntimeCounters> {
        self.control.counters()
    }

    /// A handle for asking the actors from another thread (see `ControlClient`).
    pub fn control_client(&self) -> ControlClient {
        self.control.clone()
    }

    /// The runtime clock's current time.
    pub fn now(&self) -> Nanos {
        use super::clock::Clock;
        self.clock.now()
    }

    /// Delivers `msg` to `to` from outside the graph, stamped with the current time as its
    /// ingress time: the entry point of a bench or test driving the engine from its own
    /// thread. Blocks while the destination's inbox is full. False if `to` is not hosted or
    /// the runtime has stopped.
    pub fn inject(&self, to: ActorId, msg: Msg) -> bool {
        let Some(inbox) = self.thread_of[to.index()].map(|t| &self.inboxes[t]) else { return false };
        let now = self.now();
        let sent = inbox.tx.send(Envelope { to, msg, origin: now, sent: now }).is_ok();
        if let Some(wake) = &inbox.wake {
            wake.wake();
        }
        sent
    }

    pub fn latency(&self, id: ActorId, timeout: Duration) -> Option<LatencySnapshot> {
        self.control.latency(id, timeout)
    }

    pub fn report(&self, id: ActorId, timeout: Duration) -> Option<ActorReport> {
        self.control.report(id, timeout)
    }

    pub fn command(&self, id: ActorId, command: Command, timeout: Duration) -> Option<CommandReply> {
        self.control.command(id, command, timeout)
    }

    /// Stops every thread and hands back the actors with their histograms.
    pub fn stop(self) -> Vec<Slot> {
        self.stop.store(true, Ordering::Release);
        let mut slots = Vec::new();
        for handle in &self.handles {
            handle.thread().unpark();
        }
        for wake in self.inboxes.iter().filter_map(|i| i.wake.as_ref()) {
            wake.wake();
        }
        for handle in self.handles {
            match handle.join() {
                Ok(s) => slots.extend(s),
                Err(_) => tracing::error!("an actor thread panicked; its actors are lost from the summary"),
            }
        }
        slots
    }
}

fn run_thread(group: &mut LocalGroup<MonoClock>, spec: &ThreadSpec, stop: &AtomicBool) {
    while !stop.load(Ordering::Acquire) {
        if group.pump() {
            continue;
        }
        let until_timer = group.next_wakeup().map(|t| Duration::from_nanos(t.saturating_sub(group.now()).0));
        idle(spec.wait, until_timer);
    }
}
