//! Ho–Stoll dealer quotes: a monopoly markup plus half the dealer's reservation fee.
//!
//! Ho, T. & Stoll, H. R. (1981), "Optimal dealer pricing under transactions and return
//! uncertainty", Journal of Financial Economics 9(1), 47–73. A single dealer with
//! risk aversion faces Poisson buy and sell orders of size Q whose rates fall linearly in the
//! fee charged, λa = α − β·a, λb = α − β·b (a, b: distances of ask and bid from the true
//! price), and holds an inventory I whose return has variance σ² per unit time, to a horizon
//! T. Maximising (α − β·b)·(b − b_r) — order rate times the gain over the reservation fee
//! b_r that leaves the dealer's expected utility unchanged — gives the paper's result
//!
//! - b* = α/(2β) + b_r/2,  a* = α/(2β) + a_r/2 (monopoly pricing on linear demand: half the
//!   reservation fee passes into the quote);
//! - with b_r = Rσ²(T − t)·(I + Q/2) and a_r = Rσ²(T − t)·(Q/2 − I) for risk aversion R, the
//!   spread a* + b* = α/β + ½·Rσ²(T − t)·Q is the **risk-neutral spread α/β** plus a **risk
//!   premium** growing with risk aversion, variance, horizon and transaction size, and does
//!   **not depend on inventory**; inventory moves both quotes by the same −½·Rσ²(T − t)·I.
//!
//! Mapping to our inputs (models/mod.rs units), each term named:
//!
//! - **α/(2β) ↔ 1/κ.** Both are the risk-neutral optimum δ = −λ(δ)/λ'(δ) of their demand
//!   curve. Taking Ho–Stoll's line as the tangent of our fill curve A·e^(−κδ) at that optimum,
//!   δ₀ = 1/κ, gives β = κA/e and α = 2A/e, so α/(2β) = 1/κ exactly and A drops out.
//! - **R ↔ γ** (per fraction · lot), **σ² ↔ σ²** (fraction² per second), **Q ↔ Δ = 1 lot**
//!   (one quote is one lot), **I ↔ q** lots, **T − t ↔ `horizon_s`** (rolling, as for A–S).
//! - Risk premium in the spread ½·γσ²τ·Δ (τ = `horizon_s`); inventory shift of both quotes
//!   −½·γσ²τ·q; so δb = 1/κ + ½·γσ²τ·(q + Δ/2) and δa = 1/κ + ½·γσ²τ·(Δ/2 − q).
//!
//! The halves are the paper's: with Avellaneda–Stoikov's exponential fills the same
//! reservation fees pass through in full (δb = s − r^b + …). Ho–Stoll's dealer also carries
//! base wealth correlated with the stock; we have none, so its covariance terms are zero, and
//! `drift_frac_per_s` (an expected return) is not used.

use super::{require, ModelError, ModelInputs, ModelQuote, QuoteModel};
use serde::{Deserialize, Serialize};

/// Transaction size Q in lots: one quote is one lot.
const ORDER_SIZE_LOTS: f64 = 1.0;

/// Share of the reservation fee a monopolist on linear demand passes into its quote
/// (argmax over b of (α − βb)(b − b_r) is α/(2β) + b_r/2).
const LINEAR_DEMAND_PASS_THROUGH: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoStollConfig {
    /// The dealer's horizon T − t, in seconds (rolling: the same at every quote).
    pub horizon_s: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoStoll {
    horizon_s: f64,
}

impl HoStoll {
    pub fn new(config: HoStollConfig) -> Result<Self, ModelError> {
        let h = config.horizon_s;
        require(h.is_finite() && h > 0.0, "horizon_s", "positive and finite", h)?;
        Ok(Self { horizon_s: h })
    }
}

impl QuoteModel for HoStoll {
    fn name(&self) -> &'static str {
        "ho_stoll"
    }

    fn quote(&self, inputs: &ModelInputs) -> Result<ModelQuote, ModelError> {
        let (gamma, kappa) = (inputs.gamma_per_frac_lot, inputs.kappa_per_frac);
        let (sigma, q) = (inputs.sigma_frac_per_sqrt_s, inputs.inventory_lots);
        // γ = 0 is the paper's risk-neutral dealer: quotes at α/(2β) on both sides.
        require(gamma.is_finite() && gamma >= 0.0, "gamma_per_frac_lot", "non-negative and finite", gamma)?;
        require(kappa.is_finite() && kappa > 0.0, "kappa_per_frac", "positive and finite", kappa)?;
        require(sigma.is_finite() && sigma >= 0.0, "sigma_frac_per_sqrt_s", "non-negative and finite", sigma)?;
        require(q.is_finite(), "inventory_lots", "finite", q)?;
        let monopoly = 1.0 / kappa;
        let risk = gamma * sigma * sigma * self.horizon_s;
        let bid_reservation_fee = risk * (q + ORDER_SIZE_LOTS / 2.0);
        let ask_reservation_fee = risk * (ORDER_SIZE_LOTS / 2.0 - q);
        Ok(ModelQuote {
            bid_depth_frac: monopoly + LINEAR_DEMAND_PASS_THROUGH * bid_reservation_fee,
            ask_depth_frac: monopoly + LINEAR_DEMAND_PASS_THROUGH * ask_reservation_fee,
            spread_term_frac: monopoly,
            reservation_offset_frac: -LINEAR_DEMAND_PASS_THROUGH * risk * q,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> HoStoll {
        HoStoll::new(HoStollConfig { horizon_s: 60.0 }).unwrap()
    }

    fn inputs(gamma: f64, sigma: f64, q: f64) -> ModelInputs {
        ModelInputs {
            sigma_frac_per_sqrt_s: sigma,
            kappa_per_frac: 2_000.0,
            a_per_s: 0.5,
            gamma_per_frac_lot: gamma,
            inventory_lots: q,
            drift_frac_per_s: 0.0,
        }
    }

    #[test]
    fn matches_hand_computed_values() {
        // γ = 50, σ = 2e-4, κ = 2000, τ = 60 s, q = 2, Δ = 1:
        //   γσ²τ = 50 · 4e-8 · 60 = 1.2e-4;  α/(2β) = 1/κ = 5e-4
        //   b_r = 1.2e-4 · (2 + 0.5) = 3.0e-4  → δb = 5e-4 + 1.5e-4 = 6.5e-4
        //   a_r = 1.2e-4 · (0.5 − 2) = −1.8e-4 → δa = 5e-4 − 0.9e-4 = 4.1e-4
        //   spread = 1.06e-3 = α/β + ½γσ²τΔ = 1e-3 + 6e-5; centre shift = −½·1.2e-4·2 = −1.2e-4
        let got = model().quote(&inputs(50.0, 2e-4, 2.0)).unwrap();
        assert!((got.bid_depth_frac - 6.5e-4).abs() < 1e-18, "{got:?}");
        assert!((got.ask_depth_frac - 4.1e-4).abs() < 1e-18, "{got:?}");
        assert!((got.reservation_offset_frac + 1.2e-4).abs() < 1e-18, "{got:?}");
        assert_eq!(got.spread_term_frac, 5e-4);
        // The centre shift is what the depths imply: (δa − δb)/2.
        assert!((got.reservation_offset_frac - (got.ask_depth_frac - got.bid_depth_frac) / 2.0).abs() < 1e-18);
    }

    #[test]
    fn width_does_not_depend_on_inventory_and_both_quotes_shift_equally() {
        let flat = model().quote(&inputs(50.0, 2e-4, 0.0)).unwrap();
        assert_eq!(flat.bid_depth_frac, flat.ask_depth_frac);
        for q in [-5.0, -1.0, 0.5, 3.0] {
            let got = model().quote(&inputs(50.0, 2e-4, q)).unwrap();
            let width = got.bid_depth_frac + got.ask_depth_frac;
            assert!((width - 2.0 * flat.half_spread_frac()).abs() < 1e-18, "q = {q}");
            // Bid price moves by −(δb − δb0), ask price by +(δa − δa0): the same amount.
            let bid_move = -(got.bid_depth_frac - flat.bid_depth_frac);
            let ask_move = got.ask_depth_frac - flat.ask_depth_frac;
            assert!((bid_move - ask_move).abs() < 1e-18, "q = {q}");
            assert!(bid_move * q < 0.0, "long lowers both quotes, short raises them");
        }
    }

    #[test]
    fn risk_premium_grows_with_gamma_and_sigma() {
        let half = |g: f64, s: f64| model().quote(&inputs(g, s, 0.0)).unwrap().half_spread_frac();
        assert_eq!(half(0.0, 2e-4), 1.0 / 2_000.0, "risk neutral: the monopoly markup alone");
        assert!(half(10.0, 2e-4) < half(50.0, 2e-4) && half(50.0, 2e-4) < half(100.0, 2e-4));
        assert!(half(50.0, 1e-4) < half(50.0, 2e-4) && half(50.0, 2e-4) < half(50.0, 4e-4));
        // Skew per lot grows with γ too.
        let skew = |g: f64| -model().quote(&inputs(g, 2e-4, 1.0)).unwrap().reservation_offset_frac;
        assert!(skew(10.0) < skew(50.0));
    }

    #[test]
    fn bad_inputs_are_named() {
        let err = |i| model().quote(&i);
        assert!(matches!(err(inputs(-1.0, 2e-4, 0.0)), Err(ModelError::Input { name: "gamma_per_frac_lot", .. })));
        assert!(matches!(
            err(inputs(1.0, f64::NAN, 0.0)),
            Err(ModelError::Input { name: "sigma_frac_per_sqrt_s", .. })
        ));
        assert!(matches!(err(inputs(1.0, 2e-4, f64::NAN)), Err(ModelError::Input { name: "inventory_lots", .. })));
        let zero_kappa = ModelInputs { kappa_per_frac: 0.0, ..inputs(1.0, 2e-4, 0.0) };
        assert!(matches!(err(zero_kappa), Err(ModelError::Input { name: "kappa_per_frac", .. })));
        assert!(matches!(
            HoStoll::new(HoStollConfig { horizon_s: f64::INFINITY }),
            Err(ModelError::Input { name: "horizon_s", .. })
        ));
    }
}
