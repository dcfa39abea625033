//! `hyperquote record` against the loopback mock server writes a recording that
//! `hyperquote run --replay` plays back: the recorder's output is the replay's input.

use actors::venues::hyperliquid::mock_server::{MockConfig, MockHyperliquid, MockRecording, ReplaySpeed};
use serde_json::Value;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hyperquote");
const CAPTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");

fn last_json(stdout: &[u8]) -> Value {
    let text = String::from_utf8_lossy(stdout);
    serde_json::from_str(text.lines().last().unwrap_or("")).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn record_from_the_mock_then_replay_the_file() {
    let mock = MockHyperliquid::start(
        MockConfig::new(MockRecording::from_file(CAPTURE).unwrap()).speed(ReplaySpeed::Times(20.0)),
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("hq-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("btc.zst");
    let rec = Command::new(BIN)
        .args(["record", "--coin", "BTC", "--url", &mock.ws_url(), "--duration", "2", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(rec.status.success(), "{}", String::from_utf8_lossy(&rec.stderr));
    let summary = last_json(&rec.stdout);
    let written = summary["frames_written"].as_u64().unwrap();
    assert!(written > 30, "2 s of a 20× replay: {summary}");
    assert_eq!(summary["frames_dropped"], 0);
    assert_eq!(summary["connection"]["connects"], 1);

    let replay = Command::new(BIN).args(["run", "--speed", "max", "--json", "--replay"]).arg(&out).output().unwrap();
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));
    let s = last_json(&replay.stdout);
    let venue = s["reports"].as_array().unwrap().iter().find_map(|r| r.get("venue")).unwrap();
    assert_eq!(venue["source"]["frames"].as_u64(), Some(written), "every recorded frame replayed: {venue}");
    assert_eq!(venue["source"]["bad_frames"], 0);
    let feed = s["reports"].as_array().unwrap().iter().find_map(|r| r.get("feed")).unwrap();
    assert!(feed["books"].as_u64().unwrap() > 20, "{feed}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn record_refuses_bad_arguments() {
    let out = Command::new(BIN).args(["record", "--out", "/tmp/x.gz"]).output().unwrap();
    assert!(!out.status.success(), "--coin is required");
    let out = Command::new(BIN).args(["record", "--coin", "BTC", "--out", "/nonexistent/dir/x.gz"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/dir/x.gz"));
}
