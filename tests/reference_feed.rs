//! A reference venue's tickers reach the estimator: the engine on live market data from the
//! loopback mock Hyperliquid server, with Binance-style `bookTicker` frames from a second
//! loopback server as the reference; the estimator reports the reference mid and its basis.

use actors::report::ActorReport;
use actors::venues::hyperliquid::mock_server::{MockConfig, MockHyperliquid, MockRecording, ReplaySpeed};
use actors::venues::hyperliquid::ws_client::WsClientConfig;
use hyperquote::config::{Config, ReferenceSection};
use hyperquote::run::{run_threaded, RunPlan};
use hyperquote::wiring::{build_actors, coin_table, MarketChoice};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const CAPTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");
/// The reference quotes 105,100.0 / 105,100.2 while the capture's BTC mid is ≈ 105,050:
/// a basis of ≈ +4.8 bps.
const TICKER: &str = r#"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":7,"s":"BTCUSDT","b":"105100.0","B":"2","a":"105100.2","A":"3","T":1,"E":1}}"#;

#[test]
fn reference_tickers_reach_the_estimator_as_a_basis() {
    let recording = || MockRecording::from_file(CAPTURE).expect("test data present");
    let market = MockHyperliquid::start(MockConfig::new(recording()).speed(ReplaySpeed::Times(5.0))).unwrap();
    let reference = MockHyperliquid::start(MockConfig::new(recording())).unwrap();
    let reference_control = reference.control();

    let mut config = Config::embedded_replay().unwrap();
    config.reference = Some(ReferenceSection { url: format!("ws://{}", reference.addr()) });
    config.markets[0].reference_symbol = Some("BTCUSDT".into());
    let actors = build_actors(&config, 7, &MarketChoice::Live { url: market.ws_url() }).unwrap();
    let mut plan = RunPlan::from_config(&config, Duration::from_secs(4)).unwrap();
    let coins: Vec<String> = config.markets.iter().map(|m| m.coin.clone()).collect();
    plan.live_feed = Some((WsClientConfig::market_data(&market.ws_url(), &coins), coin_table(&config).unwrap()));

    let done = Arc::new(AtomicBool::new(false));
    let ticking = done.clone();
    let ticker = std::thread::spawn(move || {
        while !ticking.load(Ordering::Relaxed) {
            reference_control.inject(TICKER);
            reference_control.inject("{garbage");
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let summary = run_threaded(actors, &plan, &AtomicBool::new(false), |_| {}).unwrap();
    done.store(true, Ordering::Relaxed);
    ticker.join().unwrap();

    let feed = summary.reference_feed.expect("reference feed counters");
    assert!(feed.connection.connects >= 1, "{feed:?}");
    assert!(feed.tickers > 10, "{feed:?}");
    assert!(feed.bad_frames > 10, "garbage is counted, not fatal: {feed:?}");
    let estimator = summary
        .reports
        .iter()
        .find_map(|r| if let ActorReport::Estimator(e) = r { Some(e.clone()) } else { None })
        .expect("estimator report");
    assert!(estimator.reference_mids > 10, "{estimator:?}");
    let btc = &estimator.coins[0];
    let mid = btc.reference_mid_usd.expect("a fresh reference mid");
    assert!((mid - 105_100.1).abs() < 1e-6, "{mid}");
    let basis = btc.reference_basis_bps.expect("a fresh basis");
    assert!((3.0..7.0).contains(&basis), "basis {basis} bps");
    assert_eq!(estimator.coins[1].reference_mid_usd, None, "ETH has no reference symbol");
}
