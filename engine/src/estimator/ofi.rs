//! Order flow imbalance at the touch (Cont, Kukanov & Stoikov 2014) over rolling time windows.
//!
//! Each change of the best quotes contributes (MODELS.md, "Estimators")
//!
//! `e_n = 1{Pb_n ≥ Pb_(n−1)}·qb_n − 1{Pb_n ≤ Pb_(n−1)}·qb_(n−1)
//!      − 1{Pa_n ≤ Pa_(n−1)}·qa_n + 1{Pa_n ≥ Pa_(n−1)}·qa_(n−1)`
//!
//! in base units: bid size added at (or above) the touch is buying pressure, ask size added at
//! (or below) it is selling pressure, and size leaving a side is the opposite. OFI over a window
//! is `Σ e_n`. The paper finds the mid change over a window linear in OFI, `ΔP ≈ β·OFI`, with
//! `β` inversely proportional to the depth (their stylised book gives `ΔP = δ·OFI/(2D)`, δ the
//! tick, D the depth per level), measured by the average touch depth `AD = mean over the
//! window's events of (qb_n + qa_n)/2`. So this also reports `OFI / AD` (dimensionless, "how
//! many average touch queues of net pressure"): comparable across coins and across thin and
//! deep books, which raw OFI in base units is not.
//!
//! Implementation: one preallocated ring of events `(time, e_n, qb_n + qa_n)` sized for the
//! longest window and shared by the windows (`WindowedRing`, in `windowed_ring.rs`), each with
//! exact integer running sums (1e-8 base units, so adding and evicting never drifts). Each event
//! is added once and evicted once per window: O(windows) amortised per update, no allocation
//! after `new`. Prices are compared
//! as exact fixed-point values, so `≥`/`≤` mean what they say.
//!
//! Inputs are `(now, bid_px, bid_sz, ask_px, ask_sz)` from book snapshots and BBO updates alike.
//! A repeat of the previous top (both channels report the same change) has `e_n = 0` and is
//! skipped, so the depth average is not weighted by how many channels saw a state.

use super::windowed_ring::{WindowSums, WindowedRing};
use crate::market::{Bbo, L2Book};
use crate::types::{Nanos, Price, Qty, FIXED_SCALE};
use serde::{Deserialize, Serialize};

/// Most windows one estimator tracks (per-window state is a fixed array).
pub const MAX_OFI_WINDOWS: usize = 4;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OfiConfig {
    /// Window lengths, `1..=MAX_OFI_WINDOWS` of them, each positive.
    pub windows_s: Vec<f64>,
    /// Events the ring holds; must cover the longest window at the busiest update rate, or
    /// the oldest events leave early (counted in `overflow_evictions`).
    pub capacity_events: usize,
}

impl Default for OfiConfig {
    fn default() -> Self {
        Self {
            windows_s: vec![1.0, 5.0, 15.0],
            // Hyperliquid publishes at most one top change per block per channel (~10 blocks/s);
            // 4096 events over 15 s allows ~270 changes/s, well above that.
            capacity_events: 4096,
        }
    }
}

/// An [`OfiConfig`] that cannot work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid OFI config: {0}")]
pub struct OfiConfigError(pub &'static str);

impl OfiConfig {
    pub fn validate(&self) -> Result<(), OfiConfigError> {
        if self.windows_s.is_empty() || self.windows_s.len() > MAX_OFI_WINDOWS {
            return Err(OfiConfigError("windows_s must list 1..=4 windows"));
        }
        if !self.windows_s.iter().all(|w| *w > 0.0 && w.is_finite()) {
            return Err(OfiConfigError("every window must be a positive number of seconds"));
        }
        if self.capacity_events < 2 {
            return Err(OfiConfigError("capacity_events must be at least 2"));
        }
        Ok(())
    }
}

/// OFI of one window, as of the last update or [`OfiEstimator::advance`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OfiWindow {
    pub window_s: f64,
    /// `Σ e_n` over the window, in base units.
    pub ofi_base: f64,
    /// Top changes in the window.
    pub events: u32,
    /// Mean of `(qb_n + qa_n)/2` over those changes; 0 when there are none.
    pub avg_touch_depth_base: f64,
    /// `ofi_base / avg_touch_depth_base`; `None` when the window holds no change.
    pub ofi_per_avg_depth: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Top {
    bid_px: Price,
    bid_sz: Qty,
    ask_px: Price,
    ask_sz: Qty,
}

#[derive(Debug, Clone, Copy)]
struct Event {
    e_units: i64,
    /// `qb_n + qa_n` in 1e-8 base units.
    depth_units: i64,
}

#[derive(Debug, Clone, Copy, Default)]
struct OfiSums {
    ofi_units: i128,
    depth_units: i128,
}

impl WindowSums<Event> for OfiSums {
    fn add(&mut self, event: &Event) {
        self.ofi_units += i128::from(event.e_units);
        self.depth_units += i128::from(event.depth_units);
    }

    fn remove(&mut self, event: &Event) {
        self.ofi_units -= i128::from(event.e_units);
        self.depth_units -= i128::from(event.depth_units);
    }
}

/// Rolling OFI of one coin's touch.
#[derive(Debug, Clone)]
pub struct OfiEstimator {
    ring: WindowedRing<Event, OfiSums, MAX_OFI_WINDOWS>,
    last_top: Option<Top>,
    first_time: Option<Nanos>,
    last_time: Option<Nanos>,
    longest: Nanos,
    events: u64,
    duplicates: u64,
    rejected: u64,
    overflow_evictions: u64,
}

impl OfiEstimator {
    pub fn new(config: &OfiConfig) -> Result<Self, OfiConfigError> {
        config.validate()?;
        let ring = WindowedRing::new(config.capacity_events, &config.windows_s);
        let longest = ring.longest();
        Ok(Self {
            ring,
            last_top: None,
            first_time: None,
            last_time: None,
            longest,
            events: 0,
            duplicates: 0,
            rejected: 0,
            overflow_evictions: 0,
        })
    }

    /// A new best bid/ask. Returns `e_n` in base units, or `None` for the first quote, a repeat
    /// of the previous top, or a rejected one (non-positive size, crossed or locked, time going
    /// backwards: counted in `rejected`).
    pub fn on_quote(&mut self, now: Nanos, bid_px: Price, bid_sz: Qty, ask_px: Price, ask_sz: Qty) -> Option<f64> {
        let valid = bid_sz.units() > 0 && ask_sz.units() > 0 && bid_px.units() > 0 && bid_px < ask_px;
        if !valid || self.last_time.is_some_and(|t| now < t) {
            self.rejected += 1;
            return None;
        }
        self.advance(now);
        self.first_time.get_or_insert(now);
        let top = Top { bid_px, bid_sz, ask_px, ask_sz };
        // The first quote only sets the state: e_n needs a predecessor.
        let prev = self.last_top.replace(top)?;
        if prev == top {
            self.duplicates += 1;
            return None;
        }
        let e_units = flow_units(&prev, &top);
        let event = Event { e_units, depth_units: bid_sz.units().saturating_add(ask_sz.units()) };
        if self.ring.push(now, event) {
            // Full: the oldest event left every window still holding it.
            self.overflow_evictions += 1;
        }
        self.events += 1;
        Some(e_units as f64 / FIXED_SCALE as f64)
    }

    /// [`on_quote`](Self::on_quote) with a snapshot's touch; a one-sided book is rejected.
    pub fn on_book(&mut self, now: Nanos, book: &L2Book) -> Option<f64> {
        match (book.bids.first(), book.asks.first()) {
            (Some(b), Some(a)) => self.on_quote(now, b.px, b.sz, a.px, a.sz),
            _ => {
                self.rejected += 1;
                None
            }
        }
    }

    /// [`on_quote`](Self::on_quote) with a BBO update; a side missing is rejected.
    pub fn on_bbo(&mut self, now: Nanos, bbo: &Bbo) -> Option<f64> {
        match (bbo.bid, bbo.ask) {
            (Some(b), Some(a)) => self.on_quote(now, b.px, b.sz, a.px, a.sz),
            _ => {
                self.rejected += 1;
                None
            }
        }
    }

    /// Evicts events that have left their windows by `now` (the time of a read with no new
    /// quote). Earlier times than the last seen are ignored.
    pub fn advance(&mut self, now: Nanos) {
        if self.last_time.is_some_and(|t| now < t) {
            return;
        }
        self.last_time = Some(now);
        self.ring.evict_expired(now);
    }

    pub fn window_count(&self) -> usize {
        self.ring.window_count()
    }

    /// Window `index` (config order); `None` past the configured count.
    pub fn window(&self, index: usize) -> Option<OfiWindow> {
        let w = self.ring.window(index)?;
        let events = w.events as u32;
        let scale = FIXED_SCALE as f64;
        let ofi_base = w.sums.ofi_units as f64 / scale;
        // AD = Σ (qb + qa)/2 / N.
        let avg_touch_depth_base =
            if events == 0 { 0.0 } else { w.sums.depth_units as f64 / scale / 2.0 / f64::from(events) };
        Some(OfiWindow {
            window_s: w.length.as_secs_f64(),
            ofi_base,
            events,
            avg_touch_depth_base,
            ofi_per_avg_depth: (avg_touch_depth_base > 0.0).then(|| ofi_base / avg_touch_depth_base),
        })
    }

    /// `Σ e_n` of window `index` in base units (0 past the configured count).
    pub fn ofi_base(&self, index: usize) -> f64 {
        self.window(index).map_or(0.0, |w| w.ofi_base)
    }

    /// Top changes accepted since construction.
    pub fn samples(&self) -> u64 {
        self.events
    }

    /// Quotes seen for longer than the longest window: every window is fully covered.
    pub fn is_warm(&self) -> bool {
        matches!((self.first_time, self.last_time), (Some(a), Some(b)) if b.saturating_sub(a) >= self.longest)
    }

    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Events dropped early because the ring was full.
    pub fn overflow_evictions(&self) -> u64 {
        self.overflow_evictions
    }
}

/// `e_n` of MODELS.md in 1e-8 base units, exact.
fn flow_units(prev: &Top, now: &Top) -> i64 {
    let mut e: i64 = 0;
    if now.bid_px >= prev.bid_px {
        e = e.saturating_add(now.bid_sz.units());
    }
    if now.bid_px <= prev.bid_px {
        e = e.saturating_sub(prev.bid_sz.units());
    }
    if now.ask_px <= prev.ask_px {
        e = e.saturating_sub(now.ask_sz.units());
    }
    if now.ask_px >= prev.ask_px {
        e = e.saturating_add(prev.ask_sz.units());
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::BookLevel;
    use crate::types::CoinId;

    fn px(v: &str) -> Price {
        Price::parse(v).unwrap()
    }

    fn sz(v: &str) -> Qty {
        Qty::parse(v).unwrap()
    }

    fn est(windows_s: &[f64]) -> OfiEstimator {
        OfiEstimator::new(&OfiConfig { windows_s: windows_s.to_vec(), capacity_events: 64 }).unwrap()
    }

    #[test]
    fn each_case_of_the_event_formula() {
        let mut o = est(&[10.0]);
        let t = Nanos::from_millis;
        // The first quote has no predecessor.
        assert_eq!(o.on_quote(t(0), px("100"), sz("5"), px("101"), sz("4")), None);
        // Bid size up at the same price: +(7 − 5).
        assert_eq!(o.on_quote(t(1), px("100"), sz("7"), px("101"), sz("4")), Some(2.0));
        // Ask size up at the same price: −(6 − 4).
        assert_eq!(o.on_quote(t(2), px("100"), sz("7"), px("101"), sz("6")), Some(-2.0));
        // Bid price up: +new bid size 1.5 (the old level is not subtracted).
        assert_eq!(o.on_quote(t(3), px("100.5"), sz("1.5"), px("101"), sz("6")), Some(1.5));
        // Ask price drops: −new ask size 2.
        assert_eq!(o.on_quote(t(4), px("100.5"), sz("1.5"), px("100.8"), sz("2")), Some(-2.0));
        // Bid price drops (bid queue consumed): −old bid size 1.5.
        assert_eq!(o.on_quote(t(5), px("100"), sz("9"), px("100.8"), sz("2")), Some(-1.5));
        // Ask price rises (ask queue consumed): +old ask size 2.
        assert_eq!(o.on_quote(t(6), px("100"), sz("9"), px("101"), sz("3")), Some(2.0));
        // Σ e_n = 2 − 2 + 1.5 − 2 − 1.5 + 2 = 0, exactly.
        let w = o.window(0).unwrap();
        assert_eq!((w.ofi_base, w.events), (0.0, 6));
        // AD = mean of (qb+qa)/2 = (11 + 13 + 7.5 + 3.5 + 11 + 12)/2/6 = 4.8333…
        assert!((w.avg_touch_depth_base - 58.0 / 12.0).abs() < 1e-12);
        assert_eq!(w.ofi_per_avg_depth, Some(0.0));
    }

    #[test]
    fn buying_pressure_sequence_has_exact_ofi_and_normalisation() {
        // Bids build, then the ask is lifted twice: all buying pressure.
        let mut o = est(&[1.0, 5.0, 15.0]);
        let t = Nanos::from_millis;
        o.on_quote(t(0), px("100"), sz("1"), px("100.1"), sz("2"));
        o.on_quote(t(100), px("100"), sz("3"), px("100.1"), sz("2")); // +2
        o.on_quote(t(200), px("100"), sz("3"), px("100.1"), sz("0.5")); // ask shrinks: +1.5
        o.on_quote(t(300), px("100"), sz("3"), px("100.2"), sz("4")); // ask up: +0.5
        o.on_quote(t(400), px("100.1"), sz("1"), px("100.2"), sz("4")); // bid up: +1
        for i in 0..3 {
            let w = o.window(i).unwrap();
            assert_eq!(w.ofi_base, 5.0);
            assert_eq!(w.events, 4);
            // AD = ((3+2) + (3+0.5) + (3+4) + (1+4))/2/4 = 2.5625; OFI/AD = 1.95122…
            assert_eq!(w.avg_touch_depth_base, 2.5625);
            assert!((w.ofi_per_avg_depth.unwrap() - 5.0 / 2.5625).abs() < 1e-12);
        }
    }

    #[test]
    fn windows_evict_by_time() {
        let mut o = est(&[1.0, 5.0, 15.0]);
        let t = Nanos::from_millis;
        o.on_quote(t(0), px("100"), sz("1"), px("101"), sz("1"));
        o.on_quote(t(500), px("100"), sz("2"), px("101"), sz("1")); // +1 at 0.5 s
        o.on_quote(t(3_000), px("100"), sz("2"), px("101"), sz("3")); // −2 at 3 s
        o.on_quote(t(10_000), px("100"), sz("6"), px("101"), sz("3")); // +4 at 10 s
        assert_eq!([o.ofi_base(0), o.ofi_base(1), o.ofi_base(2)], [4.0, 4.0, 3.0]);
        // At 15.4999 s the 0.5 s event is still inside the 15 s window (age < 15 s)…
        o.advance(Nanos(15_499_999_999));
        assert_eq!([o.ofi_base(0), o.ofi_base(1), o.ofi_base(2)], [0.0, 0.0, 3.0]);
        // …and leaves it at exactly 15.5 s: a window is the half-open interval (now − W, now].
        o.advance(t(15_500));
        assert_eq!(o.ofi_base(2), 2.0);
        o.advance(t(25_000));
        let w = o.window(2).unwrap();
        assert_eq!((w.ofi_base, w.events, w.ofi_per_avg_depth), (0.0, 0, None));
        assert!(o.is_warm());
        assert!(o.window(3).is_none());
    }

    #[test]
    fn bad_and_repeated_quotes_are_counted_not_used() {
        let mut o = est(&[1.0]);
        let t = Nanos::from_millis;
        o.on_quote(t(0), px("100"), sz("1"), px("101"), sz("1"));
        assert_eq!(o.on_quote(t(1), px("100"), sz("1"), px("101"), sz("1")), None); // repeat
        assert_eq!(o.on_quote(t(2), px("100"), sz("0"), px("101"), sz("1")), None); // zero size
        assert_eq!(o.on_quote(t(3), px("101"), sz("1"), px("101"), sz("1")), None); // locked
        assert_eq!(o.on_quote(t(4), px("100"), sz("-1"), px("101"), sz("1")), None); // negative

        // A BBO with a side missing and a one-sided book are rejected too.
        let lvl = BookLevel { px: px("100"), sz: sz("3"), orders: 1 };
        let bbo = Bbo { coin: CoinId(0), exchange_time: Default::default(), bid: Some(lvl), ask: None };
        assert_eq!(o.on_bbo(t(5), &bbo), None);
        let mut book = L2Book::empty(CoinId(0));
        book.bids.push(lvl);
        assert_eq!(o.on_book(t(6), &book), None);
        // The next good quote compares against the last good one: bid 1 → 3 at 100: +2.
        book.asks.push(BookLevel { px: px("101"), sz: sz("1"), orders: 1 });
        assert_eq!(o.on_book(t(7), &book), Some(2.0));
        assert_eq!(o.on_quote(t(6), px("100"), sz("9"), px("101"), sz("1")), None); // time backwards
        assert_eq!((o.samples(), o.duplicates(), o.rejected()), (1, 1, 6));
        assert!(!o.is_warm());
        assert!(OfiEstimator::new(&OfiConfig { windows_s: vec![], capacity_events: 64 }).is_err());
        assert!(OfiEstimator::new(&OfiConfig { windows_s: vec![1.0; 5], capacity_events: 64 }).is_err());
    }

    #[test]
    fn a_full_ring_drops_the_oldest_event_from_every_window() {
        let mut o = OfiEstimator::new(&OfiConfig { windows_s: vec![1.0, 100.0], capacity_events: 4 }).unwrap();
        o.on_quote(Nanos::ZERO, px("100"), sz("1"), px("101"), sz("1"));
        // Six +1 events 10 ms apart: the ring keeps the last four.
        for i in 1..=6u64 {
            o.on_quote(Nanos::from_millis(10 * i), px("100"), sz(&(1 + i).to_string()), px("101"), sz("1"));
        }
        assert_eq!(o.overflow_evictions(), 2);
        assert_eq!([o.ofi_base(0), o.ofi_base(1)], [4.0, 4.0]);
        assert_eq!(o.window(1).unwrap().events, 4);
    }

    #[test]
    fn sums_stay_exact_over_many_random_updates() {
        use rand::{Rng, SeedableRng};
        // Random walk of the touch for 10 minutes at 20 updates/s; the running sums must equal a
        // brute-force Σ e_n over each window at the end (integer arithmetic: no drift at all).
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut o = OfiEstimator::new(&OfiConfig::default()).unwrap();
        let mut history: Vec<(Nanos, f64)> = Vec::new();
        let (mut bid_ticks, mut bid_lots, mut ask_lots) = (100_000i64, 5i64, 5i64);
        let mut spread_ticks = 1i64;
        let mut now = Nanos::ZERO;
        for i in 0..12_000u64 {
            now = Nanos::from_millis(50 * i);
            match rng.gen_range(0..4) {
                0 => bid_ticks += rng.gen_range(-1..=1),
                1 => spread_ticks = rng.gen_range(1..=3),
                2 => bid_lots = rng.gen_range(1..=20),
                _ => ask_lots = rng.gen_range(1..=20),
            }
            let bid = Price(bid_ticks * 1_000_000);
            let ask = Price((bid_ticks + spread_ticks) * 1_000_000);
            let (qb, qa) = (Qty(bid_lots * 1_000_000), Qty(ask_lots * 1_000_000));
            if let Some(e) = o.on_quote(now, bid, qb, ask, qa) {
                history.push((now, e));
            }
        }
        for (index, window_s) in [1.0, 5.0, 15.0].into_iter().enumerate() {
            let brute: f64 =
                history.iter().filter(|(t, _)| now.saturating_sub(*t).as_secs_f64() < window_s).map(|(_, e)| e).sum();
            assert!((o.ofi_base(index) - brute).abs() < 1e-9, "window {window_s}: {} vs {brute}", o.ofi_base(index));
        }
        assert_eq!(o.overflow_evictions(), 0);
        assert!(o.samples() > 8_000, "{}", o.samples());
    }
}
