//! `hyperquote backtest` end to end: the chosen model and the static baseline on the same
//! synthetic market, their results and differences, the same numbers when run again, and bad
//! arguments refused with the reason.

use serde_json::Value;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hyperquote");
const CAPTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");

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
        // Sampled every simulated second of the three minutes.
        let intervals = run["equity"]["intervals"].as_u64().unwrap();
        assert!((179..=181).contains(&intervals), "{intervals}");
        let inventory = run["inventory"].as_array().unwrap();
        assert_eq!(inventory.len(), 2, "both coins");
        assert_eq!(inventory[0]["inventory"]["samples"].as_u64(), Some(intervals + 1));
        // The parts add up to the net (realized + unrealized − fees + funding).
        let p = &run["pnl"];
        let parts = f(&p["realized_usd"]) + f(&p["unrealized_usd"]) - f(&p["fees_usd"]) + f(&p["funding_usd"]);
        assert!((parts - f(&p["net_usd"])).abs() < 1e-6, "{p}");
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
    assert_eq!(report["model"]["inventory"].as_array().map(Vec::len), Some(2));
    // Without --json: the side-by-side table.
    let out = Command::new(BIN).args(["backtest", "--replay", CAPTURE]).output().expect("binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("static (baseline)"), "{text}");
    assert!(text.contains("difference (model − baseline): net PnL"), "{text}");
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
