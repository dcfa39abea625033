//! Avellaneda–Stoikov quotes, finite and infinite horizon.
//!
//! Avellaneda, M. & Stoikov, S. (2008), "High-frequency trading in a limit order book",
//! Quantitative Finance 8(3), 217–224. Mid dS = σ dW (eq. 1), fills λ(δ) = A·e^(−kδ) (eq. 20),
//! CARA utility −exp(−γ·wealth). The optimal distances follow from the reservation prices by
//! eqs. (18)–(19), which for exponential fills (λ/λ' = −1/k) read
//! `δb = (s − r^b) + (1/γ)·ln(1 + γ/k)` and `δa = (r^a − s) + (1/γ)·ln(1 + γ/k)`.
//!
//! - **Finite horizon** (§3.2): reservation price `r = s − q·γ·σ²·(T − t)` (eq. 29) and total
//!   spread `δa + δb = γ·σ²·(T − t) + (2/γ)·ln(1 + γ/k)` (eq. 30), quoted as r ± spread/2.
//!   We quote on a **rolling horizon**: T − t is always the configured `horizon_s`, so the
//!   quotes are stationary (the paper's own use counts T − t down to a session end).
//! - **Infinite horizon** (§2.3): the objective E[∫₀^∞ −e^(−ωt)·e^(−γ(x + q·S_t)) dt] gives the
//!   stationary reservation prices. ω is a discount **rate per second**; its inverse plays the
//!   part of T − t (to first order in γ the two horizons agree when T − t = 1/ω). The bid
//!   price is the paper's printed formula,
//!   `r̄^b = s + (1/γ)·ln(1 + (−1 − 2q)·γ²σ² / (2ω − γ²σ²q²))`. The printed ask,
//!   `s + (1/γ)·ln(1 + (1 − 2q)·γ²σ² / (2ω − γ²σ²q²))`, does not solve the paper's own
//!   Definition 1 (v̄(x + r^a, s, q − 1) = v̄(x, s, q) with v̄ = −e^(−γ(x+qs)) / (ω − γ²σ²q²/2));
//!   it is not even symmetric with the bid at q = 0. Solving that definition gives
//!   `r̄^a = s + (1/γ)·ln(1 + (1 − 2q)·γ²σ² / (2ω − γ²σ²(q − 1)²))`, the mirror image of the
//!   bid (r̄^a(q) − s = s − r̄^b(−q)), which is what we quote; the test
//!   `infinite_horizon_prices_solve_the_indifference_definition` checks both against v̄.
//!   Domain: both prices exist iff ω > γ²σ²(|q| + 1)²/2 — the paper's bound
//!   ω > ½γ²σ²(q_max + 1)² with q_max = |q| — and outside it the model returns a named error
//!   (the paper's "natural choice" ω = ½γ²σ²(q_max + 1)² sends the bid to −∞ at q = q_max,
//!   i.e. it stops buying there).
//!
//! Units (models/mod.rs): depths and σ are fractions of the mid (σ per √second), k = κ per
//! unit fraction, γ per (fraction · lot), q in lots. The paper's s is in absolute price, but
//! with dS = σ dW every formula depends on s only as the level the quotes are measured from,
//! so measuring prices in units of the current mid (s = 1) leaves them unchanged. A does not
//! enter the quotes; `drift_frac_per_s` is not used (the paper's mid has no drift, eq. 1).
//!
//! `as_reservation_offset` and `as_total_spread` are eqs. (29)–(30) in any price unit; the
//! model here and the paper's Monte Carlo (`quote::as_paper`, absolute prices) both call them.

use super::{positive, require, ModelError, ModelInputs, ModelQuote, QuoteModel};
use serde::{Deserialize, Serialize};

/// (1/γ)·ln(1 + γ/k): half the order-arrival part of eq. (30), in the unit of 1/k.
/// Tends to 1/k as γ → 0 (risk-neutral limit); `ln_1p` keeps it accurate for small γ/k.
pub fn as_arrival_half_spread(gamma: f64, k: f64) -> f64 {
    if gamma == 0.0 {
        1.0 / k
    } else {
        (gamma / k).ln_1p() / gamma
    }
}

/// Eq. (29) less the mid: r − s = −q·γ·σ²·(T − t). Any price unit, as long as σ (per √time),
/// γ (per price·share) and `time_left` (in σ's time unit) agree.
pub fn as_reservation_offset(inventory: f64, gamma: f64, sigma: f64, time_left: f64) -> f64 {
    -inventory * gamma * sigma * sigma * time_left
}

/// Eq. (30): the total spread δa + δb = γ·σ²·(T − t) + (2/γ)·ln(1 + γ/k), in the unit of 1/k.
pub fn as_total_spread(gamma: f64, sigma: f64, time_left: f64, k: f64) -> f64 {
    gamma * sigma * sigma * time_left + 2.0 * as_arrival_half_spread(gamma, k)
}

/// Which objective the quotes come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AsHorizon {
    /// §3.2 with a rolling horizon: T − t is always `horizon_s` seconds.
    Finite { horizon_s: f64 },
    /// §2.3: discount rate ω per second (1/ω ≈ the equivalent T − t).
    Infinite { omega_per_s: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvellanedaStoikovConfig {
    pub horizon: AsHorizon,
}

/// The Avellaneda–Stoikov model for a validated configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AvellanedaStoikov {
    horizon: AsHorizon,
}

impl AvellanedaStoikov {
    pub fn new(config: AvellanedaStoikovConfig) -> Result<Self, ModelError> {
        match config.horizon {
            AsHorizon::Finite { horizon_s } => {
                require(positive(horizon_s), "horizon_s", "positive and finite", horizon_s)?
            }
            AsHorizon::Infinite { omega_per_s } => {
                require(positive(omega_per_s), "omega_per_s", "positive and finite", omega_per_s)?
            }
        }
        Ok(Self { horizon: config.horizon })
    }

    pub fn horizon(&self) -> AsHorizon {
        self.horizon
    }
}

/// §2.3 stationary reservation prices less the mid, (r̄^b − s, r̄^a − s), for ω per second.
/// With x = γ²σ²/(2ω − γ²σ²q²): r̄^b − s = (1/γ)·ln(1 − (1 + 2q)·x) (the paper's formula) and
/// r̄^a − s = −(1/γ)·ln(1 + (2q − 1)·x), which equals (1/γ)·ln(1 + (1 − 2q)·γ²σ²/(2ω − γ²σ²(q − 1)²)).
fn stationary_reservation_offsets(q: f64, gamma: f64, sigma: f64, omega: f64) -> Result<(f64, f64), ModelError> {
    let g2s2 = gamma * gamma * sigma * sigma;
    let reach = q.abs() + 1.0;
    require(
        2.0 * omega > g2s2 * reach * reach,
        "omega_per_s",
        "> γ²σ²(|q| + 1)²/2 (Avellaneda–Stoikov §2.3 bound)",
        omega,
    )?;
    let x = g2s2 / (2.0 * omega - g2s2 * q * q);
    let bid = (-(1.0 + 2.0 * q) * x).ln_1p() / gamma;
    let ask = -((2.0 * q - 1.0) * x).ln_1p() / gamma;
    if bid.is_finite() && ask.is_finite() {
        Ok((bid, ask))
    } else {
        Err(ModelError::Numerical("Avellaneda–Stoikov stationary reservation price is not finite"))
    }
}

impl QuoteModel for AvellanedaStoikov {
    fn name(&self) -> &'static str {
        "as"
    }

    fn quote(&self, inputs: &ModelInputs) -> Result<ModelQuote, ModelError> {
        let (gamma, kappa) = (inputs.gamma_per_frac_lot, inputs.kappa_per_frac);
        let (sigma, q) = (inputs.sigma_frac_per_sqrt_s, inputs.inventory_lots);
        require(positive(gamma), "gamma_per_frac_lot", "positive and finite", gamma)?;
        require(positive(kappa), "kappa_per_frac", "positive and finite", kappa)?;
        require(sigma.is_finite() && sigma >= 0.0, "sigma_frac_per_sqrt_s", "non-negative and finite", sigma)?;
        require(q.is_finite(), "inventory_lots", "finite", q)?;
        let arrival = as_arrival_half_spread(gamma, kappa);
        let quote = match self.horizon {
            AsHorizon::Finite { horizon_s } => {
                let half = as_total_spread(gamma, sigma, horizon_s, kappa) / 2.0;
                let offset = as_reservation_offset(q, gamma, sigma, horizon_s);
                ModelQuote {
                    bid_depth_frac: half - offset,
                    ask_depth_frac: half + offset,
                    spread_term_frac: arrival,
                    reservation_offset_frac: offset,
                }
            }
            AsHorizon::Infinite { omega_per_s } => {
                let (bid_r, ask_r) = stationary_reservation_offsets(q, gamma, sigma, omega_per_s)?;
                ModelQuote {
                    bid_depth_frac: arrival - bid_r,
                    ask_depth_frac: arrival + ask_r,
                    spread_term_frac: arrival,
                    reservation_offset_frac: (bid_r + ask_r) / 2.0,
                }
            }
        };
        Ok(quote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GAMMA: f64 = 50.0;
    const SIGMA: f64 = 2e-4;
    const KAPPA: f64 = 2_000.0;
    const HORIZON_S: f64 = 60.0;

    fn inputs(gamma: f64, kappa: f64, q: f64) -> ModelInputs {
        ModelInputs {
            sigma_frac_per_sqrt_s: SIGMA,
            kappa_per_frac: kappa,
            a_per_s: 0.5,
            gamma_per_frac_lot: gamma,
            inventory_lots: q,
            drift_frac_per_s: 0.0,
        }
    }

    fn finite(horizon_s: f64) -> AvellanedaStoikov {
        AvellanedaStoikov::new(AvellanedaStoikovConfig { horizon: AsHorizon::Finite { horizon_s } }).unwrap()
    }

    fn infinite(omega_per_s: f64) -> AvellanedaStoikov {
        AvellanedaStoikov::new(AvellanedaStoikovConfig { horizon: AsHorizon::Infinite { omega_per_s } }).unwrap()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn finite_horizon_matches_hand_computed_values() {
        // γ = 50, σ = 2e-4, κ = 2000, T − t = 60 s, q = 2:
        //   γσ²τ = 50 · 4e-8 · 60 = 1.2e-4
        //   (1/γ)ln(1 + γ/κ) = 0.02 · ln(1.025) = 0.02 · 0.0246926125903715 = 4.9385225180743e-4
        //   r − s = −q·γσ²τ = −2.4e-4;  half spread = 1.2e-4/2 + 4.9385225180743e-4 = 5.5385225180743e-4
        //   bid depth = 5.5385225180743e-4 + 2.4e-4 = 7.9385225180743e-4 (7.94 bps)
        //   ask depth = 5.5385225180743e-4 − 2.4e-4 = 3.1385225180743e-4 (3.14 bps)
        let got = finite(HORIZON_S).quote(&inputs(GAMMA, KAPPA, 2.0)).unwrap();
        assert!(close(got.spread_term_frac, 4.9385225180743e-4, 1e-17), "{got:?}");
        assert!(close(got.reservation_offset_frac, -2.4e-4, 1e-18), "{got:?}");
        assert!(close(got.bid_depth_frac, 7.9385225180743e-4, 1e-17), "{got:?}");
        assert!(close(got.ask_depth_frac, 3.1385225180743e-4, 1e-17), "{got:?}");
        assert!(close(got.half_spread_frac(), 5.5385225180743e-4, 1e-17), "{got:?}");
    }

    #[test]
    fn flat_inventory_is_symmetric_in_both_horizons() {
        for model in [finite(HORIZON_S), infinite(1.0 / HORIZON_S)] {
            let got = model.quote(&inputs(GAMMA, KAPPA, 0.0)).unwrap();
            assert!(close(got.bid_depth_frac, got.ask_depth_frac, 1e-18), "{got:?}");
            assert!(close(got.reservation_offset_frac, 0.0, 1e-18), "{got:?}");
        }
    }

    #[test]
    fn reservation_moves_against_inventory() {
        for model in [finite(HORIZON_S), infinite(1.0 / HORIZON_S)] {
            let long = model.quote(&inputs(GAMMA, KAPPA, 3.0)).unwrap();
            let short = model.quote(&inputs(GAMMA, KAPPA, -3.0)).unwrap();
            let flat = model.quote(&inputs(GAMMA, KAPPA, 0.0)).unwrap();
            // Long: reservation below the mid, bid pushed away, ask pulled in; short mirrors it.
            assert!(long.reservation_offset_frac < 0.0 && short.reservation_offset_frac > 0.0);
            assert!(long.bid_depth_frac > flat.bid_depth_frac && long.ask_depth_frac < flat.ask_depth_frac);
            assert!(short.bid_depth_frac < flat.bid_depth_frac && short.ask_depth_frac > flat.ask_depth_frac);
            assert!(close(long.reservation_offset_frac, -short.reservation_offset_frac, 1e-18));
            assert!(close(long.bid_depth_frac, short.ask_depth_frac, 1e-18));
        }
    }

    #[test]
    fn spread_grows_with_gamma_sigma2_horizon_and_is_independent_of_inventory() {
        let spread = |model: AvellanedaStoikov, q: f64| {
            let got = model.quote(&inputs(GAMMA, KAPPA, q)).unwrap();
            got.bid_depth_frac + got.ask_depth_frac
        };
        // Eq. (30): the total spread is affine in γσ²(T − t) with slope 1 at fixed γ, κ.
        let (short, long) = (spread(finite(10.0), 0.0), spread(finite(100.0), 0.0));
        assert!(close(long - short, GAMMA * SIGMA * SIGMA * 90.0, 1e-17), "{short} {long}");
        assert!(close(spread(finite(HORIZON_S), 4.0), spread(finite(HORIZON_S), 0.0), 1e-17));
        // Doubling σ at fixed γ widens it (σ² term only).
        let wide = finite(HORIZON_S)
            .quote(&ModelInputs { sigma_frac_per_sqrt_s: 2.0 * SIGMA, ..inputs(GAMMA, KAPPA, 0.0) })
            .unwrap();
        assert!(
            wide.half_spread_frac() > finite(HORIZON_S).quote(&inputs(GAMMA, KAPPA, 0.0)).unwrap().half_spread_frac()
        );
    }

    #[test]
    fn larger_kappa_quotes_tighter() {
        for model in [finite(HORIZON_S), infinite(1.0 / HORIZON_S)] {
            let mut last = f64::INFINITY;
            for kappa in [500.0, 1_000.0, 2_000.0, 5_000.0] {
                let got = model.quote(&inputs(GAMMA, kappa, 1.0)).unwrap();
                // (1/γ)ln(1 + γ/κ) is below its risk-neutral limit 1/κ and falls with κ.
                assert!(got.spread_term_frac < 1.0 / kappa);
                assert!(got.half_spread_frac() < last, "{model:?} κ = {kappa}");
                last = got.half_spread_frac();
            }
        }
    }

    #[test]
    fn infinite_horizon_matches_hand_computed_values() {
        // γ = 50, σ = 2e-4, ω = 1/60 per s, q = 2: γ²σ² = 1e-4,
        //   x = γ²σ²/(2ω − γ²σ²q²) = 1e-4 / (0.0333… − 4e-4) = 0.003036437246963563
        //   r̄^b − s = (1/γ)ln(1 − 5x) = −3.059723112372551e-4 (paper's printed bid formula)
        //   r̄^a − s = −(1/γ)ln(1 + 3x) = −1.813614442794103e-4
        //   bid depth = 4.9385225180743e-4 + 3.059723112372551e-4 = 7.998245630446851e-4
        //   ask depth = 4.9385225180743e-4 − 1.813614442794103e-4 = 3.124908075280197e-4
        let got = infinite(1.0 / 60.0).quote(&inputs(GAMMA, KAPPA, 2.0)).unwrap();
        assert!(close(got.bid_depth_frac, 7.998245630446851e-4, 1e-17), "{got:?}");
        assert!(close(got.ask_depth_frac, 3.124908075280197e-4, 1e-17), "{got:?}");
        assert!(close(got.reservation_offset_frac, -2.436668777583327e-4, 1e-17), "{got:?}");
    }

    #[test]
    fn infinite_horizon_prices_solve_the_indifference_definition() {
        // v̄(x, s, q) = E∫₀^∞ −e^(−ωt)·e^(−γ(x + q·S_t)) dt = −e^(−γ(x+qs)) / (ω − γ²σ²q²/2).
        // Bid: v̄(x − r^b, s, q + 1) = v̄(x, s, q); ask: v̄(x + r^a, s, q − 1) = v̄(x, s, q).
        // Compare logs of −v̄ (x = 0, s = 0, so r − s is the price itself).
        let omega = 1.0 / 60.0;
        let g2s2 = GAMMA * GAMMA * SIGMA * SIGMA;
        let log_neg_v = |x: f64, q: f64| -GAMMA * x - (omega - g2s2 * q * q / 2.0).ln();
        for q in [-3.0, -1.0, 0.0, 0.5, 2.0, 5.0] {
            let (rb, ra) = stationary_reservation_offsets(q, GAMMA, SIGMA, omega).unwrap();
            assert!(close(log_neg_v(-rb, q + 1.0), log_neg_v(0.0, q), 1e-12), "bid q = {q}");
            assert!(close(log_neg_v(ra, q - 1.0), log_neg_v(0.0, q), 1e-12), "ask q = {q}");
            // The bid is the paper's printed formula.
            let printed_bid = (1.0 + (-1.0 - 2.0 * q) * g2s2 / (2.0 * omega - g2s2 * q * q)).ln() / GAMMA;
            assert!(close(rb, printed_bid, 1e-15), "q = {q}");
        }
        // The printed ask misses the definition (here at q = 2 by 1.7e-6, 0.017 bps).
        let (_, ra) = stationary_reservation_offsets(2.0, GAMMA, SIGMA, omega).unwrap();
        let printed_ask = (1.0 + (1.0 - 4.0) * g2s2 / (2.0 * omega - g2s2 * 4.0)).ln() / GAMMA;
        assert!((ra - printed_ask).abs() > 1e-6);
    }

    #[test]
    fn infinite_horizon_agrees_with_finite_to_first_order_in_gamma() {
        // Expanding ln(1 + y) ≈ y: r̄^b − s ≈ −(1 + 2q)·γσ²/(2ω) = eq. (7) with T − t = 1/ω, and
        // likewise the ask; the relative gap is O(γ²σ²(|q| + 1)²/ω). Checked: the depths' risk
        // parts (depth − spread term) agree within 3ε, ε = γ²σ²(|q| + 1)²/(2ω), and the gap
        // shrinks ~4× per halving of γ (second order).
        let omega = 1.0 / HORIZON_S;
        let q = 2.0;
        let gap = |gamma: f64| {
            let fin = finite(HORIZON_S).quote(&inputs(gamma, KAPPA, q)).unwrap();
            let inf = infinite(omega).quote(&inputs(gamma, KAPPA, q)).unwrap();
            let risk = |d: f64| d - fin.spread_term_frac;
            let eps = gamma * gamma * SIGMA * SIGMA * (q + 1.0) * (q + 1.0) / (2.0 * omega);
            let rel_bid = (risk(inf.bid_depth_frac) / risk(fin.bid_depth_frac) - 1.0).abs();
            let rel_ask = (risk(inf.ask_depth_frac) / risk(fin.ask_depth_frac) - 1.0).abs();
            assert!(rel_bid < 3.0 * eps && rel_ask < 3.0 * eps, "γ = {gamma}: {rel_bid} {rel_ask} ε = {eps}");
            (inf.bid_depth_frac - fin.bid_depth_frac).abs()
        };
        let (g1, g2) = (gap(20.0), gap(10.0));
        assert!(g2 < g1 / 3.0, "{g1} {g2}");
    }

    #[test]
    fn domain_restrictions_are_named_errors() {
        // ω must exceed γ²σ²(|q| + 1)²/2 = 1e-4 · 9 / 2 = 4.5e-4 at q = ±2.
        let model = infinite(4.4e-4);
        assert!(matches!(model.quote(&inputs(GAMMA, KAPPA, -2.0)), Err(ModelError::Input { name: "omega_per_s", .. })));
        assert!(infinite(4.6e-4).quote(&inputs(GAMMA, KAPPA, 2.0)).is_ok());
        let bad = |i: ModelInputs| finite(HORIZON_S).quote(&i);
        assert!(matches!(bad(inputs(0.0, KAPPA, 0.0)), Err(ModelError::Input { name: "gamma_per_frac_lot", .. })));
        assert!(matches!(bad(inputs(GAMMA, f64::NAN, 0.0)), Err(ModelError::Input { name: "kappa_per_frac", .. })));
        assert!(matches!(
            bad(inputs(GAMMA, KAPPA, f64::INFINITY)),
            Err(ModelError::Input { name: "inventory_lots", .. })
        ));
        let neg_sigma = ModelInputs { sigma_frac_per_sqrt_s: -1.0, ..inputs(GAMMA, KAPPA, 0.0) };
        assert!(matches!(bad(neg_sigma), Err(ModelError::Input { name: "sigma_frac_per_sqrt_s", .. })));
        let cfg = |horizon| AvellanedaStoikov::new(AvellanedaStoikovConfig { horizon });
        assert!(matches!(cfg(AsHorizon::Finite { horizon_s: 0.0 }), Err(ModelError::Input { name: "horizon_s", .. })));
        assert!(matches!(
            cfg(AsHorizon::Infinite { omega_per_s: -1.0 }),
            Err(ModelError::Input { name: "omega_per_s", .. })
        ));
    }

    #[test]
    fn config_is_tagged_by_kind() {
        let cfg: AvellanedaStoikovConfig =
            serde_json::from_str(r#"{"horizon": {"kind": "infinite", "omega_per_s": 0.02}}"#).unwrap();
        assert_eq!(cfg.horizon, AsHorizon::Infinite { omega_per_s: 0.02 });
        let cfg: AvellanedaStoikovConfig =
            serde_json::from_str(r#"{"horizon": {"kind": "finite", "horizon_s": 60}}"#).unwrap();
        assert_eq!(cfg.horizon, AsHorizon::Finite { horizon_s: 60.0 });
        assert!(serde_json::from_str::<AvellanedaStoikovConfig>(r#"{"horizon": {"kind": "finite", "t": 1}}"#).is_err());
    }
}
