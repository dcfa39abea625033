//! The lifecycle of each order of one coin, as Hyperliquid can actually report it.
//!
//! States: PendingNew → Open → PartiallyFilled → Filled / Cancelled / Rejected, with
//! PendingCancel and PendingModify while those requests are unanswered. Hyperliquid answers
//! a request and reports fills on separate streams, so events arrive in any order: a fill
//! before the resting ack, a cancel ack after a full fill, duplicates after a reconnect. The
//! state is therefore not a stored enum but derived from facts that only accumulate (which
//! requests are unanswered, what the venue confirmed, the fills seen by trade id), so no
//! arrival order can put an order in a state its fills contradict. An event the facts rule
//! out is counted and ignored; nothing panics.
//!
//! In-flight limit: at most `max_in_flight_per_coin` unanswered requests; more are refused.
//! An action unanswered for `ack_timeout` turns into an [`OrderStatusQuery`] (repeated every
//! `ack_timeout` until answered). Time is handed in; nothing reads a clock.
//!
//! **Replacement** ([`CoinLifecycles::replace`], the venue's [`crate::venue::OrderAction::Modify`]
//! with a new cloid): recorded as its two halves, a cancel of the old order and a place of the
//! new one (two answers awaited, two in-flight slots), linked so that a refusal of the whole
//! modify (`Rejected{new}` with a reason other than `OrderGone`) also answers the cancel half:
//! the old order rests on. (The in-place modify of [`CoinLifecycles::modify`] is the
//! `batchModify` answer format of [`ActionKind::Modify`].)
//!
//! Memory is bounded: [`MAX_TRACKED_ORDERS_PER_COIN`] per coin, finished orders retired after
//! `finished_linger` ([`CoinLifecycles::retire_finished`]); when the table is full a new order
//! evicts the longest-finished one early rather than being refused.
//!
//! **Layout**, so that no per-event cost grows with the finished orders lingering for late
//! events: live orders (not ended, or with a request unanswered) sit in a small table, the
//! only one scanned for timeouts, with a running in-flight count; finished ones sit in a ring
//! ordered by end time, whose front is the next to retire or evict (module `tables`). An order
//! moves between the two as its facts change; a late fill contradicting a reject brings it
//! back to the live table.

mod tables;
mod tracked_order;
mod vocabulary;

use super::responses::ItemOutcome;
use crate::types::{Cloid, CoinId, Nanos, Price, Qty};
use crate::venue::{OrderRequest, RejectReason, VenueEvent};
use tables::{FinishedRing, LiveTable};

pub use crate::venue::VenueOrderStatus;
pub use tracked_order::TrackedOrder;
pub use vocabulary::{
    ActionKind, EventOutcome, LifecycleConfig, LifecycleCounters, LifecycleState, OrderEvent, OrderStatusQuery, Refusal,
};

/// Orders tracked per coin, finished ones included until retired.
pub const MAX_TRACKED_ORDERS_PER_COIN: usize = 128;
/// Trade ids remembered per order for de-duplication; later fills are still counted.
pub const MAX_FILL_IDS_PER_ORDER: usize = 16;

/// Where an order is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Live(usize),
    Finished(usize),
}

/// The lifecycles of one coin's orders.
#[derive(Debug, Clone)]
pub struct CoinLifecycles {
    coin: CoinId,
    config: LifecycleConfig,
    live: LiveTable,
    finished: FinishedRing,
    counters: LifecycleCounters,
}

impl CoinLifecycles {
    pub fn new(coin: CoinId, config: LifecycleConfig) -> Self {
        Self {
            coin,
            config,
            live: LiveTable::default(),
            finished: FinishedRing::default(),
            counters: LifecycleCounters::default(),
        }
    }

    pub fn get(&self, cloid: Cloid) -> Option<&TrackedOrder> {
        self.locate(cloid).map(|slot| self.order(slot))
    }

    pub fn state(&self, cloid: Cloid) -> Option<LifecycleState> {
        self.get(cloid).map(TrackedOrder::state)
    }

    /// Every tracked order, live ones first.
    pub fn iter(&self) -> impl Iterator<Item = &TrackedOrder> {
        self.live.iter().chain(self.finished.iter())
    }

    pub fn counters(&self) -> &LifecycleCounters {
        &self.counters
    }

    /// Unanswered requests of this coin.
    pub fn in_flight(&self) -> usize {
        self.live.in_flight()
    }

    fn locate(&self, cloid: Cloid) -> Option<Slot> {
        match self.live.find(cloid) {
            Some(i) => Some(Slot::Live(i)),
            None => self.finished.find(cloid).map(Slot::Finished),
        }
    }

    fn order(&self, slot: Slot) -> &TrackedOrder {
        match slot {
            Slot::Live(i) => self.live.get(i),
            Slot::Finished(i) => self.finished.get(i),
        }
    }

    /// Changes the order at `slot` through `f`, settles it at `now`, and moves it between
    /// the live table and the finished ring if it finished or came back.
    fn update<R>(
        &mut self,
        slot: Slot,
        now: Nanos,
        f: impl FnOnce(&mut TrackedOrder, &mut LifecycleCounters) -> R,
    ) -> R {
        let counters = &mut self.counters;
        match slot {
            Slot::Live(i) => {
                let (r, finished) = self.live.update(i, |order| {
                    let r = f(order, counters);
                    order.settle(now);
                    (r, order.is_finished())
                });
                if finished {
                    let order = self.live.swap_remove(i);
                    self.finished.insert(order);
                }
                r
            }
            Slot::Finished(i) => {
                let order = self.finished.get_mut(i);
                let r = f(order, counters);
                order.settle(now);
                if !order.is_finished() {
                    if let Some(order) = self.finished.remove(i) {
                        self.live.push(order);
                    }
                }
                r
            }
        }
    }

    fn is_full(&self) -> bool {
        self.len() >= MAX_TRACKED_ORDERS_PER_COIN
    }

    fn admit(&mut self, requests: usize) -> Result<(), Refusal> {
        if self.in_flight() + requests > self.config.max_in_flight_per_coin {
            self.counters.refusals_in_flight += 1;
            return Err(Refusal::InFlightLimit);
        }
        Ok(())
    }

    /// Room for one more order: the table has a free slot, or the longest-finished order
    /// is evicted. Checked before [`Self::admit`] so that a full table is no in-flight refusal.
    fn check_room(&self) -> Result<(), Refusal> {
        if self.is_full() && self.finished.is_empty() {
            return Err(Refusal::TableFull);
        }
        Ok(())
    }

    fn make_room(&mut self) {
        if self.is_full() && self.finished.pop_front().is_some() {
            self.counters.evicted_early += 1;
        }
    }

    /// Records a place about to be sent at `now`.
    pub fn place(&mut self, now: Nanos, req: &OrderRequest) -> Result<(), Refusal> {
        if self.locate(req.cloid).is_some() {
            return Err(Refusal::DuplicateCloid);
        }
        self.check_room()?;
        self.admit(1)?;
        self.make_room();
        self.live.push(TrackedOrder::placed(now, req, None));
        Ok(())
    }

    /// Records a modify replacing `old` by `new` (a new cloid) in one action, about to be
    /// sent: a cancel of `old` and a place of `new`, two in-flight slots. Allowed on an
    /// acknowledged, open order with nothing else in flight.
    pub fn replace(&mut self, now: Nanos, old: Cloid, new: &OrderRequest) -> Result<(), Refusal> {
        if self.locate(new.cloid).is_some() {
            return Err(Refusal::DuplicateCloid);
        }
        let slot = self.locate(old).ok_or(Refusal::UnknownOrder)?;
        let i = self.open_and_idle(slot)?;
        self.check_room()?;
        self.admit(2)?;
        // Evicts only a finished order: `i` stays where it is.
        self.make_room();
        self.live.update(i, |order| order.send_cancel(now));
        self.live.push(TrackedOrder::placed(now, new, Some(old)));
        Ok(())
    }

    /// The live-table index of the order at `slot` if it is acknowledged, open, with nothing
    /// in flight (a finished order never is).
    fn open_and_idle(&self, slot: Slot) -> Result<usize, Refusal> {
        let order = self.order(slot);
        let state = order.state();
        match slot {
            Slot::Live(i)
                if matches!(state, LifecycleState::Open | LifecycleState::PartiallyFilled)
                    && order.in_flight() == 0 =>
            {
                Ok(i)
            }
            _ => Err(Refusal::NotAllowed(state)),
        }
    }

    /// Records a cancel about to be sent; allowed while the order may be on the book and no
    /// cancel is already on its way.
    pub fn cancel(&mut self, now: Nanos, cloid: Cloid) -> Result<(), Refusal> {
        let slot = self.locate(cloid).ok_or(Refusal::UnknownOrder)?;
        let state = self.order(slot).state();
        let Slot::Live(i) = slot else { return Err(Refusal::NotAllowed(state)) };
        if state.is_terminal() || state == LifecycleState::PendingCancel {
            return Err(Refusal::NotAllowed(state));
        }
        self.admit(1)?;
        self.live.update(i, |order| order.send_cancel(now));
        Ok(())
    }

    /// Records a modify to `px`/`qty` (new total size) about to be sent; allowed on an
    /// acknowledged, open order with nothing else in flight.
    pub fn modify(&mut self, now: Nanos, cloid: Cloid, px: Price, qty: Qty) -> Result<(), Refusal> {
        let slot = self.locate(cloid).ok_or(Refusal::UnknownOrder)?;
        let i = self.open_and_idle(slot)?;
        self.admit(1)?;
        self.live.update(i, |order| order.send_modify(now, px, qty));
        Ok(())
    }

    /// Applies one venue event about `cloid`.
    pub fn apply(&mut self, now: Nanos, cloid: Cloid, event: OrderEvent) -> EventOutcome {
        let outcome = match self.locate(cloid) {
            None => EventOutcome::UnknownOrder,
            Some(slot) => {
                let (outcome, replaces) =
                    self.update(slot, now, |order, counters| (order.apply(event, counters), order.replaces));
                if let (OrderEvent::PlaceRejected(reason), EventOutcome::Applied, Some(old)) =
                    (event, outcome, replaces)
                {
                    self.on_replacement_rejected(now, old, reason);
                }
                outcome
            }
        };
        self.count(outcome);
        outcome
    }

    /// The place half of a replacement was refused. Unless the venue said the old order is
    /// gone, a cancel half still unanswered was refused with it: the old order rests on.
    fn on_replacement_rejected(&mut self, now: Nanos, old: Cloid, reason: RejectReason) {
        if reason == RejectReason::OrderGone {
            return;
        }
        // A cancel still unanswered: the old order is in the live table.
        let Some(i) = self.live.find(old) else { return };
        if self.live.get(i).cancel_pending_while_open() {
            self.counters.replacements_refused += 1;
            self.update(Slot::Live(i), now, |order, _| order.cancel_refused());
        }
    }

    /// Applies an event of the [`VenueEvent`] vocabulary (simulator, user channels): a
    /// historical fill like a fill (de-duplicated by trade id), an order status like
    /// [`Self::apply_status`]. Events of another coin, of the account, and funding are
    /// [`EventOutcome::UnknownOrder`].
    pub fn apply_venue_event(&mut self, now: Nanos, event: &VenueEvent) -> EventOutcome {
        let (cloid, event) = match *event {
            VenueEvent::Accepted { coin, cloid } if coin == self.coin => (cloid, OrderEvent::Placed { oid: None }),
            VenueEvent::Rejected { coin, cloid, reason } if coin == self.coin => {
                (cloid, OrderEvent::PlaceRejected(reason))
            }
            VenueEvent::Cancelled { coin, cloid } if coin == self.coin => (cloid, OrderEvent::Cancelled),
            VenueEvent::CancelRejected { coin, cloid } if coin == self.coin => {
                (cloid, OrderEvent::CancelRejected(RejectReason::OrderGone))
            }
            VenueEvent::Fill(f) | VenueEvent::HistoricalFill(f) if f.coin == self.coin => {
                (f.cloid, OrderEvent::Fill { tid: f.tid, qty: f.qty })
            }
            VenueEvent::OrderStatus { coin, cloid, status } if coin == self.coin => {
                return self.apply_status(now, cloid, status);
            }
            _ => {
                self.count(EventOutcome::UnknownOrder);
                return EventOutcome::UnknownOrder;
            }
        };
        self.apply(now, cloid, event)
    }

    /// Applies the venue's answer to our `kind` request on `cloid` (one item of an
    /// [`super::ExchangeResponse`]).
    pub fn apply_answer(&mut self, now: Nanos, cloid: Cloid, kind: ActionKind, answer: ItemOutcome) -> EventOutcome {
        let event = match (kind, answer) {
            (ActionKind::Place, ItemOutcome::Resting { oid }) => OrderEvent::Placed { oid: Some(oid) },
            (ActionKind::Place, ItemOutcome::Filled { oid, total_sz, .. }) => OrderEvent::PlaceFilled { oid, total_sz },
            (ActionKind::Place, ItemOutcome::Rejected(reason)) => OrderEvent::PlaceRejected(reason),
            (ActionKind::Modify, ItemOutcome::Resting { oid }) => OrderEvent::Modified { oid: Some(oid) },
            (ActionKind::Modify, ItemOutcome::Filled { oid, total_sz, .. }) => {
                OrderEvent::ModifyFilled { oid, total_sz }
            }
            (ActionKind::Modify, ItemOutcome::Rejected(reason)) => OrderEvent::ModifyRejected(reason),
            (ActionKind::Cancel, ItemOutcome::Success) => OrderEvent::Cancelled,
            (ActionKind::Cancel, ItemOutcome::Rejected(reason)) => OrderEvent::CancelRejected(reason),
            _ => {
                // Left unanswered: the timeout asks the venue.
                self.counters.unrecognised_answers += 1;
                return EventOutcome::Illegal;
            }
        };
        self.apply(now, cloid, event)
    }

    /// Applies the answer to an [`OrderStatusQuery`]: every request on the order counts as
    /// answered.
    pub fn apply_status(&mut self, now: Nanos, cloid: Cloid, status: VenueOrderStatus) -> EventOutcome {
        let Some(slot) = self.locate(cloid) else {
            self.count(EventOutcome::UnknownOrder);
            return EventOutcome::UnknownOrder;
        };
        self.update(slot, now, |order, _| order.status(status));
        self.count(EventOutcome::Applied);
        EventOutcome::Applied
    }

    /// Pushes a status query for each order with a request unanswered for `ack_timeout`
    /// (again every `ack_timeout`); returns how many.
    pub fn poll_timeouts(&mut self, now: Nanos, out: &mut impl Extend<OrderStatusQuery>) -> usize {
        let timeout = self.config.ack_timeout;
        let mut queries = 0;
        // Only live orders have requests in flight; a query changes none of them.
        for i in 0..self.live.len() {
            if self.live.get(i).query_base().is_some_and(|base| now >= base + timeout) {
                let cloid = self.live.update(i, |order| {
                    order.queried(now);
                    order.cloid
                });
                out.extend(Some(OrderStatusQuery { coin: self.coin, cloid }));
                queries += 1;
            }
        }
        self.counters.status_queries += queries as u64;
        queries
    }

    /// When [`Self::poll_timeouts`] next has a query to make, if any request is unanswered.
    pub fn next_timeout(&self) -> Option<Nanos> {
        self.live.earliest_query_base().map(|base| base + self.config.ack_timeout)
    }

    /// When [`Self::retire_finished`] next has an order to retire, if any.
    pub fn next_retirement(&self) -> Option<Nanos> {
        self.finished.oldest_end().map(|at| at + self.config.finished_linger)
    }

    /// Orders tracked, finished ones included.
    pub fn len(&self) -> usize {
        self.live.len() + self.finished.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets orders finished at least `finished_linger` ago with nothing in flight;
    /// returns how many.
    pub fn retire_finished(&mut self, now: Nanos) -> usize {
        let mut retired = 0;
        while self.next_retirement().is_some_and(|at| now >= at) {
            self.finished.pop_front();
            retired += 1;
        }
        retired
    }

    fn count(&mut self, outcome: EventOutcome) {
        let c = &mut self.counters;
        match outcome {
            EventOutcome::Applied => c.applied += 1,
            EventOutcome::Duplicate => c.duplicates += 1,
            EventOutcome::Late => c.late += 1,
            EventOutcome::Illegal => c.illegal += 1,
            EventOutcome::UnknownOrder => c.unknown_orders += 1,
        }
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
