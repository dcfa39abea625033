//! How a sender wakes the thread it just sent to.
//!
//! A thread that parks when idle is woken with `Thread::unpark`. A thread that instead
//! sleeps in a socket loop (a `ThreadDriver`, e.g. the live feed waiting on its WebSocket)
//! cannot be woken by `unpark`: it waits on a tokio `Notify`, which keeps a permit when no
//! one is waiting, so a wake-up that races the loop going to sleep is never lost.

use std::sync::Arc;
use std::thread::Thread;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub enum Wake {
    Thread(Thread),
    Notify(Arc<Notify>),
}

impl Wake {
    pub fn wake(&self) {
        match self {
            Wake::Thread(t) => t.unpark(),
            Wake::Notify(n) => n.notify_one(),
        }
    }
}
