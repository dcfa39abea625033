//! Where the session's PnL came from: spread capture, adverse selection, fees and rebates,
//! funding, and the inventory carry that explains the rest.
//!
//! For a fill of side `s` (+1 bid, −1 ask), price `p`, size `q`, mid `m₀` when it arrived,
//! mid `m_H` at the attribution horizon (one of the markout horizons, 10 s by default) and
//! the current mark `m`:
//!
//! - spread capture   `s·(m₀ − p)·q`  (what we earned against the mid by quoting),
//! - adverse selection `s·(m₀ − m_H)·q` (how far the mid then moved against us),
//! - inventory carry  `s·(m − m_H)·q`  (the position's PnL after the horizon: the residual).
//!
//! Their sum, spread − adverse + carry, is `s·(m − p)·q`, and summed over a session that
//! starts flat it equals realized + unrealized PnL under average cost. With fees (paid,
//! positive), rebates (received, positive) and funding (signed, received positive):
//! `spread − adverse − fees + rebates + funding + carry = realized + unrealized − fees +
//! rebates + funding`, exactly. Until a fill's horizon resolves (or when it expires without a
//! mid, or a fill arrived with no mid at all) its adverse selection is zero and the whole move
//! since `m₀` is carry. Every term but funding is kept per side; funding is the position's.

use crate::types::Side;
use serde::Serialize;

/// The attribution terms of one side, or of both (USD).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct AttributionTerms {
    pub spread_capture_usd: f64,
    pub adverse_selection_usd: f64,
    pub fees_usd: f64,
    pub rebates_usd: f64,
    /// Zero per side: funding belongs to the position.
    pub funding_usd: f64,
    /// Inventory carry after the horizon: the part of the PnL the horizon does not explain.
    pub residual_usd: f64,
    /// spread − adverse − fees + rebates + funding + residual.
    pub total_usd: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct AttributionReport {
    pub horizon_ms: u64,
    /// Fills whose adverse selection is measured (horizon resolved).
    pub resolved_fills: u64,
    pub sides: [AttributionTerms; 2],
    pub total: AttributionTerms,
}

#[derive(Debug, Clone, Copy, Default)]
struct SideSums {
    spread_usd: f64,
    adverse_usd: f64,
    fees_usd: f64,
    rebates_usd: f64,
    /// Σ s·q.
    signed_qty: f64,
    /// Σ s·q·anchor, anchor = m_H once resolved, else m₀.
    signed_anchor_usd: f64,
}

/// Running sums from which [`AttributionReport`] is computed at any mark.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attribution {
    horizon_ms: u64,
    resolved_fills: u64,
    funding_usd: f64,
    sides: [SideSums; 2],
}

impl Attribution {
    pub fn new(horizon_ms: u64) -> Self {
        Self { horizon_ms, ..Self::default() }
    }

    /// A fill arrived with mid `mid_at_fill_usd` (pass the fill price when no mid is known:
    /// no spread capture is claimed and the move is all carry). `fee_usd` < 0 is a rebate.
    pub fn on_fill(&mut self, side: Side, px_usd: f64, qty_base: f64, fee_usd: f64, mid_at_fill_usd: f64) {
        let s = side.sign() as f64;
        let sums = &mut self.sides[side.index()];
        sums.spread_usd += s * (mid_at_fill_usd - px_usd) * qty_base;
        if fee_usd >= 0.0 {
            sums.fees_usd += fee_usd;
        } else {
            sums.rebates_usd -= fee_usd;
        }
        sums.signed_qty += s * qty_base;
        sums.signed_anchor_usd += s * qty_base * mid_at_fill_usd;
    }

    /// The mid at the attribution horizon of a fill arrived: its adverse selection is known.
    pub fn on_horizon(&mut self, side: Side, qty_base: f64, mid_at_fill_usd: f64, mid_at_horizon_usd: f64) {
        let s = side.sign() as f64;
        let sums = &mut self.sides[side.index()];
        sums.adverse_usd += s * (mid_at_fill_usd - mid_at_horizon_usd) * qty_base;
        sums.signed_anchor_usd += s * qty_base * (mid_at_horizon_usd - mid_at_fill_usd);
        self.resolved_fills += 1;
    }

    /// A funding payment: positive received, negative paid.
    pub fn on_funding(&mut self, payment_usd: f64) {
        self.funding_usd += payment_usd;
    }

    /// The terms with the open inventory marked at `mark_usd`.
    pub fn report(&self, mark_usd: f64) -> AttributionReport {
        let side_terms = |s: &SideSums| {
            let residual = s.signed_qty * mark_usd - s.signed_anchor_usd;
            AttributionTerms {
                spread_capture_usd: s.spread_usd,
                adverse_selection_usd: s.adverse_usd,
                fees_usd: s.fees_usd,
                rebates_usd: s.rebates_usd,
                funding_usd: 0.0,
                residual_usd: residual,
                total_usd: s.spread_usd - s.adverse_usd - s.fees_usd + s.rebates_usd + residual,
            }
        };
        let sides = [side_terms(&self.sides[0]), side_terms(&self.sides[1])];
        let [b, a] = sides;
        let total = AttributionTerms {
            spread_capture_usd: b.spread_capture_usd + a.spread_capture_usd,
            adverse_selection_usd: b.adverse_selection_usd + a.adverse_selection_usd,
            fees_usd: b.fees_usd + a.fees_usd,
            rebates_usd: b.rebates_usd + a.rebates_usd,
            funding_usd: self.funding_usd,
            residual_usd: b.residual_usd + a.residual_usd,
            total_usd: b.total_usd + a.total_usd + self.funding_usd,
        };
        AttributionReport { horizon_ms: self.horizon_ms, resolved_fills: self.resolved_fills, sides, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_trip_splits_into_spread_adverse_and_carry() {
        let mut a = Attribution::new(10_000);
        a.on_fill(Side::Bid, 99.0, 1.0, -0.01, 100.0); // +1 spread, 0.01 rebate
        a.on_horizon(Side::Bid, 1.0, 100.0, 98.0); // mid fell 2: adverse 2
        a.on_fill(Side::Ask, 101.0, 1.0, 0.02, 100.0); // +1 spread, 0.02 fee
        a.on_funding(-0.5);
        let r = a.report(97.0);
        assert_eq!(r.sides[0].spread_capture_usd, 1.0);
        assert_eq!(r.sides[0].adverse_selection_usd, 2.0);
        assert_eq!(r.sides[0].residual_usd, -1.0); // long 1 from the 98 horizon mid to 97
        assert_eq!(r.sides[1].residual_usd, 3.0); // short 1, unresolved: from 100 to 97
        assert_eq!(r.total.rebates_usd, 0.01);
        assert_eq!(r.total.fees_usd, 0.02);
        // Bought 99, sold 101, flat: PnL 2 − 0.02 + 0.01 − 0.5.
        assert!((r.total.total_usd - 1.49).abs() < 1e-12, "{}", r.total.total_usd);
    }
}
