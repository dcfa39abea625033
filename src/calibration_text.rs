//! The calibration report as the run summary's human-readable lines.

use engine::calibration::{CalibrationReport, CorrelationScore, ModelReport};
use std::fmt::Write;

fn correlation(name: &str, c: Option<&CorrelationScore>) -> String {
    match c {
        Some(c) => format!("{name} IC {:.2} IR {:.1} (n {})", c.ic, c.ir, c.count),
        None => format!("{name} —"),
    }
}

fn model_lines(m: &ModelReport, out: &mut String) {
    let f = &m.fill;
    let brier = match &f.brier {
        Some(b) => format!(
            "Brier {:.4} (reliability {:.4}, resolution {:.4}, uncertainty {:.4}, skill {:.3})",
            b.brier, b.reliability, b.resolution, b.uncertainty, b.skill
        ),
        None => "Brier —".to_string(),
    };
    let ratio = f.intensity_ratio.map_or("—".to_string(), |r| format!("{r:.2}"));
    let lead = match m.lead.hit_rate {
        Some(rate) => {
            format!("lead hit rate {:.2} ({} hits, {} misses, {} flat)", rate, m.lead.hits, m.lead.misses, m.lead.flat)
        }
        None => "lead —".to_string(),
    };
    let _ = writeln!(
        out,
        "  {}: fill {} filled / {} unfilled ({} cold), {brier}, fills/expected {ratio}; {}; {}; {lead}",
        m.model,
        f.filled,
        f.unfilled,
        f.unready,
        correlation("adverse selection", m.adverse_selection.as_ref()),
        correlation("edge", m.edge.as_ref()),
    );
    let bins: Vec<String> = f
        .reliability
        .iter()
        .filter(|r| r.count > 0)
        .map(|r| {
            format!(
                "[{:.1},{:.1}) n {} forecast {:.3} observed {:.3}",
                r.from, r.to, r.count, r.mean_forecast, r.observed
            )
        })
        .collect();
    if !bins.is_empty() {
        let _ = writeln!(out, "    reliability: {}", bins.join(" | "));
    }
}

/// Counts, each model's scores and reliability table, and the alerts.
pub fn calibration_lines(c: &CalibrationReport) -> String {
    let n = &c.counts;
    let mut out = String::new();
    let sample = if c.lossy { "LOSSY sample" } else { "complete sample" };
    let _ = writeln!(
        out,
        "calibration: {} predictions placed, {} filled / {} unfilled outcomes, {} markouts, {} lead calls, {} open; \
         {} queue drops, {} unmatched ({sample})",
        n.predictions,
        n.outcomes_filled,
        n.outcomes_unfilled,
        n.markouts,
        n.lead_calls,
        n.open_predictions,
        c.queue_drops,
        n.unmatched_outcomes + n.unmatched_markouts,
    );
    for m in &c.models {
        model_lines(m, &mut out);
    }
    for a in &c.alerts {
        let _ = writeln!(
            out,
            "  DEGRADED {} {}: {} {:.3} below {} (n {})",
            a.model,
            a.prediction.name(),
            a.metric,
            a.value,
            a.threshold,
            a.samples
        );
    }
    out
}
