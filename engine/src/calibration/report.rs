//! The calibration report: every model's scores in total and per bucket, the buckets'
//! realized profitability, the degradation alerts, and how much of the sample was lost on
//! the way (a score from a lossy sample says so).

use super::{
    AlertThresholds, BrierScore, BucketLearning, ContextBucket, CorrelationScore, ModelTag, ReliabilityRow, Scoreboard,
    Scores, MODEL_TAGS,
};
use crate::types::CoinId;
use serde::Serialize;

/// Counts of what reached CalibrationActor and what it could match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CalibrationCounts {
    /// Predictions placed with an order (one per order).
    pub predictions: u64,
    pub outcomes_filled: u64,
    pub outcomes_unfilled: u64,
    pub markouts: u64,
    pub lead_calls: u64,
    /// Outcomes or markouts for an order whose prediction never arrived (dropped on the way
    /// or placed before this run), and fills after their order was scored unfilled.
    pub unmatched_outcomes: u64,
    pub unmatched_markouts: u64,
    pub late_fills: u64,
    /// Predictions forgotten unscored: the table was full, or the order outlived the limit.
    pub evicted: u64,
    /// Lead calls whose horizon passed without a mid.
    pub leads_expired: u64,
    /// Orders still on the book (not scored yet).
    pub open_predictions: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FillModelReport {
    pub filled: u64,
    pub unfilled: u64,
    pub unready: u64,
    pub brier: Option<BrierScore>,
    pub reliability: Vec<ReliabilityRow>,
    /// Fills observed over Σ λ·T (1 when A and κ are right).
    pub intensity_ratio: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LeadReport {
    pub hits: u64,
    pub misses: u64,
    pub flat: u64,
    pub hit_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketScoreReport {
    pub bucket: String,
    pub filled: u64,
    pub unfilled: u64,
    pub brier: Option<f64>,
    pub brier_skill: Option<f64>,
    pub adverse: Option<CorrelationScore>,
    pub edge: Option<CorrelationScore>,
    pub lead_hit_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelReport {
    pub model: &'static str,
    pub fill: FillModelReport,
    pub adverse_selection: Option<CorrelationScore>,
    pub edge: Option<CorrelationScore>,
    pub lead: LeadReport,
    /// Buckets with any outcome.
    pub buckets: Vec<BucketScoreReport>,
}

/// The fill-profitability tracker's row: one coin's bucket with fills.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketProfitability {
    pub coin: CoinId,
    pub bucket: String,
    pub fills: u64,
    pub endings: u64,
    pub end_rate_per_s: f64,
    pub adverse_mean_bps: f64,
    pub edge_mean_bps: f64,
    pub edge_std_bps: Option<f64>,
    pub edge_ewma_bps: Option<f64>,
    /// Realized edge below `[calibration.widen]`'s level (widened only when enabled).
    pub poor: bool,
}

/// Which prediction a degradation alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PredictionKind {
    FillProbability,
    AdverseSelection,
    Edge,
    LeadLag,
}

impl PredictionKind {
    pub fn name(self) -> &'static str {
        match self {
            PredictionKind::FillProbability => "fill_probability",
            PredictionKind::AdverseSelection => "adverse_selection",
            PredictionKind::Edge => "edge",
            PredictionKind::LeadLag => "lead_lag",
        }
    }
}

/// A model's score fell below its threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DegradationAlert {
    pub model: &'static str,
    pub prediction: PredictionKind,
    /// `brier_skill`, `information_ratio`, `hit_rate`, or `constant_prediction` (the
    /// predictions never varied, so they cannot track anything).
    pub metric: &'static str,
    pub value: f64,
    pub threshold: f64,
    pub samples: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// Messages CalibrationActor handled (decisions, predictions, outcomes).
    pub messages_received: u64,
    pub counts: CalibrationCounts,
    /// Messages to CalibrationActor its full queue dropped (predictions, outcomes).
    pub queue_drops: u64,
    /// Some of the sample was lost (queue drops, unmatched or evicted): scores are from a
    /// subsample.
    pub lossy: bool,
    pub models: Vec<ModelReport>,
    pub profitability: Vec<BucketProfitability>,
    pub alerts: Vec<DegradationAlert>,
    pub widen_enabled: bool,
}

impl CalibrationReport {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        messages_received: u64,
        counts: CalibrationCounts,
        queue_drops: u64,
        scores: &Scoreboard,
        learning: &[(CoinId, &[BucketLearning])],
        thresholds: &AlertThresholds,
        poor: impl Fn(&BucketLearning) -> bool,
        widen_enabled: bool,
    ) -> Self {
        let models: Vec<ModelReport> =
            (0..MODEL_TAGS).map(ModelTag::from_index).filter_map(|m| model_report(m, scores)).collect();
        let mut alerts = Vec::new();
        for m in (0..MODEL_TAGS).map(ModelTag::from_index) {
            alerts.extend(alerts_of(m, scores.total(m), thresholds));
        }
        let profitability = learning
            .iter()
            .flat_map(|(coin, buckets)| {
                buckets.iter().enumerate().filter(|(_, b)| b.fills + b.endings > 0).map(|(i, b)| BucketProfitability {
                    coin: *coin,
                    bucket: ContextBucket::from_index(i).label(),
                    fills: b.fills,
                    endings: b.endings,
                    end_rate_per_s: b.end_rate_per_s(),
                    adverse_mean_bps: b.adverse.mean,
                    edge_mean_bps: b.edge.mean,
                    edge_std_bps: b.edge.mean_std(),
                    edge_ewma_bps: b.edge_ewma_bps,
                    poor: poor(b),
                })
            })
            .collect();
        let lossy = queue_drops + counts.unmatched_outcomes + counts.unmatched_markouts + counts.evicted > 0;
        Self { messages_received, counts, queue_drops, lossy, models, profitability, alerts, widen_enabled }
    }
}

fn model_report(model: ModelTag, scores: &Scoreboard) -> Option<ModelReport> {
    let total = scores.total(model);
    if total.is_empty() {
        return None;
    }
    let buckets = (0..ContextBucket::COUNT)
        .map(ContextBucket::from_index)
        .filter_map(|b| {
            let s = scores.bucket(model, b);
            (!s.is_empty()).then(|| {
                let brier = s.fill.score();
                BucketScoreReport {
                    bucket: b.label(),
                    filled: s.filled,
                    unfilled: s.unfilled,
                    brier: brier.map(|x| x.brier),
                    brier_skill: brier.map(|x| x.skill).filter(|x| x.is_finite()),
                    adverse: s.adverse.score(),
                    edge: s.edge.score(),
                    lead_hit_rate: s.lead_hit_rate(),
                }
            })
        })
        .collect();
    Some(ModelReport {
        model: model.name(),
        fill: FillModelReport {
            filled: total.filled,
            unfilled: total.unfilled,
            unready: total.fill_unready,
            brier: total.fill.score(),
            reliability: total.fill.reliability_table().collect(),
            intensity_ratio: total.intensity_ratio(),
        },
        adverse_selection: total.adverse.score(),
        edge: total.edge.score(),
        lead: LeadReport {
            hits: total.lead_hits,
            misses: total.lead_misses,
            flat: total.lead_flat,
            hit_rate: total.lead_hit_rate(),
        },
        buckets,
    })
}

/// The alerts of one model's totals under `t` (only predictions with enough samples).
pub fn alerts_of(model: ModelTag, s: &Scores, t: &AlertThresholds) -> Vec<DegradationAlert> {
    let alert = |prediction, metric, value, threshold, samples| DegradationAlert {
        model: model.name(),
        prediction,
        metric,
        value,
        threshold,
        samples,
    };
    let mut alerts = Vec::new();
    if let Some(score) = s.fill.score().filter(|b| b.count >= t.min_fill_samples) {
        // A base rate of 0 or 1 leaves no uncertainty to beat: skill is undefined, not poor.
        if score.skill.is_finite() && score.skill < t.min_brier_skill {
            let kind = PredictionKind::FillProbability;
            alerts.push(alert(kind, "brier_skill", score.skill, t.min_brier_skill, score.count));
        }
    }
    for (kind, acc) in [(PredictionKind::AdverseSelection, &s.adverse), (PredictionKind::Edge, &s.edge)] {
        let samples = acc.count();
        if samples < t.min_markout_samples {
            continue;
        }
        match acc.score() {
            Some(c) if c.ir < t.min_information_ratio => {
                alerts.push(alert(kind, "information_ratio", c.ir, t.min_information_ratio, samples))
            }
            Some(_) => {}
            None => alerts.push(alert(kind, "constant_prediction", 0.0, t.min_information_ratio, samples)),
        }
    }
    let called = s.lead_hits + s.lead_misses;
    if let Some(rate) = s.lead_hit_rate().filter(|_| called >= t.min_lead_samples) {
        if rate < t.min_lead_hit_rate {
            alerts.push(alert(PredictionKind::LeadLag, "hit_rate", rate, t.min_lead_hit_rate, called));
        }
    }
    alerts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::{LevelPrediction, ModelTag};

    /// The test: a fill model whose probabilities are three times the true ones is
    /// flagged degraded, the true one is not. Outcomes are drawn from the true probabilities
    /// by a fixed-seed generator, so the test is exact and repeatable.
    #[test]
    fn a_fill_model_three_times_overconfident_is_flagged_and_the_true_one_is_not() {
        let thresholds = AlertThresholds::default();
        let (truth, inflated) = (ModelTag::from_index(0), ModelTag::from_index(1));
        let mut board = Scoreboard::default();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..2_000 {
            // True fill probabilities between 2 % and 30 % (λ/(λ+μ) with μ = 1).
            let p_true = 0.02 + 0.28 * (i % 15) as f64 / 14.0;
            let filled = uniform() < p_true;
            for (model, p) in [(truth, p_true), (inflated, (3.0 * p_true).min(0.99))] {
                let rate = (p / (1.0 - p)) as f32;
                let prediction = LevelPrediction {
                    model,
                    fill_rate_per_s: rate,
                    end_rate_per_s: 1.0,
                    bucket: ContextBucket::from_index(i % 3),
                    ..Default::default()
                };
                board.on_order_end(&prediction, 1.0, filled);
            }
        }
        let alerts = alerts_of(truth, board.total(truth), &thresholds);
        assert!(alerts.is_empty(), "true model flagged: {alerts:?}");
        let alerts = alerts_of(inflated, board.total(inflated), &thresholds);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!((alerts[0].prediction, alerts[0].metric), (PredictionKind::FillProbability, "brier_skill"));
        assert!(alerts[0].value < -0.3, "{alerts:?}");
        let true_skill = board.total(truth).fill.score().unwrap().skill;
        assert!(true_skill > 0.0, "{true_skill}");
    }

    #[test]
    fn markout_models_are_judged_by_ir_only_with_enough_samples_and_a_constant_one_is_flagged() {
        let thresholds = AlertThresholds { min_markout_samples: 4, ..AlertThresholds::default() };
        let model = ModelTag::from_index(2);
        let mut board = Scoreboard::default();
        // Adverse predictions track realized exactly (IC 1, IR 2 at n = 4); edge predictions
        // are constant (no correlation defined).
        for (i, realized) in [1.0, 2.0, 3.0, 4.0].into_iter().enumerate() {
            let prediction = LevelPrediction {
                model,
                adverse_bps: realized as f32,
                edge_bps: 0.5,
                bucket: ContextBucket::from_index(i),
                ..Default::default()
            };
            board.on_markout(&prediction, realized, realized - 3.0);
            if i == 2 {
                assert!(alerts_of(model, board.total(model), &thresholds).is_empty(), "judged before 4 samples");
            }
        }
        let alerts = alerts_of(model, board.total(model), &thresholds);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!((alerts[0].prediction, alerts[0].metric), (PredictionKind::Edge, "constant_prediction"));
        let adverse = board.total(model).adverse.score().unwrap();
        assert!((adverse.ic - 1.0).abs() < 1e-12 && (adverse.ir - 2.0).abs() < 1e-12);
    }
}
