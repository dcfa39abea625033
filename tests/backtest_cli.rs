//! `hyperquote backtest` end to end: the chosen model and the static baseline on the same
//! synthetic market, their results and differences, the same numbers when run again, and bad
//! arguments refused with the reason.

use serde_json::Value;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hyperquote");
const CAPTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");

const BINANCE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/hftbacktest-samples/usdm_btcusdt_20240808.gz");

fn backtest(args: &[&str]) -> Value {
    let out = Command::new(BIN).arg("backtest").args(args).arg("--json").output().expect("binary runs");
    assert!(out.status.success(), "exit {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not one JSON object ({e}): {text}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn a_model_and_the_baseline_run_on_the_same_market_and_the_differences_add_up() {
    let report = backtest(&["--duration", "180", "--model", "ho_stoll"]);
    let (model, baseline) = (&report["model"], &report["baseline"]);
    assert_eq!((model["model"].as_str(), baseline["model"].as_str()), (Some("ho_stoll"), Some("static")));
    for run in [model, baseline] {
        assert!(run["fills"].as_u64().is_some_and(|n| n > 0), "{run}");
        // Sampled at the start and every simulated second of the three minutes after it.
        let intervals = run["equity"]["intervals"].as_u64().unwrap();
        assert!((180..=181).contains(&intervals), "{intervals}");
        let coins = run["coins"].as_array().unwrap();
        assert_eq!(coins.len(), 2, "both coins");
        assert_eq!(coins[0]["inventory"]["samples"].as_u64(), Some(intervals));
        // The parts add up to the net (realized + unrealized − fees + funding).
        let p = &run["pnl"];
        let parts = f(&p["realized_usd"]) + f(&p["unrealized_usd"]) - f(&p["fees_usd"]) + f(&p["funding_usd"]);
        assert!((parts - f(&p["net_usd"])).abs() < 1e-6, "{p}");
        // Fills per side, per coin, per session and per regime all add up to the fills.
        let fills = run["fills"].as_u64().unwrap();
        let sum = |rows: &Value| rows.as_array().unwrap().iter().map(|r| r["fills"].as_u64().unwrap()).sum::<u64>();
        assert_eq!(sum(&run["sides"]), fills);
        assert_eq!(sum(&run["coins"]), fills);
        assert_eq!(sum(&run["by_session"]), fills, "every fill falls in some session");
        let by_regime: u64 = coins.iter().map(|c| sum(&c["by_vol_regime"])).sum();
        assert_eq!(by_regime, fills);
        let session_pnl: f64 = run["by_session"].as_array().unwrap().iter().map(|r| f(&r["pnl_usd"])).sum();
        assert!((session_pnl - f(&run["equity"]["pnl_usd"])).abs() < 1e-6, "sessions split the equity's PnL");
        for c in coins {
            let u = &c["quote_uptime"];
            let (bid, ask, both) = (f(&u["bid_frac"]), f(&u["ask_frac"]), f(&u["two_sided_frac"]));
            assert!(both <= bid.min(ask) && bid <= 1.0 && ask <= 1.0 && both > 0.5, "{u}");
        }
        let budget = &run["request_budget"];
        assert!(budget["requests_sent"].as_u64().is_some_and(|n| n > 0), "{budget}");
        assert!(f(&budget["used_frac"]) > 0.0 && f(&budget["used_frac"]) < 1.0, "{budget}");
    }
    let d = &report["difference"];
    assert!((f(&d["net_pnl_usd"]) - (f(&model["pnl"]["net_usd"]) - f(&baseline["pnl"]["net_usd"]))).abs() < 1e-9);
    assert_eq!(d["fills"].as_i64().unwrap(), model["fills"].as_i64().unwrap() - baseline["fills"].as_i64().unwrap());
    assert_ne!(model["fills"], baseline["fills"], "two different models traded identically");
    // The synthetic market selects hardly at all against passive quotes: the guards say so.
    let flags: Vec<&str> = baseline["sanity"].as_array().unwrap().iter().filter_map(|f| f["flag"].as_str()).collect();
    assert!(flags.contains(&"no_adverse_selection"), "{flags:?}");
    // The same command, the same numbers (each run is sequential on its simulated clock).
    assert_eq!(report, backtest(&["--duration", "180", "--model", "ho_stoll"]));
}

#[test]
fn a_recording_is_backtested_until_it_ends() {
    let report = backtest(&["--replay", CAPTURE, "--duration", "3600"]);
    let simulated = f(&report["model"]["simulated_s"]);
    assert!(simulated < 60.0, "the 25 s capture ends the run: {simulated}");
    assert_eq!(report["model"]["coins"].as_array().map(Vec::len), Some(2));
    // Without --json: the side-by-side table.
    let out = Command::new(BIN).args(["backtest", "--replay", CAPTURE]).output().expect("binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("static (baseline)"), "{text}");
    assert!(text.contains("difference (model − baseline): net PnL"), "{text}");
}

#[test]
fn a_binance_capture_is_a_market_too_and_venues_do_not_mix() {
    // The embedded replay profile's first market is BTC: the capture plays as BTCUSDT.
    let report = backtest(&["--replay", BINANCE, "--duration", "3600"]);
    for run in [&report["model"], &report["baseline"]] {
        assert!(run["fills"].as_u64().is_some_and(|n| n > 0), "{run}");
        // The capture is 345 s long; the run ends with it.
        assert!((340.0..=350.0).contains(&f(&run["simulated_s"])), "{run}");
    }
    let out = Command::new(BIN).args(["backtest", "--replay", CAPTURE, BINANCE]).output().expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("one venue per replay"), "{stderr}");
}

#[test]
fn bad_arguments_are_refused_with_the_reason() {
    for (args, expected) in [
        (vec!["--model", "nope"], "unknown model `nope`"),
        (vec!["--duration=-5"], "--duration must be a positive number"),
        (vec!["--duration", "0"], "--duration must be a positive number"),
        (vec!["--replay", "/nonexistent/recording.gz"], "recording.gz"),
    ] {
        let out = Command::new(BIN).arg("backtest").args(&args).output().expect("binary runs");
        assert!(!out.status.success(), "{args:?} accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn a_sweep_runs_every_grid_point_against_its_baseline_and_refuses_bad_keys() {
    let out = Command::new(BIN)
        .args(["backtest", "--duration", "60", "--json", "--sweep", "quote.gamma_per_usd=0.1,2"])
        .args(["--sweep", "venue.sim.order_latency_ms=1,20"])
        .output()
        .expect("binary runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let points = report["sweep"].as_array().unwrap();
    let names: Vec<String> = points.iter().map(|p| p["overrides"].to_string()).collect();
    assert_eq!(
        names,
        [
            r#"["quote.gamma_per_usd=0.1","venue.sim.order_latency_ms=1"]"#,
            r#"["quote.gamma_per_usd=0.1","venue.sim.order_latency_ms=20"]"#,
            r#"["quote.gamma_per_usd=2","venue.sim.order_latency_ms=1"]"#,
            r#"["quote.gamma_per_usd=2","venue.sim.order_latency_ms=20"]"#,
        ]
    );
    // γ changes the model's quotes, not the static baseline's; the latency changes both.
    let model = |i: usize| &points[i]["report"]["model"];
    let baseline = |i: usize| &points[i]["report"]["baseline"];
    assert_ne!(model(0)["pnl"], model(2)["pnl"], "γ moved nothing");
    assert_eq!(baseline(0), baseline(2), "γ moved the baseline");
    assert_ne!(baseline(0)["pnl"], baseline(1)["pnl"], "the latency moved nothing");
    // Each point is the plain backtest of its config: the first equals a run without --sweep.
    let plain = Command::new(BIN)
        .args(["backtest", "--duration", "60", "--json", "--config"])
        .arg(swept_config(&[("quote", "gamma_per_usd", "0.1"), ("venue.sim", "order_latency_ms", "1.0")]))
        .output()
        .expect("binary runs");
    let plain: Value = serde_json::from_slice(&plain.stdout).expect("one JSON object");
    assert_eq!(plain, points[0]["report"]);
    for (sweep, expected) in [
        ("quote.no_such_key=1", "no_such_key"),
        ("quote.gamma_per_usd=-1", "gamma"),
        ("nonsense", "expected KEY=V1,V2"),
        ("markets.9.coin=X", "index 9"),
    ] {
        let out = Command::new(BIN).args(["backtest", "--duration", "5", "--sweep", sweep]).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(expected), "{sweep}: {stderr}");
    }
}

/// The embedded paper profile with some `key = value` lines replaced, written to a temp file.
fn swept_config(changes: &[(&str, &str, &str)]) -> std::path::PathBuf {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/paper.toml")).unwrap();
    let mut table: toml::Table = text.parse().unwrap();
    for (section, key, value) in changes {
        let override_arg = format!("{section}.{key}={value}");
        hyperquote::overrides::apply(&mut table, &hyperquote::overrides::parse_axis(&override_arg).unwrap()[0])
            .unwrap();
    }
    let path = std::env::temp_dir().join(format!("hq-sweep-plain-{}.toml", std::process::id()));
    std::fs::write(&path, toml::to_string(&table).unwrap()).unwrap();
    path
}
