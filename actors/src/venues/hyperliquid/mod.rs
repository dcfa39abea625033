//! The Hyperliquid venue: WebSocket market data and user streams, signed actions
//! (`../shared/HYPERLIQUID.md`): the market-data WebSocket client, and the loopback mock
//! server that it and the end-to-end tests are tested against (built only for tests).

#[cfg(any(test, feature = "testkit"))]
pub mod mock_server;

#[cfg(feature = "testkit")]
pub mod mock_exchange;

pub mod exchange;
pub mod exchange_client;
pub mod live_feed;
pub mod market_frames;
pub mod ws_client;
