//! The `[calibration]` section: how often to report, when a model counts as degraded, the
//! priors the bucket estimates start from, and the (off by default) widening of buckets whose
//! realized edge stays poor.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalibrationConfig {
    /// A structured calibration report is logged this often.
    pub report_interval_s: f64,
    /// The bucket estimates (adverse selection, order-ending rate, widen flags) go to the quote
    /// path this often.
    pub feedback_interval_s: f64,
    /// A reference lead of at least this many bps calls our mid's direction.
    pub lead_min_bps: f64,
    pub alerts: AlertThresholds,
    pub priors: Priors,
    pub widen: WidenOnPoorEdge,
}

impl Default for CalibrationConfig {
    fn default() -> Self {
        Self {
            report_interval_s: 300.0,
            // Once a second: the estimates move by single fills, far slower than quotes.
            feedback_interval_s: 1.0,
            // Half a bp: about two BTC ticks; a smaller lead is noise in the mids.
            lead_min_bps: 0.5,
            alerts: AlertThresholds::default(),
            priors: Priors::default(),
            widen: WidenOnPoorEdge::default(),
        }
    }
}

/// When a model's score counts as degraded (checked once it has the samples).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertThresholds {
    /// Fill outcomes before the fill model is judged.
    pub min_fill_samples: u64,
    /// Brier skill below this is degraded (0: no better than forecasting the base rate).
    pub min_brier_skill: f64,
    /// Markouts before the adverse-selection and edge models are judged.
    pub min_markout_samples: u64,
    /// IR = IC·√N below this is degraded (1: no evidence the predictions track outcomes).
    pub min_information_ratio: f64,
    /// Resolved lead calls before the lead-lag signal is judged.
    pub min_lead_samples: u64,
    /// Hit rate below this is degraded (a coin flip is 0.5).
    pub min_lead_hit_rate: f64,
}

impl Default for AlertThresholds {
    fn default() -> Self {
        Self {
            // 50 outcomes: the skill's sampling error is then well under its typical size.
            min_fill_samples: 50,
            min_brier_skill: 0.0,
            min_markout_samples: 30,
            min_information_ratio: 1.0,
            min_lead_samples: 30,
            min_lead_hit_rate: 0.5,
        }
    }
}

/// Where each bucket's estimates start before its own outcomes arrive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Priors {
    /// Typical noise of one fill's realized adverse selection or edge, bps (the NIG prior's
    /// scale: prior noise variance = this²).
    pub markout_noise_bps: f64,
    /// Expected life of an order before it is requoted or cancelled, seconds, worth one
    /// observed ending (the Gamma prior of the ending rate).
    pub order_life_s: f64,
    /// Half-life of the realized-edge EWMA (the fill-profitability tracker), in fills.
    pub edge_ewma_half_life_fills: f64,
}

impl Default for Priors {
    fn default() -> Self {
        Self {
            // A few bps: a 10 s markout of a liquid perp moves about that much.
            markout_noise_bps: 3.0,
            // Requote tolerances of ~1 bp keep an order a few seconds.
            order_life_s: 5.0,
            edge_ewma_half_life_fills: 50.0,
        }
    }
}

/// Widen the quotes of a bucket whose realized edge stays below a level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WidenOnPoorEdge {
    pub enabled: bool,
    /// A bucket whose realized-edge posterior mean plus one posterior standard deviation is
    /// below this (bps) is poor: its edge is below the level with ~84 % posterior probability.
    pub edge_below_bps: f64,
    /// Fills a bucket needs before it may be judged poor.
    pub min_fills: u64,
    /// Extra half spread of a side whose innermost level sits in a poor bucket, bps.
    pub widen_bps: f64,
}

impl Default for WidenOnPoorEdge {
    fn default() -> Self {
        Self { enabled: false, edge_below_bps: 0.0, min_fills: 30, widen_bps: 1.0 }
    }
}

/// A `[calibration]` value that cannot work, and its key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("calibration.{key} = {value}: {requirement}")]
pub struct CalibrationConfigError {
    pub key: &'static str,
    pub value: f64,
    pub requirement: &'static str,
}

impl CalibrationConfig {
    pub fn validate(&self) -> Result<(), CalibrationConfigError> {
        let positive = "must be a positive number";
        let non_negative = "must be a finite number ≥ 0";
        let finite = "must be a finite number";
        let probability = "must be within [0, 1]";
        let checks: [(&'static str, f64, &'static str, bool); 10] = [
            ("report_interval_s", self.report_interval_s, positive, self.report_interval_s > 0.0),
            ("feedback_interval_s", self.feedback_interval_s, positive, self.feedback_interval_s > 0.0),
            ("lead_min_bps", self.lead_min_bps, non_negative, self.lead_min_bps >= 0.0),
            ("alerts.min_brier_skill", self.alerts.min_brier_skill, finite, true),
            ("alerts.min_information_ratio", self.alerts.min_information_ratio, finite, true),
            ("alerts.min_lead_hit_rate", self.alerts.min_lead_hit_rate, probability, {
                (0.0..=1.0).contains(&self.alerts.min_lead_hit_rate)
            }),
            ("priors.markout_noise_bps", self.priors.markout_noise_bps, positive, self.priors.markout_noise_bps > 0.0),
            ("priors.order_life_s", self.priors.order_life_s, positive, self.priors.order_life_s > 0.0),
            ("priors.edge_ewma_half_life_fills", self.priors.edge_ewma_half_life_fills, positive, {
                self.priors.edge_ewma_half_life_fills > 0.0
            }),
            ("widen.edge_below_bps", self.widen.edge_below_bps, finite, true),
        ];
        for (key, value, requirement, ok) in checks {
            if !value.is_finite() || !ok {
                return Err(CalibrationConfigError { key, value, requirement });
            }
        }
        let widen = self.widen.widen_bps;
        if !(widen.is_finite() && widen >= 0.0) {
            return Err(CalibrationConfigError { key: "widen.widen_bps", value: widen, requirement: non_negative });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_each_bad_value_names_its_key() {
        assert_eq!(CalibrationConfig::default().validate(), Ok(()));
        let mut c = CalibrationConfig { report_interval_s: 0.0, ..Default::default() };
        assert_eq!(c.validate().unwrap_err().key, "report_interval_s");
        c = CalibrationConfig::default();
        c.alerts.min_lead_hit_rate = 1.5;
        assert_eq!(c.validate().unwrap_err().key, "alerts.min_lead_hit_rate");
        c = CalibrationConfig::default();
        c.priors.order_life_s = f64::NAN;
        assert_eq!(c.validate().unwrap_err().key, "priors.order_life_s");
        c = CalibrationConfig::default();
        c.widen.widen_bps = -1.0;
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "calibration.widen.widen_bps = -1: must be a finite number ≥ 0"
        );
        let parsed: CalibrationConfig =
            serde_json::from_str(r#"{"report_interval_s": 60, "widen": {"enabled": true}}"#).unwrap();
        assert!(parsed.widen.enabled && parsed.report_interval_s == 60.0 && parsed.widen.widen_bps == 1.0);
        assert!(serde_json::from_str::<CalibrationConfig>(r#"{"report_interval": 60}"#).is_err());
    }
}
