use super::*;
use crate::calibration::{ContextBucket, ModelTag, PredictionId};
use crate::types::Side;

const COIN: CoinId = CoinId(0);

fn tracker() -> CalibrationTracker {
    CalibrationTracker::new(1, CalibrationConfig::default(), Nanos::from_millis(500), Nanos::from_millis(11_000))
}

fn secs(s: f64) -> Nanos {
    Nanos::from_secs_f64(s)
}

fn prediction(decision: u64, level: usize, lead: LeadCall) -> LevelPrediction {
    LevelPrediction {
        id: PredictionId::new(decision, Side::Bid, level),
        model: ModelTag::from_index(0),
        bucket: ContextBucket::from_index(4),
        side_is_bid: true,
        lead,
        fill_rate_per_s: 1.0,
        end_rate_per_s: 3.0,
        depth_bps: 2.0,
        adverse_bps: 1.0,
        edge_bps: -0.5,
        edge_std_bps: 3.0,
    }
}

fn place(t: &mut CalibrationTracker, cloid: u128, p: LevelPrediction, at: f64) {
    t.on_placed(&PlacedPrediction { coin: COIN, cloid: Cloid(cloid), placed_at: secs(at), prediction: p });
}

#[test]
fn every_order_end_scores_its_fill_prediction_and_teaches_the_bucket() {
    let mut t = tracker();
    for cloid in 1..=4 {
        place(&mut t, cloid, prediction(cloid as u64, 0, LeadCall::None), 0.0);
    }
    // Order 1 fills after 1 s (the fill's message and the order's end may come either way
    // round: its end here says unfilled, the fill already told otherwise).
    t.on_outcome(Cloid(1), OutcomeKind::Filled, secs(1.0));
    t.on_outcome(Cloid(1), OutcomeKind::Ended { filled: false }, secs(1.5));
    for cloid in 2..=4 {
        t.on_outcome(Cloid(cloid), OutcomeKind::Ended { filled: false }, secs(2.0));
    }
    let counts = t.counts();
    assert_eq!((counts.predictions, counts.outcomes_filled, counts.outcomes_unfilled), (4, 1, 3));
    let total = t.scores().total(ModelTag::from_index(0));
    // Four forecasts of λ/(λ + μ) = 0.25, one filled: BS = (0.75² + 3·0.25²)/4 = 0.1875,
    // reliability 0 (the bin's 25 % filled 25 % of the time), skill 0.
    let brier = total.fill.score().unwrap();
    assert!((brier.brier - 0.1875).abs() < 1e-12 && brier.reliability.abs() < 1e-12);
    // Expected fills Σ λ·T = 1 + 3 × 2 = 7 (the filled order's exposure ends at its fill).
    assert!((total.expected_fills - 7.0).abs() < 1e-9);
    // Ending rate: (1 + 3 endings)/(5 s prior + 7 s exposure) = 1/3 per second.
    let feedback = t.take_feedback(COIN).unwrap();
    assert!((feedback.bucket(ContextBucket::from_index(4)).end_rate_per_s - 1.0 / 3.0).abs() < 1e-6);
    assert!(t.take_feedback(COIN).is_none());
    // A fill after its order was scored unfilled changes no score; it is counted.
    t.on_outcome(Cloid(2), OutcomeKind::Filled, secs(2.1));
    assert_eq!(t.counts().late_fills, 1);
    assert_eq!(t.scores().total(ModelTag::from_index(0)).filled, 1);
    // An order whose end never comes (its cancel raced a fill) is scored at the fill.
    place(&mut t, 5, prediction(5, 0, LeadCall::None), 3.0);
    t.on_outcome(Cloid(5), OutcomeKind::Filled, secs(3.5));
    place(&mut t, 6, prediction(6, 0, LeadCall::None), 3.0);
    let counts = t.counts();
    assert_eq!((counts.outcomes_filled, counts.open_predictions), (2, 1));
    // After an hour both go; only the never-scored one counts as evicted.
    t.sweep(secs(3.0 + 3_601.0));
    let counts = t.counts();
    assert_eq!((counts.evicted, counts.open_predictions), (1, 0));
    assert_eq!(counts.predictions, counts.outcomes_filled + counts.outcomes_unfilled + counts.evicted);
}

#[test]
fn markouts_score_adverse_selection_and_edge_until_the_entry_is_swept() {
    let mut t = tracker();
    place(&mut t, 7, prediction(1, 0, LeadCall::None), 0.0);
    t.on_outcome(Cloid(7), OutcomeKind::Filled, secs(0.5));
    t.on_outcome(Cloid(7), OutcomeKind::Ended { filled: true }, secs(0.5));
    t.sweep(secs(5.0));
    t.on_outcome(Cloid(7), OutcomeKind::Markout { adverse_bps: 2.0, edge_bps: -1.0 }, secs(10.5));
    let learning = t.learning[0].bucket(ContextBucket::from_index(4));
    assert_eq!((learning.adverse.observations, learning.edge_ewma_bps), (1, Some(-1.0)));
    // Past the markout wait the entry is gone; a markout then is unmatched, and says so.
    t.sweep(secs(12.0));
    t.on_outcome(Cloid(7), OutcomeKind::Markout { adverse_bps: 2.0, edge_bps: -1.0 }, secs(12.0));
    let counts = t.counts();
    assert_eq!((counts.markouts, counts.unmatched_markouts, counts.open_predictions), (1, 1, 0));
    assert!(t.report(0, 0).lossy);
}

#[test]
fn an_outcome_whose_prediction_was_lost_is_counted_and_marks_the_report_lossy() {
    let mut t = tracker();
    t.on_outcome(Cloid(99), OutcomeKind::Ended { filled: false }, secs(1.0));
    let report = t.report(0, 0);
    assert_eq!(report.counts.unmatched_outcomes, 1);
    assert!(report.lossy && report.models.is_empty());
    // Queue drops alone make it lossy too.
    assert!(tracker().report(0, 3).lossy && !tracker().report(0, 0).lossy);
}

#[test]
fn lead_calls_resolve_once_per_decision_at_the_horizon() {
    let mut t = tracker();
    t.on_mid(COIN, secs(0.0), 100.0);
    // Decision 1 calls up on two levels: one call. Decision 2 calls down, decision 3 up, 4 down.
    place(&mut t, 1, prediction(1, 0, LeadCall::Up), 0.0);
    place(&mut t, 2, prediction(1, 1, LeadCall::Up), 0.0);
    t.on_mid(COIN, secs(0.6), 100.5); // decision 1: up → hit
    place(&mut t, 3, prediction(2, 0, LeadCall::Down), 0.6);
    t.on_mid(COIN, secs(1.2), 100.7); // decision 2: down, went up → miss
    place(&mut t, 4, prediction(3, 0, LeadCall::Up), 1.2);
    t.on_mid(COIN, secs(1.8), 100.7); // decision 3: no move → flat
    place(&mut t, 5, prediction(4, 0, LeadCall::Down), 1.8);
    t.on_mid(COIN, secs(3.0), 99.0); // decision 4: due at 2.3, mid 0.7 s late (> 0.5 s) → expired
    let total = t.scores().total(ModelTag::from_index(0));
    assert_eq!((total.lead_hits, total.lead_misses, total.lead_flat), (1, 1, 1));
    let counts = t.counts();
    assert_eq!((counts.lead_calls, counts.leads_expired), (4, 1));
    assert_eq!(t.report(0, 0).models[0].lead.hit_rate, Some(0.5));
}

#[test]
fn the_report_lists_scored_models_buckets_and_profitability() {
    let mut t = tracker();
    place(&mut t, 1, prediction(1, 0, LeadCall::None), 0.0);
    t.on_outcome(Cloid(1), OutcomeKind::Ended { filled: false }, secs(1.0));
    let report = t.report(0, 0);
    assert_eq!(report.models.len(), 1);
    let m = &report.models[0];
    assert_eq!((m.model, m.fill.filled, m.fill.unfilled), ("glft", 0, 1));
    assert_eq!(m.buckets.len(), 1);
    assert_eq!(m.buckets[0].bucket, ContextBucket::from_index(4).label());
    assert_eq!(report.profitability.len(), 1);
    assert_eq!((report.profitability[0].fills, report.profitability[0].endings), (0, 1));
    // JSON for the log line and the admin API.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["models"][0]["fill"]["unfilled"], 1);
}

#[test]
fn a_full_table_forgets_its_oldest_placement_first() {
    let mut t = tracker();
    for cloid in 0..MAX_OPEN_PREDICTIONS as u128 {
        place(&mut t, cloid, prediction(cloid as u64 + 1, 0, LeadCall::None), 0.0);
    }
    // The first order ended (scored) and was swept; the second is still open.
    t.on_outcome(Cloid(0), OutcomeKind::Ended { filled: false }, secs(1.0));
    t.sweep(secs(20.0));
    place(&mut t, 1 << 40, prediction(1 << 30, 0, LeadCall::None), 20.0);
    assert_eq!(t.counts().evicted, 0, "the oldest placement was already gone");
    place(&mut t, (1 << 40) + 1, prediction((1 << 30) + 1, 0, LeadCall::None), 20.0);
    assert_eq!(t.counts().evicted, 1, "the oldest open one goes, unscored");
    t.on_outcome(Cloid(1), OutcomeKind::Ended { filled: false }, secs(21.0));
    assert_eq!(t.counts().unmatched_outcomes, 1);
}
