//! The mock Hyperliquid server against a real tokio-tungstenite client over loopback:
//! subscribe echo and replay order, coin aliases, ping/pong and error frames, replay speed
//! and looping, unsubscribe, and every fault of the control handle.
//!
//! Time bounds are of two kinds: lower bounds (a paced frame never arrives early), which are
//! exact, and upper bounds, which are generous enough that only a broken mechanism misses them.

use actors::venues::hyperliquid::mock_server::{
    MockConfig, MockControl, MockCounters, MockHyperliquid, MockRecording, ReplaySpeed,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

const BTC_CAPTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");
/// Longest wait for a message that must come.
const PATIENCE: Duration = Duration::from_secs(2);

fn btc_capture() -> MockRecording {
    MockRecording::from_file(BTC_CAPTURE).unwrap_or_else(|err| panic!("the BTC capture is required: {err}"))
}

/// `count` small `l2Book` frames for `coin`, `gap_ms` apart, each carrying its index as `time`.
fn synthetic_books(coin: &str, count: u64, gap_ms: u64) -> MockRecording {
    let frames = (0..count).map(|i| {
        let frame = json!({"channel": "l2Book", "data": {"coin": coin, "time": i, "levels": [[], []]}});
        (1_000_000_000 + i * gap_ms * 1_000_000, frame.to_string())
    });
    MockRecording::from_frames(frames).unwrap()
}

fn start(config: MockConfig) -> MockHyperliquid {
    MockHyperliquid::start(config).unwrap()
}

async fn connect(server: &MockHyperliquid) -> Client {
    tokio_tungstenite::connect_async(server.ws_url()).await.unwrap().0
}

async fn send(client: &mut Client, text: &str) {
    client.send(Message::text(text)).await.unwrap();
}

/// The next data message (text or binary), skipping protocol pings.
async fn next_message(client: &mut Client) -> Message {
    loop {
        let message = tokio::time::timeout(PATIENCE, client.next())
            .await
            .expect("no message in time")
            .expect("connection ended")
            .expect("connection failed");
        if !matches!(message, Message::Ping(_) | Message::Pong(_)) {
            return message;
        }
    }
}

async fn next_text(client: &mut Client) -> String {
    match next_message(client).await {
        Message::Text(text) => text.as_str().to_owned(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

async fn next_json(client: &mut Client) -> Value {
    serde_json::from_str(&next_text(client).await).unwrap()
}

/// Subscribes and checks the echo.
async fn subscribe(client: &mut Client, subscription: Value) {
    send(client, &json!({"method": "subscribe", "subscription": subscription}).to_string()).await;
    let echo = next_json(client).await;
    assert_eq!(
        echo,
        json!({"channel": "subscriptionResponse", "data": {"method": "subscribe", "subscription": subscription}})
    );
}

/// The recorded frames of `channel` for `coin`, as text.
fn recorded(recording: &MockRecording, channel: &str, coin: &str) -> Vec<String> {
    recording
        .frames()
        .iter()
        .filter(|frame| frame.channel == channel && frame.coin.as_deref() == Some(coin))
        .map(|frame| frame.text.as_str().to_owned())
        .collect()
}

/// The counters once `settled` holds of them: the server counts a frame after writing it, so
/// a client that has just read it may be a moment ahead of the count.
async fn counters_when(control: &MockControl, settled: impl Fn(&MockCounters) -> bool) -> MockCounters {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let counters = control.counters();
        if settled(&counters) || Instant::now() > deadline {
            return counters;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn subscribe_echoes_then_replays_the_channels_frames_in_recorded_order() {
    let recording = btc_capture();
    let server = start(MockConfig::new(recording.clone()).speed(ReplaySpeed::Max));
    let mut client = connect(&server).await;

    subscribe(&mut client, json!({"type": "l2Book", "coin": "BTC"})).await;
    let books = recorded(&recording, "l2Book", "BTC");
    assert_eq!(books.len(), 46);
    for book in &books {
        assert_eq!(&next_text(&mut client).await, book, "books arrive byte for byte, in order");
    }
    subscribe(&mut client, json!({"type": "trades", "coin": "BTC"})).await;
    for trades in recorded(&recording, "trades", "BTC") {
        assert_eq!(next_text(&mut client).await, trades);
    }
    // Another coin: echoed, no frames (the pong is the very next message).
    subscribe(&mut client, json!({"type": "l2Book", "coin": "ETH"})).await;
    send(&mut client, r#"{"method":"ping"}"#).await;
    assert_eq!(next_text(&mut client).await, r#"{"channel":"pong"}"#);

    let counters = counters_when(&server.control(), |c| c.pings_answered == 1).await;
    assert_eq!((counters.connections_accepted, counters.subscriptions_received, counters.echoes_sent), (1, 3, 3));
    assert_eq!(counters.frames_sent, 55);
}

#[tokio::test]
async fn an_alias_serves_the_recorded_coin_under_another_name() {
    let recording = btc_capture();
    let server = start(MockConfig::new(recording.clone()).speed(ReplaySpeed::Max).alias("hyna:HYPE", "BTC"));
    let mut client = connect(&server).await;
    subscribe(&mut client, json!({"type": "trades", "coin": "hyna:HYPE"})).await;
    for original in recorded(&recording, "trades", "BTC") {
        let original: Value = serde_json::from_str(&original).unwrap();
        let served = next_json(&mut client).await;
        let (original, served) = (original["data"].as_array().unwrap(), served["data"].as_array().unwrap());
        assert_eq!(original.len(), served.len());
        for (o, s) in original.iter().zip(served) {
            assert_eq!((s["coin"].as_str(), &s["tid"], &s["px"]), (Some("hyna:HYPE"), &o["tid"], &o["px"]));
        }
    }
}

#[tokio::test]
async fn pings_get_pongs_and_bad_requests_get_error_frames() {
    let server = start(MockConfig::new(synthetic_books("BTC", 1, 10)).speed(ReplaySpeed::Max));
    let mut client = connect(&server).await;
    send(&mut client, r#"{"method":"ping"}"#).await;
    assert_eq!(next_json(&mut client).await, json!({"channel": "pong"}));

    let bad = [
        "this is not json",
        r#"{"method":"frobnicate"}"#,
        r#"{"method":"subscribe","subscription":{"type":"trades"}}"#,
        r#"{"method":"subscribe","subscription":{"type":"l3Book","coin":"BTC"}}"#,
        r#"{"method":"unsubscribe","subscription":{"type":"trades","coin":"BTC"}}"#,
    ];
    for request in bad {
        send(&mut client, request).await;
        let reply = next_json(&mut client).await;
        assert_eq!(reply["channel"], "error", "{request} → {reply}");
        assert!(reply["data"].as_str().is_some_and(|text| !text.is_empty()));
    }
    subscribe(&mut client, json!({"type": "l2Book", "coin": "BTC"})).await;
    next_text(&mut client).await;
    send(&mut client, r#"{"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC"}}"#).await;
    assert!(next_json(&mut client).await["data"].as_str().unwrap().starts_with("Already subscribed"));
    client.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(next_json(&mut client).await["channel"], "error");

    let counters = counters_when(&server.control(), |c| c.errors_sent == 7).await;
    assert_eq!((counters.pings_answered, counters.errors_sent), (1, 7));

    // A client's close handshake ends the session cleanly.
    client.close(None).await.unwrap();
    assert!(matches!(client.next().await, Some(Ok(Message::Close(_))) | None));
    let counters = counters_when(&server.control(), |_| server.control().clients_connected() == 0).await;
    assert_eq!(server.control().clients_connected(), 0);
    assert_eq!(counters.io_errors, 0);
}

#[tokio::test]
async fn real_time_replay_respects_gaps_and_max_does_not_wait() {
    let gap = Duration::from_millis(40);
    let server = start(MockConfig::new(synthetic_books("BTC", 5, 40)).speed(ReplaySpeed::Times(1.0)));
    let mut client = connect(&server).await;
    subscribe(&mut client, json!({"type": "l2Book", "coin": "BTC"})).await;
    let echoed = Instant::now();
    for i in 0..5_u32 {
        assert_eq!(next_json(&mut client).await["data"]["time"], i);
        let elapsed = echoed.elapsed();
        assert!(elapsed + Duration::from_millis(5) >= gap * i, "frame {i} early: {elapsed:?}");
    }
    assert!(echoed.elapsed() < Duration::from_secs(1));

    let fast = start(MockConfig::new(synthetic_books("BTC", 5, 40)).speed(ReplaySpeed::Times(8.0)));
    let mut client = connect(&fast).await;
    subscribe(&mut client, json!({"type": "l2Book", "coin": "BTC"})).await;
    let echoed = Instant::now();
    for _ in 0..5 {
        next_text(&mut client).await;
    }
    let elapsed = echoed.elapsed();
    assert!(elapsed + Duration::from_millis(5) >= gap * 4 / 8 && elapsed < gap * 4, "8×: {elapsed:?}");

    // The 25 s capture at max speed.
    let max = start(MockConfig::new(btc_capture()).speed(ReplaySpeed::Max));
    let mut client = connect(&max).await;
    subscribe(&mut client, json!({"type": "l2Book", "coin": "BTC"})).await;
    let echoed = Instant::now();
    for _ in 0..46 {
        next_text(&mut client).await;
    }
    assert!(echoed.elapsed() < Duration::from_millis(500), "max: {:?}", echoed.elapsed());
}

#[tokio::test]
async fn looping_replays_again_and_unsubscribe_stops_the_stream() {
    let server = start(MockConfig::new(synthetic_books("BTC", 3, 10)).looping(true));
    let mut client = connect(&server).await;
    subscribe(&mut client, json!({"type": "l2Book", "coin": "BTC"})).await;
    for i in [0, 1, 2, 0, 1, 2, 0_u32] {
        assert_eq!(next_json(&mut client).await["data"]["time"], i);
    }
    send(&mut client, r#"{"method":"unsubscribe","subscription":{"type":"l2Book","coin":"BTC"}}"#).await;
    // Frames written before the request arrived may precede the echo; none follow it.
    loop {
        let reply = next_json(&mut client).await;
        if reply["channel"] == "subscriptionResponse" {
            assert_eq!(reply["data"]["method"], "unsubscribe");
            break;
        }
        assert_eq!(reply["channel"], "l2Book");
    }
    let quiet = tokio::time::timeout(Duration::from_millis(100), client.next()).await;
    assert!(quiet.is_err(), "a frame after unsubscribe: {quiet:?}");
    assert_eq!(server.control().counters().unsubscriptions_received, 1);
}

/// Reads until the connection ends; true if it ended without a close frame.
async fn ends_abruptly(client: &mut Client) -> bool {
    loop {
        match tokio::time::timeout(PATIENCE, client.next()).await.expect("connection still open") {
            Some(Ok(Message::Close(_))) => return false,
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return true,
        }
    }
}

#[tokio::test]
async fn drop_connections_cuts_every_client_who_can_then_reconnect_and_resubscribe() {
    let server = start(MockConfig::new(synthetic_books("BTC", 3, 10)).looping(true));
    let control = server.control();
    let (mut first, mut second) = (connect(&server).await, connect(&server).await);
    for client in [&mut first, &mut second] {
        subscribe(client, json!({"type": "l2Book", "coin": "BTC"})).await;
        next_text(client).await;
    }
    control.drop_connections();
    assert!(ends_abruptly(&mut first).await && ends_abruptly(&mut second).await);

    let mut again = connect(&server).await;
    subscribe(&mut again, json!({"type": "l2Book", "coin": "BTC"})).await;
    assert_eq!(next_json(&mut again).await["data"]["time"], 0);
    let counters = counters_when(&control, |c| c.connections_dropped == 2).await;
    assert_eq!((counters.connections_accepted, counters.connections_dropped), (3, 2));
    assert_eq!(control.clients_connected(), 1);
}

#[tokio::test]
async fn go_silent_sends_nothing_for_the_period_then_streams_again() {
    let server = start(MockConfig::new(synthetic_books("BTC", 3, 10)).looping(true));
    let control = server.control();
    let mut client = connect(&server).await;
    subscribe(&mut client, json!({"type": "l2Book", "coin": "BTC"})).await;
    next_text(&mut client).await;

    let silenced = Instant::now();
    control.go_silent(Duration::from_millis(300));
    send(&mut client, r#"{"method":"ping"}"#).await; // its pong is never sent
    let mut pongs = 0;
    let mut pinged_again = false;
    let mut frames_after_silence = 0;
    while frames_after_silence < 3 {
        let text = next_text(&mut client).await;
        let at = silenced.elapsed();
        // Frames written just before the call may still be in flight for a moment.
        assert!(at < Duration::from_millis(50) || at >= Duration::from_millis(300), "{text} at {at:?}");
        if text == r#"{"channel":"pong"}"# {
            pongs += 1;
        } else if at >= Duration::from_millis(300) {
            frames_after_silence += 1;
            if !pinged_again {
                send(&mut client, r#"{"method":"ping"}"#).await;
                pinged_again = true;
            }
        }
    }
    while pongs == 0 {
        pongs += usize::from(next_text(&mut client).await == r#"{"channel":"pong"}"#);
    }
    let counters = counters_when(&control, |c| c.pings_answered == 1).await;
    assert_eq!(counters.pings_answered, 1);
    assert!(counters.frames_suppressed >= 10, "{counters:?}");
}

#[tokio::test]
async fn send_garbage_and_inject_reach_every_client_and_the_connection_survives() {
    let server = start(MockConfig::new(synthetic_books("BTC", 1, 10)));
    let control = server.control();
    let mut client = connect(&server).await;
    control.send_garbage(6);
    let mut texts = Vec::new();
    for _ in 0..6 {
        texts.push(next_text(&mut client).await);
    }
    assert!(matches!(next_message(&mut client).await, Message::Binary(_)));
    let parses = |text: &String| serde_json::from_str::<Value>(text).is_ok();
    assert_eq!(texts[5], texts[0], "the kinds repeat in turn");
    assert!(texts.iter().filter(|text| !parses(text)).count() >= 3, "truncated, prose, empty: {texts:?}");
    let wrong_types: Value = serde_json::from_str(&texts[1]).unwrap();
    assert!(wrong_types["data"]["coin"].is_number());

    control.inject(r#"{"channel":"custom","data":{"n":1}}"#);
    assert_eq!(next_text(&mut client).await, r#"{"channel":"custom","data":{"n":1}}"#);
    send(&mut client, r#"{"method":"ping"}"#).await;
    assert_eq!(next_text(&mut client).await, r#"{"channel":"pong"}"#);
    let counters = counters_when(&control, |c| c.pings_answered == 1).await;
    assert_eq!((counters.garbage_sent, counters.frames_injected), (7, 1));
}

#[tokio::test]
async fn an_idle_client_is_closed_and_a_pinging_one_is_not() {
    let idle = Duration::from_millis(150);
    let server = start(MockConfig::new(synthetic_books("BTC", 1, 10)).idle_close_after(Some(idle)));
    let (mut quiet, mut chatty) = (connect(&server).await, connect(&server).await);
    let connected = Instant::now();
    let pinging = async {
        for _ in 0..6 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            send(&mut chatty, r#"{"method":"ping"}"#).await;
            assert_eq!(next_text(&mut chatty).await, r#"{"channel":"pong"}"#);
        }
    };
    let closed = async {
        let message = next_message(&mut quiet).await;
        assert!(matches!(message, Message::Close(_)), "{message:?}");
        connected.elapsed()
    };
    let ((), closed_after) = tokio::join!(pinging, closed);
    assert!(closed_after >= idle - Duration::from_millis(5), "{closed_after:?}");
    assert_eq!(counters_when(&server.control(), |c| c.idle_closes == 1).await.idle_closes, 1);
}

#[tokio::test]
async fn stop_closes_clients_with_a_close_frame() {
    let mut server = start(MockConfig::new(synthetic_books("BTC", 1, 10)));
    let mut client = connect(&server).await;
    server.stop();
    assert!(matches!(next_message(&mut client).await, Message::Close(_)));
    server.stop(); // idempotent
}

#[test]
fn refuses_non_loopback_addresses_and_bad_speeds() {
    let recording = synthetic_books("BTC", 1, 10);
    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:0"] {
        let addr: SocketAddr = addr.parse().unwrap();
        let err = MockHyperliquid::start(MockConfig::new(recording.clone()).bind(addr)).err().unwrap();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{addr}");
    }
    for factor in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(MockHyperliquid::start(MockConfig::new(recording.clone()).speed(ReplaySpeed::Times(factor))).is_err());
    }
    let server = start(MockConfig::new(recording));
    assert!(server.addr().ip().is_loopback() && server.addr().port() != 0);
    assert_eq!(server.ws_url(), format!("ws://{}/ws", server.addr()));
}
