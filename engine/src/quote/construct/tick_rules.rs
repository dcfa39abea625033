//! Hyperliquid's order rules applied to one quote level, and the order of levels on a side.
//!
//! Every level leaves here valid for the venue (Hyperliquid docs, "Tick and lot size";
//! HYPERLIQUID.md "Prices, sizes, fees, limits"), with the rules themselves in [`Instrument`]:
//!
//! - price: at most 5 significant figures and at most `6 − szDecimals` decimals (perps),
//!   rounded **passively** (bids down, asks up), so rounding never makes a quote more
//!   aggressive than the model asked for;
//! - size: rounded down to whole lots (`10^−szDecimals`), never up, so it never exceeds the
//!   headroom it was sized for;
//! - value: at least the minimum order value ($10);
//! - post-only safety: a bid stays strictly below the best ask and an ask strictly above the
//!   best bid (touching the opposite side would match, and an `Alo` order is then rejected:
//!   "Post only order would have immediately matched");
//! - order: bids strictly decreasing, asks strictly increasing. A level that lands on or
//!   beyond the previous level of its side after rounding and clamping is **dropped**, not
//!   merged: merging would pile several levels' size on one price (typically the clamp at the
//!   touch), and every order stays at most one level's size.
//!
//! The minimum spread is set on the raw quotes (`half_spread.rs`); rounding and the clamp only
//! move a quote away from the centre, so it survives. The one place two of our own quotes could
//! still meet is a degenerate spread below one price unit: `construct` passes our best bid as
//! the "best bid" the asks must stay above, so our quotes never touch each other either.

use crate::instrument::Instrument;
use crate::quote::{QuoteLevel, MAX_LADDER_LEVELS};
use crate::types::{Price, Qty, Side, FIXED_SCALE};
use arrayvec::ArrayVec;

/// Largest raw quote taken: half of what a `Price` holds (`i64::MAX` units of 1e-8 USD ≈
/// 9.2e10 USD), so rounding an ask up by a tick cannot overflow; far above any traded price.
/// A raw quote beyond it (or non-finite, or ≤ 0) is not a price and is dropped.
const MAX_PRICE_USD: f64 = (i64::MAX / FIXED_SCALE / 2) as f64;

/// The book top the quotes must not touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touch {
    pub best_bid: Price,
    pub best_ask: Price,
}

/// Why a level was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelDrop {
    /// The raw price was not a positive finite number a `Price` can hold, or rounded to ≤ 0.
    BadPrice,
    /// The size rounded down to zero lots.
    ZeroSize,
    /// Worth less than the instrument's minimum order value.
    BelowMinNotional,
    /// Landed on or beyond the previous level of its side after rounding.
    Collapsed,
    /// The side already holds `MAX_LADDER_LEVELS` levels.
    Full,
}

/// A raw price in USD as a `Price`, or `None` when it is not a positive finite price.
pub fn price_from_usd(raw_usd: f64) -> Option<Price> {
    if raw_usd.is_finite() && raw_usd > 0.0 && raw_usd < MAX_PRICE_USD {
        Some(Price::from_f64(raw_usd))
    } else {
        None
    }
}

/// Rounds `raw` passively onto the tick grid and keeps it strictly behind the opposite touch:
/// a bid at most the largest valid price below the best ask, an ask at least the smallest
/// valid price above the best bid. One price unit (1e-8) inside the touch, rounded passively,
/// is exactly that price — also where the tick changes at a power of ten (a best ask of
/// 10000 leaves a bid of 9999.9 for a 0.1 tick below it, not 9999).
pub fn post_only_safe(instrument: &Instrument, touch: Touch, side: Side, raw: Price) -> Price {
    let px = instrument.round_price_passive(raw, side);
    match side {
        Side::Bid => {
            let limit = instrument.round_price_passive(touch.best_ask - Price(1), Side::Bid);
            px.min(limit)
        }
        Side::Ask => {
            let limit = instrument.round_price_passive(touch.best_bid + Price(1), Side::Ask);
            px.max(limit)
        }
    }
}

/// Whether `px` is strictly behind `previous` on `side` (or there is no previous level).
pub fn is_behind(side: Side, px: Price, previous: Option<&QuoteLevel>) -> bool {
    previous.is_none_or(|prev| match side {
        Side::Bid => px < prev.px,
        Side::Ask => px > prev.px,
    })
}

/// Applies every rule to a raw level and appends it to `levels` (the side's levels so far,
/// best first), or says why it was left out.
pub fn push_level(
    instrument: &Instrument,
    touch: Touch,
    side: Side,
    raw_px_usd: f64,
    raw_qty: Qty,
    levels: &mut ArrayVec<QuoteLevel, MAX_LADDER_LEVELS>,
) -> Result<QuoteLevel, LevelDrop> {
    let raw = price_from_usd(raw_px_usd).ok_or(LevelDrop::BadPrice)?;
    let px = post_only_safe(instrument, touch, side, raw);
    if px.units() <= 0 || !instrument.is_valid_price(px) {
        return Err(LevelDrop::BadPrice);
    }
    let qty = instrument.round_qty_down(raw_qty);
    if !instrument.is_valid_qty(qty) {
        return Err(LevelDrop::ZeroSize);
    }
    if !instrument.meets_min_notional(px, qty) {
        return Err(LevelDrop::BelowMinNotional);
    }
    if !is_behind(side, px, levels.last()) {
        return Err(LevelDrop::Collapsed);
    }
    let level = QuoteLevel::new(px, qty);
    levels.try_push(level).map_err(|_| LevelDrop::Full)?;
    Ok(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(sz_decimals: u32) -> Instrument {
        Instrument { name: "X".into(), sz_decimals, min_notional_usd: 10.0 }
    }

    fn px(s: &str) -> Price {
        Price::parse(s).unwrap()
    }

    fn qty(s: &str) -> Qty {
        Qty::parse(s).unwrap()
    }

    fn touch(bid: &str, ask: &str) -> Touch {
        Touch { best_bid: px(bid), best_ask: px(ask) }
    }

    /// The examples of Hyperliquid's "Tick and lot size" page
    /// (hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/tick-and-lot-size).
    #[test]
    fn hyperliquid_doc_examples() {
        // "Integer prices are always allowed … `123456` is a valid price even though `12345.6` is not."
        assert!(inst(0).is_valid_price(px("123456")));
        assert!(!inst(0).is_valid_price(px("12345.6")));
        // "`1234.5` is valid but `1234.56` is not (too many significant figures)".
        assert!(inst(0).is_valid_price(px("1234.5")));
        assert!(!inst(0).is_valid_price(px("1234.56")));
        // "`0.001234` is valid, but `0.0012345` is not (more than 6 decimal places)".
        assert!(inst(0).is_valid_price(px("0.001234")));
        assert!(!inst(0).is_valid_price(px("0.0012345")));
        // "If `szDecimals = 1`, `0.01234` is valid but `0.012345` is not (more than 6 − szDecimals)".
        assert!(inst(1).is_valid_price(px("0.01234")));
        assert!(!inst(1).is_valid_price(px("0.012345")));
        // "if `szDecimals = 3` then `1.001` is a valid size but `1.0001` is not".
        assert!(inst(3).is_valid_qty(qty("1.001")));
        assert!(!inst(3).is_valid_qty(qty("1.0001")));
        // And the invalid ones round passively onto the valid neighbours.
        assert_eq!(inst(0).round_price_passive(px("1234.56"), Side::Bid), px("1234.5"));
        assert_eq!(inst(0).round_price_passive(px("1234.56"), Side::Ask), px("1234.6"));
        assert_eq!(inst(0).round_price_passive(px("0.0012345"), Side::Bid), px("0.001234"));
        assert_eq!(inst(1).round_price_passive(px("0.012345"), Side::Ask), px("0.01235"));
        assert_eq!(inst(3).round_qty_down(qty("1.0019")), qty("1.001"));
    }

    #[test]
    fn post_only_clamps_one_valid_price_inside_the_touch() {
        let btc = inst(5);
        let t = touch("100000", "100001");
        // A bid at or through the ask is pulled to 100000 (the largest valid price < 100001).
        assert_eq!(post_only_safe(&btc, t, Side::Bid, px("100005")), px("100000"));
        assert_eq!(post_only_safe(&btc, t, Side::Ask, px("99990")), px("100001"));
        // Behind the touch: only passive rounding (tick 1 at this price).
        assert_eq!(post_only_safe(&btc, t, Side::Bid, px("99990.7")), px("99990"));
        assert_eq!(post_only_safe(&btc, t, Side::Ask, px("100010.2")), px("100011"));
        // Where the tick changes: ETH (szDecimals 4) has tick 1 at 10000 and 0.1 below it.
        let eth = inst(4);
        let t = touch("9999.8", "10000");
        assert_eq!(post_only_safe(&eth, t, Side::Bid, px("10003")), px("9999.9"));
        let t = touch("9999.9", "10001");
        assert_eq!(post_only_safe(&eth, t, Side::Ask, px("9000")), px("10000"));
    }

    #[test]
    fn push_level_rounds_checks_and_drops_collapsed_levels() {
        let btc = inst(5);
        let t = touch("99999", "100001");
        let mut levels = ArrayVec::new();
        // 0.0012345 BTC rounds down to 0.00123; 99980.6 rounds down to 99980.
        let first = push_level(&btc, t, Side::Bid, 99_980.6, qty("0.0012345"), &mut levels).unwrap();
        assert_eq!(first, QuoteLevel::new(px("99980"), qty("0.00123")));
        // 99980.9 rounds onto the same tick: collapsed, dropped.
        assert_eq!(push_level(&btc, t, Side::Bid, 99_980.9, qty("0.001"), &mut levels), Err(LevelDrop::Collapsed));
        // 0.00009 BTC at ~99970 is $9.0: under the $10 minimum.
        assert_eq!(
            push_level(&btc, t, Side::Bid, 99_970.0, qty("0.00009"), &mut levels),
            Err(LevelDrop::BelowMinNotional)
        );
        assert_eq!(push_level(&btc, t, Side::Bid, 99_970.0, qty("0.000009"), &mut levels), Err(LevelDrop::ZeroSize));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0, 5e10] {
            assert_eq!(push_level(&btc, t, Side::Bid, bad, qty("0.001"), &mut levels), Err(LevelDrop::BadPrice));
        }
        assert_eq!(levels.len(), 1);
        // The largest raw price taken rounds up without overflowing.
        let mut asks = ArrayVec::new();
        assert!(push_level(&btc, t, Side::Ask, 4.6e10 + 0.5, qty("0.001"), &mut asks).is_ok());
        assert_eq!(asks[0].px, px("46000000001"));
        // A raw price that rounds to zero is refused (0.0000004 at the 6-decimal cap).
        assert_eq!(push_level(&inst(0), t, Side::Bid, 4e-7, qty("1000"), &mut levels), Err(LevelDrop::BadPrice));
    }

    #[test]
    fn is_behind_means_strictly_worse() {
        let prev = QuoteLevel::new(px("100"), qty("1"));
        assert!(is_behind(Side::Bid, px("99"), Some(&prev)));
        assert!(!is_behind(Side::Bid, px("100"), Some(&prev)));
        assert!(is_behind(Side::Ask, px("101"), Some(&prev)));
        assert!(!is_behind(Side::Ask, px("100"), Some(&prev)));
        assert!(is_behind(Side::Ask, px("1"), None));
    }
}
