//! The engine on live market data from the loopback mock Hyperliquid server, through a
//! forced disconnect and a silent server: it reconnects, resubscribes and resyncs the book,
//! and in between RiskActor hears the feed go stale (and pulls the coin's quotes) and fresh.

use actors::report::ActorReport;
use actors::venues::hyperliquid::mock_server::{MockConfig, MockHyperliquid, MockRecording, ReplaySpeed};
use actors::venues::hyperliquid::ws_client::WsClientConfig;
use hyperquote::config::Config;
use hyperquote::run::{run_threaded, RunPlan};
use hyperquote::summary::RunSummary;
use hyperquote::wiring::{build_actors, coin_table, MarketChoice};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

const CAPTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");

fn report<T>(s: &RunSummary, pick: impl Fn(&ActorReport) -> Option<T>) -> T {
    s.reports.iter().find_map(pick).expect("actor report")
}

#[test]
fn trades_through_a_disconnect_and_a_silent_server() {
    // The BTC capture at 5× speed: a book every ~0.1 s, each subscription replaying it from
    // its start (5 s of frames, more than any session here lasts).
    let recording = MockRecording::from_file(CAPTURE).expect("test data present");
    let mock = MockHyperliquid::start(MockConfig::new(recording).speed(ReplaySpeed::Times(5.0))).unwrap();
    let control = mock.control();

    let mut config = Config::embedded_replay().unwrap();
    config.feed.stale_after_ms = 500;
    let market = MarketChoice::Live { url: mock.ws_url() };
    let actors = build_actors(&config, 7, &market).unwrap();
    let mut plan = RunPlan::from_config(&config, Duration::from_secs(9)).unwrap();
    let coins: Vec<String> = config.markets.iter().map(|m| m.coin.clone()).collect();
    let mut ws = WsClientConfig::market_data(&mock.ws_url(), &coins);
    ws.silence_timeout = Duration::from_millis(1000);
    ws.backoff_initial = Duration::from_millis(50);
    ws.backoff_max = Duration::from_millis(200);
    plan.live_feed = Some((ws, coin_table(&config).unwrap()));

    let faults = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(2000));
        control.drop_connections();
        std::thread::sleep(Duration::from_millis(2000));
        control.go_silent(Duration::from_millis(2500));
    });
    let summary = run_threaded(actors, &plan, &AtomicBool::new(false), |_| {}).unwrap();
    faults.join().unwrap();

    let live = summary.live_feed.expect("live feed counters");
    assert!(live.connection.connects >= 3, "initial + after the drop + after the silence: {live:?}");
    assert!(live.connection.silent_timeouts >= 1, "{live:?}");
    assert!(live.connection.disconnects >= 2, "{live:?}");
    assert_eq!(live.frames.bad_frames, 0);
    assert!(live.frames.historical_trades > 0, "each resubscription's trade replay is skipped: {live:?}");

    let (books, stale, fresh) = report(&summary, |r| {
        if let ActorReport::Feed(f) = r {
            Some((f.books, f.stale_events, f.fresh_events))
        } else {
            None
        }
    });
    assert!(stale >= 1 && fresh >= 1, "feed went stale and came back: stale {stale}, fresh {fresh}");
    let feed = report(&summary, |r| if let ActorReport::Feed(f) = r { Some(f.clone()) } else { None });
    assert!(books > 40, "books before, between and after the faults: {feed:?}");
    assert!(feed.resyncs >= 3, "one resync per subscription: {feed:?}");
    assert_eq!(feed.rejected_out_of_order, 0, "each resubscription's snapshot is taken: {feed:?}");
    let (changes, stale_now) = report(&summary, |r| {
        if let ActorReport::Risk(x) = r {
            Some((x.feed_health_changes, x.stale_coins))
        } else {
            None
        }
    });
    assert!(changes >= 2, "risk saw stale then fresh: {changes}");
    assert_eq!(stale_now, 0, "fresh again by the end");
    let decisions = report(&summary, |r| if let ActorReport::Quote(q) = r { Some(q.decisions) } else { None });
    assert!(decisions > 40, "kept quoting: {decisions}");
    let open = report(&summary, |r| if let ActorReport::Venue(v) = r { Some(v.open_orders) } else { None });
    assert_eq!(open, 0);
}
