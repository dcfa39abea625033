//! The risk gate: the only path from a quote intent to the venue.
//!
//! Every level is checked against the trading state and the coin's limits. A level is
//! clipped to the maximum order size and to the position headroom left by the levels in
//! front of it, assuming every resting order on a side fills (the worst case for the limit);
//! a level clipped below one lot or under the minimum order value is dropped. A coin whose
//! feed is stale quotes nothing, whatever the state: its book may no longer be the market.

use super::{CoinLimits, TradingState, TradingStateChange};
use crate::instrument::Instrument;
use crate::quote::TargetLadder;
use crate::types::{Nanos, Qty, Side};

/// What the gate did to one intent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RiskVerdict {
    pub levels_in: u32,
    pub levels_clipped: u32,
    pub levels_dropped: u32,
}

#[derive(Debug, Clone)]
pub struct RiskGate {
    change: TradingStateChange,
}

impl RiskGate {
    pub fn new(initial: TradingState, now: Nanos) -> Self {
        Self { change: TradingStateChange { state: initial, reason: "configured at start".into(), at: now } }
    }

    pub fn state(&self) -> TradingState {
        self.change.state
    }

    pub fn last_change(&self) -> &TradingStateChange {
        &self.change
    }

    /// Changes the trading state; returns whether it changed.
    pub fn set_state(&mut self, state: TradingState, reason: &str, now: Nanos) -> bool {
        if self.change.state == state {
            return false;
        }
        self.change = TradingStateChange { state, reason: reason.to_string(), at: now };
        true
    }

    /// Writes into `out` the part of `intent` that the state and `limits` allow.
    pub fn approve(
        &self,
        intent: &TargetLadder,
        instrument: &Instrument,
        limits: &CoinLimits,
        position: Qty,
        feed_stale: bool,
        out: &mut TargetLadder,
    ) -> RiskVerdict {
        out.coin = intent.coin;
        out.bids.clear();
        out.asks.clear();
        let mut verdict = RiskVerdict { levels_in: intent.level_count() as u32, ..RiskVerdict::default() };
        if self.change.state == TradingState::Halted || feed_stale {
            verdict.levels_dropped = verdict.levels_in;
            return verdict;
        }
        for side in [Side::Bid, Side::Ask] {
            // Signed position change this side may still add without breaching the limit.
            let headroom = match (self.change.state, side) {
                (TradingState::ReduceOnly, Side::Bid) => Qty((-position.units()).max(0)),
                (TradingState::ReduceOnly, Side::Ask) => Qty(position.units().max(0)),
                (_, Side::Bid) => Qty((limits.max_position.units() - position.units()).max(0)),
                (_, Side::Ask) => Qty((limits.max_position.units() + position.units()).max(0)),
            };
            let mut used = Qty::ZERO;
            for level in intent.side(side) {
                let allowed = level.qty.min(limits.max_order_size).min(headroom - used);
                let qty = instrument.round_qty_down(allowed);
                if qty.is_zero() || !instrument.meets_min_notional(level.px, qty) {
                    verdict.levels_dropped += 1;
                    continue;
                }
                if qty != level.qty {
                    verdict.levels_clipped += 1;
                }
                used += qty;
                out.side_mut(side).push(crate::quote::QuoteLevel { px: level.px, qty });
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::QuoteLevel;
    use crate::types::{CoinId, Price};

    fn btc() -> Instrument {
        Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 }
    }

    fn limits() -> CoinLimits {
        CoinLimits { max_position: Qty::from_f64(0.003), max_order_size: Qty::from_f64(0.002) }
    }

    fn intent(qty: f64) -> TargetLadder {
        let mut l = TargetLadder::empty(CoinId(0));
        for i in 0..3 {
            l.bids.push(QuoteLevel { px: Price::from_f64(99_990.0 - i as f64), qty: Qty::from_f64(qty) });
            l.asks.push(QuoteLevel { px: Price::from_f64(100_010.0 + i as f64), qty: Qty::from_f64(qty) });
        }
        l
    }

    fn approve(gate: &RiskGate, qty: f64, position: f64) -> (TargetLadder, RiskVerdict) {
        let mut out = TargetLadder::empty(CoinId(0));
        let v = gate.approve(&intent(qty), &btc(), &limits(), Qty::from_f64(position), false, &mut out);
        (out, v)
    }

    #[test]
    fn clips_to_order_size_and_position_headroom() {
        let gate = RiskGate::new(TradingState::Active, Nanos(0));
        let (out, v) = approve(&gate, 0.0025, 0.0);
        // Bids: 0.002 (order cap), then 0.001 (headroom 0.003 − 0.002), then nothing.
        let sizes: Vec<f64> = out.bids.iter().map(|l| l.qty.to_f64()).collect();
        assert_eq!(sizes, vec![0.002, 0.001]);
        assert_eq!(v, RiskVerdict { levels_in: 6, levels_clipped: 4, levels_dropped: 2 });
        // Long 0.003: no bid headroom at all, asks may go to −0.003 (0.006 of room).
        let (out, _) = approve(&gate, 0.001, 0.003);
        assert!(out.bids.is_empty());
        assert_eq!(out.asks.len(), 3);
    }

    #[test]
    fn reduce_only_quotes_only_the_reducing_side_and_halted_nothing() {
        let mut gate = RiskGate::new(TradingState::Active, Nanos(0));
        assert!(gate.set_state(TradingState::ReduceOnly, "test", Nanos(5)));
        let (out, _) = approve(&gate, 0.001, 0.0015);
        assert!(out.bids.is_empty());
        let sizes: Vec<f64> = out.asks.iter().map(|l| l.qty.to_f64()).collect();
        assert_eq!(sizes, vec![0.001, 0.0005], "never sells more than the position");
        assert!(gate.set_state(TradingState::Halted, "operator", Nanos(6)));
        assert!(!gate.set_state(TradingState::Halted, "again", Nanos(7)));
        assert_eq!(gate.last_change().reason, "operator");
        let (out, v) = approve(&gate, 0.001, 0.0);
        assert_eq!(out.level_count(), 0);
        assert_eq!(v.levels_dropped, 6);
    }

    #[test]
    fn a_stale_feed_quotes_nothing_even_when_active() {
        let gate = RiskGate::new(TradingState::Active, Nanos(0));
        let mut out = TargetLadder::empty(CoinId(0));
        let v = gate.approve(&intent(0.001), &btc(), &limits(), Qty::ZERO, true, &mut out);
        assert_eq!((out.level_count(), v.levels_dropped), (0, 6));
    }
}
