//! What each context bucket's outcomes say, per coin: the numbers the quote path predicts
//! with and may widen by. Learned on the cold path (CalibrationActor) from every order's end
//! and every fill's markout; sent to QuoteActor as a [`CoinFeedback`].
//!
//! - **Adverse selection**: a Normal-Inverse-Gamma posterior over the bucket's realized
//!   adverse selection (see [`EdgePosterior`]); the prior mean is 0 — the quote models' own
//!   assumption (the mid is a martingale) — worth one fill. Its mean is the predicted adverse
//!   selection; its posterior standard deviation is the predicted edge's uncertainty (depth
//!   and fee are known when quoting, so all of the edge's uncertainty is the adverse
//!   selection's).
//! - **Realized edge**: the same posterior over realized edges (what the widening rule
//!   reads), and its EWMA per bucket (the fill-profitability tracker).
//! - **Ending rate** μ of unfilled orders: orders leave the book unfilled (requotes, cancels)
//!   and fill as competing risks; with exponential lives the maximum-likelihood rate is
//!   endings / exposure (time on the book until the fill or the end). A Gamma prior of one
//!   ending in `order_life_s` keeps an empty bucket at the configured life:
//!   μ = (1 + endings) / (order_life_s + exposure_s).

use super::{CalibrationConfig, ContextBucket, EdgePosterior};
use crate::types::CoinId;
use serde::Serialize;

/// The quote path's view of one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct BucketView {
    pub adverse_bps: f32,
    pub adverse_std_bps: f32,
    pub end_rate_per_s: f32,
    /// The bucket's realized edge is poor and widening is on (`[calibration.widen]`).
    pub widen: bool,
}

/// The quote path's view of one coin's buckets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoinFeedback {
    pub coin: CoinId,
    pub buckets: [BucketView; ContextBucket::COUNT],
}

impl CoinFeedback {
    /// The view before any outcome: every bucket at the priors.
    pub fn prior(coin: CoinId, config: &CalibrationConfig) -> Self {
        let view = BucketLearning::new(config).view(config);
        Self { coin, buckets: [view; ContextBucket::COUNT] }
    }

    pub fn bucket(&self, bucket: ContextBucket) -> &BucketView {
        &self.buckets[bucket.index()]
    }
}

/// One bucket's learning (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BucketLearning {
    pub adverse: EdgePosterior,
    pub edge: EdgePosterior,
    pub edge_ewma_bps: Option<f64>,
    pub endings: u64,
    pub fills: u64,
    pub exposure_s: f64,
    #[serde(skip)]
    ewma_weight: f64,
    #[serde(skip)]
    prior_life_s: f64,
}

impl BucketLearning {
    pub fn new(config: &CalibrationConfig) -> Self {
        let p = &config.priors;
        // α₀ = 2 gives a finite prior variance; β₀ = (α₀ − 1)·noise² makes the prior mean noise
        // variance β₀/(α₀ − 1) the configured noise².
        let prior = EdgePosterior::prior(0.0, 1.0, 2.0, p.markout_noise_bps.powi(2));
        Self {
            adverse: prior,
            edge: prior,
            edge_ewma_bps: None,
            endings: 0,
            fills: 0,
            exposure_s: 0.0,
            ewma_weight: 1.0 - 0.5f64.powf(1.0 / p.edge_ewma_half_life_fills),
            prior_life_s: p.order_life_s,
        }
    }

    /// μ (see the module doc).
    pub fn end_rate_per_s(&self) -> f64 {
        (1.0 + self.endings as f64) / (self.prior_life_s + self.exposure_s)
    }

    /// Poor under `widen` (module doc of `WidenOnPoorEdge`), whether or not widening is on.
    pub fn is_poor(&self, config: &CalibrationConfig) -> bool {
        let w = &config.widen;
        let upper = self.edge.mean + self.edge.mean_std().unwrap_or(f64::INFINITY);
        self.edge.observations >= w.min_fills && upper < w.edge_below_bps
    }

    pub fn view(&self, config: &CalibrationConfig) -> BucketView {
        BucketView {
            adverse_bps: self.adverse.mean as f32,
            adverse_std_bps: self.adverse.mean_std().unwrap_or(f64::INFINITY) as f32,
            end_rate_per_s: self.end_rate_per_s() as f32,
            widen: config.widen.enabled && self.is_poor(config),
        }
    }

    /// An order spent `exposure_s` on the book and then filled or left unfilled.
    pub fn on_order_end(&mut self, exposure_s: f64, filled: bool) {
        if exposure_s.is_finite() && exposure_s >= 0.0 {
            self.exposure_s += exposure_s;
        }
        if filled {
            self.fills += 1;
        } else {
            self.endings += 1;
        }
    }

    /// One fill's markout: realized adverse selection and edge, bps.
    pub fn on_markout(&mut self, adverse_bps: f64, edge_bps: f64) {
        self.adverse.observe(adverse_bps);
        if self.edge.observe(edge_bps) {
            let w = self.ewma_weight;
            self.edge_ewma_bps = Some(self.edge_ewma_bps.map_or(edge_bps, |e| e + w * (edge_bps - e)));
        }
    }
}

/// One coin's buckets.
#[derive(Debug, Clone)]
pub struct CoinLearning {
    coin: CoinId,
    buckets: Vec<BucketLearning>,
    changed: bool,
}

impl CoinLearning {
    pub fn new(coin: CoinId, config: &CalibrationConfig) -> Self {
        Self { coin, buckets: vec![BucketLearning::new(config); ContextBucket::COUNT], changed: false }
    }

    pub fn bucket(&self, bucket: ContextBucket) -> &BucketLearning {
        &self.buckets[bucket.index()]
    }

    /// Every bucket, by [`ContextBucket::index`].
    pub fn buckets(&self) -> &[BucketLearning] {
        &self.buckets
    }

    pub fn on_order_end(&mut self, bucket: ContextBucket, exposure_s: f64, filled: bool) {
        self.buckets[bucket.index()].on_order_end(exposure_s, filled);
        self.changed = true;
    }

    pub fn on_markout(&mut self, bucket: ContextBucket, adverse_bps: f64, edge_bps: f64) {
        self.buckets[bucket.index()].on_markout(adverse_bps, edge_bps);
        self.changed = true;
    }

    /// The quote path's view if anything changed since the last one taken.
    pub fn take_view(&mut self, config: &CalibrationConfig) -> Option<CoinFeedback> {
        if !std::mem::take(&mut self.changed) {
            return None;
        }
        let mut feedback = CoinFeedback::prior(self.coin, config);
        for (view, learning) in feedback.buckets.iter_mut().zip(&self.buckets) {
            *view = learning.view(config);
        }
        Some(feedback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_bucket_sits_at_the_priors() {
        let config = CalibrationConfig::default();
        let view = CoinFeedback::prior(CoinId(0), &config).buckets[5];
        assert_eq!(view.adverse_bps, 0.0);
        // One ending in 5 s.
        assert!((view.end_rate_per_s - 0.2).abs() < 1e-7);
        // Prior Var(mean) = β/((α − 1)κ) = 9.
        assert!((view.adverse_std_bps - 3.0).abs() < 1e-6);
        assert!(!view.widen);
    }

    #[test]
    fn endings_and_exposure_give_the_ending_rate() {
        let config = CalibrationConfig::default();
        let mut b = BucketLearning::new(&config);
        // Three orders cancelled after 1 s each, one filled after 2 s: (1 + 3)/(5 + 5) = 0.4/s.
        for _ in 0..3 {
            b.on_order_end(1.0, false);
        }
        b.on_order_end(2.0, true);
        assert!((b.end_rate_per_s() - 0.4).abs() < 1e-12);
        assert_eq!((b.endings, b.fills), (3, 1));
    }

    #[test]
    fn a_bucket_losing_money_is_poor_once_it_has_the_fills_and_widens_only_when_on() {
        let mut config = CalibrationConfig::default();
        config.widen.min_fills = 10;
        let mut b = BucketLearning::new(&config);
        for i in 0..9 {
            b.on_markout(2.0, -3.0 + 0.1 * f64::from(i % 3));
        }
        assert!(!b.is_poor(&config), "9 fills are too few");
        b.on_markout(2.0, -3.0);
        assert!(b.is_poor(&config));
        assert!(!b.view(&config).widen, "widening is off by default");
        config.widen.enabled = true;
        assert!(b.view(&config).widen);
        // Adverse selection learned: the mean moves from the prior 0 toward 2 (10 of 11 weights).
        assert!((b.adverse.mean - 20.0 / 11.0).abs() < 1e-9);
        let ewma = b.edge_ewma_bps.unwrap();
        assert!(ewma < -2.8 && ewma > -3.0, "{ewma}");
    }

    #[test]
    fn the_view_is_taken_only_after_a_change() {
        let config = CalibrationConfig::default();
        let mut coin = CoinLearning::new(CoinId(1), &config);
        assert!(coin.take_view(&config).is_none());
        let bucket = ContextBucket::from_index(3);
        coin.on_order_end(bucket, 1.0, false);
        let view = coin.take_view(&config).unwrap();
        assert_eq!(view.coin, CoinId(1));
        assert!((view.bucket(bucket).end_rate_per_s - 2.0 / 6.0).abs() < 1e-7);
        assert!(coin.take_view(&config).is_none());
    }
}
