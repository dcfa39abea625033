//! `hyperquote model …` and `hyperquote sim as-paper`: calculators for exploring the quoting
//! models' parameters by hand, with no market attached. `model` hands one `QuoteModel` the
//! numbers on the command line and prints its bid and ask depths, half spread and skew;
//! `sim as-paper` reruns the Avellaneda–Stoikov (2008) Monte Carlo next to the published tables.
//! Each command's flags are defined beside their validation (each error names its flag; `main`
//! exits 2 on it, as clap does for a missing or unparsable flag); the functions return the text
//! to print, so `main` only prints it.
//!
//! **Units.** Distances are in whatever unit σ (per √second) and 1/κ are in — a fraction of the
//! mid as the estimators publish them (×10⁴ = bps), or price — and the depths come out in it;
//! A is per second, horizons in seconds, ω per second. Size: the inventory q, the order size Δ
//! (`--delta`, default 1) and `--qmax` share one unit (base coin, contracts…), and γ is per
//! (unit of δ · unit of size). The models count size in lots of the quoted order (models/mod.rs:
//! Δ = 1 lot, γ per (δ · lot)), so the calculator converts
//!
//!   q_lots = q/Δ,  γ_lots = γ·Δ  (and Q_lots = qmax/Δ, φ_lots = φ·Δ, α_lots = α·Δ for cj).
//!
//! For GLFT this is exact. Guéant (2017)'s general form with order size Δ is
//! c1 = (1/(ξΔ))·ln(1 + ξΔ/κ), c2 = sqrt(γ/(2AΔκ)·(1 + ξΔ/κ)^(κ/(ξΔ) + 1)),
//! δb(q) = c1 + ((2q + Δ)/2)·σ·c2, δa(q) = c1 − ((2q − Δ)/2)·σ·c2 (ξ = γ here). γ and ξ enter
//! only as γΔ and ξΔ except in c2's factor γ/Δ = (γΔ)/Δ², so c1 is the lot form's and
//! c2 = c2_lots/Δ; then ((2q ± Δ)/2)·c2 = ((2q/Δ ± 1)/2)·c2_lots: the lot form (Δ = 1) at
//! q/Δ, γΔ, ξΔ gives the same depths, and the skew per unit of q is σ·c2 = σ·c2_lots/Δ
//! (`glft_lot_form_is_the_delta_form` checks it against the Δ form computed directly). For the
//! other models the lot form is their size-Δ version by construction (Ho–Stoll's reservation
//! fee γσ²τ·(q + Δ/2), A–S's r − s = −qγσ²τ); glft-exact and cj live on a lattice of whole lots
//! and round q/Δ to the nearest one. Static takes its half spread and skew in bps (the depths
//! are then fractions of the mid) and ignores σ, κ, A and γ.
//!
//! `model` is in `calculators/model.rs`, `sim as-paper` in `calculators/as_paper.rs`; the flag
//! checks both use are here.

mod as_paper;
mod model;

pub use as_paper::{as_paper_report, sim_output, AsPaperArgs, AsPaperComparison, AsPaperReport, SimCommand};
pub use model::{
    model_output, model_report, AsArgs, CjArgs, GlftArgs, HoStollArgs, LatticeArgs, MarketArgs, ModelCommand,
    ModelReport, PositionArgs, StaticArgs,
};

use engine::quote::models::ModelError;

/// What a numeric flag must be (always finite).
enum Rule {
    Positive,
    NonNegative,
    Finite,
}

/// `value` if it obeys `rule`, else an error naming `flag`.
fn check(flag: &str, value: f64, rule: Rule) -> Result<f64, String> {
    let (ok, requirement) = match rule {
        Rule::Positive => (value > 0.0, "a positive"),
        Rule::NonNegative => (value >= 0.0, "a non-negative"),
        Rule::Finite => (true, "a"),
    };
    if ok && value.is_finite() {
        Ok(value)
    } else {
        Err(format!("{flag} must be {requirement} finite number, got {value}"))
    }
}

/// The flag behind a model's input or config name (`glft_exact.horizon_s` → `--horizon`).
fn flag_of(model_input: &str) -> &'static str {
    match model_input.rsplit('.').next().unwrap_or(model_input) {
        "sigma_frac_per_sqrt_s" => "--sigma",
        "kappa_per_frac" => "--kappa",
        "a_per_s" => "--a",
        "gamma_per_frac_lot" => "--gamma",
        "inventory_lots" => "--q",
        "drift_frac_per_s" => "--drift",
        "horizon_s" => "--horizon",
        "omega_per_s" => "--omega",
        "max_inventory_lots" => "--qmax",
        "running_penalty_phi_frac_per_lot_s" => "--phi",
        "terminal_penalty_alpha_frac_per_lot" => "--alpha-terminal",
        "half_spread_bps" => "--half-spread-bps",
        "inventory_skew_bps_per_lot" => "--skew-bps-per-lot",
        "paths" => "--paths",
        _ => "the inputs",
    }
}

/// A model's (or the simulation's) input error, led by the flag it came from.
fn flag_error(e: ModelError) -> String {
    match &e {
        ModelError::Input { name, .. } => format!("{}: {e}", flag_of(name)),
        ModelError::Numerical(_) => e.to_string(),
    }
}
