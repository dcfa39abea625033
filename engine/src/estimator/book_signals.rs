//! Book-shape signals from one L2 snapshot.
//!
//! MODELS.md, "Estimators": the top-k depth imbalance `(bid depth − ask depth)/(bid depth +
//! ask depth)` ∈ [−1, 1] is for skewing, not for the width; the weighted mid
//! `Pb·(1 − I) + Pa·I`, `I = Qb/(Qb + Qa)`, is the first cut of Stoikov's microprice; near-touch
//! liquidity (depth within X bps of the mid) scales γ up when the book is thin; the market
//! spread is a sanity reference. Everything here is a pure function of the snapshot;
//! [`BookSignalsEstimator`] also feeds each spread to a [`SpreadRegime`] (its own module),
//! which needs the spread's history. Nothing allocates.
//!
//! Levels with a non-positive size are skipped by every sum (a venue never sends one; if a bad
//! one slips through it must not flip a sign), and [`BookSignalsEstimator`] counts books it
//! cannot use (one-sided or crossed).

use super::spread_regime::{SpreadRegime, SpreadRegimeConfig};
use crate::market::{BookLevel, L2Book, MAX_BOOK_LEVELS};
use crate::types::Nanos;
use crate::units::{bps_to_frac, frac_to_bps};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BookSignalsConfig {
    /// Levels per side (k) summed by the depth imbalance, `1..=MAX_BOOK_LEVELS`.
    pub imbalance_levels: usize,
    /// Half-width X of the near-touch band around the mid.
    pub near_touch_bps: f64,
    /// Near-touch liquidity of the thinner side at (and above) which γ is left unscaled.
    pub gamma_reference_liquidity_usd: f64,
    /// Exponent of `(reference / near-touch liquidity)` in the γ multiplier.
    pub gamma_exponent: f64,
    /// Upper clamp of the γ multiplier (≥ 1): a near-empty book must not send γ to infinity.
    pub gamma_max_multiplier: f64,
    pub spread: SpreadRegimeConfig,
}

impl Default for BookSignalsConfig {
    fn default() -> Self {
        Self {
            // Five levels: deep enough to see the near book, shallow enough that stale far
            // levels (which rarely trade) do not dominate.
            imbalance_levels: 5,
            // A few typical trade distances on a liquid major (MODELS.md: "a few bps").
            near_touch_bps: 5.0,
            // Per-coin in practice; 100 k USD a side within 5 bps is a mid-cap perp's normal book.
            gamma_reference_liquidity_usd: 100_000.0,
            // Square-root impact (MODELS.md, "Market-quality analytics"): unwinding Q costs
            // ∝ √(Q/V), so halving the depth V raises the unwind cost by √2. Scaling γ, the
            // price of carrying inventory, by (V_ref/V)^0.5 tracks that cost.
            gamma_exponent: 0.5,
            // A book 16× thinner than the reference quadruples γ; beyond that, stop quoting is
            // the risk layer's decision, not a wider spread's.
            gamma_max_multiplier: 4.0,
            spread: SpreadRegimeConfig::default(),
        }
    }
}

/// A [`BookSignalsConfig`] or [`SpreadRegimeConfig`] field that cannot work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid book-signals config: {0}")]
pub struct BookSignalsConfigError(pub &'static str);

impl BookSignalsConfig {
    pub fn validate(&self) -> Result<(), BookSignalsConfigError> {
        if !(1..=MAX_BOOK_LEVELS).contains(&self.imbalance_levels) {
            return Err(BookSignalsConfigError("imbalance_levels must be 1..=20"));
        }
        if !(self.near_touch_bps > 0.0 && self.near_touch_bps.is_finite()) {
            return Err(BookSignalsConfigError("near_touch_bps must be a positive number"));
        }
        if !(self.gamma_reference_liquidity_usd > 0.0 && self.gamma_reference_liquidity_usd.is_finite()) {
            return Err(BookSignalsConfigError("gamma_reference_liquidity_usd must be a positive number"));
        }
        if !(self.gamma_exponent >= 0.0 && self.gamma_exponent.is_finite()) {
            return Err(BookSignalsConfigError("gamma_exponent must be ≥ 0"));
        }
        if !(self.gamma_max_multiplier >= 1.0 && self.gamma_max_multiplier.is_finite()) {
            return Err(BookSignalsConfigError("gamma_max_multiplier must be ≥ 1"));
        }
        self.spread.validate()
    }
}

/// Resting liquidity within the near-touch band, per side.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NearTouchLiquidity {
    pub bid_base: f64,
    pub ask_base: f64,
    /// Σ px·sz of the bid levels in the band.
    pub bid_usd: f64,
    pub ask_usd: f64,
}

impl NearTouchLiquidity {
    /// The thinner side's notional: what γ scaling looks at (see [`gamma_multiplier`]).
    pub fn thinner_side_usd(&self) -> f64 {
        self.bid_usd.min(self.ask_usd)
    }
}

/// All snapshot signals of one two-sided book.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookSignals {
    pub mid_usd: f64,
    /// Weighted mid at the touch (MODELS.md, "Microprice").
    pub microprice_usd: f64,
    pub spread_bps: f64,
    /// Top-k depth imbalance in [−1, 1]; positive = more resting bid size.
    pub depth_imbalance: f64,
    /// Queue at the touch: best bid size and best ask size.
    pub touch_bid_base: f64,
    pub touch_ask_base: f64,
    pub near_touch: NearTouchLiquidity,
    /// Factor ≥ 1 to multiply γ by (see [`gamma_multiplier`]).
    pub gamma_multiplier: f64,
}

/// Σ of positive level sizes over the first `levels` levels, in 1e-8 base units.
fn depth_units(levels: &[BookLevel], count: usize) -> i128 {
    levels.iter().take(count).map(|l| i128::from(l.sz.units())).filter(|&u| u > 0).sum()
}

/// Top-`levels` depth imbalance `(Σ bid sz − Σ ask sz)/(Σ bid sz + Σ ask sz)` ∈ [−1, 1]
/// (MODELS.md, "Estimators"). `None` when both sides are empty.
pub fn depth_imbalance(book: &L2Book, levels: usize) -> Option<f64> {
    let bid = depth_units(&book.bids, levels);
    let ask = depth_units(&book.asks, levels);
    let total = bid + ask;
    // Integer sums are exact; one division at the end.
    (total > 0).then(|| (bid - ask) as f64 / total as f64)
}

/// Quoted spread `(ask − bid)/mid` in bps; `None` unless the book is two-sided.
pub fn spread_bps(book: &L2Book) -> Option<f64> {
    let mid = book.mid_usd()?;
    let spread_usd = (book.asks[0].px - book.bids[0].px).to_f64();
    Some(frac_to_bps(spread_usd / mid))
}

/// Size and notional resting within `band_bps` of `mid_usd` on each side: bids at
/// `px ≥ mid·(1 − X)`, asks at `px ≤ mid·(1 + X)` (X as a fraction).
pub fn near_touch_liquidity(book: &L2Book, mid_usd: f64, band_bps: f64) -> NearTouchLiquidity {
    let mut out = NearTouchLiquidity::default();
    if !(mid_usd > 0.0 && mid_usd.is_finite()) {
        return out;
    }
    let band_frac = bps_to_frac(band_bps);
    let bid_floor_usd = mid_usd * (1.0 - band_frac);
    let ask_ceiling_usd = mid_usd * (1.0 + band_frac);
    for level in book.bids.iter().filter(|l| l.sz.units() > 0) {
        let px = level.px.to_f64();
        if px < bid_floor_usd {
            break; // bids are best (highest) first
        }
        out.bid_base += level.sz.to_f64();
        out.bid_usd += px * level.sz.to_f64();
    }
    for level in book.asks.iter().filter(|l| l.sz.units() > 0) {
        let px = level.px.to_f64();
        if px > ask_ceiling_usd {
            break; // asks are best (lowest) first
        }
        out.ask_base += level.sz.to_f64();
        out.ask_usd += px * level.sz.to_f64();
    }
    out
}

/// `clamp((reference / liquidity)^exponent, 1, max)`.
///
/// A heuristic, not a model result: MODELS.md says only "scale γ up when thin". The power law
/// with exponent 0.5 follows square-root impact (see [`BookSignalsConfig::default`]); the
/// floor of 1 means a deep book never lowers γ below its calibrated value. `liquidity_usd`
/// should be the thinner side's notional ([`NearTouchLiquidity::thinner_side_usd`]): the side
/// we may have to cross to unwind is unknown in advance, so price the worse one. Zero, negative
/// or NaN liquidity gives the maximum.
pub fn gamma_multiplier(liquidity_usd: f64, config: &BookSignalsConfig) -> f64 {
    if liquidity_usd.is_nan() || liquidity_usd <= 0.0 {
        return config.gamma_max_multiplier;
    }
    let scaled = (config.gamma_reference_liquidity_usd / liquidity_usd).powf(config.gamma_exponent);
    // `max` first so a NaN from a bad config lands on the floor rather than propagating.
    scaled.max(1.0).min(config.gamma_max_multiplier)
}

impl BookSignals {
    /// Every snapshot signal; `None` unless the book is two-sided.
    pub fn from_book(book: &L2Book, config: &BookSignalsConfig) -> Option<BookSignals> {
        let mid_usd = book.mid_usd()?;
        let near_touch = near_touch_liquidity(book, mid_usd, config.near_touch_bps);
        Some(BookSignals {
            mid_usd,
            microprice_usd: book.weighted_mid_usd().unwrap_or(mid_usd),
            spread_bps: spread_bps(book)?,
            depth_imbalance: depth_imbalance(book, config.imbalance_levels).unwrap_or(0.0),
            touch_bid_base: book.bids[0].sz.to_f64(),
            touch_ask_base: book.asks[0].sz.to_f64(),
            near_touch,
            gamma_multiplier: gamma_multiplier(near_touch.thinner_side_usd(), config),
        })
    }
}

/// Per-coin state: the snapshot signals of each book plus the spread's regime.
#[derive(Debug, Clone)]
pub struct BookSignalsEstimator {
    config: BookSignalsConfig,
    spread: SpreadRegime,
    books: u64,
    rejected_books: u64,
}

impl BookSignalsEstimator {
    pub fn new(config: BookSignalsConfig) -> Result<Self, BookSignalsConfigError> {
        config.validate()?;
        Ok(Self { spread: SpreadRegime::new(&config.spread)?, config, books: 0, rejected_books: 0 })
    }

    /// Signals of `book`, feeding its spread to the regime tracker; `None` (and counted) for a
    /// one-sided or crossed book.
    pub fn on_book(&mut self, now: Nanos, book: &L2Book) -> Option<BookSignals> {
        let Some(signals) = BookSignals::from_book(book, &self.config) else {
            self.rejected_books += 1;
            return None;
        };
        self.books += 1;
        self.spread.on_spread(now, signals.spread_bps);
        Some(signals)
    }

    pub fn spread_regime(&self) -> &SpreadRegime {
        &self.spread
    }

    /// Books turned into signals.
    pub fn samples(&self) -> u64 {
        self.books
    }

    /// One-sided or crossed books ignored.
    pub fn rejected_books(&self) -> u64 {
        self.rejected_books
    }

    pub fn is_warm(&self) -> bool {
        self.spread.is_warm()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimator::SpreadRegimeLabel;
    use crate::types::CoinId;

    use crate::market::book_fixtures::book;

    /// Mid 100, spread 2 bps (99.99 / 100.01); levels 1 cent apart.
    fn ladder() -> L2Book {
        book(
            &[("99.99", "3"), ("99.98", "2"), ("99.97", "1"), ("99.90", "10")],
            &[("100.01", "1"), ("100.02", "1"), ("100.03", "2"), ("100.10", "10")],
        )
    }

    #[test]
    fn depth_imbalance_over_k_levels() {
        let b = ladder();
        // k=1: (3 − 1)/4; k=3: (6 − 4)/10; k=4: (16 − 14)/30.
        assert_eq!(depth_imbalance(&b, 1), Some(0.5));
        assert_eq!(depth_imbalance(&b, 3), Some(0.2));
        assert_eq!(depth_imbalance(&b, 4), Some(2.0 / 30.0));
        // One side empty is the extreme, both empty is undefined.
        assert_eq!(depth_imbalance(&book(&[("99", "2")], &[]), 5), Some(1.0));
        assert_eq!(depth_imbalance(&book(&[], &[("101", "2")]), 5), Some(-1.0));
        assert_eq!(depth_imbalance(&L2Book::empty(CoinId(0)), 5), None);
        // A bad (zero or negative) level is skipped, not subtracted.
        let bad = book(&[("99", "2"), ("98", "-5")], &[("101", "0"), ("102", "2")]);
        assert_eq!(depth_imbalance(&bad, 5), Some(0.0));
    }

    #[test]
    fn snapshot_signals_have_exact_values() {
        let config = BookSignalsConfig {
            near_touch_bps: 2.5, // band [99.975, 100.025]: two levels each side
            gamma_reference_liquidity_usd: 2_000.0,
            ..BookSignalsConfig::default()
        };
        let s = BookSignals::from_book(&ladder(), &config).unwrap();
        assert_eq!(s.mid_usd, 100.0);
        // I = 3/4: 99.99·0.25 + 100.01·0.75 = 100.005.
        assert!((s.microprice_usd - 100.005).abs() < 1e-9, "{}", s.microprice_usd);
        assert!((s.spread_bps - 2.0).abs() < 1e-9, "{}", s.spread_bps);
        // k = 5 (default) covers all 4 levels.
        assert!((s.depth_imbalance - 2.0 / 30.0).abs() < 1e-12);
        assert_eq!((s.touch_bid_base, s.touch_ask_base), (3.0, 1.0));
        let nt = s.near_touch;
        assert_eq!((nt.bid_base, nt.ask_base), (5.0, 2.0));
        assert!((nt.bid_usd - (99.99 * 3.0 + 99.98 * 2.0)).abs() < 1e-9);
        assert!((nt.ask_usd - (100.01 + 100.02)).abs() < 1e-9);
        // Thinner side 200.03 USD vs reference 2000: √(2000/200.03) = 3.162040…
        let expected = (2_000.0f64 / 200.03).sqrt();
        assert!((s.gamma_multiplier - expected).abs() < 1e-12, "{}", s.gamma_multiplier);
        assert!((s.gamma_multiplier - 3.162_040_5).abs() < 1e-7);
    }

    #[test]
    fn gamma_multiplier_is_clamped_to_one_and_max() {
        let config = BookSignalsConfig { gamma_reference_liquidity_usd: 10_000.0, ..BookSignalsConfig::default() };
        assert_eq!(gamma_multiplier(40_000.0, &config), 1.0); // deep book: never below 1
        assert_eq!(gamma_multiplier(10_000.0, &config), 1.0);
        assert_eq!(gamma_multiplier(2_500.0, &config), 2.0); // 4× thinner → √4
        assert_eq!(gamma_multiplier(100.0, &config), 4.0); // √100 = 10, clamped to 4
        assert_eq!(gamma_multiplier(0.0, &config), 4.0);
        assert_eq!(gamma_multiplier(f64::NAN, &config), 4.0);
        let linear = BookSignalsConfig { gamma_exponent: 1.0, ..config };
        assert_eq!(gamma_multiplier(5_000.0, &linear), 2.0);
    }

    #[test]
    fn unusable_books_are_counted_not_signalled() {
        let mut est = BookSignalsEstimator::new(BookSignalsConfig::default()).unwrap();
        assert!(est.on_book(Nanos(0), &book(&[("101", "1")], &[("100", "1")])).is_none()); // crossed
        assert!(est.on_book(Nanos(1), &book(&[("100", "1")], &[])).is_none()); // one-sided
        assert!(est.on_book(Nanos(2), &ladder()).is_some());
        assert_eq!((est.samples(), est.rejected_books()), (1, 2));
        assert!(!est.is_warm());
        assert_eq!(est.spread_regime().label(), SpreadRegimeLabel::Normal);
        let bad = BookSignalsConfig { imbalance_levels: 0, ..BookSignalsConfig::default() };
        assert!(BookSignalsEstimator::new(bad).is_err());
    }
}
