//! Calibration is wired to everything it scores: a paper run of a few simulated minutes on
//! the built-in market gives every quote model fill outcomes both ways, markouts for its
//! adverse-selection and edge predictions, and a report that is the same, number for number,
//! when the sequential runtime runs it again.

mod common;

use common::paper;
use engine::calibration::CalibrationReport;
use engine::quote::ModelKind;
use hyperquote::run::run_sequential;
use hyperquote::wiring::{build_actors, instruments, MarketChoice};
use std::time::Duration;

/// Five simulated minutes: the estimates warm up in the first minute or so.
const RUN: Duration = Duration::from_secs(300);

fn calibration(model: ModelKind) -> CalibrationReport {
    let mut config = paper();
    config.quote.model = model;
    let actors = build_actors(&config, 42, &MarketChoice::Synthetic).unwrap();
    let summary = run_sequential(actors, 1024, &instruments(&config), RUN);
    summary.calibration.expect("CalibrationActor reports")
}

#[test]
fn every_model_is_scored_on_filled_and_unfilled_orders_and_the_report_is_reproducible() {
    for kind in ModelKind::ALL {
        let report = calibration(kind);
        let name = kind.name();
        let m = report.models.iter().find(|m| m.model == name).unwrap_or_else(|| panic!("{name} not scored"));
        assert!(m.fill.filled > 0 && m.fill.unfilled > 0, "{name}: {:?}", m.fill);
        let brier = m.fill.brier.unwrap_or_else(|| panic!("{name}: no Brier score"));
        assert_eq!(brier.count, m.fill.filled + m.fill.unfilled - m.fill.unready, "{name}");
        assert!(brier.brier > 0.0 && brier.brier < 1.0, "{name}: {brier:?}");
        assert!(m.fill.reliability.iter().map(|r| r.count).sum::<u64>() == brier.count, "{name}");
        assert!(m.fill.intensity_ratio.is_some_and(|r| r > 0.0), "{name}: {:?}", m.fill.intensity_ratio);
        let edge = m.edge.unwrap_or_else(|| panic!("{name}: no edge score"));
        assert!(edge.count > 0, "{name}");
        assert!(m.adverse_selection.is_some_and(|a| a.count == edge.count), "{name}: {:?}", m.adverse_selection);
        // Every placed prediction is accounted for: scored, still on the book, or evicted.
        let c = report.counts;
        assert_eq!(c.predictions, c.outcomes_filled + c.outcomes_unfilled + c.open_predictions + c.evicted, "{c:?}");
        assert!(c.markouts > 0 && c.unmatched_outcomes == 0 && c.unmatched_markouts == 0, "{c:?}");
        assert!(!report.lossy && report.queue_drops == 0, "{name}: a sequential run loses nothing");
        assert!(!report.profitability.is_empty(), "{name}");
    }
    let (a, b) = (calibration(ModelKind::Glft), calibration(ModelKind::Glft));
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
}
