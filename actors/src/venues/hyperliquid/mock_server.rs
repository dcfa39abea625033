//! A mock Hyperliquid WebSocket server for tests, on loopback only.
//!
//! It speaks the part of the protocol the engine depends on (`../shared/HYPERLIQUID.md`):
//! subscribe / unsubscribe with the `subscriptionResponse` echo, `ping` → `pong`, `error`
//! frames for bad requests and the idle close. Each subscription replays the frames of its
//! channel and coin from a [`MockRecording`] at a chosen speed, optionally looping, and a coin can
//! be served under another name (a BTC capture as the HIP-3 coin `hyna:HYPE`). Through
//! [`MockControl`] a test injects the faults a live connection meets: dropped connections,
//! a silent server, malformed frames, arbitrary frames.
//!
//! The server runs on a thread of its own with a current-thread tokio runtime, so sync tests
//! and the engine's threaded runtime use it alike. Nothing a client sends can panic it: every
//! bad request gets an `error` frame and every I/O failure ends that one connection and is
//! counted. Every loop ends when the server stops; [`MockHyperliquid::stop`] (or drop) closes
//! the clients and joins the thread.

mod frames;
mod session;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdTcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Utf8Bytes;

pub use frames::{MockFrame, MockRecording};

/// How long a stopping server waits for its clients to take their close frame.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// Pause after a failed `accept` (e.g. out of file descriptors), so the loop cannot spin.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(10);
/// The real server's idle close: a connection that has sent nothing for this long is closed.
pub const HYPERLIQUID_IDLE_CLOSE: Duration = Duration::from_secs(60);

/// How fast a subscription replays its recording.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplaySpeed {
    /// As fast as the client reads.
    Max,
    /// Recorded inter-frame times divided by this factor: 1.0 is real time, 10.0 ten times faster.
    Times(f64),
}

/// A coin served under another name: subscribing to `served` replays the frames of `recorded`
/// with their coin rewritten to `served`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoinAlias {
    pub served: String,
    pub recorded: String,
}

/// What the mock serves and how. [`MockConfig::new`] gives real-time replay, no loop,
/// no aliases, `127.0.0.1:0` and the real server's 60 s idle close.
#[derive(Debug, Clone)]
pub struct MockConfig {
    recording: MockRecording,
    speed: ReplaySpeed,
    looping: bool,
    aliases: Vec<CoinAlias>,
    bind: SocketAddr,
    idle_close_after: Option<Duration>,
}

impl MockConfig {
    pub fn new(recording: MockRecording) -> Self {
        Self {
            recording,
            speed: ReplaySpeed::Times(1.0),
            looping: false,
            aliases: Vec::new(),
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            idle_close_after: Some(HYPERLIQUID_IDLE_CLOSE),
        }
    }

    pub fn speed(mut self, speed: ReplaySpeed) -> Self {
        self.speed = speed;
        self
    }

    /// Replays the recording again from its start after its last frame, until unsubscribed.
    pub fn looping(mut self, looping: bool) -> Self {
        self.looping = looping;
        self
    }

    /// Serves the frames of coin `recorded` as coin `served` (the recorded name is still served too).
    pub fn alias(mut self, served: impl Into<String>, recorded: impl Into<String>) -> Self {
        self.aliases.push(CoinAlias { served: served.into(), recorded: recorded.into() });
        self
    }

    /// The address to listen on; it must be a loopback address (port 0 picks a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Closes a connection whose client has sent nothing for this long; `None` never does.
    pub fn idle_close_after(mut self, idle: Option<Duration>) -> Self {
        self.idle_close_after = idle;
        self
    }

    fn validate(&self) -> io::Result<()> {
        if !self.bind.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("mock Hyperliquid server binds loopback only, not {}", self.bind),
            ));
        }
        if let ReplaySpeed::Times(factor) = self.speed {
            if !(factor.is_finite() && factor > 0.0) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("replay speed must be a positive finite factor, not {factor}"),
                ));
            }
        }
        Ok(())
    }
}

/// What the server has done so far, as read by [`MockControl::counters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MockCounters {
    /// WebSocket handshakes completed.
    pub connections_accepted: u64,
    /// TCP connections whose WebSocket handshake failed or timed out.
    pub handshakes_failed: u64,
    /// Subscribe requests accepted (echoed).
    pub subscriptions_received: u64,
    /// Unsubscribe requests accepted (echoed).
    pub unsubscriptions_received: u64,
    /// `subscriptionResponse` echoes sent.
    pub echoes_sent: u64,
    /// `pong` frames sent in answer to `{"method":"ping"}`.
    pub pings_answered: u64,
    /// Recorded frames sent to subscribers.
    pub frames_sent: u64,
    /// Frames of any kind not sent because the server was silent.
    pub frames_suppressed: u64,
    /// Frames sent through [`MockControl::inject`].
    pub frames_injected: u64,
    /// Malformed frames sent through [`MockControl::send_garbage`].
    pub garbage_sent: u64,
    /// `error` frames sent in answer to bad requests.
    pub errors_sent: u64,
    /// Connections cut by [`MockControl::drop_connections`].
    pub connections_dropped: u64,
    /// Connections closed because their client was idle.
    pub idle_closes: u64,
    /// Failed socket operations (accept, read, write, close); each ends its connection.
    pub io_errors: u64,
}

#[derive(Default)]
struct Counters {
    connections_accepted: AtomicU64,
    handshakes_failed: AtomicU64,
    subscriptions_received: AtomicU64,
    unsubscriptions_received: AtomicU64,
    echoes_sent: AtomicU64,
    pings_answered: AtomicU64,
    frames_sent: AtomicU64,
    frames_suppressed: AtomicU64,
    frames_injected: AtomicU64,
    garbage_sent: AtomicU64,
    errors_sent: AtomicU64,
    connections_dropped: AtomicU64,
    idle_closes: AtomicU64,
    io_errors: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> MockCounters {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        MockCounters {
            connections_accepted: read(&self.connections_accepted),
            handshakes_failed: read(&self.handshakes_failed),
            subscriptions_received: read(&self.subscriptions_received),
            unsubscriptions_received: read(&self.unsubscriptions_received),
            echoes_sent: read(&self.echoes_sent),
            pings_answered: read(&self.pings_answered),
            frames_sent: read(&self.frames_sent),
            frames_suppressed: read(&self.frames_suppressed),
            frames_injected: read(&self.frames_injected),
            garbage_sent: read(&self.garbage_sent),
            errors_sent: read(&self.errors_sent),
            connections_dropped: read(&self.connections_dropped),
            idle_closes: read(&self.idle_closes),
            io_errors: read(&self.io_errors),
        }
    }
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// A fault or frame the control handle hands to one connection.
#[derive(Debug, Clone)]
enum ClientCommand {
    Drop,
    Garbage(usize),
    Inject(Utf8Bytes),
}

/// State shared by the control handles and the server thread.
struct Shared {
    counters: Counters,
    /// While `Some(t)` with `t` in the future, nothing is sent to any client.
    silent_until: Mutex<Option<Instant>>,
    /// The live connections and the channel to each.
    clients: Mutex<Vec<(u64, mpsc::UnboundedSender<ClientCommand>)>>,
    stop: watch::Sender<bool>,
}

impl Shared {
    fn is_silent(&self) -> bool {
        matches!(*lock(&self.silent_until), Some(until) if Instant::now() < until)
    }

    fn broadcast(&self, command: ClientCommand) {
        // A client that has just gone has dropped its receiver; sending to it is harmless.
        for (_, client) in lock(&self.clients).iter() {
            let _ = client.send(command.clone());
        }
    }
}

/// A poisoned lock only means another thread panicked while holding it; the data (an
/// instant, a list of senders) is still sound, so take it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A cloneable, thread-safe handle that injects faults into a running server and reads its counters.
#[derive(Clone)]
pub struct MockControl {
    shared: Arc<Shared>,
}

impl MockControl {
    /// Cuts every client's TCP connection at once, with a reset and no close frame.
    pub fn drop_connections(&self) {
        self.shared.broadcast(ClientCommand::Drop);
    }

    /// Sends nothing at all — no frames, no echoes, no pongs — for `duration` from now.
    /// What falls due meanwhile is dropped (counted in `frames_suppressed`), not delayed:
    /// the replay clock runs on, as a live feed's would.
    pub fn go_silent(&self, duration: Duration) {
        *lock(&self.shared.silent_until) = Instant::now().checked_add(duration);
    }

    /// Sends every client `n` malformed text frames (truncated JSON, wrong types, non-JSON,
    /// a frame without a channel, an empty frame, in turn) and then one binary frame.
    pub fn send_garbage(&self, n: usize) {
        self.shared.broadcast(ClientCommand::Garbage(n));
    }

    /// Sends `frame` as a text frame to every client.
    pub fn inject(&self, frame: impl Into<String>) {
        self.shared.broadcast(ClientCommand::Inject(Utf8Bytes::from(frame.into())));
    }

    /// Clients connected now (handshake done, not yet gone).
    pub fn clients_connected(&self) -> usize {
        lock(&self.shared.clients).len()
    }

    pub fn counters(&self) -> MockCounters {
        self.shared.counters.snapshot()
    }
}

/// A running mock server. Dropping it stops it.
pub struct MockHyperliquid {
    addr: SocketAddr,
    control: MockControl,
    thread: Option<JoinHandle<()>>,
}

impl MockHyperliquid {
    /// Binds `config`'s loopback address and starts serving on a thread of its own.
    /// A non-loopback address, a bad speed, a busy port or a failed thread spawn is an error.
    pub fn start(config: MockConfig) -> io::Result<Self> {
        config.validate()?;
        let listener = StdTcpListener::bind(config.bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            counters: Counters::default(),
            silent_until: Mutex::new(None),
            clients: Mutex::new(Vec::new()),
            stop,
        });
        let server_shared = Arc::clone(&shared);
        // The runtime is built (and dropped) on the server thread, never in the caller's
        // context, which may itself be async; the thread reports whether it could.
        let (ready_tx, ready) = std::sync::mpsc::channel();
        let thread =
            std::thread::Builder::new().name(format!("mock-hyperliquid-{}", addr.port())).spawn(move || {
                match tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build() {
                    Ok(runtime) => {
                        let _ = ready_tx.send(Ok(()));
                        runtime.block_on(serve(listener, server_shared, Arc::new(config)));
                    }
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                    }
                }
            })?;
        let started = ready.recv().unwrap_or_else(|_| Err(io::Error::other("mock server thread died while starting")));
        let server = Self { addr, control: MockControl { shared }, thread: Some(thread) };
        started.map(|()| server)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://127.0.0.1:PORT/ws`, the shape of the real `wss://api.hyperliquid.xyz/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub fn control(&self) -> MockControl {
        self.control.clone()
    }

    /// Closes every client (close frame "going away"), stops listening and joins the server
    /// thread. Idempotent; drop calls it.
    pub fn stop(&mut self) {
        self.control.shared.stop.send_replace(true);
        if let Some(thread) = self.thread.take() {
            // The thread catches nothing: a panic there is a bug in the mock, reported by the
            // test that then fails on its missing frames, so the join error adds nothing.
            let _ = thread.join();
        }
    }
}

impl Drop for MockHyperliquid {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The accept loop: one task per connection until the server stops, then a bounded wait for
/// the connections to close.
async fn serve(listener: StdTcpListener, shared: Arc<Shared>, config: Arc<MockConfig>) {
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(_) => return bump(&shared.counters.io_errors),
    };
    let mut stop = shared.stop.subscribe();
    let mut connections = JoinSet::new();
    let mut next_id = 0_u64;
    loop {
        tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    next_id += 1;
                    connections.spawn(session::serve_client(tcp, next_id, Arc::clone(&shared), Arc::clone(&config)));
                }
                Err(_) => {
                    bump(&shared.counters.io_errors);
                    tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while connections.join_next().await.is_some() {} }).await;
    // Dropping `connections` aborts whatever has not finished within the grace period.
}
