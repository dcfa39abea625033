//! Live market data into the engine, read on the thread of the actor it feeds: the
//! WebSocket client runs as that thread's `ThreadDriver`, each frame is parsed where it is
//! read and its market events are handled by the actors of that thread before the next read
//! — no hop between the socket and the first actor. A malformed frame is counted, the first
//! few logged, and never stops the feed; a reconnect resets the subscribe-time trade-replay
//! filter and tells the feed to resync.

use super::market_frames::{market_events, TradeReplayFilter};
use super::ws_client::{self, WsClientConfig, WsCounters, WsCountersSnapshot, WsEvent, WsInput};
use crate::msg::Msg;
use crate::runtime::{DriverHost, HostedDriver, ThreadDriver};
use crate::ActorId;
use engine::hyperliquid::{CoinTable, Parser};
use engine::market::SourceCounters;
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Malformed frames logged one by one before the feed only counts them.
const LOGGED_BAD_FRAMES: u64 = 5;

/// The source counters, published by the feed's thread after every frame.
#[derive(Debug, Default)]
struct SharedCounters([AtomicU64; 6]);

impl SharedCounters {
    fn store(&self, c: &SourceCounters) {
        let values = [c.frames, c.bad_lines, c.bad_frames, c.unknown_coin, c.historical_trades, c.unused_frames];
        for (slot, value) in self.0.iter().zip(values) {
            slot.store(value, Ordering::Relaxed);
        }
    }

    fn load(&self) -> SourceCounters {
        let v = |i: usize| self.0[i].load(Ordering::Relaxed);
        SourceCounters {
            frames: v(0),
            bad_lines: v(1),
            bad_frames: v(2),
            unknown_coin: v(3),
            historical_trades: v(4),
            unused_frames: v(5),
        }
    }
}

/// What the live feed did, for the run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LiveFeedSummary {
    pub connection: WsCountersSnapshot,
    pub frames: SourceCounters,
}

/// The caller's view of a running live feed: its counters.
pub struct LiveFeed {
    connection: Arc<WsCounters>,
    frames: Arc<SharedCounters>,
}

/// The feed's socket loop, run by the runtime on the thread hosting `market`.
struct LiveFeedDriver {
    config: WsClientConfig,
    coins: CoinTable,
    /// Receives the market events (the node owning the market: the simulated venue in paper mode).
    market: ActorId,
    /// Receives the resync notice after each resubscription.
    resync: ActorId,
    connection: Arc<WsCounters>,
    frames: Arc<SharedCounters>,
}

impl LiveFeed {
    /// A live feed whose market events go to `market` and resync notices to `resync`; give
    /// the driver to `ThreadedRuntime::start_with_drivers`.
    pub fn hosted(
        config: WsClientConfig,
        coins: CoinTable,
        market: ActorId,
        resync: ActorId,
    ) -> (LiveFeed, HostedDriver) {
        let (connection, frames) = (Arc::new(WsCounters::default()), Arc::new(SharedCounters::default()));
        let driver =
            LiveFeedDriver { config, coins, market, resync, connection: connection.clone(), frames: frames.clone() };
        (LiveFeed { connection, frames }, HostedDriver { with: market, driver: Box::new(driver) })
    }

    pub fn summary(&self) -> LiveFeedSummary {
        LiveFeedSummary { connection: self.connection.snapshot(), frames: self.frames.load() }
    }
}

impl ThreadDriver for LiveFeedDriver {
    fn run<'h>(self: Box<Self>, host: &'h RefCell<DriverHost<'_>>) -> LocalBoxFuture<'h, ()> {
        let LiveFeedDriver { config, coins, market, resync, connection, frames } = *self;
        Box::pin(async move {
            let mut replays = TradeReplayFilter::new(coins.len());
            let mut parser = Parser::new(coins);
            let mut local = SourceCounters::default();
            let sink = |input: WsInput<'_>| match input {
                WsInput::Frame { text, .. } => {
                    local.frames += 1;
                    let mut host = host.borrow_mut();
                    match parser.parse(text.as_bytes()) {
                        Ok(frame) => market_events(frame, &mut replays, &mut local, |event| {
                            host.inject(market, Msg::MarketData(event));
                        }),
                        Err(e) => {
                            local.bad_frames += 1;
                            if local.bad_frames <= LOGGED_BAD_FRAMES {
                                tracing::warn!(error = %e, "market data: malformed frame skipped");
                            }
                        }
                    }
                    host.run_until_idle();
                    frames.store(&local);
                }
                WsInput::Event(event) => match &event {
                    WsEvent::Subscribed { .. } => {
                        replays.resubscribed();
                        let mut host = host.borrow_mut();
                        host.inject(resync, Msg::FeedResync);
                        host.run_until_idle();
                    }
                    WsEvent::Disconnected { reason } => tracing::warn!(%reason, "market data disconnected"),
                    WsEvent::Silent => tracing::warn!("market data: server silent, reconnecting"),
                    WsEvent::Reconnecting { attempt, delay } => {
                        tracing::info!(attempt, ?delay, "market data reconnecting")
                    }
                    WsEvent::Connected => tracing::info!("market data connected"),
                },
            };
            ws_client::run(&config, sink, || host.borrow().stopping(), &connection).await;
        })
    }
}
