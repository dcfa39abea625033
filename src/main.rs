//! `hyperquote`: the command line.

use clap::{Parser, Subcommand};
use hyperquote::config::Config;
use hyperquote::run::{run_threaded, Progress, RunPlan};
use hyperquote::wiring::build_actors;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "hyperquote", version, about = "Actor-based market-making engine for Hyperliquid perpetuals")]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the engine (default: paper mode on the built-in synthetic market for 30 s).
    Run(RunArgs),
}

#[derive(clap::Args, Default)]
struct RunArgs {
    /// TOML profile; default: the embedded config/paper.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run length in seconds (overrides engine.duration_s).
    #[arg(long)]
    duration: Option<f64>,
    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Cmd::Run(args)) => args,
        None => RunArgs::default(),
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hyperquote: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: RunArgs) -> Result<(), String> {
    let config = match &args.config {
        Some(path) => Config::load(path),
        None => Config::embedded_paper(),
    }
    .map_err(|e| e.to_string())?;
    let duration_s = args.duration.unwrap_or(config.engine.duration_s);
    if !(duration_s > 0.0 && duration_s.is_finite()) {
        return Err(format!("--duration must be a positive number of seconds, got {duration_s}"));
    }
    let _log_guard = hyperquote::logging::init(&config.logging);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)) {
        tracing::warn!("Ctrl-C handler not installed: {e}");
    }
    let plan = RunPlan::from_config(&config, Duration::from_secs_f64(duration_s))?;
    let session_prefix =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    let actors = build_actors(&config, session_prefix).map_err(|e| e.to_string())?;
    let coins: Vec<String> = plan.instruments.iter().map(|i| i.name.clone()).collect();
    eprintln!(
        "hyperquote: paper mode, {} on the synthetic market + sim venue, {duration_s} s (Ctrl-C stops cleanly)",
        coins.join(", ")
    );
    let show = |p: &Progress| {
        let positions: Vec<String> = coins.iter().zip(&p.positions).map(|(c, q)| format!("{c} {q:+.5}")).collect();
        eprintln!(
            "[{:>5.1}s] fills {:>4}  net {:+.4} USD  live orders {:>2}  inventory {}",
            p.elapsed_s,
            p.fills,
            p.net_pnl_usd,
            p.live_orders,
            positions.join("  ")
        );
    };
    let summary = run_threaded(actors, &plan, &stop, show).map_err(|e| e.to_string())?;
    if args.json {
        let json = serde_json::to_string(&summary).map_err(|e| format!("summary: {e}"))?;
        println!("{json}");
    } else {
        print!("{}", summary.render_text());
    }
    Ok(())
}
