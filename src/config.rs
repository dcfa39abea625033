//! Engine configuration: TOML profiles with the unit in every key name.
//!
//! Unknown keys are refused (a typo must not silently fall back to a default), and every
//! value is checked at start; an error names the key, e.g.
//! `markets[1].max_position_base: must be a positive number, got -1`.

use crate::overrides::{apply, Override};
use actors::runtime::{one_thread_per_actor, ThreadSpec, WaitStrategy};
use actors::ActorId;
use engine::calibration::CalibrationConfig;
use engine::estimator::{CoinEstimators, EstimatorConfig};
use engine::market::synthetic::SyntheticCoinConfig;
use engine::quote::QuoteConfig;
use engine::risk::{AccountRiskLimits, AddressBudget, CoinRiskLimits, RiskLimits, TradingState};
use engine::sim::SimVenueConfig;
use engine::types::{CoinId, MAX_COINS};
use serde::Deserialize;
use std::path::Path;

/// The default profile, compiled in so `hyperquote run` works from any directory.
pub const EMBEDDED_PAPER_TOML: &str = include_str!("../config/paper.toml");
/// The default profile of `run --replay`: Hyperliquid's real BTC and ETH perps.
pub const EMBEDDED_REPLAY_TOML: &str = include_str!("../config/replay.toml");
/// The embedded profiles' text and the name errors give them.
pub const EMBEDDED_PAPER: (&str, &str) = (EMBEDDED_PAPER_TOML, "embedded config/paper.toml");
pub const EMBEDDED_REPLAY: (&str, &str) = (EMBEDDED_REPLAY_TOML, "embedded config/replay.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub engine: EngineSection,
    #[serde(default)]
    pub logging: LoggingSection,
    pub feed: FeedSection,
    #[serde(default)]
    pub estimator: EstimatorConfig,
    pub quote: QuoteConfig,
    /// Scoring of the quote path's predictions: report interval, alert thresholds, priors,
    /// poor-edge widening (off by default).
    #[serde(default)]
    pub calibration: CalibrationConfig,
    pub risk: RiskSection,
    pub venue: VenueSection,
    /// A reference venue whose mid the estimator tracks as a lead signal (optional).
    #[serde(default)]
    pub reference: Option<ReferenceSection>,
    pub markets: Vec<MarketSection>,
    #[serde(default)]
    pub runtime: RuntimeSection,
    /// The admin API (`hyperquote ctl`); absent: no admin server.
    #[serde(default)]
    pub admin: Option<crate::admin::AdminConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSection {
    /// Run length when `--duration` is not given.
    pub duration_s: f64,
    /// Seed of the synthetic market (same seed, same market).
    pub seed: u64,
    /// How often `run` prints a progress line.
    pub progress_interval_s: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSection {
    /// A coin with no accepted book update for this long is stale: Risk pulls its quotes.
    pub stale_after_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingSection {
    pub format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `actors=debug,info`.
    pub level: String,
}

impl Default for LoggingSection {
    fn default() -> Self {
        Self { format: LogFormat::Text, level: "info".into() }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskSection {
    /// Trading state at start.
    pub trading_state: TradingState,
    /// `[risk.limits]`: the account-wide limits; each key left out takes its default
    /// (`AccountRiskLimits`). The per-coin limits are in `[[markets]]`.
    #[serde(default)]
    pub limits: AccountRiskLimits,
    /// `[risk.address]`: the address's request budget standing at start (Hyperliquid info
    /// `userRateLimit`: `requests_used` = nRequestsUsed, `cum_volume_usd` = cumVlm).
    #[serde(default)]
    pub address: AddressBudget,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueSection {
    /// Exchange time of the simulation's start, ms since the Unix epoch (default
    /// 2026-01-01T00:00:00Z; a live venue runs on the wall clock instead).
    #[serde(default = "default_start_unix_ms")]
    pub start_unix_ms: u64,
    /// The simulated exchange (default: Hyperliquid base-tier fees, 5 ms latencies); unused
    /// with `[venue.hyperliquid]`.
    #[serde(default)]
    pub sim: SimVenueConfig,
    /// The venue's scheduled cancel-all, kept ahead by OrderActor; off when absent.
    #[serde(default)]
    pub dead_mans_switch: engine::order::DeadMansSwitchConfig,
    /// Trade on Hyperliquid itself (`[venue.hyperliquid]`); absent: the simulated exchange.
    #[serde(default)]
    pub hyperliquid: Option<crate::live::HyperliquidSection>,
}

fn default_start_unix_ms() -> u64 {
    1_767_225_600_000
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSection {
    pub coin: String,
    pub sz_decimals: u32,
    pub min_notional_usd: f64,
    /// Size of each quoted level.
    pub order_size_base: f64,
    /// Largest absolute position (risk limit; also the inventory-skew scale).
    pub max_position_base: f64,
    /// Largest single order (risk limit).
    pub max_order_size_base: f64,
    /// Soft position limit: at |position| ≥ it the side that adds is dropped (default: none).
    #[serde(default)]
    pub soft_position_base: Option<f64>,
    /// Hard and soft position limits in notional (|position|·mid), USD (default: none).
    #[serde(default)]
    pub max_position_usd: Option<f64>,
    #[serde(default)]
    pub soft_position_usd: Option<f64>,
    /// Largest single order in USD (default: none).
    #[serde(default)]
    pub max_order_usd: Option<f64>,
    /// Volume-clock bucket size for this coin (a bucket should hold tens of trades);
    /// default `estimator.volume_clock.bucket_volume_base`.
    #[serde(default)]
    pub volume_bucket_base: Option<f64>,
    /// The reference venue's symbol for this coin (e.g. `BTCUSDT`), when `[reference]` is set.
    #[serde(default)]
    pub reference_symbol: Option<String>,
    /// The coin's synthetic market; needed unless the run replays a recording.
    pub synthetic: Option<SyntheticCoinConfig>,
}

/// Binance USD-M `bookTicker` streams as the reference venue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSection {
    /// Base WebSocket URL, e.g. `wss://fstream.binance.com`; the streams are appended.
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeSection {
    /// Capacity of each thread's inbox and of each actor's lossy queue.
    pub channel_capacity: usize,
    /// Wait strategy of the default layout (one thread per actor, unpinned).
    pub wait: WaitStrategy,
    /// Explicit thread layout; when absent, one thread per actor.
    pub threads: Option<Vec<ThreadSection>>,
}

impl Default for RuntimeSection {
    fn default() -> Self {
        Self { channel_capacity: 1024, wait: WaitStrategy::Park, threads: None }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadSection {
    pub name: String,
    pub actors: Vec<String>,
    /// Core id to pin to (see `lscpu`); omitted: unpinned.
    pub core: Option<usize>,
    pub wait: WaitStrategy,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("config {origin}: {source}")]
    Parse { origin: String, source: Box<toml::de::Error> },
    #[error("config {origin}: {key}: {message}")]
    Invalid { origin: String, key: String, message: String },
}

fn positive(key: &str, value: f64) -> Result<(), (String, String)> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err((key.to_string(), format!("must be a positive number, got {value}")))
    }
}

impl Config {
    /// Loads and validates a profile file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
        Config::parse(&text, &path.display().to_string())
    }

    /// The embedded default: paper mode on the built-in synthetic market.
    pub fn embedded_paper() -> Result<Config, ConfigError> {
        Config::parse(EMBEDDED_PAPER.0, EMBEDDED_PAPER.1)
    }

    /// The embedded default for replays of recorded Hyperliquid data.
    pub fn embedded_replay() -> Result<Config, ConfigError> {
        Config::parse(EMBEDDED_REPLAY.0, EMBEDDED_REPLAY.1)
    }

    /// Parses and validates TOML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        Config::parse_with(text, origin, &[])
    }

    /// [`Config::parse`] with `overrides` set in the TOML first (`backtest --sweep`), so
    /// they pass the same checks as values written in the file.
    pub fn parse_with(text: &str, origin: &str, overrides: &[Override]) -> Result<Config, ConfigError> {
        let parse_error = |e| ConfigError::Parse { origin: origin.to_string(), source: Box::new(e) };
        let config: Config = if overrides.is_empty() {
            // Straight from the text: errors point at the line.
            toml::from_str(text).map_err(parse_error)?
        } else {
            let mut table: toml::Table = text.parse().map_err(parse_error)?;
            for o in overrides {
                apply(&mut table, o).map_err(|message| ConfigError::Invalid {
                    origin: origin.to_string(),
                    key: o.key.clone(),
                    message,
                })?;
            }
            toml::Value::Table(table).try_into().map_err(parse_error)?
        };
        config.validate().map_err(|(key, message)| ConfigError::Invalid {
            origin: origin.to_string(),
            key,
            message,
        })?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), (String, String)> {
        positive("engine.duration_s", self.engine.duration_s)?;
        positive("engine.progress_interval_s", self.engine.progress_interval_s)?;
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.logging.level) {
            return Err(("logging.level".into(), e.to_string()));
        }
        if self.feed.stale_after_ms == 0 {
            return Err(("feed.stale_after_ms".into(), "must be at least 1".into()));
        }
        self.quote.validate().map_err(|e| ("quote".to_string(), e.to_string()))?;
        self.calibration.validate().map_err(|e| (format!("calibration.{}", e.key), e.to_string()))?;
        self.venue.sim.validate().map_err(|e| ("venue.sim".to_string(), e.to_string()))?;
        let dead_mans_switch = self.venue.dead_mans_switch.validate();
        dead_mans_switch.map_err(|e| ("venue.dead_mans_switch".to_string(), e.to_string()))?;
        if self.markets.is_empty() || self.markets.len() > MAX_COINS {
            return Err(("markets".into(), format!("need 1..={MAX_COINS} markets, got {}", self.markets.len())));
        }
        for (i, m) in self.markets.iter().enumerate() {
            let key = |field: &str| format!("markets[{i}].{field}");
            if m.coin.trim().is_empty() {
                return Err((key("coin"), "must not be empty".into()));
            }
            if self.markets[..i].iter().any(|other| other.coin == m.coin) {
                return Err((key("coin"), format!("`{}` is listed twice", m.coin)));
            }
            if m.sz_decimals > 8 {
                return Err((key("sz_decimals"), format!("must be 0..=8, got {}", m.sz_decimals)));
            }
            positive(&key("min_notional_usd"), m.min_notional_usd)?;
            positive(&key("order_size_base"), m.order_size_base)?;
            positive(&key("max_position_base"), m.max_position_base)?;
            positive(&key("max_order_size_base"), m.max_order_size_base)?;
            if m.max_order_size_base > m.max_position_base {
                return Err((
                    key("max_order_size_base"),
                    format!("{} exceeds max_position_base {}", m.max_order_size_base, m.max_position_base),
                ));
            }
            if let Some(base) = m.volume_bucket_base {
                positive(&key("volume_bucket_base"), base)?;
            }
            // Building a coin's estimators checks every estimator setting, with its key.
            CoinEstimators::new(CoinId(i as u8), &self.estimator, m.volume_bucket_base)
                .map_err(|e| (format!("estimator.{}", e.key), e.message))?;
            if let Some(synthetic) = &m.synthetic {
                synthetic.validate(i).map_err(|e| (key("synthetic"), e.to_string()))?;
            }
        }
        // The risk limits as a whole (soft ≤ hard, positive, finite, …), keys as in the file.
        self.risk_limits().validate().map_err(|e| (self.risk_key(&e.field), e.message))?;
        if let Some(reference) = &self.reference {
            if !(reference.url.starts_with("ws://") || reference.url.starts_with("wss://")) {
                return Err((
                    "reference.url".into(),
                    format!("must be a ws:// or wss:// URL, got `{}`", reference.url),
                ));
            }
            if self.markets.iter().all(|m| m.reference_symbol.is_none()) {
                return Err(("reference".into(), "no market names a reference_symbol".into()));
            }
        }
        if let Some(admin) = &self.admin {
            admin.validate()?;
        }
        if let Some(hyperliquid) = &self.venue.hyperliquid {
            hyperliquid.settings()?;
        }
        if self.runtime.channel_capacity == 0 {
            return Err(("runtime.channel_capacity".into(), "must be at least 1".into()));
        }
        self.thread_layout()?;
        Ok(())
    }

    /// The risk limits: `[risk.limits]` account-wide, each market's own from `[[markets]]`.
    pub fn risk_limits(&self) -> RiskLimits {
        let coins = self
            .markets
            .iter()
            .map(|m| CoinRiskLimits {
                coin: m.coin.clone(),
                max_position_base: m.max_position_base,
                soft_position_base: m.soft_position_base,
                max_position_usd: m.max_position_usd,
                soft_position_usd: m.soft_position_usd,
                max_order_size_base: m.max_order_size_base,
                max_order_usd: m.max_order_usd,
            })
            .collect();
        RiskLimits { account: self.risk.limits, coins }
    }

    /// The config key of a risk-limits field: `soft_position_base.BTC` →
    /// `markets[i].soft_position_base`, `max_drawdown_usd` → `risk.limits.max_drawdown_usd`.
    fn risk_key(&self, field: &str) -> String {
        if field == "coins" {
            return "markets".into();
        }
        match field.split_once('.') {
            Some((name, coin)) => match self.markets.iter().position(|m| m.coin == coin) {
                Some(i) => format!("markets[{i}].{name}"),
                None => field.to_string(),
            },
            None => format!("risk.limits.{field}"),
        }
    }

    /// The reference venue's symbols with the coin each stands for.
    pub fn reference_symbols(&self) -> Vec<(String, CoinId)> {
        let coins = self.markets.iter().enumerate();
        coins.filter_map(|(i, m)| m.reference_symbol.clone().map(|s| (s, CoinId(i as u8)))).collect()
    }

    /// The thread layout: explicit, or one thread per node with the default wait strategy.
    pub fn thread_layout(&self) -> Result<Vec<ThreadSpec>, (String, String)> {
        let Some(threads) = &self.runtime.threads else {
            return Ok(one_thread_per_actor(&ActorId::ALL, self.runtime.wait));
        };
        let mut layout = Vec::with_capacity(threads.len());
        for (t, spec) in threads.iter().enumerate() {
            let mut ids = Vec::with_capacity(spec.actors.len());
            for name in &spec.actors {
                let id = ActorId::parse(name).ok_or_else(|| {
                    let known: Vec<&str> = ActorId::ALL.iter().map(|a| a.name()).collect();
                    (
                        format!("runtime.threads[{t}].actors"),
                        format!("unknown actor `{name}` (known: {})", known.join(", ")),
                    )
                })?;
                ids.push(id);
            }
            layout.push(ThreadSpec { name: spec.name.clone(), actors: ids, core: spec.core, wait: spec.wait });
        }
        actors::runtime::validate(&layout, &ActorId::ALL)
            .map_err(|e| ("runtime.threads".to_string(), e.to_string()))?;
        Ok(layout)
    }
}

#[cfg(test)]
mod risk_tests {
    use super::*;

    fn refused_key(text: &str) -> String {
        match Config::parse(text, "test") {
            Ok(_) => panic!("accepted a bad config"),
            Err(ConfigError::Invalid { key, .. }) => key,
            Err(e) => panic!("not a validation error: {e}"),
        }
    }

    #[test]
    fn risk_limits_come_from_risk_limits_and_markets_with_defaults() {
        let c = Config::embedded_paper().unwrap();
        let limits = c.risk_limits();
        assert_eq!(limits.coins.len(), 2);
        assert_eq!((limits.coins[0].coin.as_str(), limits.coins[0].soft_position_base), ("SYN-BTC", Some(0.0015)));
        assert_eq!(limits.account.request_budget_initial, 10_000);
        // Without [risk.limits] and the optional market keys, the defaults apply.
        let bare = EMBEDDED_PAPER_TOML
            .replace("[risk.limits]", "[unused_limits]")
            .replace("soft_position_base = 0.0015", "")
            .replace("soft_position_base = 0.045", "");
        let stripped: String = bare
            .lines()
            .scan(false, |skipping, line| {
                if line.starts_with('[') {
                    *skipping = line.starts_with("[unused_limits]");
                }
                Some(if *skipping { "" } else { line })
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = Config::parse(&stripped, "test").unwrap();
        assert_eq!(c.risk.limits, AccountRiskLimits::default());
        assert_eq!(c.risk_limits().coins[1].soft_position_base, None);
    }

    #[test]
    fn invalid_risk_limits_name_the_config_key() {
        let soft_above_hard = EMBEDDED_PAPER_TOML.replace("soft_position_base = 0.045", "soft_position_base = 0.5");
        assert_eq!(refused_key(&soft_above_hard), "markets[1].soft_position_base");
        let negative = EMBEDDED_PAPER_TOML.replace("max_drawdown_usd = 50.0", "max_drawdown_usd = -5.0");
        assert_eq!(refused_key(&negative), "risk.limits.max_drawdown_usd");
        let zero = EMBEDDED_PAPER_TOML.replace("new_orders_burst = 100", "new_orders_burst = 0");
        assert_eq!(refused_key(&zero), "risk.limits.new_orders_burst");
    }
}
