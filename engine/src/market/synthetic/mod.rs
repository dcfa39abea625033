//! A seeded synthetic Hyperliquid market: L2 snapshots and trades for one or more coins, so
//! paper runs, backtests and tests have realistic-looking data without a network.
//!
//! Model, per coin:
//! - the latent mid is a driftless geometric random walk: between the coin's consecutive book
//!   snapshots the log-mid moves by N(0, σ²·Δt). Each snapshot is rebuilt around it on the
//!   coin's real tick grid (Hyperliquid's 5-significant-figure rule) with a spread, level gaps
//!   and lognormal level sizes measured from a real capture (see `depth.rs`). The walk is only
//!   sampled at snapshots: trades are priced off the last published book (below), so sampling
//!   it in between would change nothing anyone can observe;
//! - snapshots come every `book_interval_ms` ± `BOOK_INTERVAL_JITTER_FRAC`;
//! - trades are a Poisson process at `trade_rate_per_s`, the aggressor buys or sells with equal
//!   odds, and its distance from the last book's mid is exponential with mean
//!   `trade_distance_mean_bps`, which is exactly the distribution that defines κ in
//!   MODELS.md ("Fill intensity"). A distance inside the half spread prints at the touch;
//!   beyond it the price is rounded away from the mid onto the grid, so a sell always prints
//!   at or below the best bid and a buy at or above the best ask of the latest book. Sizes are
//!   lognormal around `trade_size_median_base`, whole lots, at least one.
//!
//! Limitation: the latent mid is independent of the trade flow, so trades carry no
//! information about the next mid (no adverse selection beyond the random walk itself).
//!
//! One ChaCha8 stream feeds every coin and every draw happens when its event is popped, in
//! event order, so a seed fixes the whole merged sequence regardless of how often the caller
//! polls. Exchange time is `start_unix + t` for runtime-clock time `t`. Steady-state popping
//! does not allocate: books are fixed-capacity and the coin table is built once.

mod config;
mod depth;
/// The synthetic market never ends.
impl super::MarketSource for SyntheticMarket {
    fn next_event_time(&self) -> Option<Nanos> {
        Some(SyntheticMarket::next_event_time(self))
    }

    fn pop_due(&mut self, now: Nanos) -> Option<(Nanos, MarketEvent)> {
        SyntheticMarket::pop_due(self, now)
    }
}

#[cfg(test)]
mod tests;

pub use config::{SyntheticCoinConfig, SyntheticConfigError};

use self::config::validate_coin_count;
use self::depth::{build_book, DEEPEST_LEVEL_TICKS};
use crate::instrument::Instrument;
use crate::market::{L2Book, MarketEvent, Trade};
use crate::types::{CoinId, Nanos, Price, Qty, Side, UnixNanos};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Exp1, StandardNormal};

/// Basis points in one unit fraction.
const BPS_PER_FRAC: f64 = 1e4;

/// Half-width of the uniform jitter on the snapshot interval, as a fraction of it. The capture
/// shows intervals of 0.48–0.71 s around a mean of 0.56 s; ±10% keeps coins from ticking in
/// lockstep while the mean interval stays exactly `book_interval_ms`.
const BOOK_INTERVAL_JITTER_FRAC: f64 = 0.1;

/// Log-sd of the lognormal trade size: the capture's 64 BTC prints have a log-sd of 2.44
/// (sizes from 0.0001 to 0.19 BTC). Mean over median is therefore e^(2.4²/2) ≈ 18.
const TRADE_SIZE_LOG_SD: f64 = 2.4;

/// Farthest a trade may print from the mid, as a fraction of it. An exponential distance has
/// no upper bound; a print 50% away is no longer a market, and the cap keeps sell prices
/// positive. With a few bps mean distance the cap is never reached (probability e^−2500).
const MAX_TRADE_DISTANCE_FRAC: f64 = 0.5;

/// Highest mid the walk may reach, USD. Prices are i64 in 1e-8 units (at most $9.2e10); this
/// leaves the deepest ask and the farthest buy print (1.5 × mid) two orders of magnitude of
/// headroom.
const MAX_MID_USD: f64 = 1e9;

/// The lowest mid is this many times the deepest level's distance from it (in the
/// instrument's finest ticks), so every bid stays at or above half the mid and every sell
/// print (at most `MAX_TRADE_DISTANCE_FRAC` below it) stays positive.
const MIN_MID_OVER_DEEPEST_LEVEL: f64 = 2.0;

/// Which kind of event a coin has pending. At equal times a book comes before a trade, so a
/// trade at the same instant is priced off the fresh book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EventKind {
    Book,
    Trade,
}

/// One coin's generator state.
#[derive(Debug, Clone)]
struct CoinState {
    instrument: Instrument,
    config: SyntheticCoinConfig,
    /// Natural log of the latent mid in USD.
    log_mid: f64,
    log_mid_min: f64,
    log_mid_max: f64,
    /// The latest snapshot (built at construction too, so it is never empty).
    book: L2Book,
    best_bid: Price,
    best_ask: Price,
    last_book_at: Nanos,
    next_book_at: Nanos,
    next_trade_at: Nanos,
}

/// A deterministic multi-coin synthetic market. `coins[i]` of [`SyntheticMarket::new`] is
/// `CoinId(i)`.
#[derive(Debug, Clone)]
pub struct SyntheticMarket {
    rng: ChaCha8Rng,
    start_unix: UnixNanos,
    coins: Vec<CoinState>,
    /// Next trade id; ids increase across all coins.
    next_tid: u64,
}

impl SyntheticMarket {
    /// `coins[i]` is `CoinId(i)`. Rejects an empty or oversized coin list, and any parameter
    /// that is not finite and positive or a start mid the tick grid cannot hold a book at.
    pub fn new(
        seed: u64,
        start_unix: UnixNanos,
        coins: Vec<(Instrument, SyntheticCoinConfig)>,
    ) -> Result<Self, SyntheticConfigError> {
        validate_coin_count(coins.len())?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut states = Vec::with_capacity(coins.len());
        for (index, (instrument, config)) in coins.into_iter().enumerate() {
            config.validate(index)?;
            // The finest tick this instrument ever has (prices below $1 use the decimal cap).
            let finest_tick_usd = instrument.tick_at(Price(1)).to_f64();
            let min_mid_usd = MIN_MID_OVER_DEEPEST_LEVEL * f64::from(DEEPEST_LEVEL_TICKS + 1) * finest_tick_usd;
            if !(min_mid_usd..=MAX_MID_USD).contains(&config.start_mid_usd) {
                return Err(SyntheticConfigError::StartMidOutOfRange {
                    coin: index,
                    value: config.start_mid_usd,
                    min_usd: min_mid_usd,
                    max_usd: MAX_MID_USD,
                });
            }
            // Fits in a u8: validate_coin_count capped the count at MAX_COINS.
            let coin = CoinId(index as u8);
            let mut book = L2Book::empty(coin);
            let (best_bid, best_ask) =
                build_book(&mut rng, &instrument, config.start_mid_usd, config.depth_scale_base, &mut book);
            book.exchange_time = start_unix;
            let first_trade_gap = trade_gap(&mut rng, config.trade_rate_per_s);
            states.push(CoinState {
                log_mid: config.start_mid_usd.ln(),
                log_mid_min: min_mid_usd.ln(),
                log_mid_max: MAX_MID_USD.ln(),
                instrument,
                config,
                book,
                best_bid,
                best_ask,
                last_book_at: Nanos::ZERO,
                next_book_at: Nanos::ZERO,
                next_trade_at: first_trade_gap,
            });
        }
        Ok(Self { rng, start_unix, coins: states, next_tid: 1 })
    }

    /// Runtime-clock time of the next event (for schedulers and idle waits).
    pub fn next_event_time(&self) -> Nanos {
        self.next_due().map_or(Nanos::MAX, |(at, _, _)| at)
    }

    /// The next event if it is due at or before `now`, else `None`. Call repeatedly to drain.
    /// Does not allocate.
    pub fn pop_due(&mut self, now: Nanos) -> Option<(Nanos, MarketEvent)> {
        let (at, kind, index) = self.next_due()?;
        if at > now {
            return None;
        }
        let event = match kind {
            EventKind::Book => MarketEvent::Book(self.emit_book(index, at).clone()),
            EventKind::Trade => MarketEvent::Trade(self.emit_trade(index, at)),
        };
        Some((at, event))
    }

    /// Earliest pending event: by time, then books before trades, then by coin.
    fn next_due(&self) -> Option<(Nanos, EventKind, usize)> {
        self.coins
            .iter()
            .enumerate()
            .flat_map(|(index, c)| {
                [(c.next_book_at, EventKind::Book, index), (c.next_trade_at, EventKind::Trade, index)]
            })
            .min()
    }

    fn exchange_time(&self, at: Nanos) -> UnixNanos {
        UnixNanos(self.start_unix.0.saturating_add(at.0))
    }

    /// Moves the walk to `at`, rebuilds the coin's book around it and schedules the next one.
    fn emit_book(&mut self, index: usize, at: Nanos) -> &L2Book {
        let exchange_time = self.exchange_time(at);
        let rng = &mut self.rng;
        let coin = &mut self.coins[index];
        let dt_s = at.saturating_sub(coin.last_book_at).as_secs_f64();
        let z: f64 = rng.sample(StandardNormal);
        coin.log_mid = (coin.log_mid + coin.config.sigma_frac_per_sqrt_s * dt_s.sqrt() * z)
            .clamp(coin.log_mid_min, coin.log_mid_max);
        coin.last_book_at = at;

        let (best_bid, best_ask) =
            build_book(rng, &coin.instrument, coin.log_mid.exp(), coin.config.depth_scale_base, &mut coin.book);
        coin.book.exchange_time = exchange_time;
        coin.best_bid = best_bid;
        coin.best_ask = best_ask;

        let jitter = rng.gen_range(-BOOK_INTERVAL_JITTER_FRAC..=BOOK_INTERVAL_JITTER_FRAC);
        let interval_s = coin.config.book_interval_ms as f64 / 1e3 * (1.0 + jitter);
        // At least 1 ns, so time always advances.
        coin.next_book_at = at + Nanos::from_secs_f64(interval_s).max(Nanos(1));
        &coin.book
    }

    /// Prints one trade against the coin's latest book and schedules the next trade.
    fn emit_trade(&mut self, index: usize, at: Nanos) -> Trade {
        let exchange_time = self.exchange_time(at);
        let tid = self.next_tid;
        self.next_tid += 1;
        let rng = &mut self.rng;
        let coin = &mut self.coins[index];
        let (best_bid, best_ask) = (coin.best_bid, coin.best_ask);

        let aggressor = if rng.gen::<bool>() { Side::Bid } else { Side::Ask };
        let mid_usd = (best_bid.to_f64() + best_ask.to_f64()) / 2.0;
        let half_spread_usd = (best_ask - best_bid).to_f64() / 2.0;
        let exp1: f64 = rng.sample(Exp1);
        let distance_frac = (exp1 * coin.config.trade_distance_mean_bps / BPS_PER_FRAC).min(MAX_TRADE_DISTANCE_FRAC);
        let distance_usd = distance_frac * mid_usd;
        let inside_spread = distance_usd <= half_spread_usd;
        // A buyer lifts asks (price rounds up, never below the best ask); a seller hits bids.
        let px = match aggressor {
            Side::Bid if inside_spread => best_ask,
            Side::Ask if inside_spread => best_bid,
            Side::Bid => {
                coin.instrument.round_price_passive(Price::from_f64(mid_usd + distance_usd), Side::Ask).max(best_ask)
            }
            Side::Ask => {
                coin.instrument.round_price_passive(Price::from_f64(mid_usd - distance_usd), Side::Bid).min(best_bid)
            }
        };

        let z: f64 = rng.sample(StandardNormal);
        let size_base = coin.config.trade_size_median_base * (TRADE_SIZE_LOG_SD * z).exp();
        let sz = coin.instrument.round_qty_down(Qty::from_f64(size_base)).max(coin.instrument.lot());

        coin.next_trade_at = at + trade_gap(rng, coin.config.trade_rate_per_s);
        Trade { coin: coin.book.coin, aggressor, px, sz, exchange_time, tid }
    }
}

/// Exponential waiting time to the next Poisson arrival at `rate_per_s`.
fn trade_gap<R: Rng>(rng: &mut R, rate_per_s: f64) -> Nanos {
    let exp1: f64 = rng.sample(Exp1);
    Nanos::from_secs_f64(exp1 / rate_per_s)
}
