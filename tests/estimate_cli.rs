//! `hyperquote estimate` on the real recordings, its refusals, and the κ records the running
//! engine logs.

use serde_json::Value;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_hyperquote");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/hftbacktest-samples/");
const REPLAY_PROFILE: &str = include_str!("../config/replay.toml");

fn data(file: &str) -> String {
    format!("{DATA}{file}")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("binary runs")
}

/// Every stdout line as JSON: the intervals, then the summary.
fn json_lines(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "exit {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn hyperliquid_capture_gives_trade_distance_kappa_and_glft_half_spreads() {
    let out = run(&["estimate", "--replay", &data("hyperliquid_btcusd_20250126.gz"), "--json", "--interval", "5"]);
    let lines = json_lines(&out);
    let (summary, intervals) = lines.split_last().expect("a summary line");
    assert_eq!(intervals.len(), 5, "25 s at 5 s intervals");
    assert!(intervals.windows(2).all(|w| w[0]["t_s"].as_f64() < w[1]["t_s"].as_f64()));
    assert_eq!(summary["venue"], "hyperliquid");
    assert_eq!(summary["books"], 46);
    // 64 prints, the subscribe-time replay not counted as flow.
    assert_eq!(summary["trades"].as_u64().unwrap() + summary["source"]["historical_trades"].as_u64().unwrap(), 64);
    let last = &summary["last"];
    let distance = last["avg_trade_distance_bps"].as_f64().expect("an average trade distance");
    assert!(distance > 0.0 && distance < 5.0, "BTC trades print near the touch: {distance} bps");
    let rows = summary["glft"].as_array().expect("glft rows");
    assert_eq!(rows.len(), 4);
    let spreads: Vec<f64> = rows.iter().map(|r| r["half_spread_bps"].as_f64().unwrap()).collect();
    assert!(spreads.iter().all(|s| *s > 0.0 && s.is_finite()), "{spreads:?}");
    assert!(spreads.windows(2).all(|w| w[0] <= w[1]), "more risk aversion, no narrower: {spreads:?}");
}

#[test]
fn binance_capture_warms_every_estimator() {
    let out = run(&["estimate", "--replay", &data("usdm_btcusdt_20240808.gz"), "--json", "--interval", "30"]);
    let lines = json_lines(&out);
    let summary = lines.last().unwrap();
    assert_eq!(summary["venue"], "binance_usdm");
    assert_eq!(summary["trades"], 21_313);
    assert_eq!(summary["rejected_books"], 0);
    let span = summary["span_s"].as_f64().unwrap();
    assert!((340.0..350.0).contains(&span), "{span}");
    let last = &summary["last"];
    assert_eq!(last["sigma_source"], "bipower_volume_clock", "{last}");
    let sigma = last["sigma_frac_per_sqrt_s"].as_f64().unwrap();
    assert!(sigma > 1e-6 && sigma < 1e-2, "σ {sigma}");
    let kappa = last["kappa_per_frac"].as_f64().expect("κ warm");
    assert!((100.0..=50_000.0).contains(&kappa), "κ within the bounds: {kappa}");
    assert_ne!(last["kappa_source"], "none");
    assert!(summary["glft"].as_array().unwrap().iter().all(|r| r["estimates_warm"] == true));
    // The flow windows keep magnitudes.
    let buy: f64 = lines.iter().filter_map(|l| l["flow_buy_base"][0].as_f64()).sum();
    assert!(buy > 0.0);
}

#[test]
fn bad_estimate_arguments_are_refused() {
    let missing = run(&["estimate", "--replay", "/nonexistent/x.gz"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/x.gz"));
    let hl = data("hyperliquid_btcusd_20250126.gz");
    let interval = run(&["estimate", "--replay", &hl, "--interval", "0"]);
    assert_eq!(interval.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&interval.stderr).contains("--interval"));
    let coin = run(&["estimate", "--replay", &hl, "--coin", "DOGE"]);
    assert_eq!(coin.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&coin.stderr).contains("`DOGE` is not among"));
}

#[test]
fn the_running_engine_logs_a_structured_record_per_kappa_update() {
    let dir = std::env::temp_dir().join(format!("hq-kappa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("replay.toml");
    for line in ["format = \"text\"", "level = \"warn\""] {
        assert!(REPLAY_PROFILE.contains(line), "fixture drifted: {line}");
    }
    let text = REPLAY_PROFILE.replacen("format = \"text\"", "format = \"json\"", 1).replacen(
        "level = \"warn\"",
        "level = \"hyperquote::kappa=info,warn\"",
        1,
    );
    std::fs::write(&profile, text).unwrap();
    let out = run(&[
        "run",
        "--config",
        profile.to_str().unwrap(),
        "--replay",
        &data("hyperliquid_btcusd_20250126.gz"),
        "--speed",
        "max",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let records: Vec<Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "kappa update")
        .collect();
    assert!(!records.is_empty(), "no κ record: {}", String::from_utf8_lossy(&out.stderr));
    for r in &records {
        for field in ["coin", "trades_in_window", "avg_distance_bps", "kappa", "kappa_ewma"] {
            assert!(r["fields"].get(field).is_some(), "{field} missing: {r}");
        }
    }
    let summary: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    let estimator = summary["reports"].as_array().unwrap().iter().find_map(|r| r.get("estimator")).unwrap();
    assert_eq!(estimator["kappa_updates"].as_u64().unwrap() as usize, records.len(), "one record per update");
    let _ = std::fs::remove_dir_all(&dir);
}
