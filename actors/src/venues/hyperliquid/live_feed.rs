//! Live market data into the engine: the WebSocket client's frames parsed on its own thread
//! and injected as market events into the running engine (to the node that owns the market:
//! the simulated venue in paper mode). A malformed frame is counted, the first few logged,
//! and never stops the feed; a reconnect resets the subscribe-time trade-replay filter.

use super::market_frames::{market_events, TradeReplayFilter};
use super::ws_client::{WsClient, WsClientConfig, WsCountersSnapshot, WsEvent, WsInput};
use crate::msg::Msg;
use crate::runtime::Injector;
use engine::hyperliquid::{CoinTable, Parser};
use engine::market::SourceCounters;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Malformed frames logged one by one before the feed only counts them.
const LOGGED_BAD_FRAMES: u64 = 5;

/// The source counters, published by the client thread after every frame.
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

pub struct LiveFeed {
    client: WsClient,
    counters: Arc<SharedCounters>,
}

impl LiveFeed {
    /// `market` receives the market events (the node owning the market), `feed` the
    /// resync notice after each resubscription.
    pub fn start(
        config: WsClientConfig,
        coins: CoinTable,
        market: Injector,
        feed: Injector,
    ) -> std::io::Result<LiveFeed> {
        let counters = Arc::new(SharedCounters::default());
        let shared = counters.clone();
        let mut replays = TradeReplayFilter::new(coins.len());
        let mut parser = Parser::new(coins);
        let mut local = SourceCounters::default();
        let sink = move |input: WsInput<'_>| match input {
            WsInput::Frame { text, .. } => {
                local.frames += 1;
                match parser.parse(text.as_bytes()) {
                    Ok(frame) => market_events(frame, &mut replays, &mut local, |event| {
                        market.inject(Msg::MarketData(event));
                    }),
                    Err(e) => {
                        local.bad_frames += 1;
                        if local.bad_frames <= LOGGED_BAD_FRAMES {
                            tracing::warn!(error = %e, "market data: malformed frame skipped");
                        }
                    }
                }
                shared.store(&local);
            }
            WsInput::Event(event) => match &event {
                WsEvent::Subscribed { .. } => {
                    replays.resubscribed();
                    feed.inject(Msg::FeedResync);
                }
                WsEvent::Disconnected { reason } => tracing::warn!(%reason, "market data disconnected"),
                WsEvent::Silent => tracing::warn!("market data: server silent, reconnecting"),
                WsEvent::Reconnecting { attempt, delay } => tracing::info!(attempt, ?delay, "market data reconnecting"),
                WsEvent::Connected => tracing::info!("market data connected"),
            },
        };
        Ok(LiveFeed { client: WsClient::start(config, sink)?, counters })
    }

    pub fn summary(&self) -> LiveFeedSummary {
        LiveFeedSummary { connection: self.client.counters(), frames: self.counters.load() }
    }

    /// Closes the connection; returns the final counts.
    pub fn stop(self) -> LiveFeedSummary {
        let frames = self.counters.load();
        LiveFeedSummary { connection: self.client.stop(), frames }
    }
}
