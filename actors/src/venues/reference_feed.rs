//! A reference venue's mid as a lead signal: Binance USD-M `bookTicker` streams, read on the
//! thread of the actor that uses them (EstimatorActor) as a `ThreadDriver`, each ticker turned
//! into a `ReferenceMid` for its coin. Binance's perpetuals often move before Hyperliquid's
//! (shared/data/README.md), so the estimator tracks how far the reference has moved that we
//! have not (`ReferenceLead`).
//!
//! One combined-stream connection carries every configured symbol
//! (`<base>/stream?streams=btcusdt@bookTicker/...`); Binance keeps it alive with WebSocket
//! ping frames, so the client pings with frames too. A malformed frame, an unknown symbol or
//! a crossed ticker is counted and skipped.

use super::hyperliquid::ws_client::{
    self, PingStyle, WsClientConfig, WsCounters, WsCountersSnapshot, WsEvent, WsInput,
};
use crate::msg::{Msg, ReferenceMid};
use crate::runtime::{DriverHost, HostedDriver, ThreadDriver};
use crate::ActorId;
use engine::binance::{Event, Parser};
use engine::types::CoinId;
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Malformed frames logged one by one before the feed only counts them.
const LOGGED_BAD_FRAMES: u64 = 5;

/// What the reference feed did, for the run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReferenceFeedSummary {
    pub connection: WsCountersSnapshot,
    pub tickers: u64,
    pub bad_frames: u64,
    pub unknown_symbols: u64,
    /// Tickers with a non-positive or crossed top: no mid.
    pub unusable_tickers: u64,
    /// Well-formed frames that are not tickers (subscription answers, other streams).
    pub other_frames: u64,
}

#[derive(Debug, Default)]
struct Counters {
    tickers: AtomicU64,
    bad_frames: AtomicU64,
    unknown_symbols: AtomicU64,
    unusable_tickers: AtomicU64,
    other_frames: AtomicU64,
}

fn bump(counter: &AtomicU64) -> u64 {
    counter.fetch_add(1, Ordering::Relaxed) + 1
}

/// The caller's view of a running reference feed: its counters.
pub struct ReferenceFeed {
    connection: Arc<WsCounters>,
    counters: Arc<Counters>,
}

struct ReferenceFeedDriver {
    config: WsClientConfig,
    /// Binance symbol (upper case, as the stream spells it) → the engine's coin.
    symbols: Vec<(String, CoinId)>,
    to: ActorId,
    connection: Arc<WsCounters>,
    counters: Arc<Counters>,
}

/// The combined-stream URL for the symbols' `bookTicker` streams.
pub fn binance_book_ticker_url(base: &str, symbols: &[String]) -> String {
    let streams: Vec<String> = symbols.iter().map(|s| format!("{}@bookTicker", s.to_lowercase())).collect();
    format!("{}/stream?streams={}", base.trim_end_matches('/'), streams.join("/"))
}

impl ReferenceFeed {
    /// A feed of `symbols` (Binance symbol, coin) from `base_url`, whose mids go to `to`.
    pub fn hosted(base_url: &str, symbols: Vec<(String, CoinId)>, to: ActorId) -> (ReferenceFeed, HostedDriver) {
        let names: Vec<String> = symbols.iter().map(|(s, _)| s.clone()).collect();
        let mut config = WsClientConfig::market_data(&binance_book_ticker_url(base_url, &names), &[]);
        config.ping = PingStyle::Frame;
        let symbols = symbols.into_iter().map(|(s, c)| (s.to_uppercase(), c)).collect();
        let (connection, counters) = (Arc::new(WsCounters::default()), Arc::new(Counters::default()));
        let driver =
            ReferenceFeedDriver { config, symbols, to, connection: connection.clone(), counters: counters.clone() };
        (ReferenceFeed { connection, counters }, HostedDriver { with: to, driver: Box::new(driver) })
    }

    pub fn summary(&self) -> ReferenceFeedSummary {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ReferenceFeedSummary {
            connection: self.connection.snapshot(),
            tickers: get(&self.counters.tickers),
            bad_frames: get(&self.counters.bad_frames),
            unknown_symbols: get(&self.counters.unknown_symbols),
            unusable_tickers: get(&self.counters.unusable_tickers),
            other_frames: get(&self.counters.other_frames),
        }
    }
}

impl ReferenceFeedDriver {
    /// The reference mid of one frame, if it is a usable ticker of a configured symbol.
    fn mid_of(&self, parser: &mut Parser, frame: &mut [u8]) -> Option<ReferenceMid> {
        let c = &self.counters;
        let ticker = match parser.parse(frame) {
            Ok(Event::BookTicker(t)) => t,
            Ok(_) => {
                bump(&c.other_frames);
                return None;
            }
            Err(e) => {
                if bump(&c.bad_frames) <= LOGGED_BAD_FRAMES {
                    tracing::warn!(error = %e, "reference feed: malformed frame skipped");
                }
                return None;
            }
        };
        let Some(&(_, coin)) = self.symbols.iter().find(|(s, _)| s == ticker.symbol) else {
            bump(&c.unknown_symbols);
            return None;
        };
        if !(ticker.bid_px.units() > 0 && ticker.bid_px < ticker.ask_px) {
            bump(&c.unusable_tickers);
            return None;
        }
        bump(&c.tickers);
        Some(ReferenceMid { coin, mid_usd: (ticker.bid_px.to_f64() + ticker.ask_px.to_f64()) / 2.0 })
    }
}

impl ThreadDriver for ReferenceFeedDriver {
    fn run<'h>(self: Box<Self>, host: &'h RefCell<DriverHost<'_>>) -> LocalBoxFuture<'h, ()> {
        Box::pin(async move {
            let mut parser = Parser::new();
            let mut frame = Vec::new();
            let sink = |input: WsInput<'_>| match input {
                WsInput::Frame { text, .. } => {
                    frame.clear();
                    frame.extend_from_slice(text.as_bytes());
                    if let Some(mid) = self.mid_of(&mut parser, &mut frame) {
                        let mut host = host.borrow_mut();
                        host.inject(self.to, Msg::ReferenceMid(mid));
                        host.run_until_idle();
                    }
                }
                WsInput::Event(WsEvent::Disconnected { reason }) => {
                    tracing::warn!(%reason, "reference feed disconnected")
                }
                WsInput::Event(WsEvent::Silent) => tracing::warn!("reference feed: server silent, reconnecting"),
                WsInput::Event(_) => {}
            };
            ws_client::run(&self.config, sink, || host.borrow().stopping(), &self.connection).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_combined_stream_url_for_every_symbol() {
        let url = binance_book_ticker_url("wss://fstream.binance.com/", &["BTCUSDT".into(), "ETHUSDT".into()]);
        assert_eq!(url, "wss://fstream.binance.com/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker");
    }

    #[test]
    fn tickers_become_mids_and_everything_else_is_counted() {
        let (feed, hosted) = ReferenceFeed::hosted("ws://x", vec![("btcusdt".into(), CoinId(1))], ActorId::Estimator);
        assert_eq!(hosted.with, ActorId::Estimator);
        let driver = ReferenceFeedDriver {
            config: WsClientConfig::market_data("ws://x", &[]),
            symbols: vec![("BTCUSDT".into(), CoinId(1))],
            to: ActorId::Estimator,
            connection: feed.connection.clone(),
            counters: feed.counters.clone(),
        };
        let mut parser = Parser::new();
        let ticker = |symbol: &str, bid: &str, ask: &str| {
            format!(
                r#"{{"stream":"x@bookTicker","data":{{"e":"bookTicker","u":1,"s":"{symbol}","b":"{bid}","B":"1","a":"{ask}","A":"1","T":1,"E":1}}}}"#
            )
            .into_bytes()
        };
        let mid = driver.mid_of(&mut parser, &mut ticker("BTCUSDT", "100.0", "100.2"));
        assert_eq!(mid, Some(ReferenceMid { coin: CoinId(1), mid_usd: 100.1 }));
        assert_eq!(driver.mid_of(&mut parser, &mut ticker("ETHUSDT", "10", "11")), None);
        assert_eq!(driver.mid_of(&mut parser, &mut ticker("BTCUSDT", "101", "100")), None);
        assert_eq!(driver.mid_of(&mut parser, &mut b"{not json".to_vec()), None);
        let s = feed.summary();
        assert_eq!((s.tickers, s.unknown_symbols, s.unusable_tickers, s.bad_frames), (1, 1, 1, 1));
    }
}
