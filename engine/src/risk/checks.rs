//! The checks one quote intent passes, level by level: O(levels), no allocation.
//!
//! In order — the first that applies decides a dropped level's reason (`RiskReason`):
//! 1. the whole coin: HALTED, a stale feed, no mid yet, σ above the pull threshold;
//! 2. a whole side: the side that adds to |position| under REDUCE_ONLY, inventory forcing,
//!    the coin's venue-margin cool-down, or a reached soft position limit (base or USD); a
//!    flat position adds on both sides;
//! 3. each level, best first: σ above the widen threshold moves it out (then it is rounded
//!    to the passive tick), the price bands around the mid and the oracle, then its size is
//!    clipped to the order size (base, USD) and to the room the levels in front of it left
//!    under the hard position limit (base, or USD at the mid) — every resting order on a
//!    side is assumed to fill, the worst case for the limit; under REDUCE_ONLY, inventory
//!    forcing or the venue-margin cool-down the room is the position itself, so the
//!    reducing side never flips it. A level clipped below a lot or the minimum order value
//!    is dropped;
//! 4. the ladder: past `max_open_orders` (counting the other coins' approved levels) the
//!    deepest level of the longer side goes; then each level that is new — not in the coin's
//!    previous approved ladder — takes a token from the throttle or is dropped.

use super::reasons::{ReasonCounts, RiskReason};
use super::{AccountRiskLimits, CoinMarket, CoinRiskLimits, TokenBucket, TradingState, VolatilityState};
use crate::instrument::Instrument;
use crate::quote::{QuoteLevel, TargetLadder};
use crate::types::{Nanos, Price, Qty, Side, FIXED_SCALE};

/// Everything the checks read besides the intent.
#[derive(Debug, Clone, Copy)]
pub struct GateInputs<'a> {
    pub state: TradingState,
    pub inventory_forcing: bool,
    /// The venue refused the coin's order for margin lately: only the reducing side.
    pub venue_margin: bool,
    pub feed_stale: bool,
    pub market: &'a CoinMarket,
    pub position: Qty,
    pub instrument: &'a Instrument,
    pub coin: &'a CoinRiskLimits,
    pub account: &'a AccountRiskLimits,
    /// Levels the gate has approved for the other coins (resting, as far as it knows).
    pub open_orders_elsewhere: u32,
}

/// What the checks did to one intent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RiskVerdict {
    pub levels_in: u32,
    pub clipped: ReasonCounts,
    pub dropped: ReasonCounts,
    /// Levels moved out by the volatility limit.
    pub widened: u32,
    /// Approved levels not in the previous approved ladder (each one order to send) and
    /// previous levels no longer approved (each one cancel).
    pub new_orders: u32,
    pub cancels: u32,
}

impl RiskVerdict {
    pub fn levels_clipped(&self) -> u64 {
        self.clipped.total()
    }

    pub fn levels_dropped(&self) -> u64 {
        self.dropped.total()
    }
}

/// A base quantity rounded down to fixed-point units (a cap must never round up).
fn qty_floor(base: f64) -> Qty {
    Qty((base * FIXED_SCALE as f64).floor().max(0.0) as i64)
}

fn distance_bps(px: Price, reference_usd: f64) -> f64 {
    (px.to_f64() - reference_usd).abs() / reference_usd * 1e4
}

/// The hard position limit in base units, and which limit it is.
fn hard_limit(coin: &CoinRiskLimits, mid_usd: f64) -> (Qty, RiskReason) {
    let base = Qty::from_f64(coin.max_position_base);
    match coin.max_position_usd.map(|usd| qty_floor(usd / mid_usd)) {
        Some(by_usd) if by_usd < base => (by_usd, RiskReason::MaxPositionUsd),
        _ => (base, RiskReason::MaxPositionBase),
    }
}

/// The soft limit |position| has reached, if any.
fn soft_reached(coin: &CoinRiskLimits, position: Qty, mid_usd: f64) -> Option<RiskReason> {
    let held = position.abs();
    if coin.soft_position_base.is_some_and(|soft| held >= Qty::from_f64(soft)) {
        return Some(RiskReason::SoftPositionBase);
    }
    if coin.soft_position_usd.is_some_and(|soft| held.to_f64() * mid_usd >= soft) {
        return Some(RiskReason::SoftPositionUsd);
    }
    None
}

/// The level's price moved out by the volatility limit, rounded passive.
fn widened(px: Price, side: Side, mid_usd: f64, account: &AccountRiskLimits, instrument: &Instrument) -> Price {
    let extra_usd = mid_usd * account.vol_widen_bps / 1e4;
    let factor = account.vol_widen_factor;
    let target = match side {
        Side::Bid => mid_usd - ((mid_usd - px.to_f64()) * factor + extra_usd),
        Side::Ask => mid_usd + ((px.to_f64() - mid_usd) * factor + extra_usd),
    };
    instrument.round_price_passive(Price::from_f64(target), side)
}

/// Counts the orders and cancels that turn `previous` into `approved`.
fn count_changes(previous: &TargetLadder, approved: &TargetLadder, verdict: &mut RiskVerdict) {
    for side in [Side::Bid, Side::Ask] {
        let (before, after) = (previous.side(side), approved.side(side));
        // Both sides hold at most MAX_LADDER_LEVELS: the scans are bounded.
        verdict.new_orders += after.iter().filter(|l| !before.contains(l)).count() as u32;
        verdict.cancels += before.iter().filter(|l| !after.contains(l)).count() as u32;
    }
}

/// Writes into `out` the part of `intent` the limits allow; `previous` is the coin's last
/// approved ladder (what is resting), `throttle` the new-order bucket.
pub fn check_ladder(
    inputs: &GateInputs<'_>,
    intent: &TargetLadder,
    previous: &TargetLadder,
    throttle: &mut TokenBucket,
    now: Nanos,
    out: &mut TargetLadder,
) -> RiskVerdict {
    out.coin = intent.coin;
    out.bids.clear();
    out.asks.clear();
    let levels_in = intent.level_count() as u32;
    let mut v = RiskVerdict { levels_in, ..RiskVerdict::default() };
    let (account, coin, market) = (inputs.account, inputs.coin, inputs.market);
    let mid = market.mid_usd;
    let volatility = market.volatility_state(account);
    let pulled = if inputs.state == TradingState::Halted {
        Some(RiskReason::Halted)
    } else if inputs.feed_stale {
        Some(RiskReason::FeedStale)
    } else if !(mid.is_finite() && mid > 0.0) {
        Some(RiskReason::NoMid)
    } else if volatility == VolatilityState::Pull {
        Some(RiskReason::VolatilityPull)
    } else {
        None
    };
    if let Some(reason) = pulled {
        v.dropped.add(reason, u64::from(levels_in));
        count_changes(previous, out, &mut v);
        return v;
    }

    let position = inputs.position;
    let (hard, hard_reason) = hard_limit(coin, mid);
    let soft = soft_reached(coin, position, mid);
    let restricted = if inputs.state == TradingState::ReduceOnly {
        Some(RiskReason::ReduceOnly)
    } else if inputs.inventory_forcing {
        Some(RiskReason::InventoryForcing)
    } else if inputs.venue_margin {
        Some(RiskReason::VenueMargin)
    } else {
        None
    };
    let size_cap = Qty::from_f64(coin.max_order_size_base);
    for side in [Side::Bid, Side::Ask] {
        let sign = side.sign();
        let adds = position.units() * sign >= 0;
        let levels = intent.side(side);
        if let Some(reason) = if adds { restricted.or(soft) } else { None } {
            v.dropped.add(reason, levels.len() as u64);
            continue;
        }
        // How far this side may move the position if all of it fills.
        let (headroom, headroom_reason) = match restricted {
            Some(reason) => (position.abs(), reason),
            None => (Qty((hard.units() - position.units() * sign).max(0)), hard_reason),
        };
        let mut used = Qty::ZERO;
        for level in levels {
            let px = if volatility == VolatilityState::Widen {
                widened(level.px, side, mid, account, inputs.instrument)
            } else {
                level.px
            };
            if distance_bps(px, mid) > account.price_band_mid_bps {
                v.dropped.add(RiskReason::PriceBandMid, 1);
                continue;
            }
            if market.oracle_usd.is_some_and(|oracle| distance_bps(px, oracle) > account.price_band_oracle_bps) {
                v.dropped.add(RiskReason::PriceBandOracle, 1);
                continue;
            }
            let (mut qty, mut bound) = (level.qty, None);
            if size_cap < qty {
                (qty, bound) = (size_cap, Some(RiskReason::MaxOrderSizeBase));
            }
            if let Some(cap) = coin.max_order_usd.map(|usd| qty_floor(usd / px.to_f64())) {
                if cap < qty {
                    (qty, bound) = (cap, Some(RiskReason::MaxOrderUsd));
                }
            }
            let room = headroom - used;
            if room < qty {
                (qty, bound) = (room.max(Qty::ZERO), Some(headroom_reason));
            }
            let rounded = inputs.instrument.round_qty_down(qty);
            if rounded != qty && bound.is_none() {
                bound = Some(RiskReason::LotSize);
            }
            if rounded.is_zero() || !inputs.instrument.meets_min_notional(px, rounded) {
                v.dropped.add(bound.unwrap_or(RiskReason::MinNotional), 1);
                continue;
            }
            if rounded != level.qty {
                v.clipped.add(bound.unwrap_or(RiskReason::LotSize), 1);
            }
            if px != level.px {
                v.widened += 1;
            }
            used += rounded;
            // The prediction stays with its level (made for the price the model chose).
            out.side_mut(side).push(QuoteLevel { px, qty: rounded, prediction: level.prediction });
        }
    }

    let allowed = account.max_open_orders.saturating_sub(inputs.open_orders_elsewhere) as usize;
    while out.level_count() > allowed {
        // The deepest level of the longer side; on a tie, of the side that adds.
        let side = match out.bids.len().cmp(&out.asks.len()) {
            std::cmp::Ordering::Greater => Side::Bid,
            std::cmp::Ordering::Less => Side::Ask,
            std::cmp::Ordering::Equal if position.units() >= 0 => Side::Bid,
            std::cmp::Ordering::Equal => Side::Ask,
        };
        out.side_mut(side).pop();
        v.dropped.add(RiskReason::MaxOpenOrders, 1);
    }

    let mut throttled = 0;
    for side in [Side::Bid, Side::Ask] {
        let resting = previous.side(side);
        out.side_mut(side).retain(|level| {
            let keep = resting.contains(level) || throttle.try_take(now);
            throttled += u64::from(!keep);
            keep
        });
    }
    v.dropped.add(RiskReason::Throttle, throttled);
    count_changes(previous, out, &mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::CoinId;

    fn btc() -> Instrument {
        Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 }
    }

    fn coin() -> CoinRiskLimits {
        CoinRiskLimits::new("BTC", 0.003, 0.002)
    }

    fn market() -> CoinMarket {
        CoinMarket { mid_usd: 100_000.0, ..CoinMarket::default() }
    }

    /// Three levels a side, 1 USD apart from 99,990 / 100,010, each of `qty`.
    fn intent(qty: f64) -> TargetLadder {
        let mut l = TargetLadder::empty(CoinId(0));
        for i in 0..3 {
            l.bids.push(QuoteLevel::new(Price::from_f64(99_990.0 - i as f64), Qty::from_f64(qty)));
            l.asks.push(QuoteLevel::new(Price::from_f64(100_010.0 + i as f64), Qty::from_f64(qty)));
        }
        l
    }

    /// A case: inputs that can be tweaked, then run against an intent.
    struct Case {
        state: TradingState,
        forcing: bool,
        margin: bool,
        stale: bool,
        market: CoinMarket,
        position: f64,
        coin: CoinRiskLimits,
        account: AccountRiskLimits,
        elsewhere: u32,
        previous: TargetLadder,
        throttle: TokenBucket,
    }

    impl Case {
        fn new() -> Self {
            Self {
                state: TradingState::Active,
                forcing: false,
                margin: false,
                stale: false,
                market: market(),
                position: 0.0,
                coin: coin(),
                account: AccountRiskLimits::default(),
                elsewhere: 0,
                previous: TargetLadder::empty(CoinId(0)),
                throttle: TokenBucket::new(1e9, 1_000, Nanos::ZERO),
            }
        }

        fn run(&mut self, intent: &TargetLadder) -> (TargetLadder, RiskVerdict) {
            let instrument = btc();
            let inputs = GateInputs {
                state: self.state,
                inventory_forcing: self.forcing,
                venue_margin: self.margin,
                feed_stale: self.stale,
                market: &self.market,
                position: Qty::from_f64(self.position),
                instrument: &instrument,
                coin: &self.coin,
                account: &self.account,
                open_orders_elsewhere: self.elsewhere,
            };
            let mut out = TargetLadder::empty(CoinId(0));
            let v = check_ladder(&inputs, intent, &self.previous, &mut self.throttle, Nanos(1), &mut out);
            (out, v)
        }
    }

    fn sizes(levels: &[QuoteLevel]) -> Vec<f64> {
        levels.iter().map(|l| l.qty.to_f64()).collect()
    }

    fn prices(levels: &[QuoteLevel]) -> Vec<f64> {
        levels.iter().map(|l| l.px.to_f64()).collect()
    }

    fn only(reason: RiskReason, n: u64) -> ReasonCounts {
        let mut c = ReasonCounts::default();
        c.add(reason, n);
        c
    }

    #[test]
    fn hard_position_and_order_size_clip_best_first() {
        let (out, v) = Case::new().run(&intent(0.0025));
        // Bids: 0.002 (order size), then 0.001 (0.003 − 0.002 of room), then nothing.
        assert_eq!(sizes(&out.bids), vec![0.002, 0.001]);
        assert_eq!(sizes(&out.asks), vec![0.002, 0.001]);
        let mut clipped = only(RiskReason::MaxOrderSizeBase, 2);
        clipped.add(RiskReason::MaxPositionBase, 2);
        assert_eq!((v.clipped, v.dropped), (clipped, only(RiskReason::MaxPositionBase, 2)));
        assert_eq!((v.levels_in, v.new_orders, v.cancels), (6, 4, 0));
        // Long 0.003: no bid room at all; asks may go to −0.003 (0.006 of room).
        let mut case = Case::new();
        case.position = 0.003;
        let (out, v) = case.run(&intent(0.001));
        assert!(out.bids.is_empty());
        assert_eq!(out.asks.len(), 3);
        assert_eq!(v.dropped, only(RiskReason::MaxPositionBase, 3));
    }

    #[test]
    fn hard_position_in_usd_binds_when_tighter_than_base() {
        let mut case = Case::new();
        case.coin.max_position_usd = Some(205.0); // 0.00205 BTC at 100,000, under 0.003
        let (out, v) = case.run(&intent(0.001));
        // The third level a side would have 0.00005 of room: $5, under the minimum order.
        assert_eq!(sizes(&out.bids), vec![0.001, 0.001]);
        assert_eq!(sizes(&out.asks), vec![0.001, 0.001]);
        assert_eq!(v.dropped, only(RiskReason::MaxPositionUsd, 2));
    }

    #[test]
    fn soft_limit_drops_the_adding_side_only() {
        let mut case = Case::new();
        case.coin.soft_position_base = Some(0.002);
        case.position = 0.002;
        let (out, v) = case.run(&intent(0.001));
        assert!(out.bids.is_empty(), "long at the soft limit: no more bids");
        assert_eq!(out.asks.len(), 3);
        assert_eq!(v.dropped, only(RiskReason::SoftPositionBase, 3));
        // Short past the USD soft limit: asks go, bids stay.
        let mut case = Case::new();
        case.coin.soft_position_usd = Some(140.0); // short 0.0015 ≈ $150
        case.position = -0.0015;
        let (out, v) = case.run(&intent(0.001));
        assert!(out.asks.is_empty());
        assert_eq!(out.bids.len(), 3);
        assert_eq!(v.dropped, only(RiskReason::SoftPositionUsd, 3));
    }

    #[test]
    fn reduce_only_inventory_forcing_and_venue_margin_quote_only_the_reducing_side_up_to_the_position() {
        for (state, forcing, margin, reason) in [
            (TradingState::ReduceOnly, false, false, RiskReason::ReduceOnly),
            (TradingState::Active, true, false, RiskReason::InventoryForcing),
            (TradingState::Active, false, true, RiskReason::VenueMargin),
        ] {
            let mut case = Case::new();
            (case.state, case.forcing, case.margin, case.position) = (state, forcing, margin, 0.0015);
            let (out, v) = case.run(&intent(0.001));
            assert!(out.bids.is_empty());
            assert_eq!(sizes(&out.asks), vec![0.001, 0.0005], "never sells more than the position");
            // Dropped: the 3 bids and the third ask; clipped: the second ask.
            assert_eq!((v.dropped, v.clipped), (only(reason, 4), only(reason, 1)));
            // Flat: nothing reduces, nothing is quoted.
            case.position = 0.0;
            let (out, v) = case.run(&intent(0.001));
            assert_eq!((out.level_count(), v.dropped), (0, only(reason, 6)));
        }
    }

    #[test]
    fn halted_stale_no_mid_and_volatility_pull_drop_everything() {
        let mut halted = Case::new();
        halted.state = TradingState::Halted;
        let mut stale = Case::new();
        stale.stale = true;
        let mut no_mid = Case::new();
        no_mid.market.mid_usd = f64::NAN;
        let mut pull = Case::new();
        pull.market.sigma_frac_per_sqrt_s = 5e-3;
        pull.market.sigma_is_warm = true;
        for (mut case, reason) in [
            (halted, RiskReason::Halted),
            (stale, RiskReason::FeedStale),
            (no_mid, RiskReason::NoMid),
            (pull, RiskReason::VolatilityPull),
        ] {
            case.previous = intent(0.001);
            let (out, v) = case.run(&intent(0.001));
            assert_eq!(out.level_count(), 0, "{reason:?}");
            assert_eq!(v.dropped, only(reason, 6));
            assert_eq!((v.new_orders, v.cancels), (0, 6), "every resting order cancelled");
        }
    }

    #[test]
    fn volatility_widens_by_factor_and_bps_rounding_passive() {
        let mut case = Case::new();
        case.market.sigma_frac_per_sqrt_s = 1e-3; // above widen (5e-4), under pull (2e-3)
        case.market.sigma_is_warm = true;
        case.account.vol_widen_factor = 2.0;
        case.account.vol_widen_bps = 1.0; // $10 at 100,000
        let (out, v) = case.run(&intent(0.001));
        // Bid 10 below the mid → 2·10 + 10 = 30 below; 11 → 32; 12 → 34.
        assert_eq!(prices(&out.bids), vec![99_970.0, 99_968.0, 99_966.0]);
        assert_eq!(prices(&out.asks), vec![100_030.0, 100_032.0, 100_034.0]);
        assert_eq!((v.widened, v.levels_clipped(), v.levels_dropped()), (6, 0, 0));
        // The same σ while cold changes nothing.
        case.market.sigma_is_warm = false;
        let (out, v) = case.run(&intent(0.001));
        assert_eq!((prices(&out.bids)[0], v.widened), (99_990.0, 0));
    }

    #[test]
    fn price_bands_around_mid_and_oracle_drop_levels_outside() {
        let mut case = Case::new();
        case.account.price_band_mid_bps = 1.05; // 10.5 USD: only the first level a side
        let (out, v) = case.run(&intent(0.001));
        assert_eq!((out.bids.len(), out.asks.len()), (1, 1));
        assert_eq!(v.dropped, only(RiskReason::PriceBandMid, 4));
        // Oracle 20 USD above the mid, band 2.05 bps (20.5 USD): bids 99,990/89/88 are 30–32
        // away and go; asks 100,010/11/12 are within 10 and stay.
        let mut case = Case::new();
        case.market.oracle_usd = Some(100_020.0);
        case.account.price_band_oracle_bps = 2.05;
        let (out, v) = case.run(&intent(0.001));
        assert_eq!((out.bids.len(), out.asks.len()), (0, 3));
        assert_eq!(v.dropped, only(RiskReason::PriceBandOracle, 3));
    }

    #[test]
    fn order_notional_lot_size_and_min_notional() {
        let mut case = Case::new();
        case.coin.max_position_base = 0.01;
        case.coin.max_order_usd = Some(150.0); // 0.0015 at ~100,000
        let (out, v) = case.run(&intent(0.002));
        assert_eq!(sizes(&out.bids), vec![0.0015; 3]);
        assert_eq!(v.clipped, only(RiskReason::MaxOrderUsd, 6));
        // An intent size that is not a whole lot is rounded down and counted as such.
        let (out, v) = Case::new().run(&intent(0.000_125));
        assert_eq!(sizes(&out.bids), vec![0.00012; 3]);
        assert_eq!(v.clipped, only(RiskReason::LotSize, 6));
        // Worth under $10: dropped.
        let (out, v) = Case::new().run(&intent(0.00005));
        assert_eq!((out.level_count(), v.dropped), (0, only(RiskReason::MinNotional, 6)));
    }

    #[test]
    fn max_open_orders_counts_other_coins_and_drops_the_deepest() {
        let mut case = Case::new();
        case.coin.max_position_base = 0.01;
        case.account.max_open_orders = 7;
        case.elsewhere = 3; // 4 left for this coin
        let (out, v) = case.run(&intent(0.001));
        assert_eq!(prices(&out.bids), vec![99_990.0, 99_989.0]);
        assert_eq!(prices(&out.asks), vec![100_010.0, 100_011.0]);
        assert_eq!(v.dropped, only(RiskReason::MaxOpenOrders, 2));
        case.elsewhere = 7;
        let (out, _) = case.run(&intent(0.001));
        assert_eq!(out.level_count(), 0);
    }

    #[test]
    fn the_throttle_charges_only_new_levels() {
        let mut case = Case::new();
        case.coin.max_position_base = 0.01;
        case.throttle = TokenBucket::new(1.0, 4, Nanos::ZERO);
        let (first, v) = case.run(&intent(0.001));
        // 4 tokens: the bids take 3, the first ask the last.
        assert_eq!((first.bids.len(), first.asks.len()), (3, 1));
        assert_eq!(v.dropped, only(RiskReason::Throttle, 2));
        assert_eq!(v.new_orders, 4);
        // Same intent again with the approved ladder resting: the 4 cost nothing, the 2
        // missing asks find no token.
        case.previous = first;
        let (out, v) = case.run(&intent(0.001));
        assert_eq!(out.level_count(), 4);
        assert_eq!((v.new_orders, v.cancels), (0, 0));
        assert_eq!(v.dropped, only(RiskReason::Throttle, 2));
    }
}
