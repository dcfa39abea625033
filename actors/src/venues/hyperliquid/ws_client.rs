//! The Hyperliquid WebSocket client for market data: connect, subscribe, keep alive,
//! notice a silent server, reconnect with jittered exponential backoff, resubscribe.
//!
//! It runs on a single-threaded tokio runtime — on a thread of its own for the recorder
//! (`WsClient`), on the thread of the actor it feeds for the live feed — and hands every
//! text frame, raw and stamped with its receive time, to a sink: the recorder writes it to
//! a file, the live feed parses it and delivers the events to the actors on its thread. Every change of
//! connection state reaches the sink as a `WsEvent` and a counter. Facts it relies on
//! (HYPERLIQUID.md, "WebSocket"): subscriptions are `{"method":"subscribe",...}`; the server
//! closes a connection idle for 60 s, so the client pings (`{"method":"ping"}`) every 50 s;
//! a server that sends nothing for `silence_timeout` is treated as gone.

use futures_util::{SinkExt, StreamExt};
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::time::{interval, sleep, timeout, Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

/// The SDKs' keep-alive period: under the server's 60 s idle close.
pub const PING_INTERVAL: Duration = Duration::from_secs(50);
/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the reading loop looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(50);

#[derive(Debug, Clone)]
pub struct WsClientConfig {
    /// `wss://api.hyperliquid.xyz/ws` live; `ws://127.0.0.1:PORT/ws` against the mock.
    pub url: String,
    /// Subscription objects, e.g. `{"type":"l2Book","coin":"BTC"}`.
    pub subscriptions: Vec<String>,
    pub ping_interval: Duration,
    /// What a keep-alive ping is: Hyperliquid wants its own `{"method":"ping"}` text frame;
    /// Binance wants WebSocket ping frames (it answers unknown JSON methods with errors).
    pub ping: PingStyle,
    /// No frame at all for this long: the connection is dropped and re-made.
    pub silence_timeout: Duration,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
}

impl WsClientConfig {
    /// `l2Book`, `trades`, `bbo` and `activeAssetCtx` (funding, open interest) for each coin
    /// (HIP-3 names like `hyna:HYPE` included).
    pub fn market_data(url: &str, coins: &[String]) -> Self {
        let subscriptions = coins
            .iter()
            .flat_map(|coin| {
                let coin = serde_escape(coin);
                ["l2Book", "trades", "bbo", "activeAssetCtx"]
                    .map(|kind| format!(r#"{{"type":"{kind}","coin":"{coin}"}}"#))
            })
            .collect();
        Self {
            url: url.to_string(),
            subscriptions,
            ping_interval: PING_INTERVAL,
            ping: PingStyle::Text(r#"{"method":"ping"}"#.to_string()),
            silence_timeout: Duration::from_secs(30),
            backoff_initial: Duration::from_millis(250),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// How the client keeps a connection alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PingStyle {
    /// A text frame the server answers at the application level.
    Text(String),
    /// A WebSocket protocol ping frame.
    Frame,
}

/// Escapes a coin name for a JSON string (names are plain ASCII; this guards the format).
fn serde_escape(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '"' | '\\') && !c.is_control()).collect()
}

/// A change of connection state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsEvent {
    Connected,
    Subscribed {
        count: usize,
    },
    /// The connection ended: closed by the server, an I/O error, or a failed attempt.
    Disconnected {
        reason: String,
    },
    /// Nothing arrived for the silence timeout; the connection is being dropped.
    Silent,
    Reconnecting {
        attempt: u32,
        delay: Duration,
    },
}

/// What the sink receives.
#[derive(Debug)]
pub enum WsInput<'a> {
    Frame { local_ns: u64, text: &'a str },
    Event(WsEvent),
}

#[derive(Debug, Default)]
pub struct WsCounters {
    pub connects: AtomicU64,
    pub connect_failures: AtomicU64,
    pub disconnects: AtomicU64,
    pub silent_timeouts: AtomicU64,
    pub pings_sent: AtomicU64,
    pub frames: AtomicU64,
    pub non_text_frames: AtomicU64,
}

/// A plain copy of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WsCountersSnapshot {
    pub connects: u64,
    pub connect_failures: u64,
    pub disconnects: u64,
    pub silent_timeouts: u64,
    pub pings_sent: u64,
    pub frames: u64,
    pub non_text_frames: u64,
}

impl WsCounters {
    pub fn snapshot(&self) -> WsCountersSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        WsCountersSnapshot {
            connects: get(&self.connects),
            connect_failures: get(&self.connect_failures),
            disconnects: get(&self.disconnects),
            silent_timeouts: get(&self.silent_timeouts),
            pings_sent: get(&self.pings_sent),
            frames: get(&self.frames),
            non_text_frames: get(&self.non_text_frames),
        }
    }
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

pub struct WsClient {
    thread: Option<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
    counters: Arc<WsCounters>,
}

impl WsClient {
    /// Starts the client thread; `sink` sees every frame and state change, in order.
    pub fn start(config: WsClientConfig, sink: impl FnMut(WsInput<'_>) + Send + 'static) -> std::io::Result<WsClient> {
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(WsCounters::default());
        let (stop_flag, shared) = (stop.clone(), counters.clone());
        let thread = std::thread::Builder::new().name("hq-ws".into()).spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            match runtime {
                Ok(rt) => rt.block_on(run(&config, sink, || stop_flag.load(Ordering::Relaxed), &shared)),
                Err(e) => tracing::error!("websocket client: no tokio runtime: {e}"),
            }
        })?;
        Ok(WsClient { thread: Some(thread), stop, counters })
    }

    pub fn counters(&self) -> WsCountersSnapshot {
        self.counters.snapshot()
    }

    /// Closes the connection and joins the thread.
    pub fn stop(mut self) -> WsCountersSnapshot {
        self.shutdown();
        self.counters.snapshot()
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("websocket client thread panicked");
            }
        }
    }
}

impl Drop for WsClient {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn unix_ns() -> u64 {
    engine::types::UnixNanos::wall_clock().0
}

/// Exponential backoff with full jitter: a uniform delay in [d/2, d], d doubling per attempt
/// up to the maximum, so many clients do not reconnect in lockstep.
fn backoff(config: &WsClientConfig, attempt: u32) -> Duration {
    let doubled = config.backoff_initial.saturating_mul(1u32 << attempt.min(20));
    let ceiling = doubled.min(config.backoff_max);
    // Seeded from the clock: jitter only has to differ between clients, not be secret.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(unix_ns() ^ u64::from(attempt));
    ceiling.mul_f64(rng.gen_range(0.5..=1.0))
}

/// The client's whole life — connect, read, reconnect — until `stopped()` says so. Runs on
/// whichever thread awaits it: its own (`WsClient::start`) or an actor thread (`LiveFeed`).
pub(crate) async fn run(
    config: &WsClientConfig,
    mut sink: impl FnMut(WsInput<'_>),
    stopped: impl Fn() -> bool,
    counters: &WsCounters,
) {
    let mut attempt: u32 = 0;
    while !stopped() {
        match timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(config.url.as_str())).await {
            Ok(Ok((socket, _))) => {
                attempt = 0;
                bump(&counters.connects);
                sink(WsInput::Event(WsEvent::Connected));
                let reason = session(config, socket, &mut sink, &stopped, counters).await;
                bump(&counters.disconnects);
                sink(WsInput::Event(WsEvent::Disconnected { reason }));
            }
            Ok(Err(e)) => {
                bump(&counters.connect_failures);
                sink(WsInput::Event(WsEvent::Disconnected { reason: format!("connect failed: {e}") }));
            }
            Err(_) => {
                bump(&counters.connect_failures);
                sink(WsInput::Event(WsEvent::Disconnected { reason: "connect timed out".into() }));
            }
        }
        if stopped() {
            break;
        }
        let delay = backoff(config, attempt);
        attempt = attempt.saturating_add(1);
        sink(WsInput::Event(WsEvent::Reconnecting { attempt, delay }));
        let until = Instant::now() + delay;
        while Instant::now() < until && !stopped() {
            sleep(STOP_POLL.min(until - Instant::now())).await;
        }
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One connection: subscribe, then read until it ends; returns why it ended.
async fn session(
    config: &WsClientConfig,
    socket: Socket,
    sink: &mut impl FnMut(WsInput<'_>),
    stopped: &impl Fn() -> bool,
    counters: &WsCounters,
) -> String {
    let (mut write, mut read) = socket.split();
    for subscription in &config.subscriptions {
        let request = format!(r#"{{"method":"subscribe","subscription":{subscription}}}"#);
        if let Err(e) = write.send(Message::text(request)).await {
            return format!("subscribe failed: {e}");
        }
    }
    sink(WsInput::Event(WsEvent::Subscribed { count: config.subscriptions.len() }));
    let mut ping = interval(config.ping_interval);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ping.tick().await;
    let mut stop_poll = interval(STOP_POLL);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            message = read.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    last_heard = Instant::now();
                    bump(&counters.frames);
                    sink(WsInput::Frame { local_ns: unix_ns(), text: text.as_str() });
                }
                Some(Ok(Message::Close(frame))) => {
                    return frame.map_or_else(|| "closed by the server".to_string(), |f| format!("closed by the server: {}", f.reason));
                }
                Some(Ok(_)) => {
                    last_heard = Instant::now();
                    bump(&counters.non_text_frames);
                }
                Some(Err(e)) => return format!("read failed: {e}"),
                None => return "connection ended".to_string(),
            },
            _ = ping.tick() => {
                bump(&counters.pings_sent);
                let ping = match &config.ping {
                    PingStyle::Text(text) => Message::text(text.as_str()),
                    PingStyle::Frame => Message::Ping(Vec::new().into()),
                };
                if let Err(e) = write.send(ping).await {
                    return format!("ping failed: {e}");
                }
            }
            _ = sleep_until_silent(last_heard, config.silence_timeout) => {
                bump(&counters.silent_timeouts);
                sink(WsInput::Event(WsEvent::Silent));
                return format!("silent for {:?}", config.silence_timeout);
            }
            _ = stop_poll.tick() => {
                if stopped() {
                    let _ = write.send(Message::Close(None)).await;
                    return "stopped".to_string();
                }
            }
        }
    }
}

async fn sleep_until_silent(last_heard: Instant, silence: Duration) {
    tokio::time::sleep_until(last_heard + silence).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_cover_every_coin_and_channel() {
        let c = WsClientConfig::market_data("ws://x", &["BTC".into(), "hyna:HYPE".into()]);
        assert_eq!(c.subscriptions.len(), 8);
        assert!(c.subscriptions.contains(&r#"{"type":"bbo","coin":"hyna:HYPE"}"#.to_string()));
    }

    #[test]
    fn wss_to_a_plain_server_is_a_counted_connect_failure_not_a_panic() {
        // A TCP listener that is not TLS: the handshake must fail and be retried.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("wss://127.0.0.1:{}/ws", listener.local_addr().unwrap().port());
        let mut config = WsClientConfig::market_data(&url, &["BTC".into()]);
        config.backoff_initial = Duration::from_millis(20);
        let (tx, rx) = std::sync::mpsc::channel();
        let client = WsClient::start(config, move |input| {
            if let WsInput::Event(WsEvent::Disconnected { reason }) = input {
                let _ = tx.send(reason);
            }
        })
        .unwrap();
        // Answer the first connection with plain text: the TLS handshake must fail.
        let server = std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let _ = std::io::Write::write_all(&mut stream, b"HTTP/1.1 400 Bad Request\r\n\r\n");
            }
        });
        let reason = rx.recv_timeout(Duration::from_secs(10)).expect("a reported failure");
        assert!(reason.contains("connect failed"), "{reason}");
        let counters = client.stop();
        assert!(counters.connect_failures >= 1 && counters.connects == 0, "{counters:?}");
        let _ = server.join();
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let c = WsClientConfig::market_data("ws://x", &[]);
        for attempt in 0..30 {
            let d = backoff(&c, attempt);
            let ceiling = c.backoff_initial.saturating_mul(1 << attempt.min(20)).min(c.backoff_max);
            assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?} vs {ceiling:?}");
        }
    }
}
