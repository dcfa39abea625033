//! How well predicted values (adverse selection, edge, in bps) track realized ones: a
//! streaming Pearson correlation — the information coefficient IC — and the information
//! ratio IR = IC·√N (Grinold & Kahn, *Active Portfolio Management*, the fundamental law:
//! IR ≈ IC·√breadth, here one bet per scored prediction). IC·√N is also, for small IC, the
//! t-statistic of the correlation, so IR < 1 means the sample shows no evidence of skill.
//!
//! Co-moments by Welford's update (numerically stable, O(1), no allocation).

use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CorrelationAccumulator {
    count: u64,
    mean_predicted: f64,
    mean_realized: f64,
    /// Σ (x − x̄)², Σ (y − ȳ)², Σ (x − x̄)(y − ȳ).
    m2_predicted: f64,
    m2_realized: f64,
    co_moment: f64,
    refused: u64,
}

/// The correlation of predicted and realized values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CorrelationScore {
    pub count: u64,
    pub mean_predicted: f64,
    pub mean_realized: f64,
    /// Pearson correlation (the information coefficient).
    pub ic: f64,
    /// IC·√count.
    pub ir: f64,
}

impl CorrelationAccumulator {
    /// Adds one (predicted, realized) pair; a non-finite value is refused and counted.
    pub fn add(&mut self, predicted: f64, realized: f64) -> bool {
        if !(predicted.is_finite() && realized.is_finite()) {
            self.refused += 1;
            return false;
        }
        self.count += 1;
        let n = self.count as f64;
        let dx = predicted - self.mean_predicted;
        let dy = realized - self.mean_realized;
        self.mean_predicted += dx / n;
        self.mean_realized += dy / n;
        self.m2_predicted += dx * (predicted - self.mean_predicted);
        self.m2_realized += dy * (realized - self.mean_realized);
        self.co_moment += dx * (realized - self.mean_realized);
        true
    }

    /// Pairs accepted.
    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// The score; `None` with fewer than two pairs or when either side never varied (no
    /// correlation is defined).
    pub fn score(&self) -> Option<CorrelationScore> {
        let spread = (self.m2_predicted * self.m2_realized).sqrt();
        if self.count < 2 || spread <= 0.0 {
            return None;
        }
        let ic = (self.co_moment / spread).clamp(-1.0, 1.0);
        Some(CorrelationScore {
            count: self.count,
            mean_predicted: self.mean_predicted,
            mean_realized: self.mean_realized,
            ic,
            ir: ic * (self.count as f64).sqrt(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(pairs: &[(f64, f64)]) -> Option<CorrelationScore> {
        let mut acc = CorrelationAccumulator::default();
        pairs.iter().for_each(|&(x, y)| {
            acc.add(x, y);
        });
        acc.score()
    }

    /// x = 1 2 3 4, y = 1 3 2 4: deviations ∓1.5 ∓.5 ±.5 ±1.5 and −1.5 .5 −.5 1.5; Σdxdy = 4,
    /// Σdx² = Σdy² = 5 → IC 0.8, IR 0.8·√4 = 1.6.
    #[test]
    fn ic_and_ir_match_the_hand_computation() {
        let s = score(&[(1.0, 1.0), (2.0, 3.0), (3.0, 2.0), (4.0, 4.0)]).unwrap();
        assert!((s.ic - 0.8).abs() < 1e-12 && (s.ir - 1.6).abs() < 1e-12, "{s:?}");
        assert_eq!((s.mean_predicted, s.mean_realized), (2.5, 2.5));
        assert!((score(&[(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)]).unwrap().ic - 1.0).abs() < 1e-12);
        assert!((score(&[(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)]).unwrap().ic + 1.0).abs() < 1e-12);
    }

    #[test]
    fn no_correlation_without_two_pairs_or_variation_and_bad_values_are_refused() {
        assert_eq!(score(&[(1.0, 1.0)]), None);
        assert_eq!(score(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]), None, "a constant prediction");
        let mut acc = CorrelationAccumulator::default();
        assert!(!acc.add(f64::NAN, 1.0) && !acc.add(1.0, f64::INFINITY));
        assert_eq!(acc.refused(), 2);
    }
}
