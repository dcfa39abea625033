//! `hyperquote`: the command line.

use actors::venues::hyperliquid::ws_client::WsClientConfig;
use clap::{Parser, Subcommand};
use engine::quote::ModelKind;
use hyperquote::admin::DiscoveryKey;
use hyperquote::config::{Config, EMBEDDED_PAPER, EMBEDDED_REPLAY};
use hyperquote::run::{run_sequential, run_threaded, run_threaded_with, Progress, RunPlan};
use hyperquote::wiring::{build_actors, coin_table, MarketChoice};
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
    /// Record live Hyperliquid market data (l2Book, trades, bbo, activeAssetCtx) to a file.
    Record(RecordArgs),
    /// Backtest a model against the static-spread baseline on the same data (a recording or
    /// the synthetic market, simulated clock): results side by side and their differences.
    Backtest(BacktestArgs),
    /// Run the estimators over a recording (Hyperliquid or Binance USD-M) and print their
    /// time series: σ, κ and A, flow, book signals, and the implied GLFT half-spread.
    Estimate(EstimateArgs),
    /// One quoting model's bid and ask depths, half spread and skew for given σ, A, κ, γ and
    /// inventory (`hyperquote model <MODEL> --help`).
    Model {
        #[command(subcommand)]
        model: hyperquote::calculators::ModelCommand,
    },
    /// Simulations: `sim as-paper` reruns the Avellaneda–Stoikov (2008) Monte Carlo.
    Sim {
        #[command(subcommand)]
        sim: hyperquote::calculators::SimCommand,
    },
    /// Inspect and steer a running engine through its admin API (found through the
    /// discovery file of the same `--config`, or `--addr` + `--token-file`).
    Ctl(hyperquote::ctl::CtlArgs),
}

#[derive(clap::Args)]
struct EstimateArgs {
    /// The recording (`<local_ns> <frame>` lines, .gz/.zst/plain).
    #[arg(long, value_name = "FILE")]
    replay: PathBuf,
    /// TOML profile (markets and `[estimator]`); default: the embedded config/replay.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Which configured market to estimate (default: the first).
    #[arg(long)]
    coin: Option<String>,
    /// Binance symbol of a Binance recording (default: `<COIN>USDT`).
    #[arg(long)]
    symbol: Option<String>,
    /// Recorded seconds between two printed lines.
    #[arg(long, default_value_t = 5.0)]
    interval: f64,
    /// One JSON object per line (each interval, then the summary).
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct RecordArgs {
    /// Coin to record (repeat for several; HIP-3 names like hyna:HYPE work).
    #[arg(long = "coin", required = true)]
    coins: Vec<String>,
    /// Output file: `.gz` gzip, `.zst` zstd, anything else plain text.
    #[arg(long)]
    out: PathBuf,
    /// WebSocket endpoint.
    #[arg(long, default_value = MAINNET_WS_URL)]
    url: String,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long)]
    duration: Option<f64>,
}

/// Hyperliquid mainnet WebSocket (HYPERLIQUID.md).
const MAINNET_WS_URL: &str = "wss://api.hyperliquid.xyz/ws";
/// `record` without `--duration`: until Ctrl-C, at most a year.
const RECORD_FOREVER: Duration = Duration::from_secs(365 * 24 * 3600);

#[derive(clap::Args)]
struct BacktestArgs {
    /// Recordings (`<local_ns> <frame>` lines, .gz/.zst/plain; Hyperliquid, or Binance USD-M
    /// for the first market's `<COIN>USDT`), played in time order: `--replay A B` or
    /// `--replay A --replay B`. Default: the synthetic market.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    replay: Vec<PathBuf>,
    /// TOML profile; default: the embedded replay profile with --replay, else the paper one.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The model to judge (overrides quote.model); the baseline is always `static`.
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// Simulated seconds (a replay also ends with its recording); default engine.duration_s.
    #[arg(long)]
    duration: Option<f64>,
    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// A parameter grid: `KEY=V1,V2,…` by dotted config key (repeat for more axes, e.g.
    /// `--sweep quote.gamma_per_usd=0.1,0.5 --sweep venue.sim.order_latency_ms=1,5`); each
    /// point is the model against the baseline, the points run on all cores.
    #[arg(long, value_name = "KEY=V1,V2,...")]
    sweep: Vec<String>,
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
    /// Replay a recording (`<local_ns> <frame>` lines, .gz/.zst/plain) as the market,
    /// against the simulated exchange; the run ends with the recording.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// Replay speed: recorded seconds per second (e.g. 1, 10), or `max` (simulated clock,
    /// as fast as the machine goes; also for the synthetic market: `--duration` is then
    /// simulated seconds).
    #[arg(long, value_name = "X|max", default_value = "1")]
    speed: String,
    /// Quoting model (overrides quote.model): glft, glft_exact, avellaneda_stoikov, ho_stoll,
    /// cartea_jaimungal or static.
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// Live Hyperliquid market data from this WebSocket URL (paper trading: orders go to the
    /// simulated exchange), e.g. ws://127.0.0.1:PORT/ws for a local mock.
    #[arg(long, value_name = "URL", conflicts_with = "replay")]
    live: Option<String>,
    /// With `[venue.hyperliquid]`: sign every batch but send nothing (overrides `dry_run`).
    #[arg(long)]
    dry_run: bool,
}

/// How fast a replay runs.
enum Speed {
    Factor(f64),
    Max,
}

fn parse_speed(text: &str) -> Result<Speed, String> {
    if text == "max" {
        return Ok(Speed::Max);
    }
    match text.parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(Speed::Factor(x)),
        _ => Err(format!("--speed must be a positive number or `max`, got `{text}`")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Cmd::Run(args)) => run(args),
        Some(Cmd::Record(args)) => record(args),
        Some(Cmd::Backtest(args)) => backtest(args),
        Some(Cmd::Estimate(args)) => estimate(args),
        Some(Cmd::Model { model }) => hyperquote::calculators::model_output(&model).map(|out| print!("{out}")),
        Some(Cmd::Sim { sim }) => hyperquote::calculators::sim_output(&sim).map(|out| print!("{out}")),
        Some(Cmd::Ctl(args)) => hyperquote::ctl::run(&args).map(|out| print!("{out}")),
        None => run(RunArgs::default()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hyperquote: {message}");
            ExitCode::from(2)
        }
    }
}

/// Sets a flag on Ctrl-C (SIGINT) so long runs stop cleanly.
fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)) {
        tracing::warn!("Ctrl-C handler not installed: {e}");
    }
    stop
}

fn parse_model(name: &str) -> Result<ModelKind, String> {
    let names: Vec<&str> = ModelKind::ALL.iter().map(|k| k.name()).collect();
    ModelKind::parse(name).ok_or_else(|| format!("--model: unknown model `{name}` (known: {})", names.join(", ")))
}

fn backtest(args: BacktestArgs) -> Result<(), String> {
    use hyperquote::backtest::sweep::{render_sweep, sweep, SweepPlan};
    use hyperquote::backtest::{backtest, render_text, BacktestPlan};
    let (config_text, config_origin) = match (&args.config, !args.replay.is_empty()) {
        (Some(path), _) => (
            std::fs::read_to_string(path).map_err(|e| format!("cannot read config {}: {e}", path.display()))?,
            path.display().to_string(),
        ),
        (None, replay) => {
            let (text, origin) = if replay { EMBEDDED_REPLAY } else { EMBEDDED_PAPER };
            (text.to_string(), origin.to_string())
        }
    };
    let config = Config::parse(&config_text, &config_origin).map_err(|e| e.to_string())?;
    if config.venue.hyperliquid.is_some() {
        return Err("backtest runs against the simulated exchange: the config must not trade on Hyperliquid".into());
    }
    let model = match &args.model {
        Some(name) => parse_model(name)?,
        None => config.quote.model,
    };
    let duration_s = args.duration.unwrap_or(config.engine.duration_s);
    if !(duration_s > 0.0 && duration_s.is_finite()) {
        return Err(format!("--duration must be a positive number of seconds, got {duration_s}"));
    }
    let market = if args.replay.is_empty() {
        MarketChoice::Synthetic
    } else {
        // The simulated clock follows the recorded times.
        MarketChoice::Replay { paths: args.replay.clone(), speed: 1.0 }
    };
    let duration = Duration::from_secs_f64(duration_s);
    let _log_guard = hyperquote::logging::init(&config.logging);
    if !args.sweep.is_empty() {
        let axes = args.sweep.iter().map(|a| hyperquote::overrides::parse_axis(a)).collect::<Result<Vec<_>, _>>()?;
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let plan = SweepPlan { config_text, config_origin, axes, market, duration, model };
        let points = sweep(&plan, workers)?;
        if args.json {
            println!("{}", serde_json::json!({ "sweep": points }));
        } else {
            print!("{}", render_sweep(&points));
        }
        return Ok(());
    }
    let plan = BacktestPlan { config, market, duration, model };
    let report = backtest(&plan)?;
    if args.json {
        println!("{}", serde_json::to_string(&report).map_err(|e| format!("report: {e}"))?);
    } else {
        print!("{}", render_text(&report));
    }
    Ok(())
}

fn record(args: RecordArgs) -> Result<(), String> {
    let duration = match args.duration {
        Some(s) if s > 0.0 && s.is_finite() => Duration::from_secs_f64(s),
        Some(s) => return Err(format!("--duration must be a positive number of seconds, got {s}")),
        None => RECORD_FOREVER,
    };
    let _log_guard = hyperquote::logging::init(&hyperquote::config::LoggingSection::default());
    let stop = stop_on_ctrl_c();
    eprintln!(
        "hyperquote: recording {} from {} to {} (Ctrl-C stops)",
        args.coins.join(", "),
        args.url,
        args.out.display()
    );
    let summary =
        hyperquote::record::record(&args.url, &args.coins, &args.out, duration, &stop).map_err(|e| e.to_string())?;
    let json = serde_json::to_string(&summary).map_err(|e| format!("summary: {e}"))?;
    println!("{json}");
    Ok(())
}

fn estimate(args: EstimateArgs) -> Result<(), String> {
    use hyperquote::estimate::{estimate, format_line, format_summary, EstimateInput};
    if !(args.interval > 0.0 && args.interval.is_finite()) {
        return Err(format!("--interval must be a positive number of seconds, got {}", args.interval));
    }
    let config = match &args.config {
        Some(path) => Config::load(path),
        None => Config::embedded_replay(),
    }
    .map_err(|e| e.to_string())?;
    let _log_guard = hyperquote::logging::init(&config.logging);
    let input = EstimateInput {
        path: &args.replay,
        coin: args.coin.as_deref(),
        symbol: args.symbol.as_deref(),
        interval: engine::types::Nanos::from_secs_f64(args.interval),
    };
    let summary = estimate(&config, &input, |line| {
        if args.json {
            println!("{}", serde_json::to_string(line).unwrap_or_default());
        } else {
            println!("{}", format_line(line));
        }
    })
    .map_err(|e| e.to_string())?;
    if args.json {
        let line = serde_json::to_string(&summary).map_err(|e| format!("summary: {e}"))?;
        println!("{line}");
    } else {
        print!("{}", format_summary(&summary));
    }
    Ok(())
}

fn run(args: RunArgs) -> Result<(), String> {
    let config = match (&args.config, args.replay.is_some() || args.live.is_some()) {
        (Some(path), _) => Config::load(path),
        (None, true) => Config::embedded_replay(),
        (None, false) => Config::embedded_paper(),
    }
    .map_err(|e| e.to_string())?;
    let mut config = config;
    if let Some(name) = &args.model {
        config.quote.model = parse_model(name)?;
    }
    let speed = parse_speed(&args.speed)?;
    if let Some(section) = &config.venue.hyperliquid {
        if args.replay.is_some() || args.live.is_some() || matches!(speed, Speed::Max) {
            return Err(
                "[venue.hyperliquid] trades on the exchange's live market: no --replay, --live or --speed".into()
            );
        }
        // Checked when the config loaded; this only types it.
        let mut settings = section.settings().map_err(|(key, message)| format!("{key}: {message}"))?;
        settings.dry_run |= args.dry_run;
        return run_live(&args, &config, &settings);
    }
    if args.dry_run {
        return Err("--dry-run needs a config with [venue.hyperliquid] (e.g. config/live-hyperliquid.toml)".into());
    }
    let market = match (&args.replay, &args.live) {
        (_, Some(url)) => MarketChoice::Live { url: url.clone() },
        (Some(path), None) => MarketChoice::Replay {
            paths: vec![path.clone()],
            speed: match speed {
                Speed::Factor(x) => x,
                // The simulated clock follows the recorded times; "max" is how fast it turns.
                Speed::Max => 1.0,
            },
        },
        (None, None) => MarketChoice::Synthetic,
    };
    let duration_s = args.duration.unwrap_or(config.engine.duration_s);
    if !(duration_s > 0.0 && duration_s.is_finite()) {
        return Err(format!("--duration must be a positive number of seconds, got {duration_s}"));
    }
    let _log_guard = hyperquote::logging::init(&config.logging);
    let stop = stop_on_ctrl_c();
    let mut plan = RunPlan::from_config(&config, Duration::from_secs_f64(duration_s))?;
    plan.end_with_market = args.replay.is_some();
    // The discovery file is named after the config, so `ctl --config F` finds this engine.
    let discovery_key = match &args.config {
        Some(path) => DiscoveryKey::config_file(path),
        None if args.replay.is_some() || args.live.is_some() => DiscoveryKey::embedded("replay"),
        None => DiscoveryKey::embedded("paper"),
    };
    plan.admin = plan.admin.map(|admin| admin.with_discovery(&discovery_key));
    if let Some(url) = &args.live {
        let coins: Vec<String> = config.markets.iter().map(|m| m.coin.clone()).collect();
        let table = coin_table(&config).map_err(|e| e.to_string())?;
        plan.live_feed = Some((WsClientConfig::market_data(url, &coins), table));
    }
    let session_prefix = engine::types::UnixNanos::wall_clock().0 / 1_000_000;
    let actors = build_actors(&config, session_prefix, &market).map_err(|e| e.to_string())?;
    let coins: Vec<String> = plan.instruments.iter().map(|i| i.name.clone()).collect();
    let source = match (&args.replay, &args.live) {
        (_, Some(url)) => format!("live market data from {url}"),
        (Some(path), None) => format!("replay of {} at speed {}", path.display(), args.speed),
        (None, None) => "the synthetic market".to_string(),
    };
    eprintln!(
        "hyperquote: paper mode, {} on {source} + sim venue, up to {duration_s} s (Ctrl-C stops cleanly)",
        coins.join(", ")
    );
    let show = |p: &Progress| show_progress(&coins, p);
    if config.reference.is_some() && matches!(speed, Speed::Max) {
        eprintln!("hyperquote: the reference feed is live data: not used on the simulated clock of --speed max");
    }
    let mut summary = match (&args.live, speed) {
        (None, Speed::Max) => run_sequential(actors, plan.channel_capacity, &plan.instruments, plan.duration),
        (Some(_), Speed::Max) => return Err("--speed max needs a replay or the synthetic market, not --live".into()),
        (_, Speed::Factor(x)) if args.replay.is_none() && x != 1.0 => {
            return Err("--speed X is a replay speed; the synthetic market runs at 1 or max".into())
        }
        _ => run_threaded(actors, &plan, &stop, show).map_err(|e| e.to_string())?,
    };
    if args.replay.is_some() {
        summary.mode = "replay";
    }
    print_summary(&summary, args.json)
}

fn show_progress(coins: &[String], p: &Progress) {
    let positions: Vec<String> = coins.iter().zip(&p.positions).map(|(c, q)| format!("{c} {q:+.5}")).collect();
    eprintln!(
        "[{:>5.1}s] fills {:>4}  net {:+.4} USD  live orders {:>2}  inventory {}",
        p.elapsed_s,
        p.fills,
        p.net_pnl_usd,
        p.live_orders,
        positions.join("  ")
    );
}

fn print_summary(summary: &hyperquote::summary::RunSummary, json: bool) -> Result<(), String> {
    if json {
        let json = serde_json::to_string(summary).map_err(|e| format!("summary: {e}"))?;
        println!("{json}");
    } else {
        print!("{}", summary.render_text());
    }
    Ok(())
}

/// Trading on Hyperliquid (`[venue.hyperliquid]`): start-of-session reconciliation, then
/// the threaded run with the live venue, until the duration or Ctrl-C.
fn run_live(args: &RunArgs, config: &Config, settings: &hyperquote::live::HyperliquidSettings) -> Result<(), String> {
    let duration_s = args.duration.unwrap_or(config.engine.duration_s);
    if !(duration_s > 0.0 && duration_s.is_finite()) {
        return Err(format!("--duration must be a positive number of seconds, got {duration_s}"));
    }
    let _log_guard = hyperquote::logging::init(&config.logging);
    let stop = stop_on_ctrl_c();
    let mut plan = RunPlan::from_config(config, Duration::from_secs_f64(duration_s))?;
    let discovery_key = match &args.config {
        Some(path) => DiscoveryKey::config_file(path),
        None => DiscoveryKey::embedded("live"),
    };
    plan.admin = plan.admin.map(|admin| admin.with_discovery(&discovery_key));
    let session_prefix = engine::types::UnixNanos::wall_clock().0 / 1_000_000;
    let session = hyperquote::live::prepare(config, settings, &mut plan, session_prefix).map_err(|e| e.to_string())?;
    let coins: Vec<String> = plan.instruments.iter().map(|i| i.name.clone()).collect();
    eprintln!(
        "hyperquote: {} on Hyperliquid {:?}{}, {}, up to {duration_s} s (Ctrl-C stops cleanly)",
        if settings.dry_run { "DRY RUN (signing, sending nothing)" } else { "LIVE TRADING" },
        settings.network,
        format_args!(" via {}", settings.ws_url),
        coins.join(", "),
    );
    for note in &session.notes {
        eprintln!("hyperquote: {note}");
    }
    let show = |p: &Progress| show_progress(&coins, p);
    let mut summary =
        run_threaded_with(session.actors, &plan, session.drivers, &stop, show).map_err(|e| e.to_string())?;
    summary.mode = if settings.dry_run { "dry-run" } else { "live" };
    print_summary(&summary, args.json)
}
