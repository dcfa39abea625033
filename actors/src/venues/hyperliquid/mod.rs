//! The Hyperliquid venue: WebSocket market data and user streams, signed actions
//! (`../shared/HYPERLIQUID.md`). For now it holds the loopback mock server that the live
//! client and the end-to-end tests are tested against; it is built only for tests.

#[cfg(any(test, feature = "testkit"))]
pub mod mock_server;
