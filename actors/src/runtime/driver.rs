//! A thread whose idle time belongs to sockets: the runtime runs the thread's actor group
//! on a single-threaded tokio runtime beside one or more `ThreadDriver`s, each of which
//! reads its socket, parses what arrives and injects the events straight into the actors
//! that share the thread — no hop between the socket reader and the first actor
//! (ARCHITECTURE.md: the feed turns venue frames into events).
//!
//! The group keeps running while the sockets are quiet: `run_driven` pumps it whenever
//! another thread sends to it (a `Notify` wake), a timer of one of its actors is due, or a
//! control message arrives, and ends once the runtime stops, giving the drivers a short
//! grace to close their connections.

use super::clock::MonoClock;
use super::group::LocalGroup;
use super::layout::WaitStrategy;
use crate::msg::Msg;
use crate::ActorId;
use futures_util::future::{join_all, LocalBoxFuture};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Longest a driver sleeps before looking at the stop flag again.
const MAX_SLEEP: Duration = Duration::from_millis(50);
/// Resolution of tokio's timer wheel: a timer due sooner than this is polled for, not slept
/// on, or it would fire up to a millisecond late.
const TIMER_RESOLUTION: Duration = Duration::from_millis(1);

/// How long drivers may take to close their connections once the runtime stops.
const CLOSE_GRACE: Duration = Duration::from_millis(500);

/// A socket loop on an actor thread. `run` is polled on that thread's tokio runtime, with
/// the host shared through a `RefCell` (borrow it only between awaits); it should end soon
/// after `host.stopping()` turns true.
pub trait ThreadDriver: Send {
    fn run<'h>(self: Box<Self>, host: &'h RefCell<DriverHost<'_>>) -> LocalBoxFuture<'h, ()>;
}

/// A driver to place on the thread that hosts `with` (the actor its events are for).
pub struct HostedDriver {
    pub with: ActorId,
    pub driver: Box<dyn ThreadDriver>,
}

/// What a driver may do with the thread's actor group.
pub struct DriverHost<'a> {
    group: &'a mut LocalGroup<MonoClock>,
    stop: &'a AtomicBool,
    wait: WaitStrategy,
    notify: Arc<Notify>,
}

impl<'a> DriverHost<'a> {
    pub(super) fn new(
        group: &'a mut LocalGroup<MonoClock>,
        stop: &'a AtomicBool,
        wait: WaitStrategy,
        notify: Arc<Notify>,
    ) -> Self {
        Self { group, stop, wait, notify }
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// Queues `msg` for `to` (an actor of this thread, or of another), stamped now as its
    /// ingress time. `run_until_idle` then handles it.
    pub fn inject(&mut self, to: ActorId, msg: Msg) {
        let now = self.group.now();
        self.group.inject(to, msg, now);
    }

    /// Runs the group until it has nothing left to do: what was injected is handled on this
    /// thread before this returns.
    pub fn run_until_idle(&mut self) {
        while !self.stopping() && self.group.pump() {}
    }

    fn until_next_timer(&self) -> Duration {
        let now = self.group.now();
        self.group.next_wakeup().map_or(MAX_SLEEP, |t| Duration::from_nanos(t.saturating_sub(now).0).min(MAX_SLEEP))
    }

    /// Keeps the group running while the sockets are quiet; returns once the runtime stops.
    async fn serve(host: &RefCell<DriverHost<'a>>) {
        loop {
            let (wait, notify, sleep) = {
                let mut h = host.borrow_mut();
                h.run_until_idle();
                if h.stopping() {
                    return;
                }
                (h.wait, h.notify.clone(), h.until_next_timer())
            };
            match wait {
                // Polling: give the socket a turn (tokio polls its reactor without blocking
                // before it resumes a yielded task), then pump again.
                WaitStrategy::Spin | WaitStrategy::Yield => tokio::task::yield_now().await,
                WaitStrategy::Park if sleep < TIMER_RESOLUTION => tokio::task::yield_now().await,
                WaitStrategy::Park => {
                    let _ = tokio::time::timeout(sleep, notify.notified()).await;
                }
            }
        }
    }
}

/// Runs a driven thread: the drivers' socket loops and the group's own loop on one tokio
/// runtime, until the runtime stops.
pub(super) fn run_driven(runtime: &tokio::runtime::Runtime, host: DriverHost<'_>, drivers: Vec<Box<dyn ThreadDriver>>) {
    let host = RefCell::new(host);
    runtime.block_on(async {
        let mut sockets = join_all(drivers.into_iter().map(|d| d.run(&host)));
        tokio::select! {
            _ = &mut sockets => DriverHost::serve(&host).await,
            () = DriverHost::serve(&host) => {
                let _ = tokio::time::timeout(CLOSE_GRACE, sockets).await;
            }
        }
    });
}
