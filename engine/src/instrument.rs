//! A tradable perpetual and Hyperliquid's price and size rules for it.
//!
//! Rules (Hyperliquid docs, "Tick and lot size"): a perp price has at most 5 significant
//! figures and at most `6 − szDecimals` decimals, integer prices are always valid; a size is a
//! multiple of `10^−szDecimals`; an order must be worth at least $10.

use crate::types::{notional_usd, Price, Qty, Side, FIXED_DECIMALS};
use serde::{Deserialize, Serialize};

/// Significant figures a Hyperliquid price may carry.
const MAX_SIG_FIGS: i32 = 5;
/// `maxDecimals` for perps: price decimals ≤ 6 − szDecimals.
const PERP_MAX_DECIMALS: i32 = 6;

/// Static facts about one coin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    /// Venue name, e.g. `BTC` or `hyna:HYPE`.
    pub name: String,
    /// Size decimals from the venue's `meta` (`szDecimals`).
    pub sz_decimals: u32,
    /// Minimum order value in USD ($10 on Hyperliquid).
    pub min_notional_usd: f64,
}

impl Instrument {
    /// Price decimals allowed at `reference` (5 significant figures, capped by 6 − szDecimals).
    ///
    /// Significant figures count from the first non-zero digit, so below $1 the leading zeros
    /// after the point do not count: `0.001234` has 4 and needs 6 decimals.
    pub fn price_decimals_at(&self, reference: Price) -> u32 {
        let units = reference.units().unsigned_abs();
        let digits = if units == 0 { 0 } else { units.ilog10() as i32 + 1 };
        // Place of the first significant figure: the integer digits of the price, or minus
        // the zeros after the point below $1 (the price in 1e-8 units has FIXED_DECIMALS more digits).
        let int_digits = digits - FIXED_DECIMALS as i32;
        let by_sig_figs = MAX_SIG_FIGS - int_digits;
        let cap = PERP_MAX_DECIMALS - self.sz_decimals as i32;
        by_sig_figs.min(cap).max(0) as u32
    }

    /// Tick size at `reference`, in fixed-point price units.
    pub fn tick_at(&self, reference: Price) -> Price {
        Price(10i64.pow(FIXED_DECIMALS - self.price_decimals_at(reference)))
    }

    /// Rounds a price to a valid one, toward the passive side: bids down, asks up, so a
    /// rounded quote never becomes more aggressive than the model asked for.
    pub fn round_price_passive(&self, price: Price, side: Side) -> Price {
        let tick = self.tick_at(price).units();
        let down = price.units().div_euclid(tick) * tick;
        match side {
            Side::Bid => Price(down),
            Side::Ask if down == price.units() => Price(down),
            Side::Ask => Price(down + tick),
        }
    }

    /// Lot size (`10^−szDecimals`) in fixed-point size units.
    pub fn lot(&self) -> Qty {
        Qty(10i64.pow(FIXED_DECIMALS - self.sz_decimals.min(FIXED_DECIMALS)))
    }

    /// Rounds a size down to a whole number of lots.
    pub fn round_qty_down(&self, qty: Qty) -> Qty {
        let lot = self.lot().units();
        Qty(qty.units().div_euclid(lot) * lot)
    }

    /// Whether `price` obeys the tick rule.
    pub fn is_valid_price(&self, price: Price) -> bool {
        price.units() > 0 && price.units() % self.tick_at(price).units() == 0
    }

    /// Whether `qty` is positive and a whole number of lots.
    pub fn is_valid_qty(&self, qty: Qty) -> bool {
        qty.units() > 0 && qty.units() % self.lot().units() == 0
    }

    /// Whether an order of `qty` at `price` meets the minimum order value.
    pub fn meets_min_notional(&self, price: Price, qty: Qty) -> bool {
        notional_usd(price, qty) >= self.min_notional_usd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn btc() -> Instrument {
        Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 }
    }

    fn eth() -> Instrument {
        Instrument { name: "ETH".into(), sz_decimals: 4, min_notional_usd: 10.0 }
    }

    fn px(s: &str) -> Price {
        Price::parse(s).unwrap()
    }

    #[test]
    fn tick_follows_significant_figures_and_decimal_cap() {
        assert_eq!(btc().tick_at(px("105055")), px("1"));
        assert_eq!(btc().tick_at(px("9999.5")), px("0.1"));
        assert_eq!(eth().tick_at(px("3000.1")), px("0.1"));
        // 5 sig figs would allow 4 decimals at 1.2345, but 6 − 4 = 2 caps it.
        assert_eq!(eth().tick_at(px("1.2345")), px("0.01"));
        let purr = Instrument { name: "PURR".into(), sz_decimals: 0, min_notional_usd: 10.0 };
        assert_eq!(purr.tick_at(px("0.27899")), px("0.00001"));
        // Below $1 the leading zeros are not significant: 5 figures reach the 6-decimal cap.
        assert_eq!(purr.tick_at(px("0.012345")), px("0.000001"));
        assert_eq!(eth().tick_at(px("0.012345")), px("0.01"));
    }

    #[test]
    fn rounding_is_passive() {
        let i = eth();
        assert_eq!(i.round_price_passive(px("3000.17"), Side::Bid), px("3000.1"));
        assert_eq!(i.round_price_passive(px("3000.11"), Side::Ask), px("3000.2"));
        assert_eq!(i.round_price_passive(px("3000.1"), Side::Ask), px("3000.1"));
        assert!(i.is_valid_price(px("3000.1")));
        assert!(!i.is_valid_price(px("3000.15")));
    }

    #[test]
    fn sizes_are_whole_lots_and_orders_meet_min_notional() {
        let i = btc();
        assert_eq!(i.round_qty_down(Qty::parse("0.0012345").unwrap()), Qty::parse("0.00123").unwrap());
        assert!(i.is_valid_qty(Qty::parse("0.00123").unwrap()));
        assert!(!i.is_valid_qty(Qty::parse("0.001234").unwrap()));
        assert!(i.meets_min_notional(px("100000"), Qty::parse("0.0001").unwrap()));
        assert!(!i.meets_min_notional(px("100000"), Qty::parse("0.00009").unwrap()));
    }
}
