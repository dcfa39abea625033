//! The mock Hyperliquid exchange against real clients over loopback: signed requests made by
//! the engine's own `Signer`, sent over REST (reqwest) and WebSocket `post`
//! (tokio-tungstenite), and every user frame read back with the engine's own `Parser`.
//!
//! The recording is replayed frame by frame (`ReplayMode::Manual`), so each test decides
//! when the market moves; no test sleeps for the market.

use std::time::Duration;

use actors::venues::hyperliquid::exchange::{L1Action, Network, PrivateKey, Signer};
use actors::venues::hyperliquid::mock_exchange::{CoinSpec, MockExchange, MockExchangeConfig, ReplayMode};
use actors::venues::hyperliquid::mock_server::{MockRecording, ReplaySpeed};
use engine::hyperliquid::{CoinTable, Frame, OrderStatus, Parser, PostOutcome, UserEvent};
use engine::order::{parse_exchange_response, ExchangeResponse, ItemOutcome};
use engine::types::{Qty, Side};
use engine::venue::RejectReason;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The SDK's test key (HYPERLIQUID.md): the account signs for itself.
const ACCOUNT_KEY: &str = "e908f86dbb4d55ac876378565aafeabc187f6690f046459397b17d9b9a19688e";
/// An approved agent wallet.
const AGENT_KEY: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
/// Nobody the mock knows.
const STRANGER_KEY: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";
/// Longest wait for a frame that must come.
const PATIENCE: Duration = Duration::from_secs(2);
/// How long a frame that must not come is waited for.
const QUIET: Duration = Duration::from_millis(150);
const HASH: &str = "0x0000000000000000000000000000000000000000000000000000000000000000";

fn key(hex: &str) -> PrivateKey {
    PrivateKey::from_hex(hex, "test").unwrap()
}

fn book(bid: &str, ask: &str) -> String {
    json!({"channel": "l2Book", "data": {"coin": "BTC", "time": 1_737_918_843_893_u64, "levels": [
        [{"px": bid, "sz": "1.0", "n": 1}], [{"px": ask, "sz": "1.0", "n": 1}]]}})
    .to_string()
}

fn trade(side: &str, px: &str, sz: &str, tid: u64) -> String {
    json!({"channel": "trades", "data": [{"coin": "BTC", "side": side, "px": px, "sz": sz, "hash": HASH,
        "time": 1_737_918_843_900_u64, "tid": tid, "users": [
        "0x0000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000002"]}]})
    .to_string()
}

/// Frame 0: book 100000 / 100002. Frame 1: a seller prints 0.5 at 99990 (through every bid
/// above it). Frame 2: a buyer prints 0.5 at 100010. Frame 3: the book again.
fn recording() -> MockRecording {
    let frames = [
        book("100000", "100002"),
        trade("A", "99990", "0.5", 1),
        trade("B", "100010", "0.5", 2),
        book("100000", "100002"),
    ];
    MockRecording::from_frames(frames.into_iter().enumerate().map(|(i, f)| (1_000 + i as u64 * 1_000_000, f))).unwrap()
}

fn start(budget: u64) -> MockExchange {
    let account = key(ACCOUNT_KEY).address();
    let config = MockExchangeConfig::new(recording(), vec![CoinSpec::new("BTC", 0, 5)], account)
        .agent(key(AGENT_KEY).address())
        .replay(ReplayMode::Manual)
        .request_budget(budget);
    let mock = MockExchange::start(config).unwrap();
    assert_eq!(mock.advance_replay(1), 1, "the book is in place");
    mock
}

fn parser() -> Parser {
    Parser::new(CoinTable::new(["BTC"]).unwrap())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// A client of the mock: signs with one key and a nonce that only grows.
struct Client {
    signer: Signer,
    nonce: u64,
    http: reqwest::Client,
    url: String,
}

impl Client {
    fn new(mock: &MockExchange, key_hex: &str) -> Self {
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
        Self {
            signer: Signer::new(key(key_hex), Network::Mainnet),
            nonce: now_ms,
            http: reqwest::Client::new(),
            url: mock.http_url(),
        }
    }

    fn body(&mut self, action: Value) -> Value {
        self.nonce += 1;
        self.body_with_nonce(action, self.nonce)
    }

    fn body_with_nonce(&self, action: Value, nonce: u64) -> Value {
        let action: L1Action = serde_json::from_value(action).unwrap();
        let signed = self.signer.sign_l1_action(&action, nonce, None).unwrap();
        serde_json::to_value(signed.request(&action)).unwrap()
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, String) {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn exchange(&mut self, action: Value) -> Value {
        let body = self.body(action);
        self.send(&body).await
    }

    async fn send(&self, body: &Value) -> Value {
        let (status, text) = self.post("/exchange", body).await;
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    async fn info(&self, request: Value) -> Value {
        let (status, text) = self.post("/info", &request).await;
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }
}

fn order(is_buy: bool, px: &str, sz: &str, tif: &str, cloid: Option<&str>) -> Value {
    let mut order = json!({"a": 0, "b": is_buy, "p": px, "s": sz, "r": false, "t": {"limit": {"tif": tif}}});
    if let Some(cloid) = cloid {
        order["c"] = json!(cloid);
    }
    json!({"type": "order", "orders": [order], "grouping": "na"})
}

fn cloid(n: u32) -> String {
    format!("0x{n:032x}")
}

/// The engine's reading of a REST answer.
fn engine_reads(answer: &Value) -> ExchangeResponse {
    let mut bytes = answer.to_string().into_bytes();
    parse_exchange_response(&mut bytes).unwrap()
}

fn statuses(answer: &Value) -> &Vec<Value> {
    answer["response"]["data"]["statuses"].as_array().unwrap_or_else(|| panic!("no statuses in {answer}"))
}

fn resting_oid(answer: &Value) -> u64 {
    statuses(answer)[0]["resting"]["oid"].as_u64().unwrap_or_else(|| panic!("not resting: {answer}"))
}

fn error_text(answer: &Value) -> String {
    statuses(answer)[0]["error"].as_str().unwrap_or_else(|| panic!("not an error: {answer}")).to_owned()
}

async fn connect(mock: &MockExchange, subscriptions: &[Value]) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(mock.ws_url()).await.unwrap();
    for subscription in subscriptions {
        ws.send(Message::text(json!({"method": "subscribe", "subscription": subscription}).to_string())).await.unwrap();
        let echo = next_frame(&mut ws).await;
        assert_eq!(echo["channel"], "subscriptionResponse", "{echo}");
    }
    ws
}

async fn next_text(ws: &mut Ws) -> String {
    next_text_within(ws, PATIENCE).await
}

async fn next_text_within(ws: &mut Ws, patience: Duration) -> String {
    loop {
        let message = tokio::time::timeout(patience, ws.next()).await.expect("a frame in time").unwrap().unwrap();
        if let Message::Text(text) = message {
            return text.as_str().to_owned();
        }
    }
}

async fn next_frame(ws: &mut Ws) -> Value {
    serde_json::from_str(&next_text(ws).await).unwrap()
}

/// The next frame on `channel`, skipping others.
async fn next_on(ws: &mut Ws, channel: &str) -> String {
    loop {
        let text = next_text(ws).await;
        if serde_json::from_str::<Value>(&text).unwrap()["channel"] == channel {
            return text;
        }
    }
}

async fn nothing_more(ws: &mut Ws, channel: &str) {
    let waited = tokio::time::timeout(QUIET, next_on(ws, channel)).await;
    assert!(waited.is_err(), "unexpected {channel} frame: {waited:?}");
}

fn user_subscriptions(mock: &MockExchange) -> Vec<Value> {
    let _ = mock;
    let user = key(ACCOUNT_KEY).address().to_string();
    vec![
        json!({"type": "orderUpdates", "user": user}),
        json!({"type": "userEvents", "user": user}),
        // Last: its snapshot follows its echo.
        json!({"type": "userFills", "user": user}),
    ]
}

#[test]
fn a_resting_order_shows_everywhere_and_fills_when_trades_cross_it() {
    let mock = start(10_000);
    runtime().block_on(async {
        let mut client = Client::new(&mock, AGENT_KEY);
        let mut ws = connect(&mock, &user_subscriptions(&mock)).await;
        let snapshot = next_on(&mut ws, "userFills").await;
        match parser().parse(snapshot.as_bytes()).unwrap() {
            Frame::UserFills(fills) => assert!(fills.is_snapshot && fills.fills.is_empty(), "{snapshot}"),
            other => panic!("{other:?}"),
        }
        let answer = client.exchange(order(true, "100001", "0.001", "Alo", Some(&cloid(7)))).await;
        let oid = resting_oid(&answer);
        assert_eq!(engine_reads(&answer).item(0), Some(ItemOutcome::Resting { oid }));

        let user = key(ACCOUNT_KEY).address().to_string();
        let open = client.info(json!({"type": "openOrders", "user": user})).await;
        assert_eq!(open[0]["oid"], oid);
        assert_eq!(open[0]["cloid"], cloid(7));
        assert_eq!(open[0]["limitPx"], "100001");
        let status = client.info(json!({"type": "orderStatus", "user": user, "oid": cloid(7)})).await;
        assert_eq!(status["order"]["status"], "open", "{status}");

        let update = next_on(&mut ws, "orderUpdates").await;
        match parser().parse(update.as_bytes()).unwrap() {
            Frame::OrderUpdates([u]) => {
                assert_eq!((u.oid, u.status, u.side), (oid, OrderStatus::Open, Side::Bid));
                assert_eq!(u.cloid.map(|c| c.to_string()), Some(cloid(7)));
            }
            other => panic!("{other:?}"),
        }

        // The seller prints through our bid: a maker fill of the whole order.
        assert_eq!(mock.advance_replay(1), 1);
        let fills = next_on(&mut ws, "userFills").await;
        match parser().parse(fills.as_bytes()).unwrap() {
            Frame::UserFills(f) => {
                assert!(!f.is_snapshot);
                let [fill] = f.fills else { panic!("{fills}") };
                assert_eq!((fill.oid, fill.side, fill.sz), (oid, Side::Bid, Qty::parse("0.001").unwrap()));
                assert!(!fill.crossed);
                // 0.015 % of 100.001 USD.
                assert_eq!(fill.fee_qty, Qty::parse("0.015").unwrap());
            }
            other => panic!("{other:?}"),
        }
        let event = next_on(&mut ws, "user").await;
        assert!(matches!(parser().parse(event.as_bytes()).unwrap(), Frame::User(UserEvent::Fills(f)) if f.len() == 1));
        let update = next_on(&mut ws, "orderUpdates").await;
        assert!(matches!(parser().parse(update.as_bytes()).unwrap(), Frame::OrderUpdates([u]) if u.status == OrderStatus::Filled));

        assert_eq!(mock.fills().len(), 1);
        assert!(mock.open_orders().is_empty());
        assert_eq!(mock.position("BTC").szi, Qty::parse("0.001").unwrap());
        let state = client.info(json!({"type": "clearinghouseState", "user": user})).await;
        assert_eq!(state["assetPositions"][0]["position"]["szi"], "0.001", "{state}");
        let pnl = mock.pnl();
        // Bought 0.001 at 100001, marked at the 100001 mid: the PnL is minus the fee.
        assert!((pnl.total_pnl_usd + 0.015).abs() < 1e-9, "{pnl:?}");

        // A later subscriber gets the fill in its snapshot.
        let mut late = connect(&mock, &[json!({"type": "userFills", "user": user})]).await;
        let snapshot = next_on(&mut late, "userFills").await;
        assert!(matches!(parser().parse(snapshot.as_bytes()).unwrap(), Frame::UserFills(f) if f.is_snapshot && f.fills.len() == 1));
    });
}

#[test]
fn strangers_stale_or_reused_nonces_and_bad_orders_are_refused_with_hyperliquid_texts() {
    let mock = start(10_000);
    runtime().block_on(async {
        let mut stranger = Client::new(&mock, STRANGER_KEY);
        let answer = stranger.exchange(order(true, "99000", "0.001", "Alo", None)).await;
        let expected = format!("User or API Wallet {} does not exist.", key(STRANGER_KEY).address());
        assert_eq!(answer, json!({"status": "err", "response": expected}));

        // A body altered after signing recovers someone else.
        let mut client = Client::new(&mock, ACCOUNT_KEY);
        let mut forged = client.body(order(true, "99000", "0.001", "Alo", None));
        forged["action"]["orders"][0]["p"] = json!("99001");
        assert!(client.send(&forged).await["response"].as_str().unwrap().contains("does not exist"));
        assert_eq!(mock.counters().signature_failures, 2);

        let body = client.body(order(true, "99000", "0.001", "Alo", None));
        assert_eq!(client.send(&body).await["status"], "ok");
        let again = client.send(&body).await;
        assert!(again["response"].as_str().unwrap().contains("duplicate nonce"), "{again}");
        let stale = client.body_with_nonce(order(true, "99000", "0.001", "Alo", None), 1_000);
        assert!(client.send(&stale).await["response"].as_str().unwrap().contains("Invalid nonce"));
        assert_eq!(mock.counters().nonce_rejects, 2);

        let cases = [
            (order(true, "100002", "0.001", "Alo", None), RejectReason::PostOnlyWouldMatch, "bbo was 100000@100002"),
            (
                order(true, "99999.5", "0.001", "Alo", None),
                RejectReason::BadTick,
                "Price must be divisible by tick size.",
            ),
            (order(true, "99000", "0.0001", "Alo", None), RejectReason::BelowMinNotional, "minimum value of $10"),
            (order(true, "99000", "0.001", "Ioc", None), RejectReason::IocCouldNotMatch, "could not immediately match"),
        ];
        for (action, reason, fragment) in cases {
            let answer = client.exchange(action).await;
            assert!(error_text(&answer).contains(fragment), "{answer}");
            assert_eq!(engine_reads(&answer).item(0), Some(ItemOutcome::Rejected(reason)), "{answer}");
        }
        // Malformed bodies are 422s, not panics.
        let (status, _) = client.post("/exchange", &json!({"action": {"type": "nonsense"}})).await;
        assert_eq!(status, 422);
        assert_eq!(mock.open_orders().len(), 1, "only the one valid order rests");
    });
}

#[test]
fn cancel_cancel_by_cloid_modify_and_scheduled_cancel() {
    let mock = start(10_000);
    runtime().block_on(async {
        let mut client = Client::new(&mock, AGENT_KEY);
        let a = resting_oid(&client.exchange(order(true, "99000", "0.001", "Alo", Some(&cloid(1)))).await);
        let b = resting_oid(&client.exchange(order(false, "101000", "0.001", "Gtc", Some(&cloid(2)))).await);

        let cancel = client.exchange(json!({"type": "cancel", "cancels": [{"a": 0, "o": a}, {"a": 0, "o": a}]})).await;
        assert_eq!(statuses(&cancel)[0], "success");
        assert!(statuses(&cancel)[1]["error"].as_str().unwrap().starts_with("Order was never placed"));
        assert_eq!(engine_reads(&cancel).item(1), Some(ItemOutcome::Rejected(RejectReason::OrderGone)));

        let modify = client
            .exchange(json!({"type": "batchModify", "modifies": [{"oid": cloid(2), "order":
                {"a": 0, "b": false, "p": "100500", "s": "0.002", "r": false, "t": {"limit": {"tif": "Alo"}}, "c": cloid(3)}}]}))
            .await;
        let c = resting_oid(&modify);
        assert!(c > b);
        assert_eq!(mock.order(b).unwrap().status, "canceled");
        let open = mock.open_orders();
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].oid, open[0].sz, open[0].cloid.clone()), (c, Qty::parse("0.002").unwrap(), Some(cloid(3))));

        let by_cloid = client.exchange(json!({"type": "cancelByCloid", "cancels": [{"asset": 0, "cloid": cloid(3)}]})).await;
        assert_eq!(statuses(&by_cloid)[0], "success");
        assert!(mock.open_orders().is_empty());

        // The dead man's switch: too soon is refused; 5 s ahead is taken and fires.
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
        let soon = client.exchange(json!({"type": "scheduleCancel", "time": now_ms + 1_000})).await;
        assert!(soon["response"].as_str().unwrap().contains("too early"), "{soon}");
        let d = resting_oid(&client.exchange(order(true, "99000", "0.001", "Alo", None)).await);
        let mut ws = connect(&mock, &user_subscriptions(&mock)[..1]).await;
        let at = now_ms + 5_300;
        let set = client.exchange(json!({"type": "scheduleCancel", "time": at})).await;
        assert_eq!(set, json!({"status": "ok", "response": {"type": "default"}}));
        let update = next_text_within(&mut ws, Duration::from_secs(8)).await;
        assert!(matches!(parser().parse(update.as_bytes()).unwrap(),
            Frame::OrderUpdates([u]) if u.oid == d && u.status == OrderStatus::ScheduledCancel), "{update}");
        assert_eq!(mock.counters().scheduled_cancels_fired, 1);
    });
}

#[test]
fn the_request_budget_runs_out_and_can_be_raised() {
    let mock = start(3);
    runtime().block_on(async {
        let mut client = Client::new(&mock, ACCOUNT_KEY);
        let two = json!({"type": "order", "grouping": "na", "orders": [
            {"a": 0, "b": true, "p": "99000", "s": "0.001", "r": false, "t": {"limit": {"tif": "Alo"}}},
            {"a": 0, "b": true, "p": "98000", "s": "0.001", "r": false, "t": {"limit": {"tif": "Alo"}}}]});
        assert_eq!(client.exchange(two.clone()).await["status"], "ok");
        let refused = client.exchange(two.clone()).await;
        assert!(
            refused["response"].as_str().unwrap().starts_with("Too many cumulative requests sent (4 > 3)"),
            "{refused}"
        );
        assert_eq!(engine_reads(&refused).item(0), Some(ItemOutcome::Rejected(RejectReason::RateLimited)));
        assert_eq!((mock.requests_used(), mock.counters().budget_rejects), (2, 1));
        let user = key(ACCOUNT_KEY).address().to_string();
        let limits = client.info(json!({"type": "userRateLimit", "user": user})).await;
        assert_eq!((limits["nRequestsUsed"].as_u64(), limits["nRequestsCap"].as_u64()), (Some(2), Some(3)));
        mock.set_request_budget(100);
        assert_eq!(client.exchange(two).await["status"], "ok");
        assert_eq!(mock.requests_used(), 4);
    });
}

#[test]
fn faults_duplicate_reorder_silence_drop_fund_and_reject() {
    let mock = start(10_000);
    runtime().block_on(async {
        let mut client = Client::new(&mock, AGENT_KEY);
        let user = key(ACCOUNT_KEY).address().to_string();
        let mut ws = connect(&mock, &[json!({"type": "userEvents", "user": user}), json!({"type": "userFills", "user": user})]).await;
        next_on(&mut ws, "userFills").await; // the snapshot

        mock.reject_next_orders(1, "Insufficient margin to place order. asset=0");
        let refused = client.exchange(order(true, "100001", "0.001", "Alo", None)).await;
        assert_eq!(engine_reads(&refused).item(0), Some(ItemOutcome::Rejected(RejectReason::InsufficientMargin)));

        // Two resting orders; the next fill messages are held back, then sent after the next.
        let bid = resting_oid(&client.exchange(order(true, "100001", "0.001", "Alo", None)).await);
        let ask = resting_oid(&client.exchange(order(false, "100005", "0.001", "Alo", None)).await);
        mock.reorder_next_fill();
        mock.advance_replay(1); // fills the bid: held
        nothing_more(&mut ws, "userFills").await;
        mock.duplicate_fill_messages(true);
        mock.advance_replay(1); // fills the ask: sent (twice), then the held bid fill (twice)
        let mut oids = Vec::new();
        for _ in 0..4 {
            let text = next_on(&mut ws, "userFills").await;
            match parser().parse(text.as_bytes()).unwrap() {
                Frame::UserFills(f) => oids.push(f.fills[0].oid),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(oids, [ask, ask, bid, bid]);
        mock.duplicate_fill_messages(false);

        let payment = mock.inject_funding("BTC", 0.0001).unwrap();
        assert_eq!(payment, 0.0, "flat after a buy and a sell");
        // Reading `userFills` above skipped the ask's `user` frames; the held bid's two `user`
        // frames came after them, then the funding.
        let mut user_frames = Vec::new();
        let funding = loop {
            let text = next_on(&mut ws, "user").await;
            match parser().parse(text.as_bytes()).unwrap() {
                Frame::User(UserEvent::Funding(funding)) => break funding,
                Frame::User(UserEvent::Fills(fills)) => user_frames.push(fills[0].oid),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(user_frames, [bid, bid]);
        assert_eq!(funding.position_qty, Qty::ZERO);

        // Posts go unanswered but still execute, then are answered again.
        mock.stop_answering_posts(true);
        let action = client.body(order(true, "99000", "0.001", "Alo", None));
        let post = json!({"method": "post", "id": 9, "request": {"type": "action", "payload": action}});
        ws.send(Message::text(post.to_string())).await.unwrap();
        nothing_more(&mut ws, "post").await;
        assert_eq!(mock.open_orders().len(), 1, "the unanswered post still placed its order");
        mock.answer_posts();
        let action = client.body(order(true, "98000", "0.001", "Alo", None));
        let post = json!({"method": "post", "id": 10, "request": {"type": "action", "payload": action}});
        ws.send(Message::text(post.to_string())).await.unwrap();
        let reply = next_on(&mut ws, "post").await;
        let mut p = parser();
        match p.parse(reply.as_bytes()).unwrap() {
            Frame::Post(post) => {
                assert_eq!(post.id, 10);
                assert!(matches!(post.outcome, PostOutcome::ActionOk(_)));
                assert!(matches!(ExchangeResponse::from_post(&post).unwrap().item(0), Some(ItemOutcome::Resting { .. })));
            }
            other => panic!("{other:?}"),
        }
        let info = json!({"method": "post", "id": 11, "request": {"type": "info", "payload": {"type": "openOrders", "user": user}}});
        ws.send(Message::text(info.to_string())).await.unwrap();
        let reply: Value = serde_json::from_str(&next_on(&mut ws, "post").await).unwrap();
        assert_eq!(reply["data"]["response"]["payload"]["data"].as_array().map(Vec::len), Some(2), "{reply}");

        assert_eq!(mock.drop_connections(), 1);
        let closed = tokio::time::timeout(PATIENCE, async {
            loop {
                match ws.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "the connection was cut");
        let pnl = mock.pnl();
        // Bought at 100001, sold at 100005: 0.004 gross less two maker fees.
        let fees: f64 = mock.fills().iter().map(|f| f.fee_usd).sum();
        assert!((pnl.total_pnl_usd - (0.004 - fees)).abs() < 1e-9, "{pnl:?}");
    });
}

#[test]
fn timed_replay_reaches_subscribers_and_the_matcher_on_one_clock() {
    let account = key(ACCOUNT_KEY).address();
    let config = MockExchangeConfig::new(recording(), vec![CoinSpec::new("BTC", 0, 5)], account)
        .replay(ReplayMode::Timed { speed: ReplaySpeed::Max, looping: false });
    let mock = MockExchange::start(config).unwrap();
    runtime().block_on(async {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while mock.counters().frames_replayed < 4 {
            assert!(tokio::time::Instant::now() < deadline, "replay stalled: {:?}", mock.counters());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(mock.mid("BTC"), Some(100_001.0));
        // A late l2Book subscriber gets the latest book at once.
        let mut ws = connect(&mock, &[json!({"type": "l2Book", "coin": "BTC"})]).await;
        let frame = next_on(&mut ws, "l2Book").await;
        assert!(matches!(parser().parse(frame.as_bytes()).unwrap(), Frame::L2Book(b) if b.best_bid().is_some()));
    });
}
