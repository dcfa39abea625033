//! The Monte Carlo experiment of Avellaneda & Stoikov (2008) §3.3, in the paper's own units.
//!
//! Avellaneda, M. & Stoikov, S. (2008), "High-frequency trading in a limit order book",
//! Quantitative Finance 8(3), 217–224, §3.3 and Tables 1–3. Parameters (MODELS.md): s0 = 100,
//! T = 1, σ = 2, dt = 0.005, q0 = 0, A = 140, k = 1.5, 1000 paths. At each step t = i·dt
//! (i = 0 … T/dt − 1) the quotes are set from the state; then, independently, the ask is
//! lifted with probability λ(δa)·dt (q −= 1, cash += s + δa) and the bid hit with
//! probability λ(δb)·dt (q += 1, cash −= s − δb), λ(δ) = A·e^(−kδ) (a probability above 1
//! simply always fills); then the mid moves ±σ√dt with equal probability. Profit is
//! cash + q·S_T.
//!
//! - "inventory": the paper's quotes r ± spread/2 with r = s − qγσ²(T − t) (eq. 29) and
//!   spread = γσ²(T − t) + (2/γ)ln(1 + γ/k) (eq. 30), through the same
//!   `as_reservation_offset`/`as_total_spread` the fraction-unit `AvellanedaStoikov` model
//!   uses — here with absolute prices (s0 = 100, σ in price per √time).
//! - "symmetric": "the average bid/ask spread of the inventory strategy over the time
//!   period, centred on the mid" — the mean of eq. (30) over the simulated steps, constant.
//!
//! The mean spreads of the two strategies are equal by construction. Eq. (30) does not depend
//! on q or s, so that mean is γσ²·mean(T − t_i) + (2/γ)ln(1 + γ/k) with mean(T − t_i) =
//! T/2 + dt/2; the paper's tables match the continuous average T/2 (3.02 at γ = 1 against our
//! 3.03: a difference of γσ²dt/2).
//!
//! Both strategies and every γ draw from one seeded ChaCha8 stream per (γ, strategy) with the
//! same seed and one 64-bit draw per step split into ask, bid and mid variates, so the mid
//! paths are identical across strategies (common random numbers): their difference is the
//! strategy's, not the noise's.
//! Deterministic for a given config. `AS_PAPER_PUBLISHED` holds the published tables; the
//! 2006 preprint's tables (γ = 0.5 as third value, "spread" 1.29 at γ = 0.1) differ from them
//! and from this simulation and are not used.

use super::models::{as_reservation_offset, as_total_spread, ModelError};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// One simulation set-up, in the paper's units (price, share, time unit of T).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsPaperConfig {
    pub paths: usize,
    pub seed: u64,
    /// Risk aversions γ, per (price · share); each gives an inventory and a symmetric row.
    pub gammas: Vec<f64>,
    /// Initial mid s0.
    pub s0: f64,
    /// Horizon T, a whole number of steps dt.
    pub horizon: f64,
    /// Mid volatility σ, price per √time.
    pub sigma: f64,
    pub dt: f64,
    /// Initial inventory q0, shares.
    pub q0: i64,
    /// Fill intensity at the mid A, per time.
    pub a: f64,
    /// Fill-intensity decay k, per price.
    pub k: f64,
}

impl AsPaperConfig {
    /// The paper's §3.3 parameters with its 1000 paths; γ ∈ {0.1, 0.01, 1} (Tables 1–3) and
    /// 0.5 (the 2006 preprint's third value).
    pub fn paper(seed: u64) -> Self {
        Self {
            paths: 1_000,
            seed,
            gammas: vec![0.1, 0.01, 0.5, 1.0],
            s0: 100.0,
            horizon: 1.0,
            sigma: 2.0,
            dt: 0.005,
            q0: 0,
            a: 140.0,
            k: 1.5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AsPaperStrategy {
    Inventory,
    Symmetric,
}

/// One line of the paper's tables: sample statistics over the paths (std with n − 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AsPaperRow {
    pub gamma: f64,
    pub strategy: AsPaperStrategy,
    /// Mean quoted ask − bid over all steps and paths, price units.
    pub mean_spread: f64,
    pub mean_profit: f64,
    pub std_profit: f64,
    pub mean_final_q: f64,
    pub std_final_q: f64,
}

const fn published(gamma: f64, strategy: AsPaperStrategy, values: [f64; 5]) -> AsPaperRow {
    let [mean_spread, mean_profit, std_profit, mean_final_q, std_final_q] = values;
    AsPaperRow { gamma, strategy, mean_spread, mean_profit, std_profit, mean_final_q, std_final_q }
}

/// Tables 1–3 of the published paper (1000 simulations each): spread, profit, std(profit),
/// final q, std(final q).
pub const AS_PAPER_PUBLISHED: [AsPaperRow; 6] = [
    published(0.1, AsPaperStrategy::Inventory, [1.49, 65.0, 6.6, 0.08, 2.9]),
    published(0.1, AsPaperStrategy::Symmetric, [1.49, 68.4, 12.7, 0.26, 8.4]),
    published(0.01, AsPaperStrategy::Inventory, [1.35, 68.6, 8.7, 0.12, 5.1]),
    published(0.01, AsPaperStrategy::Symmetric, [1.35, 68.8, 12.8, 0.09, 8.7]),
    published(1.0, AsPaperStrategy::Inventory, [3.02, 31.4, 5.0, 0.02, 1.7]),
    published(1.0, AsPaperStrategy::Symmetric, [3.02, 44.0, 11.0, 0.00, 5.1]),
];

/// Running mean and sum of squared deviations (Welford), no storage per path.
#[derive(Default)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (x - self.mean);
    }

    fn std(&self) -> f64 {
        (self.m2 / (self.n - 1.0)).sqrt()
    }
}

/// Bits of precision of each fill uniform: the fill test `u < λ·dt` is resolved to 2^−26
/// ≈ 1.5e-8, far below λ·dt (≈ 0.1–0.7 here).
const UNIFORM_BITS: u32 = 26;

/// One 64-bit draw per step, split into the step's three independent variates: bits 63…38 the
/// ask's fill uniform, bits 37…12 the bid's, bit 0 the mid's direction. ChaCha's output bits
/// are independent and uniform, so the split is exact; one draw instead of three makes the
/// simulation ~2× faster (the RNG dominates a step).
fn step_draws(word: u64) -> (f64, f64, bool) {
    let scale = 1.0 / (1u64 << UNIFORM_BITS) as f64;
    let mask = (1u64 << UNIFORM_BITS) - 1;
    let ask = (word >> (64 - UNIFORM_BITS)) as f64 * scale;
    let bid = ((word >> (64 - 2 * UNIFORM_BITS)) & mask) as f64 * scale;
    (ask, bid, word & 1 == 1)
}

fn require(ok: bool, name: &'static str, requirement: &'static str, value: f64) -> Result<(), ModelError> {
    if ok {
        Ok(())
    } else {
        Err(ModelError::Input { name, requirement, value })
    }
}

fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// Validates `config` and returns the number of steps T/dt.
fn steps(config: &AsPaperConfig) -> Result<usize, ModelError> {
    require(config.paths >= 2, "paths", "at least 2 (for a standard deviation)", config.paths as f64)?;
    require(config.s0.is_finite(), "s0", "finite", config.s0)?;
    require(positive(config.horizon), "horizon", "positive and finite", config.horizon)?;
    require(config.sigma.is_finite() && config.sigma >= 0.0, "sigma", "non-negative and finite", config.sigma)?;
    require(positive(config.dt) && config.dt <= config.horizon, "dt", "positive and at most the horizon", config.dt)?;
    require(positive(config.a), "a", "positive and finite", config.a)?;
    require(positive(config.k), "k", "positive and finite", config.k)?;
    for &gamma in &config.gammas {
        require(positive(gamma), "gammas", "positive and finite", gamma)?;
    }
    let n = (config.horizon / config.dt).round();
    // Whole steps to a relative 1e-9: T = n·dt up to the rounding of decimal inputs.
    const WHOLE_STEPS_REL_TOL: f64 = 1e-9;
    require(
        (n * config.dt - config.horizon).abs() <= WHOLE_STEPS_REL_TOL * config.horizon,
        "horizon",
        "a whole number of steps dt",
        config.horizon,
    )?;
    Ok(n as usize)
}

/// Runs the experiment: for each γ in order, an inventory row then a symmetric row.
pub fn run_as_paper(config: &AsPaperConfig) -> Result<Vec<AsPaperRow>, ModelError> {
    let n_steps = steps(config)?;
    let mut rows = Vec::with_capacity(2 * config.gammas.len());
    for &gamma in &config.gammas {
        let time_left = |i: usize| config.horizon - i as f64 * config.dt;
        let symmetric_spread =
            (0..n_steps).map(|i| as_total_spread(gamma, config.sigma, time_left(i), config.k)).sum::<f64>()
                / n_steps as f64;
        for strategy in [AsPaperStrategy::Inventory, AsPaperStrategy::Symmetric] {
            rows.push(simulate(config, n_steps, gamma, strategy, symmetric_spread));
        }
    }
    Ok(rows)
}

fn simulate(
    config: &AsPaperConfig,
    n_steps: usize,
    gamma: f64,
    strategy: AsPaperStrategy,
    symmetric_spread: f64,
) -> AsPaperRow {
    let AsPaperConfig { s0, horizon, sigma, dt, q0, a, k, .. } = *config;
    let mid_step = sigma * dt.sqrt();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let (mut profit, mut final_q, mut spread_sum) = (Moments::default(), Moments::default(), 0.0);
    for _ in 0..config.paths {
        let (mut s, mut cash, mut q) = (s0, 0.0, q0 as f64);
        for i in 0..n_steps {
            let (bid_depth, ask_depth) = match strategy {
                AsPaperStrategy::Inventory => {
                    let tau = horizon - i as f64 * dt;
                    let r = s + as_reservation_offset(q, gamma, sigma, tau);
                    let half = as_total_spread(gamma, sigma, tau, k) / 2.0;
                    (s - (r - half), (r + half) - s)
                }
                AsPaperStrategy::Symmetric => (symmetric_spread / 2.0, symmetric_spread / 2.0),
            };
            spread_sum += bid_depth + ask_depth;
            let (u_ask, u_bid, up) = step_draws(rng.next_u64());
            if u_ask < a * (-k * ask_depth).exp() * dt {
                q -= 1.0;
                cash += s + ask_depth;
            }
            if u_bid < a * (-k * bid_depth).exp() * dt {
                q += 1.0;
                cash -= s - bid_depth;
            }
            s += if up { mid_step } else { -mid_step };
        }
        profit.push(cash + q * s);
        final_q.push(q);
    }
    AsPaperRow {
        gamma,
        strategy,
        mean_spread: spread_sum / (config.paths * n_steps) as f64,
        mean_profit: profit.mean,
        std_profit: profit.std(),
        mean_final_q: final_q.mean,
        std_final_q: final_q.std(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published γ values only (Tables 1–3).
    fn published_config(paths: usize) -> AsPaperConfig {
        AsPaperConfig { paths, gammas: vec![0.1, 0.01, 1.0], ..AsPaperConfig::paper(2008) }
    }

    #[test]
    fn matches_the_published_tables_within_sampling_error() {
        // 300 paths keep the test under 1 s in a debug build; the tolerances below scale with it
        // (profit ±1.3…3.6, final q ±0.4…2.3, stds ±29%). With these bounds seeds 0–99 all pass.
        const PATHS: usize = 300;
        const PAPER_PATHS: f64 = 1_000.0;
        // 4 standard errors of the difference between our estimate and the paper's (1000 paths).
        const Z: f64 = 4.0;
        // Kurtosis bound for the se of a sample std, se(s)/s ≈ sqrt((K − 1)/(4n)): measured
        // 3.0–5.6 for profit and 2.9–3.1 for final q across the six cells (5000 paths each).
        const KURTOSIS: f64 = 6.0;
        let cfg = published_config(PATHS);
        let rows = run_as_paper(&cfg).unwrap();
        let n = PATHS as f64;
        let rel_std_tol = Z * ((KURTOSIS - 1.0) / (4.0 * n) + (KURTOSIS - 1.0) / (4.0 * PAPER_PATHS)).sqrt();
        for paper in AS_PAPER_PUBLISHED {
            let ours = rows.iter().find(|r| r.gamma == paper.gamma && r.strategy == paper.strategy).unwrap();
            let ctx = format!("{ours:?} vs {paper:?}");
            // Spread: ours averages the steps (mean T − t = T/2 + dt/2), the paper the period
            // (T/2), plus the tables' rounding to 0.01.
            let spread_tol = paper.gamma * cfg.sigma * cfg.sigma * cfg.dt / 2.0 + 0.005 + 1e-9;
            assert!((ours.mean_spread - paper.mean_spread).abs() <= spread_tol, "spread {ctx}");
            let mean_tol = |s: f64, s_paper: f64| Z * (s * s / n + s_paper * s_paper / PAPER_PATHS).sqrt();
            let profit_tol = mean_tol(ours.std_profit, paper.std_profit);
            assert!((ours.mean_profit - paper.mean_profit).abs() <= profit_tol, "profit ±{profit_tol} {ctx}");
            let q_tol = mean_tol(ours.std_final_q, paper.std_final_q);
            assert!((ours.mean_final_q - paper.mean_final_q).abs() <= q_tol, "final q ±{q_tol} {ctx}");
            assert!((ours.std_profit / paper.std_profit - 1.0).abs() <= rel_std_tol, "std profit {ctx}");
            assert!((ours.std_final_q / paper.std_final_q - 1.0).abs() <= rel_std_tol, "std q {ctx}");
        }
    }

    #[test]
    fn inventory_strategy_trades_profit_for_much_less_risk() {
        const PATHS: usize = 300;
        let rows = run_as_paper(&published_config(PATHS)).unwrap();
        for pair in rows.chunks(2) {
            let (inv, sym) = (pair[0], pair[1]);
            assert_eq!((inv.strategy, sym.strategy), (AsPaperStrategy::Inventory, AsPaperStrategy::Symmetric));
            // Same average spread by construction (up to summation rounding).
            assert!((inv.mean_spread / sym.mean_spread - 1.0).abs() < 1e-10, "{inv:?} {sym:?}");
            // Paper: inventory/symmetric std ratios 0.45–0.68 (profit), 0.33–0.59 (final q).
            assert!(inv.std_profit < 0.8 * sym.std_profit, "{inv:?} {sym:?}");
            assert!(inv.std_final_q < 0.7 * sym.std_final_q, "{inv:?} {sym:?}");
            if inv.gamma >= 0.1 {
                // Centred on the mid, the symmetric quotes fill more and earn more on average
                // (paper: 68.4 vs 65.0 at γ = 0.1, 44.0 vs 31.4 at γ = 1).
                assert!(sym.mean_profit > inv.mean_profit, "{inv:?} {sym:?}");
            } else {
                // Near risk neutrality the two coincide in the limit (paper: 68.8 vs 68.6):
                // within 4 standard errors of the difference, bounded without the pairing.
                let se = (inv.std_profit.powi(2) + sym.std_profit.powi(2)).sqrt() / (PATHS as f64).sqrt();
                assert!((sym.mean_profit - inv.mean_profit).abs() < 4.0 * se, "{inv:?} {sym:?}");
            }
        }
        // Final-inventory dispersion of the inventory strategy falls with γ (paper 5.1, 2.9, 1.7).
        let q_std = |g: f64| {
            rows.iter().find(|r| r.gamma == g && r.strategy == AsPaperStrategy::Inventory).map(|r| r.std_final_q)
        };
        assert!(q_std(0.01) > q_std(0.1) && q_std(0.1) > q_std(1.0), "{rows:?}");
    }

    #[test]
    fn step_draws_split_one_word_into_three_variates() {
        let top = 1.0 - 1.0 / (1u64 << UNIFORM_BITS) as f64;
        assert_eq!(step_draws(u64::MAX), (top, top, true));
        assert_eq!(step_draws(0), (0.0, 0.0, false));
        // The lowest ask bit, the lowest bid bit and the direction bit are separate.
        let unit = 1.0 / (1u64 << UNIFORM_BITS) as f64;
        assert_eq!(step_draws(1 << 38), (unit, 0.0, false));
        assert_eq!(step_draws(1 << 12), (0.0, unit, false));
        assert_eq!(step_draws(1), (0.0, 0.0, true));
    }

    #[test]
    fn deterministic_for_a_seed() {
        let cfg = AsPaperConfig { paths: 50, gammas: vec![0.1], ..AsPaperConfig::paper(7) };
        assert_eq!(run_as_paper(&cfg).unwrap(), run_as_paper(&cfg).unwrap());
        let other = run_as_paper(&AsPaperConfig { seed: 8, ..cfg.clone() }).unwrap();
        assert_ne!(run_as_paper(&cfg).unwrap(), other);
    }

    #[test]
    fn bad_configs_are_named_errors() {
        let base = AsPaperConfig::paper(1);
        let err = |cfg: AsPaperConfig| match run_as_paper(&cfg) {
            Err(ModelError::Input { name, .. }) => name,
            other => panic!("expected an input error, got {other:?}"),
        };
        assert_eq!(err(AsPaperConfig { paths: 1, ..base.clone() }), "paths");
        assert_eq!(err(AsPaperConfig { dt: 0.0, ..base.clone() }), "dt");
        assert_eq!(err(AsPaperConfig { dt: 0.003, ..base.clone() }), "horizon");
        assert_eq!(err(AsPaperConfig { gammas: vec![0.1, -1.0], ..base.clone() }), "gammas");
        assert_eq!(err(AsPaperConfig { k: f64::NAN, ..base.clone() }), "k");
        assert_eq!(err(AsPaperConfig { sigma: -2.0, ..base }), "sigma");
    }
}
