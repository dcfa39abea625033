//! `hyperquote model …` and `hyperquote sim as-paper` end to end: GLFT against a hand
//! computation, every model's symmetry when flat and its lean when long, the paper's Monte
//! Carlo as JSON, and refusal of bad flags with the flag named.

use serde_json::Value;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_hyperquote");
/// σ, A, κ, γ of the liquid-major examples in the models' tests.
const MARKET: [&str; 8] = ["--sigma", "2e-4", "--a", "0.5", "--kappa", "2000", "--gamma", "50"];

/// Each model's subcommand and its own flags.
const MODELS: [(&str, &[&str]); 7] = [
    ("glft", &[]),
    ("glft-exact", &["--horizon", "300", "--qmax", "10"]),
    ("as", &["--horizon", "60"]),
    ("as", &["--omega", "0.02"]),
    ("ho-stoll", &["--horizon", "60"]),
    ("cj", &["--horizon", "300", "--qmax", "10"]),
    ("static", &["--half-spread-bps", "2.5", "--skew-bps-per-lot", "0.5"]),
];

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("binary runs")
}

/// `hyperquote model <model> MARKET <extra> --q <q> <more> --json` as JSON.
fn model(name: &str, extra: &[&str], q: &str, more: &[&str]) -> Value {
    let mut args = vec!["model", name];
    args.extend(MARKET);
    args.extend(extra);
    args.extend(["--q", q, "--json"]);
    args.extend(more);
    let out = run(&args);
    assert!(out.status.success(), "{args:?}: exit {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{args:?}: not one JSON object ({e}): {text}"))
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("no number {key}: {v}"))
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-12 * want.abs()
}

#[test]
fn glft_matches_a_hand_computation_with_and_without_delta() {
    // γ = 50, κ = 2000, A = 0.5, σ = 2e−4, q = 2, Δ = 1:
    //   c1 = ln(1 + 50/2000)/50 = 0.024692612590371414/50 = 4.938522518074282e−4
    //   c2 = sqrt(50/(2·0.5·1·2000) · 1.025^(2000/50 + 1)) = sqrt(0.025 · 2.7521904343497123)
    //      = sqrt(0.0688047608587428) = 0.26230661611698397;  σ·c2 = 5.2461323223396796e−5
    //   δb = c1 + ((2·2 + 1)/2)·σc2 = c1 + 2.5·σc2 = 6.250055598659202e−4
    //   δa = c1 − ((2·2 − 1)/2)·σc2 = c1 − 1.5·σc2 = 4.1516026697233305e−4
    //   half spread c1 + σc2/2 = 5.200829134191266e−4; skew −q·σc2 = −1.0492264644679359e−4
    let got = model("glft", &[], "2", &[]);
    assert!(close(num(&got, "bid_depth"), 6.250055598659202e-4), "{got}");
    assert!(close(num(&got, "ask_depth"), 4.1516026697233305e-4), "{got}");
    assert!(close(num(&got, "half_spread"), 5.200829134191266e-4), "{got}");
    assert!(close(num(&got, "skew"), -1.0492264644679359e-4), "{got}");
    assert!(close(num(&got, "skew_per_unit_q"), 5.2461323223396796e-5), "{got}");
    assert!(close(num(&got, "spread_term"), 4.938522518074282e-4), "{got}");
    // Δ = 0.5, q = 1 (two lots), γ = 50 per (δ · unit of size), Guéant's Δ form, ξΔ = γΔ = 25:
    //   c1 = ln(1 + 25/2000)/25 = 0.01242251999855711/25 = 4.969007999422844e−4
    //   c2 = sqrt(50/(2·0.5·0.5·2000) · 1.0125^(2000/25 + 1)) = sqrt(0.05 · 2.735253502512744)
    //      = 0.3698143792845773;  σ·c2 = 7.396287585691546e−5 per unit of q
    //   δb = c1 + ((2·1 + 0.5)/2)·σc2 = c1 + 1.25·σc2 = 5.893543947634287e−4
    //   δa = c1 − ((2·1 − 0.5)/2)·σc2 = c1 − 0.75·σc2 = 4.414286430495978e−4
    let got = model("glft", &[], "1", &["--delta", "0.5"]);
    assert!(close(num(&got, "bid_depth"), 5.893543947634287e-4), "{got}");
    assert!(close(num(&got, "ask_depth"), 4.414286430495978e-4), "{got}");
    assert!(close(num(&got, "skew_per_unit_q"), 7.396287585691546e-5), "{got}");
    assert!(close(num(&got, "skew"), -7.396287585691546e-5), "{got}");
    assert_eq!((num(&got, "q_lots"), num(&got, "gamma_per_lot")), (2.0, 25.0));
}

#[test]
fn every_model_is_symmetric_when_flat() {
    for (name, extra) in MODELS {
        let got = model(name, extra, "0", &[]);
        let (bid, ask) = (num(&got, "bid_depth"), num(&got, "ask_depth"));
        assert!(bid > 0.0 && (bid - ask).abs() <= 1e-12 * bid, "{name} {extra:?}: {got}");
        assert!(num(&got, "skew").abs() <= 1e-12 * bid, "{name} {extra:?}: {got}");
    }
}

#[test]
fn every_model_leans_against_its_inventory() {
    for (name, extra) in MODELS {
        // --qmax is in the unit of q: 10 lots of Δ = 0.002 are 0.02.
        let in_small_lots: Vec<&str> = extra.iter().map(|&a| if a == "10" { "0.02" } else { a }).collect();
        for (q, extra, more) in [("2", extra, &[][..]), ("0.004", &in_small_lots[..], &["--delta", "0.002"][..])] {
            let got = model(name, extra, q, more);
            // Long: the centre moves below the mid, the bid away and the ask in.
            assert!(num(&got, "skew") < 0.0, "{name} {extra:?} q {q}: {got}");
            assert!(num(&got, "bid_depth") > num(&got, "ask_depth"), "{name} {extra:?} q {q}: {got}");
        }
        // Short (a negative value in exponent notation is a value, not a flag): the mirror image.
        let (long, short) = (model(name, extra, "2", &[]), model(name, extra, "-2e0", &[]));
        assert!(num(&short, "skew") > 0.0, "{name} {extra:?}: {short}");
        assert!((num(&short, "bid_depth") - num(&long, "ask_depth")).abs() <= 1e-12 * num(&long, "ask_depth"));
    }
}

#[test]
fn as_paper_rows_come_back_as_json() {
    let out = run(&["sim", "as-paper", "--paths", "200", "--seed", "1", "--json"]);
    assert!(out.status.success(), "exit {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!((report["paths"].as_u64(), report["seed"].as_u64()), (Some(200), Some(1)));
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 8, "{report}");
    let row = |gamma: f64, strategy: &str| {
        rows.iter().find(|r| r["gamma"].as_f64() == Some(gamma) && r["strategy"] == strategy).expect("row")
    };
    assert!(num(row(0.1, "inventory"), "std_profit") < num(row(0.1, "symmetric"), "std_profit"), "{report}");
    // The paper has γ = 0.1, 0.01 and 1; γ = 0.5 is ours alone.
    assert_eq!(rows.iter().filter(|r| r["published"].is_object()).count(), 6);
    assert!(row(0.5, "inventory")["published"].is_null());
    assert_eq!(num(&row(1.0, "symmetric")["published"], "std_profit"), 11.0);
}

#[test]
fn bad_flags_exit_2_with_the_flag_named() {
    let refused = |args: &[&str], flag: &str| {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {flag} not named in {stderr}");
    };
    refused(&["model", "glft", "--sigma", "2e-4", "--a", "0.5", "--gamma", "50", "--q", "1"], "--kappa");
    refused(
        &["model", "glft", "--sigma", "2e-4", "--a", "0.5", "--kappa", "2000", "--gamma", "-1", "--q", "1"],
        "--gamma",
    );
    let mut no_qmax = vec!["model", "glft-exact"];
    no_qmax.extend(MARKET);
    no_qmax.extend(["--q", "1", "--horizon", "300"]);
    refused(&no_qmax, "--qmax");
    let mut fractional = no_qmax.clone();
    fractional.extend(["--qmax", "2.5"]);
    refused(&fractional, "--qmax");
    refused(&["sim", "as-paper", "--paths", "1"], "--paths");
}
