//! Cartea–Jaimungal–Penalva market making with running and terminal inventory penalties.
//!
//! Cartea, Jaimungal & Penalva (2015), "Algorithmic and High-Frequency Trading", Cambridge
//! University Press, ch. 10 §10.2 (market making with an inventory penalty: the DPE, the
//! ansatz H = x + q·S + h(t, q), h = (1/κ)·ln ω, ω(t) = e^(A·(T − t))·z) and §10.4.2
//! (short-term alpha: a drift of the mid). MODELS.md "Cartea–Jaimungal". Equation numbers of
//! the book are not cited; the formulas are re-derived here so they can be checked:
//!
//! The agent maximises E[X_T + Q_T·(S_T − α·Q_T) − φ·∫ Q_u² du] with dS = μ·dt + σ·dW; buy
//! market orders arrive at rate λ⁺ and lift the agent's ask at depth δ⁺ with probability
//! e^(−κ·δ⁺) (the inventory falls by one), sell market orders arrive at rate λ⁻ and hit the
//! bid at depth δ⁻ with probability e^(−κ·δ⁻) (the inventory rises by one). With
//! H = x + q·S + h(t, q) the dynamic programming equation is
//!
//!   0 = ∂ₜh + μ·q − φ·q² + λ⁺·sup_δ⁺ e^(−κδ⁺)·(δ⁺ + h(q − 1) − h(q))·1{q > −Q}
//!                        + λ⁻·sup_δ⁻ e^(−κδ⁻)·(δ⁻ + h(q + 1) − h(q))·1{q < Q},   h(T, q) = −α·q²
//!
//! (μ·q is the generator's μ·∂_S H; the book's §10.2 has μ = 0). The suprema are at
//! δ⁺ = 1/κ − (h(q − 1) − h(q)) and δ⁻ = 1/κ − (h(q + 1) − h(q)), worth (e^(−1)/κ)·e^(κ(h(q∓1) − h(q))).
//! Substituting h = (1/κ)·ln ω and multiplying by κ·ω_q makes the equation linear:
//!
//!   ∂ₜω_q + κ·(μ·q − φ·q²)·ω_q + λ⁺·e^(−1)·ω_(q−1) + λ⁻·e^(−1)·ω_(q+1) = 0,   ω_q(T) = e^(−α·κ·q²)
//!
//! so ω(t) = e^(A·(T − t))·z with A_(q,q) = −φ·κ·q² + κ·μ·q, A_(q,q−1) = λ⁺·e^(−1),
//! A_(q,q+1) = λ⁻·e^(−1), z_q = e^(−α·κ·q²), and
//!
//!   ask δ⁺(q) = 1/κ + (1/κ)·ln(ω_q/ω_(q−1))   (q > −Q),   bid δ⁻(q) = 1/κ + (1/κ)·ln(ω_q/ω_(q+1))   (q < Q).
//!
//! The drift is therefore exact in the same matrix framework (the term κ·μ·q on the diagonal;
//! the book's §10.4.2 treats a stochastic alpha, of which a constant μ is the special case):
//! with μ > 0 a long inventory is worth more, so the bid moves in and the ask out.
//!
//! Units (as in `models`): depths and prices are fractions of the mid, q counts lots, wealth is
//! in (fraction · lot). Hence φ is in fraction per (lot · second) (φ·q² per second is wealth),
//! α in fraction per lot (α·q² is wealth), λ± per second. The fill intensity λ±·e^(−κδ) is the
//! estimators' A·e^(−κδ): A, "the rate of trades reaching δ = 0 per side", is exactly λ± (every
//! market order fills a quote at the mid), so λ± default to A.
//!
//! Defaults that need no tuning: φ = γ·σ²/2 when not configured — the variance penalty of the
//! CARA objective (its certainty equivalent loses (γ/2)·σ²·q² per second), which makes A's
//! diagonal equal GLFT's α·q² = (κ/2)·γ·σ²·q²; α = 0, because the rolling horizon is never
//! reached, so no terminal liquidation ever happens (a positive α only adds end-of-horizon
//! skew). Rolling horizon, inventory rounding and clamping, the infinite depth of the side that
//! would pass the bound and the no-allocation table cache are as in `glft_exact` (module doc
//! there); the cache key here is the effective (κ, φ, λ⁺, λ⁻, μ), so with φ and λ± configured
//! a change of σ, γ or A costs nothing.
//! Note that the bound alone skews: with φ = α = 0 and a horizon long against Q²/λ, ω is the
//! Perron vector of the truncated lattice and the quotes lean away from the bound.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use super::glft_exact::{fill_tridiagonal, validate_horizon_and_bound, DepthTable, Solve, REENTERED};
use super::{check_finite, check_non_negative, check_positive, ModelError, ModelInputs, ModelQuote, QuoteModel};

/// Default rolling horizon, as `glft_exact`'s: long against the inventory relaxation time.
const DEFAULT_HORIZON_S: f64 = 300.0;
/// Default inventory bound: ten quoted lots either side.
const DEFAULT_MAX_INVENTORY_LOTS: u32 = 10;
/// The (1/2) of the CARA variance penalty (γ/2)·σ²·q² that sets φ by default.
const CARA_VARIANCE_PENALTY_FACTOR: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CarteaJaimungalConfig {
    /// Time to the (rolling) horizon T − t at which the quotes are evaluated, seconds.
    pub horizon_s: f64,
    /// Inventory bound Q in lots (1..=`MAX_INVENTORY_BOUND_LOTS`).
    pub max_inventory_lots: u32,
    /// φ, fraction of mid per (lot · second); unset: γ·σ²/2 from the model inputs.
    pub running_penalty_phi_frac_per_lot_s: Option<f64>,
    /// α, fraction of mid per lot: the terminal liquidation penalty α·Q_T².
    pub terminal_penalty_alpha_frac_per_lot: f64,
    /// λ⁺, buy market orders per second (they lift the ask); unset: A of the model inputs.
    pub market_order_rate_buy_per_s: Option<f64>,
    /// λ⁻, sell market orders per second (they hit the bid); unset: A of the model inputs.
    pub market_order_rate_sell_per_s: Option<f64>,
}

impl Default for CarteaJaimungalConfig {
    fn default() -> Self {
        Self {
            horizon_s: DEFAULT_HORIZON_S,
            max_inventory_lots: DEFAULT_MAX_INVENTORY_LOTS,
            running_penalty_phi_frac_per_lot_s: None,
            terminal_penalty_alpha_frac_per_lot: 0.0,
            market_order_rate_buy_per_s: None,
            market_order_rate_sell_per_s: None,
        }
    }
}

impl CarteaJaimungalConfig {
    pub fn validate(&self) -> Result<(), ModelError> {
        validate_horizon_and_bound(
            "cartea_jaimungal.horizon_s",
            self.horizon_s,
            "cartea_jaimungal.max_inventory_lots",
            self.max_inventory_lots,
        )?;
        if let Some(phi) = self.running_penalty_phi_frac_per_lot_s {
            check_non_negative("cartea_jaimungal.running_penalty_phi_frac_per_lot_s", phi)?;
        }
        check_non_negative(
            "cartea_jaimungal.terminal_penalty_alpha_frac_per_lot",
            self.terminal_penalty_alpha_frac_per_lot,
        )?;
        if let Some(rate) = self.market_order_rate_buy_per_s {
            check_positive("cartea_jaimungal.market_order_rate_buy_per_s", rate)?;
        }
        if let Some(rate) = self.market_order_rate_sell_per_s {
            check_positive("cartea_jaimungal.market_order_rate_sell_per_s", rate)?;
        }
        Ok(())
    }
}

/// The Cartea–Jaimungal–Penalva model (see the module doc).
#[derive(Debug)]
pub struct CarteaJaimungal {
    config: CarteaJaimungalConfig,
    table: RefCell<DepthTable>,
}

impl CarteaJaimungal {
    pub fn new(config: CarteaJaimungalConfig) -> Result<Self, ModelError> {
        config.validate()?;
        Ok(Self { config, table: RefCell::new(DepthTable::new(config.max_inventory_lots)) })
    }

    pub fn config(&self) -> &CarteaJaimungalConfig {
        &self.config
    }
}

impl QuoteModel for CarteaJaimungal {
    fn name(&self) -> &'static str {
        "cartea_jaimungal"
    }

    fn quote(&self, inputs: &ModelInputs) -> Result<ModelQuote, ModelError> {
        let c = self.config;
        let kappa = inputs.kappa_per_frac;
        check_positive("kappa_per_frac", kappa)?;
        check_finite("drift_frac_per_s", inputs.drift_frac_per_s)?;
        check_finite("inventory_lots", inputs.inventory_lots)?;
        let phi = match c.running_penalty_phi_frac_per_lot_s {
            Some(phi) => phi,
            None => {
                check_positive("gamma_per_frac_lot", inputs.gamma_per_frac_lot)?;
                check_non_negative("sigma_frac_per_sqrt_s", inputs.sigma_frac_per_sqrt_s)?;
                CARA_VARIANCE_PENALTY_FACTOR * inputs.gamma_per_frac_lot * inputs.sigma_frac_per_sqrt_s.powi(2)
            }
        };
        let (lambda_buy, lambda_sell) = match (c.market_order_rate_buy_per_s, c.market_order_rate_sell_per_s) {
            (Some(buy), Some(sell)) => (buy, sell),
            (buy, sell) => {
                check_positive("a_per_s", inputs.a_per_s)?;
                (buy.unwrap_or(inputs.a_per_s), sell.unwrap_or(inputs.a_per_s))
            }
        };
        let (alpha, mu) = (c.terminal_penalty_alpha_frac_per_lot, inputs.drift_frac_per_s);
        let mut table = self.table.try_borrow_mut().map_err(|_| ModelError::Numerical(REENTERED))?;
        // Keyed on the effective parameters: σ and γ matter only through a default φ, A only
        // through a default λ, so a configured φ and λ± make σ and A changes free.
        let key = [kappa, phi, lambda_buy, lambda_sell, mu].map(f64::to_bits);
        table.quote(key, inputs.inventory_lots, |generator, terminal, max_q| {
            let inv_e = (-1.0f64).exp();
            fill_tridiagonal(
                generator,
                max_q,
                |q| kappa * (mu * q - phi * q * q),
                lambda_buy * inv_e,
                lambda_sell * inv_e,
            );
            for (i, z) in terminal.iter_mut().enumerate() {
                let q = f64::from(i as i32 - max_q);
                *z = (-alpha * kappa * q * q).exp();
            }
            Ok(Solve { time_s: c.horizon_s, kappa_per_frac: kappa, spread_term_frac: 1.0 / kappa })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::models::{GlftExact, GlftExactConfig};

    const KAPPA: f64 = 2_000.0;

    fn inputs(q: f64) -> ModelInputs {
        ModelInputs {
            sigma_frac_per_sqrt_s: 2e-4,
            kappa_per_frac: KAPPA,
            a_per_s: 0.5,
            gamma_per_frac_lot: 50.0,
            inventory_lots: q,
            drift_frac_per_s: 0.0,
        }
    }

    fn with_phi(phi: f64) -> CarteaJaimungalConfig {
        CarteaJaimungalConfig { running_penalty_phi_frac_per_lot_s: Some(phi), ..CarteaJaimungalConfig::default() }
    }

    fn model(config: CarteaJaimungalConfig) -> CarteaJaimungal {
        CarteaJaimungal::new(config).unwrap()
    }

    fn close(got: f64, want: f64, rel: f64) -> bool {
        got == want || (got - want).abs() <= rel * want.abs()
    }

    #[test]
    fn matches_an_independent_solution_for_q_bound_one() {
        // κ = 2000, λ⁺ = 0.6, λ⁻ = 0.4, φ = 1e−6, α = 5e−5, μ = 1e−6/s, Q = 1, T − t = 10 s.
        // Reference: mpmath (40 digits), A[i,i] = κ(μq − φq²), A[i,i−1] = λ⁺/e, A[i,i+1] = λ⁻/e,
        // z_q = exp(−ακq²), ω = expm(10·A)·z, δ⁻(q) = 1/κ + ln(ω_q/ω_(q+1))/κ,
        // δ⁺(q) = 1/κ + ln(ω_q/ω_(q−1))/κ:
        //   δ⁻(−1) = 2.2927812027392053e−4, δ⁻(0) = 5.7828139239384576e−4,
        //   δ⁺(0) = 7.7072187972607947e−4,  δ⁺(1) = 4.2171860760615424e−4.
        let m = model(CarteaJaimungalConfig {
            horizon_s: 10.0,
            max_inventory_lots: 1,
            running_penalty_phi_frac_per_lot_s: Some(1e-6),
            terminal_penalty_alpha_frac_per_lot: 5e-5,
            market_order_rate_buy_per_s: Some(0.6),
            market_order_rate_sell_per_s: Some(0.4),
        });
        let at = |q: f64| m.quote(&ModelInputs { drift_frac_per_s: 1e-6, ..inputs(q) }).unwrap();
        let (short, flat, long) = (at(-1.0), at(0.0), at(1.0));
        assert!(close(short.bid_depth_frac, 0.00022927812027392054, 1e-12), "{short:?}");
        assert!(close(flat.bid_depth_frac, 0.0005782813923938458, 1e-12), "{flat:?}");
        assert!(close(flat.ask_depth_frac, 0.0007707218797260795, 1e-12), "{flat:?}");
        assert!(close(long.ask_depth_frac, 0.00042171860760615426, 1e-12), "{long:?}");
        assert_eq!((short.ask_depth_frac, long.bid_depth_frac), (f64::INFINITY, f64::INFINITY));
        assert_eq!(flat.spread_term_frac, 1.0 / KAPPA);
    }

    #[test]
    fn flat_is_symmetric_and_long_inventory_skews_down() {
        let m = model(with_phi(1e-6));
        let flat = m.quote(&inputs(0.0)).unwrap();
        assert!(close(flat.bid_depth_frac, flat.ask_depth_frac, 1e-14), "{flat:?}");
        for q in 1..10 {
            let long = m.quote(&inputs(f64::from(q))).unwrap();
            let short = m.quote(&inputs(-f64::from(q))).unwrap();
            assert!(close(long.bid_depth_frac, short.ask_depth_frac, 1e-14), "q {q}: {long:?} {short:?}");
            assert!(long.ask_depth_frac < long.bid_depth_frac && long.reservation_offset_frac < 0.0, "{long:?}");
        }
    }

    #[test]
    fn without_penalties_depths_are_the_risk_neutral_one_over_kappa() {
        // φ = α = 0: the DPE is maximised by the myopic optimum of λ·e^(−κδ)·δ, δ = 1/κ —
        // exactly while the bound is out of reach: Q = 20 lots against a lattice walk of
        // √(2·λ·τ/e) ≈ 1.9 lots in τ = 10 s (mpmath: δ·κ − 1 = 2.4e−15 at q = 0, 2.5e−10 at q = 5).
        let m = model(CarteaJaimungalConfig {
            horizon_s: 10.0,
            max_inventory_lots: 20,
            running_penalty_phi_frac_per_lot_s: Some(0.0),
            ..CarteaJaimungalConfig::default()
        });
        for q in [0.0, 1.0, -3.0, 5.0] {
            let got = m.quote(&inputs(q)).unwrap();
            assert!((got.bid_depth_frac * KAPPA - 1.0).abs() < 1e-9, "q {q}: {got:?}");
            assert!((got.ask_depth_frac * KAPPA - 1.0).abs() < 1e-9, "q {q}: {got:?}");
        }
        // And tiny penalties stay close to it.
        let tiny = model(CarteaJaimungalConfig {
            terminal_penalty_alpha_frac_per_lot: 1e-9,
            running_penalty_phi_frac_per_lot_s: Some(1e-12),
            horizon_s: 10.0,
            max_inventory_lots: 20,
            ..CarteaJaimungalConfig::default()
        });
        let got = tiny.quote(&inputs(2.0)).unwrap();
        assert!((got.bid_depth_frac * KAPPA - 1.0).abs() < 1e-4, "{got:?}");
    }

    #[test]
    fn a_larger_running_penalty_skews_more() {
        let skew = |phi: f64| {
            let q = model(with_phi(phi)).quote(&inputs(2.0)).unwrap();
            q.bid_depth_frac - q.ask_depth_frac
        };
        let (low, mid, high) = (skew(1e-7), skew(1e-6), skew(1e-5));
        assert!(0.0 < low && low < mid && mid < high, "{low} {mid} {high}");
    }

    #[test]
    fn drift_moves_quotes_toward_the_expected_move() {
        let m = model(with_phi(1e-6));
        let flat = m.quote(&inputs(0.0)).unwrap();
        let up = m.quote(&ModelInputs { drift_frac_per_s: 1e-6, ..inputs(0.0) }).unwrap();
        let down = m.quote(&ModelInputs { drift_frac_per_s: -1e-6, ..inputs(0.0) }).unwrap();
        assert!(up.bid_depth_frac < flat.bid_depth_frac && up.ask_depth_frac > flat.ask_depth_frac, "{up:?}");
        assert!(down.bid_depth_frac > flat.bid_depth_frac && down.ask_depth_frac < flat.ask_depth_frac, "{down:?}");
        assert!(close(up.reservation_offset_frac, -down.reservation_offset_frac, 1e-12));
    }

    #[test]
    fn default_phi_is_glfts_risk_neutral_spread_limit() {
        // φ = γσ²/2 gives A's diagonal GLFT's α·q²; with γ/κ = 5e−6 GLFT's η = A·(1 + γ/κ)^−(1+κ/γ)
        // is A/e to 5e−6 relative, so the inventory parts δ − c of the two models agree (σ chosen
        // so that α = (κ/2)·γ·σ² = 0.002 as in the GLFT tests).
        let small_gamma = |q: f64| ModelInputs {
            gamma_per_frac_lot: 0.01,
            sigma_frac_per_sqrt_s: 0.02f64.sqrt() / 10.0,
            ..inputs(q)
        };
        let cj = model(CarteaJaimungalConfig::default());
        let glft = GlftExact::new(GlftExactConfig::default()).unwrap();
        for q in [-4.0, 0.0, 1.0, 3.0] {
            let a = cj.quote(&small_gamma(q)).unwrap();
            let b = glft.quote(&small_gamma(q)).unwrap();
            let (ia, ib) = (a.bid_depth_frac - a.spread_term_frac, b.bid_depth_frac - b.spread_term_frac);
            assert!((ia - ib).abs() < 1e-4 * ia.abs().max(1e-6 / KAPPA), "q {q}: {ia} vs {ib}");
        }
    }

    #[test]
    fn only_effective_parameters_rebuild_the_table() {
        let fixed = CarteaJaimungalConfig {
            market_order_rate_buy_per_s: Some(0.5),
            market_order_rate_sell_per_s: Some(0.5),
            ..with_phi(1e-6)
        };
        let m = model(fixed);
        let first = m.quote(&inputs(1.0)).unwrap();
        let key = m.table.borrow().key();
        let moved = ModelInputs { sigma_frac_per_sqrt_s: 9e-4, a_per_s: 3.0, gamma_per_frac_lot: 7.0, ..inputs(1.0) };
        assert_eq!(m.quote(&moved).unwrap(), first);
        assert_eq!(m.table.borrow().key(), key);
        // With the defaults, σ sets φ = γσ²/2: a new σ is a new table.
        let d = model(CarteaJaimungalConfig::default());
        let before = d.quote(&inputs(1.0)).unwrap();
        let after = d.quote(&ModelInputs { sigma_frac_per_sqrt_s: 4e-4, ..inputs(1.0) }).unwrap();
        assert!(after.bid_depth_frac > before.bid_depth_frac, "{before:?} {after:?}");
    }

    #[test]
    fn configured_rates_override_a_and_bad_values_are_named() {
        // One-sided buying pressure: more buy market orders lift the ask, a flat book leans
        // toward being short, so the ask goes out and the bid comes in.
        let m = model(CarteaJaimungalConfig { market_order_rate_buy_per_s: Some(1.0), ..with_phi(1e-6) });
        let q = m.quote(&inputs(0.0)).unwrap();
        assert!(q.ask_depth_frac > q.bid_depth_frac, "{q:?}");
        let err = |i: ModelInputs| match model(CarteaJaimungalConfig::default()).quote(&i) {
            Err(ModelError::Input { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(err(ModelInputs { kappa_per_frac: 0.0, ..inputs(0.0) }), "kappa_per_frac");
        assert_eq!(err(ModelInputs { a_per_s: f64::NAN, ..inputs(0.0) }), "a_per_s");
        assert_eq!(err(ModelInputs { gamma_per_frac_lot: -1.0, ..inputs(0.0) }), "gamma_per_frac_lot");
        assert_eq!(err(inputs(f64::INFINITY)), "inventory_lots");
        assert!(CarteaJaimungal::new(with_phi(-1.0)).is_err());
        assert!(CarteaJaimungal::new(CarteaJaimungalConfig {
            market_order_rate_sell_per_s: Some(0.0),
            ..Default::default()
        })
        .is_err());
        let c: CarteaJaimungalConfig =
            serde_json::from_str(r#"{"terminal_penalty_alpha_frac_per_lot": 1e-4}"#).unwrap();
        assert_eq!(c.running_penalty_phi_frac_per_lot_s, None);
        assert!(serde_json::from_str::<CarteaJaimungalConfig>(r#"{"phi": 1.0}"#).is_err());
    }
}
