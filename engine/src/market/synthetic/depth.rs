//! The shape of a synthetic Hyperliquid book: how wide the spread is, how far apart the levels
//! sit and how much rests at each level, and the builder that lays a 20-level snapshot on the
//! coin's tick grid around a mid.
//!
//! Every number here is measured from the one real Hyperliquid capture we have,
//! `shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz` (BTC perp, 2025-01-26, 46
//! `l2Book` snapshots over 25 s, tick $1 at $105,055). The capture is short, so the profile is
//! a shape to imitate, not a law; the point is that strategies see a book that is lumpy,
//! heavy-tailed and has gaps, as the real one does, instead of a smooth staircase.

use crate::instrument::Instrument;
use crate::market::{BookLevel, L2Book, MAX_BOOK_LEVELS};
use crate::types::{Price, Qty, Side};
use rand::Rng;
use rand_distr::StandardNormal;

/// Mean resting size per level index (0 = touch), both sides pooled, relative to the touch:
/// the capture's means [3.829, 0.295, 0.133, 0.306, 1.675, 0.47, 1.076, 0.43, 1.187, 0.973,
/// 0.296, 2.37, 3.355, 0.934, 0.884, 1.431, 1.116, 1.023, 0.61, 9.511] BTC divided by 3.829.
/// Round-number levels ($105,050, $105,040, $105,030) collect large resting orders, which is
/// where the bumps at indices 4, 11–12 and 19 come from.
pub(crate) const DEPTH_PROFILE_REL_TO_TOUCH: [f64; MAX_BOOK_LEVELS] = [
    1.0, 0.0772, 0.0349, 0.0799, 0.4373, 0.1226, 0.2811, 0.1122, 0.3099, 0.2541, 0.0774, 0.6189, 0.8762, 0.2439,
    0.2308, 0.3737, 0.2914, 0.2672, 0.1593, 2.4839,
];

/// Log-sd of the lognormal size at the touch. Fitted so that the capture's geometric mean over
/// arithmetic mean at level 0 (e^−0.81) equals the lognormal's e^(−s²/2): s = √(2·0.81).
const TOUCH_SIZE_LOG_SD: f64 = 1.27;
/// Log-sd of the lognormal size at levels 1–19, fitted the same way (capture: e^−1.75 pooled
/// over levels 1–19, s = √(2·1.75)). Deeper levels are far more erratic than the touch: the
/// median is ~1/6 of the mean.
const DEEP_SIZE_LOG_SD: f64 = 1.87;

/// Average size of one resting order relative to the mean touch size: the capture holds
/// 0.287 BTC per order (total size over total order count), and 0.287 / 3.829 = 0.075.
const ORDER_SIZE_REL_TO_TOUCH: f64 = 0.075;

/// How many ticks separate adjacent levels on one side, counted in the capture: 1335 gaps of
/// 1 tick, 278 of 2, 128 of 3 and 7 of 4 (mean 1.32 ticks, so 20 levels span ~25 ticks).
const LEVEL_GAP_TICK_COUNTS: [u32; 4] = [1335, 278, 128, 7];
/// The widest gap in ticks, one per entry of [`LEVEL_GAP_TICK_COUNTS`].
const MAX_LEVEL_GAP_TICKS: u32 = LEVEL_GAP_TICK_COUNTS.len() as u32;

/// Widest spread in ticks; the capture's widest was 5.
const MAX_SPREAD_TICKS: u32 = 5;
/// Chance that a snapshot's spread is wider than one tick; the width is then uniform on
/// 2..=[`MAX_SPREAD_TICKS`] (mean 3.5), so the mean spread is 1 + 0.035·2.5 = 1.09 ticks,
/// the capture's mean (45 snapshots at 1 tick, one at 5).
const WIDE_SPREAD_PROB: f64 = 0.035;

/// Farthest a level can sit from the mid, in ticks: half the widest spread plus 19 widest gaps.
pub(crate) const DEEPEST_LEVEL_TICKS: u32 =
    MAX_SPREAD_TICKS.div_ceil(2) + (MAX_BOOK_LEVELS as u32 - 1) * MAX_LEVEL_GAP_TICKS;

/// Lays out one book snapshot around `mid_usd` into `book` (which keeps its capacity: no
/// allocation). Prices are valid on `instrument`'s tick grid (including across a
/// decade boundary, where the tick changes), bids strictly descending from the best bid, asks
/// strictly ascending, the book never crossed; every size is at least one lot. Returns the
/// best bid and best ask.
///
/// `depth_scale_base` is the mean touch size; level `i` has mean
/// `depth_scale_base · DEPTH_PROFILE_REL_TO_TOUCH[i]`.
pub(crate) fn build_book<R: Rng>(
    rng: &mut R,
    instrument: &Instrument,
    mid_usd: f64,
    depth_scale_base: f64,
    book: &mut L2Book,
) -> (Price, Price) {
    let tick_usd = instrument.tick_at(Price::from_f64(mid_usd)).to_f64();
    let half_spread_usd = f64::from(draw_spread_ticks(rng)) * tick_usd / 2.0;
    // Each touch on the grid price nearest to mid ∓ half spread. Near a power of ten the tick
    // above is ten times the tick below; rounding each side on its own grid keeps the book
    // centred there, at worst one tick apart instead of the drawn width.
    let best_bid = round_nearest(instrument, mid_usd - half_spread_usd);
    let best_ask =
        round_nearest(instrument, mid_usd + half_spread_usd).max(step_ticks(instrument, best_bid, Side::Ask, 1));

    book.bids.clear();
    book.asks.clear();
    for (side, best) in [(Side::Bid, best_bid), (Side::Ask, best_ask)] {
        let mut px = best;
        for level in 0..MAX_BOOK_LEVELS {
            if level > 0 {
                px = step_ticks(instrument, px, side, draw_gap_ticks(rng));
            }
            let sz = draw_level_size(rng, instrument, level, depth_scale_base);
            let orders = order_count(sz, depth_scale_base);
            let entry = BookLevel { px, sz, orders };
            // Capacity is MAX_BOOK_LEVELS and we push exactly that many a side.
            match side {
                Side::Bid => book.bids.push(entry),
                Side::Ask => book.asks.push(entry),
            }
        }
    }
    (best_bid, best_ask)
}

/// The grid price `ticks` ticks away from `px` on `side` (bids move down, asks up), one tick
/// at a time so that a decade boundary, where the tick size changes, is respected.
pub(crate) fn step_ticks(instrument: &Instrument, px: Price, side: Side, ticks: u32) -> Price {
    let mut px = px;
    for _ in 0..ticks {
        // The next valid price strictly beyond `px`: nudge by one fixed-point unit, then round
        // away from the mid, using the tick that applies on the far side of `px`.
        px = instrument.round_price_passive(Price(px.units() - side.sign()), side);
    }
    px
}

/// The grid price nearest to `px_usd`: round down after adding half the local tick.
fn round_nearest(instrument: &Instrument, px_usd: f64) -> Price {
    let half_tick_usd = instrument.tick_at(Price::from_f64(px_usd)).to_f64() / 2.0;
    instrument.round_price_passive(Price::from_f64(px_usd + half_tick_usd), Side::Bid)
}

fn draw_spread_ticks<R: Rng>(rng: &mut R) -> u32 {
    if rng.gen::<f64>() < WIDE_SPREAD_PROB {
        rng.gen_range(2..=MAX_SPREAD_TICKS)
    } else {
        1
    }
}

fn draw_gap_ticks<R: Rng>(rng: &mut R) -> u32 {
    let total: u32 = LEVEL_GAP_TICK_COUNTS.iter().sum();
    let mut pick = rng.gen_range(0..total);
    for (gap_minus_one, &count) in LEVEL_GAP_TICK_COUNTS.iter().enumerate() {
        if pick < count {
            return gap_minus_one as u32 + 1;
        }
        pick -= count;
    }
    MAX_LEVEL_GAP_TICKS
}

/// Lognormal with mean `depth_scale_base · profile[level]`, rounded down to lots, at least one.
fn draw_level_size<R: Rng>(rng: &mut R, instrument: &Instrument, level: usize, depth_scale_base: f64) -> Qty {
    let log_sd = if level == 0 { TOUCH_SIZE_LOG_SD } else { DEEP_SIZE_LOG_SD };
    let z: f64 = rng.sample(StandardNormal);
    // exp(s·z − s²/2) has mean 1, so the level's mean is exactly the profile's.
    let mean_base = depth_scale_base * DEPTH_PROFILE_REL_TO_TOUCH[level];
    let size_base = mean_base * (log_sd * z - log_sd * log_sd / 2.0).exp();
    instrument.round_qty_down(Qty::from_f64(size_base)).max(instrument.lot())
}

/// Orders resting at a level of `sz`: its size in average orders, at least one.
fn order_count(sz: Qty, depth_scale_base: f64) -> u32 {
    let orders = (sz.to_f64() / (ORDER_SIZE_REL_TO_TOUCH * depth_scale_base)).round();
    // `as` saturates, so an absurd size gives u32::MAX orders rather than wrapping.
    (orders as u32).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::CoinId;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn instrument(sz_decimals: u32) -> Instrument {
        Instrument { name: "X".into(), sz_decimals, min_notional_usd: 10.0 }
    }

    fn assert_valid(book: &L2Book, instrument: &Instrument) {
        assert_eq!(book.bids.len(), MAX_BOOK_LEVELS);
        assert_eq!(book.asks.len(), MAX_BOOK_LEVELS);
        assert!(book.is_two_sided() && !book.is_crossed());
        for side in [&book.bids, &book.asks] {
            for level in side.iter() {
                assert!(instrument.is_valid_price(level.px), "{} off the grid", level.px);
                assert!(instrument.is_valid_qty(level.sz), "{} not in lots", level.sz);
                assert!(level.orders >= 1);
            }
        }
        assert!(book.bids.windows(2).all(|w| w[0].px > w[1].px), "bids not descending");
        assert!(book.asks.windows(2).all(|w| w[0].px < w[1].px), "asks not ascending");
    }

    #[test]
    fn steps_cross_a_decade_boundary_on_the_finer_grid() {
        let eth = instrument(4);
        let px = |s: &str| Price::parse(s).unwrap();
        // Below $1000 the tick is $0.01, at and above it $0.1.
        assert_eq!(step_ticks(&eth, px("1000"), Side::Bid, 1), px("999.99"));
        assert_eq!(step_ticks(&eth, px("999.99"), Side::Ask, 1), px("1000"));
        assert_eq!(step_ticks(&eth, px("1000"), Side::Ask, 2), px("1000.2"));
        assert_eq!(step_ticks(&eth, px("999.98"), Side::Bid, 0), px("999.98"));
    }

    #[test]
    fn books_are_valid_at_and_around_a_tick_change() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let eth = instrument(4);
        let btc = instrument(5);
        let mut book = L2Book::empty(CoinId(0));
        for mid_usd in [999.995, 1000.0, 1000.04, 999.9, 3000.05, 123.456] {
            for _ in 0..200 {
                build_book(&mut rng, &eth, mid_usd, 50.0, &mut book);
                assert_valid(&book, &eth);
                let book_mid = book.mid_usd().unwrap();
                let tick_usd = eth.tick_at(Price::from_f64(mid_usd)).to_f64();
                assert!((book_mid - mid_usd).abs() <= tick_usd, "mid {book_mid} vs {mid_usd}");
            }
        }
        for mid_usd in [100_000.5, 99_999.7, 9_999.97] {
            build_book(&mut rng, &btc, mid_usd, 3.8, &mut book);
            assert_valid(&book, &btc);
        }
    }

    #[test]
    fn spread_and_span_match_the_capture() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let btc = instrument(5);
        let mut book = L2Book::empty(CoinId(0));
        let snapshots = 5000;
        let (mut spread_ticks, mut bid_span_ticks, mut max_spread) = (0.0, 0.0, 0.0f64);
        for _ in 0..snapshots {
            build_book(&mut rng, &btc, 100_000.5, 3.8, &mut book);
            let spread = (book.asks[0].px - book.bids[0].px).to_f64();
            spread_ticks += spread;
            max_spread = max_spread.max(spread);
            bid_span_ticks += (book.bids[0].px - book.bids[MAX_BOOK_LEVELS - 1].px).to_f64();
        }
        let (spread_ticks, bid_span_ticks) = (spread_ticks / snapshots as f64, bid_span_ticks / snapshots as f64);
        // Capture: mean spread 1.09 ticks (max 5), 20 bid levels span 25.9 ticks on average.
        assert!((1.05..1.13).contains(&spread_ticks), "mean spread {spread_ticks} ticks");
        assert_eq!(max_spread, f64::from(MAX_SPREAD_TICKS));
        assert!((23.0..27.0).contains(&bid_span_ticks), "bid span {bid_span_ticks} ticks");
    }
}
