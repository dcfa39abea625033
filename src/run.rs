//! Running the engine: paper mode under the threaded runtime (wall clock), or the same
//! actors under the sequential runtime (simulated clock, deterministic).
//!
//! Clean stop, whatever ends the run (duration, Ctrl-C): RiskActor goes HALTED, which
//! cancels every order; the run waits for the venue to confirm (bounded), has OrderActor
//! clear the dead man's switch (`Msg::Shutdown`) and waits for that too, then stops the
//! threads and builds the summary from the actors they hand back.

use crate::admin::{AdminPlan, AdminServer, BoundAdmin, EngineInfo};
use crate::config::Config;
use crate::summary::RunSummary;
use crate::wiring::instruments;
use actors::control::Command;
use actors::report::{ActorReport, FillSummary};
use actors::runtime::{HostedDriver, SequentialRuntime, ThreadSpec, ThreadedRuntime};
use actors::venues::hyperliquid::live_feed::LiveFeed;
use actors::venues::hyperliquid::ws_client::WsClientConfig;
use actors::venues::reference_feed::ReferenceFeed;
use actors::{Actor, ActorId};
use engine::backtest::EquityStats;
use engine::hyperliquid::CoinTable;
use engine::instrument::Instrument;
use engine::risk::TradingState;
use engine::types::{CoinId, Nanos};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// How long a control request may take before the caller gives up on it.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(1);
/// How long shutdown waits for the venue to confirm the cancels.
const CANCEL_ALL_TIMEOUT: Duration = Duration::from_secs(3);
/// How often a replay run asks the venue whether its recording has ended.
const MARKET_END_POLL: Duration = Duration::from_millis(100);
/// Simulated time between two looks at whether a sequential run's market has ended.
const SEQUENTIAL_STEP: Nanos = Nanos::from_millis(1_000);
/// Simulated time the sequential runtime gives the cancels to settle after the halt.
const SEQUENTIAL_SETTLE: Nanos = Nanos::from_millis(1_000);

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("runtime: {0}")]
    Runtime(#[from] actors::runtime::RuntimeError),
    #[error(transparent)]
    Admin(#[from] crate::admin::AdminError),
}

/// A progress line's facts.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub elapsed_s: f64,
    pub fills: u64,
    pub net_pnl_usd: f64,
    pub live_orders: usize,
    pub positions: Vec<f64>,
}

fn halt(reason: &str) -> Command {
    Command::SetTradingState { state: TradingState::Halted, reason: reason.to_string() }
}

/// How a threaded run is laid out and how long it lasts.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub layout: Vec<ThreadSpec>,
    pub channel_capacity: usize,
    pub instruments: Vec<Instrument>,
    pub duration: Duration,
    pub progress_interval: Duration,
    /// End the run when the venue's market source ends (a replay).
    pub end_with_market: bool,
    /// Live market data from a WebSocket feed, read on the thread of `market_data_to`.
    pub live_feed: Option<(WsClientConfig, CoinTable)>,
    /// Who takes live market data first: the simulated venue in paper mode (it fills
    /// against it, then hands it on), FeedActor when the venue is the real exchange.
    pub market_data_to: ActorId,
    /// A reference venue's tickers (base URL, symbol → coin) for the estimator.
    pub reference_feed: Option<(String, Vec<(String, CoinId)>)>,
    /// The admin API, served while the run lasts (`[admin]`).
    pub admin: Option<AdminPlan>,
}

impl RunPlan {
    /// The plan a validated config describes, for `duration`.
    pub fn from_config(config: &Config, duration: Duration) -> Result<RunPlan, String> {
        Ok(RunPlan {
            layout: config.thread_layout().map_err(|(key, message)| format!("{key}: {message}"))?,
            channel_capacity: config.runtime.channel_capacity,
            instruments: instruments(config),
            duration,
            progress_interval: Duration::from_secs_f64(config.engine.progress_interval_s),
            end_with_market: false,
            live_feed: None,
            market_data_to: ActorId::Venue,
            reference_feed: config.reference.as_ref().map(|r| (r.url.clone(), config.reference_symbols())),
            admin: config.admin.clone().map(AdminPlan::new),
        })
    }
}

/// Runs `actors` on threads for the plan's duration, or until `stop` is set (Ctrl-C).
pub fn run_threaded(
    actors: Vec<Box<dyn Actor>>,
    plan: &RunPlan,
    stop: &AtomicBool,
    on_progress: impl FnMut(&Progress),
) -> Result<RunSummary, RunError> {
    run_threaded_with(actors, plan, Vec::new(), stop, on_progress)
}

/// [`run_threaded`] with more socket drivers on the actors' threads (the live exchange's).
pub fn run_threaded_with(
    actors: Vec<Box<dyn Actor>>,
    plan: &RunPlan,
    mut drivers: Vec<HostedDriver>,
    stop: &AtomicBool,
    mut on_progress: impl FnMut(&Progress),
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    // Live market data is read on the thread of the node that owns the market, which
    // hands it on to the feed.
    let live_feed = plan.live_feed.as_ref().map(|(config, coins)| {
        let (feed, driver) = LiveFeed::hosted(config.clone(), coins.clone(), plan.market_data_to, ActorId::Feed);
        drivers.push(driver);
        feed
    });
    // Reference tickers are read on the estimator's thread, which is where they are used.
    let reference_feed = plan.reference_feed.as_ref().map(|(url, symbols)| {
        let (feed, driver) = ReferenceFeed::hosted(url, symbols.clone(), ActorId::Estimator);
        drivers.push(driver);
        feed
    });
    // The admin socket is bound (and its token read) before any actor starts; if serving
    // still fails, the run stops at once, cleanly, and reports why.
    let admin = plan.admin.as_ref().map(AdminPlan::bind).transpose()?;
    let runtime = ThreadedRuntime::start_with_drivers(actors, &plan.layout, plan.channel_capacity, drivers)?;
    let (mut admin, admin_failed) = match admin.map(|bound| start_admin(bound, &runtime, plan, started)).transpose() {
        Ok(admin) => (admin, None),
        Err(e) => (None, Some(e)),
    };
    let deadline = started + plan.duration;
    let progress_interval = plan.progress_interval;
    let mut next_progress = started + progress_interval;
    let mut next_market_check = started;
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) && admin_failed.is_none() {
        std::thread::sleep(Duration::from_millis(10).min(deadline.saturating_duration_since(Instant::now())));
        if Instant::now() >= next_progress {
            next_progress += progress_interval;
            on_progress(&progress(&runtime, started));
        }
        if plan.end_with_market && Instant::now() >= next_market_check {
            next_market_check += MARKET_END_POLL;
            if let Some(ActorReport::Venue(v)) = runtime.report(ActorId::Venue, CONTROL_TIMEOUT) {
                if v.market_ended {
                    break;
                }
            }
        }
    }
    if runtime.command(ActorId::Risk, halt("shutdown"), CONTROL_TIMEOUT).is_none() {
        tracing::warn!("risk actor did not answer the halt in time");
    }
    let cancel_deadline = Instant::now() + CANCEL_ALL_TIMEOUT;
    loop {
        let live = match runtime.report(ActorId::Order, CONTROL_TIMEOUT) {
            Some(ActorReport::Order(r)) => r.live_orders,
            _ => usize::MAX,
        };
        if live == 0 {
            break;
        }
        if Instant::now() >= cancel_deadline {
            tracing::warn!(live_orders = live, "orders still live at shutdown");
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    clear_dead_mans_switch(&runtime);
    if let Some(admin) = admin.as_mut() {
        admin.stop();
    }
    if let Some(e) = admin_failed {
        runtime.stop();
        return Err(e.into());
    }
    let elapsed_s = started.elapsed().as_secs_f64();
    let counters = runtime.counters().clone();
    let slots = runtime.stop();
    let mut summary = RunSummary::from_slots("threaded", elapsed_s, &plan.instruments, &slots, &counters);
    summary.live_feed = live_feed.map(|f| f.summary());
    summary.reference_feed = reference_feed.map(|f| f.summary());
    Ok(summary)
}

/// Serves the admin API on the engine's actors and announces where (stderr, discovery file).
fn start_admin(
    bound: BoundAdmin,
    runtime: &ThreadedRuntime,
    plan: &RunPlan,
    started: Instant,
) -> Result<AdminServer, crate::admin::AdminError> {
    let since_clock_zero = Duration::from_nanos(runtime.now().0);
    let info = EngineInfo {
        coins: plan.instruments.iter().map(|i| i.name.clone()).collect(),
        config_origin: plan.admin.as_ref().map(|a| a.config_origin.clone()).unwrap_or_default(),
        started,
        clock_zero_wall: SystemTime::now().checked_sub(since_clock_zero).unwrap_or(SystemTime::UNIX_EPOCH),
    };
    let server = bound.serve(runtime.control_client(), info)?;
    let found = server.discovery_file().map(|f| format!(" (`hyperquote ctl` finds it through {})", f.display()));
    eprintln!("hyperquote: admin API on http://{}{}", server.addr(), found.unwrap_or_default());
    tracing::info!(addr = %server.addr(), "admin API serving");
    Ok(server)
}

/// After the cancel-all: OrderActor clears the venue's scheduled cancel (or, with orders still
/// live, leaves it to cancel them); waits, bounded, until the switch has settled.
fn clear_dead_mans_switch(runtime: &ThreadedRuntime) {
    if !runtime.inject(ActorId::Order, actors::msg::Msg::Shutdown) {
        tracing::warn!("could not tell the order actor to clear the dead man's switch");
        return;
    }
    let deadline = Instant::now() + CANCEL_ALL_TIMEOUT;
    loop {
        if let Some(ActorReport::Order(r)) = runtime.report(ActorId::Order, CONTROL_TIMEOUT) {
            if r.dead_mans_switch.is_settled() {
                return;
            }
        }
        if Instant::now() >= deadline {
            tracing::warn!("the venue did not confirm clearing the dead man's switch");
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn progress(runtime: &ThreadedRuntime, started: Instant) -> Progress {
    let mut p = Progress { elapsed_s: started.elapsed().as_secs_f64(), ..Progress::default() };
    if let Some(ActorReport::Fill(f)) = runtime.report(ActorId::Fill, CONTROL_TIMEOUT) {
        for c in &f.coins {
            p.fills += c.pnl.fills;
            p.net_pnl_usd += c.pnl.net_pnl_usd;
            p.positions.push(c.pnl.position_base);
        }
    }
    if let Some(ActorReport::Order(o)) = runtime.report(ActorId::Order, CONTROL_TIMEOUT) {
        p.live_orders = o.live_orders;
    }
    p
}

/// Runs `actors` on the caller's thread in simulated time for `duration` (or until the
/// market source ends), then halts and lets the cancels settle. Deterministic for the same
/// actors and seed.
pub fn run_sequential(
    actors: Vec<Box<dyn Actor>>,
    channel_capacity: usize,
    instruments: &[Instrument],
    duration: Duration,
) -> RunSummary {
    run_sequential_observed(actors, channel_capacity, instruments, duration, |_, _| {})
}

/// The account's PnL so far, all coins: realized + unrealized − fees + funding.
pub fn equity_usd(fills: &FillSummary) -> f64 {
    fills.coins.iter().map(|c| c.pnl.net_pnl_usd + c.funding_usd).sum()
}

/// [`run_sequential`], handing `each_second` the runtime after every simulated second with
/// the time (a backtest samples its paths from the actors' reports).
pub fn run_sequential_observed(
    actors: Vec<Box<dyn Actor>>,
    channel_capacity: usize,
    instruments: &[Instrument],
    duration: Duration,
    mut each_second: impl FnMut(Nanos, &SequentialRuntime),
) -> RunSummary {
    let mut runtime = SequentialRuntime::new(actors, channel_capacity);
    let limit = Nanos(duration.as_nanos() as u64);
    let mut equity = EquityStats::new(SEQUENTIAL_STEP.as_secs_f64());
    // The path starts from the equity before the first event.
    if let Some(ActorReport::Fill(fills)) = runtime.report(ActorId::Fill) {
        equity.push(equity_usd(&fills));
    }
    // In steps of simulated time, so a replay ends with its recording even while timers
    // (the dead man's switch's refreshes) would keep the clock turning.
    let mut horizon = Nanos::ZERO;
    let end = loop {
        horizon = (horizon + SEQUENTIAL_STEP).min(limit);
        let reached = runtime.run_while_due(horizon);
        if let Some(ActorReport::Fill(fills)) = runtime.report(ActorId::Fill) {
            equity.push(equity_usd(&fills));
        }
        each_second(horizon, &runtime);
        let market_ended = matches!(runtime.report(ActorId::Venue), Some(ActorReport::Venue(v)) if v.market_ended);
        if market_ended || horizon >= limit {
            break reached;
        }
    };
    runtime.command(ActorId::Risk, &halt("end of run"));
    // Half the settling time for the cancels, half for clearing the dead man's switch.
    runtime.run_until(end + Nanos(SEQUENTIAL_SETTLE.0 / 2));
    runtime.inject(ActorId::Order, actors::msg::Msg::Shutdown);
    runtime.run_until(end + SEQUENTIAL_SETTLE);
    let counters = runtime.counters().clone();
    let elapsed_s = runtime.now().as_secs_f64();
    let slots = runtime.into_slots();
    let mut summary = RunSummary::from_slots("sequential", elapsed_s, instruments, &slots, &counters);
    summary.equity = Some(equity.summary());
    summary
}
