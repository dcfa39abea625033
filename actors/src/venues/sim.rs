//! The `sim` venue node: a market source (the built-in synthetic market, or a recording
//! replayed) and the simulated exchange, hosted like an actor so paper mode and backtests
//! have the whole outside world in-process.
//!
//! Market data may also be pushed to it (`Msg::MarketData` from a live feed). Each market
//! event goes to the exchange first (it moves queue positions and fills our
//! orders) and then to FeedActor, stamped with its ingress time. Order batches from
//! OrderActor go to the exchange; its responses go to OrderActor, and fills to FillActor too.
//! The exchange honours the dead man's switch: when a scheduled cancel fires, the cancels
//! and the firing reach OrderActor like any other answer.

use crate::msg::Msg;
use crate::report::{ActorReport, VenueReport};
use crate::{Actor, ActorId, Outbox};
use engine::market::MarketSource;
use engine::sim::SimExchange;
use engine::types::Nanos;
use engine::venue::VenueEvent;

pub struct SimVenue {
    market: Box<dyn MarketSource>,
    exchange: SimExchange,
    report: VenueReport,
}

impl SimVenue {
    pub fn new(market: Box<dyn MarketSource>, exchange: SimExchange) -> Self {
        Self { market, exchange, report: VenueReport::default() }
    }

    fn emit(&mut self, now: Nanos, out: &mut Outbox) {
        let report = &mut self.report;
        self.exchange.poll(now, &mut |event| {
            report.venue_events += 1;
            if matches!(event, VenueEvent::Fill(_)) {
                out.send_from(now, ActorId::Fill, Msg::Venue(event));
            }
            out.send_from(now, ActorId::Order, Msg::Venue(event));
        });
    }
}

impl Actor for SimVenue {
    fn id(&self) -> ActorId {
        ActorId::Venue
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        if let Msg::MarketData(event) = msg {
            // Pushed market data (a live feed): same path as the source's own events.
            self.report.market_events += 1;
            self.exchange.on_market(now, &event);
            out.send(ActorId::Feed, Msg::MarketData(event));
            self.emit(now, out);
        } else if let Msg::Action(a) = msg {
            // The simulated exchange takes actions one at a time; a batch only matters for
            // the live venue's signing and rate limits.
            self.exchange.submit(now, std::slice::from_ref(&a.action));
            if a.is_last() {
                self.report.action_batches += 1;
            }
            self.emit(now, out);
        }
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        match (self.market.next_event_time(), self.exchange.next_wakeup()) {
            (Some(m), Some(e)) => Some(m.min(e)),
            (m, e) => m.or(e),
        }
    }

    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        while let Some((_, event)) = self.market.pop_due(now) {
            self.report.market_events += 1;
            self.exchange.on_market(now, &event);
            out.send_from(now, ActorId::Feed, Msg::MarketData(event));
        }
        self.emit(now, out);
    }

    fn report(&self) -> ActorReport {
        ActorReport::Venue(VenueReport {
            open_orders: self.exchange.open_order_count(),
            market_ended: self.market.next_event_time().is_none(),
            source: self.market.counters(),
            dead_mans_switch: self.exchange.scheduled_cancel(),
            ..self.report.clone()
        })
    }
}
