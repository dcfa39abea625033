//! Property test: for random instruments, books, signals, inventories, model quotes and
//! (valid) configs, every level `construct` emits obeys Hyperliquid's rules — checked here by
//! an independent reading of the rules on the decimal string, not by `Instrument` — never
//! touches the opposite side of the book or our own, is strictly ordered, fits the headroom,
//! honours inventory-first and the minimum spread, and agrees with the decision record.

use super::*;
use crate::estimator::{FlowWindow, OfiWindow, ReferenceParams, VolRegimeLabel};
use crate::quote::{QuoteLevel, TargetLadder};
use crate::types::{CoinId, Price, Qty, FIXED_SCALE};
use proptest::prelude::*;

/// Hyperliquid's perp price rule read off the decimal string (Display drops trailing zeros):
/// an integer is always valid; otherwise ≤ 6 − szDecimals decimals and ≤ 5 significant
/// figures (leading zeros not counted).
fn is_hl_price(px: Price, sz_decimals: u32) -> bool {
    if px.units() <= 0 {
        return false;
    }
    let text = px.to_string();
    match text.split_once('.') {
        None => true,
        Some((int, frac)) => {
            let digits = format!("{int}{frac}");
            let significant = digits.trim_start_matches('0').len();
            frac.len() as u32 <= 6 - sz_decimals && significant <= 5
        }
    }
}

/// A size is positive with at most szDecimals decimals.
fn is_hl_size(qty: Qty, sz_decimals: u32) -> bool {
    qty.units() > 0 && qty.to_string().split_once('.').is_none_or(|(_, frac)| frac.len() as u32 <= sz_decimals)
}

/// Notional ≥ $10, exactly: px·qty in 1e-16 USD.
fn meets_ten_usd(level: &QuoteLevel) -> bool {
    i128::from(level.px.units()) * i128::from(level.qty.units())
        >= 10 * i128::from(FIXED_SCALE) * i128::from(FIXED_SCALE)
}

#[derive(Debug, Clone)]
struct Case {
    sz_decimals: u32,
    mid_exp: f64,
    spread_ticks: i64,
    bid_bps: f64,
    ask_bps: f64,
    offset_bps: f64,
    refuse: u8,
    order_usd: f64,
    max_orders: f64,
    position_frac: f64,
    signals: [f64; 6],
    flow_trades: u32,
    stressed: bool,
    config: QuoteConstructionConfig,
}

fn config_strategy() -> impl Strategy<Value = QuoteConstructionConfig> {
    (
        (-0.3f64..3.0, 0.0f64..2.0, 0.01f64..5.0),
        prop::array::uniform4(0.0f64..5.0),
        prop::array::uniform4(0.0f64..20.0),
        (0.0f64..0.9, 0.01f64..0.4, 0.0f64..10.0),
        (1usize..=8, 0.0f64..5.0, 0.1f64..=1.0, 0.0f64..0.5, any::<bool>()),
    )
        .prop_map(|(fee, coefs, caps, tox, lv)| {
            let mut c = QuoteConstructionConfig {
                half_spread: HalfSpreadConfig {
                    maker_fee_bps: fee.0,
                    // A floor ≥ 0: edge ≥ −fee.
                    min_edge_bps: (-fee.0).max(0.0) + fee.1,
                    min_spread_bps: fee.2,
                },
                ..QuoteConstructionConfig::default()
            };
            c.skew.inventory_coef = coefs[0];
            c.skew.imbalance_bps_per_unit = coefs[1];
            c.skew.flow_bps_per_unit = coefs[2];
            c.skew.lead_coef = coefs[3];
            c.skew.inventory_cap_bps = caps[0];
            c.skew.imbalance_cap_bps = caps[1];
            c.skew.flow_cap_bps = caps[2];
            c.skew.lead_cap_bps = caps[3];
            c.toxicity.widen_threshold = tox.0;
            c.toxicity.gate_threshold = tox.0 + tox.1 + 0.3;
            c.toxicity.widen_max_bps = tox.2;
            c.levels = LevelsConfig {
                levels_per_side: lv.0,
                level_spacing_bps: lv.1,
                soft_limit_frac: lv.2,
                hard_limit_frac: lv.2 + lv.3,
                rebalance_enabled: lv.4,
            };
            c
        })
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (0u32..=5)
        .prop_flat_map(|sz| {
            // Mids from 100 of the finest ticks (10^−(6−sz)) up to 200k.
            let lowest_exp = 2.0 - (6.0 - sz as f64);
            (
                Just(sz),
                lowest_exp..5.3f64,
                1i64..6,
                (-5.0f64..50.0, -5.0f64..50.0, -20.0f64..20.0, 0u8..6),
                (5.0f64..5_000.0, 0.0f64..10.0, -1.5f64..1.5),
                prop::array::uniform6(-1.0f64..1.0),
                (0u32..30, any::<bool>()),
                config_strategy(),
            )
        })
        .prop_map(|(sz_decimals, mid_exp, spread_ticks, model, inv, signals, (flow_trades, stressed), config)| Case {
            sz_decimals,
            mid_exp,
            spread_ticks,
            bid_bps: model.0,
            ask_bps: model.1,
            offset_bps: model.2,
            refuse: model.3,
            order_usd: inv.0,
            max_orders: inv.1,
            position_frac: inv.2,
            signals,
            flow_trades,
            stressed,
            config,
        })
}

/// The market of a case: a valid book around 10^mid_exp with every signal set.
fn market(case: &Case, instrument: &Instrument) -> MarketParams {
    let raw = Price::from_f64(10f64.powf(case.mid_exp));
    let best_bid = instrument.round_price_passive(raw, Side::Bid);
    let mut best_ask = instrument.round_price_passive(best_bid + Price(1), Side::Ask);
    for _ in 1..case.spread_ticks {
        best_ask = instrument.round_price_passive(best_ask + Price(1), Side::Ask);
    }
    let mid = (best_bid.to_f64() + best_ask.to_f64()) / 2.0;
    let mut m = MarketParams::cold(CoinId(1), best_bid, best_ask, mid, mid);
    let [imbalance, ofi, flow, lead, funding, _] = case.signals;
    m.book.depth_imbalance = imbalance;
    m.ofi.is_warm = true;
    m.ofi.windows[0] = Some(OfiWindow {
        window_s: 1.0,
        ofi_base: ofi * 5.0,
        events: 10,
        avg_touch_depth_base: 1.0,
        ofi_per_avg_depth: Some(ofi * 5.0),
    });
    m.flow.is_warm = true;
    let (buy, sell) = (1.0 + flow, 1.0 - flow);
    let window = FlowWindow {
        window_s: 1.0,
        trades: case.flow_trades,
        buy_base: Qty::from_f64(buy),
        sell_base: Qty::from_f64(sell),
        buy_usd: buy * mid,
        sell_usd: sell * mid,
    };
    m.flow.windows = [Some(window); 4];
    m.reference =
        Some(ReferenceParams { mid_usd: mid, lead_bps: Some(lead * 20.0), basis_bps: 0.0, basis_ewma_bps: None });
    m.context.funding_rate_frac_per_hour = Some(funding * 1e-3);
    m.context.funding_extremity = Some(funding.abs() * 3.0);
    if case.stressed {
        m.volatility.regime = VolRegimeLabel::Stressed;
    }
    m
}

fn model(case: &Case) -> ModelRun {
    let mut quote = ModelQuote {
        bid_depth_frac: case.bid_bps * 1e-4,
        ask_depth_frac: case.ask_bps * 1e-4,
        spread_term_frac: 0.0,
        reservation_offset_frac: case.offset_bps * 1e-4,
    };
    match case.refuse {
        0 => quote.bid_depth_frac = f64::INFINITY,
        1 => quote.ask_depth_frac = f64::INFINITY,
        _ => {}
    }
    let inputs = ModelInputs {
        sigma_frac_per_sqrt_s: 1e-4,
        kappa_per_frac: 2_000.0,
        a_per_s: 1.0,
        gamma_per_frac_lot: 0.1,
        inventory_lots: 0.0,
        drift_frac_per_s: 0.0,
    };
    ModelRun { name: "prop", inputs, quote }
}

fn total(levels: &[QuoteLevel]) -> i64 {
    levels.iter().map(|l| l.qty.units()).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_level_obeys_the_venue_rules_the_book_and_the_limits(case in case_strategy()) {
        prop_assert!(case.config.validate().is_ok(), "{:?}", case.config.validate());
        let instrument = Instrument { name: "P".into(), sz_decimals: case.sz_decimals, min_notional_usd: 10.0 };
        let m = market(&case, &instrument);
        let order_size = instrument.round_qty_down(Qty::from_f64(case.order_usd / m.mid_usd));
        let max_position = Qty::from_f64(order_size.to_f64() * case.max_orders);
        let position = Qty::from_f64(max_position.to_f64() * case.position_frac);
        let inventory = InventoryInputs { position, order_size, max_position };
        let mut out = TargetLadder::empty(CoinId(0));
        let d = construct(&model(&case), &m, &inventory, &instrument, &case.config, [0.0; 2], &mut out);

        prop_assert_eq!(d.status, QuoteStatus::Quoted);
        prop_assert_eq!(out.coin, m.coin);
        for (side, levels) in [(Side::Bid, &out.bids), (Side::Ask, &out.asks)] {
            for level in levels.iter() {
                let sz = case.sz_decimals;
                prop_assert!(is_hl_price(level.px, sz), "{side:?} px {} sz {sz}", level.px);
                prop_assert!(is_hl_size(level.qty, case.sz_decimals), "{side:?} qty {}", level.qty);
                prop_assert!(meets_ten_usd(level), "{side:?} {} × {}", level.px, level.qty);
                match side {
                    Side::Bid => prop_assert!(level.px < m.best_ask, "bid {} ≥ ask {}", level.px, m.best_ask),
                    Side::Ask => prop_assert!(level.px > m.best_bid, "ask {} ≤ bid {}", level.px, m.best_bid),
                }
            }
            for pair in levels.windows(2) {
                match side {
                    Side::Bid => prop_assert!(pair[0].px > pair[1].px),
                    Side::Ask => prop_assert!(pair[0].px < pair[1].px),
                }
            }
            // The record matches the ladder; a side left out is empty.
            let record = d.side(side);
            prop_assert_eq!(record.levels as usize, levels.len());
            prop_assert_eq!(record.best_px_usd, levels.first().map(|l| l.px.to_f64()));
            if record.model_refused || record.toxicity.gated || record.inventory_blocked {
                prop_assert!(levels.is_empty());
            }
            prop_assert!((0.0..=1.0).contains(&record.toxicity.score));
        }
        // Headroom: a full fill of a side never takes the position past max_position.
        let (max, pos) = (max_position.units(), position.units());
        prop_assert!(total(&out.bids) <= (max - pos).max(0), "bids {} room {}", total(&out.bids), max - pos);
        prop_assert!(total(&out.asks) <= (max + pos).max(0), "asks {} room {}", total(&out.asks), max + pos);
        // Inventory first: past the soft limit nothing is quoted on the side that adds.
        let soft = case.config.levels.soft_limit_frac * max as f64;
        if pos > 0 && pos as f64 >= soft {
            prop_assert!(out.bids.is_empty() && d.inventory_first);
        }
        if pos < 0 && (-pos) as f64 >= soft {
            prop_assert!(out.asks.is_empty() && d.inventory_first);
        }
        if let Some(r) = d.rebalance {
            prop_assert!(case.config.levels.rebalance_enabled);
            prop_assert_eq!(r.side, if pos > 0 { Side::Ask } else { Side::Bid });
            prop_assert!(r.qty.units() > 0 && r.qty.units() <= pos.abs());
        }
        // Rounding is passive: the innermost quotes are no more aggressive than the record's
        // centre ± half spread (one price unit of slack for the f64 → fixed-point step).
        let unit_usd = 1.0 / FIXED_SCALE as f64;
        let centre_frac = d.skew.total_skew_bps * 1e-4;
        if let Some(bid) = out.bids.first() {
            let raw = d.mid_usd * (1.0 + centre_frac - d.half_spread.bid.total_bps * 1e-4);
            prop_assert!(bid.px.to_f64() <= raw + unit_usd, "bid {} raw {raw}", bid.px);
        }
        if let Some(ask) = out.asks.first() {
            let raw = d.mid_usd * (1.0 + centre_frac + d.half_spread.ask.total_bps * 1e-4);
            prop_assert!(ask.px.to_f64() >= raw - unit_usd, "ask {} raw {raw}", ask.px);
        }
        // Our quotes never touch each other, and are at least the minimum spread apart.
        if let (Some(bid), Some(ask)) = (out.bids.first(), out.asks.first()) {
            prop_assert!(bid.px < ask.px);
            let min_spread_usd = d.mid_usd * case.config.half_spread.min_spread_bps * 1e-4;
            prop_assert!(ask.px.to_f64() - bid.px.to_f64() >= min_spread_usd - 2.0 * unit_usd);
        }
    }
}
