//! Aggressor trade flow over rolling time windows: buy and sell volume, their difference and
//! the normalised imbalance.
//!
//! Per window (e.g. 1 s, 5 s, 30 s) the estimator keeps the volume bought and sold by takers,
//! in base units and in USD notional. The magnitude matters as much as the sign: an imbalance of
//! +1 on one lot says little, the same on a hundred says a lot, so both `net = buy − sell` and
//! `imbalance = net / (buy + sell) ∈ [−1, 1]` (0 with no volume) are exposed.
//!
//! **O(1) amortised, no allocation after construction.** Trades go into one preallocated ring
//! shared by the windows (`WindowedRing`, in `windowed_ring.rs`); each window keeps running sums
//! and a trade leaves it when `now − t ≥ window`. The ring only needs to hold the longest
//! window's trades: when it is full, the oldest live trade is dropped from every window still
//! holding it and counted (`capacity_evictions`), so a non-zero count says the windows were
//! truncated and the capacity should grow.
//!
//! **Exact sums.** Sizes are fixed-point integers and notional `px·sz` is an exact `i128` of
//! 1e-16 USD, so adding and subtracting leaves no floating-point drift: a window emptied by time
//! returns exactly to zero.

use super::windowed_ring::{WindowSums, WindowedRing};
use crate::market::Trade;
use crate::types::{Nanos, Qty, Side, FIXED_SCALE};
use serde::{Deserialize, Serialize};

/// Most windows one estimator keeps (a short, a medium and a long one, plus one spare).
pub const MAX_FLOW_WINDOWS: usize = 4;
/// Largest ring: ~30 s of the busiest Hyperliquid coins fits in a few thousand trades; a
/// million (32 MB) is a typo, not a setting.
pub const MAX_FLOW_CAPACITY_TRADES: usize = 1 << 20;

/// Notional units per USD: price and size are both in 1e-8 units.
const NOTIONAL_UNITS_PER_USD: f64 = (FIXED_SCALE as f64) * (FIXED_SCALE as f64);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TradeFlowConfig {
    /// Window lengths, in seconds (1..=MAX_FLOW_WINDOWS of them, any order).
    pub windows_s: Vec<f64>,
    /// Trades the ring holds: enough for the longest window at the busiest times.
    pub capacity_trades: usize,
}

impl Default for TradeFlowConfig {
    fn default() -> Self {
        Self { windows_s: vec![1.0, 5.0, 30.0], capacity_trades: 8192 }
    }
}

/// Why a [`TradeFlowConfig`] is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TradeFlowConfigError {
    #[error("flow.windows_s must list 1..={MAX_FLOW_WINDOWS} windows, got {0}")]
    WindowCount(usize),
    #[error("flow.windows_s must be positive finite seconds (≥ 1 ns), got {0}")]
    Window(f64),
    #[error("flow.capacity_trades must be 1..={MAX_FLOW_CAPACITY_TRADES}, got {0}")]
    Capacity(usize),
}

impl TradeFlowConfig {
    pub fn validate(&self) -> Result<(), TradeFlowConfigError> {
        if !(1..=MAX_FLOW_WINDOWS).contains(&self.windows_s.len()) {
            return Err(TradeFlowConfigError::WindowCount(self.windows_s.len()));
        }
        for &w in &self.windows_s {
            // Below 1 ns the window would round to zero length and hold nothing.
            if !(w.is_finite() && w >= 1e-9 && w < u64::MAX as f64 / 1e9) {
                return Err(TradeFlowConfigError::Window(w));
            }
        }
        if !(1..=MAX_FLOW_CAPACITY_TRADES).contains(&self.capacity_trades) {
            return Err(TradeFlowConfigError::Capacity(self.capacity_trades));
        }
        Ok(())
    }
}

/// Flow over one window, as of the latest time the estimator saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlowWindow {
    pub window_s: f64,
    pub trades: u32,
    /// Volume bought by takers (aggressor = bid).
    pub buy_base: Qty,
    /// Volume sold by takers (aggressor = ask).
    pub sell_base: Qty,
    pub buy_usd: f64,
    pub sell_usd: f64,
}

impl FlowWindow {
    /// `buy − sell`, base units.
    pub fn net_base(&self) -> Qty {
        self.buy_base - self.sell_base
    }

    /// `buy − sell`, USD.
    pub fn net_usd(&self) -> f64 {
        self.buy_usd - self.sell_usd
    }

    pub fn total_base(&self) -> Qty {
        self.buy_base + self.sell_base
    }

    /// `(buy − sell)/(buy + sell)` on base volume, in `[−1, 1]`; 0 with no volume.
    pub fn imbalance(&self) -> f64 {
        let total = self.total_base();
        if total.is_zero() {
            0.0
        } else {
            self.net_base().to_f64() / total.to_f64()
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct RingTrade {
    side: Side,
    size_units: i64,
    notional_units: i128,
}

/// Per side, indexed by `Side::index()` (0 = bought, 1 = sold).
#[derive(Debug, Clone, Copy, Default)]
struct FlowSums {
    size_units: [i64; 2],
    notional_units: [i128; 2],
}

impl WindowSums<RingTrade> for FlowSums {
    fn add(&mut self, trade: &RingTrade) {
        let side = trade.side.index();
        self.size_units[side] += trade.size_units;
        self.notional_units[side] += trade.notional_units;
    }

    fn remove(&mut self, trade: &RingTrade) {
        let side = trade.side.index();
        self.size_units[side] -= trade.size_units;
        self.notional_units[side] -= trade.notional_units;
    }
}

/// Rolling aggressor-flow state machine for one coin.
#[derive(Debug, Clone)]
pub struct TradeFlow {
    ring: WindowedRing<RingTrade, FlowSums, MAX_FLOW_WINDOWS>,
    first_time: Option<Nanos>,
    now: Nanos,
    longest: Nanos,
    trades: u64,
    ignored_trades: u64,
    out_of_order: u64,
    capacity_evictions: u64,
}

impl TradeFlow {
    pub fn new(config: &TradeFlowConfig) -> Result<Self, TradeFlowConfigError> {
        config.validate()?;
        let ring = WindowedRing::new(config.capacity_trades, &config.windows_s);
        let longest = ring.longest();
        Ok(Self {
            ring,
            first_time: None,
            now: Nanos::ZERO,
            longest,
            trades: 0,
            ignored_trades: 0,
            out_of_order: 0,
            capacity_evictions: 0,
        })
    }

    /// Moves time to `now` (never backwards) and drops trades that left each window.
    pub fn advance(&mut self, now: Nanos) {
        if now < self.now {
            self.out_of_order += 1;
            return;
        }
        self.now = now;
        self.first_time.get_or_insert(now);
        self.ring.evict_expired(now);
    }

    /// Adds a trade at `now`. Non-positive size or price: ignored and counted. A time before the
    /// latest is taken as the latest (counted), keeping the ring in time order.
    pub fn on_trade(&mut self, now: Nanos, trade: &Trade) {
        if trade.sz.units() <= 0 || trade.px.units() <= 0 {
            self.ignored_trades += 1;
            return;
        }
        self.advance(now);
        let entry = RingTrade {
            side: trade.aggressor,
            size_units: trade.sz.units(),
            notional_units: i128::from(trade.px.units()) * i128::from(trade.sz.units()),
        };
        if self.ring.push(self.now, entry) {
            self.capacity_evictions += 1;
        }
        self.trades += 1;
    }

    /// Number of windows (in config order).
    pub fn window_count(&self) -> usize {
        self.ring.window_count()
    }

    /// Window `index` (config order) as of the latest time seen; `None` past the last window.
    pub fn window(&self, index: usize) -> Option<FlowWindow> {
        let w = self.ring.window(index)?;
        let bought = Side::Bid.index();
        let sold = Side::Ask.index();
        Some(FlowWindow {
            window_s: w.length.as_secs_f64(),
            // At most the ring's capacity (≤ MAX_FLOW_CAPACITY_TRADES).
            trades: w.events as u32,
            buy_base: Qty(w.sums.size_units[bought]),
            sell_base: Qty(w.sums.size_units[sold]),
            buy_usd: w.sums.notional_units[bought] as f64 / NOTIONAL_UNITS_PER_USD,
            sell_usd: w.sums.notional_units[sold] as f64 / NOTIONAL_UNITS_PER_USD,
        })
    }

    /// Latest time seen.
    pub fn now(&self) -> Nanos {
        self.now
    }

    /// Accepted trades (the sample count).
    pub fn trades(&self) -> u64 {
        self.trades
    }

    pub fn ignored_trades(&self) -> u64 {
        self.ignored_trades
    }

    /// Updates stamped before the latest time.
    pub fn out_of_order(&self) -> u64 {
        self.out_of_order
    }

    /// Trades dropped from a window because the ring was full.
    pub fn capacity_evictions(&self) -> u64 {
        self.capacity_evictions
    }

    /// The longest window has been observed in full (before that, sums under-count).
    pub fn is_warm(&self) -> bool {
        self.first_time.is_some_and(|first| self.now.saturating_sub(first) >= self.longest)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::trade;
    use super::*;
    use rand::{Rng, SeedableRng};

    fn flow(windows_s: &[f64], capacity_trades: usize) -> TradeFlow {
        TradeFlow::new(&TradeFlowConfig { windows_s: windows_s.to_vec(), capacity_trades }).unwrap()
    }

    fn ms(ms: u64) -> Nanos {
        Nanos::from_millis(ms)
    }

    #[test]
    fn scripted_trades_give_exact_window_sums() {
        let mut f = flow(&[1.0, 5.0], 64);
        f.on_trade(ms(0), &trade(Side::Bid, 100.0, 2.0));
        f.on_trade(ms(500), &trade(Side::Ask, 101.0, 0.5));
        f.on_trade(ms(1200), &trade(Side::Bid, 102.0, 1.0));
        // At 1.2 s the 1 s window holds the trades at 0.5 s and 1.2 s; the 5 s window all three.
        let short = f.window(0).unwrap();
        assert_eq!((short.trades, short.buy_base, short.sell_base), (2, Qty::from_f64(1.0), Qty::from_f64(0.5)));
        assert_eq!((short.buy_usd, short.sell_usd), (102.0, 50.5));
        let long = f.window(1).unwrap();
        assert_eq!((long.trades, long.buy_base, long.sell_base), (3, Qty::from_f64(3.0), Qty::from_f64(0.5)));
        assert_eq!((long.buy_usd, long.net_usd()), (302.0, 251.5));
        assert_eq!(long.net_base(), Qty::from_f64(2.5));
        assert!((long.imbalance() - 2.5 / 3.5).abs() < 1e-15);
        // At exactly 1.5 s the trade at 0.5 s has been in the 1 s window for 1 s: out.
        f.advance(ms(1500));
        assert_eq!(f.window(0).unwrap().sell_base, Qty::ZERO);
        assert!(f.window(0).unwrap().imbalance() == 1.0);
        assert!(f.window(2).is_none());
    }

    #[test]
    fn time_empties_the_windows_exactly() {
        let mut f = flow(&[1.0, 5.0, 30.0], 1024);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for i in 0..500u64 {
            let side = if rng.gen::<bool>() { Side::Bid } else { Side::Ask };
            f.on_trade(ms(20 * i), &trade(side, rng.gen_range(90.0..110.0), rng.gen_range(0.001..3.0)));
        }
        assert!(!f.is_warm(), "10 s of a 30 s window");
        f.advance(ms(10_000 + 30_000));
        assert!(f.is_warm());
        for i in 0..3 {
            let w = f.window(i).unwrap();
            assert_eq!((w.trades, w.buy_base, w.sell_base, w.buy_usd, w.sell_usd), (0, Qty::ZERO, Qty::ZERO, 0.0, 0.0));
            assert_eq!(w.imbalance(), 0.0);
        }
    }

    #[test]
    fn matches_brute_force_on_random_trades() {
        let windows_s = [0.3, 2.0, 7.5];
        let mut f = flow(&windows_s, 4096);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let mut log: Vec<(Nanos, Trade)> = Vec::new();
        let mut now = Nanos::ZERO;
        for _ in 0..3000 {
            // Bursts at one instant and gaps up to 0.5 s.
            now = now + Nanos::from_millis(if rng.gen_bool(0.3) { 0 } else { rng.gen_range(1..500) });
            let side = if rng.gen::<bool>() { Side::Bid } else { Side::Ask };
            let t = trade(side, rng.gen_range(90.0..110.0), rng.gen_range(0.001..3.0));
            f.on_trade(now, &t);
            log.push((now, t));
            for (i, &w_s) in windows_s.iter().enumerate() {
                let length = Nanos::from_secs_f64(w_s);
                let inside = log.iter().rev().take_while(|(t0, _)| now.saturating_sub(*t0) < length);
                let (mut buy, mut sell, mut buy_usd) = (Qty::ZERO, Qty::ZERO, 0i128);
                for (_, t) in inside {
                    match t.aggressor {
                        Side::Bid => {
                            buy += t.sz;
                            buy_usd += i128::from(t.px.units()) * i128::from(t.sz.units());
                        }
                        Side::Ask => sell += t.sz,
                    }
                }
                let w = f.window(i).unwrap();
                assert_eq!((w.buy_base, w.sell_base), (buy, sell));
                assert_eq!(w.buy_usd, buy_usd as f64 / NOTIONAL_UNITS_PER_USD);
                assert_eq!(w.imbalance() > 0.0, buy > sell);
            }
        }
        assert_eq!(f.capacity_evictions(), 0);
    }

    #[test]
    fn imbalance_sign_follows_the_aggressor() {
        let mut f = flow(&[5.0], 16);
        assert_eq!(f.window(0).unwrap().imbalance(), 0.0);
        f.on_trade(ms(0), &trade(Side::Ask, 100.0, 3.0));
        f.on_trade(ms(1), &trade(Side::Bid, 100.0, 1.0));
        let w = f.window(0).unwrap();
        assert_eq!(w.imbalance(), -0.5);
        assert_eq!(w.net_base(), Qty::from_f64(-2.0));
    }

    #[test]
    fn full_ring_evicts_the_oldest_and_counts() {
        let mut f = flow(&[1.0, 10.0], 4);
        for i in 0..6u64 {
            f.on_trade(ms(i), &trade(Side::Bid, 100.0, (i + 1) as f64));
        }
        // Trades of size 1 and 2 were pushed out: both windows hold 3 + 4 + 5 + 6.
        assert_eq!(f.capacity_evictions(), 2);
        for i in 0..2 {
            assert_eq!(f.window(i).unwrap().buy_base, Qty::from_f64(18.0));
            assert_eq!(f.window(i).unwrap().trades, 4);
        }
        // Once the short window has let go, the ring only needs the long one's trades; trades
        // that left every window by time free their slots without being counted.
        f.advance(ms(20_000));
        for i in 0..4u64 {
            f.on_trade(ms(20_000 + i), &trade(Side::Ask, 100.0, 1.0));
        }
        assert_eq!(f.capacity_evictions(), 2);
        assert_eq!(f.window(1).unwrap().sell_base, Qty::from_f64(4.0));
    }

    #[test]
    fn bad_input_and_config() {
        let mut f = flow(&[1.0], 8);
        f.on_trade(ms(5), &trade(Side::Bid, 100.0, 0.0));
        f.on_trade(ms(5), &trade(Side::Bid, 100.0, f64::NAN));
        f.on_trade(ms(5), &trade(Side::Bid, 0.0, 1.0));
        f.on_trade(ms(5), &trade(Side::Bid, 100.0, -1.0));
        assert_eq!((f.ignored_trades(), f.trades()), (4, 0));
        f.on_trade(ms(10), &trade(Side::Bid, 100.0, 1.0));
        f.on_trade(ms(9), &trade(Side::Ask, 100.0, 1.0));
        assert_eq!((f.out_of_order(), f.trades(), f.now()), (1, 2, ms(10)));
        assert_eq!(f.window(0).unwrap().imbalance(), 0.0);

        for (windows_s, capacity_trades) in
            [(vec![], 8), (vec![1.0; 5], 8), (vec![0.0], 8), (vec![f64::NAN], 8), (vec![1.0], 0)]
        {
            assert!(TradeFlow::new(&TradeFlowConfig { windows_s, capacity_trades }).is_err());
        }
        assert!(TradeFlow::new(&TradeFlowConfig::default()).is_ok());
    }
}
