//! Tests of the synthetic market: determinism, validity of every book and trade, the realised
//! statistics against the configuration, and the depth shape against the real capture.

use super::*;
use crate::market::MAX_BOOK_LEVELS;
use std::io::BufRead;

const START_UNIX: UnixNanos = UnixNanos(1_737_918_843_542_000_000);

fn btc() -> (Instrument, SyntheticCoinConfig) {
    (
        Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 },
        SyntheticCoinConfig {
            start_mid_usd: 100_000.0,
            sigma_frac_per_sqrt_s: 1.0e-4,
            trade_rate_per_s: 2.0,
            trade_distance_mean_bps: 2.0,
            trade_size_median_base: 0.001,
            book_interval_ms: 500,
            depth_scale_base: 3.8,
        },
    )
}

fn eth() -> (Instrument, SyntheticCoinConfig) {
    (
        Instrument { name: "ETH".into(), sz_decimals: 4, min_notional_usd: 10.0 },
        SyntheticCoinConfig {
            start_mid_usd: 3000.0,
            sigma_frac_per_sqrt_s: 1.3e-4,
            trade_rate_per_s: 1.5,
            trade_distance_mean_bps: 3.0,
            trade_size_median_base: 0.03,
            book_interval_ms: 500,
            depth_scale_base: 60.0,
        },
    )
}

fn market(seed: u64, coins: Vec<(Instrument, SyntheticCoinConfig)>) -> SyntheticMarket {
    SyntheticMarket::new(seed, START_UNIX, coins).unwrap()
}

/// Drains every event up to `until` in one go.
fn run(market: &mut SyntheticMarket, until: Nanos) -> Vec<(Nanos, MarketEvent)> {
    std::iter::from_fn(|| market.pop_due(until)).collect()
}

fn secs(s: u64) -> Nanos {
    Nanos(s * 1_000_000_000)
}

#[test]
fn same_seed_same_events_different_seed_different_events() {
    let a = run(&mut market(7, vec![btc(), eth()]), secs(120));
    let b = run(&mut market(7, vec![btc(), eth()]), secs(120));
    let c = run(&mut market(8, vec![btc(), eth()]), secs(120));
    assert!(a.len() > 500, "only {} events", a.len());
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn sequence_does_not_depend_on_how_often_the_caller_polls() {
    let all_at_once = run(&mut market(11, vec![btc(), eth()]), secs(60));
    let mut m = market(11, vec![btc(), eth()]);
    let mut stepped = Vec::new();
    let mut now = Nanos::ZERO;
    while now <= secs(60) {
        while let Some((at, event)) = m.pop_due(now) {
            assert!(at <= now, "event at {at:?} popped at {now:?}");
            stepped.push((at, event));
        }
        assert!(m.next_event_time() > now);
        now = now + Nanos::from_millis(37);
    }
    assert_eq!(all_at_once, stepped);
}

#[test]
fn first_events_are_a_book_per_coin_at_time_zero() {
    let mut m = market(1, vec![btc(), eth()]);
    assert_eq!(m.next_event_time(), Nanos::ZERO);
    for coin in 0..2u8 {
        match m.pop_due(Nanos::ZERO) {
            Some((Nanos::ZERO, MarketEvent::Book(book))) => {
                assert_eq!(book.coin, CoinId(coin));
                assert_eq!(book.exchange_time, START_UNIX);
            }
            other => panic!("expected coin {coin}'s book at t=0, got {other:?}"),
        }
    }
}

/// Every book valid, every trade consistent with its coin's latest book, times in order,
/// two coins interleaved; a third coin starts just above $1000 where the ETH tick changes
/// from $0.1 to $0.01, with a high σ so it crosses that boundary many times.
#[test]
fn books_and_trades_are_valid_and_consistent_across_coins() {
    let (eth_instrument, eth_config) = eth();
    let edge =
        (eth_instrument, SyntheticCoinConfig { start_mid_usd: 1000.3, sigma_frac_per_sqrt_s: 2e-3, ..eth_config });
    let coins = vec![btc(), eth(), edge];
    let instruments: Vec<Instrument> = coins.iter().map(|(i, _)| i.clone()).collect();
    let mut m = market(5, coins);
    let events = run(&mut m, secs(1800));

    let mut latest: Vec<Option<L2Book>> = vec![None; instruments.len()];
    let (mut last_at, mut last_tid) = (Nanos::ZERO, 0u64);
    let (mut books, mut trades, mut below_1000, mut above_1000) = ([0usize; 3], [0usize; 3], 0, 0);
    let mut coin_switches = 0;
    let mut last_coin = None;
    for (at, event) in &events {
        assert!(*at >= last_at, "time went back: {at:?} after {last_at:?}");
        last_at = *at;
        let c = event.coin().index();
        coin_switches += usize::from(last_coin.is_some_and(|l| l != c));
        last_coin = Some(c);
        let instrument = &instruments[c];
        match event {
            MarketEvent::Book(book) => {
                books[c] += 1;
                assert_eq!(book.exchange_time, UnixNanos(START_UNIX.0 + at.0));
                assert_eq!(book.bids.len(), MAX_BOOK_LEVELS);
                assert_eq!(book.asks.len(), MAX_BOOK_LEVELS);
                assert!(book.is_two_sided() && !book.is_crossed(), "bad touch {book:?}");
                for level in book.bids.iter().chain(book.asks.iter()) {
                    assert!(instrument.is_valid_price(level.px), "{} off the grid", level.px);
                    assert!(instrument.is_valid_qty(level.sz), "{} not whole lots", level.sz);
                }
                assert!(book.bids.windows(2).all(|w| w[0].px > w[1].px), "bids not descending");
                assert!(book.asks.windows(2).all(|w| w[0].px < w[1].px), "asks not ascending");
                if c == 2 {
                    let mid = book.mid_usd().unwrap();
                    below_1000 += usize::from(mid < 1000.0);
                    above_1000 += usize::from(mid > 1000.0);
                }
                latest[c] = Some(book.clone());
            }
            MarketEvent::Bbo(_) | MarketEvent::AssetCtx(_) => {
                panic!("the synthetic market emits no bbo or context updates")
            }
            MarketEvent::Trade(trade) => {
                trades[c] += 1;
                assert!(trade.tid > last_tid, "tid {} after {last_tid}", trade.tid);
                last_tid = trade.tid;
                assert_eq!(trade.exchange_time, UnixNanos(START_UNIX.0 + at.0));
                assert!(instrument.is_valid_price(trade.px), "trade px {} off the grid", trade.px);
                assert!(instrument.is_valid_qty(trade.sz), "trade sz {} not whole lots", trade.sz);
                let book = latest[c].as_ref().expect("a trade before its coin's first book");
                match trade.aggressor {
                    Side::Ask => {
                        assert!(trade.px <= book.bids[0].px, "sell {} above bid {}", trade.px, book.bids[0].px)
                    }
                    Side::Bid => assert!(trade.px >= book.asks[0].px, "buy {} below ask {}", trade.px, book.asks[0].px),
                }
            }
        }
    }
    assert!(books.iter().all(|&n| n > 3000), "books per coin {books:?}");
    assert!(trades.iter().all(|&n| n > 2000), "trades per coin {trades:?}");
    assert!(coin_switches > events.len() / 3, "coins are not interleaved");
    assert!(below_1000 > 100 && above_1000 > 100, "edge coin never crossed $1000: {below_1000} / {above_1000}");
}

/// Two simulated hours of one BTC-like coin. Statistical tolerances are several standard
/// errors wide, so they hold for any seed, yet far tighter than a wrong model would pass.
#[test]
fn realised_statistics_match_the_config() {
    let (instrument, config) = btc();
    let horizon_s = 7200.0;
    let mut m = market(2024, vec![(instrument.clone(), config.clone())]);
    let events = run(&mut m, Nanos::from_secs_f64(horizon_s));

    let (mut trades, mut buys, mut distance_bps_sum) = (0usize, 0usize, 0.0);
    let mut mids: Vec<(f64, f64)> = Vec::new();
    let mut book_mid_usd = config.start_mid_usd;
    let mut tick_bps_sum = 0.0;
    for (at, event) in &events {
        match event {
            MarketEvent::Book(book) => {
                book_mid_usd = book.mid_usd().unwrap();
                mids.push((at.as_secs_f64(), book_mid_usd));
            }
            MarketEvent::Bbo(_) | MarketEvent::AssetCtx(_) => {
                panic!("the synthetic market emits no bbo or context updates")
            }
            MarketEvent::Trade(trade) => {
                trades += 1;
                buys += usize::from(trade.aggressor == Side::Bid);
                distance_bps_sum += (trade.px.to_f64() - book_mid_usd).abs() / book_mid_usd * BPS_PER_FRAC;
                tick_bps_sum += instrument.tick_at(trade.px).to_f64() / book_mid_usd * BPS_PER_FRAC;
            }
        }
    }

    // Poisson count: n = 14,400 expected, standard error 0.8%; allow 4%.
    let rate_per_s = trades as f64 / horizon_s;
    assert!((rate_per_s / config.trade_rate_per_s - 1.0).abs() < 0.04, "trade rate {rate_per_s}/s");
    // Aggressor fair coin: standard error 0.4%; allow 2 points.
    let buy_frac = buys as f64 / trades as f64;
    assert!((buy_frac - 0.5).abs() < 0.02, "buy fraction {buy_frac}");

    // Realised volatility from mids sampled every 10th snapshot (~5 s), so the half-tick
    // rounding of each snapshot mid (±0.05 bps here) adds < 0.1% to the variance; 1440
    // returns give a standard error of ~2% on σ; allow 10%.
    let sampled: Vec<(f64, f64)> = mids.iter().step_by(10).copied().collect();
    let (mut sum_sq, mut sum_dt) = (0.0, 0.0);
    for w in sampled.windows(2) {
        sum_sq += (w[1].1 / w[0].1).ln().powi(2);
        sum_dt += w[1].0 - w[0].0;
    }
    let sigma_hat = (sum_sq / sum_dt).sqrt();
    assert!((sigma_hat / config.sigma_frac_per_sqrt_s - 1.0).abs() < 0.10, "realised σ {sigma_hat}");

    // Mean distance from the book mid. A print beyond the half spread is rounded outward to
    // the grid, which adds half a tick on average (0.05 bps here); a print inside it is
    // pushed out to the touch, which adds at most half a spread times the tiny chance of
    // landing there (< 0.01 bps). So expect mean + half a tick; the exponential's standard
    // error over 14,400 trades is 0.8%; allow 5%.
    let mean_distance_bps = distance_bps_sum / trades as f64;
    let expected_bps = config.trade_distance_mean_bps + tick_bps_sum / trades as f64 / 2.0;
    assert!(
        (mean_distance_bps / expected_bps - 1.0).abs() < 0.05,
        "mean distance {mean_distance_bps} bps, expected {expected_bps}"
    );
}

/// Mean size per level index over both sides, from the real capture. Fails loudly if the
/// capture is missing: this test exists to compare against it.
fn capture_mean_size_per_level() -> [f64; MAX_BOOK_LEVELS] {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("the real capture {path} is required: {e}"));
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let (mut sums, mut counts) = ([0.0; MAX_BOOK_LEVELS], [0usize; MAX_BOOK_LEVELS]);
    for line in reader.lines() {
        let line = line.unwrap();
        let (_local_ns, json) = line.split_once(' ').unwrap();
        let frame: serde_json::Value = serde_json::from_str(json).unwrap();
        if frame["channel"] != "l2Book" {
            continue;
        }
        for side in frame["data"]["levels"].as_array().unwrap() {
            for (i, level) in side.as_array().unwrap().iter().enumerate() {
                sums[i] += level["sz"].as_str().unwrap().parse::<f64>().unwrap();
                counts[i] += 1;
            }
        }
    }
    assert!(counts.iter().all(|&n| n > 0), "capture has no full books: {counts:?}");
    std::array::from_fn(|i| sums[i] / counts[i] as f64)
}

/// Ranks of `values` (0 = smallest); ties do not occur with these continuous means.
fn ranks(values: &[f64; MAX_BOOK_LEVELS]) -> [f64; MAX_BOOK_LEVELS] {
    let mut order: [usize; MAX_BOOK_LEVELS] = std::array::from_fn(|i| i);
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = [0.0; MAX_BOOK_LEVELS];
    for (rank, &i) in order.iter().enumerate() {
        ranks[i] = rank as f64;
    }
    ranks
}

fn spearman(a: &[f64; MAX_BOOK_LEVELS], b: &[f64; MAX_BOOK_LEVELS]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = MAX_BOOK_LEVELS as f64;
    let d2: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - y).powi(2)).sum();
    1.0 - 6.0 * d2 / (n * (n * n - 1.0))
}

#[test]
fn depth_shape_follows_the_real_capture() {
    let capture = capture_mean_size_per_level();
    let (instrument, config) = btc();
    let config = SyntheticCoinConfig { depth_scale_base: capture[0], ..config };
    let mut m = market(99, vec![(instrument, config)]);
    let (mut sums, mut books) = ([0.0; MAX_BOOK_LEVELS], 0usize);
    for (_, event) in run(&mut m, secs(1800)) {
        if let MarketEvent::Book(book) = event {
            books += 1;
            for side in [&book.bids, &book.asks] {
                for (i, level) in side.iter().enumerate() {
                    sums[i] += level.sz.to_f64();
                }
            }
        }
    }
    let generated: [f64; MAX_BOOK_LEVELS] = std::array::from_fn(|i| sums[i] / (2 * books) as f64);
    let last = MAX_BOOK_LEVELS - 1;
    for i in [0, last] {
        let ratio = generated[i] / capture[i];
        assert!((0.5..2.0).contains(&ratio), "level {i}: generated {} vs capture {}", generated[i], capture[i]);
    }
    // The deepest level holds the most, as in the capture.
    assert!(generated[last] > generated[..last].iter().copied().fold(0.0, f64::max));
    let rho = spearman(&generated, &capture);
    assert!(rho > 0.8, "rank correlation {rho}: generated {generated:?} vs capture {capture:?}");
}

#[test]
fn bad_config_names_the_field() {
    let with = |f: fn(&mut SyntheticCoinConfig)| {
        let (instrument, mut config) = btc();
        f(&mut config);
        SyntheticMarket::new(0, START_UNIX, vec![eth(), (instrument, config)]).err()
    };
    assert_eq!(
        with(|c| c.sigma_frac_per_sqrt_s = -1e-4),
        Some(SyntheticConfigError::NotPositive { coin: 1, field: "sigma_frac_per_sqrt_s", value: -1e-4 })
    );
    assert_eq!(
        with(|c| c.trade_rate_per_s = 0.0),
        Some(SyntheticConfigError::NotPositive { coin: 1, field: "trade_rate_per_s", value: 0.0 })
    );
    assert_eq!(
        with(|c| c.book_interval_ms = 0),
        Some(SyntheticConfigError::NotPositive { coin: 1, field: "book_interval_ms", value: 0.0 })
    );
    assert_eq!(
        with(|c| c.depth_scale_base = f64::NAN),
        Some(SyntheticConfigError::NotFinite { coin: 1, field: "depth_scale_base" })
    );
    assert_eq!(
        with(|c| c.trade_distance_mean_bps = f64::INFINITY),
        Some(SyntheticConfigError::NotFinite { coin: 1, field: "trade_distance_mean_bps" })
    );
    // BTC's finest tick is $0.1, too coarse to lay 20 levels a side around a $1 mid.
    assert!(matches!(with(|c| c.start_mid_usd = 1.0), Some(SyntheticConfigError::StartMidOutOfRange { coin: 1, .. })));
    assert_eq!(SyntheticMarket::new(0, START_UNIX, vec![]).err(), Some(SyntheticConfigError::NoCoins));
    assert_eq!(
        SyntheticMarket::new(0, START_UNIX, vec![btc(); 17]).err(),
        Some(SyntheticConfigError::TooManyCoins { count: 17, max: 16 })
    );
}
