//! Builds the venue node and the seven actors from a validated configuration.

use crate::config::Config;
use actors::nodes::{
    CalibrationActor, EstimatorActor, FeedActor, FillActor, OrderActor, QuoteActor, QuoteCoin, RiskActor,
};
use actors::venues::SimVenue;
use actors::Actor;
use engine::instrument::Instrument;
use engine::market::synthetic::SyntheticMarket;
use engine::quote::StaticSpreadQuoter;
use engine::risk::CoinLimits;
use engine::sim::SimExchange;
use engine::types::{Nanos, Qty, UnixNanos};

#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    #[error("synthetic market: {0}")]
    Synthetic(String),
    #[error("quote model: {0}")]
    Quote(String),
    #[error("risk limits: {0}")]
    Risk(String),
}

pub fn instruments(config: &Config) -> Vec<Instrument> {
    config
        .markets
        .iter()
        .map(|m| Instrument { name: m.coin.clone(), sz_decimals: m.sz_decimals, min_notional_usd: m.min_notional_usd })
        .collect()
}

/// The venue node plus the seven actors. `session_prefix` seeds the client order ids.
pub fn build_actors(config: &Config, session_prefix: u64) -> Result<Vec<Box<dyn Actor>>, WiringError> {
    let instruments = instruments(config);
    let coin_count = instruments.len();
    let start_unix = UnixNanos::from_millis(config.venue.start_unix_ms);
    let market = SyntheticMarket::new(
        config.engine.seed,
        start_unix,
        instruments.iter().cloned().zip(config.markets.iter().map(|m| m.synthetic.clone())).collect(),
    )
    .map_err(|e| WiringError::Synthetic(e.to_string()))?;
    let exchange = SimExchange::new(&config.venue.sim, start_unix, instruments.clone());
    let quoter = StaticSpreadQuoter::new(config.quote.clone()).map_err(|e| WiringError::Quote(e.to_string()))?;
    let mut quote_coins = Vec::with_capacity(coin_count);
    let mut risk_coins = Vec::with_capacity(coin_count);
    for (instrument, m) in instruments.iter().zip(&config.markets) {
        let limits = CoinLimits {
            max_position: Qty::from_f64(m.max_position_base),
            max_order_size: Qty::from_f64(m.max_order_size_base),
        };
        limits.validate(&m.coin).map_err(|e| WiringError::Risk(e.to_string()))?;
        quote_coins.push(QuoteCoin {
            instrument: instrument.clone(),
            order_size: Qty::from_f64(m.order_size_base),
            max_position: limits.max_position,
        });
        risk_coins.push((instrument.clone(), limits));
    }
    Ok(vec![
        Box::new(SimVenue::new(market, exchange)),
        Box::new(FeedActor::new(coin_count, Nanos::from_millis(config.feed.stale_after_ms))),
        Box::new(EstimatorActor::new(coin_count, &config.estimator)),
        Box::new(QuoteActor::new(quoter, quote_coins)),
        Box::new(RiskActor::new(config.risk.trading_state, risk_coins)),
        Box::new(OrderActor::new(coin_count, session_prefix)),
        Box::new(FillActor::new(coin_count)),
        Box::new(CalibrationActor::default()),
    ])
}
