//! The scores of every quote model, in total and per context bucket: fill probability
//! (Brier with its decomposition, and observed over expected fills), adverse selection and
//! edge (IC and IR of predicted against realized), and the lead call's hit rate.
//!
//! **Observed over expected fills.** Besides the Brier score of λ/(λ + μ), each order adds
//! λ·T to the expected fills, T its time on the book until its fill or end. Under the
//! intensity model N(t) − ∫λ dt is a martingale, so stopped at any stopping time its mean is
//! zero: Σ fills / Σ λ·T → 1 whatever decides when orders are cancelled (optional stopping).
//! It checks A and κ alone, apart from the ending rate the Brier score also depends on.

use super::{BrierAccumulator, ContextBucket, CorrelationAccumulator, LevelPrediction, ModelTag, MODEL_TAGS};

/// How a lead call turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadResult {
    Hit,
    Miss,
    /// Our mid did not move over the horizon: neither.
    Flat,
}

/// The running scores of one (model, bucket) cell, or of a model in total.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    pub fill: BrierAccumulator,
    pub filled: u64,
    pub unfilled: u64,
    /// Order outcomes whose prediction had no fill rate (intensity still cold).
    pub fill_unready: u64,
    /// Σ λ·T (see the module doc).
    pub expected_fills: f64,
    pub adverse: CorrelationAccumulator,
    pub edge: CorrelationAccumulator,
    pub lead_hits: u64,
    pub lead_misses: u64,
    pub lead_flat: u64,
}

impl Scores {
    fn on_order_end(&mut self, prediction: &LevelPrediction, exposure_s: f64, filled: bool) {
        if filled {
            self.filled += 1;
        } else {
            self.unfilled += 1;
        }
        match prediction.fill_probability() {
            Some(p) if prediction.fill_rate_per_s.is_finite() => {
                self.fill.add(p, filled);
                self.expected_fills += f64::from(prediction.fill_rate_per_s) * exposure_s.max(0.0);
            }
            _ => self.fill_unready += 1,
        }
    }

    fn on_markout(&mut self, prediction: &LevelPrediction, adverse_bps: f64, edge_bps: f64) {
        self.adverse.add(f64::from(prediction.adverse_bps), adverse_bps);
        self.edge.add(f64::from(prediction.edge_bps), edge_bps);
    }

    fn on_lead(&mut self, result: LeadResult) {
        match result {
            LeadResult::Hit => self.lead_hits += 1,
            LeadResult::Miss => self.lead_misses += 1,
            LeadResult::Flat => self.lead_flat += 1,
        }
    }

    /// Fills observed over expected (`None` before any expectation).
    pub fn intensity_ratio(&self) -> Option<f64> {
        let scored_fills = self.fill.score().map(|s| s.base_rate * s.count as f64)?;
        (self.expected_fills > 0.0).then(|| scored_fills / self.expected_fills)
    }

    /// Hits over hits and misses (`None` before the first).
    pub fn lead_hit_rate(&self) -> Option<f64> {
        let called = self.lead_hits + self.lead_misses;
        (called > 0).then(|| self.lead_hits as f64 / called as f64)
    }

    pub fn is_empty(&self) -> bool {
        self.filled + self.unfilled + self.lead_hits + self.lead_misses + self.lead_flat == 0
            && self.adverse.score().is_none()
            && self.adverse.refused() == 0
    }
}

/// Cells per model: one per bucket and the total.
const CELLS_PER_MODEL: usize = ContextBucket::COUNT + 1;

/// Every model's scores (allocated once).
#[derive(Debug, Clone)]
pub struct Scoreboard {
    cells: Vec<Scores>,
}

impl Default for Scoreboard {
    fn default() -> Self {
        Self { cells: vec![Scores::default(); MODEL_TAGS * CELLS_PER_MODEL] }
    }
}

impl Scoreboard {
    fn both(&mut self, model: ModelTag, bucket: ContextBucket, mut apply: impl FnMut(&mut Scores)) {
        let base = model.index().min(MODEL_TAGS - 1) * CELLS_PER_MODEL;
        apply(&mut self.cells[base + bucket.index()]);
        apply(&mut self.cells[base + ContextBucket::COUNT]);
    }

    /// An order carrying `prediction` spent `exposure_s` on the book and then `filled` or not.
    pub fn on_order_end(&mut self, prediction: &LevelPrediction, exposure_s: f64, filled: bool) {
        self.both(prediction.model, prediction.bucket, |s| s.on_order_end(prediction, exposure_s, filled));
    }

    /// One fill of an order carrying `prediction`: its realized adverse selection and edge.
    pub fn on_markout(&mut self, prediction: &LevelPrediction, adverse_bps: f64, edge_bps: f64) {
        self.both(prediction.model, prediction.bucket, |s| s.on_markout(prediction, adverse_bps, edge_bps));
    }

    pub fn on_lead(&mut self, model: ModelTag, bucket: ContextBucket, result: LeadResult) {
        self.both(model, bucket, |s| s.on_lead(result));
    }

    pub fn total(&self, model: ModelTag) -> &Scores {
        &self.cells[model.index() * CELLS_PER_MODEL + ContextBucket::COUNT]
    }

    pub fn bucket(&self, model: ModelTag, bucket: ContextBucket) -> &Scores {
        &self.cells[model.index() * CELLS_PER_MODEL + bucket.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prediction(model: ModelTag, bucket: usize, fill_rate: f32, end_rate: f32) -> LevelPrediction {
        LevelPrediction {
            model,
            bucket: ContextBucket::from_index(bucket),
            fill_rate_per_s: fill_rate,
            end_rate_per_s: end_rate,
            adverse_bps: 1.0,
            edge_bps: 0.5,
            ..Default::default()
        }
    }

    #[test]
    fn outcomes_count_in_their_bucket_and_the_models_total_only() {
        let mut board = Scoreboard::default();
        let glft = ModelTag::from_index(0);
        // λ = 1, μ = 3: p = 0.25. One filled after 2 s, three unfilled after 2 s each.
        let p = prediction(glft, 4, 1.0, 3.0);
        board.on_order_end(&p, 2.0, true);
        for _ in 0..3 {
            board.on_order_end(&p, 2.0, false);
        }
        let cold = prediction(glft, 5, f32::NAN, 3.0);
        board.on_order_end(&cold, 1.0, false);
        let total = board.total(glft);
        assert_eq!((total.filled, total.unfilled, total.fill_unready), (1, 4, 1));
        // Four forecasts of 0.25 with one hit: a perfectly calibrated bin.
        let s = total.fill.score().unwrap();
        assert_eq!(s.count, 4);
        assert!(s.reliability.abs() < 1e-12 && (s.brier - 0.1875).abs() < 1e-12);
        // One fill against λ·T = 4 × 2 s × 1/s = 8 expected.
        assert!((total.intensity_ratio().unwrap() - 0.125).abs() < 1e-12);
        assert_eq!(board.bucket(glft, ContextBucket::from_index(4)).filled, 1);
        assert_eq!(board.bucket(glft, ContextBucket::from_index(5)).fill_unready, 1);
        assert!(board.total(ModelTag::FALLBACK).is_empty());
    }

    #[test]
    fn lead_calls_count_hits_misses_and_flats_apart() {
        let mut board = Scoreboard::default();
        let m = ModelTag::FALLBACK;
        let b = ContextBucket::from_index(0);
        for r in [LeadResult::Hit, LeadResult::Hit, LeadResult::Miss, LeadResult::Flat] {
            board.on_lead(m, b, r);
        }
        let total = board.total(m);
        assert_eq!((total.lead_hits, total.lead_misses, total.lead_flat), (2, 1, 1));
        assert!((total.lead_hit_rate().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    }
}
