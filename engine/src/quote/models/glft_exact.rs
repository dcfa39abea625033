//! Guéant–Lehalle–Fernandez-Tapia exact finite-horizon quotes with an inventory bound.
//!
//! Guéant, Lehalle & Fernandez-Tapia (2013), "Dealing with the inventory risk: a solution to
//! the market making problem", Math. Financ. Econ. 7(4); numbering of arXiv:1105.3115v5:
//! Propositions 1–2 (the HJB reduces to the linear ODE system v̇ = M·v, v(T) = 1, solved by
//! v(t) = exp(−M·(T − t))·1), Theorem 1 (the optimal quotes), Theorem 2 (T → ∞: the ground
//! state of M), §5.1 "The case of a trend in the price dynamics" (drift: diagonal α·q² − β·q,
//! β = κ·μ). MODELS.md "GLFT":
//!
//! - α = (κ/2)·γ·σ²,  η = A·(1 + γ/κ)^−(1 + κ/γ)
//! - M tridiagonal (2Q + 1)², diagonal α·q² − κ·μ·q, off-diagonals −η
//! - v(t) = exp(−M·(T − t))·1
//! - δb(q) = (1/κ)·ln(v_q / v_(q+1)) + (1/γ)·ln(1 + γ/κ)   (q < Q; no bid at q = Q)
//! - δa(q) = (1/κ)·ln(v_q / v_(q−1)) + (1/γ)·ln(1 + γ/κ)   (q > −Q; no ask at q = −Q)
//!
//! The drift term: with dS = μ·dt + σ·dW the HJB gains −γ·μ·q·u; through the change of
//! variable u = −e^(−γ(x + q·s))·v_q^(−γ/κ) it becomes −κ·μ·q on M's diagonal (a long
//! inventory is worth more when the mid drifts up, so the bid moves in and the ask out).
//!
//! Conventions of this implementation (units as in `models`: fractions of the mid, lots):
//! - **Rolling horizon.** The engine is stationary: it has no session end. The model is
//!   evaluated at T − t = `horizon_s` on every call; for a horizon long against the time the
//!   inventory process needs to forget its end condition (≫ 1/(2·√(α·η)), the spectral gap
//!   of M in the continuous limit) the quotes are the asymptotic ones (the ground state of M),
//!   which is what the closed form of `glft_quote` approximates. A short horizon gives the
//!   near-T quotes (half spread → (1/γ)·ln(1 + γ/κ), no inventory skew).
//! - **Inventory.** `ModelInputs::inventory_lots` is rounded to the nearest integer (half away
//!   from zero) and clamped into [−Q, Q]: the model's state space is whole lots of the quoted
//!   size, and beyond the bound the bound's quotes (only the reducing side) are the answer.
//! - **The bound.** At q = Q the bid (at q = −Q the ask) would take the inventory past the
//!   bound: its depth is `f64::INFINITY` ("do not quote"), and so is the reservation offset
//!   derived from it. The quote construction pipeline drops a side whose depth is infinite.
//! - **Caching.** v depends only on (σ, κ, A, γ, μ) and the configured (horizon, Q). The last
//!   parameter set is remembered with its whole table of depths for every q; a call with the
//!   same parameters (e.g. a book update that changed only the inventory or nothing) is a table
//!   lookup (~50 ns). A change recomputes exp(−M·τ)·1 (≈ 20 products of (2Q + 1)² matrices,
//!   ~0.1 ms at Q = 10 in release) in buffers allocated at construction: no call ever
//!   allocates. σ moves with every estimator update, so expect one recomputation per update.
//! - Depths may be negative (deep inventory: the reducing quote crosses the mid); the pipeline
//!   decides what to do with such a quote.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use super::matrix_exp::MatrixExp;
use super::{check_finite, check_non_negative, check_positive, ModelError, ModelInputs, ModelQuote, QuoteModel};

/// Largest inventory bound Q: the matrices are (2Q + 1)² = 61² at most, so a recomputation
/// (~20–25 dense products, 61³ each) stays near a millisecond in release builds (measured on
/// a shared 2-core AMD EPYC: 0.08 ms at Q = 10, 0.5 ms at Q = 20, 1.6 ms at Q = 30).
pub const MAX_INVENTORY_BOUND_LOTS: u32 = 30;

/// Default rolling horizon: long against the inventory relaxation time 1/(2·√(α·η)) for
/// liquid-major parameters (σ = 2e−4/√s, κ = 2000, A = 0.5/s, γ = 50: 26 s), so the quotes
/// are the stationary ones, yet not so long that exp(−M·τ) needs many more squarings.
const DEFAULT_HORIZON_S: f64 = 300.0;
/// Default inventory bound: ten quoted lots either side.
const DEFAULT_MAX_INVENTORY_LOTS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GlftExactConfig {
    /// Time to the (rolling) horizon T − t at which the quotes are evaluated, seconds.
    pub horizon_s: f64,
    /// Inventory bound Q in lots (1..=`MAX_INVENTORY_BOUND_LOTS`).
    pub max_inventory_lots: u32,
}

impl Default for GlftExactConfig {
    fn default() -> Self {
        Self { horizon_s: DEFAULT_HORIZON_S, max_inventory_lots: DEFAULT_MAX_INVENTORY_LOTS }
    }
}

impl GlftExactConfig {
    pub fn validate(&self) -> Result<(), ModelError> {
        validate_horizon_and_bound(
            "glft_exact.horizon_s",
            self.horizon_s,
            "glft_exact.max_inventory_lots",
            self.max_inventory_lots,
        )
    }
}

/// The exact GLFT model (see the module doc).
#[derive(Debug)]
pub struct GlftExact {
    config: GlftExactConfig,
    table: RefCell<DepthTable>,
}

impl GlftExact {
    pub fn new(config: GlftExactConfig) -> Result<Self, ModelError> {
        config.validate()?;
        Ok(Self { config, table: RefCell::new(DepthTable::new(config.max_inventory_lots)) })
    }

    pub fn config(&self) -> &GlftExactConfig {
        &self.config
    }
}

impl QuoteModel for GlftExact {
    fn name(&self) -> &'static str {
        "glft_exact"
    }

    fn quote(&self, inputs: &ModelInputs) -> Result<ModelQuote, ModelError> {
        let ModelInputs { sigma_frac_per_sqrt_s: sigma, kappa_per_frac: kappa, a_per_s: a, .. } = *inputs;
        let (gamma, mu) = (inputs.gamma_per_frac_lot, inputs.drift_frac_per_s);
        check_positive("gamma_per_frac_lot", gamma)?;
        check_positive("kappa_per_frac", kappa)?;
        check_positive("a_per_s", a)?;
        check_non_negative("sigma_frac_per_sqrt_s", sigma)?;
        check_finite("drift_frac_per_s", mu)?;
        check_finite("inventory_lots", inputs.inventory_lots)?;
        let horizon_s = self.config.horizon_s;
        let mut table = self.table.try_borrow_mut().map_err(|_| ModelError::Numerical(REENTERED))?;
        table.quote(params_key(inputs), inputs.inventory_lots, |generator, terminal, max_q| {
            let alpha = kappa / 2.0 * gamma * sigma * sigma;
            // (1 + γ/κ)^−(1 + κ/γ), via ln_1p: accurate when γ ≪ κ.
            let eta = a * (-(1.0 + kappa / gamma) * (gamma / kappa).ln_1p()).exp();
            // exp(−M·τ) = exp(τ·G) with G = −M.
            fill_tridiagonal(generator, max_q, |q| -(alpha * q * q - kappa * mu * q), eta, eta);
            terminal.fill(1.0);
            Ok(Solve { time_s: horizon_s, kappa_per_frac: kappa, spread_term_frac: (gamma / kappa).ln_1p() / gamma })
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Shared by the exact inventory-lattice models (this one and `cartea_jaimungal`): both quote
// from a value vector w = exp(τ·G)·w_T on the lattice q = −Q…Q with
// δb(q) = c + (1/κ)·ln(w_q/w_(q+1)), δa(q) = c + (1/κ)·ln(w_q/w_(q−1)).

pub(super) const REENTERED: &str = "quote model re-entered while computing its table";

pub(super) fn validate_horizon_and_bound(
    horizon_name: &'static str,
    horizon_s: f64,
    bound_name: &'static str,
    bound_lots: u32,
) -> Result<(), ModelError> {
    check_positive(horizon_name, horizon_s)?;
    if !(1..=MAX_INVENTORY_BOUND_LOTS).contains(&bound_lots) {
        return Err(ModelError::Input {
            name: bound_name,
            requirement: "an integer in 1..=30 (MAX_INVENTORY_BOUND_LOTS)",
            value: f64::from(bound_lots),
        });
    }
    Ok(())
}

/// The market inputs a table depends on (everything but the inventory), bit-exact.
pub(super) type ParamsKey = [u64; 5];

pub(super) fn params_key(inputs: &ModelInputs) -> ParamsKey {
    [
        inputs.sigma_frac_per_sqrt_s.to_bits(),
        inputs.kappa_per_frac.to_bits(),
        inputs.a_per_s.to_bits(),
        inputs.gamma_per_frac_lot.to_bits(),
        inputs.drift_frac_per_s.to_bits(),
    ]
}

/// Writes the row-major (2Q + 1)² tridiagonal matrix with `diagonal(q)` at (q, q),
/// `to_lower` at (q, q − 1) and `to_upper` at (q, q + 1); row/column i holds q = i − Q.
pub(super) fn fill_tridiagonal(m: &mut [f64], max_q: i32, diagonal: impl Fn(f64) -> f64, to_lower: f64, to_upper: f64) {
    let n = (2 * max_q + 1) as usize;
    m.fill(0.0);
    for i in 0..n {
        m[i * n + i] = diagonal(f64::from(i as i32 - max_q));
        if i > 0 {
            m[i * n + i - 1] = to_lower;
        }
        if i + 1 < n {
            m[i * n + i + 1] = to_upper;
        }
    }
}

/// What a model's table builder returns besides the generator and terminal vector.
pub(super) struct Solve {
    /// τ in w = exp(τ·G)·w_T.
    pub(super) time_s: f64,
    pub(super) kappa_per_frac: f64,
    /// c: the inventory-free part of both depths.
    pub(super) spread_term_frac: f64,
}

/// The cached depth table of an inventory-lattice model; every buffer allocated in `new`.
#[derive(Debug)]
pub(super) struct DepthTable {
    max_q: i32,
    key: Option<ParamsKey>,
    /// The build's error for `key`, so failing parameters are not recomputed on every call.
    error: Option<ModelError>,
    generator: Vec<f64>,
    terminal: Vec<f64>,
    values: Vec<f64>,
    bid_depth_frac: Vec<f64>,
    ask_depth_frac: Vec<f64>,
    spread_term_frac: f64,
    expm: MatrixExp,
}

impl DepthTable {
    pub(super) fn new(max_inventory_lots: u32) -> Self {
        let max_q = max_inventory_lots.min(MAX_INVENTORY_BOUND_LOTS) as i32;
        let n = (2 * max_q + 1) as usize;
        Self {
            max_q,
            key: None,
            error: None,
            generator: vec![0.0; n * n],
            terminal: vec![0.0; n],
            values: vec![0.0; n],
            bid_depth_frac: vec![0.0; n],
            ask_depth_frac: vec![0.0; n],
            spread_term_frac: 0.0,
            expm: MatrixExp::new(n),
        }
    }

    /// The quote at `inventory_lots`, rebuilding the table with `build(generator, terminal,
    /// Q)` first when `key` differs from the last one.
    pub(super) fn quote(
        &mut self,
        key: ParamsKey,
        inventory_lots: f64,
        build: impl FnOnce(&mut [f64], &mut [f64], i32) -> Result<Solve, ModelError>,
    ) -> Result<ModelQuote, ModelError> {
        if self.key != Some(key) {
            self.key = Some(key);
            self.error = self.rebuild(build).err();
        }
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        // Rounded and clamped in f64 first, so the cast is in range for any finite input.
        let q = inventory_lots.round().clamp(-f64::from(self.max_q), f64::from(self.max_q)) as i32;
        let i = (q + self.max_q) as usize;
        let (bid, ask) = (self.bid_depth_frac[i], self.ask_depth_frac[i]);
        Ok(ModelQuote {
            bid_depth_frac: bid,
            ask_depth_frac: ask,
            spread_term_frac: self.spread_term_frac,
            reservation_offset_frac: (ask - bid) / 2.0,
        })
    }

    /// The parameters the current table was built for (tests check the cache with it).
    #[cfg(test)]
    pub(super) fn key(&self) -> Option<ParamsKey> {
        self.key
    }

    fn rebuild(
        &mut self,
        build: impl FnOnce(&mut [f64], &mut [f64], i32) -> Result<Solve, ModelError>,
    ) -> Result<(), ModelError> {
        let solve = build(&mut self.generator, &mut self.terminal, self.max_q)?;
        self.expm
            .exp_times_vector(&self.generator, solve.time_s, &self.terminal, &mut self.values)
            .map_err(|_| ModelError::Numerical("exp(τ·G)·w_T failed: the horizon or the rates are out of range"))?;
        if self.values.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
            return Err(ModelError::Numerical(
                "value vector underflowed at the inventory bound: lower max_inventory_lots or the risk parameters",
            ));
        }
        let inv_kappa = 1.0 / solve.kappa_per_frac;
        let c = solve.spread_term_frac;
        let n = self.values.len();
        for i in 0..n {
            let w = self.values[i];
            self.bid_depth_frac[i] =
                if i + 1 < n { c + inv_kappa * (w / self.values[i + 1]).ln() } else { f64::INFINITY };
            self.ask_depth_frac[i] = if i > 0 { c + inv_kappa * (w / self.values[i - 1]).ln() } else { f64::INFINITY };
        }
        let interior = |d: &f64| d.is_finite();
        if self.bid_depth_frac[..n - 1].iter().chain(&self.ask_depth_frac[1..]).any(|d| !interior(d)) {
            return Err(ModelError::Numerical(
                "depth ratio overflowed: lower max_inventory_lots or the risk parameters",
            ));
        }
        self.spread_term_frac = c;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::models::{glft_quote, GlftInputs};

    const SIGMA: f64 = 2e-4;
    const KAPPA: f64 = 2_000.0;
    const A: f64 = 0.5;
    const GAMMA: f64 = 50.0;

    fn inputs(q: f64) -> ModelInputs {
        ModelInputs {
            sigma_frac_per_sqrt_s: SIGMA,
            kappa_per_frac: KAPPA,
            a_per_s: A,
            gamma_per_frac_lot: GAMMA,
            inventory_lots: q,
            drift_frac_per_s: 0.0,
        }
    }

    fn model(horizon_s: f64, max_inventory_lots: u32) -> GlftExact {
        GlftExact::new(GlftExactConfig { horizon_s, max_inventory_lots }).unwrap()
    }

    fn close(got: f64, want: f64, rel: f64) -> bool {
        got == want || (got - want).abs() <= rel * want.abs()
    }

    #[test]
    fn matches_an_independent_solution_for_q_bound_two() {
        // σ = 2e−4, κ = 2000, A = 0.5, γ = 50, Q = 2, T − t = 10 s; μ = 0 and μ = 2e−6/s.
        // Reference: mpmath (40 digits) expm of G = −M (α = 0.002, η = A·1.025^−41), w = e^(10G)·1,
        // δb(q) = ln(1.025)/50 + ln(w_q/w_(q+1))/2000, δa(q) likewise with w_(q−1):
        //   G[i,i] = −(α q² − κ μ q), G[i,i±1] = η; w = expm(G*10)*matrix([1]*5)
        let bid_no_drift = [0.0002218744759282897, 0.0004239585391706101, 0.00056374596444425, 0.0007658300276865704];
        let bid_drift = [0.00021196602075154437, 0.000411837201403334, 0.000551649604922483, 0.0007559695172728874];
        let ask_drift = [0.0007757384828633157, 0.0005758673022115261, 0.0004360548986923771, 0.00023173498634197263];
        let m = model(10.0, 2);
        for (i, q) in [-2.0, -1.0, 0.0, 1.0].into_iter().enumerate() {
            let got = m.quote(&inputs(q)).unwrap();
            assert!(close(got.bid_depth_frac, bid_no_drift[i], 1e-12), "q {q}: {got:?}");
            // No drift: δa(q) = δb(−q), so the ask table is the bid table reversed.
            let mirror = m.quote(&inputs(-q)).unwrap();
            assert!(close(mirror.ask_depth_frac, bid_no_drift[i], 1e-12), "q {q}: {mirror:?}");
        }
        for (i, q) in [-2.0, -1.0, 0.0, 1.0].into_iter().enumerate() {
            let got = m.quote(&ModelInputs { drift_frac_per_s: 2e-6, ..inputs(q) }).unwrap();
            assert!(close(got.bid_depth_frac, bid_drift[i], 1e-12), "q {q}: {got:?}");
            let up = m.quote(&ModelInputs { drift_frac_per_s: 2e-6, ..inputs(q + 1.0) }).unwrap();
            assert!(close(up.ask_depth_frac, ask_drift[i], 1e-12), "q {}: {up:?}", q + 1.0);
        }
    }

    #[test]
    fn flat_is_symmetric_long_skews_down_and_the_bound_is_one_sided() {
        let m = model(300.0, 5);
        for q in 0..=5 {
            let long = m.quote(&inputs(f64::from(q))).unwrap();
            let short = m.quote(&inputs(-f64::from(q))).unwrap();
            // Mirror images up to rounding (M is symmetric under q → −q).
            assert!(close(long.bid_depth_frac, short.ask_depth_frac, 1e-14), "q {q}: {long:?} {short:?}");
            assert!(close(long.ask_depth_frac, short.bid_depth_frac, 1e-14), "q {q}: {long:?} {short:?}");
            if q > 0 && q < 5 {
                // Long: bid further than ask, the centre below the mid.
                assert!(long.bid_depth_frac > long.ask_depth_frac && long.reservation_offset_frac < 0.0, "{long:?}");
            }
        }
        let flat = m.quote(&inputs(0.0)).unwrap();
        assert!(flat.reservation_offset_frac.abs() < 1e-14 * flat.bid_depth_frac, "{flat:?}");
        let at_bound = m.quote(&inputs(5.0)).unwrap();
        assert_eq!(at_bound.bid_depth_frac, f64::INFINITY);
        assert!(at_bound.ask_depth_frac.is_finite());
        // Past the bound and fractional inventories: rounded, then clamped.
        assert_eq!(m.quote(&inputs(9.0)).unwrap(), at_bound);
        assert_eq!(m.quote(&inputs(0.4)).unwrap(), flat);
        assert_eq!(m.quote(&inputs(-4.6)).unwrap(), m.quote(&inputs(-5.0)).unwrap());
    }

    #[test]
    fn more_risk_aversion_skews_more() {
        let m = model(300.0, 10);
        let skew = |gamma: f64| {
            let q = m.quote(&ModelInputs { gamma_per_frac_lot: gamma, ..inputs(2.0) }).unwrap();
            q.bid_depth_frac - q.ask_depth_frac
        };
        let (low, mid, high) = (skew(10.0), skew(50.0), skew(250.0));
        assert!(0.0 < low && low < mid && mid < high, "{low} {mid} {high}");
    }

    #[test]
    fn drift_moves_quotes_toward_the_expected_move() {
        let m = model(300.0, 10);
        let flat = m.quote(&inputs(0.0)).unwrap();
        let up = m.quote(&ModelInputs { drift_frac_per_s: 1e-6, ..inputs(0.0) }).unwrap();
        // Mid expected to rise: buy more eagerly (bid in), sell reluctantly (ask out).
        assert!(up.bid_depth_frac < flat.bid_depth_frac && up.ask_depth_frac > flat.ask_depth_frac, "{up:?}");
        assert!(up.reservation_offset_frac > 0.0);
    }

    #[test]
    fn converges_to_the_closed_form_far_from_the_horizon() {
        // Gap (exact − closed form) of the bid at q = 0 in bps, σ = 2e−4, κ = 2000, A = 0.5, γ = 50
        // (α = 0.002, η = 0.1818, closed-form half spread 5.2008 bps, skew σ·c2 = 0.5246 bps/lot),
        // mpmath reference of the same formulas:
        //   Q \ τ    1 s       10 s      100 s     1000 s
        //   2     −0.1945    0.4366    0.4938    0.4938
        //   5     −0.2523   −0.1410    0.0307    0.0307
        //   10    −0.2523   −0.1668    0.0050    0.0053
        //   20    −0.2523   −0.1668    0.0050    0.0053
        // Near T the exact quote is c1 (the gap is −σ·c2/2 = −0.262 bps); far from T with a
        // wide bound it is the ground state of M, which the closed form approximates by its
        // continuous (Gaussian) limit: the remaining 0.005 bps (1% of the skew) is that
        // approximation's error, O(√(α/η)) relative.
        let closed = glft_quote(&GlftInputs {
            gamma_per_frac_lot: GAMMA,
            xi_per_frac_lot: GAMMA,
            kappa_per_frac: KAPPA,
            a_per_s: A,
            sigma_frac_per_sqrt_s: SIGMA,
            inventory_lots: 0.0,
        })
        .unwrap();
        let gap_bps = |horizon_s: f64, bound: u32| {
            (model(horizon_s, bound).quote(&inputs(0.0)).unwrap().bid_depth_frac - closed.bid_depth_frac) * 1e4
        };
        let by_horizon: Vec<f64> = [1.0, 10.0, 100.0, 1000.0].iter().map(|&h| gap_bps(h, 20)).collect();
        let by_bound: Vec<f64> = [2, 5, 10, 20].iter().map(|&b| gap_bps(1000.0, b)).collect();
        let want_by_horizon = [-0.252311, -0.166824, 0.00499332, 0.00530383];
        let want_by_bound = [0.493752, 0.0306766, 0.00531211, 0.00530383];
        for (got, want) in by_horizon.iter().zip(want_by_horizon).chain(by_bound.iter().zip(want_by_bound)) {
            assert!((got - want).abs() < 1e-5, "{by_horizon:?} {by_bound:?}");
        }
        // Shrinking until the approximation floor, which is under 2% of the skew per lot.
        assert!(by_horizon[0].abs() > by_horizon[1].abs() && by_horizon[1].abs() > 10.0 * by_horizon[2].abs());
        assert!(by_bound.windows(2).all(|w| w[1].abs() <= w[0].abs()));
        let skew_bps = closed.skew_per_lot_frac * 1e4;
        assert!(by_horizon[3].abs() < 0.02 * skew_bps && by_bound[3].abs() < 0.02 * skew_bps);
        // The skew per lot around q = 0 matches too.
        let far = model(1000.0, 20);
        let skew = far.quote(&inputs(1.0)).unwrap().bid_depth_frac - far.quote(&inputs(0.0)).unwrap().bid_depth_frac;
        assert!(close(skew, closed.skew_per_lot_frac, 0.02), "{skew} vs {}", closed.skew_per_lot_frac);
    }

    #[test]
    fn near_the_horizon_the_spread_is_the_inventory_free_limit() {
        // τ → 0: v → 1, so every interior depth → (1/γ)·ln(1 + γ/κ), spread → (2/γ)·ln(1 + γ/κ).
        let limit = 2.0 / GAMMA * (GAMMA / KAPPA).ln_1p();
        let spread = |horizon_s: f64, q: f64| {
            let quote = model(horizon_s, 10).quote(&inputs(q)).unwrap();
            quote.bid_depth_frac + quote.ask_depth_frac
        };
        let gaps: Vec<f64> = [1.0, 0.1, 0.01].iter().map(|&h| (spread(h, 0.0) - limit).abs()).collect();
        assert!(gaps[1] < gaps[0] && gaps[2] < gaps[1] && gaps[2] < 1e-3 * limit, "{gaps:?} vs {limit}");
        assert!((spread(0.001, 3.0) - limit).abs() < 1e-3 * limit);
    }

    #[test]
    fn unchanged_parameters_reuse_the_table() {
        let m = model(300.0, 10);
        let first = m.quote(&inputs(1.0)).unwrap();
        let key = m.table.borrow().key();
        assert_eq!(m.quote(&inputs(1.0)).unwrap(), first);
        let _ = m.quote(&inputs(-3.0)).unwrap();
        assert_eq!(m.table.borrow().key(), key, "inventory alone must not rebuild");
        let _ = m.quote(&ModelInputs { sigma_frac_per_sqrt_s: 3e-4, ..inputs(1.0) }).unwrap();
        assert_ne!(m.table.borrow().key(), key);
    }

    #[test]
    fn bad_inputs_and_configs_are_named_errors() {
        let m = model(300.0, 10);
        let err = |i: ModelInputs| match m.quote(&i) {
            Err(ModelError::Input { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(err(ModelInputs { gamma_per_frac_lot: 0.0, ..inputs(0.0) }), "gamma_per_frac_lot");
        assert_eq!(err(ModelInputs { kappa_per_frac: f64::NAN, ..inputs(0.0) }), "kappa_per_frac");
        assert_eq!(err(ModelInputs { a_per_s: -1.0, ..inputs(0.0) }), "a_per_s");
        assert_eq!(err(ModelInputs { sigma_frac_per_sqrt_s: -1e-4, ..inputs(0.0) }), "sigma_frac_per_sqrt_s");
        assert_eq!(err(ModelInputs { drift_frac_per_s: f64::INFINITY, ..inputs(0.0) }), "drift_frac_per_s");
        assert_eq!(err(inputs(f64::NAN)), "inventory_lots");
        assert!(GlftExact::new(GlftExactConfig { horizon_s: 0.0, max_inventory_lots: 5 }).is_err());
        assert!(GlftExact::new(GlftExactConfig { horizon_s: 10.0, max_inventory_lots: 0 }).is_err());
        assert!(GlftExact::new(GlftExactConfig { horizon_s: 10.0, max_inventory_lots: 31 }).is_err());
        // Absurd risk: the value vector underflows at the bound, a named numerical error.
        let absurd = ModelInputs { gamma_per_frac_lot: 1e6, sigma_frac_per_sqrt_s: 1.0, ..inputs(0.0) };
        assert!(matches!(model(300.0, 30).quote(&absurd), Err(ModelError::Numerical(_))));
    }

    #[test]
    fn config_reads_with_defaults_and_rejects_unknown_fields() {
        let c: GlftExactConfig = serde_json::from_str(r#"{"horizon_s": 60.0}"#).unwrap();
        assert_eq!(c, GlftExactConfig { horizon_s: 60.0, ..GlftExactConfig::default() });
        assert!(serde_json::from_str::<GlftExactConfig>(r#"{"horizon": 60.0}"#).is_err());
    }
}
