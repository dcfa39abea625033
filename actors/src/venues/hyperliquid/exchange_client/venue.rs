//! The `Venue` actor of a live run: hands OrderActor's actions to the exchange driver on
//! its own thread and reports the client's counters.

use super::driver::ExchangeDriver;
use super::{bump, ExchangeClientConfig, ExchangeCounters, MAX_POSTS_IN_FLIGHT};
use crate::control::{Command, CommandReply};
use crate::journal::{JournalWriter, Record};
use crate::msg::{ActionMsg, Msg};
use crate::report::{ActorReport, VenueReport};
use crate::runtime::HostedDriver;
use crate::venues::hyperliquid::exchange::{AssetTable, NonceSource, Signer};
use crate::{Actor, ActorId, Outbox};
use engine::hyperliquid::CoinTable;
use engine::types::Nanos;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Dropped actions logged one by one before they are only counted.
const LOGGED_DROPS: u64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum ExchangeClientError {
    #[error("the signer signs for {signer:?} but the exchange client is configured for {config:?}")]
    NetworkMismatch { signer: super::Network, config: super::Network },
    #[error("max_in_flight {0} is not within 1..={MAX_POSTS_IN_FLIGHT}")]
    MaxInFlight(usize),
    #[error("action_queue must hold at least one batch")]
    ActionQueue,
}

/// The live venue node (id [`ActorId::Venue`]).
pub struct HyperliquidVenue {
    actions: mpsc::Sender<ActionMsg>,
    controls: mpsc::UnboundedSender<Record>,
    counters: Arc<ExchangeCounters>,
}

impl HyperliquidVenue {
    /// The venue and its driver: host both with `ThreadedRuntime::start_with_drivers` (the
    /// driver runs on the thread of [`ActorId::Venue`]). `nonces` should start above the
    /// journal's last nonce; `journal`, if given, receives every action before it is sent
    /// and every event before the actors see it.
    pub fn hosted(
        config: ExchangeClientConfig,
        signer: Signer,
        assets: AssetTable,
        coins: CoinTable,
        journal: Option<JournalWriter>,
        nonces: NonceSource,
    ) -> Result<(HyperliquidVenue, HostedDriver), ExchangeClientError> {
        if signer.network() != config.network {
            return Err(ExchangeClientError::NetworkMismatch { signer: signer.network(), config: config.network });
        }
        if config.max_in_flight == 0 || config.max_in_flight > MAX_POSTS_IN_FLIGHT {
            return Err(ExchangeClientError::MaxInFlight(config.max_in_flight));
        }
        if config.action_queue < engine::venue::MAX_ACTIONS_PER_BATCH {
            return Err(ExchangeClientError::ActionQueue);
        }
        let (tx, rx) = mpsc::channel(config.action_queue);
        let (controls, controls_rx) = mpsc::unbounded_channel();
        let counters = Arc::new(ExchangeCounters::default());
        let driver = ExchangeDriver {
            config,
            signer,
            assets,
            coins,
            journal,
            nonces,
            actions: rx,
            controls: controls_rx,
            counters: counters.clone(),
        };
        let venue = HyperliquidVenue { actions: tx, controls, counters };
        Ok((venue, HostedDriver { with: ActorId::Venue, driver: Box::new(driver) }))
    }

    /// The client's counters, for observers outside the runtime.
    pub fn counters(&self) -> Arc<ExchangeCounters> {
        self.counters.clone()
    }
}

impl Actor for HyperliquidVenue {
    fn id(&self) -> ActorId {
        ActorId::Venue
    }

    fn handle(&mut self, _now: Nanos, msg: Msg, out: &mut Outbox) {
        match msg {
            Msg::Action(action) => {
                bump(&self.counters.actions);
                if self.actions.try_send(action).is_err() {
                    bump(&self.counters.actions_dropped);
                    if self.counters.actions_dropped.load(Ordering::Relaxed) <= LOGGED_DROPS {
                        tracing::error!(?action, "live venue: action dropped, the driver's queue is full or gone");
                    }
                }
            }
            // A live feed hosted with the venue as its market node: pass market data on.
            Msg::MarketData(event) => out.send(ActorId::Feed, Msg::MarketData(event)),
            _ => {}
        }
    }

    /// Journals a control change: the driver, which owns the journal, appends it in order
    /// with the actions and events around it (a failed append halts sending, as for those).
    fn on_command(&mut self, _now: Nanos, command: &Command, _out: &mut Outbox) -> CommandReply {
        let Command::Journal(record) = command else { return CommandReply::Unsupported };
        match self.controls.send(record.clone()) {
            Ok(()) => CommandReply::Done,
            Err(_) => CommandReply::Refused("the exchange driver has stopped: not journaled".into()),
        }
    }

    fn report(&self) -> ActorReport {
        let summary = self.counters.snapshot();
        ActorReport::Venue(VenueReport {
            action_batches: summary.batches,
            venue_events: summary.venue_events,
            signing_errors: summary.signing_errors,
            exchange_client: Some(summary),
            ..VenueReport::default()
        })
    }
}
