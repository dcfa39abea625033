//! Scoring probability forecasts of a binary outcome (an order fills within its life, or
//! not): the Brier score, its Murphy decomposition and the reliability table.
//!
//! Brier (1950): BS = (1/N) Σ (fᵢ − oᵢ)², fᵢ the forecast probability, oᵢ ∈ {0, 1}.
//! Murphy (1973), forecasts grouped into K probability bins, bin k holding nₖ forecasts with
//! mean forecast f̄ₖ and observed frequency ōₖ, ō the overall base rate:
//!
//! - reliability REL = (1/N) Σₖ nₖ (f̄ₖ − ōₖ)²  (0 is perfect: a bin's 30 % fill 30 % of the time),
//! - resolution  RES = (1/N) Σₖ nₖ (ōₖ − ō)²   (larger is better: the bins tell outcomes apart),
//! - uncertainty UNC = ō (1 − ō)               (the Brier score of always forecasting ō, the
//!   climatology baseline),
//!
//! BS = REL − RES + UNC exactly when the forecasts within each bin are equal; otherwise
//! binning leaves two within-bin terms (Stephenson, Coelho & Jolliffe 2008, "Two extra
//! components in the Brier score decomposition"): the within-bin variance of the forecasts
//! WBV = (1/N) Σₖ Σᵢ (fᵢ − f̄ₖ)² and their within-bin covariance with the outcomes WBC =
//! (1/N) Σₖ Σᵢ (fᵢ − f̄ₖ)(oᵢ − ōₖ); BS = REL − RES + UNC + WBV − 2·WBC, reported as
//! [`BrierScore::within_bin`] = WBV − 2·WBC so the parts always add up. A model is worse than climatology when BS > UNC (Brier skill score < 0).
//!
//! Accumulated in fixed bins: O(1) per outcome, no allocation.

use serde::Serialize;

/// Probability bins of the reliability table: [0, 0.1), [0.1, 0.2), …, [0.9, 1].
pub const RELIABILITY_BINS: usize = 10;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
struct Bin {
    count: u64,
    sum_forecast: f64,
    sum_outcome: f64,
    /// Σ f² and Σ f·o of the bin (for the within-bin terms).
    sum_forecast_sq: f64,
    sum_forecast_outcome: f64,
}

/// Running Brier statistics of one forecaster.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BrierAccumulator {
    bins: [Bin; RELIABILITY_BINS],
    sum_squared_error: f64,
    /// Forecasts outside [0, 1] or not finite, refused.
    refused: u64,
}

/// One row of the reliability table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReliabilityRow {
    /// The bin's probability range.
    pub from: f64,
    pub to: f64,
    pub count: u64,
    /// Mean forecast in the bin.
    pub mean_forecast: f64,
    /// Share of the bin's forecasts whose event happened.
    pub observed: f64,
}

/// The score and its parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BrierScore {
    pub count: u64,
    pub brier: f64,
    pub reliability: f64,
    pub resolution: f64,
    pub uncertainty: f64,
    /// The within-bin terms WBV − 2·WBC: brier = reliability − resolution + uncertainty + this.
    pub within_bin: f64,
    /// 1 − brier / uncertainty: above 0 beats always forecasting the base rate.
    pub skill: f64,
    pub base_rate: f64,
}

impl BrierAccumulator {
    /// Adds one forecast `probability` of an event and whether it `happened`. A probability
    /// outside [0, 1] (or NaN) is refused and counted: a model bug, not a forecast.
    pub fn add(&mut self, probability: f64, happened: bool) -> bool {
        if !(0.0..=1.0).contains(&probability) {
            self.refused += 1;
            return false;
        }
        let outcome = if happened { 1.0 } else { 0.0 };
        let index = ((probability * RELIABILITY_BINS as f64) as usize).min(RELIABILITY_BINS - 1);
        let bin = &mut self.bins[index];
        bin.count += 1;
        bin.sum_forecast += probability;
        bin.sum_outcome += outcome;
        bin.sum_forecast_sq += probability * probability;
        bin.sum_forecast_outcome += probability * outcome;
        self.sum_squared_error += (probability - outcome) * (probability - outcome);
        true
    }

    pub fn count(&self) -> u64 {
        self.bins.iter().map(|b| b.count).sum()
    }

    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// The score; `None` before the first outcome.
    pub fn score(&self) -> Option<BrierScore> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        let n = count as f64;
        let base_rate = self.bins.iter().map(|b| b.sum_outcome).sum::<f64>() / n;
        let (mut reliability, mut resolution, mut within_bin) = (0.0, 0.0, 0.0);
        for bin in self.bins.iter().filter(|b| b.count > 0) {
            let k = bin.count as f64;
            let mean_forecast = bin.sum_forecast / k;
            let observed = bin.sum_outcome / k;
            reliability += k * (mean_forecast - observed).powi(2);
            resolution += k * (observed - base_rate).powi(2);
            let variance = bin.sum_forecast_sq - k * mean_forecast * mean_forecast;
            let covariance = bin.sum_forecast_outcome - k * mean_forecast * observed;
            within_bin += variance - 2.0 * covariance;
        }
        let brier = self.sum_squared_error / n;
        let uncertainty = base_rate * (1.0 - base_rate);
        Some(BrierScore {
            count,
            brier,
            reliability: reliability / n,
            resolution: resolution / n,
            uncertainty,
            within_bin: within_bin / n,
            skill: if uncertainty > 0.0 { 1.0 - brier / uncertainty } else { 0.0 },
            base_rate,
        })
    }

    /// The reliability table: one row per non-empty bin.
    pub fn reliability_table(&self) -> impl Iterator<Item = ReliabilityRow> + '_ {
        self.bins.iter().enumerate().filter(|(_, b)| b.count > 0).map(|(i, b)| ReliabilityRow {
            from: i as f64 / RELIABILITY_BINS as f64,
            to: (i + 1) as f64 / RELIABILITY_BINS as f64,
            count: b.count,
            mean_forecast: b.sum_forecast / b.count as f64,
            observed: b.sum_outcome / b.count as f64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Forecasts 0.2, 0.2, 0.8, 0.8 of outcomes 0, 1, 1, 1: squared errors .04 .64 .04 .04 →
    /// BS 0.19; bins {0.2: ō ½}, {0.8: ō 1}, base rate ¾; REL (2·.3² + 2·.2²)/4 = .065,
    /// RES (2·.25² + 2·.25²)/4 = .0625, UNC ¾·¼ = .1875; .065 − .0625 + .1875 = .19.
    #[test]
    fn the_score_and_its_parts_match_the_hand_computation() {
        let mut acc = BrierAccumulator::default();
        for (p, o) in [(0.2, false), (0.2, true), (0.8, true), (0.8, true)] {
            assert!(acc.add(p, o));
        }
        let s = acc.score().unwrap();
        assert_eq!(s.count, 4);
        assert!(close(s.brier, 0.19), "{s:?}");
        assert!(close(s.reliability, 0.065) && close(s.resolution, 0.0625) && close(s.uncertainty, 0.1875));
        assert!(close(s.within_bin, 0.0), "equal forecasts within each bin");
        assert!(close(s.reliability - s.resolution + s.uncertainty + s.within_bin, s.brier));
        assert!(close(s.skill, 1.0 - 0.19 / 0.1875), "slightly worse than climatology");
        let table: Vec<ReliabilityRow> = acc.reliability_table().collect();
        assert_eq!(table.len(), 2);
        assert_eq!((table[0].count, table[0].mean_forecast, table[0].observed), (2, 0.2, 0.5));
        assert_eq!((table[1].from, table[1].to, table[1].observed), (0.8, 0.9, 1.0));
    }

    #[test]
    fn the_parts_add_up_with_spread_within_bins() {
        let mut acc = BrierAccumulator::default();
        for (i, p) in [0.11, 0.19, 0.55, 0.51, 0.93, 1.0, 0.0].into_iter().enumerate() {
            acc.add(p, i % 2 == 0);
        }
        let s = acc.score().unwrap();
        assert!(s.within_bin != 0.0);
        assert!(close(s.reliability - s.resolution + s.uncertainty + s.within_bin, s.brier), "{s:?}");
    }

    #[test]
    fn a_forecaster_three_times_too_confident_scores_worse_than_the_true_one() {
        // Events of true probability 0.1, forecast at 0.1 and at 0.3: the ×3 model's
        // reliability term is (0.3 − 0.1)² = 0.04, the true model's 0.
        let (mut truth, mut times3) = (BrierAccumulator::default(), BrierAccumulator::default());
        for i in 0..1000 {
            let happened = i % 10 == 0;
            truth.add(0.1, happened);
            times3.add(0.3, happened);
        }
        let (t, x) = (truth.score().unwrap(), times3.score().unwrap());
        assert!(close(t.reliability, 0.0) && close(x.reliability, 0.04), "{t:?} {x:?}");
        assert!(t.skill > -1e-9 && x.skill < -0.4, "the ×3 model is worse than climatology: {t:?} {x:?}");
    }

    #[test]
    fn impossible_probabilities_are_refused_and_counted() {
        let mut acc = BrierAccumulator::default();
        assert!(!acc.add(1.5, true) && !acc.add(-0.1, false) && !acc.add(f64::NAN, true));
        assert_eq!((acc.refused(), acc.count()), (3, 0));
        assert_eq!(acc.score(), None);
    }
}
