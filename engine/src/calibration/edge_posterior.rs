//! What the realized edge of a context bucket's fills says about its true mean: a
//! Normal-Inverse-Gamma posterior (the conjugate prior of a normal with unknown mean and
//! variance; Murphy, "Conjugate Bayesian analysis of the Gaussian distribution", 2007, §6).
//!
//! Prior NIG(μ₀, κ₀, α₀, β₀). One observation x updates it (ibid., eq. 86–89, one point):
//! κ' = κ + 1, μ' = (κμ + x)/κ', α' = α + ½, β' = β + κ(x − μ)²/(2κ'). The mean's marginal
//! posterior is Student-t with 2α degrees of freedom, location μ, scale² β/(ακ); its variance
//! β/((α − 1)κ) for α > 1. So the edge's uncertainty shrinks with evidence instead of being
//! a fixed guess, and a bucket with few fills stays near the prior.

use serde::Serialize;

/// A Normal-Inverse-Gamma belief about a mean (edge in bps) and its noise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EdgePosterior {
    /// Posterior mean of the edge.
    pub mean: f64,
    /// Pseudo-observations behind the mean.
    pub kappa: f64,
    pub alpha: f64,
    pub beta: f64,
    pub observations: u64,
}

impl EdgePosterior {
    /// The prior: mean edge `mean` worth `kappa` observations; noise variance with shape
    /// `alpha`, scale `beta` (prior mean noise variance β/(α − 1) for α > 1).
    pub const fn prior(mean: f64, kappa: f64, alpha: f64, beta: f64) -> Self {
        Self { mean, kappa, alpha, beta, observations: 0 }
    }

    /// Adds one realized edge; a non-finite one is ignored (returns false).
    pub fn observe(&mut self, x: f64) -> bool {
        if !x.is_finite() {
            return false;
        }
        let kappa = self.kappa + 1.0;
        self.beta += self.kappa * (x - self.mean).powi(2) / (2.0 * kappa);
        self.mean = (self.kappa * self.mean + x) / kappa;
        self.kappa = kappa;
        self.alpha += 0.5;
        self.observations += 1;
        true
    }

    /// Posterior standard deviation of the mean edge (`None` while α ≤ 1: infinite).
    pub fn mean_std(&self) -> Option<f64> {
        (self.alpha > 1.0).then(|| (self.beta / ((self.alpha - 1.0) * self.kappa)).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prior (0, 1, 1, 1), observations 1 and 3 — batch form: n 2, x̄ 2, S 2 → κ 3, μ 4/3,
    /// α 2, β = 1 + S/2 + κ₀n(x̄ − μ₀)²/(2κₙ) = 1 + 1 + 8/6 = 10/3; Var(μ) = β/((α−1)κ) = 10/9.
    #[test]
    fn one_at_a_time_equals_the_batch_update_by_hand() {
        let mut p = EdgePosterior::prior(0.0, 1.0, 1.0, 1.0);
        assert_eq!(p.mean_std(), None, "α = 1: no finite variance yet");
        assert!(p.observe(1.0) && p.observe(3.0));
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(p.kappa, 3.0) && close(p.mean, 4.0 / 3.0) && close(p.alpha, 2.0), "{p:?}");
        assert!(close(p.beta, 10.0 / 3.0), "{p:?}");
        assert!(close(p.mean_std().unwrap(), (10.0f64 / 9.0).sqrt()));
        assert_eq!(p.observations, 2);
        assert!(!p.observe(f64::NAN));
    }

    #[test]
    fn evidence_narrows_the_edge_and_pulls_it_from_the_prior() {
        let mut p = EdgePosterior::prior(1.0, 2.0, 2.0, 1.0);
        let before = p.mean_std().unwrap();
        for i in 0..200 {
            p.observe(-0.5 + if i % 2 == 0 { 0.1 } else { -0.1 });
        }
        assert!((p.mean + 0.5).abs() < 0.02, "{p:?}");
        assert!(p.mean_std().unwrap() < before / 5.0);
    }
}
