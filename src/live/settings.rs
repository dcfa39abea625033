//! `[venue.hyperliquid]`: trading on Hyperliquid itself. With this section `run --config`
//! sends signed orders to the exchange instead of the simulator (or, `dry_run`, signs them
//! and sends nothing); live market data comes from the same venue.

use super::start_reconcile::OnPositionMismatch;
use actors::journal::Durability;
use actors::venues::hyperliquid::exchange::{KeySource, Network, DEFAULT_KEY_ENV};
use engine::hyperliquid::Address;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkChoice {
    Mainnet,
    Testnet,
}

/// How often the journal reaches the disk (see `actors::journal::Durability`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum JournalDurability {
    /// `fdatasync` per record: a power cut loses nothing acknowledged.
    EveryRecord,
    /// `fdatasync` at most every `journal_group_commit_ms`: a power cut loses at most that.
    #[default]
    GroupCommit,
    /// No sync: survives a process kill, not a power cut (tests).
    Never,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HyperliquidSection {
    pub network: NetworkChoice,
    /// e.g. `wss://api.hyperliquid-testnet.xyz/ws`: market data, user channels, posted actions.
    pub ws_url: String,
    /// e.g. `https://api.hyperliquid-testnet.xyz`: `/info` at start, `/exchange` as fallback.
    pub rest_url: String,
    /// The signing key: a file holding the hex key (refused if group- or world-readable)…
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// …or an environment variable (default `HYPERQUOTE_HL_PRIVATE_KEY` when neither is set).
    #[serde(default)]
    pub key_env: Option<String>,
    /// The account an agent (API) wallet trades for; absent: the key's own address.
    #[serde(default)]
    pub account: Option<String>,
    /// A vault or subaccount to trade for.
    #[serde(default)]
    pub vault: Option<String>,
    /// The journal file: appended while trading, replayed at start.
    pub journal_path: PathBuf,
    #[serde(default)]
    pub journal_durability: JournalDurability,
    #[serde(default = "default_group_commit_ms")]
    pub journal_group_commit_ms: u64,
    /// Sign every batch but send nothing (the venue acknowledges locally).
    #[serde(default)]
    pub dry_run: bool,
    /// A posted action unanswered this long is given up (its orders are then queried).
    #[serde(default = "default_post_timeout_ms")]
    pub post_timeout_ms: u64,
    /// What a position the fills cannot explain does at start.
    #[serde(default)]
    pub on_position_mismatch: OnPositionMismatch,
}

fn default_group_commit_ms() -> u64 {
    10
}

fn default_post_timeout_ms() -> u64 {
    5_000
}

/// The section's values, checked and typed.
#[derive(Debug, Clone)]
pub struct HyperliquidSettings {
    pub network: Network,
    pub ws_url: String,
    pub rest_url: String,
    pub key: KeySource,
    pub account: Option<Address>,
    pub vault: Option<Address>,
    pub journal_path: PathBuf,
    pub durability: Durability,
    pub dry_run: bool,
    pub post_timeout: Duration,
    pub on_position_mismatch: OnPositionMismatch,
}

impl HyperliquidSection {
    /// Checks every value; the error names the key.
    pub fn settings(&self) -> Result<HyperliquidSettings, (String, String)> {
        let key = |k: &str| format!("venue.hyperliquid.{k}");
        for (name, url, schemes) in
            [("ws_url", &self.ws_url, ["ws://", "wss://"]), ("rest_url", &self.rest_url, ["http://", "https://"])]
        {
            if !schemes.iter().any(|s| url.starts_with(s)) {
                return Err((key(name), format!("must start with {} or {}, got {url:?}", schemes[0], schemes[1])));
            }
        }
        let key_source = match (&self.key_file, &self.key_env) {
            (Some(_), Some(_)) => return Err((key("key_file"), "set key_file or key_env, not both".into())),
            (Some(path), None) => KeySource::File(path.clone()),
            (None, Some(name)) => KeySource::Env(name.clone()),
            (None, None) => KeySource::Env(DEFAULT_KEY_ENV.to_string()),
        };
        let address = |name: &str, text: &Option<String>| -> Result<Option<Address>, (String, String)> {
            text.as_deref()
                .map(|t| {
                    Address::parse(t).ok_or_else(|| (key(name), format!("not a 0x-prefixed 20-byte address: {t:?}")))
                })
                .transpose()
        };
        if self.post_timeout_ms == 0 {
            return Err((key("post_timeout_ms"), "must be positive".into()));
        }
        if self.journal_path.as_os_str().is_empty() {
            return Err((key("journal_path"), "must name a file".into()));
        }
        let durability = match self.journal_durability {
            JournalDurability::EveryRecord => Durability::EveryRecord,
            JournalDurability::GroupCommit => {
                Durability::GroupCommit { interval: Duration::from_millis(self.journal_group_commit_ms) }
            }
            JournalDurability::Never => Durability::Never,
        };
        Ok(HyperliquidSettings {
            network: match self.network {
                NetworkChoice::Mainnet => Network::Mainnet,
                NetworkChoice::Testnet => Network::Testnet,
            },
            ws_url: self.ws_url.clone(),
            rest_url: self.rest_url.trim_end_matches('/').to_string(),
            key: key_source,
            account: address("account", &self.account)?,
            vault: address("vault", &self.vault)?,
            journal_path: self.journal_path.clone(),
            durability,
            dry_run: self.dry_run,
            post_timeout: Duration::from_millis(self.post_timeout_ms),
            on_position_mismatch: self.on_position_mismatch,
        })
    }
}
