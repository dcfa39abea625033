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
}
