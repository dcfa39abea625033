//! The live exchange client against tiny loopback servers (tokio on 127.0.0.1, nothing
//! reaches the internet): a WebSocket server that answers a `post` and pushes user-channel
//! frames, and an HTTP server for the REST fallback and `/info`. The venue and its driver
//! run in the threaded runtime; probe actors stand in for OrderActor and FillActor.

use actors::msg::{ActionMsg, Msg};
use actors::runtime::{ThreadSpec, ThreadedRuntime, WaitStrategy};
use actors::testkit::Script;
use actors::venues::hyperliquid::exchange::{
    action_hash, agent_digest, recover_signer, AssetSpec, AssetTable, L1Action, Network, NonceSource, PrivateKey,
    Signature, Signer,
};
use actors::venues::hyperliquid::exchange_client::{ExchangeClientConfig, ExchangeCounters, HyperliquidVenue};
use actors::ActorId;
use crossbeam_channel::{unbounded, Receiver, Sender};
use engine::hyperliquid::CoinTable;
use engine::types::{Cloid, CoinId, Price, Qty, Side};
use engine::venue::{OrderAction, OrderRequest, VenueEvent, VenueOrderStatus};
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

/// The SDK's test key (HYPERLIQUID.md), no funds anywhere.
const KEY: &str = "e908f86dbb4d55ac876378565aafeabc187f6690f046459397b17d9b9a19688e";
const BTC: CoinId = CoinId(0);
const SECOND: Duration = Duration::from_secs(1);

fn signer() -> Signer {
    Signer::new(PrivateKey::from_hex(KEY, "test").unwrap(), Network::Testnet)
}

fn place(cloid: u128, qty: &str) -> OrderRequest {
    OrderRequest {
        coin: BTC,
        cloid: Cloid(cloid),
        side: Side::Bid,
        px: Price::parse("64000").unwrap(),
        qty: Qty::parse(qty).unwrap(),
        post_only: true,
    }
}

/// Starts the venue (and probes for Order and Fill that forward each venue event).
fn start(config: ExchangeClientConfig) -> (ThreadedRuntime, Arc<ExchangeCounters>, Receiver<(ActorId, VenueEvent)>) {
    let mut assets = AssetTable::new();
    assets.set(BTC, AssetSpec { asset: 0, sz_decimals: 5 });
    let coins = CoinTable::new(["BTC"]).unwrap();
    let (venue, driver) =
        HyperliquidVenue::hosted(config, signer(), assets, coins, None, NonceSource::new()).expect("valid config");
    let counters = venue.counters();
    let (tx, rx) = unbounded();
    let probe = |id: ActorId, tx: Sender<(ActorId, VenueEvent)>| {
        Script::new(id, move |_, msg, _| {
            if let Msg::Venue(event) = msg {
                let _ = tx.send((id, *event));
            }
        })
        .boxed()
    };
    let layout = [
        ThreadSpec { name: "venue".into(), actors: vec![ActorId::Venue], core: None, wait: WaitStrategy::Park },
        ThreadSpec {
            name: "probes".into(),
            actors: vec![ActorId::Order, ActorId::Fill],
            core: None,
            wait: WaitStrategy::Park,
        },
    ];
    let actors = vec![Box::new(venue) as _, probe(ActorId::Order, tx.clone()), probe(ActorId::Fill, tx)];
    let rt = ThreadedRuntime::start_with_drivers(actors, &layout, 256, vec![driver]).unwrap();
    (rt, counters, rx)
}

fn send_batch(rt: &ThreadedRuntime, actions: &[OrderAction]) {
    for (i, action) in actions.iter().enumerate() {
        let msg = ActionMsg { action: *action, index: i as u8, batch_len: actions.len() as u8 };
        assert!(rt.inject(ActorId::Venue, Msg::Action(msg)));
    }
}

fn take(rx: &Receiver<(ActorId, VenueEvent)>, n: usize) -> Vec<(ActorId, VenueEvent)> {
    let deadline = Instant::now() + 10 * SECOND;
    (0..n).map(|i| rx.recv_deadline(deadline).unwrap_or_else(|_| panic!("only {i} of {n} events arrived"))).collect()
}

fn wait_until(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + 10 * SECOND;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    cond()
}

/// Runs `server` on a thread of its own with a current-thread tokio runtime.
fn serve<F, Fut>(server: F) -> std::thread::JoinHandle<()>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(server());
    })
}

/// Checks that a `/exchange` body is a signed order action whose signature recovers to the
/// test key's address.
fn assert_signed_order(payload: &serde_json::Value) {
    let action: L1Action = serde_json::from_value(payload["action"].clone()).expect("an L1 action");
    assert!(matches!(action, L1Action::Order(_)), "{action:?}");
    let nonce = payload["nonce"].as_u64().expect("a nonce");
    let hex = |key: &str| {
        let text = payload["signature"][key].as_str().unwrap().trim_start_matches("0x");
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    };
    let signature = Signature { r: hex("r"), s: hex("s"), v: payload["signature"]["v"].as_u64().unwrap() as u8 };
    let digest = agent_digest(&action_hash(&action, nonce, None, None).unwrap(), Network::Testnet);
    assert_eq!(recover_signer(&digest, &signature).unwrap(), signer().address());
}

#[test]
fn a_post_is_answered_and_pushed_fills_reach_order_and_fill_once_with_remaining() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let user = signer().trading_user().to_string();
    let (seen_tx, seen_rx) = unbounded::<String>();
    let server = serve(move || async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
        while let Some(Ok(message)) = ws.next().await {
            let Message::Text(text) = message else { continue };
            let _ = seen_tx.send(text.to_string());
            let request: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            if request["method"] != "post" {
                continue;
            }
            let id = request["id"].as_u64().unwrap();
            let cloid = request["request"]["payload"]["action"]["orders"][0]["c"].as_str().unwrap().to_string();
            let reply = format!(
                r#"{{"channel":"post","data":{{"id":{id},"response":{{"type":"action","payload":{{"status":"ok","response":{{"type":"order","data":{{"statuses":[{{"resting":{{"oid":1001}}}}]}}}}}}}}}}}}"#
            );
            let fill = |tid: u64, sz: &str, cloid: &str| {
                format!(
                    r#"{{"coin":"BTC","px":"64000.0","sz":"{sz}","side":"B","time":1784976932073,"startPosition":"0.0","dir":"Open Long","closedPnl":"0.0","hash":"0x0000000000000000000000000000000000000000000000000000000000000000","oid":1001,"crossed":false,"fee":"-0.0001","tid":{tid},"feeToken":"USDC"{cloid}}}"#
                )
            };
            let with_cloid = format!(r#","cloid":"{cloid}""#);
            let frames = [
                reply,
                // A malformed frame must be counted and skipped.
                r#"{"channel":"userFills","data":{"user":1}}"#.to_string(),
                format!(
                    r#"{{"channel":"userFills","data":{{"user":"{user}","fills":[{}]}}}}"#,
                    fill(7, "0.0004", &with_cloid)
                ),
                // The same fill again on the `user` channel (no cloid), then a second fill.
                format!(r#"{{"channel":"user","data":{{"fills":[{}]}}}}"#, fill(7, "0.0004", "")),
                format!(r#"{{"channel":"user","data":{{"fills":[{}]}}}}"#, fill(8, "0.0006", "")),
            ];
            for frame in frames {
                ws.send(Message::text(frame)).await.unwrap();
            }
        }
    });

    let mut config = ExchangeClientConfig::with_urls(
        Network::Testnet,
        &format!("ws://127.0.0.1:{port}/ws"),
        "http://127.0.0.1:9", // never used: the socket is up
    );
    config.post_timeout = 5 * SECOND;
    let (rt, counters, events) = start(config);

    // Three subscriptions for the trading user, then the post.
    let subscriptions: Vec<String> = (0..3).map(|_| seen_rx.recv_timeout(10 * SECOND).expect("subscribe")).collect();
    for kind in ["userFills", "orderUpdates", "userEvents"] {
        let wanted = format!(r#"{{"type":"{kind}","user":"{}"}}"#, signer().trading_user());
        assert!(subscriptions.iter().any(|s| s.contains(&wanted)), "{kind} missing from {subscriptions:?}");
    }
    let order = place(0xabc, "0.001");
    send_batch(&rt, &[OrderAction::Place(order)]);
    let post: serde_json::Value = serde_json::from_str(&seen_rx.recv_timeout(10 * SECOND).expect("a post")).unwrap();
    assert_eq!(post["request"]["type"], "action");
    assert_signed_order(&post["request"]["payload"]);

    let got = take(&events, 5);
    let accepted = (ActorId::Order, VenueEvent::Accepted { coin: BTC, cloid: order.cloid });
    assert_eq!(got[0], accepted);
    let fills: Vec<(ActorId, u64, String)> = got[1..]
        .iter()
        .map(|(to, e)| match e {
            VenueEvent::Fill(f) => {
                assert_eq!(f.cloid, order.cloid);
                (*to, f.tid, f.remaining.to_string())
            }
            other => panic!("expected a fill, got {other:?}"),
        })
        .collect();
    for (to, tid, remaining) in
        [(ActorId::Fill, 7, "0.0006"), (ActorId::Order, 7, "0.0006"), (ActorId::Fill, 8, "0"), (ActorId::Order, 8, "0")]
    {
        assert!(fills.contains(&(to, tid, remaining.to_string())), "{to:?} {tid} {remaining} not in {fills:?}");
    }
    assert!(events.recv_timeout(Duration::from_millis(300)).is_err(), "the duplicated fill was reported twice");
    let c = counters.snapshot();
    assert_eq!((c.posts_sent, c.replies, c.rest_fallbacks, c.fills, c.duplicate_fills), (1, 1, 0, 2, 1), "{c:?}");
    assert_eq!((c.bad_frames, c.signed_actions, c.in_flight_max, c.reply_timeouts), (1, 1, 1, 0), "{c:?}");

    let report = rt.report(ActorId::Venue, SECOND).expect("a report");
    let actors::report::ActorReport::Venue(report) = report else { panic!("not a venue report") };
    assert_eq!(report.exchange_client.map(|c| c.posts_sent), Some(1));
    rt.stop();
    drop(server);
}

/// A one-request-per-connection HTTP/1.1 server: answers `/exchange` and `/info` with the
/// given bodies and forwards each request's path and body.
async fn http_server(
    listener: tokio::net::TcpListener,
    exchange: String,
    info: String,
    seen: Sender<(String, String)>,
) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else { return };
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let (head_end, content_length) = loop {
            let Ok(n) = stream.read(&mut chunk).await else { break (0, 0) };
            if n == 0 {
                break (0, 0);
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                    .unwrap_or(0);
                break (end + 4, length);
            }
        };
        if head_end == 0 {
            continue;
        }
        while buf.len() < head_end + content_length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
        let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
        let answer = if path == "/exchange" { &exchange } else { &info };
        let _ = seen.send((path, body));
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
            answer.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    }
}

#[test]
fn with_the_socket_down_actions_go_by_rest_and_status_queries_by_info() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    // A closed port for the WebSocket: every connect fails, so posts fall back to REST.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let exchange = r#"{"status":"ok","response":{"type":"order","data":{"statuses":[{"error":"Order must have minimum value of $10."}]}}}"#;
    let info = r#"{"status":"order","order":{"order":{"coin":"BTC","side":"B","limitPx":"64000.0","sz":"0.0","oid":1002,"timestamp":1785261289146,"origSz":"0.001","cloid":"0x00000000000000000000000000000def"},"status":"filled","statusTimestamp":1785261289146}}"#;
    let (seen_tx, seen_rx) = unbounded();
    let server = serve(move || async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        http_server(listener, exchange.to_string(), info.to_string(), seen_tx).await;
    });

    let config = ExchangeClientConfig::with_urls(
        Network::Testnet,
        &format!("ws://127.0.0.1:{closed_port}/ws"),
        &format!("http://127.0.0.1:{port}/"),
    );
    let (rt, counters, events) = start(config);
    let order = place(0xdef, "0.0001");
    send_batch(&rt, &[OrderAction::Place(order), OrderAction::QueryStatus { coin: BTC, cloid: Cloid(0xdef) }]);
    let mut got = take(&events, 2);
    got.sort_by_key(|(_, e)| matches!(e, VenueEvent::OrderStatus { .. }));
    assert_eq!(
        got,
        [
            (
                ActorId::Order,
                VenueEvent::Rejected {
                    coin: BTC,
                    cloid: order.cloid,
                    reason: engine::venue::RejectReason::BelowMinNotional
                }
            ),
            (
                ActorId::Order,
                VenueEvent::OrderStatus { coin: BTC, cloid: order.cloid, status: VenueOrderStatus::Filled }
            ),
        ]
    );
    let mut requests: Vec<(String, String)> = (0..2).map(|_| seen_rx.recv_timeout(10 * SECOND).unwrap()).collect();
    requests.sort();
    assert_eq!(requests[0].0, "/exchange");
    assert_signed_order(&serde_json::from_str(&requests[0].1).unwrap());
    assert_eq!(requests[1].0, "/info");
    let query: serde_json::Value = serde_json::from_str(&requests[1].1).unwrap();
    assert_eq!(query["type"], "orderStatus");
    assert_eq!(query["oid"], "0x00000000000000000000000000000def");
    assert_eq!(query["user"], signer().trading_user().to_string());
    assert!(wait_until(|| counters.connect_failures.load(Ordering::Relaxed) >= 1));
    let c = counters.snapshot();
    assert_eq!((c.rest_fallbacks, c.posts_sent, c.replies, c.rejects), (1, 0, 1, 1), "{c:?}");
    assert_eq!((c.status_queries, c.status_answers), (1, 1), "{c:?}");
    rt.stop();
    drop(server);
}

#[test]
fn a_dry_run_signs_and_acknowledges_without_sending() {
    // Unreachable endpoints: a dry run must not even try them.
    let mut config = ExchangeClientConfig::with_urls(Network::Testnet, "ws://127.0.0.1:9/ws", "http://127.0.0.1:9");
    config.dry_run = true;
    let (rt, counters, events) = start(config);
    let old = place(1, "0.001");
    let batch = [
        OrderAction::Place(old),
        OrderAction::Modify { coin: BTC, cloid: Cloid(2), new: place(3, "0.001") },
        OrderAction::Cancel { coin: BTC, cloid: Cloid(4) },
        OrderAction::QueryStatus { coin: BTC, cloid: Cloid(5) },
    ];
    send_batch(&rt, &batch);
    let got: Vec<VenueEvent> = take(&events, 5)
        .into_iter()
        .map(|(to, e)| {
            assert_eq!(to, ActorId::Order);
            e
        })
        .collect();
    assert_eq!(
        got,
        [
            VenueEvent::Cancelled { coin: BTC, cloid: Cloid(4) },
            VenueEvent::Cancelled { coin: BTC, cloid: Cloid(2) },
            VenueEvent::Accepted { coin: BTC, cloid: Cloid(3) },
            VenueEvent::Accepted { coin: BTC, cloid: Cloid(1) },
            VenueEvent::OrderStatus { coin: BTC, cloid: Cloid(5), status: VenueOrderStatus::Open },
        ]
    );
    let c = counters.snapshot();
    assert_eq!((c.dry_run_batches, c.signed_actions, c.posts_sent, c.rest_fallbacks), (1, 3, 0, 0), "{c:?}");
    assert_eq!((c.connects, c.connect_failures), (0, 0), "a dry run opens no socket");
    rt.stop();
}
