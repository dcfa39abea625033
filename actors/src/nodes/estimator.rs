//! EstimatorActor: owns each coin's estimators (`CoinEstimators`) and publishes their
//! `MarketParams` snapshot (latest-value) to QuoteActor and FillActor on every book. A
//! once-a-second tick lets time windows close between events (armed by an event, so an idle
//! or ended market leaves the actor without timers), and every κ recompute
//! is logged as one structured record (at most one per coin per
//! `trade_distance.recompute_interval_s`, so logging stays off the per-event path).

use crate::msg::Msg;
use crate::report::{ActorReport, CoinEstimate, EstimatorReport};
use crate::{Actor, ActorId, Outbox};
use engine::estimator::{CoinEstimators, EstimatorConfig, EstimatorConfigError, KappaUpdate, MarketParams};
use engine::types::{CoinId, Nanos};

/// How often time-windowed estimators are advanced without an event.
const TICK: Nanos = Nanos::from_millis(1_000);

struct CoinState {
    estimators: CoinEstimators,
    last: Option<MarketParams>,
    trades: u64,
}

pub struct EstimatorActor {
    coins: Vec<CoinState>,
    books: u64,
    trades: u64,
    asset_contexts: u64,
    kappa_updates: u64,
    /// Armed by the first event after a tick.
    next_tick: Option<Nanos>,
}

impl EstimatorActor {
    /// One set of estimators per coin; `bucket_volume_base[i]` overrides coin `i`'s volume
    /// bucket size.
    pub fn new(config: &EstimatorConfig, bucket_volume_base: &[Option<f64>]) -> Result<Self, EstimatorConfigError> {
        let coins = bucket_volume_base
            .iter()
            .enumerate()
            .map(|(i, bucket)| {
                let estimators = CoinEstimators::new(CoinId(i as u8), config, *bucket)?;
                Ok(CoinState { estimators, last: None, trades: 0 })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { coins, books: 0, trades: 0, asset_contexts: 0, kappa_updates: 0, next_tick: None })
    }

    fn kappa_record(&mut self, coin: CoinId, update: KappaUpdate) {
        self.kappa_updates += 1;
        tracing::info!(
            target: "hyperquote::kappa",
            coin = coin.0,
            trades_in_window = update.trades_in_window,
            avg_distance_bps = update.avg_distance_bps,
            kappa = update.kappa_per_frac,
            kappa_ewma = update.kappa_ewma_per_frac,
            "kappa update"
        );
    }
}

impl Actor for EstimatorActor {
    fn id(&self) -> ActorId {
        ActorId::Estimator
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        self.next_tick.get_or_insert(now + TICK);
        match msg {
            Msg::Book(book) => {
                let Some(coin) = self.coins.get_mut(book.coin.index()) else { return };
                self.books += 1;
                if let Some(params) = coin.estimators.on_book(now, &book) {
                    coin.last = Some(params);
                    out.send(ActorId::Quote, Msg::Params(params));
                    out.send(ActorId::Fill, Msg::Params(params));
                }
            }
            Msg::Trade(trade) => {
                let Some(coin) = self.coins.get_mut(trade.coin.index()) else { return };
                coin.trades += 1;
                self.trades += 1;
                if let Some(update) = coin.estimators.on_trade(now, &trade) {
                    self.kappa_record(trade.coin, update);
                }
            }
            Msg::AssetCtx(context) => {
                let Some(coin) = self.coins.get_mut(context.coin.index()) else { return };
                self.asset_contexts += 1;
                coin.estimators.on_asset_ctx(now, &context);
            }
            _ => {}
        }
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        self.next_tick
    }

    fn on_wakeup(&mut self, now: Nanos, _out: &mut Outbox) {
        self.next_tick = None;
        for i in 0..self.coins.len() {
            if let Some(update) = self.coins[i].estimators.on_time(now) {
                self.kappa_record(CoinId(i as u8), update);
            }
        }
    }

    fn report(&self) -> ActorReport {
        let coins = self
            .coins
            .iter()
            .enumerate()
            .map(|(i, c)| CoinEstimate::new(CoinId(i as u8), c.last.as_ref(), c.trades))
            .collect();
        ActorReport::Estimator(EstimatorReport {
            books: self.books,
            trades: self.trades,
            asset_contexts: self.asset_contexts,
            kappa_updates: self.kappa_updates,
            coins,
        })
    }
}
