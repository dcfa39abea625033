//! The engine trading on Hyperliquid — the loopback mock exchange — as a real process:
//! `hyperquote run --config <live profile>` with a key file, signing every action, market
//! data, user channels and posts over one WebSocket, `/info` and `/exchange` over HTTP.
//!
//! The mock matches the engine's orders against the market it replays (a scripted BTC market
//! whose trades reach a few bps into the book) and keeps its own fill log: every test ends by
//! checking that the PnL, fees, fill count and position the engine reports are what that log
//! says, and that no order is left on the venue.

use actors::journal::{JournalReader, JournalState, Record};
use actors::venues::hyperliquid::exchange::{Network, PrivateKey};
use actors::venues::hyperliquid::mock_exchange::{CoinSpec, MockExchange, MockExchangeConfig, ReplayMode};
use actors::venues::hyperliquid::mock_server::{MockRecording, ReplaySpeed};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The SDK's test key (HYPERLIQUID.md); it trades for its own address.
const KEY: &str = "e908f86dbb4d55ac876378565aafeabc187f6690f046459397b17d9b9a19688e";
const LIVE: &str = include_str!("../config/live-hyperliquid.toml");
const HASH: &str = "0x0000000000000000000000000000000000000000000000000000000000000000";
const BUYER: &str = "0x0000000000000000000000000000000000000001";
const SELLER: &str = "0x0000000000000000000000000000000000000002";

/// A scripted BTC market, `seconds` long: a 10-level book around a slowly walking mid every
/// 250 ms, and between books a trade alternately sold and bought 1 to 4 bps from the mid,
/// large enough to fill any order of ours it reaches.
fn scripted_market(seconds: u64) -> MockRecording {
    const STEP_MS: u64 = 250;
    let start_ms: u64 = 1_767_225_600_000;
    let mut mid: i64 = 100_000;
    let mut lcg: u64 = 0x2545_f491_4f6c_dd1d;
    let mut frames = Vec::new();
    for i in 0..seconds * 1000 / STEP_MS {
        let t_ms = start_ms + i * STEP_MS;
        if i % 2 == 0 {
            lcg = lcg.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            mid += [-2, 0, 0, 2][(lcg >> 62) as usize];
            let level = |px: i64| format!(r#"{{"px":"{px}","sz":"0.05","n":1}}"#);
            let bids: Vec<String> = (0..10).map(|k| level(mid - 5 - 5 * k)).collect();
            let asks: Vec<String> = (0..10).map(|k| level(mid + 5 + 5 * k)).collect();
            frames.push((
                t_ms * 1_000_000,
                format!(
                    r#"{{"channel":"l2Book","data":{{"coin":"BTC","time":{t_ms},"levels":[[{}],[{}]]}}}}"#,
                    bids.join(","),
                    asks.join(",")
                ),
            ));
        } else {
            let reach = 10 * (1 + (i / 2) % 4) as i64;
            let (side, px) = if (i / 2) % 2 == 0 { ("A", mid - reach) } else { ("B", mid + reach) };
            frames.push((
                t_ms * 1_000_000,
                format!(
                    r#"{{"channel":"trades","data":[{{"coin":"BTC","side":"{side}","px":"{px}","sz":"0.5","time":{t_ms},"hash":"{HASH}","tid":{i},"users":["{BUYER}","{SELLER}"]}}]}}"#
                ),
            ));
        }
    }
    MockRecording::from_frames(frames).expect("scripted frames")
}

/// The mock exchange and the engine's files for one test.
struct Venue {
    mock: MockExchange,
    dir: PathBuf,
    config: PathBuf,
    journal: PathBuf,
}

fn account() -> engine::hyperliquid::Address {
    PrivateKey::from_hex(KEY, "test").expect("test key").address()
}

/// A fresh mock on the scripted market and a live profile pointing at it (BTC only, the
/// account's own key in a 0600 file, journal in a temp dir, sending for real unless `dry_run`).
fn venue(name: &str, dry_run: bool) -> Venue {
    venue_with(name, dry_run, None)
}

/// [`venue`], signing with `agent_key` (an API wallet the mock has approved for the
/// account) when given.
fn venue_with(name: &str, dry_run: bool, agent_key: Option<&str>) -> Venue {
    let mut config = MockExchangeConfig::new(scripted_market(600), vec![CoinSpec::new("BTC", 0, 5)], account())
        .network(Network::Testnet)
        .replay(ReplayMode::Timed { speed: ReplaySpeed::Times(1.0), looping: false });
    if let Some(agent) = agent_key {
        config = config.agent(PrivateKey::from_hex(agent, "test").unwrap().address());
    }
    let mock = MockExchange::start(config).expect("mock exchange");
    let dir = std::env::temp_dir().join(format!("hq-live-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("agent.key");
    std::fs::write(&key_file, agent_key.unwrap_or(KEY)).unwrap();
    let mut perms = std::fs::metadata(&key_file).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(&key_file, perms).unwrap();
    let journal = dir.join("engine.journal");
    let eth_market = LIVE.find("[[markets]]\ncoin = \"ETH\"").expect("ETH market in the live profile");
    let admin = LIVE.find("[admin]").expect("admin section");
    let text = format!("{}{}", &LIVE[..eth_market], &LIVE[admin..])
        .replace("wss://api.hyperliquid-testnet.xyz/ws", &mock.ws_url())
        .replace("https://api.hyperliquid-testnet.xyz", &mock.http_url())
        .replace("key_env = \"HYPERQUOTE_HL_PRIVATE_KEY\"", &format!("key_file = {:?}", key_file.display().to_string()))
        .replace(
            "journal_path = \"hyperquote-testnet.journal\"",
            &format!("journal_path = {:?}", journal.display().to_string()),
        )
        .replace("dry_run = true", &format!("dry_run = {dry_run}"))
        .replace(
            "# account = \"0x0000000000000000000000000000000000000000\"",
            &agent_key.map_or(String::new(), |_| format!("account = \"{}\"", account())),
        );
    let config = dir.join("live.toml");
    std::fs::write(&config, text).unwrap();
    Venue { mock, dir, config, journal }
}

fn engine(venue: &Venue, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hyperquote"));
    cmd.arg("run").arg("--config").arg(&venue.config).args(extra).current_dir(&venue.dir);
    cmd.env_remove("HYPERQUOTE_HL_PRIVATE_KEY");
    cmd
}

/// Runs the engine to the end of `duration_s` and returns its summary and stderr.
fn run(venue: &Venue, duration_s: u32, extra: &[&str]) -> (Value, String) {
    let duration = duration_s.to_string();
    let mut args = vec!["--duration", duration.as_str(), "--json"];
    args.extend_from_slice(extra);
    let Output { status, stdout, stderr } = engine(venue, &args).output().expect("engine runs");
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    assert!(status.success(), "engine failed: {status}\n{stderr}");
    let summary = serde_json::from_slice(&stdout).unwrap_or_else(|e| panic!("summary: {e}\n{stderr}"));
    (summary, stderr)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The engine's books for BTC must be the mock's: fills, position, fees, and PnL at the
/// engine's own mark (the mock's cash flows plus its position at that mark).
fn assert_books_agree(summary: &Value, mock: &MockExchange, stderr: &str) {
    let coin = &summary["coins"][0];
    let fills = mock.fills();
    let pnl = mock.pnl();
    let position = mock.position("BTC");
    assert_eq!(coin["fills"].as_u64(), Some(fills.len() as u64), "fill count\n{stderr}");
    let engine_position = f(&coin["position_base"]);
    assert!((engine_position - position.szi.to_f64()).abs() < 1e-9, "position {engine_position} vs {:?}", position);
    assert!((f(&coin["fees_usd"]) - pnl.fees_usd).abs() < 1e-6, "fees {} vs {}", coin["fees_usd"], pnl.fees_usd);
    let mark = f(&coin["mark_usd"]);
    let mock_net = pnl.trading_cash_usd - pnl.fees_usd + pnl.funding_usd + position.szi.to_f64() * mark;
    let engine_net = f(&coin["net_pnl_usd"]);
    assert!((engine_net - mock_net).abs() < 1e-6, "net PnL {engine_net} vs the mock's {mock_net} at {mark}");
}

fn venue_report(summary: &Value) -> &Value {
    summary["reports"].as_array().unwrap().iter().find_map(|r| r.get("venue")).expect("venue report")
}

fn order_report(summary: &Value) -> &Value {
    summary["reports"].as_array().unwrap().iter().find_map(|r| r.get("order")).expect("order report")
}

fn journal_state(path: &Path) -> (Vec<Record>, JournalState) {
    let replay = JournalReader::replay(path).expect("journal replays");
    let state = JournalState::from_records(&replay.records);
    (replay.records, state)
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn quotes_rest_fill_requote_and_cancel_and_the_books_match_the_venue() {
    let venue = venue("session", false);
    let (summary, stderr) = run(&venue, 12, &[]);
    let c = venue.mock.counters();
    assert_eq!((c.signature_failures, c.nonce_rejects, c.malformed_requests), (0, 0, 0), "{c:?}");
    assert!(c.orders_received >= 4 && c.fills >= 1, "quotes rested and filled: {c:?}\n{stderr}");
    assert!(c.cancels + c.modifies >= 1, "requoted: {c:?}");
    assert!(venue.mock.open_orders().is_empty(), "orders left on the venue: {:?}", venue.mock.open_orders());
    assert_books_agree(&summary, &venue.mock, &stderr);
    let client = &venue_report(&summary)["exchange_client"];
    assert!(client["posts_sent"].as_u64().unwrap() > 0 && client["replies"].as_u64().unwrap() > 0, "{client}");
    assert_eq!(summary["mode"], "live");
    // The journal holds the session: every fill, no order left open.
    let (records, state) = journal_state(&venue.journal);
    assert!(matches!(records.first(), Some(Record::SessionStart(_))));
    assert_eq!(state.fills_seen.len(), venue.mock.fills().len());
    assert!(state.open_orders.is_empty(), "journal thinks orders are open: {:?}", state.open_orders);
}

#[test]
fn rejects_and_duplicated_or_reordered_fill_messages_change_nothing() {
    let venue = venue("faults", false);
    venue.mock.duplicate_fill_messages(true);
    let mut child =
        engine(&venue, &["--duration", "14", "--json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait_until("the first orders", Duration::from_secs(10), || venue.mock.counters().orders_received > 0);
    venue.mock.reject_next_orders(2, "Insufficient margin to place order.");
    // An operator changes a limit while it trades: the change is journaled.
    let ctl = Command::new(env!("CARGO_BIN_EXE_hyperquote"))
        .args(["ctl", "--config"])
        .arg(&venue.config)
        .args(["risk", "set", "max_position_base.BTC=0.0015"])
        .output()
        .unwrap();
    assert!(ctl.status.success(), "ctl: {}", String::from_utf8_lossy(&ctl.stderr));
    std::thread::sleep(Duration::from_millis(1500));
    venue.mock.reject_next_orders(1, "Order must have minimum value of $10.");
    let reorder_until = Instant::now() + Duration::from_secs(8);
    while Instant::now() < reorder_until {
        venue.mock.reorder_next_fill();
        std::thread::sleep(Duration::from_millis(300));
    }
    venue.mock.release_held_fills();
    let output = wait_output(&mut child);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let c = venue.mock.counters();
    assert!(c.orders_rejected >= 3, "{c:?}");
    assert!(c.fill_messages_sent > c.fills, "fills were sent more than once: {c:?}");
    let orders = order_report(&summary);
    assert!(orders["rejects"].as_u64().unwrap() >= 3, "{orders}");
    assert!(c.orders_received > 10, "quoting went on after the rejects: {c:?}");
    assert!(venue.mock.open_orders().is_empty());
    assert_books_agree(&summary, &venue.mock, &stderr);
    let (records, _) = journal_state(&venue.journal);
    let limits = records.iter().find_map(|r| match r {
        Record::RiskLimits { version, change, .. } => Some((*version, change.clone())),
        _ => None,
    });
    let (version, change) = limits.expect("the limit change is in the journal");
    assert!(version >= 2 && change.contains("max_position_base.BTC=0.0015"), "{version} {change}");
}

fn wait_output(child: &mut Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        assert!(Instant::now() < deadline, "engine did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    use std::io::Read;
    if let Some(mut out) = child.stdout.take() {
        out.read_to_end(&mut stdout).unwrap();
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_end(&mut stderr).unwrap();
    }
    Output { status: child.wait().unwrap(), stdout, stderr }
}

#[test]
fn sigkill_mid_session_then_restart_loses_no_fill_and_leaves_no_orphan() {
    let venue = venue("crash", false);
    let mut first = engine(&venue, &["--duration", "120"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    wait_until("fills and resting orders", Duration::from_secs(30), || {
        venue.mock.fills().len() >= 2 && !venue.mock.open_orders().is_empty()
    });
    first.kill().expect("SIGKILL");
    first.wait().unwrap();
    let orphans = venue.mock.open_orders().len();
    assert!(orphans > 0, "the killed engine left its quotes resting");
    // The market goes on while nobody listens: resting orphans may fill.
    std::thread::sleep(Duration::from_millis(1500));
    let (summary, stderr) = run(&venue, 8, &[]);
    assert!(stderr.contains("orders an earlier process left on the venue"), "{stderr}");
    assert!(venue.mock.open_orders().is_empty(), "orphans: {:?}", venue.mock.open_orders());
    assert_books_agree(&summary, &venue.mock, &stderr);
    let (_, state) = journal_state(&venue.journal);
    assert_eq!(state.sessions, 2);
    assert_eq!(state.fills_seen.len(), venue.mock.fills().len(), "every fill journaled once");
}

#[test]
fn a_dry_run_signs_every_batch_and_sends_nothing() {
    let venue = venue("dry", false);
    let (summary, stderr) = run(&venue, 4, &["--dry-run"]);
    assert_eq!(summary["mode"], "dry-run");
    let client = &venue_report(&summary)["exchange_client"];
    assert!(client["dry_run_batches"].as_u64().unwrap() > 0, "{client}\n{stderr}");
    assert_eq!(client["posts_sent"].as_u64(), Some(0));
    let c = venue.mock.counters();
    assert_eq!((c.exchange_requests, c.orders_received), (0, 0), "{c:?}");
    assert!(c.info_requests > 0, "a dry run still reads the account");
}

#[test]
fn a_position_the_journal_cannot_explain_starts_the_engine_halted() {
    use actors::venues::hyperliquid::exchange::{build_action, AssetSpec, AssetTable, Signer};
    use actors::venues::hyperliquid::exchange_client::{block_on, send_action};
    use engine::order::ItemOutcome;
    use engine::types::{Cloid, CoinId, Price, Qty, Side};
    use engine::venue::{OrderAction, OrderRequest};

    let venue = venue("mismatch", false);
    wait_until("the market", Duration::from_secs(5), || venue.mock.mid("BTC").is_some());
    // Someone trades the account by hand: an IOC buy through the asks.
    let mid = venue.mock.mid("BTC").unwrap();
    let buy = OrderRequest {
        coin: CoinId(0),
        cloid: Cloid(7),
        side: Side::Bid,
        px: Price::parse(&format!("{}", (mid + 100.0).round())).unwrap(),
        qty: Qty::parse("0.001").unwrap(),
        post_only: false,
    };
    let mut assets = AssetTable::new();
    assets.set(CoinId(0), AssetSpec { asset: 0, sz_decimals: 5 });
    let action = build_action(&[OrderAction::Place(buy)], &assets).unwrap();
    let signer = Signer::new(PrivateKey::from_hex(KEY, "test").unwrap(), Network::Testnet);
    let nonce = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let answer = block_on(send_action(&venue.mock.http_url(), &signer, &action, nonce, Duration::from_secs(5)))
        .unwrap()
        .unwrap();
    assert!(matches!(answer.item(0), Some(ItemOutcome::Filled { .. })), "{answer:?}");
    assert_eq!(venue.mock.position("BTC").szi, Qty::parse("0.001").unwrap());

    let (summary, stderr) = run(&venue, 3, &[]);
    assert!(stderr.contains("starting Halted: position mismatch at start"), "{stderr}");
    assert!(stderr.contains("the venue holds 0.001"), "{stderr}");
    let risk = summary["reports"].as_array().unwrap().iter().find_map(|r| r.get("risk")).expect("risk report");
    assert_eq!(risk["trading_state"]["state"], "halted", "{risk}");
    assert_eq!(venue.mock.counters().orders_received, 1, "the engine placed nothing: only the hand-made order");
    let (records, _) = journal_state(&venue.journal);
    assert!(records.iter().any(|r| matches!(r, Record::TradingState { reason, .. } if reason.contains("mismatch"))));
}

#[test]
fn an_agent_wallet_trades_for_its_account() {
    const AGENT: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
    let venue = venue_with("agent", false, Some(AGENT));
    let (summary, stderr) = run(&venue, 5, &[]);
    assert!(stderr.contains("(agent wallet)"), "{stderr}");
    let c = venue.mock.counters();
    assert_eq!(c.signature_failures, 0, "{c:?}");
    assert!(c.orders_received > 0 && c.actions_accepted > 0, "{c:?}\n{stderr}");
    assert!(venue.mock.open_orders().is_empty());
    assert_books_agree(&summary, &venue.mock, &stderr);
}

#[test]
fn unanswered_posts_and_a_dropped_connection_are_recovered() {
    let venue = venue("quiet", false);
    let text =
        std::fs::read_to_string(&venue.config).unwrap().replace("post_timeout_ms = 5000", "post_timeout_ms = 1000");
    std::fs::write(&venue.config, text).unwrap();
    let mut child =
        engine(&venue, &["--duration", "14", "--json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait_until("the first orders", Duration::from_secs(10), || venue.mock.counters().orders_received > 0);
    // The venue executes posts but stops answering them: the engine must find out by status queries.
    venue.mock.stop_answering_posts(true);
    std::thread::sleep(Duration::from_secs(3));
    venue.mock.answer_posts();
    std::thread::sleep(Duration::from_secs(1));
    assert!(venue.mock.drop_connections() > 0, "the engine was connected");
    let output = wait_output(&mut child);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let client = &venue_report(&summary)["exchange_client"];
    assert!(client["reply_timeouts"].as_u64().unwrap() > 0, "{client}");
    assert!(client["status_queries"].as_u64().unwrap() > 0, "{client}");
    assert!(client["reconnects"].as_u64().unwrap() >= 1, "{client}");
    assert!(venue.mock.counters().posts_unanswered > 0);
    assert!(venue.mock.open_orders().is_empty(), "orders left: {:?}\n{stderr}", venue.mock.open_orders());
    assert_books_agree(&summary, &venue.mock, &stderr);
}

#[test]
fn each_kind_of_reject_is_told_apart_and_handled() {
    let venue = venue("reject-kinds", false);
    let mut child =
        engine(&venue, &["--duration", "16", "--json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait_until("the first orders", Duration::from_secs(10), || venue.mock.counters().orders_received > 0);
    // Hyperliquid's texts, each answered to one order; the ones that restrict quoting last.
    let texts = [
        ("post_only_would_match", "Post only order would have immediately matched, bbo was 99995@100005. asset=0"),
        ("bad_tick", "Price must be divisible by tick size. asset=0"),
        ("below_min_notional", "Order must have minimum value of $10. asset=0"),
        ("reduce_only_would_increase", "Reduce only order would increase position. asset=0"),
        ("price_too_far_from_oracle", "Order price too far from oracle"),
        ("unknown", "Something the engine has never seen."),
        ("insufficient_margin", "Insufficient margin to place order. asset=0"),
        ("rate_limited", "Too many cumulative requests sent (10001 > 10000) for cumulative volume traded $0."),
    ];
    for (kind, text) in texts {
        let before = venue.mock.counters().orders_rejected;
        venue.mock.reject_next_orders(1, text);
        wait_until(kind, Duration::from_secs(8), || venue.mock.counters().orders_rejected > before);
    }
    let output = wait_output(&mut child);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let by_kind = &order_report(&summary)["rejects_by"];
    for (kind, _) in texts {
        assert!(by_kind[kind].as_u64() >= Some(1), "{kind} not told apart: {by_kind}");
    }
    assert_eq!(order_report(&summary)["last_unknown_reject"], "Something the engine has never seen.");
    let risk = summary["reports"].as_array().unwrap().iter().find_map(|r| r.get("risk")).expect("risk report");
    // Risk heard of the refusals that restrict quoting, and the rate limit made it quote only
    // the side that reduces the position for its cool-down.
    assert!(risk["venue_refusals"]["received"]["rate_limited"].as_u64() >= Some(1), "{risk}");
    assert!(risk["levels_dropped_by"]["inventory_forcing"].as_u64() > Some(0), "rate limit acted on: {risk}");
    assert!(venue.mock.open_orders().is_empty());
    assert_books_agree(&summary, &venue.mock, &stderr);
}
