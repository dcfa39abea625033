//! The lead of a reference venue's mid over ours.
//!
//! [`ReferenceLead`] compares our mid with a reference venue's (e.g. Binance): the basis
//! `ref/ours − 1` (instantaneous and a time-weighted EWMA, in bps) and the **lead signal**
//!
//! `lead_bps = 10⁴·[ln(ref_t / ref_(t−H)) − ln(ours_t / ours_(t−H))]`
//!
//! "how much the reference has moved over the last H that we have not (yet)". Log-returns over
//! the same horizon cancel the basis level, so a constant premium does not read as a lead. When
//! the larger venue moves first, the lead is positive before our mid rises: a drift to lean
//! the quotes into. A reference silent for longer than `stale_after_s` is not used (lead and
//! basis `None`, flagged by [`ReferenceLead::is_reference_stale`]).
//!
//! Both mids are kept as [`SampledSeries`] of `ln(mid)`: one stored sample per H/64 at most, so
//! a burst of reference updates cannot flush the look-back H needs.

use super::context::MarketContextConfigError;
use super::sampled_series::SampledSeries;
use crate::types::Nanos;
use crate::units::frac_to_bps;
use serde::{Deserialize, Serialize};

/// Mid samples kept per series; with a spacing of H/64 they span ≥ 4 horizons.
const LEAD_HISTORY_SAMPLES: usize = 256;
/// Stored samples per horizon: the look-back lands within H/64 of the exact lag.
const LEAD_SAMPLES_PER_HORIZON: f64 = 64.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReferenceLeadConfig {
    /// H: the look-back of both log-returns.
    pub lead_horizon_s: f64,
    /// Half-life of the time-weighted basis EWMA.
    pub basis_half_life_s: f64,
    /// A reference silent this long is not used.
    pub stale_after_s: f64,
}

impl Default for ReferenceLeadConfig {
    fn default() -> Self {
        Self {
            // Cross-venue price discovery on majors plays out in hundreds of milliseconds;
            // 500 ms is a few Hyperliquid blocks.
            lead_horizon_s: 0.5,
            // A minute: the basis moves with funding and inventory, slowly.
            basis_half_life_s: 60.0,
            // Binance's bookTicker for a liquid pair updates many times a second; two silent
            // seconds mean a feed problem, not a quiet market.
            stale_after_s: 2.0,
        }
    }
}

impl ReferenceLeadConfig {
    pub fn validate(&self) -> Result<(), MarketContextConfigError> {
        for (value, message) in [
            (self.lead_horizon_s, "lead_horizon_s must be a positive number"),
            (self.basis_half_life_s, "basis_half_life_s must be a positive number"),
            (self.stale_after_s, "stale_after_s must be a positive number"),
        ] {
            if !(value > 0.0 && value.is_finite()) {
                return Err(MarketContextConfigError(message));
            }
        }
        Ok(())
    }
}

/// Our mid against a reference venue's.
#[derive(Debug, Clone)]
pub struct ReferenceLead {
    horizon: Nanos,
    basis_tau_s: f64,
    stale_after: Nanos,
    /// ln(mid) of each venue.
    ours: SampledSeries<LEAD_HISTORY_SAMPLES>,
    reference: SampledSeries<LEAD_HISTORY_SAMPLES>,
    /// The basis in force since the time given, while the reference is fresh.
    last_basis: Option<(Nanos, f64)>,
    basis_ewma_bps: Option<f64>,
    updates: u64,
    rejected: u64,
}

impl ReferenceLead {
    pub fn new(config: &ReferenceLeadConfig) -> Result<Self, MarketContextConfigError> {
        config.validate()?;
        let spacing = Nanos::from_secs_f64(config.lead_horizon_s / LEAD_SAMPLES_PER_HORIZON);
        Ok(Self {
            horizon: Nanos::from_secs_f64(config.lead_horizon_s),
            basis_tau_s: config.basis_half_life_s / std::f64::consts::LN_2,
            stale_after: Nanos::from_secs_f64(config.stale_after_s),
            ours: SampledSeries::new(spacing),
            reference: SampledSeries::new(spacing),
            last_basis: None,
            basis_ewma_bps: None,
            updates: 0,
            rejected: 0,
        })
    }

    /// Our venue's mid. Non-positive or non-finite mids and times going backwards are counted.
    pub fn on_our_mid(&mut self, now: Nanos, mid_usd: f64) {
        if self.accept(now, mid_usd, false) {
            self.ours.push(now, mid_usd.ln());
            self.update_basis(now);
        }
    }

    /// The reference venue's mid, on our engine clock (time of receipt).
    pub fn on_reference_mid(&mut self, now: Nanos, mid_usd: f64) {
        if self.accept(now, mid_usd, true) {
            self.reference.push(now, mid_usd.ln());
            self.update_basis(now);
        }
    }

    fn accept(&mut self, now: Nanos, mid_usd: f64, reference: bool) -> bool {
        let series = if reference { &self.reference } else { &self.ours };
        let ok = mid_usd > 0.0 && mid_usd.is_finite() && series.latest().is_none_or(|(t, _)| now >= t);
        if ok {
            self.updates += 1;
        } else {
            self.rejected += 1;
        }
        ok
    }

    /// Folds the basis that held since the last update into the EWMA (weight 1 − e^(−Δt/τ)),
    /// then records the new one. Stale stretches are not folded in.
    fn update_basis(&mut self, now: Nanos) {
        let Some(basis) = self.basis_bps(now) else {
            self.last_basis = None;
            return;
        };
        if let (Some((t_prev, b_prev)), Some(ewma)) = (self.last_basis, self.basis_ewma_bps.as_mut()) {
            let dt_s = now.saturating_sub(t_prev).as_secs_f64();
            *ewma += (1.0 - (-dt_s / self.basis_tau_s).exp()) * (b_prev - *ewma);
        }
        self.basis_ewma_bps.get_or_insert(basis);
        self.last_basis = Some((now, basis));
    }

    /// The reference has not updated for `stale_after_s` (or never has).
    pub fn is_reference_stale(&self, now: Nanos) -> bool {
        self.reference.latest().is_none_or(|(t, _)| now.saturating_sub(t) > self.stale_after)
    }

    /// Time since the reference last updated; `None` before the first update.
    pub fn reference_age(&self, now: Nanos) -> Option<Nanos> {
        self.reference.latest().map(|(t, _)| now.saturating_sub(t))
    }

    /// The reference's latest mid; `None` before the first update or when stale.
    pub fn reference_mid_usd(&self, now: Nanos) -> Option<f64> {
        if self.is_reference_stale(now) {
            return None;
        }
        self.reference.latest().map(|(_, ln_mid)| ln_mid.exp())
    }

    /// `ref/ours − 1` in bps from the latest mids; `None` if either is missing or the
    /// reference is stale.
    pub fn basis_bps(&self, now: Nanos) -> Option<f64> {
        if self.is_reference_stale(now) {
            return None;
        }
        let (_, ln_ref) = self.reference.latest()?;
        let (_, ln_ours) = self.ours.latest()?;
        Some(frac_to_bps((ln_ref - ln_ours).exp_m1()))
    }

    /// Time-weighted EWMA of the basis; `None` before both mids have been seen fresh.
    pub fn basis_ewma_bps(&self) -> Option<f64> {
        self.basis_ewma_bps
    }

    /// The lead signal (module doc), in bps; `None` if the reference is stale or either series
    /// does not yet reach back H from `now`.
    pub fn lead_bps(&self, now: Nanos) -> Option<f64> {
        if self.is_reference_stale(now) {
            return None;
        }
        let lag = Nanos(now.0.checked_sub(self.horizon.0)?);
        let ref_return = self.reference.latest()?.1 - self.reference.at_or_before(lag)?;
        let our_return = self.ours.latest()?.1 - self.ours.at_or_before(lag)?;
        Some(frac_to_bps(ref_return - our_return))
    }

    /// Both series span at least H.
    pub fn is_warm(&self) -> bool {
        self.ours.span() >= self.horizon && self.reference.span() >= self.horizon
    }

    /// Mids accepted (both venues).
    pub fn samples(&self) -> u64 {
        self.updates
    }

    pub fn rejected(&self) -> u64 {
        self.rejected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mids every 50 ms; reference sits 5 bps above ours.
    fn feed(lead: &mut ReferenceLead, from_ms: u64, to_ms: u64, ours: f64, reference: f64) {
        for ms in (from_ms..to_ms).step_by(50) {
            lead.on_reference_mid(Nanos::from_millis(ms), reference);
            lead.on_our_mid(Nanos::from_millis(ms), ours);
        }
    }

    #[test]
    fn reference_jumping_first_gives_a_positive_lead_that_closes() {
        let mut lead = ReferenceLead::new(&ReferenceLeadConfig::default()).unwrap();
        let base = 100.0;
        let reference = base * 1.0005;
        feed(&mut lead, 0, 10_000, base, reference);
        assert!(lead.is_warm());
        assert!(lead.lead_bps(Nanos::from_millis(9_950)).unwrap().abs() < 1e-9);
        // The constant 5 bps premium is basis, not lead.
        assert!((lead.basis_bps(Nanos::from_millis(9_950)).unwrap() - 5.0).abs() < 1e-9);
        assert!((lead.basis_ewma_bps().unwrap() - 5.0).abs() < 1e-9);
        // The reference rises 10 bps at 10.0 s; we follow at 10.3 s.
        let up = 1.001f64;
        feed(&mut lead, 10_000, 10_300, base, reference * up);
        let expected = 1e4 * up.ln(); // 9.995 bps
        let early = lead.lead_bps(Nanos::from_millis(10_250)).unwrap();
        assert!((early - expected).abs() < 1e-9, "lead {early} vs {expected}");
        feed(&mut lead, 10_300, 11_000, base * up, reference * up);
        assert!(lead.lead_bps(Nanos::from_millis(10_400)).unwrap().abs() < 1e-9, "both have moved");
        assert!(lead.lead_bps(Nanos::from_millis(10_950)).unwrap().abs() < 1e-9);
        // The reference drops first: negative lead.
        feed(&mut lead, 11_000, 11_200, base * up, reference * up / up);
        assert!((lead.lead_bps(Nanos::from_millis(11_150)).unwrap() + expected).abs() < 1e-9);
        // During the 300 ms the basis was 15 bps; its EWMA moved only a little off 5.
        let ewma = lead.basis_ewma_bps().unwrap();
        assert!(ewma > 5.0 && ewma < 5.1, "basis EWMA {ewma}");
    }

    #[test]
    fn a_stale_reference_is_not_used() {
        let mut lead = ReferenceLead::new(&ReferenceLeadConfig::default()).unwrap();
        assert!(lead.is_reference_stale(Nanos::ZERO));
        feed(&mut lead, 0, 5_000, 100.0, 100.0);
        assert!(!lead.is_reference_stale(Nanos::from_millis(5_000)));
        // Only our mid keeps updating after 4.95 s.
        for ms in (5_000..8_000).step_by(50) {
            lead.on_our_mid(Nanos::from_millis(ms), 100.0);
        }
        assert_eq!(lead.lead_bps(Nanos::from_millis(6_950)), Some(0.0)); // 2.0 s old: still usable
        assert!(lead.is_reference_stale(Nanos::from_millis(6_951)));
        assert_eq!(lead.lead_bps(Nanos::from_millis(7_000)), None);
        assert_eq!(lead.basis_bps(Nanos::from_millis(7_000)), None);
        assert_eq!(lead.reference_age(Nanos::from_millis(7_950)), Some(Nanos::from_millis(3_000)));
        // Bad mids and time going backwards are counted.
        lead.on_reference_mid(Nanos::from_millis(8_000), f64::NAN);
        lead.on_reference_mid(Nanos::from_millis(8_000), 0.0);
        lead.on_our_mid(Nanos::from_millis(10), 100.0);
        assert_eq!(lead.rejected(), 3);
        // Too little history: no lead yet.
        let fresh = ReferenceLead::new(&ReferenceLeadConfig::default()).unwrap();
        assert_eq!(fresh.lead_bps(Nanos::from_millis(100)), None);
        assert!(!fresh.is_warm());
    }

    #[test]
    fn a_burst_cannot_flush_the_look_back() {
        // 10 000 reference updates in 100 ms (one per 10 µs) after a quiet second: the sampled
        // ring still holds the mid from H = 500 ms ago.
        let mut lead = ReferenceLead::new(&ReferenceLeadConfig::default()).unwrap();
        feed(&mut lead, 0, 1_000, 100.0, 100.0);
        for i in 0..10_000u64 {
            let t = Nanos::from_millis(1_000) + Nanos::from_micros(10 * i);
            lead.on_reference_mid(t, 100.0 * (1.0 + 1e-7 * i as f64));
        }
        let now = Nanos::from_millis(1_100);
        let got = lead.lead_bps(now).unwrap();
        let expected = 1e4 * (1.0 + 1e-7 * 9_999.0f64).ln();
        assert!((got - expected).abs() < 1e-9, "{got} vs {expected}");
    }
}
