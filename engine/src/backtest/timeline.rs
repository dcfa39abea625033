//! A time series kept to a bounded number of points whatever the run's length, for the
//! report's charts (equity, drawdown, inventory, quotes vs mid).
//!
//! Samples fill [`TIMELINE_BUCKETS`] buckets of `span` samples each; when all are full,
//! neighbours merge pairwise and `span` doubles, so memory is fixed and resolution degrades
//! evenly. A bucket keeps its first, lowest, highest and last sample with their times: the
//! chart of a week keeps every spike and drawdown that a mean or a stride would smooth away
//! (the min/max decimation used by plotting tools for long signals).

use serde::Serialize;

/// Buckets a timeline holds; it returns at most four points per bucket.
pub const TIMELINE_BUCKETS: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimelinePoint {
    pub t_s: f64,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Bucket {
    first: TimelinePoint,
    min: TimelinePoint,
    max: TimelinePoint,
    last: TimelinePoint,
    samples: u64,
}

impl Bucket {
    fn new(p: TimelinePoint) -> Self {
        Self { first: p, min: p, max: p, last: p, samples: 1 }
    }

    fn add(&mut self, p: TimelinePoint) {
        if p.value < self.min.value {
            self.min = p;
        }
        if p.value > self.max.value {
            self.max = p;
        }
        self.last = p;
        self.samples += 1;
    }

    fn merge(self, later: Bucket) -> Bucket {
        Bucket {
            first: self.first,
            min: if later.min.value < self.min.value { later.min } else { self.min },
            max: if later.max.value > self.max.value { later.max } else { self.max },
            last: later.last,
            samples: self.samples + later.samples,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    buckets: Vec<Bucket>,
    span: u64,
}

impl Default for Timeline {
    fn default() -> Self {
        Self { buckets: Vec::with_capacity(TIMELINE_BUCKETS), span: 1 }
    }
}

impl Timeline {
    /// A sample at `t_s` (non-decreasing); a non-finite value is skipped (returns false).
    pub fn push(&mut self, t_s: f64, value: f64) -> bool {
        if !value.is_finite() || !t_s.is_finite() {
            return false;
        }
        let p = TimelinePoint { t_s, value };
        match self.buckets.last_mut() {
            Some(last) if last.samples < self.span => last.add(p),
            _ => {
                if self.buckets.len() == TIMELINE_BUCKETS {
                    self.halve();
                }
                self.buckets.push(Bucket::new(p));
            }
        }
        true
    }

    /// Merges neighbouring buckets: half as many, each twice the span.
    fn halve(&mut self) {
        let merged = self.buckets.len() / 2;
        for i in 0..merged {
            self.buckets[i] = self.buckets[2 * i].merge(self.buckets[2 * i + 1]);
        }
        self.buckets.truncate(merged);
        self.span *= 2;
    }

    /// The kept points in time order (a sample kept for two roles appears once).
    pub fn points(&self) -> Vec<TimelinePoint> {
        let mut out: Vec<TimelinePoint> = Vec::with_capacity(4 * self.buckets.len());
        for b in &self.buckets {
            let (lo, hi) = if b.min.t_s <= b.max.t_s { (b.min, b.max) } else { (b.max, b.min) };
            for p in [b.first, lo, hi, b.last] {
                if out.last() != Some(&p) {
                    out.push(p);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_kept_whole() {
        let mut t = Timeline::default();
        for i in 0..10 {
            assert!(t.push(i as f64, (i * i) as f64));
        }
        assert!(!t.push(10.0, f64::NAN));
        let points = t.points();
        assert_eq!(points.len(), 10);
        assert_eq!(points[3], TimelinePoint { t_s: 3.0, value: 9.0 });
    }

    #[test]
    fn a_week_at_one_hertz_stays_bounded_and_keeps_its_extremes() {
        let mut t = Timeline::default();
        let n = 7 * 86_400;
        for i in 0..n {
            // A slow wave with one spike up and one down.
            let v = match i {
                123_457 => 1_000.0,
                400_001 => -1_000.0,
                _ => (i as f64 / 10_000.0).sin(),
            };
            t.push(i as f64, v);
        }
        assert_eq!(t.buckets.capacity(), TIMELINE_BUCKETS, "never grew");
        let points = t.points();
        assert!(points.len() <= 4 * TIMELINE_BUCKETS);
        assert!(t.buckets.len() >= TIMELINE_BUCKETS / 2, "halved at most to half");
        assert!(points.contains(&TimelinePoint { t_s: 123_457.0, value: 1_000.0 }));
        assert!(points.contains(&TimelinePoint { t_s: 400_001.0, value: -1_000.0 }));
        assert_eq!(points.first().map(|p| p.t_s), Some(0.0));
        assert_eq!(points.last().map(|p| p.t_s), Some((n - 1) as f64));
        assert!(points.windows(2).all(|w| w[0].t_s <= w[1].t_s), "time order");
    }
}
