//! The fee schedule of the simulated exchange.
//!
//! Hyperliquid charges perp fees as a fraction of fill notional, by liquidity: base tier
//! taker 0.045 % (4.5 bps), maker 0.015 % (1.5 bps); higher volume tiers pay less, and
//! maker-volume share can turn the maker fee into a rebate of −0.1 to −0.3 bps (Hyperliquid
//! docs, "Fees"; HYPERLIQUID.md, "Prices, sizes, fees, limits"). A negative rate therefore
//! yields a negative `fee_usd`: money received.

use crate::types::{notional_usd, Price, Qty};
use crate::units::bps_to_frac;
use crate::venue::Liquidity;

/// Hyperliquid perp base-tier maker fee, in bps of notional.
pub const HL_BASE_MAKER_FEE_BPS: f64 = 1.5;
/// Hyperliquid perp base-tier taker fee, in bps of notional.
pub const HL_BASE_TAKER_FEE_BPS: f64 = 4.5;

/// Fee rates by liquidity, in bps of notional (negative: rebate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeeSchedule {
    pub maker_fee_bps: f64,
    pub taker_fee_bps: f64,
}

impl Default for FeeSchedule {
    /// Hyperliquid's perp base tier.
    fn default() -> Self {
        Self { maker_fee_bps: HL_BASE_MAKER_FEE_BPS, taker_fee_bps: HL_BASE_TAKER_FEE_BPS }
    }
}

impl FeeSchedule {
    /// The rate that applies to a fill with `liquidity`, in bps of notional.
    pub fn rate_bps(&self, liquidity: Liquidity) -> f64 {
        match liquidity {
            Liquidity::Maker => self.maker_fee_bps,
            Liquidity::Taker => self.taker_fee_bps,
        }
    }

    /// Fee in USD for a fill of `qty` at `px`; negative for a rebate.
    pub fn fee_usd(&self, liquidity: Liquidity, px: Price, qty: Qty) -> f64 {
        notional_usd(px, qty.abs()) * bps_to_frac(self.rate_bps(liquidity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn px(s: &str) -> Price {
        Price::parse(s).unwrap()
    }

    fn qty(s: &str) -> Qty {
        Qty::parse(s).unwrap()
    }

    #[test]
    fn base_tier_maker_is_1_5_bps_and_taker_4_5_bps_of_notional() {
        let fees = FeeSchedule::default();
        // Notional 2 × 50,000 = $100,000.
        let maker = fees.fee_usd(Liquidity::Maker, px("50000"), qty("2"));
        let taker = fees.fee_usd(Liquidity::Taker, px("50000"), qty("2"));
        assert!((maker - 15.0).abs() < 1e-9, "{maker}");
        assert!((taker - 45.0).abs() < 1e-9, "{taker}");
    }

    #[test]
    fn a_negative_maker_rate_is_a_rebate() {
        let fees = FeeSchedule { maker_fee_bps: -0.2, taker_fee_bps: 4.5 };
        let fee = fees.fee_usd(Liquidity::Maker, px("100"), qty("10"));
        assert!((fee + 0.02).abs() < 1e-12, "{fee}");
    }
}
