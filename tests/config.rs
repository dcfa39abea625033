//! Configuration is refused at start with a message naming the key.

use hyperquote::config::{Config, ConfigError};

const PAPER: &str = include_str!("../config/paper.toml");

fn refused(text: &str) -> String {
    match Config::parse(text, "test") {
        Ok(_) => panic!("accepted a bad config"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_shipped_profiles_load() {
    let c = Config::embedded_paper().unwrap();
    assert_eq!(c.markets.len(), 2);
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/config")).unwrap() {
        let path = entry.unwrap().path();
        Config::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    Config::load(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/colo.toml").as_ref()).unwrap();
}

#[test]
fn unknown_keys_are_refused_everywhere() {
    for (section, line) in [
        ("[engine]", "durtion_s = 3.0"),
        ("[quote]", "half_spread = 1.0"),
        ("[quote.construction.levels]", "levels = 3"),
        ("[venue.sim]", "order_latency_us = 5"),
        ("[runtime]", "capacity = 5"),
        ("[markets.synthetic]", "sigma = 1.0"),
        ("[estimator.trade_distance]", "window = 300.0"),
        ("[estimator.volume_clock]", "bucket_size = 1.0"),
    ] {
        let text = PAPER.replacen(section, &format!("{section}\n{line}"), 1);
        let err = refused(&text);
        let key = line.split(' ').next().unwrap();
        assert!(err.contains(&format!("unknown field `{key}`")), "{section}: {err}");
    }
}

#[test]
fn invalid_values_name_their_key() {
    let cases = [
        ("order_size_base = 0.0002", "order_size_base = -0.0002", "markets[0].order_size_base"),
        ("max_position_base = 0.06", "max_position_base = 0.0", "markets[1].max_position_base"),
        // A single order larger than the position limit (soft above hard).
        ("max_order_size_base = 0.001", "max_order_size_base = 0.01", "markets[0].max_order_size_base"),
        ("half_spread_bps = 1.5", "half_spread_bps = -1.5", "quote.static"),
        ("levels_per_side = 3", "levels_per_side = 99", "levels.levels_per_side"),
        ("gamma_per_usd = 0.5", "gamma_per_usd = 0.0", "quote.gamma_per_usd"),
        ("max_inventory_lots = 10", "max_inventory_lots = 0", "quote.glft_exact"),
        ("price_bps = 0.5", "price_bps = -0.5", "quote.requote_tolerance"),
        ("duration_s = 30.0", "duration_s = 0.0", "engine.duration_s"),
        ("maker_fee_bps = 1.5", "maker_fee_bps = nan", "venue.sim"),
        ("trade_rate_per_s = 2.0", "trade_rate_per_s = -2.0", "markets[0].synthetic"),
        ("channel_capacity = 1024", "channel_capacity = 0", "runtime.channel_capacity"),
        ("stale_after_ms = 2000", "stale_after_ms = 0", "feed.stale_after_ms"),
        ("level = \"warn\"", "level = \"[[[\"", "logging.level"),
        ("coin = \"SYN-ETH\"", "coin = \"SYN-BTC\"", "markets[1].coin"),
        ("bucket_volume_base = 1.0", "bucket_volume_base = -1.0", "estimator.volume_clock"),
        ("kappa_half_life_s = 60.0", "kappa_half_life_s = 0.0", "estimator.trade_distance"),
        ("sigma_half_life_s = 60.0", "sigma_half_life_s = -60.0", "estimator.mid_vol"),
        ("bug_refusals_to_halt = 5", "bug_refusals_to_halt = 65", "risk.limits.bug_refusals_to_halt"),
    ];
    for (from, to, key) in cases {
        assert!(PAPER.contains(from), "fixture drifted: {from}");
        let err = refused(&PAPER.replacen(from, to, 1));
        assert!(err.contains(key), "{to}: expected `{key}` in: {err}");
    }
}

#[test]
fn thread_layouts_are_checked() {
    let layout = |threads: &str| format!("{PAPER}\n{threads}");
    let hot = "[[runtime.threads]]\nname = \"hot\"\nactors = [\"venue\", \"feed\", \"estimator\", \"quote\", \"risk\", \"order\"]\nwait = \"spin\"\n";
    let cold = "[[runtime.threads]]\nname = \"cold\"\nactors = [\"fill\", \"calibration\"]\nwait = \"park\"\n";
    let ok = Config::parse(&layout(&format!("{hot}{cold}")), "test").unwrap();
    assert_eq!(ok.thread_layout().unwrap().len(), 2);
    let err = refused(&layout(hot));
    assert!(err.contains("runtime.threads") && err.contains("fill"), "{err}");
    let err = refused(&layout(&format!("{hot}{cold}").replace("\"calibration\"", "\"calibrator\"")));
    assert!(err.contains("unknown actor `calibrator`"), "{err}");
    let err = refused(&layout(&format!("{hot}{cold}").replace("\"fill\", ", "\"fill\", \"quote\", ")));
    assert!(err.contains("more than one thread"), "{err}");
    // A core list that does not parse: cores are non-negative integers.
    for bad in ["core = -1", "core = \"one\"", "core = 1.5"] {
        let err = refused(&layout(&format!("{hot}{bad}\n{cold}")));
        assert!(err.contains("core"), "{bad}: {err}");
    }
    let err = refused(&layout(&hot.replace("\"spin\"", "\"busy\"")));
    assert!(err.contains("wait") || err.contains("busy"), "{err}");
}

#[test]
fn unreadable_file_names_the_path() {
    match Config::load("/nonexistent/x.toml".as_ref()) {
        Err(ConfigError::Read { path, .. }) => assert_eq!(path, "/nonexistent/x.toml"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reference_venue_needs_a_websocket_url_and_a_symbol() {
    let with = |section: &str, symbol: &str| {
        let text = PAPER.replacen("[[markets]]", &format!("{section}\n[[markets]]"), 1);
        text.replacen("coin = \"SYN-BTC\"", &format!("coin = \"SYN-BTC\"\n{symbol}"), 1)
    };
    let ok = with("[reference]\nurl = \"wss://fstream.binance.com\"", "reference_symbol = \"BTCUSDT\"");
    let config = Config::parse(&ok, "test").unwrap();
    assert_eq!(config.reference_symbols().len(), 1);
    let err = refused(&with("[reference]\nurl = \"https://x\"", "reference_symbol = \"BTCUSDT\""));
    assert!(err.contains("reference.url"), "{err}");
    let err = refused(&with("[reference]\nurl = \"wss://x\"", ""));
    assert!(err.contains("no market names a reference_symbol"), "{err}");
}

const LIVE: &str = include_str!("../config/live-hyperliquid.toml");

#[test]
fn the_live_profile_is_testnet_and_dry_run_until_told_otherwise() {
    let c = Config::parse(LIVE, "live").unwrap();
    let settings = c.venue.hyperliquid.as_ref().expect("[venue.hyperliquid]").settings().unwrap();
    assert_eq!(settings.network, actors::venues::hyperliquid::exchange::Network::Testnet);
    assert!(settings.dry_run, "a copied profile must not trade before the operator says so");
    assert!(settings.rest_url.starts_with("https://api.hyperliquid-testnet.xyz"));
}

#[test]
fn live_venue_settings_name_their_key() {
    for (line, replacement, key) in [
        ("network = \"testnet\"", "network = \"devnet\"", "unknown variant `devnet`"),
        ("ws_url = \"wss://api.hyperliquid-testnet.xyz/ws\"", "ws_url = \"https://x\"", "venue.hyperliquid.ws_url"),
        ("rest_url = \"https://api.hyperliquid-testnet.xyz\"", "rest_url = \"ftp://x\"", "venue.hyperliquid.rest_url"),
        (
            "# account = \"0x0000000000000000000000000000000000000000\"",
            "account = \"0x12\"",
            "venue.hyperliquid.account",
        ),
        ("post_timeout_ms = 5000", "post_timeout_ms = 0", "venue.hyperliquid.post_timeout_ms"),
        ("on_position_mismatch = \"halt\"", "on_position_mismatch = \"ignore\"", "unknown variant `ignore`"),
        ("key_env = \"HYPERQUOTE_HL_PRIVATE_KEY\"", "key_env = \"K\"\nkey_file = \"/k\"", "not both"),
    ] {
        assert!(LIVE.contains(line), "{line}");
        let err = refused(&LIVE.replacen(line, replacement, 1));
        assert!(err.contains(key), "{replacement}: {err}");
    }
}
