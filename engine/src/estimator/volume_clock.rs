//! Volatility on a volume clock: realized and bipower variation of bucket-VWAP returns.
//!
//! Trades are grouped into buckets of equal traded volume (`bucket_volume_base`); a trade larger
//! than the room left in a bucket is split and its remainder opens the next bucket(s). Returns
//! sampled in volume time are closer to Gaussian and homoskedastic than returns in wall time
//! (Ané & Geman 2000), which is what the jump test below assumes. Each bucket yields its VWAP and
//! `r_j = ln(VWAP_j / VWAP_(j−1))`. Over the last `window_returns` returns (MODELS.md
//! "Estimators"; Barndorff-Nielsen & Shephard 2004):
//!
//! - `RV = Σ r_j²` (diffusion plus jumps),
//! - `BV = (π/2)·Σ |r_j|·|r_(j−k)|` (diffusion only: a single jump return is multiplied by a
//!   diffusive neighbour, so its contribution vanishes as buckets shrink),
//! - jump share `(RV − BV)/RV`, clamped to `[0, 1]`.
//!
//! **Lag `k` (`bipower_lag`).** `k = 1` is the textbook BV. The default `k = 2` is the
//! staggered BV (Huang & Tauchen 2005; Andersen, Bollerslev & Diebold 2007), chosen because the
//! samples are VWAPs: a jump inside bucket `j` is shared between `r_j` and `r_(j+1)` (part lands
//! in each VWAP), and with `k = 1` the two halves multiply each other, putting up to
//! `(π/2)·J²/4 ≈ 0.39·J²` of the jump into BV. Averaging also makes adjacent returns correlated
//! (Working 1960: ρ = 1/4 for averages of a random walk); returns two apart are independent.
//!
//! **Time.** σ is quoted per √second, so the variances are divided by time. A VWAP is an
//! average over the bucket, and the difference of two averages of a Brownian path varies less
//! than the path over the wall span: for trades spread evenly it is `(2/3)·σ²·span` (Working
//! 1960), so dividing by wall time would understate σ by `√(2/3) ≈ 0.82`. With trade times
//! independent of the path, `Var(r_j) = σ²·τ_j` exactly, where the *effective time*
//! `τ_j = (m_j − m_(j−1)) − (D_j + D_(j−1))/2`, `m` = volume-weighted mean trade time of a bucket
//! and `D = Σ_i Σ_l w_i·w_l·|t_i − t_l|` (volume weights `w`, ordered pairs) its time dispersion
//! (from `Var(Σ a_i·B(t_i)) = −½·Σ a_i·a_l·|t_i − t_l|` when `Σ a_i = 0`). Hence
//! `σ_rv² = Σ r_j² / Σ τ_j` and, since `E|X|·|Y| = (2/π)·σ_X·σ_Y` for independent normals,
//! `σ_bv² = (π/2)·Σ |r_j|·|r_(j−k)| / Σ √(τ_j·τ_(j−k))`. `D` and `m` are kept in O(1) per trade.
//! The wall time (`end_j − end_(j−1)`) is kept too, for monitoring.
//!
//! **Microstructure.** Trades alternating between bid and ask (half-spread `h`, as a fraction)
//! add bounce noise of about `h²·Σ w_i²` (`h²/n` for `n` equal trades) to each VWAP, so
//! `2·h²/n` to each return, against a signal `σ²·τ`. Both `n` and `τ` grow with the bucket
//! size `B`, so the noise share falls like `1/B²`: size buckets to hold tens of trades (tested
//! below). A trade filling several whole buckets alone makes identical samples (same price, same
//! time): the first enters the window, the repeats (zero returns over zero time, which would
//! add nothing to any sum and only push real returns out) are counted as completed buckets.
//!
//! **Drift.** The sums are updated in O(1) (add the new return's terms, subtract the evicted
//! one's). Add-then-subtract leaves rounding behind, which matters after a jump (r² ≫ the rest)
//! leaves the window; every `window_returns` pushes the sums are recomputed from the ring, which
//! bounds the drift to one window of operations at an amortised O(1) cost.

use crate::market::Trade;
use crate::types::{Nanos, FIXED_SCALE};
use serde::{Deserialize, Serialize};
use std::f64::consts::FRAC_PI_2;

/// Largest `bipower_lag`: 1 (textbook) or 2 (staggered); longer lags only lose data.
pub const MAX_BIPOWER_LAG: usize = 2;
/// Smallest window: BV with lag 2 needs a few products to mean anything.
pub const MIN_WINDOW_RETURNS: usize = 4;
/// Largest window: the ring is allocated at construction (48 bytes a return); a million
/// returns is weeks of buckets, beyond any window that tracks a changing σ.
pub const MAX_WINDOW_RETURNS: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VolumeClockConfig {
    /// Volume per bucket, in base units. Per coin: a bucket should hold tens of trades.
    pub bucket_volume_base: f64,
    /// Returns kept in the rolling window (ring capacity).
    pub window_returns: usize,
    /// Returns needed before σ is trusted.
    pub warmup_returns: usize,
    /// `k` in `|r_j|·|r_(j−k)|`: 1 textbook, 2 staggered (default, see the module doc).
    pub bipower_lag: usize,
}

impl Default for VolumeClockConfig {
    fn default() -> Self {
        Self { bucket_volume_base: 1.0, window_returns: 200, warmup_returns: 30, bipower_lag: 2 }
    }
}

/// Why a [`VolumeClockConfig`] is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VolumeClockConfigError {
    #[error("volume_clock.bucket_volume_base must be a finite number ≥ 1e-8, got {0}")]
    BucketVolume(f64),
    #[error("volume_clock.window_returns must be {MIN_WINDOW_RETURNS}..={MAX_WINDOW_RETURNS}, got {0}")]
    Window(usize),
    #[error("volume_clock.bipower_lag must be 1..={MAX_BIPOWER_LAG}, got {0}")]
    Lag(usize),
    #[error("volume_clock.warmup_returns must be bipower_lag + 1 ..= window_returns, got {0}")]
    Warmup(usize),
}

impl VolumeClockConfig {
    pub fn validate(&self) -> Result<(), VolumeClockConfigError> {
        let units = self.bucket_volume_base * FIXED_SCALE as f64;
        if !(units.is_finite() && units >= 1.0 && units < i64::MAX as f64) {
            return Err(VolumeClockConfigError::BucketVolume(self.bucket_volume_base));
        }
        if !(MIN_WINDOW_RETURNS..=MAX_WINDOW_RETURNS).contains(&self.window_returns) {
            return Err(VolumeClockConfigError::Window(self.window_returns));
        }
        if !(1..=MAX_BIPOWER_LAG).contains(&self.bipower_lag) {
            return Err(VolumeClockConfigError::Lag(self.bipower_lag));
        }
        if !(self.bipower_lag + 1..=self.window_returns).contains(&self.warmup_returns) {
            return Err(VolumeClockConfigError::Warmup(self.warmup_returns));
        }
        Ok(())
    }
}

/// A completed bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeBucket {
    /// Time of the bucket's last trade (piece).
    pub end: Nanos,
    pub vwap_usd: f64,
    pub volume_base: f64,
    /// Trade pieces in the bucket (a split trade counts in each bucket it feeds).
    pub trades: u32,
    /// `end − previous bucket's end` (0 for the first bucket).
    pub wall_span_s: f64,
    /// `τ_j`, the variance-equivalent time of the return (0 for the first bucket).
    pub effective_span_s: f64,
    /// `ln(VWAP_j / VWAP_(j−1))`; `None` for the first bucket.
    pub log_return_frac: Option<f64>,
}

/// What one trade completed: `count` buckets (more than one when a large trade spans several),
/// the last of them in `last`. Feed `count` arrivals at `last.end` to a bucket-rate estimator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketsCompleted {
    pub count: u32,
    pub last: VolumeBucket,
}

/// The bucket being filled. Times are seconds after `start` to keep the sums small.
#[derive(Debug, Clone, Copy, Default)]
struct OpenBucket {
    filled_units: i64,
    notional_usd: f64,
    start: Nanos,
    last: Nanos,
    /// Σ v_i (base units).
    volume_base: f64,
    /// Σ v_i·u_i.
    volume_time_base_s: f64,
    /// Σ_i Σ_l v_i·v_l·|u_i − u_l| (ordered pairs).
    dispersion_raw: f64,
    pieces: u32,
}

impl OpenBucket {
    fn add(&mut self, now: Nanos, px_usd: f64, units: i64) {
        if self.pieces == 0 {
            self.start = now;
        }
        let v = units as f64 / FIXED_SCALE as f64;
        let u = now.saturating_sub(self.start).as_secs_f64();
        // Times arrive in order, so every earlier piece is at u_l ≤ u.
        self.dispersion_raw += 2.0 * v * (u * self.volume_base - self.volume_time_base_s);
        self.volume_base += v;
        self.volume_time_base_s += v * u;
        self.notional_usd += v * px_usd;
        self.filled_units += units;
        self.last = now;
        self.pieces += 1;
    }
}

/// A closed bucket's summary, enough to form the next return.
#[derive(Debug, Clone, Copy)]
struct ClosedBucket {
    end: Nanos,
    vwap_usd: f64,
    start: Nanos,
    /// Volume-weighted mean time, seconds after `start`.
    mean_offset_s: f64,
    /// D, seconds.
    dispersion_s: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct ReturnEntry {
    r2: f64,
    abs_r: f64,
    tau_s: f64,
    wall_s: f64,
    /// |r_j|·|r_(j−k)| and √(τ_j·τ_(j−k)); counted while the partner is in the window.
    product: f64,
    product_time_s: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    r2: f64,
    tau_s: f64,
    wall_s: f64,
    product: f64,
    product_time_s: f64,
}

/// Per-coin bipower/realized volatility on a volume clock.
#[derive(Debug, Clone)]
pub struct VolumeClockVolatility {
    bucket_units: i64,
    lag: usize,
    warmup: usize,
    ring: Vec<ReturnEntry>,
    /// Index of the oldest return; `len` returns follow it (wrapping).
    oldest: usize,
    len: usize,
    sums: Sums,
    pushes_since_recompute: usize,
    open: OpenBucket,
    prev: Option<ClosedBucket>,
    last_time: Nanos,
    buckets_completed: u64,
    trades: u64,
    ignored_trades: u64,
    out_of_order: u64,
}

impl VolumeClockVolatility {
    pub fn new(config: &VolumeClockConfig) -> Result<Self, VolumeClockConfigError> {
        config.validate()?;
        Ok(Self {
            bucket_units: (config.bucket_volume_base * FIXED_SCALE as f64).round() as i64,
            lag: config.bipower_lag,
            warmup: config.warmup_returns,
            ring: vec![ReturnEntry::default(); config.window_returns],
            oldest: 0,
            len: 0,
            sums: Sums::default(),
            pushes_since_recompute: 0,
            open: OpenBucket::default(),
            prev: None,
            last_time: Nanos::ZERO,
            buckets_completed: 0,
            trades: 0,
            ignored_trades: 0,
            out_of_order: 0,
        })
    }

    /// Adds a trade at engine time `now`; returns what it completed, if anything. Trades with a
    /// non-positive size or price are ignored and counted; a time before the previous trade's is
    /// taken as the previous time (counted) so the bucket times stay ordered.
    pub fn on_trade(&mut self, now: Nanos, trade: &Trade) -> Option<BucketsCompleted> {
        let px_usd = trade.px.to_f64();
        let mut remaining = trade.sz.units();
        if remaining <= 0 || !(px_usd > 0.0 && px_usd.is_finite()) {
            self.ignored_trades += 1;
            return None;
        }
        let now = if now < self.last_time {
            self.out_of_order += 1;
            self.last_time
        } else {
            now
        };
        self.last_time = now;
        self.trades += 1;
        let mut count = 0u32;
        let mut last: Option<VolumeBucket> = None;
        while remaining > 0 {
            if let Some(whole) = last.as_mut().filter(|b| b.trades == 1 && remaining >= self.bucket_units) {
                // Further whole buckets of this trade repeat the one just closed (same price,
                // same time): zero returns over zero time. Count them; keep them out of the
                // window, where they would only displace information.
                let repeats = remaining / self.bucket_units;
                remaining -= repeats * self.bucket_units;
                count = count.saturating_add(u32::try_from(repeats).unwrap_or(u32::MAX));
                self.buckets_completed += repeats.unsigned_abs();
                whole.wall_span_s = 0.0;
                whole.effective_span_s = 0.0;
                whole.log_return_frac = whole.log_return_frac.map(|_| 0.0);
                continue;
            }
            let piece = remaining.min(self.bucket_units - self.open.filled_units);
            self.open.add(now, px_usd, piece);
            remaining -= piece;
            if self.open.filled_units == self.bucket_units {
                last = Some(self.close_bucket());
                count = count.saturating_add(1);
            }
        }
        last.map(|last| BucketsCompleted { count, last })
    }

    fn close_bucket(&mut self) -> VolumeBucket {
        let open = std::mem::take(&mut self.open);
        let volume = open.volume_base;
        let closed = ClosedBucket {
            end: open.last,
            vwap_usd: open.notional_usd / volume,
            start: open.start,
            mean_offset_s: open.volume_time_base_s / volume,
            dispersion_s: open.dispersion_raw / (volume * volume),
        };
        let mut bucket = VolumeBucket {
            end: closed.end,
            vwap_usd: closed.vwap_usd,
            volume_base: volume,
            trades: open.pieces,
            wall_span_s: 0.0,
            effective_span_s: 0.0,
            log_return_frac: None,
        };
        if let Some(prev) = self.prev {
            let r = (closed.vwap_usd / prev.vwap_usd).ln();
            let mean_gap_s =
                closed.start.saturating_sub(prev.start).as_secs_f64() + closed.mean_offset_s - prev.mean_offset_s;
            // A variance, so ≥ 0; the clamp only absorbs rounding.
            let tau_s = (mean_gap_s - 0.5 * (closed.dispersion_s + prev.dispersion_s)).max(0.0);
            let wall_s = closed.end.saturating_sub(prev.end).as_secs_f64();
            bucket.wall_span_s = wall_s;
            bucket.effective_span_s = tau_s;
            bucket.log_return_frac = Some(r);
            self.push_return(r, tau_s, wall_s);
        }
        self.prev = Some(closed);
        self.buckets_completed += 1;
        bucket
    }

    fn at(&self, position: usize) -> &ReturnEntry {
        &self.ring[(self.oldest + position) % self.ring.len()]
    }

    fn push_return(&mut self, r: f64, tau_s: f64, wall_s: f64) {
        let cap = self.ring.len();
        if self.len == cap {
            let evicted = *self.at(0);
            self.sums.r2 -= evicted.r2;
            self.sums.tau_s -= evicted.tau_s;
            self.sums.wall_s -= evicted.wall_s;
            // The return `lag` places later loses its partner.
            let orphan = *self.at(self.lag);
            self.sums.product -= orphan.product;
            self.sums.product_time_s -= orphan.product_time_s;
            self.oldest = (self.oldest + 1) % cap;
            self.len -= 1;
        }
        let mut entry = ReturnEntry { r2: r * r, abs_r: r.abs(), tau_s, wall_s, product: 0.0, product_time_s: 0.0 };
        if self.len >= self.lag {
            let partner = *self.at(self.len - self.lag);
            entry.product = entry.abs_r * partner.abs_r;
            entry.product_time_s = (tau_s * partner.tau_s).sqrt();
            self.sums.product += entry.product;
            self.sums.product_time_s += entry.product_time_s;
        }
        self.sums.r2 += entry.r2;
        self.sums.tau_s += tau_s;
        self.sums.wall_s += wall_s;
        let slot = (self.oldest + self.len) % cap;
        self.ring[slot] = entry;
        self.len += 1;
        self.pushes_since_recompute += 1;
        if self.pushes_since_recompute >= cap {
            self.recompute_sums();
        }
    }

    /// Exact sums from the ring (O(window), once per `window_returns` pushes).
    fn recompute_sums(&mut self) {
        let mut sums = Sums::default();
        for position in 0..self.len {
            let e = self.at(position);
            sums.r2 += e.r2;
            sums.tau_s += e.tau_s;
            sums.wall_s += e.wall_s;
            if position >= self.lag {
                sums.product += e.product;
                sums.product_time_s += e.product_time_s;
            }
        }
        self.sums = sums;
        self.pushes_since_recompute = 0;
    }

    /// `σ_rv = √(Σ r² / Σ τ)`, fraction of price per √s; 0 while no effective time has passed.
    pub fn sigma_rv_frac_per_sqrt_s(&self) -> f64 {
        if self.sums.tau_s > 0.0 {
            (self.sums.r2.max(0.0) / self.sums.tau_s).sqrt()
        } else {
            0.0
        }
    }

    /// `σ_bv = √((π/2)·Σ |r_j|·|r_(j−k)| / Σ √(τ_j·τ_(j−k)))`, jump-robust; 0 while undefined.
    pub fn sigma_bv_frac_per_sqrt_s(&self) -> f64 {
        if self.sums.product_time_s > 0.0 {
            (FRAC_PI_2 * self.sums.product.max(0.0) / self.sums.product_time_s).sqrt()
        } else {
            0.0
        }
    }

    /// `RV = Σ r_j²` over the window.
    pub fn realized_variance_frac2(&self) -> f64 {
        self.sums.r2.max(0.0)
    }

    /// BV over the same span as RV: `(π/2)·Σ|r_j|·|r_(j−k)|` rescaled from the products' time
    /// to the window's (the products cover `len − k` pairs, not `len` returns).
    pub fn bipower_variation_frac2(&self) -> f64 {
        self.sigma_bv_frac_per_sqrt_s().powi(2) * self.effective_time_s()
    }

    /// `(RV − BV)/RV` clamped to `[0, 1]`; 0 with no variance.
    pub fn jump_share(&self) -> f64 {
        let rv = self.realized_variance_frac2();
        if rv > 0.0 {
            ((rv - self.bipower_variation_frac2()) / rv).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Σ τ_j over the window: the variance-equivalent time behind σ.
    pub fn effective_time_s(&self) -> f64 {
        self.sums.tau_s.max(0.0)
    }

    /// Wall time spanned by the window's returns (first bucket's start of return to last end).
    pub fn wall_time_s(&self) -> f64 {
        self.sums.wall_s.max(0.0)
    }

    /// Returns currently in the window.
    pub fn buckets(&self) -> usize {
        self.len
    }

    /// Buckets completed since construction (the volume-bucket arrivals).
    pub fn buckets_completed(&self) -> u64 {
        self.buckets_completed
    }

    /// Volume in the bucket being filled, base units.
    pub fn open_bucket_volume_base(&self) -> f64 {
        self.open.volume_base
    }

    /// Σ px·size of the bucket being filled, USD.
    pub fn open_bucket_notional_usd(&self) -> f64 {
        self.open.notional_usd
    }

    /// Accepted trades.
    pub fn trades(&self) -> u64 {
        self.trades
    }

    /// Trades ignored for a non-positive size or price.
    pub fn ignored_trades(&self) -> u64 {
        self.ignored_trades
    }

    /// Trades stamped before the previous one (taken at the previous time).
    pub fn out_of_order(&self) -> u64 {
        self.out_of_order
    }

    /// Enough returns, and time has passed for both σ's.
    pub fn is_warm(&self) -> bool {
        self.len >= self.warmup && self.sums.tau_s > 0.0 && self.sums.product_time_s > 0.0
    }
}

#[cfg(test)]
#[path = "volume_clock_tests.rs"]
mod tests;
