//! EstimatorActor: owns each coin's estimators (`CoinEstimators`) and publishes their
//! `MarketParams` snapshot (latest-value) to RiskActor (mid, σ and oracle price for its
//! limits; sent first, so Risk knows the market before the intent it causes), QuoteActor
//! and FillActor on every book. A
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
    reference_mids: u64,
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
        Ok(Self { coins, books: 0, trades: 0, asset_contexts: 0, kappa_updates: 0, reference_mids: 0, next_tick: None })
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
                    out.send(ActorId::Risk, Msg::Params(params));
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
            Msg::ReferenceMid(reference) => {
                let Some(coin) = self.coins.get_mut(reference.coin.index()) else { return };
                self.reference_mids += 1;
                coin.estimators.on_reference_mid(now, reference.mid_usd);
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
            reference_mids: self.reference_mids,
            coins,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::market::{AssetContext, BookLevel, L2Book};
    use engine::types::{Price, Qty};

    fn book(mid: f64) -> Msg {
        let mut b = L2Book::empty(CoinId(0));
        let level = |px: f64| BookLevel { px: Price::from_f64(px), sz: Qty::from_f64(1.0), orders: 1 };
        b.bids.push(level(mid - 0.5));
        b.asks.push(level(mid + 0.5));
        Msg::Book(b)
    }

    #[test]
    fn publishes_params_with_context_and_ticks_only_while_events_arrive() {
        let mut actor = EstimatorActor::new(&EstimatorConfig::default(), &[None]).unwrap();
        assert_eq!(actor.next_wakeup(), None, "no timer before any event");
        let mut out = Outbox::default();
        let context = AssetContext {
            coin: CoinId(0),
            funding_rate_frac_per_hour: Some(2.5e-5),
            open_interest_base: Some(Qty::from_f64(100.0)),
            oracle_px: Some(Price::from_f64(100.2)),
            mark_px: None,
        };
        actor.handle(Nanos(1), Msg::AssetCtx(context), &mut out);
        actor.handle(Nanos(2), book(100.0), &mut out);
        let sent = out.take();
        let params: Vec<_> =
            sent.iter().filter_map(|o| if let Msg::Params(p) = &o.msg { Some(p) } else { None }).collect();
        let targets: Vec<ActorId> = sent.iter().map(|o| o.to).collect();
        assert_eq!(targets, vec![ActorId::Risk, ActorId::Quote, ActorId::Fill], "Risk first");
        assert_eq!(params.len(), 3);
        assert_eq!(params[0].context.funding_rate_frac_per_hour, Some(2.5e-5));
        assert_eq!(params[0].context.oracle_px_usd, Some(100.2), "the oracle price reaches Risk");
        assert_eq!(params[0].mid_usd, 100.0);
        // Unknown coins are ignored, not a panic.
        let mut other = context;
        other.coin = CoinId(9);
        actor.handle(Nanos(3), Msg::AssetCtx(other), &mut out);
        // The tick comes once after the events, then the actor sleeps until the next event.
        let tick = actor.next_wakeup().expect("armed by the events");
        actor.on_wakeup(tick, &mut out);
        assert_eq!(actor.next_wakeup(), None);
        let ActorReport::Estimator(r) = actor.report() else { panic!("estimator report") };
        assert_eq!((r.books, r.asset_contexts), (1, 1));
        assert_eq!(r.coins[0].mid_usd, 100.0);
    }

    #[test]
    fn a_bad_config_is_refused_with_its_key() {
        let mut config = EstimatorConfig::default();
        config.trade_distance.window_s = 0.0;
        let err = EstimatorActor::new(&config, &[None]).err().unwrap();
        assert_eq!(err.key, "trade_distance");
    }
}
