//! One message hop between threads, as the runtime does it: a bounded crossbeam channel
//! whose receiver is idle when the message arrives — spinning on `try_recv`, yielding, or
//! parked and woken by the sender's `unpark` (the runtime's `park` strategy). One-way
//! latency: the sender stamps the message, the receiver measures on arrival; the sender
//! pauses between messages so a parking receiver really is asleep.

use actors::runtime::WaitStrategy;
use crossbeam_channel::{bounded, Receiver, TryRecvError};
use std::thread;
use std::time::{Duration, Instant};

/// Pause between messages: long enough for a parking receiver to fall asleep.
const IDLE_BETWEEN_MESSAGES: Duration = Duration::from_micros(50);

/// Waits for the next stamp; `None` when the sender is gone.
fn receive(rx: &Receiver<Instant>, wait: WaitStrategy) -> Option<Instant> {
    loop {
        match rx.try_recv() {
            Ok(stamp) => return Some(stamp),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => match wait {
                WaitStrategy::Spin => std::hint::spin_loop(),
                WaitStrategy::Yield => thread::yield_now(),
                WaitStrategy::Park => thread::park_timeout(Duration::from_millis(50)),
            },
        }
    }
}

/// `iters` one-way latencies to a receiver idling with `wait`, each handed to `record`.
pub fn one_way(iters: u64, wait: WaitStrategy, mut record: impl FnMut(Duration)) {
    let (tx, rx) = bounded::<Instant>(1024);
    let (lat_tx, lat_rx) = bounded::<Duration>(1024);
    let receiver = thread::spawn(move || {
        while let Some(stamp) = receive(&rx, wait) {
            if lat_tx.send(stamp.elapsed()).is_err() {
                break;
            }
        }
    });
    let receiver_thread = receiver.thread().clone();
    for _ in 0..iters {
        let pause = Instant::now();
        while pause.elapsed() < IDLE_BETWEEN_MESSAGES {
            std::hint::spin_loop();
        }
        let _ = tx.send(Instant::now());
        if wait == WaitStrategy::Park {
            receiver_thread.unpark();
        }
        record(lat_rx.recv().unwrap_or_default());
    }
    drop(tx);
    receiver_thread.unpark();
    let _ = receiver.join();
}
