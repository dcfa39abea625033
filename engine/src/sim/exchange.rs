//! The simulated exchange: routes actions and market data to each coin's matching state
//! (`matching`) through the latency model, and hands events back in time order.
//!
//! Timeline: an action submitted at `t` reaches the matching engine at `t + order latency`
//! (cancels: `t + cancel latency`) and is processed there and then; every event it causes is
//! visible to the engine at `processing time + response latency` (`outbox`). A
//! market event given to [`SimExchange::on_market`] at `now` is processed at `now`, after
//! every action that arrived by `now`. Events leave in time order, FIFO among equal times.
//!
//! The dead man's switch (`scheduled_cancel`): a scheduled cancel is an action like an order
//! (order latency). When the clock reaches the scheduled time T, every open order of every
//! coin is cancelled there and then — each a `Cancelled` event with the usual response
//! latency — followed by one `ScheduleCancelFired` with the count. A refresh that arrives
//! before T moves T; one that arrives at T itself is too late.
//!
//! No market impact: our orders never move the market data the exchange is fed
//! (`matching` lists the consequences). Steady state does not allocate: per-coin
//! order storage and both time queues are reserved at construction.

use super::config::SimVenueConfig;
use super::fees::FeeSchedule;
use super::latency::ConstantLatency;
use super::matching::{CoinMarket, MatchOutcome, RestingOrder, MAX_OPEN_ORDERS_PER_COIN};
use super::outbox::Outbox;
use super::scheduled_cancel::{ScheduledCancel, ScheduledCancelStats};
use super::timed_queue::TimedQueue;
use crate::instrument::Instrument;
use crate::market::{MarketEvent, MAX_BOOK_LEVELS};
use crate::types::{Cloid, CoinId, Nanos, UnixNanos};
use crate::venue::{OrderAction, RejectReason, VenueEvent, VenueOrderStatus, MAX_ACTIONS_PER_BATCH};

/// Batches the pending-action queue holds without growing. Hyperliquid advises a batch every
/// ~0.1 s; with millisecond latencies only one or two are ever in flight.
const PENDING_BATCHES_CAPACITY: usize = 8;
/// Most events one action can cause: a taker fill per shown level, then `Accepted`.
const EVENTS_PER_ACTION_MAX: usize = MAX_BOOK_LEVELS + 1;

/// An in-process exchange with price-time priority, a queue-position model, constant
/// latencies and Hyperliquid's fee schedule. `instruments[i]` is `CoinId(i)`.
#[derive(Debug, Clone)]
pub struct SimExchange {
    coins: Vec<CoinMarket>,
    latency: ConstantLatency,
    /// Actions on their way to the matching engine, by arrival time.
    pending: TimedQueue<OrderAction>,
    /// Events on their way back, by the time they become visible.
    outbox: Outbox,
    /// The account's scheduled cancel-all (the dead man's switch).
    scheduled_cancel: ScheduledCancel,
    /// Exchange time at runtime clock zero.
    start_unix: UnixNanos,
}

impl SimExchange {
    /// `start_unix` is the exchange time at runtime clock zero. Latencies are taken as they
    /// are (negative or NaN become zero); call [`SimVenueConfig::validate`] to report them.
    /// Instruments past `CoinId`'s range (256) cannot be addressed and are left out.
    pub fn new(config: &SimVenueConfig, start_unix: UnixNanos, instruments: Vec<Instrument>) -> Self {
        let coins: Vec<CoinMarket> = instruments
            .into_iter()
            .zip(0..=u8::MAX)
            .map(|(instrument, id)| CoinMarket::new(CoinId(id), instrument))
            .collect();
        let pending_capacity = PENDING_BATCHES_CAPACITY * MAX_ACTIONS_PER_BATCH;
        let outbox_capacity = coins.len() * MAX_OPEN_ORDERS_PER_COIN + pending_capacity * EVENTS_PER_ACTION_MAX;
        let latency = ConstantLatency::from_config(config);
        let fees = FeeSchedule { maker_fee_bps: config.maker_fee_bps, taker_fee_bps: config.taker_fee_bps };
        Self {
            coins,
            latency,
            pending: TimedQueue::with_capacity(pending_capacity),
            outbox: Outbox::new(outbox_capacity, fees, latency, start_unix),
            scheduled_cancel: ScheduledCancel::default(),
            start_unix,
        }
    }

    /// Sends `actions` at `now`; each reaches the matching engine after its latency.
    pub fn submit(&mut self, now: Nanos, actions: &[OrderAction]) {
        for action in actions {
            self.pending.push(self.latency.arrival(now, action), *action);
        }
    }

    /// Processes the actions that arrived by `now`, then applies `event` at `now`. Events for
    /// a coin the exchange does not know are ignored.
    pub fn on_market(&mut self, now: Nanos, event: &MarketEvent) {
        self.advance(now);
        let coin = event.coin();
        let Some(market) = self.coins.get_mut(coin.index()) else {
            return;
        };
        let mut sink = self.outbox.sink(coin, now);
        let mut emit = |outcome| sink.push(outcome);
        match event {
            MarketEvent::Book(book) => market.on_book(book, &mut emit),
            MarketEvent::Trade(trade) => market.on_trade(trade, &mut emit),
            // The queue model works on snapshots and trades; a BBO update between two
            // snapshots moves neither our queue place nor the prices we cross.
            MarketEvent::Bbo(_) | MarketEvent::AssetCtx(_) => {}
        }
    }

    /// When something is next due: the earliest pending action, undelivered event or
    /// scheduled cancel.
    pub fn next_wakeup(&self) -> Option<Nanos> {
        [self.pending.next_due(), self.outbox.next_due(), self.scheduled_cancel_due()].into_iter().flatten().min()
    }

    /// Processes actions (and a scheduled cancel) due by `now` and hands out events visible
    /// by `now`, in order.
    pub fn poll(&mut self, now: Nanos, emit: &mut impl FnMut(VenueEvent)) {
        self.advance(now);
        while let Some(event) = self.outbox.pop_visible(now) {
            emit(event);
        }
    }

    /// Orders resting at the matching engine (not those still in flight).
    pub fn open_order_count(&self) -> usize {
        self.coins.iter().map(CoinMarket::open_order_count).sum()
    }

    /// A resting order as the matching engine holds it, with its queue position.
    pub fn resting_order(&self, coin: CoinId, cloid: Cloid) -> Option<RestingOrder> {
        self.coins.get(coin.index()).and_then(|m| m.order(cloid)).copied()
    }

    /// The account's scheduled cancel: when it fires, how often it fired.
    pub fn scheduled_cancel(&self) -> ScheduledCancelStats {
        self.scheduled_cancel.stats()
    }

    /// Processes, in time order, the actions that arrived by `now` and a scheduled cancel
    /// due by `now` (the cancel first when both fall on the same instant).
    fn advance(&mut self, now: Nanos) {
        loop {
            let fire = self.scheduled_cancel_due().filter(|t| *t <= now);
            let action = self.pending.next_due().filter(|t| *t <= now);
            match (fire, action) {
                (Some(fire), action) if action.is_none_or(|a| fire <= a) => self.fire_scheduled_cancel(fire),
                (_, Some(_)) => {
                    let Some((arrived, action)) = self.pending.pop_due(now) else { return };
                    self.process_action(arrived, &action);
                }
                _ => return,
            }
        }
    }

    /// The scheduled cancel's time on the runtime clock.
    fn scheduled_cancel_due(&self) -> Option<Nanos> {
        self.scheduled_cancel.due().map(|at| Nanos(at.0.saturating_sub(self.start_unix.0)))
    }

    /// The scheduled cancel fires at `at`: every open order is cancelled, then the count.
    fn fire_scheduled_cancel(&mut self, at: Nanos) {
        let mut cancelled = 0;
        for (coin, market) in (0..=u8::MAX).map(CoinId).zip(self.coins.iter_mut()) {
            let mut sink = self.outbox.sink(coin, at);
            cancelled += market.cancel_all(&mut |outcome| sink.push(outcome));
        }
        let cancelled_orders = u32::try_from(cancelled).unwrap_or(u32::MAX);
        if let Some(at_unix) = self.scheduled_cancel.fired(cancelled_orders) {
            self.outbox.push_account(at, VenueEvent::ScheduleCancelFired { at: at_unix, cancelled_orders });
        }
    }

    fn process_action(&mut self, at: Nanos, action: &OrderAction) {
        let coin = match action {
            OrderAction::Place(req) => req.coin,
            OrderAction::Cancel { coin, .. } | OrderAction::Modify { coin, .. } => *coin,
            OrderAction::QueryStatus { coin, cloid } => {
                // Resting, finished (remembered for a while), or never seen.
                let resting = self.coins.get(coin.index()).and_then(|m| m.order(*cloid)).is_some();
                let status = if resting {
                    VenueOrderStatus::Open
                } else {
                    self.outbox.finished_status(*coin, *cloid).unwrap_or(VenueOrderStatus::Unknown)
                };
                self.outbox.push_account(at, VenueEvent::OrderStatus { coin: *coin, cloid: *cloid, status });
                return;
            }
            OrderAction::ScheduleCancel { at: time } => {
                let venue_now = UnixNanos(self.start_unix.0.saturating_add(at.0));
                let event = match self.scheduled_cancel.set(venue_now, *time) {
                    Ok(()) => VenueEvent::ScheduleCancelAccepted { at: *time },
                    Err(reason) => VenueEvent::ScheduleCancelRejected { at: *time, reason },
                };
                self.outbox.push_account(at, event);
                return;
            }
        };
        let mut sink = self.outbox.sink(coin, at);
        let mut emit = |outcome| sink.push(outcome);
        match (action, self.coins.get_mut(coin.index())) {
            (OrderAction::Place(req), Some(market)) => market.place(req, &mut emit),
            (OrderAction::Place(req), None) => emit(MatchOutcome::Rejected(req.cloid, RejectReason::UnknownCoin)),
            (OrderAction::Cancel { cloid, .. }, Some(market)) => market.cancel(*cloid, &mut emit),
            (OrderAction::Cancel { cloid, .. }, None) => emit(MatchOutcome::CancelRejected(*cloid)),
            // A modify is the cancel and then the place, in one action; a gone order refuses both.
            (OrderAction::Modify { cloid, new, .. }, Some(market)) if market.order(*cloid).is_some() => {
                market.cancel(*cloid, &mut emit);
                market.place(new, &mut emit);
            }
            (OrderAction::Modify { cloid, new, .. }, _) => {
                emit(MatchOutcome::CancelRejected(*cloid));
                emit(MatchOutcome::Rejected(new.cloid, RejectReason::OrderGone));
            }
            (OrderAction::ScheduleCancel { .. } | OrderAction::QueryStatus { .. }, _) => {}
        }
    }

    /// Reserved sizes of every store, to show that steady state does not grow them.
    #[cfg(test)]
    pub(crate) fn capacities(&self) -> Vec<usize> {
        let mut caps: Vec<usize> = self.coins.iter().map(CoinMarket::order_capacity).collect();
        caps.extend([self.pending.capacity(), self.outbox.capacity()]);
        caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::test_support::{book_event, cancel, instrument, place, trade_event};
    use crate::types::Side;

    const MS: u64 = 1_000_000;

    fn exchange(config: &SimVenueConfig) -> SimExchange {
        SimExchange::new(config, UnixNanos(0), vec![instrument()])
    }

    fn poll(ex: &mut SimExchange, now: Nanos) -> Vec<VenueEvent> {
        let mut out = Vec::new();
        ex.poll(now, &mut |e| out.push(e));
        out
    }

    fn accepted(cloid: u128) -> VenueEvent {
        VenueEvent::Accepted { coin: CoinId(0), cloid: Cloid(cloid) }
    }

    #[test]
    fn nothing_is_visible_before_order_plus_response_latency() {
        let config = SimVenueConfig { order_latency_ms: 3.0, response_latency_ms: 4.0, ..SimVenueConfig::default() };
        let mut ex = exchange(&config);
        ex.on_market(Nanos(0), &book_event(&[("100", "5")], &[("100.05", "5")]));
        ex.submit(Nanos(MS), &[place(1, Side::Bid, "100", "1", true)]);
        assert_eq!(ex.next_wakeup(), Some(Nanos(4 * MS)));
        assert!(poll(&mut ex, Nanos(4 * MS - 1)).is_empty());
        assert_eq!(ex.open_order_count(), 0, "still in flight");
        assert!(poll(&mut ex, Nanos(4 * MS)).is_empty(), "arrived, answer on its way");
        assert_eq!(ex.open_order_count(), 1);
        assert_eq!(ex.next_wakeup(), Some(Nanos(8 * MS)));
        assert!(poll(&mut ex, Nanos(8 * MS - 1)).is_empty());
        assert_eq!(poll(&mut ex, Nanos(8 * MS)), vec![accepted(1)]);
        assert_eq!(ex.next_wakeup(), None);
    }

    #[test]
    fn a_faster_cancel_overtakes_its_order() {
        let config = SimVenueConfig { order_latency_ms: 5.0, cancel_latency_ms: 1.0, ..SimVenueConfig::default() };
        let mut ex = exchange(&config);
        ex.submit(Nanos(0), &[place(1, Side::Bid, "100", "1", true)]);
        ex.submit(Nanos(MS), &[cancel(1)]);
        let rejected = VenueEvent::CancelRejected { coin: CoinId(0), cloid: Cloid(1) };
        assert_eq!(poll(&mut ex, Nanos(100 * MS)), vec![rejected, accepted(1)]);
    }

    #[test]
    fn events_of_one_batch_keep_submission_order() {
        let mut ex = exchange(&SimVenueConfig::default());
        let batch: Vec<OrderAction> = (1..=5).map(|i| place(i, Side::Bid, "99", "1", true)).collect();
        ex.submit(Nanos(0), &batch);
        assert_eq!(poll(&mut ex, Nanos(10 * MS)), (1..=5).map(accepted).collect::<Vec<_>>());
    }

    #[test]
    fn unknown_coin_is_rejected_and_its_cancel_too() {
        let mut ex = exchange(&SimVenueConfig::default());
        let OrderAction::Place(mut req) = place(1, Side::Bid, "100", "1", true) else { unreachable!() };
        req.coin = CoinId(3);
        let unknown_cancel = OrderAction::Cancel { coin: CoinId(3), cloid: Cloid(1) };
        ex.submit(Nanos(0), &[OrderAction::Place(req), unknown_cancel]);
        let expected = vec![
            VenueEvent::Rejected { coin: CoinId(3), cloid: Cloid(1), reason: RejectReason::UnknownCoin },
            VenueEvent::CancelRejected { coin: CoinId(3), cloid: Cloid(1) },
        ];
        assert_eq!(poll(&mut ex, Nanos(10 * MS)), expected);
    }

    #[test]
    fn due_actions_are_processed_before_a_market_event_at_the_same_time() {
        let mut ex = exchange(&SimVenueConfig::default());
        ex.submit(Nanos(0), &[place(1, Side::Ask, "100", "1", true)]);
        ex.on_market(Nanos(5 * MS), &trade_event(Side::Bid, "100", "1"));
        let events = poll(&mut ex, Nanos(10 * MS));
        assert_eq!(events.len(), 2);
        assert_eq!(events[0], accepted(1));
        assert!(matches!(events[1], VenueEvent::Fill(f) if f.cloid == Cloid(1)));
    }

    #[test]
    fn a_status_query_tells_open_filled_cancelled_rejected_and_unknown() {
        let mut ex = exchange(&SimVenueConfig::default());
        ex.on_market(Nanos(0), &book_event(&[("100", "5")], &[("100.05", "5")]));
        ex.submit(
            Nanos(0),
            &[
                place(1, Side::Bid, "100", "1", true),
                place(2, Side::Ask, "100.05", "1", true),
                place(3, Side::Bid, "100.05", "1", true),
            ],
        );
        ex.submit(Nanos(MS), &[cancel(1)]);
        poll(&mut ex, Nanos(10 * MS));
        // A buyer takes the whole ask at 100.05: order 2 fills.
        ex.on_market(Nanos(11 * MS), &trade_event(Side::Bid, "100.05", "10"));
        poll(&mut ex, Nanos(20 * MS));
        let query = |cloid| OrderAction::QueryStatus { coin: CoinId(0), cloid: Cloid(cloid) };
        ex.submit(Nanos(20 * MS), &[query(1), query(2), query(3), query(4)]);
        let statuses: Vec<VenueOrderStatus> = poll(&mut ex, Nanos(40 * MS))
            .into_iter()
            .filter_map(|e| if let VenueEvent::OrderStatus { status, .. } = e { Some(status) } else { None })
            .collect();
        let expected = vec![
            VenueOrderStatus::Cancelled,
            VenueOrderStatus::Filled,
            VenueOrderStatus::Rejected(RejectReason::PostOnlyWouldMatch),
            VenueOrderStatus::Unknown,
        ];
        assert_eq!(statuses, expected);
        // A resting order is Open.
        ex.submit(Nanos(40 * MS), &[place(5, Side::Bid, "99", "1", true)]);
        ex.submit(Nanos(50 * MS), &[query(5)]);
        assert!(poll(&mut ex, Nanos(80 * MS)).contains(&VenueEvent::OrderStatus {
            coin: CoinId(0),
            cloid: Cloid(5),
            status: VenueOrderStatus::Open
        }));
    }
}
