//! `hyperquote ctl`'s tables: the admin API's JSON answers laid out for a terminal. They read
//! the JSON loosely (a missing field prints as `-`), so a newer engine's extra fields never
//! break an older `ctl`.

use super::Target;
use serde_json::Value;
use std::fmt::Write;

fn f(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

fn num(v: &Value, key: &str, decimals: usize) -> String {
    f(v, key).map_or_else(|| "-".into(), |x| format!("{x:.decimals$}"))
}

fn signed(v: &Value, key: &str, decimals: usize) -> String {
    f(v, key).map_or_else(|| "-".into(), |x| format!("{x:+.decimals$}"))
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("-")
}

fn int(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_u64).map_or_else(|| "-".into(), |x| x.to_string())
}

/// `key = value` lines for every leaf of a JSON object (nested keys dotted).
pub fn flatten(value: &Value, prefix: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(v, &key, out);
            }
        }
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn key_values(value: &Value) -> String {
    let mut rows = Vec::new();
    flatten(value, "", &mut rows);
    aligned(&rows)
}

/// Risk limits as `risk set` spells them: account-wide keys, then `FIELD.COIN` per coin.
fn limit_rows(limits: &Value) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    flatten(&limits["account"], "", &mut rows);
    for coin in limits["coins"].as_array().into_iter().flatten() {
        let name = text(coin, "coin");
        for (field, value) in coin.as_object().into_iter().flatten().filter(|(k, _)| *k != "coin") {
            let value = if value.is_null() { "none".to_string() } else { value.to_string() };
            rows.push((format!("{field}.{name}"), value));
        }
    }
    rows
}

fn aligned(rows: &[(String, String)]) -> String {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    rows.iter().fold(String::new(), |mut s, (k, v)| {
        let _ = writeln!(s, "  {k:<width$}  {v}");
        s
    })
}

fn state_line(ts: &Value) -> String {
    let state = text(ts, "state").to_ascii_uppercase();
    format!("{state}  since {}s  ({})", num(ts, "since_start_s", 1), text(ts, "reason"))
}

pub fn status(s: &Value, target: &Target) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "engine     {}  up {} s", target.addr, num(s, "uptime_s", 1));
    let _ = writeln!(out, "trading    {}", state_line(&s["trading_state"]));
    let _ = writeln!(
        out,
        "\n{:<12} {:>12} {:>12} {:>12} {:>11} {:>11} {:>9} {:>11} {:>6}",
        "coin", "position", "avg entry", "mark", "realized", "unrealized", "fees", "net", "fills"
    );
    let coins = s["coins"].as_array().cloned().unwrap_or_default();
    for c in &coins {
        let _ = writeln!(
            out,
            "{:<12} {:>12} {:>12} {:>12} {:>11} {:>11} {:>9} {:>11} {:>6}",
            text(c, "coin"),
            signed(c, "position_base", 5),
            num(c, "avg_entry_usd", 2),
            num(c, "mark_usd", 2),
            signed(c, "realized_pnl_usd", 4),
            signed(c, "unrealized_pnl_usd", 4),
            num(c, "fees_usd", 4),
            signed(c, "net_pnl_usd", 4),
            int(c, "fills"),
        );
    }
    let t = &s["totals"];
    let _ = writeln!(
        out,
        "{:<12} {:>12} {:>12} {:>12} {:>11} {:>11} {:>9} {:>11} {:>6}",
        "total",
        "",
        "",
        "",
        signed(t, "realized_pnl_usd", 4),
        signed(t, "unrealized_pnl_usd", 4),
        num(t, "fees_usd", 4),
        signed(t, "net_pnl_usd", 4),
        int(t, "fills")
    );
    let o = &s["orders"];
    let _ = writeln!(
        out,
        "\norders     open {}  placed {}  cancelled {}  kept {}  rejected {}",
        int(o, "live_orders"),
        int(o, "placed"),
        int(o, "cancelled"),
        int(o, "kept"),
        int(o, "rejects")
    );
    let q = &s["quote"];
    let _ = writeln!(
        out,
        "quote      model {}  gamma {}/USD  params v{}  decisions {}",
        text(q, "model"),
        num(q, "gamma_per_usd", 3),
        int(q, "params_version"),
        int(q, "decisions")
    );
    let r = &s["risk"];
    let _ = writeln!(
        out,
        "risk       limits v{}  intents {}  stale coins {}  (ctl risk get: every limit)",
        int(r, "limits_version"),
        int(r, "intents"),
        int(r, "stale_coins")
    );
    let c = &s["calibration"];
    if c.is_object() {
        let _ = writeln!(
            out,
            "calibration  predictions {}  outcomes {} filled / {} unfilled  markouts {}  queue drops {}  ({})  \
             (ctl calibration: every score)",
            int(c, "predictions"),
            int(c, "outcomes_filled"),
            int(c, "outcomes_unfilled"),
            int(c, "markouts"),
            int(c, "queue_drops"),
            sample(c)
        );
        out.push_str(&alert_lines(c));
    } else {
        let _ = writeln!(out, "calibration  - (the calibration actor did not answer)");
    }
    out
}

fn sample(c: &Value) -> &'static str {
    match c["lossy"].as_bool() {
        Some(true) => "LOSSY sample",
        Some(false) => "complete sample",
        None => "sample -",
    }
}

/// A value as Rust prints it (`1`, `0.05`), for thresholds given in the config.
fn plain(v: &Value, key: &str) -> String {
    f(v, key).map_or_else(|| "-".into(), |x| x.to_string())
}

/// One `DEGRADED model prediction: metric value below threshold (n samples)` line per alert.
fn alert_lines(c: &Value) -> String {
    c["alerts"].as_array().into_iter().flatten().fold(String::new(), |mut out, a| {
        let _ = writeln!(
            out,
            "DEGRADED {} {}: {} {} below {} (n {})",
            text(a, "model"),
            text(a, "prediction"),
            text(a, "metric"),
            num(a, "value", 2),
            plain(a, "threshold"),
            int(a, "samples")
        );
        out
    })
}

/// `ctl calibration`: the sample, one row per model, then the alerts.
pub fn calibration(c: &Value, _target: &Target) -> String {
    let mut out = String::new();
    let n = &c["counts"];
    let _ = writeln!(
        out,
        "calibration  predictions {}  outcomes {} filled / {} unfilled  markouts {}  lead calls {}  open {}",
        int(n, "predictions"),
        int(n, "outcomes_filled"),
        int(n, "outcomes_unfilled"),
        int(n, "markouts"),
        int(n, "lead_calls"),
        int(n, "open_predictions")
    );
    let widen = match c["widen_enabled"].as_bool() {
        Some(true) => "on",
        Some(false) => "off",
        None => "-",
    };
    let _ = writeln!(
        out,
        "lost         queue drops {}  unmatched {} outcomes / {} markouts  evicted {}  ({})  widen on poor edge {widen}",
        int(c, "queue_drops"),
        int(n, "unmatched_outcomes"),
        int(n, "unmatched_markouts"),
        int(n, "evicted"),
        sample(c)
    );
    let _ = writeln!(
        out,
        "\n{:<20} {:>8} {:>8} {:>8} {:>7} {:>9} | {:>6} {:>6} | {:>6} {:>6} | {:>8}",
        "model", "filled", "unfilled", "brier", "skill", "fills/exp", "AS IC", "AS IR", "edge IC", "IR", "lead hit"
    );
    for m in c["models"].as_array().into_iter().flatten() {
        let (fill, brier) = (&m["fill"], &m["fill"]["brier"]);
        let (adverse, edge) = (&m["adverse_selection"], &m["edge"]);
        let _ = writeln!(
            out,
            "{:<20} {:>8} {:>8} {:>8} {:>7} {:>9} | {:>6} {:>6} | {:>6} {:>6} | {:>8}",
            text(m, "model"),
            int(fill, "filled"),
            int(fill, "unfilled"),
            num(brier, "brier", 4),
            signed(brier, "skill", 3),
            num(fill, "intensity_ratio", 2),
            signed(adverse, "ic", 2),
            signed(adverse, "ir", 1),
            signed(edge, "ic", 2),
            signed(edge, "ir", 1),
            num(&m["lead"], "hit_rate", 2),
        );
    }
    let alerts = alert_lines(c);
    if alerts.is_empty() {
        out.push_str("\nno degradation alerts\n");
    } else {
        out.push('\n');
        out.push_str(&alerts);
    }
    out
}

fn us(p: &Value, key: &str) -> String {
    f(p, key).map_or_else(|| "-".into(), |ns| format!("{:.1}", ns / 1000.0))
}

pub fn latency(l: &Value, _target: &Target) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12} {:>9} | {:>9} {:>9} | {:>9} {:>9} {:>9} {:>9} {:>9}   (µs)",
        "actor", "messages", "wait p50", "wait p99", "svc p50", "svc p90", "svc p99", "svc p99.9", "svc max"
    );
    for a in l["actors"].as_array().cloned().unwrap_or_default() {
        let (q, s) = (&a["queue_wait"], &a["service"]);
        let _ = writeln!(
            out,
            "{:<12} {:>9} | {:>9} {:>9} | {:>9} {:>9} {:>9} {:>9} {:>9}",
            text(&a, "actor"),
            int(s, "count"),
            us(q, "p50_ns"),
            us(q, "p99_ns"),
            us(s, "p50_ns"),
            us(s, "p90_ns"),
            us(s, "p99_ns"),
            us(s, "p999_ns"),
            us(s, "max_ns"),
        );
    }
    let t = &l["tick_to_order"];
    if t.is_object() {
        let _ = writeln!(
            out,
            "\ntick-to-order  n {}  p50 {}  p90 {}  p99 {}  p99.9 {}  max {} µs",
            int(t, "count"),
            us(t, "p50_ns"),
            us(t, "p90_ns"),
            us(t, "p99_ns"),
            us(t, "p999_ns"),
            us(t, "max_ns")
        );
    }
    let _ = writeln!(out, "\n{:<12} {:>10} {:>9} {:>10} {:>8}", "queue", "sent", "dropped", "coalesced", "stalls");
    for q in l["queues"].as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            out,
            "{:<12} {:>10} {:>9} {:>10} {:>8}",
            text(&q, "actor"),
            int(&q, "sent"),
            int(&q, "dropped"),
            int(&q, "coalesced"),
            int(&q, "stalls")
        );
    }
    for i in l["inboxes"].as_array().cloned().unwrap_or_default() {
        let _ = writeln!(out, "inbox {:<16} {} / {}", text(&i, "thread"), int(&i, "depth"), int(&i, "capacity"));
    }
    out
}

pub fn risk_limits(r: &Value, _target: &Target) -> String {
    format!(
        "risk limits v{} (change with `ctl risk set KEY=VALUE ...`)\n{}",
        int(r, "version"),
        aligned(&limit_rows(&r["limits"]))
    )
}

pub fn params(p: &Value, _target: &Target) -> String {
    let mut rest = p.clone();
    if let Some(map) = rest.as_object_mut() {
        map.remove("version");
    }
    format!(
        "quote parameters v{} (change with `ctl params set KEY=VALUE ...`)\n{}",
        int(p, "version"),
        key_values(&rest)
    )
}

pub fn applied(a: &Value, _target: &Target) -> String {
    format!("applied: version {}\n", int(a, "version"))
}

pub fn trading_state(a: &Value, _target: &Target) -> String {
    let changed = if a["changed"].as_bool() == Some(true) { "now" } else { "already" };
    format!("{changed} {}\n", state_line(&a["trading_state"]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_limits_flatten_to_dotted_keys_and_missing_fields_print_as_dashes() {
        let mut rows = Vec::new();
        flatten(&json!({"a": 1, "b": {"c": "x", "d": null}}), "", &mut rows);
        let expected = [("a", "1"), ("b.c", "x"), ("b.d", "null")].map(|(k, v)| (k.to_string(), v.to_string()));
        assert_eq!(rows, expected);
        let target = Target { addr: "127.0.0.1:1".into(), token: None };
        let table = status(&json!({"coins": [{"coin": "BTC", "position_base": 0.5}]}), &target);
        assert!(table.contains("BTC") && table.contains("+0.50000") && table.contains(" - "), "{table}");
        let t = trading_state(
            &json!({"changed": true, "trading_state": {"state": "halted", "since_start_s": 2.0, "reason": "op"}}),
            &target,
        );
        assert_eq!(t, "now HALTED  since 2.0s  (op)\n");
        let limits = json!({"version": 3, "limits": {"account": {"max_open_orders": 10}, "coins": [{"coin": "BTC", "max_position_base": 0.5, "max_order_usd": null}]}});
        let table = risk_limits(&limits, &target);
        assert!(table.starts_with("risk limits v3"), "{table}");
        for row in ["max_open_orders        10", "max_position_base.BTC  0.5", "max_order_usd.BTC      none"] {
            assert!(table.contains(row), "`{row}` missing:\n{table}");
        }
    }

    #[test]
    fn calibration_shows_in_the_status_and_per_model_with_its_alerts() {
        let report = serde_json::to_value(crate::admin::views::tests::calibration_report()).unwrap();
        let target = Target { addr: "127.0.0.1:1".into(), token: None };
        let alert = "DEGRADED glft adverse_selection: information_ratio 0.42 below 1 (n 57)\n";

        let state = json!({ "calibration": crate::admin::views::CalibrationStatus::of(
            &crate::admin::views::tests::calibration_report()
        ) });
        let table = status(&state, &target);
        let line = table.lines().find(|l| l.starts_with("calibration")).unwrap_or_else(|| panic!("{table}"));
        for part in ["predictions 110", "12 filled / 92 unfilled", "markouts 57", "queue drops 7", "LOSSY sample"] {
            assert!(line.contains(part), "`{part}` missing: {line}");
        }
        assert!(table.ends_with(alert), "{table}");
        let table = status(&json!({ "calibration": null }), &target);
        assert!(table.contains("calibration  - (the calibration actor did not answer)"), "{table}");

        let table = calibration(&report, &target);
        let row = |model: &str| {
            table.lines().find(|l| l.starts_with(&format!("{model} "))).unwrap_or_else(|| panic!("{model}:\n{table}"))
        };
        let glft: Vec<&str> = row("glft").split_whitespace().filter(|c| *c != "|").collect();
        assert_eq!(glft, ["glft", "12", "88", "0.0900", "+0.150", "0.80", "+0.06", "+0.4", "+0.30", "+2.2", "0.75"]);
        let cold: Vec<&str> = row("static").split_whitespace().filter(|c| *c != "|").collect();
        assert_eq!(cold, ["static", "0", "4", "-", "-", "-", "-", "-", "-", "-", "-"]);
        assert!(table.contains("queue drops 7") && table.contains("LOSSY sample"), "{table}");
        assert!(table.ends_with(alert), "{table}");
        let mut quiet = report.clone();
        quiet["alerts"] = json!([]);
        assert!(calibration(&quiet, &target).ends_with("no degradation alerts\n"));
    }
}
