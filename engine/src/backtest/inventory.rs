//! How the position was distributed over a run, sampled at a fixed interval: mean, standard
//! deviation, tail quantiles and the time spent at the limit.
//!
//! Quantiles come from a fixed histogram of [`INVENTORY_BINS`] equal bins over
//! [−max_position, +max_position] (a position outside lands in the end bins), so memory is
//! fixed whatever the run's length and a quantile is exact to one bin (1 % of the limit):
//! the q-quantile is the upper edge of the first bin whose cumulative count reaches q·N.
//! Mean and deviation are exact (Welford).

use serde::Serialize;

pub const INVENTORY_BINS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct InventoryDistribution {
    max_position_base: f64,
    at_limit_frac: f64,
    bins: [u64; INVENTORY_BINS],
    samples: u64,
    at_limit: u64,
    mean: f64,
    m2: f64,
    /// The extremes seen: a quantile (a bin's upper edge) never lies outside them, so a
    /// position that never moved from 0 reports 0, not the edge of 0's bin.
    min_base: f64,
    max_base: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InventorySummary {
    pub samples: u64,
    pub mean_base: f64,
    pub std_base: f64,
    /// 1 %, 5 %, 50 %, 95 %, 99 % quantiles.
    pub quantiles_base: [f64; 5],
    /// Share of samples with |position| ≥ `at_limit_frac`·max_position.
    pub time_at_limit_frac: f64,
}

const QUANTILES: [f64; 5] = [0.01, 0.05, 0.5, 0.95, 0.99];

impl InventoryDistribution {
    /// Positions are bounded by `max_position_base` (> 0); `at_limit_frac` of it counts as at
    /// the limit (the quote path's soft limit).
    pub fn new(max_position_base: f64, at_limit_frac: f64) -> Self {
        Self {
            max_position_base,
            at_limit_frac,
            bins: [0; INVENTORY_BINS],
            samples: 0,
            at_limit: 0,
            mean: 0.0,
            m2: 0.0,
            min_base: f64::INFINITY,
            max_base: f64::NEG_INFINITY,
        }
    }

    fn bin_width(&self) -> f64 {
        2.0 * self.max_position_base / INVENTORY_BINS as f64
    }

    /// One sample of the position; a non-finite one is ignored (returns false).
    pub fn push(&mut self, position_base: f64) -> bool {
        if !position_base.is_finite() {
            return false;
        }
        let index = ((position_base + self.max_position_base) / self.bin_width()).floor();
        self.bins[index.clamp(0.0, (INVENTORY_BINS - 1) as f64) as usize] += 1;
        self.samples += 1;
        self.min_base = self.min_base.min(position_base);
        self.max_base = self.max_base.max(position_base);
        self.at_limit += u64::from(position_base.abs() >= self.at_limit_frac * self.max_position_base);
        let delta = position_base - self.mean;
        self.mean += delta / self.samples as f64;
        self.m2 += delta * (position_base - self.mean);
        true
    }

    fn quantile(&self, q: f64) -> f64 {
        let target = (q * self.samples as f64).ceil().max(1.0) as u64;
        let mut cumulative = 0;
        for (i, count) in self.bins.iter().enumerate() {
            cumulative += count;
            if cumulative >= target {
                let upper_edge = -self.max_position_base + (i + 1) as f64 * self.bin_width();
                return upper_edge.clamp(self.min_base, self.max_base);
            }
        }
        self.max_base
    }

    pub fn summary(&self) -> InventorySummary {
        let n = self.samples as f64;
        InventorySummary {
            samples: self.samples,
            mean_base: self.mean,
            std_base: if self.samples >= 2 { (self.m2 / (n - 1.0)).sqrt() } else { 0.0 },
            quantiles_base: QUANTILES.map(|q| if self.samples == 0 { 0.0 } else { self.quantile(q) }),
            time_at_limit_frac: if self.samples == 0 { 0.0 } else { self.at_limit as f64 / n },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Limit 1 (bins 0.01 wide); 100 samples: −0.995, −0.985, …, 0.985 (one per second bin
    /// from the left, every other bin): quantiles land on bin edges, 20 of 100 at |q| ≥ 0.8.
    #[test]
    fn moments_quantiles_and_time_at_the_limit_by_hand() {
        let mut d = InventoryDistribution::new(1.0, 0.8);
        for i in 0..100 {
            assert!(d.push(-0.995 + 0.02 * f64::from(i)));
        }
        assert!(!d.push(f64::INFINITY));
        let s = d.summary();
        assert_eq!(s.samples, 100);
        assert!(close(s.mean_base, -0.005), "{}", s.mean_base);
        // Evenly spaced by 0.02: sample sd = 0.02·√(100·101/12) ≈ 0.580229.
        assert!((s.std_base - 0.02 * (100.0f64 * 101.0 / 12.0).sqrt()).abs() < 1e-9, "{}", s.std_base);
        // 1 %: first sample's bin [−1, −0.99] → −0.99; 50 %: the 50th sample (−0.015) → −0.01.
        assert!(close(s.quantiles_base[0], -0.99) && close(s.quantiles_base[2], -0.01), "{:?}", s.quantiles_base);
        // 99 %: the 99th sample (0.965) → 0.97.
        assert!(close(s.quantiles_base[4], 0.97), "{:?}", s.quantiles_base);
        // |q| ≥ 0.8: −0.995 … −0.815 (10) and 0.805 … 0.985 (10).
        assert!(close(s.time_at_limit_frac, 0.2), "{}", s.time_at_limit_frac);
    }

    #[test]
    fn positions_beyond_the_limit_land_in_the_end_bins() {
        let mut d = InventoryDistribution::new(1.0, 0.8);
        d.push(5.0);
        d.push(-5.0);
        let s = d.summary();
        assert!(close(s.quantiles_base[0], -0.99) && close(s.quantiles_base[4], 1.0));
        assert_eq!(s.time_at_limit_frac, 1.0);
        assert_eq!(InventoryDistribution::new(1.0, 0.8).summary().quantiles_base, [0.0; 5]);
    }

    #[test]
    fn a_position_that_never_moved_reports_itself_not_its_bins_edge() {
        let mut d = InventoryDistribution::new(0.06, 0.8);
        for _ in 0..10 {
            d.push(0.0);
        }
        assert_eq!(d.summary().quantiles_base, [0.0; 5]);
    }
}
