//! Position, cash and PnL of one coin, by the average-cost method.
//!
//! Buying adds to cash outflow, selling to inflow; fees are paid out of cash (a maker rebate
//! is a negative fee). Realized PnL is booked when a fill reduces the position, against the
//! average entry price; unrealized PnL marks the open position to a given mid. Identity kept
//! by the tests: `cash + position·mark = realized + unrealized − fees`.

use crate::types::{Qty, Side};
use crate::venue::{FillReport, Liquidity};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default)]
pub struct Position {
    qty: Qty,
    avg_entry_usd: f64,
    realized_pnl_usd: f64,
    fees_usd: f64,
    cash_usd: f64,
    fills: u64,
    maker_fills: u64,
    /// Fills per side, `[bid (buys), ask (sells)]` (`Side::index`).
    side_fills: [u64; 2],
    volume_base: f64,
    volume_usd: f64,
}

/// A point-in-time copy of the accounting, marked to `mark_usd`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PnlSnapshot {
    pub position_base: f64,
    pub avg_entry_usd: f64,
    pub mark_usd: f64,
    pub realized_pnl_usd: f64,
    pub unrealized_pnl_usd: f64,
    pub fees_usd: f64,
    /// realized + unrealized − fees.
    pub net_pnl_usd: f64,
    pub cash_usd: f64,
    pub fills: u64,
    pub maker_fills: u64,
    /// Fills of our bids (buys) and of our asks (sells).
    pub side_fills: [u64; 2],
    pub volume_base: f64,
    pub volume_usd: f64,
}

impl Position {
    pub fn qty(&self) -> Qty {
        self.qty
    }

    pub fn fills(&self) -> u64 {
        self.fills
    }

    pub fn on_fill(&mut self, fill: &FillReport) {
        let px = fill.px.to_f64();
        let qty = fill.qty.to_f64();
        let signed = fill.side.sign() as f64 * qty;
        let held = self.qty.to_f64();
        self.cash_usd -= signed * px + fill.fee_usd;
        self.fees_usd += fill.fee_usd;
        self.fills += 1;
        self.maker_fills += u64::from(fill.liquidity == Liquidity::Maker);
        self.side_fills[fill.side.index()] += 1;
        self.volume_base += qty;
        self.volume_usd += qty * px;
        if held == 0.0 || held.signum() == signed.signum() {
            // Opening or adding: the entry price becomes the size-weighted average.
            self.avg_entry_usd = (self.avg_entry_usd * held.abs() + px * qty) / (held.abs() + qty);
        } else {
            let closed = qty.min(held.abs());
            self.realized_pnl_usd += (px - self.avg_entry_usd) * closed * held.signum();
            if qty > held.abs() {
                // Flipped: the remainder opens a new position at this price.
                self.avg_entry_usd = px;
            }
        }
        self.qty = match fill.side {
            Side::Bid => self.qty + fill.qty,
            Side::Ask => self.qty - fill.qty,
        };
        if self.qty.is_zero() {
            self.avg_entry_usd = 0.0;
        }
    }

    pub fn snapshot(&self, mark_usd: f64) -> PnlSnapshot {
        let position = self.qty.to_f64();
        let unrealized = if position == 0.0 { 0.0 } else { (mark_usd - self.avg_entry_usd) * position };
        PnlSnapshot {
            position_base: position,
            avg_entry_usd: self.avg_entry_usd,
            mark_usd,
            realized_pnl_usd: self.realized_pnl_usd,
            unrealized_pnl_usd: unrealized,
            fees_usd: self.fees_usd,
            net_pnl_usd: self.realized_pnl_usd + unrealized - self.fees_usd,
            cash_usd: self.cash_usd,
            fills: self.fills,
            maker_fills: self.maker_fills,
            side_fills: self.side_fills,
            volume_base: self.volume_base,
            volume_usd: self.volume_usd,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Cloid, CoinId, Price, UnixNanos};

    fn fill(side: Side, px: f64, qty: f64, fee: f64) -> FillReport {
        FillReport {
            coin: CoinId(0),
            cloid: Cloid(1),
            side,
            px: Price::from_f64(px),
            qty: Qty::from_f64(qty),
            remaining: Qty::ZERO,
            fee_usd: fee,
            liquidity: Liquidity::Maker,
            exchange_time: UnixNanos(0),
            tid: 1,
        }
    }

    #[test]
    fn round_trip_books_realized_pnl_and_fees() {
        let mut p = Position::default();
        p.on_fill(&fill(Side::Bid, 100.0, 2.0, 0.03));
        p.on_fill(&fill(Side::Bid, 102.0, 2.0, 0.03));
        assert_eq!(p.snapshot(101.0).avg_entry_usd, 101.0);
        p.on_fill(&fill(Side::Ask, 103.0, 3.0, 0.04));
        let s = p.snapshot(104.0);
        assert_eq!(s.position_base, 1.0);
        assert!((s.realized_pnl_usd - 6.0).abs() < 1e-9); // (103 − 101)·3
        assert!((s.unrealized_pnl_usd - 3.0).abs() < 1e-9); // (104 − 101)·1
        assert!((s.fees_usd - 0.10).abs() < 1e-9);
        assert!((s.net_pnl_usd - 8.9).abs() < 1e-9);
    }

    #[test]
    fn flipping_reopens_at_the_fill_price_and_cash_identity_holds() {
        let mut p = Position::default();
        p.on_fill(&fill(Side::Bid, 100.0, 1.0, 0.0));
        p.on_fill(&fill(Side::Ask, 110.0, 3.0, -0.01)); // rebate
        let s = p.snapshot(105.0);
        assert_eq!(s.position_base, -2.0);
        assert_eq!(s.avg_entry_usd, 110.0);
        assert!((s.realized_pnl_usd - 10.0).abs() < 1e-9);
        assert!((s.unrealized_pnl_usd - 10.0).abs() < 1e-9); // short 2 from 110, mark 105
        let identity = s.cash_usd + s.position_base * s.mark_usd;
        assert!((identity - s.net_pnl_usd).abs() < 1e-9, "{identity} vs {}", s.net_pnl_usd);
        assert_eq!(s.fills, 2);
    }
}
