//! `hyperquote sim as-paper`: the Avellaneda–Stoikov (2008) §3.3 Monte Carlo
//! (`engine::quote::as_paper`) with the paper's parameters, each row beside the published one.

use super::flag_error;
use clap::{Args, Subcommand};
use engine::quote::as_paper::{run_as_paper, AsPaperConfig, AsPaperRow, AsPaperStrategy, AS_PAPER_PUBLISHED};
use serde::Serialize;

/// `hyperquote sim <SIM>`.
#[derive(Debug, Clone, Subcommand)]
pub enum SimCommand {
    /// Avellaneda–Stoikov (2008) §3.3 Monte Carlo for γ ∈ {0.1, 0.01, 0.5, 1}, inventory and
    /// symmetric strategies, beside the paper's Tables 1–3.
    AsPaper(AsPaperArgs),
}

#[derive(Debug, Clone, Args)]
pub struct AsPaperArgs {
    /// Paths per γ and strategy (default: the paper's 1000).
    #[arg(long, value_name = "N")]
    pub paths: Option<usize>,
    /// Seed of the random streams.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// One γ and strategy of `sim as-paper`, beside the paper's row when it has one.
#[derive(Debug, Clone, Serialize)]
pub struct AsPaperComparison {
    #[serde(flatten)]
    pub ours: AsPaperRow,
    pub published: Option<AsPaperRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AsPaperReport {
    pub paths: usize,
    pub seed: u64,
    pub rows: Vec<AsPaperComparison>,
}

/// Runs the paper's experiment with `args`' paths and seed.
pub fn as_paper_report(args: &AsPaperArgs) -> Result<AsPaperReport, String> {
    let mut config = AsPaperConfig::paper(args.seed);
    if let Some(paths) = args.paths {
        config.paths = paths;
    }
    let rows = run_as_paper(&config).map_err(flag_error)?;
    let rows = rows
        .into_iter()
        .map(|ours| AsPaperComparison {
            published: AS_PAPER_PUBLISHED
                .iter()
                .find(|p| p.gamma == ours.gamma && p.strategy == ours.strategy)
                .copied(),
            ours,
        })
        .collect();
    Ok(AsPaperReport { paths: config.paths, seed: config.seed, rows })
}

/// What `hyperquote sim …` prints.
pub fn sim_output(command: &SimCommand) -> Result<String, String> {
    let SimCommand::AsPaper(args) = command;
    let report = as_paper_report(args)?;
    if args.json {
        return serde_json::to_string(&report).map(|s| s + "\n").map_err(|e| format!("as-paper report: {e}"));
    }
    let mut out = format!(
        "Avellaneda–Stoikov (2008) §3.3: {} paths per row, seed {}; [published, Tables 1–3]\n\
         {:>5}  {:<10}{:>16}{:>17}{:>16}{:>15}{:>15}\n",
        report.paths, report.seed, "γ", "strategy", "spread", "profit", "std profit", "final q", "std final q"
    );
    for row in &report.rows {
        let (o, p) = (&row.ours, row.published.as_ref());
        let cell = |ours: f64, published: Option<f64>, digits: usize| match published {
            Some(x) => format!("{ours:.digits$} [{x:.digits$}]"),
            None => format!("{ours:.digits$} [—]"),
        };
        let strategy = match o.strategy {
            AsPaperStrategy::Inventory => "inventory",
            AsPaperStrategy::Symmetric => "symmetric",
        };
        out.push_str(&format!(
            "{:>5}  {strategy:<10}{:>16}{:>17}{:>16}{:>15}{:>15}\n",
            o.gamma,
            cell(o.mean_spread, p.map(|p| p.mean_spread), 2),
            cell(o.mean_profit, p.map(|p| p.mean_profit), 1),
            cell(o.std_profit, p.map(|p| p.std_profit), 1),
            cell(o.mean_final_q, p.map(|p| p.mean_final_q), 2),
            cell(o.std_final_q, p.map(|p| p.std_final_q), 1),
        ));
    }
    Ok(out)
}
