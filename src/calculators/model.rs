//! `hyperquote model <MODEL>`: one `QuoteModel` at the flags' σ, A, κ, γ and inventory, in
//! the user's units of distance and size converted to the models' lots (units and the GLFT
//! proof: `calculators` module doc).

use super::{check, flag_error, Rule};
use clap::{Args, Subcommand};
use engine::quote::models::{
    glft_quote, AsHorizon, AvellanedaStoikov, AvellanedaStoikovConfig, CarteaJaimungal, CarteaJaimungalConfig, Glft,
    GlftConfig, GlftExact, GlftExactConfig, GlftInputs, HoStoll, HoStollConfig, ModelInputs, QuoteModel,
    StaticSpreadModel, StaticSpreadModelConfig, MAX_INVENTORY_BOUND_LOTS,
};
use engine::units::BPS_PER_FRAC;
use serde::Serialize;

/// `hyperquote model <MODEL>`.
#[derive(Debug, Clone, Subcommand)]
pub enum ModelCommand {
    /// GLFT closed form (Guéant 2017, ξ = γ).
    #[command(allow_hyphen_values = true)]
    Glft(GlftArgs),
    /// GLFT exact finite-horizon quotes on the inventory lattice −Q…Q.
    #[command(allow_hyphen_values = true)]
    GlftExact(LatticeArgs),
    /// Avellaneda–Stoikov: finite (--horizon) or infinite (--omega) horizon.
    #[command(allow_hyphen_values = true)]
    As(AsArgs),
    /// Ho–Stoll dealer quotes.
    #[command(allow_hyphen_values = true)]
    HoStoll(HoStollArgs),
    /// Cartea–Jaimungal–Penalva with running and terminal inventory penalties.
    #[command(allow_hyphen_values = true)]
    Cj(CjArgs),
    /// The static-spread baseline (bps; σ, κ, A, γ accepted and ignored).
    #[command(allow_hyphen_values = true)]
    Static(StaticArgs),
}

#[derive(Debug, Clone, Args)]
pub struct MarketArgs {
    /// σ: volatility of the mid per √second, in the unit of δ (e.g. fraction of the mid).
    #[arg(long, value_name = "S")]
    pub sigma: f64,
    /// A: fill intensity at the mid, per second and side.
    #[arg(long, value_name = "A")]
    pub a: f64,
    /// κ: fill-intensity decay per unit of δ.
    #[arg(long, value_name = "K")]
    pub kappa: f64,
    /// γ: risk aversion per (unit of δ · unit of size).
    #[arg(long, value_name = "G")]
    pub gamma: f64,
}

#[derive(Debug, Clone, Args)]
pub struct PositionArgs {
    /// Inventory q, unit of size (long > 0).
    #[arg(long, value_name = "Q")]
    pub q: f64,
    /// Order size Δ, same unit as q (the models' lot).
    #[arg(long, value_name = "D", default_value_t = 1.0)]
    pub delta: f64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct GlftArgs {
    #[command(flatten)]
    pub market: MarketArgs,
    #[command(flatten)]
    pub position: PositionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct LatticeArgs {
    #[command(flatten)]
    pub market: MarketArgs,
    #[command(flatten)]
    pub position: PositionArgs,
    /// Rolling horizon T − t, seconds.
    #[arg(long, value_name = "T")]
    pub horizon: f64,
    /// Inventory bound, unit of size: qmax/Δ a whole number of lots in 1..=30.
    #[arg(long, value_name = "QMAX")]
    pub qmax: f64,
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("as_horizon").required(true).args(["horizon", "omega"])))]
pub struct AsArgs {
    #[command(flatten)]
    pub market: MarketArgs,
    #[command(flatten)]
    pub position: PositionArgs,
    /// Finite horizon: rolling T − t, seconds.
    #[arg(long, value_name = "T")]
    pub horizon: Option<f64>,
    /// Infinite horizon: discount rate ω per second.
    #[arg(long, value_name = "W")]
    pub omega: Option<f64>,
}

#[derive(Debug, Clone, Args)]
pub struct HoStollArgs {
    #[command(flatten)]
    pub market: MarketArgs,
    #[command(flatten)]
    pub position: PositionArgs,
    /// Dealer horizon T − t, seconds.
    #[arg(long, value_name = "T")]
    pub horizon: f64,
}

#[derive(Debug, Clone, Args)]
pub struct CjArgs {
    #[command(flatten)]
    pub lattice: LatticeArgs,
    /// Running penalty φ per (unit of size · second), in the unit of δ (default γσ²/2).
    #[arg(long, value_name = "F")]
    pub phi: Option<f64>,
    /// Terminal penalty α per unit of size, in the unit of δ.
    #[arg(long, value_name = "X", default_value_t = 0.0)]
    pub alpha_terminal: f64,
    /// Drift μ of the mid, unit of δ per second.
    #[arg(long, value_name = "MU", default_value_t = 0.0)]
    pub drift: f64,
}

#[derive(Debug, Clone, Args)]
pub struct StaticArgs {
    #[command(flatten)]
    pub position: PositionArgs,
    /// Half spread around the reservation price, bps.
    #[arg(long, value_name = "BPS")]
    pub half_spread_bps: f64,
    /// Shift of the reservation price per lot (Δ) of inventory, bps.
    #[arg(long, value_name = "BPS")]
    pub skew_bps_per_lot: f64,
    /// Not used by static (accepted so one command line fits every model).
    #[arg(long, value_name = "S")]
    pub sigma: Option<f64>,
    /// Not used by static.
    #[arg(long, value_name = "A")]
    pub a: Option<f64>,
    /// Not used by static.
    #[arg(long, value_name = "K")]
    pub kappa: Option<f64>,
    /// Not used by static.
    #[arg(long, value_name = "G")]
    pub gamma: Option<f64>,
}

/// One model's answer, depths in the unit of δ (that of σ and 1/κ); `None`: that side is not
/// quoted (the lattice models at their inventory bound).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelReport {
    pub model: &'static str,
    pub q: f64,
    pub delta: f64,
    /// q/Δ; the lattice models quote at `q_lots_quoted` (rounded, clamped to ±Q).
    pub q_lots: f64,
    pub q_lots_quoted: Option<f64>,
    /// γ·Δ, the models' γ per (δ · lot); `None` for static.
    pub gamma_per_lot: Option<f64>,
    pub bid_depth: Option<f64>,
    pub ask_depth: Option<f64>,
    pub half_spread: Option<f64>,
    /// Shift of the quote centre, (δa − δb)/2: negative when long.
    pub skew: Option<f64>,
    /// GLFT: σ·c2; the centre moves by −σ·c2 per unit of q.
    pub skew_per_unit_q: Option<f64>,
    /// The inventory-free part of the half spread (c1, (1/γ)ln(1 + γ/κ), 1/κ, the static h).
    pub spread_term: f64,
}

/// qmax/Δ as the lattice bound Q in whole lots.
fn bound_lots(qmax: f64, delta: f64) -> Result<u32, String> {
    let lots = check("--qmax", qmax, Rule::Positive)? / delta;
    let whole = lots.round();
    const WHOLE_REL_TOL: f64 = 1e-9;
    if (lots - whole).abs() > WHOLE_REL_TOL * whole.max(1.0)
        || !(1.0..=f64::from(MAX_INVENTORY_BOUND_LOTS)).contains(&whole)
    {
        return Err(format!(
            "--qmax / --delta must be a whole number of lots in 1..={MAX_INVENTORY_BOUND_LOTS}, got {qmax} / {delta} = {lots}"
        ));
    }
    Ok(whole as u32)
}

impl MarketArgs {
    /// The model inputs at `q_lots` with γ in lots of `delta`.
    fn inputs(&self, q_lots: f64, delta: f64, drift: f64) -> Result<ModelInputs, String> {
        Ok(ModelInputs {
            sigma_frac_per_sqrt_s: check("--sigma", self.sigma, Rule::NonNegative)?,
            a_per_s: check("--a", self.a, Rule::Positive)?,
            kappa_per_frac: check("--kappa", self.kappa, Rule::Positive)?,
            gamma_per_frac_lot: check("--gamma", self.gamma, Rule::Positive)? * delta,
            inventory_lots: q_lots,
            drift_frac_per_s: drift,
        })
    }
}

impl LatticeArgs {
    fn bound_and_horizon(&self) -> Result<(u32, f64), String> {
        Ok((bound_lots(self.qmax, self.position.delta)?, check("--horizon", self.horizon, Rule::Positive)?))
    }
}

impl ModelCommand {
    fn position(&self) -> &PositionArgs {
        match self {
            ModelCommand::Glft(a) => &a.position,
            ModelCommand::GlftExact(a) => &a.position,
            ModelCommand::As(a) => &a.position,
            ModelCommand::HoStoll(a) => &a.position,
            ModelCommand::Cj(a) => &a.lattice.position,
            ModelCommand::Static(a) => &a.position,
        }
    }

    /// The model and its inputs, every flag validated.
    fn build(&self, q_lots: f64, delta: f64) -> Result<Calculation, String> {
        let (model, inputs, bound_lots): (Box<dyn QuoteModel>, _, _) = match self {
            ModelCommand::Glft(a) => {
                (Box::new(Glft::new(GlftConfig::default())), a.market.inputs(q_lots, delta, 0.0)?, None)
            }
            ModelCommand::GlftExact(a) => {
                let (max_inventory_lots, horizon_s) = a.bound_and_horizon()?;
                let model = GlftExact::new(GlftExactConfig { horizon_s, max_inventory_lots }).map_err(flag_error)?;
                (Box::new(model), a.market.inputs(q_lots, delta, 0.0)?, Some(max_inventory_lots))
            }
            ModelCommand::As(a) => {
                let horizon = match (a.horizon, a.omega) {
                    (Some(h), None) => AsHorizon::Finite { horizon_s: check("--horizon", h, Rule::Positive)? },
                    (None, Some(w)) => AsHorizon::Infinite { omega_per_s: check("--omega", w, Rule::Positive)? },
                    _ => return Err("as needs exactly one of --horizon and --omega".into()),
                };
                let model = AvellanedaStoikov::new(AvellanedaStoikovConfig { horizon }).map_err(flag_error)?;
                (Box::new(model), a.market.inputs(q_lots, delta, 0.0)?, None)
            }
            ModelCommand::HoStoll(a) => {
                let horizon_s = check("--horizon", a.horizon, Rule::Positive)?;
                let model = HoStoll::new(HoStollConfig { horizon_s }).map_err(flag_error)?;
                (Box::new(model), a.market.inputs(q_lots, delta, 0.0)?, None)
            }
            ModelCommand::Cj(a) => {
                let (max_inventory_lots, horizon_s) = a.lattice.bound_and_horizon()?;
                let phi = a.phi.map(|phi| check("--phi", phi, Rule::NonNegative).map(|phi| phi * delta)).transpose()?;
                let config = CarteaJaimungalConfig {
                    horizon_s,
                    max_inventory_lots,
                    running_penalty_phi_frac_per_lot_s: phi,
                    terminal_penalty_alpha_frac_per_lot: check(
                        "--alpha-terminal",
                        a.alpha_terminal,
                        Rule::NonNegative,
                    )? * delta,
                    ..CarteaJaimungalConfig::default()
                };
                let model = CarteaJaimungal::new(config).map_err(flag_error)?;
                let drift = check("--drift", a.drift, Rule::Finite)?;
                (Box::new(model), a.lattice.market.inputs(q_lots, delta, drift)?, Some(max_inventory_lots))
            }
            ModelCommand::Static(a) => {
                let config = StaticSpreadModelConfig {
                    half_spread_bps: check("--half-spread-bps", a.half_spread_bps, Rule::Positive)?,
                    inventory_skew_bps_per_lot: check("--skew-bps-per-lot", a.skew_bps_per_lot, Rule::NonNegative)?,
                };
                let model = StaticSpreadModel::new(config).map_err(flag_error)?;
                // Static reads only the inventory.
                let unused = f64::NAN;
                let inputs = ModelInputs {
                    sigma_frac_per_sqrt_s: unused,
                    kappa_per_frac: unused,
                    a_per_s: unused,
                    gamma_per_frac_lot: unused,
                    inventory_lots: q_lots,
                    drift_frac_per_s: 0.0,
                };
                (Box::new(model), inputs, None)
            }
        };
        Ok(Calculation { model, inputs, bound_lots })
    }
}

/// A model ready to quote, with the inputs the flags gave it.
struct Calculation {
    model: Box<dyn QuoteModel>,
    inputs: ModelInputs,
    /// The lattice models' inventory bound Q.
    bound_lots: Option<u32>,
}

/// Evaluates the model `command` names at its flags.
pub fn model_report(command: &ModelCommand) -> Result<ModelReport, String> {
    let position = command.position();
    let delta = check("--delta", position.delta, Rule::Positive)?;
    let q = check("--q", position.q, Rule::Finite)?;
    let q_lots = q / delta;
    let Calculation { model, inputs, bound_lots } = command.build(q_lots, delta)?;
    let quote = model.quote(&inputs).map_err(flag_error)?;
    let finite = |x: f64| x.is_finite().then_some(x);
    let (bid, ask) = (finite(quote.bid_depth_frac), finite(quote.ask_depth_frac));
    let both = bid.zip(ask);
    let skew_per_unit_q = match command {
        ModelCommand::Glft(_) => {
            let glft = glft_quote(&GlftInputs {
                gamma_per_frac_lot: inputs.gamma_per_frac_lot,
                xi_per_frac_lot: inputs.gamma_per_frac_lot,
                kappa_per_frac: inputs.kappa_per_frac,
                a_per_s: inputs.a_per_s,
                sigma_frac_per_sqrt_s: inputs.sigma_frac_per_sqrt_s,
                inventory_lots: q_lots,
            })
            .map_err(|e| e.to_string())?;
            Some(glft.skew_per_lot_frac / delta)
        }
        _ => None,
    };
    Ok(ModelReport {
        model: model.name(),
        q,
        delta,
        q_lots,
        q_lots_quoted: bound_lots.map(|b| q_lots.round().clamp(-f64::from(b), f64::from(b))),
        gamma_per_lot: (!matches!(command, ModelCommand::Static(_))).then_some(inputs.gamma_per_frac_lot),
        bid_depth: bid,
        ask_depth: ask,
        half_spread: both.map(|(b, a)| (b + a) / 2.0),
        skew: both.map(|(b, a)| (a - b) / 2.0),
        skew_per_unit_q,
        spread_term: quote.spread_term_frac,
    })
}

/// What `hyperquote model …` prints: a small table, or one JSON object with `--json`.
pub fn model_output(command: &ModelCommand) -> Result<String, String> {
    let report = model_report(command)?;
    if command.position().json {
        return serde_json::to_string(&report).map(|s| s + "\n").map_err(|e| format!("model report: {e}"));
    }
    let mut out = format!("{}: q {} with Δ {} = {} lots", report.model, report.q, report.delta, report.q_lots);
    if let Some(quoted) = report.q_lots_quoted {
        out.push_str(&format!(" (quoted at {quoted} on the lattice)"));
    }
    if let Some(g) = report.gamma_per_lot {
        out.push_str(&format!(", γ·Δ = {g} per lot"));
    }
    out.push_str(&format!("\n{:<16}{:>14}{:>10}\n", "", "δ unit", "×1e4"));
    let rows = [
        ("bid depth", report.bid_depth, true, ""),
        ("ask depth", report.ask_depth, true, ""),
        ("half spread", report.half_spread, true, ""),
        ("skew", report.skew, true, "centre shift (δa − δb)/2, < 0 when long"),
        ("skew per q", report.skew_per_unit_q, false, "σ·c2: the centre moves −σ·c2 per unit of q"),
        ("spread term", Some(report.spread_term), true, "inventory-free part of the half spread"),
    ];
    for (label, value, always, note) in rows {
        match value {
            Some(v) => {
                let line = format!("{label:<16}{v:>14.6e}{:>10.4}  {note}", v * BPS_PER_FRAC);
                out.push_str(line.trim_end());
                out.push('\n');
            }
            None if always => {
                out.push_str(&format!("{label:<16}{:>14}{:>10}  not quoted: inventory bound\n", "—", "—"))
            }
            None => {}
        }
    }
    out.push_str("×1e4 = bps of the mid when σ and 1/κ are fractions of the mid (static: always)\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glft(sigma: f64, a: f64, kappa: f64, gamma: f64, q: f64, delta: f64) -> ModelCommand {
        ModelCommand::Glft(GlftArgs {
            market: MarketArgs { sigma, a, kappa, gamma },
            position: PositionArgs { q, delta, json: false },
        })
    }

    #[test]
    fn glft_lot_form_is_the_delta_form() {
        // Guéant (2017) with order size Δ and ξ = γ, computed directly in the user's units.
        let delta_form = |sigma: f64, a: f64, kappa: f64, gamma: f64, q: f64, delta: f64| {
            let x = gamma * delta;
            let c1 = (1.0 / x) * (1.0 + x / kappa).ln();
            let c2 = (gamma / (2.0 * a * delta * kappa) * (1.0 + x / kappa).powf(kappa / x + 1.0)).sqrt();
            (c1 + (2.0 * q + delta) / 2.0 * sigma * c2, c1 - (2.0 * q - delta) / 2.0 * sigma * c2, sigma * c2)
        };
        for (sigma, a, kappa, gamma, q, delta) in [
            (2e-4, 0.5, 2_000.0, 50.0, 2.0, 1.0),
            (2e-4, 0.5, 2_000.0, 25_000.0, 0.004, 0.002),
            (3e-4, 1.7, 800.0, 3.0, -7.5, 2.5),
            (1.5, 140.0, 1.5, 0.1, 3.0, 0.25),
        ] {
            let got = model_report(&glft(sigma, a, kappa, gamma, q, delta)).unwrap();
            let (bid, ask, skew) = delta_form(sigma, a, kappa, gamma, q, delta);
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * y.abs().max(1e-300);
            let ctx = format!("σ {sigma} A {a} κ {kappa} γ {gamma} q {q} Δ {delta}: {got:?}");
            assert!(close(got.bid_depth.unwrap(), bid), "bid {bid} {ctx}");
            assert!(close(got.ask_depth.unwrap(), ask), "ask {ask} {ctx}");
            assert!(close(got.skew_per_unit_q.unwrap(), skew), "skew {skew} {ctx}");
            assert!(close(got.skew.unwrap(), -q * skew), "centre shift −q·σc2 {ctx}");
        }
    }

    #[test]
    fn qmax_must_be_whole_lots_in_range() {
        assert_eq!(bound_lots(10.0, 1.0), Ok(10));
        assert_eq!(bound_lots(0.03, 0.001), Ok(30));
        for (qmax, delta) in [(2.5, 1.0), (31.0, 1.0), (0.0, 1.0), (0.0005, 0.001)] {
            let e = bound_lots(qmax, delta).unwrap_err();
            assert!(e.contains("--qmax"), "{e}");
        }
    }

    #[test]
    fn model_errors_name_the_flag() {
        let omega = ModelCommand::As(AsArgs {
            market: MarketArgs { sigma: 2e-4, a: 0.5, kappa: 2_000.0, gamma: 50.0 },
            position: PositionArgs { q: 2.0, delta: 1.0, json: false },
            horizon: None,
            omega: Some(1e-6),
        });
        let e = model_report(&omega).unwrap_err();
        assert!(e.starts_with("--omega: "), "{e}");
        let e = model_report(&glft(2e-4, 0.5, f64::NAN, 50.0, 0.0, 1.0)).unwrap_err();
        assert!(e.starts_with("--kappa must be"), "{e}");
        let e = model_report(&glft(2e-4, 0.5, 2_000.0, 50.0, 0.0, 0.0)).unwrap_err();
        assert!(e.starts_with("--delta must be"), "{e}");
    }
}
