//! The live connection to Hyperliquid for trading: the `Venue` node of a live run.
//!
//! [`HyperliquidVenue`] is the actor OrderActor sends its actions to; it hands each
//! [`ActionMsg`](crate::msg::ActionMsg) over a bounded channel to its driver, which runs on
//! the same thread (a [`ThreadDriver`](crate::runtime::ThreadDriver)) and owns the socket:
//!
//! 1. **Actions.** The driver re-forms each batch (`index`/`batch_len`), splits it into the
//!    Hyperliquid actions it becomes ([`split_batch`], as `exchange::build_actions`), signs
//!    each with a fresh nonce, journals it ([`Record::ActionsSent`](crate::journal::Record),
//!    before sending) and sends it as a WebSocket `post`; with the socket down or
//!    `max_in_flight` posts unanswered, by REST `POST /exchange` instead (counted). A post
//!    unanswered after `post_timeout` is counted and forgotten: OrderActor's lifecycle then
//!    asks the order's status (`QueryStatus`). Each answer becomes events ([`reply_events`]).
//! 2. **Status queries** go to info `orderStatus` by cloid over REST → `OrderStatus`.
//! 3. **User channels** (`userFills`, `orderUpdates`, `userEvents` of the trading user, on
//!    the same socket, resubscribed after each reconnect) become fills, history, venue
//!    cancels, rejects and funding ([`OrderTable`]).
//! 4. **Routing** as the simulated venue: fills, history and funding to FillActor and
//!    OrderActor, everything else to OrderActor. Each event is journaled before it is
//!    injected.
//!
//! **Journal failure is fail-safe:** a failed append is logged and counted, and from then on
//! nothing more is sent (places are answered `Rejected`, cancels go unanswered): orders
//! already resting are left to the dead man's switch, whose refreshes stop too. Events keep
//! reaching the actors (a fill is never withheld).
//!
//! **Dry run** signs (and counts) every batch, sends nothing, opens no socket, and answers
//! as an acknowledging venue: places rest, cancels succeed, a modify is a cancel and a
//! place, the scheduled cancel is taken, every status query answers `Open`.
//!
//! [`InfoClient`] reads the account over `/info` at startup (meta, open orders, positions,
//! fills, order status); [`block_on`] calls it from the binary's main thread.

mod batch;
mod driver;
mod info;
mod orders;
mod rest_actions;
mod venue;

pub use batch::{
    dry_run_events, reply_events, split_batch, unsent_events, ActionGroup, GroupKind, Groups, Queries, ReplyCounts,
};
pub use info::{
    asset_table, block_on, order_status, order_status_request, parse_meta, parse_open_orders, parse_order_status,
    parse_positions, parse_user_fills, AssetMeta, InfoClient, InfoError, OpenOrder, PositionEntry, UserFillsAnswer,
};
pub use orders::{fill_report, status_reason, OrderTable, UserCounts, MAX_SEEN_FILLS, MAX_TRACKED_ORDERS};
pub use rest_actions::{cancel_orphans, send_action, OrphanCancelReport, RestActionError};
pub use venue::{ExchangeClientError, HyperliquidVenue};

use super::exchange::Network;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The venue's hard limit of unanswered WebSocket posts.
pub const MAX_POSTS_IN_FLIGHT: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeClientConfig {
    /// `wss://api.hyperliquid.xyz/ws` live; `ws://127.0.0.1:PORT/ws` against a loopback server.
    pub ws_url: String,
    /// `https://api.hyperliquid.xyz` (no trailing `/exchange`); `http://127.0.0.1:PORT` in tests.
    pub rest_url: String,
    /// Must be the signer's network (checked when the venue is built).
    pub network: Network,
    /// A post unanswered this long is counted and forgotten.
    pub post_timeout: Duration,
    /// Unanswered posts at most (≤ [`MAX_POSTS_IN_FLIGHT`]); past it, REST.
    pub max_in_flight: usize,
    /// Timeout of one REST request (`/exchange` fallback, `/info`).
    pub rest_timeout: Duration,
    /// Sign and count, send nothing, answer as an acknowledging venue.
    pub dry_run: bool,
    /// Actions the actor may queue for the driver (a few batches; a full queue drops and counts).
    pub action_queue: usize,
    /// `{"method":"ping"}` this often (the server closes a connection silent for 60 s).
    pub ping_interval: Duration,
    /// Nothing received for this long: the connection is dropped and re-made.
    pub silence_timeout: Duration,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
}

impl ExchangeClientConfig {
    /// The public endpoints of `network`, with the defaults below.
    pub fn for_network(network: Network) -> Self {
        let host = match network {
            Network::Mainnet => "api.hyperliquid.xyz",
            Network::Testnet => "api.hyperliquid-testnet.xyz",
        };
        Self::with_urls(network, &format!("wss://{host}/ws"), &format!("https://{host}"))
    }

    pub fn with_urls(network: Network, ws_url: &str, rest_url: &str) -> Self {
        Self {
            ws_url: ws_url.to_string(),
            rest_url: rest_url.trim_end_matches('/').to_string(),
            network,
            post_timeout: Duration::from_secs(5),
            max_in_flight: MAX_POSTS_IN_FLIGHT,
            rest_timeout: Duration::from_secs(10),
            dry_run: false,
            action_queue: 1024,
            ping_interval: super::ws_client::PING_INTERVAL,
            silence_timeout: Duration::from_secs(65),
            backoff_initial: Duration::from_millis(250),
            backoff_max: Duration::from_secs(30),
        }
    }
}

macro_rules! counters {
    ($(#[$doc:meta])* $shared:ident => $snapshot:ident { $($(#[$fdoc:meta])* $field:ident),+ $(,)? }) => {
        /// Shared with observers: the driver and the actor add, `report()` reads.
        #[derive(Debug, Default)]
        pub struct $shared {
            $($(#[$fdoc])* pub $field: AtomicU64,)+
        }

        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
        pub struct $snapshot {
            $($(#[$fdoc])* pub $field: u64,)+
        }

        impl $shared {
            pub fn snapshot(&self) -> $snapshot {
                $snapshot { $($field: self.$field.load(Ordering::Relaxed),)+ }
            }
        }
    };
}

counters!(
    /// What the live exchange client did (the venue report's `exchange_client`).
    ExchangeCounters => ExchangeClientSummary {
        /// Action messages received from OrderActor.
        actions,
        /// Complete batches re-formed.
        batches,
        /// Actions dropped because the driver's queue was full or gone.
        actions_dropped,
        /// Signed L1 actions (sent, or only counted in a dry run).
        signed_actions,
        /// Batches of a dry run (signed, not sent).
        dry_run_batches,
        /// WebSocket posts sent.
        posts_sent,
        /// L1 actions sent by REST because the socket was down or the in-flight table full.
        rest_fallbacks,
        /// REST `/exchange` requests that failed (no answer, HTTP error, unreadable body).
        rest_failures,
        /// Most posts unanswered at once.
        in_flight_max,
        /// Answers to actions (WebSocket and REST).
        replies,
        /// Posts unanswered within the post timeout (forgotten).
        reply_timeouts,
        /// Post replies whose id was no longer in flight (after a timeout).
        late_replies,
        /// Answers that could not be mapped (not an action answer, bad shape).
        bad_replies,
        /// `Rejected` events from answers and user channels.
        rejects,
        /// Cancels refused for another reason than "order gone" (left to a status query).
        cancel_errors,
        /// Groups that could not be signed (their places answered `Rejected`).
        signing_errors,
        /// Failed journal appends (the first one halts sending).
        journal_errors,
        /// Groups not sent because sending is halted (journal failure).
        halted_groups,
        /// Status queries sent, answered, failed.
        status_queries,
        status_answers,
        status_failures,
        /// User-channel frames, fills reported live and as history, duplicates skipped.
        user_frames,
        fills,
        historical_fills,
        duplicate_fills,
        /// Fills of orders the venue's table does not know (another session's).
        untracked_fills,
        /// Frames that did not parse (the first few logged).
        bad_frames,
        /// `error` channel frames (a refused subscription or post).
        error_frames,
        /// Events handed to the actors.
        venue_events,
        /// Connections made, connection attempts failed, connections lost.
        connects,
        connect_failures,
        reconnects,
        /// Connections dropped for silence.
        silent_timeouts,
        pings_sent,
    }
);

fn add(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

fn bump(counter: &AtomicU64) {
    add(counter, 1);
}
