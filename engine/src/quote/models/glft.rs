//! Guéant–Lehalle–Fernandez-Tapia closed-form quotes, in the general form of Guéant (2017).
//!
//! Guéant, O. (2017), "Optimal market making", Applied Mathematical Finance 24(2), §4
//! (closed-form approximations, eqs. for δ^b and δ^a with order size Δ and ξ), after Guéant,
//! Lehalle & Fernandez-Tapia (2013), "Dealing with the inventory risk", Math. Financ. Econ. 7.
//! MODELS.md "GLFT":
//!
//! - c1 = (1/(ξΔ))·ln(1 + ξΔ/κ)
//! - c2 = sqrt( γ/(2·A·Δ·κ) · (1 + ξΔ/κ)^(κ/(ξΔ) + 1) )
//! - δb(q) = c1 + ((2q + Δ)/2)·σ·c2,   δa(q) = c1 − ((2q − Δ)/2)·σ·c2
//!
//! Units, chosen so every input is what the estimators measure: distances δ and σ are
//! fractions of the mid (σ per √second), κ is per unit fraction, A per second, and inventory
//! q and the order size Δ are counted in **lots** (one lot = the quoted order size), so Δ = 1
//! and γ is per (fraction · lot). `gamma_per_frac_lot` converts a CARA risk aversion on USD
//! wealth into these units. ξ = γ is the paper's CARA case; ξ = 0 its risk-neutral limit of
//! the first term (c1 → 1/κ).

use serde::{Deserialize, Serialize};

use super::{positive, ModelError, ModelInputs, ModelQuote, QuoteModel};

/// The model inputs, units in the names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlftInputs {
    /// Risk aversion γ per (fraction of mid · lot).
    pub gamma_per_frac_lot: f64,
    /// ξ of Guéant (2017): γ for the CARA objective, 0 for the risk-neutral-spread variant.
    pub xi_per_frac_lot: f64,
    /// Fill-intensity decay κ per unit fraction of mid.
    pub kappa_per_frac: f64,
    /// Fill intensity at the mid, A per second.
    pub a_per_s: f64,
    /// Volatility of the mid, fraction per √second.
    pub sigma_frac_per_sqrt_s: f64,
    /// Inventory q in lots (signed: long > 0).
    pub inventory_lots: f64,
}

/// Quotes and the components that made them, all as fractions of the mid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GlftQuote {
    /// c1: the spread term, independent of inventory.
    pub c1_frac: f64,
    /// σ·c2: the inventory skew per lot of inventory.
    pub skew_per_lot_frac: f64,
    /// Half spread at zero inventory: c1 + σ·c2·Δ/2.
    pub half_spread_frac: f64,
    pub bid_depth_frac: f64,
    pub ask_depth_frac: f64,
}

/// Why the inputs have no quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GlftError {
    #[error("γ must be a positive finite number")]
    Gamma,
    #[error("ξ must be a non-negative finite number")]
    Xi,
    #[error("κ must be a positive finite number")]
    Kappa,
    #[error("A must be a positive finite number")]
    Intensity,
    #[error("σ must be a non-negative finite number")]
    Sigma,
    #[error("inventory must be finite")]
    Inventory,
}

/// γ on USD wealth (per USD) → γ per (fraction of mid · lot): a move of one unit fraction on
/// one lot of `lot_base` is worth `mid_usd · lot_base` USD.
pub fn gamma_per_frac_lot(gamma_per_usd: f64, mid_usd: f64, lot_base: f64) -> f64 {
    gamma_per_usd * mid_usd * lot_base
}

/// Order size Δ in lots: one quote is one lot.
const ORDER_SIZE_LOTS: f64 = 1.0;

/// (1/x)·ln(1 + x/κ) with its x → 0 limit 1/κ, computed without cancellation.
fn c1(x: f64, kappa: f64) -> f64 {
    if x == 0.0 {
        1.0 / kappa
    } else {
        (x / kappa).ln_1p() / x
    }
}

/// (1 + x/κ)^(κ/x + 1), with its x → 0 limit e.
fn growth(x: f64, kappa: f64) -> f64 {
    if x == 0.0 {
        std::f64::consts::E
    } else {
        let r = x / kappa;
        ((1.0 / r + 1.0) * r.ln_1p()).exp()
    }
}

/// The closed-form quotes of Guéant (2017) for `inputs`.
pub fn glft_quote(inputs: &GlftInputs) -> Result<GlftQuote, GlftError> {
    let GlftInputs { gamma_per_frac_lot: gamma, xi_per_frac_lot: xi, kappa_per_frac: kappa, .. } = *inputs;
    let (a, sigma, q) = (inputs.a_per_s, inputs.sigma_frac_per_sqrt_s, inputs.inventory_lots);
    if !positive(gamma) {
        return Err(GlftError::Gamma);
    }
    if !(xi.is_finite() && xi >= 0.0) {
        return Err(GlftError::Xi);
    }
    if !positive(kappa) {
        return Err(GlftError::Kappa);
    }
    if !positive(a) {
        return Err(GlftError::Intensity);
    }
    if !(sigma.is_finite() && sigma >= 0.0) {
        return Err(GlftError::Sigma);
    }
    if !q.is_finite() {
        return Err(GlftError::Inventory);
    }
    let delta = ORDER_SIZE_LOTS;
    let x = xi * delta;
    let c1 = c1(x, kappa);
    let c2 = (gamma / (2.0 * a * delta * kappa) * growth(x, kappa)).sqrt();
    let skew = sigma * c2;
    Ok(GlftQuote {
        c1_frac: c1,
        skew_per_lot_frac: skew,
        half_spread_frac: c1 + skew * delta / 2.0,
        bid_depth_frac: c1 + (2.0 * q + delta) / 2.0 * skew,
        ask_depth_frac: c1 - (2.0 * q - delta) / 2.0 * skew,
    })
}

/// Which ξ of Guéant (2017) the `Glft` model uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GlftXi {
    /// ξ = γ: the CARA objective of GLFT (2013).
    #[default]
    Gamma,
    /// ξ = 0: the risk-neutral spread term c1 = 1/κ, with the same inventory skew.
    Zero,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GlftConfig {
    pub xi: GlftXi,
}

/// The closed form as a `QuoteModel`.
///
/// A drift μ of the mid (`ModelInputs::drift_frac_per_s`) enters as in GLFT (2013) §5.1 (arXiv
/// v5 numbering, "The case of a trend in the price dynamics", the approximation after its
/// proposition): the drift term μ·q and the variance penalty (γ/2)·σ²·q² of the Hamiltonian
/// combine into −(γ/2)·σ²·(q − q*)² + const with q* = μ/(γ·σ²), so the closed form is that of
/// the inventory q − q*: δb = c1 + (−μ/(γσ²) + (2q + 1)/2)·σ·c2,
/// δa = c1 + (μ/(γσ²) − (2q − 1)/2)·σ·c2 for Δ = 1. The shift comes from that quadratic alone, so it is the same for either ξ. It needs
/// σ > 0 (with σ = 0 a drift is riskless profit and the model has no finite answer).
#[derive(Debug, Clone)]
pub struct Glft {
    config: GlftConfig,
}

impl Glft {
    pub fn new(config: GlftConfig) -> Self {
        Self { config }
    }

    pub fn config(&self) -> &GlftConfig {
        &self.config
    }
}

/// `GlftError` as the models' error, naming the offending input.
fn model_error(e: GlftError, inputs: &GlftInputs) -> ModelError {
    let (name, requirement, value) = match e {
        GlftError::Gamma => ("gamma_per_frac_lot", "a positive finite number", inputs.gamma_per_frac_lot),
        GlftError::Xi => ("xi_per_frac_lot", "a non-negative finite number", inputs.xi_per_frac_lot),
        GlftError::Kappa => ("kappa_per_frac", "a positive finite number", inputs.kappa_per_frac),
        GlftError::Intensity => ("a_per_s", "a positive finite number", inputs.a_per_s),
        GlftError::Sigma => ("sigma_frac_per_sqrt_s", "a non-negative finite number", inputs.sigma_frac_per_sqrt_s),
        GlftError::Inventory => ("inventory_lots", "finite (after the drift shift μ/(γσ²))", inputs.inventory_lots),
    };
    ModelError::Input { name, requirement, value }
}

impl QuoteModel for Glft {
    fn name(&self) -> &'static str {
        "glft"
    }

    fn quote(&self, inputs: &ModelInputs) -> Result<ModelQuote, ModelError> {
        let (gamma, sigma, mu) = (inputs.gamma_per_frac_lot, inputs.sigma_frac_per_sqrt_s, inputs.drift_frac_per_s);
        if !mu.is_finite() {
            return Err(ModelError::Input { name: "drift_frac_per_s", requirement: "finite", value: mu });
        }
        let drift_target_lots = if mu == 0.0 {
            0.0
        } else if !positive(sigma) {
            return Err(ModelError::Input {
                name: "sigma_frac_per_sqrt_s",
                requirement: "positive when a drift is given",
                value: sigma,
            });
        } else if !positive(gamma) {
            return Err(ModelError::Input {
                name: "gamma_per_frac_lot",
                requirement: "a positive finite number",
                value: gamma,
            });
        } else {
            mu / (gamma * sigma * sigma)
        };
        let glft_inputs = GlftInputs {
            gamma_per_frac_lot: gamma,
            xi_per_frac_lot: match self.config.xi {
                GlftXi::Gamma => gamma,
                GlftXi::Zero => 0.0,
            },
            kappa_per_frac: inputs.kappa_per_frac,
            a_per_s: inputs.a_per_s,
            sigma_frac_per_sqrt_s: sigma,
            inventory_lots: inputs.inventory_lots - drift_target_lots,
        };
        let q = glft_quote(&glft_inputs).map_err(|e| model_error(e, &glft_inputs))?;
        Ok(ModelQuote {
            bid_depth_frac: q.bid_depth_frac,
            ask_depth_frac: q.ask_depth_frac,
            spread_term_frac: q.c1_frac,
            reservation_offset_frac: (q.ask_depth_frac - q.bid_depth_frac) / 2.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(gamma: f64, q: f64) -> GlftInputs {
        GlftInputs {
            gamma_per_frac_lot: gamma,
            xi_per_frac_lot: gamma,
            kappa_per_frac: 2_000.0,
            a_per_s: 0.5,
            sigma_frac_per_sqrt_s: 2e-4,
            inventory_lots: q,
        }
    }

    #[test]
    fn flat_inventory_is_symmetric_and_small_gamma_tends_to_one_over_kappa() {
        let q = glft_quote(&inputs(1e-6, 0.0)).unwrap();
        assert_eq!(q.bid_depth_frac, q.ask_depth_frac);
        assert_eq!(q.bid_depth_frac, q.half_spread_frac);
        assert!((q.c1_frac * 2_000.0 - 1.0).abs() < 1e-9, "c1 {}", q.c1_frac);
        // ξ = 0 is exactly 1/κ.
        let neutral = glft_quote(&GlftInputs { xi_per_frac_lot: 0.0, ..inputs(1.0, 0.0) }).unwrap();
        assert_eq!(neutral.c1_frac, 1.0 / 2_000.0);
    }

    #[test]
    fn matches_the_formula_at_a_hand_computed_point() {
        // γ = ξ = 100, κ = 2000, A = 0.5, σ = 2e-4, Δ = 1, q = 2.
        let (g, k, a, s, q) = (100.0f64, 2_000.0f64, 0.5f64, 2e-4f64, 2.0f64);
        let c1 = (1.0 / g) * (1.0 + g / k).ln();
        let c2 = (g / (2.0 * a * k) * (1.0 + g / k).powf(k / g + 1.0)).sqrt();
        let got = glft_quote(&inputs(g, q)).unwrap();
        assert!((got.c1_frac - c1).abs() < 1e-15);
        assert!((got.bid_depth_frac - (c1 + (2.0 * q + 1.0) / 2.0 * s * c2)).abs() < 1e-15);
        assert!((got.ask_depth_frac - (c1 - (2.0 * q - 1.0) / 2.0 * s * c2)).abs() < 1e-15);
    }

    #[test]
    fn long_inventory_lowers_both_quotes_by_the_skew_per_lot() {
        let flat = glft_quote(&inputs(50.0, 0.0)).unwrap();
        let long = glft_quote(&inputs(50.0, 1.0)).unwrap();
        // Long one lot: bid further away, ask closer, each by σ·c2.
        assert!((long.bid_depth_frac - flat.bid_depth_frac - flat.skew_per_lot_frac).abs() < 1e-15);
        assert!((flat.ask_depth_frac - long.ask_depth_frac - flat.skew_per_lot_frac).abs() < 1e-15);
    }

    #[test]
    fn bad_inputs_are_named() {
        assert_eq!(glft_quote(&inputs(0.0, 0.0)), Err(GlftError::Gamma));
        assert_eq!(glft_quote(&GlftInputs { kappa_per_frac: f64::NAN, ..inputs(1.0, 0.0) }), Err(GlftError::Kappa));
        assert_eq!(glft_quote(&GlftInputs { a_per_s: -1.0, ..inputs(1.0, 0.0) }), Err(GlftError::Intensity));
        assert_eq!(glft_quote(&GlftInputs { sigma_frac_per_sqrt_s: -1.0, ..inputs(1.0, 0.0) }), Err(GlftError::Sigma));
        assert_eq!(glft_quote(&GlftInputs { xi_per_frac_lot: -1.0, ..inputs(1.0, 0.0) }), Err(GlftError::Xi));
        assert_eq!(glft_quote(&inputs(1.0, f64::INFINITY)), Err(GlftError::Inventory));
    }

    #[test]
    fn gamma_conversion_scales_with_mid_and_lot() {
        assert_eq!(gamma_per_frac_lot(0.01, 100_000.0, 0.001), 1.0);
    }

    fn model_inputs(q: f64, mu: f64) -> ModelInputs {
        ModelInputs {
            sigma_frac_per_sqrt_s: 2e-4,
            kappa_per_frac: 2_000.0,
            a_per_s: 0.5,
            gamma_per_frac_lot: 100.0,
            inventory_lots: q,
            drift_frac_per_s: mu,
        }
    }

    #[test]
    fn model_is_the_closed_form_for_either_xi() {
        let m = Glft::new(GlftConfig::default());
        let got = m.quote(&model_inputs(2.0, 0.0)).unwrap();
        let want = glft_quote(&inputs(100.0, 2.0)).unwrap();
        assert_eq!(
            (got.bid_depth_frac, got.ask_depth_frac, got.spread_term_frac),
            (want.bid_depth_frac, want.ask_depth_frac, want.c1_frac)
        );
        // Long two lots: the centre sits 2·σ·c2 below the mid.
        assert!((got.reservation_offset_frac + 2.0 * want.skew_per_lot_frac).abs() < 1e-18, "{got:?}");
        let zero = Glft::new(GlftConfig { xi: GlftXi::Zero }).quote(&model_inputs(0.0, 0.0)).unwrap();
        assert_eq!(zero.spread_term_frac, 1.0 / 2_000.0);
        assert_eq!(zero.bid_depth_frac, zero.ask_depth_frac);
    }

    #[test]
    fn drift_shifts_by_the_papers_target_inventory() {
        // GLFT (2013) §5.1 by hand: γ = 100, σ = 2e−4, κ = 2000, A = 0.5, μ = 1e−6/s, q = 0:
        // q* = μ/(γσ²) = 1e−6/(100·4e−8) = 0.25 lot; δb = c1 + (1/2 − 0.25)·σc2,
        // δa = c1 + (0.25 + 1/2)·σc2.
        let (g, k, s) = (100.0f64, 2_000.0f64, 2e-4f64);
        let c1 = (1.0 + g / k).ln() / g;
        let sc2 = s * (g / (2.0 * 0.5 * k) * (1.0 + g / k).powf(k / g + 1.0)).sqrt();
        let got = Glft::new(GlftConfig::default()).quote(&model_inputs(0.0, 1e-6)).unwrap();
        assert!((got.bid_depth_frac - (c1 + 0.25 * sc2)).abs() < 1e-15, "{got:?}");
        assert!((got.ask_depth_frac - (c1 + 0.75 * sc2)).abs() < 1e-15, "{got:?}");
        assert!(got.reservation_offset_frac > 0.0);
    }

    #[test]
    fn model_errors_name_the_input() {
        let m = Glft::new(GlftConfig::default());
        let name = |i: ModelInputs| match m.quote(&i) {
            Err(ModelError::Input { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(name(ModelInputs { kappa_per_frac: -1.0, ..model_inputs(0.0, 0.0) }), "kappa_per_frac");
        assert_eq!(name(ModelInputs { a_per_s: 0.0, ..model_inputs(0.0, 0.0) }), "a_per_s");
        assert_eq!(
            name(ModelInputs { sigma_frac_per_sqrt_s: 0.0, ..model_inputs(0.0, 1e-6) }),
            "sigma_frac_per_sqrt_s"
        );
        assert_eq!(name(ModelInputs { gamma_per_frac_lot: 0.0, ..model_inputs(0.0, 0.0) }), "gamma_per_frac_lot");
        assert_eq!(name(model_inputs(0.0, f64::NAN)), "drift_frac_per_s");
        let c: GlftConfig = serde_json::from_str(r#"{"xi": "zero"}"#).unwrap();
        assert_eq!(c.xi, GlftXi::Zero);
        assert_eq!(serde_json::from_str::<GlftConfig>("{}").unwrap(), GlftConfig::default());
        assert!(serde_json::from_str::<GlftConfig>(r#"{"xi": "gamma", "delta": 1}"#).is_err());
    }
}
