//! EstimatorActor: owns the per-coin estimators and publishes `MarketParams` (latest-value)
//! to QuoteActor and FillActor on every book.

use crate::msg::Msg;
use crate::report::{ActorReport, CoinEstimate, EstimatorReport};
use crate::{Actor, ActorId, Outbox};
use engine::estimator::{MarketParams, MidVolConfig, MidVolEstimator};
use engine::types::{CoinId, Nanos};

struct CoinState {
    estimator: MidVolEstimator,
    last: Option<MarketParams>,
    trades: u64,
}

pub struct EstimatorActor {
    coins: Vec<CoinState>,
    books: u64,
    trades: u64,
}

impl EstimatorActor {
    pub fn new(coin_count: usize, config: &MidVolConfig) -> Self {
        let coins = (0..coin_count)
            .map(|_| CoinState { estimator: MidVolEstimator::new(config), last: None, trades: 0 })
            .collect();
        Self { coins, books: 0, trades: 0 }
    }
}

impl Actor for EstimatorActor {
    fn id(&self) -> ActorId {
        ActorId::Estimator
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        match msg {
            Msg::Book(book) => {
                let Some(coin) = self.coins.get_mut(book.coin.index()) else { return };
                self.books += 1;
                if let Some(params) = coin.estimator.on_book(now, &book) {
                    coin.last = Some(params);
                    out.send(ActorId::Quote, Msg::Params(params));
                    out.send(ActorId::Fill, Msg::Params(params));
                }
            }
            Msg::Trade(trade) => {
                if let Some(coin) = self.coins.get_mut(trade.coin.index()) {
                    coin.trades += 1;
                    self.trades += 1;
                }
            }
            _ => {}
        }
    }

    fn report(&self) -> ActorReport {
        let coins = self
            .coins
            .iter()
            .enumerate()
            .map(|(i, c)| CoinEstimate {
                coin: CoinId(i as u8),
                mid_usd: c.last.map_or(f64::NAN, |p| p.mid_usd),
                sigma_frac_per_sqrt_s: c.estimator.sigma_frac_per_sqrt_s(),
                sigma_is_warm: c.estimator.is_warm(),
                trades: c.trades,
            })
            .collect();
        ActorReport::Estimator(EstimatorReport { books: self.books, trades: self.trades, coins })
    }
}
