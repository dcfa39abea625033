//! The mock exchange's I/O: one loopback port serving HTTP/1.1 `POST /info`, `POST /exchange`
//! and the WebSocket upgrade on `GET /ws` (hyper 1 with upgrades), the replay clock that
//! publishes the recording, and the timer that lets the simulator fire a scheduled cancel.
//!
//! Every handler locks the exchange state, does its work and unlocks before any `await`:
//! the state is a plain state machine and the lock is never held across I/O. A WebSocket
//! connection's writer is its session task; the state hands it frames through an unbounded
//! queue, so nothing the state does ever waits on a slow client.

use std::net::TcpListener as StdTcpListener;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONNECTION, CONTENT_TYPE, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{sleep_until, timeout, Instant};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::channels::SessionMsg;
use super::venue::HttpReply;
use super::{lock, ReplayMode, Shared};
use crate::venues::hyperliquid::mock_server::ReplaySpeed;

/// Largest request body read; a larger one is refused with 413.
const MAX_BODY_BYTES: usize = 1 << 20;
/// How long a stopping server waits for its connections to close.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// Pause after a failed `accept`, so the loop cannot spin.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(10);
/// A client that does not take a frame within this time is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest sleep of the wakeup timer between checks (a new schedule also wakes it).
const MAX_TIMER_SLEEP: Duration = Duration::from_millis(100);

/// Accepts connections until the server stops; runs the replay and the timer alongside.
pub(super) async fn serve(listener: StdTcpListener, shared: Arc<Shared>) {
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(_) => return,
    };
    let mut stop = shared.stop.subscribe();
    let mut tasks = JoinSet::new();
    // The replay and the timer never end on their own; they are aborted when the server stops.
    let mut background = JoinSet::new();
    if let ReplayMode::Timed { speed, looping } = shared.replay_mode {
        background.spawn(replay(Arc::clone(&shared), speed, looping));
    }
    background.spawn(timer(Arc::clone(&shared)));
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    let _ = tcp.set_nodelay(true);
                    tasks.spawn(connection(tcp, Arc::clone(&shared)));
                }
                Err(_) => tokio::time::sleep(ACCEPT_RETRY_DELAY).await,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    background.abort_all();
    let _ = timeout(SHUTDOWN_GRACE, async { while tasks.join_next().await.is_some() {} }).await;
}

/// Serves one HTTP connection (keep-alive, possibly upgraded to a WebSocket).
async fn connection(tcp: tokio::net::TcpStream, shared: Arc<Shared>) {
    let mut stop = shared.stop.subscribe();
    let service_shared = Arc::clone(&shared);
    let service = hyper::service::service_fn(move |req| handle(req, Arc::clone(&service_shared)));
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tcp), service).with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = timeout(SHUTDOWN_GRACE, conn).await;
        }
    }
}

fn reply(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn http_reply(answer: HttpReply) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if status == StatusCode::OK { "application/json" } else { "text/plain" };
    reply(status, content_type, answer.body)
}

async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    lock(&shared.venue).counters.http_requests += 1;
    let path = req.uri().path().to_owned();
    let response = match (req.method().clone(), path.as_str()) {
        (Method::GET, "/ws") => upgrade(req, shared),
        (Method::POST, "/info" | "/exchange") => {
            let body = match Limited::new(req.into_body(), MAX_BODY_BYTES).collect().await {
                Ok(body) => body.to_bytes(),
                Err(_) => return Ok(reply(StatusCode::PAYLOAD_TOO_LARGE, "text/plain", "body too large".into())),
            };
            let Ok(value) = serde_json::from_slice::<Value>(&body) else {
                lock(&shared.venue).counters.malformed_requests += 1;
                let text = super::auth::malformed("body is not JSON");
                return Ok(reply(StatusCode::UNPROCESSABLE_ENTITY, "text/plain", text));
            };
            let mut venue = lock(&shared.venue);
            let answer = if path == "/info" {
                match venue.info(&value) {
                    Ok(data) => HttpReply { status: 200, body: data.to_string() },
                    Err(text) => HttpReply::unprocessable(text),
                }
            } else {
                let answer = venue.exchange(&value);
                drop(venue);
                shared.wake_timer.notify_one();
                answer
            };
            http_reply(answer)
        }
        _ => reply(StatusCode::NOT_FOUND, "text/plain", format!("no route for {path}")),
    };
    Ok(response)
}

/// Answers a WebSocket handshake with 101 and hands the upgraded stream to a session.
fn upgrade(mut req: Request<Incoming>, shared: Arc<Shared>) -> Response<Full<Bytes>> {
    let is_upgrade =
        req.headers().get(UPGRADE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let Some(key) = req.headers().get(SEC_WEBSOCKET_KEY).filter(|_| is_upgrade).cloned() else {
        return reply(StatusCode::BAD_REQUEST, "text/plain", "expected a WebSocket upgrade".into());
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        if let Ok(upgraded) = on_upgrade.await {
            let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
            session(ws, shared).await;
        }
    });
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// One WebSocket connection: its requests go to the state, the state's frames go out.
async fn session<S>(mut ws: WebSocketStream<S>, shared: Arc<Shared>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (tx, mut outbox) = mpsc::unbounded_channel();
    let id = {
        let mut venue = lock(&shared.venue);
        venue.counters.ws_connections += 1;
        venue.sessions.register(tx)
    };
    let mut stop = shared.stop.subscribe();
    loop {
        tokio::select! {
            () = stopped(&mut stop) => {
                let _ = timeout(WRITE_TIMEOUT, ws.close(None)).await;
                break;
            }
            inbound = ws.next() => match inbound {
                Some(Ok(Message::Text(text))) => {
                    lock(&shared.venue).ws_request(id, text.as_str());
                    shared.wake_timer.notify_one();
                }
                Some(Ok(Message::Binary(_))) => {
                    let frame = r#"{"channel":"error","data":"binary frames are not supported"}"#;
                    lock(&shared.venue).sessions.send_to(id, frame);
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            Some(message) = outbox.recv() => match message {
                SessionMsg::Text(text) => {
                    if !matches!(timeout(WRITE_TIMEOUT, ws.send(Message::Text(text))).await, Ok(Ok(()))) {
                        break;
                    }
                }
                SessionMsg::Drop => break,
            },
        }
    }
    lock(&shared.venue).sessions.unregister(id);
}

/// Publishes the recording on the one replay clock, looping if asked.
async fn replay(shared: Arc<Shared>, speed: ReplaySpeed, looping: bool) {
    let recording = shared.recording.clone();
    if recording.is_empty() {
        return;
    }
    let period_ns = loop_period_ns(recording.frames());
    let start = Instant::now();
    let mut pass_offset_ns = 0_u64;
    loop {
        for frame in recording.frames() {
            if let ReplaySpeed::Times(factor) = speed {
                let offset_s = pass_offset_ns.saturating_add(frame.offset_ns) as f64 / 1e9 / factor;
                let Some(due) = Duration::try_from_secs_f64(offset_s).ok().and_then(|d| start.checked_add(d)) else {
                    return;
                };
                sleep_until(due).await;
            } else {
                tokio::task::yield_now().await;
            }
            lock(&shared.venue).play_frame(frame);
        }
        if !looping {
            return;
        }
        pass_offset_ns = pass_offset_ns.saturating_add(period_ns);
    }
}

/// Resolves once the server is stopping (or its stop sender is gone).
async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// One looping pass: the recorded span plus one mean inter-frame gap (at least 1 ms).
fn loop_period_ns(frames: &[super::MockFrame]) -> u64 {
    let span_ns = frames.last().map_or(0, |f| f.offset_ns);
    let gap_ns = match frames.len() {
        0 | 1 => 1_000_000_000,
        n => span_ns / (n as u64 - 1),
    };
    (span_ns + gap_ns).max(1_000_000)
}

/// Lets the simulator act on its own time (a scheduled cancel firing): sleeps until its
/// next wakeup, or until a request may have set a new one.
async fn timer(shared: Arc<Shared>) {
    loop {
        let due = {
            let venue = lock(&shared.venue);
            venue.sim.next_wakeup().map(|at| venue.clock.instant(at))
        };
        let cap = Instant::now() + MAX_TIMER_SLEEP;
        let wake_at = due.map_or(cap, |due| Instant::from_std(due).min(cap));
        tokio::select! {
            () = sleep_until(wake_at) => lock(&shared.venue).pump(),
            () = shared.wake_timer.notified() => {}
        }
    }
}
