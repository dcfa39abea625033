//! A live session on Hyperliquid, from the key to the first quote:
//!
//! 1. the key (file or environment, never logged) and the signer (agent wallet, vault);
//! 2. info `meta`: every configured coin must be listed with the configured `sz_decimals`;
//! 3. the journal: locked, replayed, this session's start appended (nonce floor);
//! 4. the venue's view (open orders, fills, positions) settled against the journal
//!    ([`plan_start`]): orphans cancelled (and confirmed gone), missed fills journaled and
//!    booked, a position mismatch → the configured restrictive state;
//! 5. the actors around the live venue node, with FillActor seeded with the session's fills,
//!    the market data feed handing straight to FeedActor, and the exchange driver on the
//!    venue's thread.
//!
//! A dry run does all of it but send: it reads the venue, signs every batch, and leaves the
//! orphans alone.

use super::journal_session::{JournalOpenError, JournalSession};
use super::settings::HyperliquidSettings;
use super::start_reconcile::{plan_start, StartPlan, VenueOpenOrder, VenueView};
use crate::config::Config;
use crate::run::RunPlan;
use crate::wiring::{build_engine, coin_table, Session, WiringError};
use actors::journal::Record;
use actors::nodes::FillActor;
use actors::runtime::HostedDriver;
use actors::venues::hyperliquid::exchange::{AssetTable, NonceSource, Signer, SigningError};
use actors::venues::hyperliquid::exchange_client::{
    asset_table, block_on, cancel_orphans, AssetMeta, ExchangeClientConfig, ExchangeClientError, HyperliquidVenue,
    InfoClient, InfoError, RestActionError,
};
use actors::venues::hyperliquid::ws_client::WsClientConfig;
use actors::{Actor, ActorId};
use engine::hyperliquid::CoinTable;
use engine::types::{CoinId, UnixNanos};
use engine::venue::VenueEvent;
use std::time::Duration;

/// Timeout of each REST call at start.
const REST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long start waits for the venue to show the orphans gone.
const ORPHANS_GONE_TIMEOUT: Duration = Duration::from_secs(5);
const ORPHANS_POLL: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("key: {0}")]
    Key(SigningError),
    #[error("venue: {0}")]
    Info(#[from] InfoError),
    #[error("markets[{index}].{field}: {message}")]
    Market { index: usize, field: &'static str, message: String },
    #[error(transparent)]
    Journal(#[from] JournalOpenError),
    #[error("journal: {0}")]
    JournalWrite(#[from] actors::journal::JournalError),
    #[error(transparent)]
    OrphanCancel(#[from] RestActionError),
    #[error("orders still open on the venue after cancelling the orphans: {0:?}; not starting")]
    OrphansRemain(Vec<u64>),
    #[error("exchange client: {0}")]
    Venue(#[from] ExchangeClientError),
    #[error(transparent)]
    Wiring(#[from] WiringError),
}

/// A live session ready to run.
pub struct LiveSession {
    pub actors: Vec<Box<dyn Actor>>,
    pub drivers: Vec<HostedDriver>,
    pub start: StartPlan,
    /// What start did, for the operator (one line each).
    pub notes: Vec<String>,
}

/// FNV-1a of the configuration as parsed: tells a session run on another config at a glance.
fn config_hash(config: &Config) -> u64 {
    format!("{config:?}").bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The signer the settings describe.
fn signer(settings: &HyperliquidSettings) -> Result<Signer, LiveError> {
    let mut signer = Signer::new(settings.key.load().map_err(LiveError::Key)?, settings.network);
    if let Some(account) = settings.account {
        signer = signer.as_agent_of(account);
    }
    if let Some(vault) = settings.vault {
        signer = signer.with_vault(vault);
    }
    Ok(signer)
}

/// Each configured coin must be listed with the configured size decimals.
fn check_markets(config: &Config, meta: &[AssetMeta], coins: &CoinTable) -> Result<AssetTable, LiveError> {
    for (index, market) in config.markets.iter().enumerate() {
        let listed = meta.iter().find(|a| a.name == market.coin).ok_or_else(|| LiveError::Market {
            index,
            field: "coin",
            message: format!("`{}` is not listed by the venue's meta", market.coin),
        })?;
        if listed.sz_decimals != market.sz_decimals {
            return Err(LiveError::Market {
                index,
                field: "sz_decimals",
                message: format!("configured {}, the venue says {}", market.sz_decimals, listed.sz_decimals),
            });
        }
    }
    Ok(asset_table(meta, coins)?)
}

/// Reads the account's orders, fills and positions on the configured coins.
fn venue_view(info: &InfoClient, signer: &Signer) -> Result<VenueView, LiveError> {
    let user = signer.trading_user();
    let open_orders = block_on(info.open_orders(user))??
        .into_iter()
        .filter_map(|o| o.coin.map(|coin| VenueOpenOrder { coin, oid: o.oid, cloid: o.cloid }))
        .collect();
    let fills = block_on(info.user_fills(user))??.fills;
    let positions =
        block_on(info.positions(user))??.into_iter().filter_map(|p| p.coin.map(|coin| (coin, p.size))).collect();
    Ok(VenueView { open_orders, fills, positions })
}

/// Everything up to the first quote (see the module doc). `plan` gains the live feed.
pub fn prepare(
    config: &Config,
    settings: &HyperliquidSettings,
    plan: &mut RunPlan,
    session_prefix: u64,
) -> Result<LiveSession, LiveError> {
    let signer = signer(settings)?;
    let coins = coin_table(config)?;
    let coin_ids: Vec<CoinId> = (0..config.markets.len()).map(|i| CoinId(i as u8)).collect();
    let info = InfoClient::new(&settings.rest_url, coins.clone(), REST_TIMEOUT)?;
    let assets = check_markets(config, &block_on(info.meta(None))??, &coins)?;
    let mut notes = vec![format!(
        "signing as {} for {}{}",
        signer.address(),
        signer.trading_user(),
        if signer.is_agent() { " (agent wallet)" } else { "" }
    )];

    let now = UnixNanos::wall_clock();
    let mut journal = JournalSession::open(&settings.journal_path, settings.durability, now, config_hash(config))?;
    notes.push(format!(
        "journal {}: {} records from {} earlier sessions{}",
        settings.journal_path.display(),
        journal.records.len(),
        journal.state.sessions,
        match journal.torn_tail_bytes {
            0 => String::new(),
            n => format!(", a torn last record of {n} bytes skipped"),
        }
    ));
    let view = venue_view(&info, &signer)?;
    let start = plan_start(&journal.records, &view, &coin_ids, now, settings.on_position_mismatch);
    let mut nonces = NonceSource::starting_after(journal.nonce_floor(now));

    if !start.cancels.is_empty() {
        if settings.dry_run {
            notes.push(format!("dry run: {} orders left on the venue untouched", start.cancels.len()));
        } else {
            cancel_all(settings, &signer, &assets, &mut nonces, &info, &start.cancels, &mut journal)?;
            notes.push(format!("cancelled {} orders an earlier process left on the venue", start.cancels.len()));
        }
    }
    for fill in &start.recovered_fills {
        journal.writer.append(&Record::Venue { at: now, event: VenueEvent::HistoricalFill(*fill) })?;
    }
    journal.writer.sync()?;
    if !start.recovered_fills.is_empty() {
        notes.push(format!("{} fills made while no process listened, recovered", start.recovered_fills.len()));
    }
    if let Some((state, reason)) = &start.forced_state {
        notes.push(format!("starting {state:?}: {reason}"));
        journal.writer.append(&Record::TradingState { at: now, state: *state, reason: reason.clone() })?;
    }

    let exchange = ExchangeClientConfig {
        post_timeout: settings.post_timeout,
        dry_run: settings.dry_run,
        ..ExchangeClientConfig::with_urls(settings.network, &settings.ws_url, &settings.rest_url)
    };
    let (venue, driver) =
        HyperliquidVenue::hosted(exchange, signer, assets, coins.clone(), Some(journal.writer), nonces)?;
    let fill = FillActor::with_history(coin_ids.len(), start.session_start, start.session_fills.iter().copied());
    let session = Session {
        prefix: session_prefix,
        venue_clock_at_start: UnixNanos::wall_clock(),
        trading_state: start.forced_state.as_ref().map_or(config.risk.trading_state, |(s, _)| *s),
        fill,
    };
    let actors = build_engine(config, Box::new(venue), session)?;
    let names: Vec<String> = config.markets.iter().map(|m| m.coin.clone()).collect();
    plan.live_feed = Some((WsClientConfig::market_data(&settings.ws_url, &names), coins));
    plan.market_data_to = ActorId::Feed;
    Ok(LiveSession { actors, drivers: vec![driver], start, notes })
}

/// Cancels the orphans, journals the nonces used, and waits until the venue shows none.
fn cancel_all(
    settings: &HyperliquidSettings,
    signer: &Signer,
    assets: &AssetTable,
    nonces: &mut NonceSource,
    info: &InfoClient,
    orphans: &[VenueOpenOrder],
    journal: &mut JournalSession,
) -> Result<(), LiveError> {
    let orders: Vec<(CoinId, u64)> = orphans.iter().map(|o| (o.coin, o.oid)).collect();
    let report = block_on(cancel_orphans(&settings.rest_url, signer, assets, nonces, &orders, REST_TIMEOUT))??;
    for nonce in &report.nonces {
        // The actions were cancels by oid (not the engine's cloid actions): the record keeps
        // the nonce, so no later session signs with it again.
        journal.writer.append(&Record::ActionsSent {
            at: UnixNanos::wall_clock(),
            nonce: *nonce,
            actions: Vec::new(),
        })?;
    }
    for (coin, oid, reason) in &report.refused {
        tracing::warn!(coin = coin.0, oid, ?reason, "orphan cancel refused");
    }
    let deadline = std::time::Instant::now() + ORPHANS_GONE_TIMEOUT;
    loop {
        let user = signer.trading_user();
        let left: Vec<u64> = block_on(info.open_orders(user))??
            .into_iter()
            .filter(|o| orders.iter().any(|(_, oid)| *oid == o.oid))
            .map(|o| o.oid)
            .collect();
        if left.is_empty() {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            return Err(LiveError::OrphansRemain(left));
        }
        std::thread::sleep(ORPHANS_POLL);
    }
}
