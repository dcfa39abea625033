//! `construct` end to end: hand-computed ladders for each step acting alone.

use super::*;
use crate::estimator::ReferenceParams;
use crate::quote::{QuoteLevel, TargetLadder};
use crate::types::{CoinId, Price, Qty};

fn btc() -> Instrument {
    Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 }
}

/// BTC at 99999 / 100001, mid 100000, every estimator cold.
fn market() -> MarketParams {
    MarketParams::cold(CoinId(3), Price::from_f64(99_999.0), Price::from_f64(100_001.0), 100_000.0, 100_000.0)
}

fn inv(position: f64) -> InventoryInputs {
    InventoryInputs {
        position: Qty::from_f64(position),
        order_size: Qty::from_f64(0.001),
        max_position: Qty::from_f64(0.01),
    }
}

/// A model long two lots: bid 5 bps, ask 3 bps from the mid, centre 1 bp below it, so 4 bps
/// either side of its centre (GLFT's shape: δb − δa = 2·q·σ·c2).
fn model_run(bid_bps: f64, ask_bps: f64, offset_bps: f64) -> ModelRun {
    ModelRun {
        name: "glft",
        inputs: ModelInputs {
            sigma_frac_per_sqrt_s: 2e-4,
            kappa_per_frac: 2_500.0,
            a_per_s: 0.8,
            gamma_per_frac_lot: 0.1,
            inventory_lots: 2.0,
            drift_frac_per_s: 0.0,
        },
        quote: ModelQuote {
            bid_depth_frac: bid_bps * 1e-4,
            ask_depth_frac: ask_bps * 1e-4,
            spread_term_frac: 3e-4,
            reservation_offset_frac: offset_bps * 1e-4,
        },
    }
}

fn long_model() -> ModelRun {
    model_run(5.0, 3.0, -1.0)
}

fn prices(levels: &[QuoteLevel]) -> Vec<f64> {
    levels.iter().map(|l| l.px.to_f64()).collect()
}

fn run(
    model: &ModelRun,
    market: &MarketParams,
    position: f64,
    config: &QuoteConstructionConfig,
) -> (TargetLadder, QuoteDecision) {
    config.validate().unwrap();
    let mut out = TargetLadder::empty(CoinId(0));
    let d = construct(model, market, &inv(position), &btc(), config, [0.0; 2], &mut out);
    (out, d)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn with_nothing_else_acting_the_ladder_is_the_models_quote() {
    let (out, d) = run(&long_model(), &market(), 0.002, &QuoteConstructionConfig::default());
    // Centre 100000·(1 − 1e-4) = 99990; ± 4 bps of the mid ($40): 99950 / 100030,
    // = 100000·(1 − 5e-4) and 100000·(1 + 3e-4), the model's own quotes.
    assert_eq!(out.coin, CoinId(3));
    assert_eq!((prices(&out.bids), prices(&out.asks)), (vec![99_950.0], vec![100_030.0]));
    assert_eq!(out.bids[0].qty, Qty::from_f64(0.001));
    assert_eq!(d.status, QuoteStatus::Quoted);
    assert_eq!((d.model, d.kappa_per_frac, d.inventory_lots), ("glft", 2_500.0, 2.0));
    // Base 1.5 bps (the maker fee), vol 4 − 1.5 = 2.5, no toxicity.
    assert!(close(d.half_spread.base_bps, 1.5) && close(d.half_spread.bid.vol_bps, 2.5));
    assert!(close(d.half_spread.bid.total_bps, 4.0) && close(d.half_spread.ask.total_bps, 4.0));
    assert!(close(d.half_spread.inventory_bps, -1.0) && close(d.skew.inventory_skew_bps, -1.0));
    assert!(close(d.skew.total_skew_bps, -1.0));
    assert_eq!((d.bid.best_px_usd, d.ask.best_px_usd), (Some(99_950.0), Some(100_030.0)));
    assert_eq!((d.bid.levels, d.ask.levels, d.bid.dropped_levels), (1, 1, 0));
    assert!(!d.inventory_first && d.rebalance.is_none());
}

#[test]
fn buy_pressure_lifts_both_quotes() {
    let mut config = QuoteConstructionConfig::default();
    config.skew.imbalance_bps_per_unit = 2.0;
    let mut m = market();
    // Bid depth heavier: I = 0.5 → +1 bp → the centre moves from 99990 to 100000.
    m.book.depth_imbalance = 0.5;
    let (out, d) = run(&long_model(), &m, 0.002, &config);
    assert!(close(d.skew.imbalance_skew_bps, 1.0) && close(d.skew.total_skew_bps, 0.0));
    assert_eq!((prices(&out.bids), prices(&out.asks)), (vec![99_960.0], vec![100_040.0]));
    // And selling pressure lowers them by as much.
    m.book.depth_imbalance = -0.5;
    let (out, _) = run(&long_model(), &m, 0.002, &config);
    assert_eq!((prices(&out.bids), prices(&out.asks)), (vec![99_940.0], vec![100_020.0]));
}

/// The selling market of toxicity.rs: bid score 0.67 → widened 1.36 bps; ask 0.2.
fn selling() -> MarketParams {
    let mut m = market();
    super::toxicity::lean_on_the_bid(&mut m);
    m
}

#[test]
fn a_toxic_side_is_widened_then_gated() {
    let (out, d) = run(&long_model(), &selling(), 0.002, &QuoteConstructionConfig::default());
    assert!(close(d.bid.toxicity.widen_bps, 1.36) && close(d.half_spread.bid.toxicity_bps, 1.36));
    // Bid: 100000·(1 − (1 + 4 + 1.36)·1e-4) = 99936.4 → 99936. The ask is untouched.
    assert_eq!((prices(&out.bids), prices(&out.asks)), (vec![99_936.0], vec![100_030.0]));
    let mut config = QuoteConstructionConfig::default();
    config.toxicity.gate_threshold = 0.6;
    let (out, d) = run(&long_model(), &selling(), 0.002, &config);
    assert!(d.bid.toxicity.gated && out.bids.is_empty() && d.bid.best_px_usd.is_none());
    assert_eq!(prices(&out.asks), vec![100_030.0]);
}

#[test]
fn a_side_the_model_refuses_is_not_quoted() {
    let mut model = long_model();
    model.quote.ask_depth_frac = f64::INFINITY;
    let (out, d) = run(&model, &market(), 0.002, &QuoteConstructionConfig::default());
    assert!(d.ask.model_refused && out.asks.is_empty());
    // The bid's half spread is δb + o = 5 − 1 = 4 bps around the same centre: 99950.
    assert_eq!(prices(&out.bids), vec![99_950.0]);
}

#[test]
fn past_the_soft_limit_only_the_reducing_side_and_past_the_hard_limit_a_rebalance() {
    let mut config = QuoteConstructionConfig::default();
    config.levels.rebalance_enabled = true;
    let (out, d) = run(&long_model(), &market(), 0.009, &config);
    assert!(d.inventory_first && d.bid.inventory_blocked && out.bids.is_empty());
    assert_eq!(out.asks.len(), 1);
    assert_eq!(d.rebalance, None, "0.009 is under the hard limit 0.01");
    let (out, d) = run(&long_model(), &market(), 0.012, &config);
    assert!(out.bids.is_empty());
    // Back to the soft limit: 0.012 − 0.8·0.01 = 0.004, sold.
    assert_eq!(d.rebalance, Some(RebalanceRequest { side: Side::Ask, qty: Qty::from_f64(0.004) }));
}

#[test]
fn quotes_never_cross_the_touch_or_each_other() {
    // The reference led by 5 bps: the centre moves to 100050, the raw bid (≈ 100035) crosses
    // the 100001 ask and is clamped to 100000, the largest valid price below it.
    let mut config = QuoteConstructionConfig::default();
    config.skew.lead_coef = 1.0;
    config.skew.lead_cap_bps = 10.0;
    let mut m = market();
    m.reference =
        Some(ReferenceParams { mid_usd: 100_050.0, lead_bps: Some(5.0), basis_bps: 5.0, basis_ewma_bps: None });
    let (out, _) = run(&model_run(0.5, 0.5, 0.0), &m, 0.0, &config);
    // The model's 0.5 bp is under the 1.5 bp fee floor: ask at 100000·(1 + (5 + 1.5)·1e-4).
    assert_eq!((prices(&out.bids), prices(&out.asks)), (vec![100_000.0], vec![100_065.0]));
    // A spread below one price unit: bid and ask round to the same 100000; the ask is kept
    // strictly above our own bid.
    let config = QuoteConstructionConfig {
        half_spread: HalfSpreadConfig { maker_fee_bps: -0.2, min_edge_bps: 0.2, min_spread_bps: 1e-10 },
        ..QuoteConstructionConfig::default()
    };
    let (out, _) = run(&model_run(0.0, 0.0, 0.0), &market(), 0.0, &config);
    assert_eq!((prices(&out.bids), prices(&out.asks)), (vec![100_000.0], vec![100_001.0]));
}

#[test]
fn an_unusable_market_or_model_quotes_nothing_and_says_why() {
    let config = QuoteConstructionConfig::default();
    let mut m = market();
    m.mid_usd = f64::NAN;
    let (out, d) = run(&long_model(), &m, 0.0, &config);
    assert_eq!((d.status, out.level_count(), out.coin), (QuoteStatus::NoMarket, 0, CoinId(3)));
    let crossed =
        MarketParams::cold(CoinId(3), Price::from_f64(100_001.0), Price::from_f64(100_001.0), 100_001.0, 100_001.0);
    assert_eq!(run(&long_model(), &crossed, 0.0, &config).1.status, QuoteStatus::NoMarket);
    for bad in [f64::NAN, f64::NEG_INFINITY] {
        let mut model = long_model();
        model.quote.bid_depth_frac = bad;
        let (out, d) = run(&model, &market(), 0.0, &config);
        assert_eq!((d.status, out.level_count()), (QuoteStatus::BadModelQuote, 0));
    }
    let mut model = long_model();
    model.quote.reservation_offset_frac = f64::INFINITY;
    assert_eq!(run(&model, &market(), 0.0, &config).1.status, QuoteStatus::BadModelQuote);
}

#[test]
fn config_is_validated_by_field_and_read_with_defaults() {
    assert!(QuoteConstructionConfig::default().validate().is_ok());
    let mut c = QuoteConstructionConfig::default();
    c.levels.levels_per_side = 0;
    let e = c.validate().unwrap_err();
    assert_eq!(e.to_string(), "quote_construction.levels.levels_per_side must be 1..=MAX_LADDER_LEVELS (8), got 0");
    let partial: QuoteConstructionConfig =
        serde_json::from_str(r#"{"skew":{"lead_coef":0.5},"levels":{"levels_per_side":3}}"#).unwrap();
    assert_eq!((partial.skew.lead_coef, partial.levels.levels_per_side), (0.5, 3));
    assert_eq!(partial.half_spread, HalfSpreadConfig::default());
    assert!(serde_json::from_str::<QuoteConstructionConfig>(r#"{"skew":{"lead_coeff":0.5}}"#).is_err());
    assert!(serde_json::from_str::<QuoteConstructionConfig>(r#"{"ladder":{}}"#).is_err());
}
