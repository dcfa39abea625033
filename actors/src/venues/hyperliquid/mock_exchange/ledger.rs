//! The mock's authoritative account record: every fill it made, the positions they build,
//! the funding it paid, and the JSON it shows them as (`userFills`, `user`, `/info`).
//!
//! Positions are signed sizes with an average entry price. A fill that reduces a position
//! realizes `closedPnl = (px − entry) × closed` for a long, `(entry − px) × closed` for a
//! short (gross of fees, as Hyperliquid reports it); `dir` names what the fill did ("Open
//! Long", "Close Short", "Long > Short", …). Fees are rounded to USDC's 6 decimals once, when
//! the fill is made, and the rounded value is both what the frames show and what
//! [`PnlSummary`] sums, so a client that adds up what it was sent gets the mock's numbers.

use engine::types::{Price, Qty, Side};
use serde::Serialize;
use serde_json::{json, Value};

/// One fill as the mock made and reported it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MockFill {
    pub coin: String,
    pub px: Price,
    pub sz: Qty,
    pub side: Side,
    /// Exchange time, Unix ms.
    pub time_ms: u64,
    /// Signed position before the fill.
    pub start_position: Qty,
    pub dir: &'static str,
    /// Realized PnL of the part that closed a position, USDC (6 decimals).
    pub closed_pnl_usd: f64,
    pub oid: u64,
    /// Taker (`true`) or maker.
    pub crossed: bool,
    /// Fee in USDC (6 decimals); negative is a maker rebate.
    pub fee_usd: f64,
    /// Unique trade id.
    pub tid: u64,
    pub cloid: Option<String>,
}

impl MockFill {
    /// The fill as Hyperliquid's `userFills` / `user` frames and info `userFills` show it.
    pub fn to_json(&self) -> Value {
        let mut fill = json!({
            "coin": self.coin,
            "px": self.px.to_string(),
            "sz": self.sz.to_string(),
            "side": side_letter(self.side),
            "time": self.time_ms,
            "startPosition": self.start_position.to_string(),
            "dir": self.dir,
            "closedPnl": usdc(self.closed_pnl_usd),
            "hash": format!("0x{:064x}", self.tid),
            "oid": self.oid,
            "crossed": self.crossed,
            "fee": usdc(self.fee_usd),
            "tid": self.tid,
            "feeToken": "USDC",
        });
        if let Some(cloid) = &self.cloid {
            fill["cloid"] = Value::String(cloid.clone());
        }
        fill
    }
}

/// `"B"` for a buy, `"A"` for a sell, as Hyperliquid writes sides.
pub(super) fn side_letter(side: Side) -> &'static str {
    match side {
        Side::Bid => "B",
        Side::Ask => "A",
    }
}

/// A USDC amount as Hyperliquid writes it: at most 6 decimals, no trailing zeros.
pub(super) fn usdc(value: f64) -> String {
    let text = format!("{:.6}", round_usdc(value));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" | "" => "0".to_owned(),
        other => other.to_owned(),
    }
}

pub(super) fn round_usdc(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// One coin's position.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MockPosition {
    /// Signed size: positive long, negative short.
    pub szi: Qty,
    /// Average entry price of the open size (0 when flat).
    pub entry_px: f64,
    /// Funding received (positive) or paid (negative) on this coin, USDC.
    pub funding_usd: f64,
}

impl MockPosition {
    /// Applies a fill of `sz` on `side` at `px`; returns the position before, the realized
    /// PnL and the fill's `dir`.
    pub(super) fn apply(&mut self, side: Side, px: Price, sz: Qty) -> (Qty, f64, &'static str) {
        let before = self.szi;
        let signed = match side {
            Side::Bid => sz,
            Side::Ask => -sz,
        };
        let after = before + signed;
        let px_f = px.to_f64();
        let closing = before.units() != 0 && (before.units() > 0) != (signed.units() > 0);
        let closed_qty = if closing { sz.min(before.abs()) } else { Qty::ZERO };
        let long_before = before.units() > 0;
        let realized = if long_before {
            (px_f - self.entry_px) * closed_qty.to_f64()
        } else {
            (self.entry_px - px_f) * closed_qty.to_f64()
        };
        if !closing {
            // Opening or adding: the entry is the size-weighted average.
            let total = after.abs().to_f64();
            self.entry_px =
                if total > 0.0 { (self.entry_px * before.abs().to_f64() + px_f * sz.to_f64()) / total } else { 0.0 };
        } else if after.units() == 0 {
            self.entry_px = 0.0;
        } else if (after.units() > 0) != long_before {
            // Flipped: the new side opened at this fill's price.
            self.entry_px = px_f;
        }
        self.szi = after;
        let dir = match (before.units().signum(), after.units().signum(), side) {
            (0, _, Side::Bid) => "Open Long",
            (0, _, Side::Ask) => "Open Short",
            (1, -1, _) => "Long > Short",
            (-1, 1, _) => "Short > Long",
            (1, _, Side::Bid) => "Open Long",
            (1, _, Side::Ask) => "Close Long",
            (_, _, Side::Ask) => "Open Short",
            (_, _, Side::Bid) => "Close Short",
        };
        (before, if closing { round_usdc(realized) } else { 0.0 }, dir)
    }
}

/// PnL of the account recomputed from the mock's fill log:
///
/// ```text
/// cash_flow = Σ sells px·sz − Σ buys px·sz − Σ fees + Σ funding
/// total     = cash_flow + Σ_coins position × mark
/// ```
///
/// which equals realized + unrealized PnL net of fees and funding (a flat account's total is
/// its realized PnL). Marks are the mids of the latest replayed books.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PnlSummary {
    /// Σ sells px·sz − Σ buys px·sz, before fees.
    pub trading_cash_usd: f64,
    /// Σ fees (negative: net rebates).
    pub fees_usd: f64,
    /// Σ funding received (negative: paid).
    pub funding_usd: f64,
    /// Σ position × mark.
    pub position_value_usd: f64,
    /// `trading_cash_usd − fees_usd + funding_usd + position_value_usd`.
    pub total_pnl_usd: f64,
    /// Σ |px·sz|: the volume the request budget grows with.
    pub volume_usd: f64,
}

impl PnlSummary {
    pub(super) fn compute<'a>(
        fills: &[MockFill],
        positions: impl Iterator<Item = (&'a MockPosition, Option<f64>)>,
    ) -> Self {
        let mut out = PnlSummary::default();
        for fill in fills {
            let notional = fill.px.to_f64() * fill.sz.to_f64();
            out.volume_usd += notional;
            out.trading_cash_usd += match fill.side {
                Side::Ask => notional,
                Side::Bid => -notional,
            };
            out.fees_usd += fill.fee_usd;
        }
        for (position, mark) in positions {
            out.funding_usd += position.funding_usd;
            out.position_value_usd += position.szi.to_f64() * mark.unwrap_or(position.entry_px);
        }
        out.total_pnl_usd = out.trading_cash_usd - out.fees_usd + out.funding_usd + out.position_value_usd;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Qty {
        Qty::parse(text).unwrap()
    }

    fn p(text: &str) -> Price {
        Price::parse(text).unwrap()
    }

    #[test]
    fn positions_open_add_close_and_flip() {
        let mut pos = MockPosition::default();
        assert_eq!(pos.apply(Side::Bid, p("100"), q("1")), (Qty::ZERO, 0.0, "Open Long"));
        assert_eq!(pos.apply(Side::Bid, p("110"), q("1")), (q("1"), 0.0, "Open Long"));
        assert!((pos.entry_px - 105.0).abs() < 1e-9);
        assert_eq!(pos.apply(Side::Ask, p("115"), q("0.5")), (q("2"), 5.0, "Close Long"));
        // 1.5 long at 105; sell 2 at 100: closes 1.5 (−7.5) and opens 0.5 short at 100.
        assert_eq!(pos.apply(Side::Ask, p("100"), q("2")), (q("1.5"), -7.5, "Long > Short"));
        assert_eq!(pos.szi, q("-0.5"));
        assert!((pos.entry_px - 100.0).abs() < 1e-9);
        assert_eq!(pos.apply(Side::Bid, p("90"), q("0.5")), (q("-0.5"), 5.0, "Close Short"));
        assert_eq!((pos.szi, pos.entry_px), (Qty::ZERO, 0.0));
    }

    #[test]
    fn usdc_strings_have_six_decimals_at_most_and_no_trailing_zeros() {
        assert_eq!(usdc(0.000829), "0.000829");
        assert_eq!(usdc(-0.0000004), "0");
        assert_eq!(usdc(12.5), "12.5");
        assert_eq!(usdc(3.0), "3");
        assert_eq!(usdc(-1.2345678), "-1.234568");
    }

    #[test]
    fn pnl_is_cash_flow_minus_fees_plus_marked_position() {
        let fill = |side, px: &str, sz: &str, fee| MockFill {
            coin: "BTC".into(),
            px: p(px),
            sz: q(sz),
            side,
            time_ms: 0,
            start_position: Qty::ZERO,
            dir: "",
            closed_pnl_usd: 0.0,
            oid: 1,
            crossed: false,
            fee_usd: fee,
            tid: 1,
            cloid: None,
        };
        let fills = [fill(Side::Bid, "100", "2", 0.03), fill(Side::Ask, "110", "1", 0.0165)];
        let position = MockPosition { szi: q("1"), entry_px: 100.0, funding_usd: -0.5 };
        let pnl = PnlSummary::compute(&fills, [(&position, Some(105.0))].into_iter());
        // −200 + 110 − 0.0465 − 0.5 + 105 = 14.4535
        assert!((pnl.total_pnl_usd - 14.4535).abs() < 1e-9, "{pnl:?}");
        assert!((pnl.volume_usd - 310.0).abs() < 1e-9);
    }
}
