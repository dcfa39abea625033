//! One client connection of the mock server: the request protocol, the replay of each
//! subscription, and the faults the control handle orders.
//!
//! The session task is the connection's only writer. Each subscription is a replay task that
//! paces its frames and hands them to the session through a bounded queue; the session writes
//! them, the echoes, pongs, errors and injected frames in one order, so an echo always precedes
//! its stream. Ending the session (client gone, write failed, dropped, server stopped) drops
//! its replay tasks with it.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::{sleep_until, timeout, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

use super::frames::StreamFrame;
use super::{bump, lock, ClientCommand, Counters, MockConfig, ReplaySpeed, Shared};

type Ws = WebSocketStream<TcpStream>;

/// A client that has not finished its WebSocket handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// A client that does not take a frame within this time is dropped (it is not reading).
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a close frame may take to leave.
const CLOSE_TIMEOUT: Duration = Duration::from_millis(200);
/// Replayed frames waiting for the session's writer, all subscriptions together.
const REPLAY_QUEUE_FRAMES: usize = 256;
/// Hyperliquid's limit of subscriptions per connection.
const MAX_SUBSCRIPTIONS: usize = 1000;

/// The malformed text frames of `send_garbage`, sent in turn.
const GARBAGE_TEXT: [&str; 5] = [
    r#"{"channel":"l2Book","data":{"coin":"BTC","time":1737918843893,"levels":[[{"px":"105055.0","sz""#,
    r#"{"channel":"l2Book","data":{"coin":7,"time":"soon","levels":{"bids":null,"asks":[{"px":1.5,"sz":true,"n":"x"}]}}}"#,
    "this is not json, it is prose",
    r#"{"data":{"coin":"BTC","time":1737918843893}}"#,
    "",
];
/// The binary frame that closes each `send_garbage` burst (Hyperliquid sends text only).
const GARBAGE_BINARY: [u8; 4] = [0xff, 0x00, b'{', 0xfe];

/// The subscription types the mock accepts: type, the channel its frames arrive on, and the
/// key that names its stream (frames are filtered by `coin` when the subscription has one).
const SUBSCRIPTION_TYPES: [(&str, &str, Key); 14] = [
    ("l2Book", "l2Book", Key::Coin),
    ("trades", "trades", Key::Coin),
    ("bbo", "bbo", Key::Coin),
    ("activeAssetCtx", "activeAssetCtx", Key::Coin),
    ("candle", "candle", Key::Coin),
    ("allMids", "allMids", Key::None),
    ("userFills", "userFills", Key::User),
    ("orderUpdates", "orderUpdates", Key::User),
    ("userEvents", "user", Key::User),
    ("userFundings", "userFundings", Key::User),
    ("userNonFundingLedgerUpdates", "userNonFundingLedgerUpdates", Key::User),
    ("notification", "notification", Key::User),
    ("webData2", "webData2", Key::User),
    ("activeAssetData", "activeAssetData", Key::UserAndCoin),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    None,
    Coin,
    User,
    UserAndCoin,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    End,
}

/// Serves one accepted TCP connection until it ends or the server stops.
pub(super) async fn serve_client(tcp: TcpStream, id: u64, shared: Arc<Shared>, config: Arc<MockConfig>) {
    if tcp.set_nodelay(true).is_err() {
        bump(&shared.counters.io_errors);
    }
    // Registered before the handshake: by the time a client's connect returns, the control
    // handle reaches it.
    let (commands_tx, commands) = mpsc::unbounded_channel();
    lock(&shared.clients).push((id, commands_tx));
    match timeout(HANDSHAKE_TIMEOUT, tokio_tungstenite::accept_async(tcp)).await {
        Ok(Ok(ws)) => {
            bump(&shared.counters.connections_accepted);
            let (frames_tx, frames) = mpsc::channel(REPLAY_QUEUE_FRAMES);
            let session = Session {
                shared: Arc::clone(&shared),
                config,
                subscriptions: Vec::new(),
                next_subscription_id: 0,
                replays: JoinSet::new(),
                frames_tx,
            };
            session.run(ws, commands, frames).await;
        }
        Ok(Err(_)) | Err(_) => bump(&shared.counters.handshakes_failed),
    }
    lock(&shared.clients).retain(|(client, _)| *client != id);
}

struct Session {
    shared: Arc<Shared>,
    config: Arc<MockConfig>,
    subscriptions: Vec<LiveSubscription>,
    next_subscription_id: u64,
    replays: JoinSet<()>,
    /// Replayed frames, tagged with their subscription's id.
    frames_tx: mpsc::Sender<(u64, Utf8Bytes)>,
}

/// A subscription as the client sent it, and its replay task.
struct LiveSubscription {
    id: u64,
    subscription: Value,
    replay: AbortHandle,
}

impl Session {
    async fn run(
        mut self,
        mut ws: Ws,
        mut commands: mpsc::UnboundedReceiver<ClientCommand>,
        mut frames: mpsc::Receiver<(u64, Utf8Bytes)>,
    ) {
        let mut stop = self.shared.stop.subscribe();
        let idle_after = self.config.idle_close_after;
        let mut idle_deadline = idle_after.and_then(|idle| Instant::now().checked_add(idle));
        loop {
            let idle = async {
                match idle_deadline {
                    Some(deadline) => sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            };
            let flow = tokio::select! {
                () = stopped(&mut stop) => {
                    close(&self.shared, &mut ws, CloseCode::Away, "mock server stopping").await;
                    Flow::End
                }
                inbound = ws.next() => match inbound {
                    Some(Ok(message)) => {
                        idle_deadline = idle_after.and_then(|idle| Instant::now().checked_add(idle));
                        self.on_message(&mut ws, message).await
                    }
                    Some(Err(_)) => {
                        bump(&self.shared.counters.io_errors);
                        Flow::End
                    }
                    None => Flow::End,
                },
                Some((id, frame)) = frames.recv() => {
                    // A frame queued just before its unsubscribe is not sent after the echo.
                    if self.subscriptions.iter().any(|live| live.id == id) {
                        send(&self.shared, &mut ws, Message::Text(frame), |c| &c.frames_sent).await
                    } else {
                        Flow::Continue
                    }
                }
                Some(command) = commands.recv() => self.on_command(&mut ws, command).await,
                Some(_) = self.replays.join_next(), if !self.replays.is_empty() => Flow::Continue,
                () = idle => {
                    bump(&self.shared.counters.idle_closes);
                    close(&self.shared, &mut ws, CloseCode::Normal, "idle").await;
                    Flow::End
                }
            };
            if flow == Flow::End {
                return;
            }
        }
    }

    async fn on_message(&mut self, ws: &mut Ws, message: Message) -> Flow {
        match message {
            Message::Text(text) => match self.on_request(text.as_str()) {
                Reply::Pong => {
                    send(&self.shared, ws, Message::text(r#"{"channel":"pong"}"#), |c| &c.pings_answered).await
                }
                Reply::Echo(echo) => send(&self.shared, ws, Message::text(echo), |c| &c.echoes_sent).await,
                Reply::Error(error) => send_error(&self.shared, ws, &error).await,
            },
            Message::Binary(_) => send_error(&self.shared, ws, "binary frames are not supported").await,
            Message::Close(_) => {
                // tungstenite has queued the close reply; flushing sends it.
                if !matches!(timeout(CLOSE_TIMEOUT, ws.flush()).await, Ok(Ok(()))) {
                    bump(&self.shared.counters.io_errors);
                }
                Flow::End
            }
            // tungstenite answers protocol pings itself.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Flow::Continue,
        }
    }

    fn on_request(&mut self, text: &str) -> Reply {
        let Ok(request) = serde_json::from_str::<Value>(text) else { return Reply::parse_error(text) };
        match request.get("method").and_then(Value::as_str) {
            Some("ping") => Reply::Pong,
            Some("subscribe") => self.subscribe(&request, text),
            Some("unsubscribe") => self.unsubscribe(&request, text),
            Some("post") => Reply::Error(format!("mock server does not execute posts: {text}")),
            _ => Reply::parse_error(text),
        }
    }

    fn subscribe(&mut self, request: &Value, text: &str) -> Reply {
        let Some(subscription) = request.get("subscription") else { return Reply::parse_error(text) };
        let Some((channel, coin)) = parse_subscription(subscription) else { return Reply::parse_error(text) };
        if self.subscriptions.iter().any(|live| live.subscription == *subscription) {
            return Reply::Error(format!("Already subscribed: {subscription}"));
        }
        if self.subscriptions.len() >= MAX_SUBSCRIPTIONS {
            return Reply::Error(format!("Cannot track more than {MAX_SUBSCRIPTIONS} total subscriptions"));
        }
        let recorded_coin = coin.map(|served| {
            self.config.aliases.iter().find(|alias| alias.served == served).map_or(served, |alias| &alias.recorded)
        });
        let frames = self.config.recording.select(channel, recorded_coin, coin);
        self.next_subscription_id += 1;
        let id = self.next_subscription_id;
        let replay = replay(
            id,
            frames,
            self.config.speed,
            self.config.looping,
            self.config.recording.loop_period_ns(),
            self.frames_tx.clone(),
        );
        let replay = self.replays.spawn(replay);
        self.subscriptions.push(LiveSubscription { id, subscription: subscription.clone(), replay });
        bump(&self.shared.counters.subscriptions_received);
        Reply::echo("subscribe", subscription)
    }

    fn unsubscribe(&mut self, request: &Value, text: &str) -> Reply {
        let Some(subscription) = request.get("subscription") else { return Reply::parse_error(text) };
        let Some(index) = self.subscriptions.iter().position(|live| live.subscription == *subscription) else {
            return Reply::Error(format!("Already unsubscribed: {subscription}"));
        };
        self.subscriptions.swap_remove(index).replay.abort();
        bump(&self.shared.counters.unsubscriptions_received);
        Reply::echo("unsubscribe", subscription)
    }

    async fn on_command(&mut self, ws: &mut Ws, command: ClientCommand) -> Flow {
        match command {
            ClientCommand::Drop => {
                bump(&self.shared.counters.connections_dropped);
                // Zero linger: dropping the socket (when `run` returns) sends a reset, not a FIN.
                if ws.get_ref().set_zero_linger().is_err() {
                    bump(&self.shared.counters.io_errors);
                }
                Flow::End
            }
            ClientCommand::Garbage(n) => {
                for text in GARBAGE_TEXT.iter().cycle().take(n) {
                    if send(&self.shared, ws, Message::text(*text), |c| &c.garbage_sent).await == Flow::End {
                        return Flow::End;
                    }
                }
                send(&self.shared, ws, Message::binary(GARBAGE_BINARY.to_vec()), |c| &c.garbage_sent).await
            }
            ClientCommand::Inject(text) => send(&self.shared, ws, Message::Text(text), |c| &c.frames_injected).await,
        }
    }
}

/// The one answer to a request.
enum Reply {
    Pong,
    Echo(String),
    Error(String),
}

impl Reply {
    /// The real server's answer to a request it cannot parse.
    fn parse_error(text: &str) -> Self {
        Reply::Error(format!("Error parsing JSON into valid websocket request: {text}"))
    }

    fn echo(method: &str, subscription: &Value) -> Self {
        let frame =
            json!({"channel": "subscriptionResponse", "data": {"method": method, "subscription": subscription}});
        Reply::Echo(frame.to_string())
    }
}

/// The channel a subscription's frames arrive on and the coin they are filtered by, if the
/// subscription is well formed.
fn parse_subscription(subscription: &Value) -> Option<(&'static str, Option<&str>)> {
    let kind = subscription.get("type")?.as_str()?;
    let &(_, channel, key) = SUBSCRIPTION_TYPES.iter().find(|(name, _, _)| *name == kind)?;
    let coin = subscription.get("coin").and_then(Value::as_str);
    let user = subscription.get("user").and_then(Value::as_str);
    let well_formed = match key {
        Key::None => true,
        Key::Coin => coin.is_some(),
        Key::User => user.is_some(),
        Key::UserAndCoin => coin.is_some() && user.is_some(),
    };
    well_formed.then_some((channel, coin))
}

/// Replays one subscription's frames into the session's queue, paced by `speed`, until the
/// frames run out (or forever when looping), the session goes or the task is aborted.
async fn replay(
    id: u64,
    frames: Arc<[StreamFrame]>,
    speed: ReplaySpeed,
    looping: bool,
    loop_period_ns: u64,
    out: mpsc::Sender<(u64, Utf8Bytes)>,
) {
    if frames.is_empty() {
        return;
    }
    let start = Instant::now();
    let mut pass_offset_ns = 0_u64;
    loop {
        for frame in frames.iter() {
            if let ReplaySpeed::Times(factor) = speed {
                // A frame due beyond what `Instant` can hold is never due.
                let Some(due) = due_at(start, pass_offset_ns.saturating_add(frame.offset_ns), factor) else { return };
                sleep_until(due).await;
            }
            if out.send((id, frame.text.clone())).await.is_err() {
                return;
            }
        }
        if !looping {
            return;
        }
        pass_offset_ns = pass_offset_ns.saturating_add(loop_period_ns);
        tokio::task::yield_now().await;
    }
}

fn due_at(start: Instant, offset_ns: u64, speed_factor: f64) -> Option<Instant> {
    let delay = Duration::try_from_secs_f64(offset_ns as f64 / 1e9 / speed_factor).ok()?;
    start.checked_add(delay)
}

/// Resolves once the server is stopping (or its stop sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Writes one message unless the server is silent; counts it in `counter` once written. A
/// failed or stalled write ends the connection.
async fn send(shared: &Shared, ws: &mut Ws, message: Message, counter: fn(&Counters) -> &AtomicU64) -> Flow {
    if shared.is_silent() {
        bump(&shared.counters.frames_suppressed);
        return Flow::Continue;
    }
    match timeout(WRITE_TIMEOUT, ws.send(message)).await {
        Ok(Ok(())) => {
            bump(counter(&shared.counters));
            Flow::Continue
        }
        Ok(Err(_)) | Err(_) => {
            bump(&shared.counters.io_errors);
            Flow::End
        }
    }
}

async fn send_error(shared: &Shared, ws: &mut Ws, error: &str) -> Flow {
    let frame = json!({"channel": "error", "data": error}).to_string();
    send(shared, ws, Message::text(frame), |c| &c.errors_sent).await
}

async fn close(shared: &Shared, ws: &mut Ws, code: CloseCode, reason: &'static str) {
    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
    if !matches!(timeout(CLOSE_TIMEOUT, ws.close(Some(frame))).await, Ok(Ok(()))) {
        bump(&shared.counters.io_errors);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_name_their_channel_and_coin() {
        let parse = |text: &str| {
            let subscription: Value = serde_json::from_str(text).unwrap();
            parse_subscription(&subscription).map(|(channel, coin)| (channel, coin.map(str::to_owned)))
        };
        assert_eq!(parse(r#"{"type":"l2Book","coin":"BTC","nSigFigs":5}"#), Some(("l2Book", Some("BTC".to_owned()))));
        assert_eq!(parse(r#"{"type":"userEvents","user":"0xabc"}"#), Some(("user", None)));
        assert_eq!(parse(r#"{"type":"allMids"}"#), Some(("allMids", None)));
        assert_eq!(parse(r#"{"type":"trades"}"#), None);
        assert_eq!(parse(r#"{"type":"trades","coin":7}"#), None);
        assert_eq!(parse(r#"{"type":"l3Book","coin":"BTC"}"#), None);
        assert_eq!(parse(r#"["l2Book"]"#), None);
    }

    #[test]
    fn due_times_scale_with_speed_and_saturate() {
        let start = Instant::now();
        assert_eq!(due_at(start, 2_000_000_000, 2.0), Some(start + Duration::from_secs(1)));
        assert_eq!(due_at(start, u64::MAX, 1e-300), None);
    }
}
