//! FeedActor: venue market data in, validated books and trades out, feed health tracked.
//!
//! It keeps a `BookKeeper` per coin: a snapshot replaces the book, a BBO update moves its
//! top; an update that would leave the book crossed, one-sided or out of order is refused
//! (counted by reason) and the last good book stays. Every accepted update forwards the
//! coin's book to EstimatorActor and QuoteActor. When a coin gets no accepted update for
//! `stale_after`, RiskActor hears `FeedHealth { stale: true }` (and pulls that coin's
//! quotes); the next accepted update brings `stale: false`. Events for coins the engine
//! does not quote are counted.

use crate::msg::{FeedHealth, Msg};
use crate::report::{ActorReport, FeedReport};
use crate::{Actor, ActorId, Outbox};
use engine::market::{BookKeeper, BookReject, FeedHealthChange, MarketEvent};
use engine::types::{CoinId, Nanos};

pub struct FeedActor {
    keepers: Vec<BookKeeper>,
    report: FeedReport,
}

impl FeedActor {
    pub fn new(coin_count: usize, stale_after: Nanos) -> Self {
        Self {
            keepers: (0..coin_count).map(|i| BookKeeper::new(CoinId(i as u8), stale_after)).collect(),
            report: FeedReport::default(),
        }
    }

    fn health(&mut self, now: Nanos, coin: CoinId, change: FeedHealthChange, out: &mut Outbox) {
        let (stale, since) = match change {
            FeedHealthChange::Stale { since } => {
                self.report.stale_events += 1;
                tracing::warn!(coin = coin.0, silent_ms = now.saturating_sub(since).0 / 1_000_000, "feed stale");
                (true, since)
            }
            FeedHealthChange::Fresh => {
                self.report.fresh_events += 1;
                tracing::info!(coin = coin.0, "feed fresh again");
                (false, now)
            }
        };
        out.send(ActorId::Risk, Msg::FeedHealth(FeedHealth { coin, stale, since }));
    }
}

impl Actor for FeedActor {
    fn id(&self) -> ActorId {
        ActorId::Feed
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        if let Msg::FeedResync = msg {
            self.report.resyncs += 1;
            self.keepers.iter_mut().for_each(BookKeeper::resync);
            return;
        }
        let Msg::MarketData(event) = msg else { return };
        let coin = event.coin();
        let Some(keeper) = self.keepers.get_mut(coin.index()) else {
            self.report.unknown_coin_events += 1;
            return;
        };
        let applied = match &event {
            MarketEvent::Book(snapshot) => keeper.apply_snapshot(now, snapshot),
            MarketEvent::Bbo(bbo) => keeper.apply_bbo(now, bbo),
            MarketEvent::Trade(trade) => {
                self.report.trades += 1;
                out.send(ActorId::Estimator, Msg::Trade(*trade));
                return;
            }
            MarketEvent::AssetCtx(context) => {
                self.report.asset_contexts += 1;
                out.send(ActorId::Estimator, Msg::AssetCtx(*context));
                return;
            }
        };
        match applied {
            Ok(change) => {
                match event {
                    MarketEvent::Bbo(_) => self.report.bbo_updates += 1,
                    _ => self.report.books += 1,
                }
                let book = keeper.book();
                out.send(ActorId::Estimator, Msg::Book(book.clone()));
                out.send(ActorId::Quote, Msg::Book(book.clone()));
                if let Some(change) = change {
                    self.health(now, coin, change, out);
                }
            }
            Err(BookReject::Crossed) => self.report.rejected_crossed += 1,
            Err(BookReject::OneSided) => self.report.rejected_one_sided += 1,
            Err(BookReject::OutOfOrder) => self.report.rejected_out_of_order += 1,
        }
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        self.keepers.iter().filter_map(BookKeeper::stale_deadline).min()
    }

    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        for i in 0..self.keepers.len() {
            if let Some(change) = self.keepers[i].check_stale(now) {
                self.health(now, CoinId(i as u8), change, out);
            }
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Feed(self.report.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::market::{BookLevel, L2Book};
    use engine::types::{Price, Qty};

    fn book(coin: u8, bid: f64, ask: f64) -> L2Book {
        let mut b = L2Book::empty(CoinId(coin));
        let level = |px: f64| BookLevel { px: Price::from_f64(px), sz: Qty::from_f64(1.0), orders: 1 };
        b.bids.push(level(bid));
        b.asks.push(level(ask));
        b
    }

    fn feed(actor: &mut FeedActor, event: MarketEvent) -> usize {
        let mut out = Outbox::default();
        actor.handle(Nanos(1), Msg::MarketData(event), &mut out);
        out.len()
    }

    #[test]
    fn forwards_good_books_and_counts_bad_ones() {
        let mut actor = FeedActor::new(1, Nanos::from_millis(1000));
        assert_eq!(feed(&mut actor, MarketEvent::Book(book(0, 99.0, 101.0))), 2, "to estimator and quote");
        assert_eq!(feed(&mut actor, MarketEvent::Book(book(0, 101.0, 99.0))), 0, "crossed");
        assert_eq!(feed(&mut actor, MarketEvent::Book(L2Book::empty(CoinId(0)))), 0, "empty");
        assert_eq!(feed(&mut actor, MarketEvent::Book(book(5, 99.0, 101.0))), 0, "unknown coin");
        let context = |coin: u8| engine::market::AssetContext {
            coin: CoinId(coin),
            funding_rate_frac_per_hour: Some(1.25e-5),
            open_interest_base: None,
            oracle_px: None,
            mark_px: None,
        };
        assert_eq!(feed(&mut actor, MarketEvent::AssetCtx(context(0))), 1, "context to the estimator");
        assert_eq!(feed(&mut actor, MarketEvent::AssetCtx(context(5))), 0, "unknown coin");
        let ActorReport::Feed(r) = actor.report() else { panic!("feed report") };
        assert_eq!((r.books, r.rejected_crossed, r.rejected_one_sided, r.unknown_coin_events), (1, 1, 1, 2));
        assert_eq!(r.asset_contexts, 1);
    }

    #[test]
    fn silence_turns_the_feed_stale_once_and_data_makes_it_fresh() {
        let mut actor = FeedActor::new(1, Nanos::from_millis(1000));
        assert_eq!(actor.next_wakeup(), None, "nothing to watch before the first book");
        feed(&mut actor, MarketEvent::Book(book(0, 99.0, 101.0)));
        assert_eq!(actor.next_wakeup(), Some(Nanos(1) + Nanos::from_millis(1000)));
        let mut out = Outbox::default();
        actor.on_wakeup(Nanos::from_millis(1001), &mut out);
        let sent = out.take();
        assert!(
            matches!(sent.as_slice(), [o] if o.to == ActorId::Risk && matches!(o.msg, Msg::FeedHealth(h) if h.stale))
        );
        assert_eq!(actor.next_wakeup(), None, "stale is reported once");
        let mut out = Outbox::default();
        let mut later = book(0, 99.0, 101.0);
        later.exchange_time = engine::types::UnixNanos(5);
        actor.handle(Nanos::from_millis(1500), Msg::MarketData(MarketEvent::Book(later)), &mut out);
        let fresh = out.take().into_iter().filter(|o| matches!(o.msg, Msg::FeedHealth(h) if !h.stale)).count();
        assert_eq!(fresh, 1);
        let ActorReport::Feed(r) = actor.report() else { panic!("feed report") };
        assert_eq!((r.stale_events, r.fresh_events), (1, 1));
    }
}
