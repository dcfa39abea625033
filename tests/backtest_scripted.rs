//! A scripted market whose fills and PnL are known by hand, backtested end to end through
//! the whole engine (the same actors, the simulated exchange, the backtest's accounting).
//!
//! The market: BTC's book stands still at 99 999 / 100 001 (mid 100 000) with a book every
//! 250 ms for 6 s. The static model quotes one level a side at ±10 bps: bid 99 900, ask
//! 100 100, 0.001 BTC each, with zero latency (orders rest as soon as they are sent). At 2 s
//! a seller prints 0.5 BTC at 99 900, at 4 s a buyer 0.5 BTC at 100 100 (the first trades
//! frame, at 0.1 s, is the venue's replay of older trades and is not played). Nothing else
//! rests at those prices (the book shows every level), so each print fills our order whole:
//!
//! - buy 0.001 @ 99 900, sell 0.001 @ 100 100: realized (100 100 − 99 900) · 0.001 = 0.2 USD;
//! - maker fees 1.5 bps: 99.9 · 0.00015 + 100.1 · 0.00015 = 0.03 USD;
//! - net 0.17 USD, flat at the end; spread captured 0.1 + 0.1 = 0.2 USD against the mid.

use hyperquote::overrides::{apply, parse_axis};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hyperquote");
const MS: u64 = 1_000_000;
/// Receive time of the first frame, ns (2026-01-01T00:00:00Z).
const T0_NS: u64 = 1_767_225_600_000 * MS;

fn book_frame(t_ms: u64) -> String {
    format!(
        r#"{{"channel":"l2Book","data":{{"coin":"BTC","time":{},"levels":[[{{"px":"99999","sz":"1","n":1}},{{"px":"99998","sz":"2","n":2}}],[{{"px":"100001","sz":"1","n":1}},{{"px":"100002","sz":"2","n":2}}]]}}}}"#,
        T0_NS / MS + t_ms
    )
}

fn trade_frame(t_ms: u64, side: &str, px: &str, tid: u64) -> String {
    format!(
        r#"{{"channel":"trades","data":[{{"coin":"BTC","side":"{side}","px":"{px}","sz":"0.5","time":{},"hash":"0x0000000000000000000000000000000000000000000000000000000000000000","tid":{tid}}}]}}"#,
        T0_NS / MS + t_ms
    )
}

/// The scripted recording, `<local_ns> <frame>` lines in time order.
fn recording() -> String {
    let mut frames: Vec<(u64, String)> = (0..=24).map(|i| (250 * i, book_frame(250 * i))).collect();
    frames.push((100, trade_frame(100, "A", "99000", 1)));
    frames.push((2_000, trade_frame(2_000, "A", "99900", 2)));
    frames.push((4_000, trade_frame(4_000, "B", "100100", 3)));
    frames.sort_by_key(|(t, _)| *t);
    frames.iter().map(|(t_ms, frame)| format!("{} {frame}\n", T0_NS + t_ms * MS)).collect()
}

/// The embedded replay profile, BTC only, quoting one static level a side at zero latency.
fn scripted_config() -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/replay.toml")).unwrap();
    let mut table: toml::Table = text.parse().unwrap();
    let markets = table["markets"].as_array().unwrap()[..1].to_vec();
    table.insert("markets".into(), toml::Value::Array(markets));
    for o in [
        "quote.model=static",
        "quote.static_spread.half_spread_bps=10.0",
        "quote.static_spread.inventory_skew_bps_per_lot=0.0",
        "quote.construction.levels.levels_per_side=1",
        "markets.0.order_size_base=0.001",
        "venue.sim.order_latency_ms=0.0",
        "venue.sim.cancel_latency_ms=0.0",
        "venue.sim.response_latency_ms=0.0",
        "venue.dead_mans_switch.enabled=false",
    ] {
        apply(&mut table, &parse_axis(o).unwrap()[0]).unwrap();
    }
    toml::to_string(&table).unwrap()
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hq-scripted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn backtest(dir: &Path) -> Value {
    let (market, config) = (dir.join("market.txt"), dir.join("scripted.toml"));
    std::fs::write(&market, recording()).unwrap();
    std::fs::write(&config, scripted_config()).unwrap();
    let out = Command::new(BIN)
        .args(["backtest", "--json", "--model", "static", "--replay"])
        .arg(&market)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("binary runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

#[test]
fn the_engine_fills_and_books_exactly_what_the_script_says() {
    let dir = scratch();
    let report = backtest(&dir);
    for run in [&report["model"], &report["baseline"]] {
        assert_eq!(run["fills"], 2, "{run}");
        assert_eq!((run["sides"][0]["fills"].as_u64(), run["sides"][1]["fills"].as_u64()), (Some(1), Some(1)));
        let p = &run["pnl"];
        assert!(close(&p["realized_usd"], 0.2), "{p}");
        assert!(close(&p["unrealized_usd"], 0.0), "{p}");
        assert!(close(&p["fees_usd"], 0.03), "{p}");
        assert!(close(&p["net_usd"], 0.17), "{p}");
        assert!(close(&p["spread_capture_usd"], 0.2), "{p}");
        assert!(close(&run["volume_usd"], 200.0), "{run}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
