//! FeedActor: venue market data in, validated book snapshots and trades out.
//!
//! It keeps the latest book of every coin, refuses snapshots that cannot be quoted against
//! (crossed or one-sided: counted, not forwarded) and events for coins the engine does not
//! quote. The runtime stamps the ingress time on every message it forwards.

use crate::msg::Msg;
use crate::report::{ActorReport, FeedReport};
use crate::{Actor, ActorId, Outbox};
use engine::market::{L2Book, MarketEvent};
use engine::types::{CoinId, Nanos};

pub struct FeedActor {
    books: Vec<L2Book>,
    report: FeedReport,
}

impl FeedActor {
    pub fn new(coin_count: usize) -> Self {
        Self { books: (0..coin_count).map(|i| L2Book::empty(CoinId(i as u8))).collect(), report: FeedReport::default() }
    }
}

impl Actor for FeedActor {
    fn id(&self) -> ActorId {
        ActorId::Feed
    }

    fn handle(&mut self, _now: Nanos, msg: Msg, out: &mut Outbox) {
        let Msg::MarketData(event) = msg else { return };
        let Some(book) = self.books.get_mut(event.coin().index()) else {
            self.report.unknown_coin_events += 1;
            return;
        };
        match event {
            MarketEvent::Book(snapshot) => {
                if !snapshot.is_two_sided() {
                    self.report.rejected_books += 1;
                    return;
                }
                self.report.books += 1;
                book.clone_from(&snapshot);
                out.send(ActorId::Estimator, Msg::Book(snapshot.clone()));
                out.send(ActorId::Quote, Msg::Book(snapshot));
            }
            MarketEvent::Trade(trade) => {
                self.report.trades += 1;
                out.send(ActorId::Estimator, Msg::Trade(trade));
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
    use engine::market::BookLevel;
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
        let mut actor = FeedActor::new(1);
        assert_eq!(feed(&mut actor, MarketEvent::Book(book(0, 99.0, 101.0))), 2, "to estimator and quote");
        assert_eq!(feed(&mut actor, MarketEvent::Book(book(0, 101.0, 99.0))), 0, "crossed");
        assert_eq!(feed(&mut actor, MarketEvent::Book(L2Book::empty(CoinId(0)))), 0, "empty");
        assert_eq!(feed(&mut actor, MarketEvent::Book(book(5, 99.0, 101.0))), 0, "unknown coin");
        let ActorReport::Feed(r) = actor.report() else { panic!("feed report") };
        assert_eq!((r.books, r.rejected_books, r.unknown_coin_events), (1, 2, 1));
    }
}
