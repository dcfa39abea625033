//! Builds the venue node and the seven actors from a validated configuration.

use crate::config::Config;
use actors::nodes::{
    CalibrationActor, EstimatorActor, FeedActor, FillActor, OrderActor, QuoteActor, QuoteCoin, RiskActor,
};
use actors::venues::recording::RecordingVenue;
use actors::venues::{
    BinanceDecoder, HyperliquidDecoder, RecordedMarket, RecordingOpener, RecordingSequence, SimVenue,
};
use actors::Actor;
use engine::hyperliquid::CoinTable;
use engine::instrument::Instrument;
use engine::market::synthetic::SyntheticMarket;
use engine::market::{MarketSource, PushedMarket};
use engine::order::DeadMansSwitch;
use engine::risk::TradingState;
use engine::sim::SimExchange;
use engine::types::{CoinId, Nanos, Qty, UnixNanos};
use std::path::PathBuf;

/// Where the simulated venue's market comes from.
#[derive(Debug, Clone)]
pub enum MarketChoice {
    /// The built-in synthetic market (every market needs its `synthetic` section).
    Synthetic,
    /// Recordings of one venue (Hyperliquid, or Binance USD-M for the first market's
    /// `<COIN>USDT`), played in time order at `speed` recorded seconds per runtime second.
    Replay { paths: Vec<PathBuf>, speed: f64 },
    /// Live Hyperliquid market data from a WebSocket (`run --live URL`), pushed to the venue
    /// by a `LiveFeed`; orders still go to the simulated exchange.
    Live { url: String },
}

#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    #[error("synthetic market: {0}")]
    Synthetic(String),
    #[error("markets[{0}].synthetic is missing: the synthetic market needs it (or run --replay FILE)")]
    MissingSynthetic(usize),
    #[error("replay: {0}")]
    Replay(String),
    #[error("quote model: {0}")]
    Quote(String),
    #[error("risk limits: {0}")]
    Risk(String),
    #[error(transparent)]
    Estimator(#[from] engine::estimator::EstimatorConfigError),
    #[error("venue.dead_mans_switch: {0}")]
    DeadMansSwitch(#[from] engine::order::DeadMansSwitchConfigError),
}

/// The coin-name table of the configured markets, for the Hyperliquid parser.
pub fn coin_table(config: &Config) -> Result<CoinTable, WiringError> {
    CoinTable::new(config.markets.iter().map(|m| m.coin.as_str())).map_err(|e| WiringError::Replay(e.to_string()))
}

pub fn instruments(config: &Config) -> Vec<Instrument> {
    config
        .markets
        .iter()
        .map(|m| Instrument { name: m.coin.clone(), sz_decimals: m.sz_decimals, min_notional_usd: m.min_notional_usd })
        .collect()
}

fn market_source(config: &Config, choice: &MarketChoice) -> Result<Box<dyn MarketSource>, WiringError> {
    match choice {
        MarketChoice::Synthetic => {
            let mut coins = Vec::with_capacity(config.markets.len());
            for (i, (instrument, m)) in instruments(config).into_iter().zip(&config.markets).enumerate() {
                coins.push((instrument, m.synthetic.clone().ok_or(WiringError::MissingSynthetic(i))?));
            }
            let start_unix = UnixNanos::from_millis(config.venue.start_unix_ms);
            let market = SyntheticMarket::new(config.engine.seed, start_unix, coins)
                .map_err(|e| WiringError::Synthetic(e.to_string()))?;
            Ok(Box::new(market))
        }
        MarketChoice::Live { .. } => Ok(Box::new(PushedMarket)),
        MarketChoice::Replay { paths, speed } => {
            let coins = coin_table(config)?;
            let binance_symbol = config.markets.first().map(|m| format!("{}USDT", m.coin)).unwrap_or_default();
            let speed = *speed;
            let open: RecordingOpener = Box::new(move |path, venue, origin| {
                Ok(match venue {
                    RecordingVenue::Hyperliquid => Box::new(RecordedMarket::open_from(
                        path,
                        HyperliquidDecoder::new(coins.clone()),
                        speed,
                        Some(origin),
                    )?) as Box<dyn MarketSource>,
                    RecordingVenue::BinanceUsdm => Box::new(RecordedMarket::open_from(
                        path,
                        BinanceDecoder::new(&binance_symbol, CoinId(0)),
                        speed,
                        Some(origin),
                    )?),
                })
            });
            let market = RecordingSequence::new(paths, open).map_err(|e| WiringError::Replay(e.to_string()))?;
            Ok(Box::new(market))
        }
    }
}

/// The venue node plus the seven actors. `session_prefix` seeds the client order ids.
pub fn build_actors(
    config: &Config,
    session_prefix: u64,
    market: &MarketChoice,
) -> Result<Vec<Box<dyn Actor>>, WiringError> {
    let instruments = instruments(config);
    let start_unix = UnixNanos::from_millis(config.venue.start_unix_ms);
    let market = market_source(config, market)?;
    let exchange = SimExchange::new(&config.venue.sim, start_unix, instruments.clone());
    let venue = Box::new(SimVenue::new(market, exchange));
    let session = Session {
        prefix: session_prefix,
        venue_clock_at_start: start_unix,
        trading_state: config.risk.trading_state,
        fill: FillActor::new(instruments.len()),
    };
    build_engine(config, venue, session)
}

/// What differs between a paper run and a live session besides the venue node.
pub struct Session {
    /// Seeds the client order ids (distinct per process).
    pub prefix: u64,
    /// The venue's clock when the runtime's clock reads zero (the dead man's switch's times).
    pub venue_clock_at_start: UnixNanos,
    /// The trading state to start in.
    pub trading_state: TradingState,
    /// FillActor, fresh or seeded with the session's earlier fills.
    pub fill: FillActor,
}

/// The seven actors around `venue`.
pub fn build_engine(
    config: &Config,
    venue: Box<dyn Actor>,
    session: Session,
) -> Result<Vec<Box<dyn Actor>>, WiringError> {
    let instruments = instruments(config);
    let coin_count = instruments.len();
    let buckets: Vec<Option<f64>> = config.markets.iter().map(|m| m.volume_bucket_base).collect();
    let quote_coins = instruments
        .iter()
        .zip(&config.markets)
        .map(|(instrument, m)| QuoteCoin {
            instrument: instrument.clone(),
            order_size: Qty::from_f64(m.order_size_base),
            max_position: Qty::from_f64(m.max_position_base),
        })
        .collect();
    let risk = RiskActor::new(session.trading_state, config.risk_limits(), instruments.clone(), config.risk.address)
        .map_err(|e| WiringError::Risk(e.to_string()))?;
    let lead_horizon = Nanos::from_secs_f64(config.estimator.reference.lead_horizon_s);
    let switch = DeadMansSwitch::new(&config.venue.dead_mans_switch, session.venue_clock_at_start)?;
    Ok(vec![
        venue,
        Box::new(FeedActor::new(coin_count, Nanos::from_millis(config.feed.stale_after_ms))),
        Box::new(EstimatorActor::new(&config.estimator, &buckets)?),
        Box::new(
            QuoteActor::new(config.quote.clone(), quote_coins)
                .map_err(WiringError::Quote)?
                .with_calibration(config.calibration.clone()),
        ),
        Box::new(risk),
        Box::new(
            OrderActor::new(coin_count, session.prefix, config.quote.requote_tolerance).with_dead_mans_switch(switch),
        ),
        Box::new(session.fill),
        Box::new(CalibrationActor::new(coin_count, config.calibration.clone(), lead_horizon)),
    ])
}
