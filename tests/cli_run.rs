//! The `hyperquote` binary end to end: the paper run the README promises, a clean stop on
//! Ctrl-C, and refusal of bad configuration with the key named.

use serde_json::Value;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hyperquote");
const SEVEN_ACTORS: [&str; 7] = ["feed", "estimator", "quote", "risk", "order", "fill", "calibration"];

fn summary_json(stdout: &[u8]) -> Value {
    let text = String::from_utf8_lossy(stdout);
    let line = text.lines().last().unwrap_or_else(|| panic!("no stdout: {text}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {text}"))
}

#[test]
fn paper_run_reports_fills_and_a_latency_row_per_actor() {
    let out = Command::new(BIN).args(["run", "--duration", "10", "--json"]).output().expect("binary runs");
    assert!(out.status.success(), "exit {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let s = summary_json(&out.stdout);
    let fills = s["totals"]["fills"].as_u64().expect("totals.fills");
    assert!(fills > 0, "no fills in 10 s: {s}");
    let coins = s["coins"].as_array().expect("coins");
    assert_eq!(coins.len(), 2, "the paper profile quotes two coins");
    let rows: Vec<&str> =
        s["latency"].as_array().expect("latency").iter().filter_map(|r| r["actor"].as_str()).collect();
    for actor in SEVEN_ACTORS {
        assert!(rows.contains(&actor), "no latency row for {actor}: {rows:?}");
    }
    for row in s["latency"].as_array().unwrap() {
        assert!(row["service"]["count"].as_u64().unwrap() > 0, "{row}");
    }
    assert!(s["tick_to_order"]["count"].as_u64().unwrap() > 0);
    assert!(s["tick_to_order"]["p50_ns"].as_u64().unwrap() > 0);
    // Fees are positive at the base tier, and the PnL parts add up.
    let t = &s["totals"];
    let net = t["realized_pnl_usd"].as_f64().unwrap() + t["unrealized_pnl_usd"].as_f64().unwrap()
        - t["fees_usd"].as_f64().unwrap();
    assert!((net - t["net_pnl_usd"].as_f64().unwrap()).abs() < 1e-9);
    assert!(t["fees_usd"].as_f64().unwrap() > 0.0);
    // Shutdown cancelled everything.
    let venue = s["reports"].as_array().unwrap().iter().find_map(|r| r.get("venue")).expect("venue report");
    assert_eq!(venue["open_orders"], 0, "orders left on the venue: {venue}");
}

#[test]
fn ctrl_c_stops_cleanly_with_a_summary() {
    let mut child = Command::new(BIN)
        .args(["run", "--duration", "60", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    // Wait for the first progress line, so the engine is trading when the signal arrives.
    let mut stderr = child.stderr.take().unwrap();
    let started = Instant::now();
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    while !seen.contains("fills") && started.elapsed() < Duration::from_secs(20) {
        let n = stderr.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-INT", &pid]).status().expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("child exits");
    assert!(out.status.success(), "exit status after SIGINT: {:?}", out.status);
    let s = summary_json(&out.stdout);
    let elapsed = s["elapsed_s"].as_f64().unwrap();
    assert!(elapsed < 30.0, "did not stop on SIGINT (ran {elapsed} s)");
    let venue = s["reports"].as_array().unwrap().iter().find_map(|r| r.get("venue")).expect("venue report");
    assert_eq!(venue["open_orders"], 0, "Ctrl-C must cancel every order: {venue}");
}

fn run_with_config(toml: &str) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("hq-cfg-{}-{}", std::process::id(), toml.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(&path, toml).unwrap();
    let out = Command::new(BIN).args(["run", "--duration", "1", "--config"]).arg(&path).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn bad_config_file_is_refused_with_the_key_named() {
    let paper = include_str!("../config/paper.toml");
    let (code, err) = run_with_config(&paper.replace("order_size_base = 0.0002", "order_size_base = -0.0002"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("markets[0].order_size_base"), "{err}");
    let (code, err) = run_with_config(&paper.replace("[quote]", "[quote]\nhalf_spread = 3.0"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown field `half_spread`"), "{err}");
    let (code, err) = run_with_config("not toml at all [");
    assert_eq!(code, 2, "{err}");
    let out = Command::new(BIN).args(["run", "--config", "/nonexistent/hq.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/hq.toml"));
    let out = Command::new(BIN).args(["run", "--duration=-3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--duration"));
}

const CAPTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");

fn venue_report(s: &Value) -> Value {
    s["reports"].as_array().unwrap().iter().find_map(|r| r.get("venue")).expect("venue report").clone()
}

#[test]
fn replay_at_max_speed_plays_the_whole_recording_and_ends_with_it() {
    assert!(std::path::Path::new(CAPTURE).exists(), "missing test data {CAPTURE}");
    let out = Command::new(BIN).args(["run", "--replay", CAPTURE, "--speed", "max", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = summary_json(&out.stdout);
    assert_eq!(s["mode"], "replay");
    assert_eq!(s["runtime"], "sequential");
    let venue = venue_report(&s);
    assert_eq!(venue["market_ended"], true);
    assert_eq!(venue["source"]["frames"], 55);
    assert_eq!(venue["source"]["bad_frames"], 0);
    assert!(venue["source"]["historical_trades"].as_u64().unwrap() > 0, "{venue}");
    assert_eq!(venue["open_orders"], 0);
    let feed = s["reports"].as_array().unwrap().iter().find_map(|r| r.get("feed")).unwrap();
    assert_eq!(feed["books"], 46, "{feed}");
    // The recording spans ~25 s; the run ends with it, not at the profile's duration.
    let elapsed = s["elapsed_s"].as_f64().unwrap();
    assert!((24.0..40.0).contains(&elapsed), "simulated run length {elapsed}");
    let quote = s["reports"].as_array().unwrap().iter().find_map(|r| r.get("quote")).unwrap();
    assert!(quote["decisions"].as_u64().unwrap() >= 40, "quoted on the real books: {quote}");
}

#[test]
fn replay_at_a_finite_speed_runs_on_the_wall_clock_and_stops_at_the_end() {
    let started = std::time::Instant::now();
    let out = Command::new(BIN).args(["run", "--replay", CAPTURE, "--speed", "25", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = summary_json(&out.stdout);
    assert_eq!(s["runtime"], "threaded");
    assert_eq!(venue_report(&s)["market_ended"], true);
    assert!(started.elapsed() < Duration::from_secs(20), "did not end with the recording");
}

#[test]
fn bad_replay_arguments_are_refused() {
    for (args, expect) in [
        (vec!["run", "--replay", CAPTURE, "--speed", "0"], "--speed"),
        (vec!["run", "--replay", CAPTURE, "--speed", "fast"], "--speed"),
        (vec!["run", "--replay", "/nonexistent/rec.gz"], "/nonexistent/rec.gz"),
    ] {
        let out = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expect),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn every_model_quotes_in_paper_mode_on_the_simulated_clock() {
    for model in ["glft", "glft_exact", "avellaneda_stoikov", "ho_stoll", "cartea_jaimungal", "static"] {
        let out = Command::new(BIN)
            .args(["run", "--speed", "max", "--duration", "300", "--model", model, "--json"])
            .output()
            .expect("binary runs");
        assert!(out.status.success(), "{model}: {}", String::from_utf8_lossy(&out.stderr));
        let s = summary_json(&out.stdout);
        let quote = s["reports"].as_array().unwrap().iter().find_map(|r| r.get("quote")).expect("quote report");
        assert_eq!(quote["model"], model);
        let decisions = quote["decisions"].as_u64().unwrap();
        let cold = quote["fallback_cold"].as_u64().unwrap();
        assert_eq!(quote["fallback_model_error"], 0, "{model}: {quote}");
        // The model itself quotes most of the run once the estimates are warm.
        assert!(decisions > 1_000 && cold * 4 < decisions, "{model}: {quote}");
        assert!(s["totals"]["fills"].as_u64().unwrap() > 100, "{model}: {}", s["totals"]);
    }
    let unknown = Command::new(BIN).args(["run", "--model", "glft-exact"]).output().expect("binary runs");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown model `glft-exact`"));
}

#[test]
fn each_quote_decision_is_one_structured_record_with_its_components() {
    const PAPER: &str = include_str!("../config/paper.toml");
    let dir = std::env::temp_dir().join(format!("hq-decisions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("paper.toml");
    for line in ["format = \"text\"", "level = \"warn\""] {
        assert!(PAPER.contains(line), "fixture drifted: {line}");
    }
    let text = PAPER.replacen("format = \"text\"", "format = \"json\"", 1).replacen(
        "level = \"warn\"",
        "level = \"hyperquote::quote=info,warn\"",
        1,
    );
    std::fs::write(&profile, text).unwrap();
    let out = Command::new(BIN)
        .args(["run", "--config", profile.to_str().unwrap(), "--speed", "max", "--duration", "120", "--json"])
        .output()
        .expect("binary runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let records: Vec<Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "quote decision")
        .collect();
    let s = summary_json(&out.stdout);
    let quote = s["reports"].as_array().unwrap().iter().find_map(|r| r.get("quote")).expect("quote report");
    assert_eq!(records.len() as u64, quote["decisions"].as_u64().unwrap(), "one record per decision");
    let fields = [
        "model",
        "gamma",
        "kappa",
        "sigma",
        "half_spread_bid_bps",
        "half_spread_ask_bps",
        "inventory_skew_bps",
        "imbalance_skew_bps",
        "flow_skew_bps",
        "toxicity_bid",
        "toxicity_ask",
        "gated_bid",
        "gated_ask",
    ];
    for field in fields {
        assert!(records[0]["fields"].get(field).is_some(), "{field} missing: {}", records[0]);
    }
    assert!(records.iter().any(|r| r["fields"]["model"] == "glft"), "the model quotes once warm");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_paper_run_reports_markouts_at_every_horizon_and_an_attribution_that_adds_up() {
    let out = Command::new(BIN).args(["run", "--speed", "max", "--duration", "120", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = summary_json(&out.stdout);
    let fill = s["reports"].as_array().unwrap().iter().find_map(|r| r.get("fill")).expect("fill report");
    let coins = fill["coins"].as_array().expect("fill.coins");
    assert!(!coins.is_empty());
    let f = |v: &Value| v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    for coin in coins {
        assert!(coin["pnl"]["fills"].as_u64().unwrap() > 0, "a coin without fills: {coin}");
        let m = &coin["markouts"];
        let horizons: Vec<u64> = m["horizons_ms"].as_array().unwrap().iter().map(|h| h.as_u64().unwrap()).collect();
        assert_eq!(horizons, [500, 2_000, 10_000, 60_000]);
        for (h, cells) in m["cells"].as_array().unwrap().iter().enumerate() {
            let cells = cells.as_array().unwrap();
            assert_eq!(cells.len(), 2, "[bid, ask]");
            let count: u64 = cells.iter().map(|c| c["count"].as_u64().unwrap()).sum();
            assert!(count > 0, "no markouts at {} ms: {m}", horizons[h]);
            for c in cells {
                assert!(c["expired"].as_u64().is_some(), "{c}");
                assert_eq!(c["avg_bps"].is_null(), c["count"] == 0, "avg_bps once resolved: {c}");
            }
        }
        let a = &coin["attribution"];
        assert!(a["resolved_fills"].as_u64().unwrap() > 0, "{a}");
        let sides = a["sides"].as_array().unwrap();
        for terms in sides.iter().chain([&a["total"]]) {
            let sum = f(&terms["spread_capture_usd"]) - f(&terms["adverse_selection_usd"]) - f(&terms["fees_usd"])
                + f(&terms["rebates_usd"])
                + f(&terms["funding_usd"])
                + f(&terms["residual_usd"]);
            assert!((sum - f(&terms["total_usd"])).abs() < 1e-9, "terms do not sum to the total: {terms}");
        }
        let by_side = f(&sides[0]["total_usd"]) + f(&sides[1]["total_usd"]) + f(&a["total"]["funding_usd"]);
        assert!((by_side - f(&a["total"]["total_usd"])).abs() < 1e-9, "{a}");
        // Attribution explains the coin's whole net PnL.
        let net = f(&coin["pnl"]["net_pnl_usd"]);
        assert!((net - f(&a["total"]["total_usd"])).abs() < 1e-6, "net {net} vs attribution {a}");
    }
    // The per-coin summary carries the same and the text line is derived from it.
    assert!(s["coins"][0]["markouts"]["cells"].is_array() && s["coins"][0]["attribution"]["total"].is_object());
}
