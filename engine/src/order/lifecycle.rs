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

use super::responses::ItemOutcome;
use crate::types::{Cloid, CoinId, Nanos, Price, Qty, Side};
use crate::venue::{OrderRequest, RejectReason, VenueEvent};
use arrayvec::ArrayVec;

/// Orders tracked per coin, finished ones included until retired.
pub const MAX_TRACKED_ORDERS_PER_COIN: usize = 128;
/// Trade ids remembered per order for de-duplication; later fills are still counted.
pub const MAX_FILL_IDS_PER_ORDER: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleState {
    PendingNew,
    Open,
    PartiallyFilled,
    PendingCancel,
    PendingModify,
    Filled,
    Cancelled,
    Rejected,
}

impl LifecycleState {
    pub fn is_terminal(self) -> bool {
        matches!(self, LifecycleState::Filled | LifecycleState::Cancelled | LifecycleState::Rejected)
    }
}

/// Which of our requests an answer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Place,
    Cancel,
    Modify,
}

/// What the venue said about one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvent {
    /// The place request's answer: resting (oid if known).
    Placed {
        oid: Option<u64>,
    },
    /// The place request's answer: traded `total_sz` at once; any rest is not resting (IOC).
    PlaceFilled {
        oid: u64,
        total_sz: Qty,
    },
    PlaceRejected(RejectReason),
    Modified {
        oid: Option<u64>,
    },
    ModifyFilled {
        oid: u64,
        total_sz: Qty,
    },
    ModifyRejected(RejectReason),
    /// The cancel failed; [`RejectReason::OrderGone`]: nothing was live to cancel.
    CancelRejected(RejectReason),
    /// The order left the book without filling further (our cancel, or the venue's).
    Cancelled,
    /// One execution, identified by the venue trade id.
    Fill {
        tid: u64,
        qty: Qty,
    },
}

pub use crate::venue::VenueOrderStatus;

/// Ask the venue where this order stands: an action on it went unanswered too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderStatusQuery {
    pub coin: CoinId,
    pub cloid: Cloid,
}

/// What an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    Applied,
    /// Seen before (same answer twice, same trade id twice).
    Duplicate,
    /// A legal race with nothing left to change (a resting ack after the fill, a cancel ack
    /// after a full fill).
    Late,
    /// Ruled out by what is known (a fill of a rejected order, an ack of a request never
    /// sent). Counted; fills are kept anyway, they are money.
    Illegal,
    UnknownOrder,
}

/// Why an action was not recorded (and must not be sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    InFlightLimit,
    TableFull,
    DuplicateCloid,
    UnknownOrder,
    /// The order's state does not allow this action.
    NotAllowed(LifecycleState),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleConfig {
    pub max_in_flight_per_coin: usize,
    pub ack_timeout: Nanos,
    /// How long a finished order is kept to recognise late events before it is retired.
    pub finished_linger: Nanos,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        Self {
            max_in_flight_per_coin: 32,
            ack_timeout: Nanos::from_millis(2_000),
            finished_linger: Nanos::from_millis(60_000),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LifecycleCounters {
    pub applied: u64,
    pub duplicates: u64,
    pub late: u64,
    pub illegal: u64,
    pub unknown_orders: u64,
    pub refusals_in_flight: u64,
    pub status_queries: u64,
    /// Finished orders forgotten before their linger to make room for a new one.
    pub evicted_early: u64,
    /// Modifies refused as a whole by the venue: the old order rests on.
    pub replacements_refused: u64,
    /// Fills beyond [`MAX_FILL_IDS_PER_ORDER`] whose trade id could not be remembered.
    pub fill_ids_forgotten: u64,
    /// Answers whose shape does not fit the request (e.g. `"success"` to a place).
    pub unrecognised_answers: u64,
}

impl LifecycleCounters {
    /// Adds `other` (another coin's counters) to these.
    pub fn add(&mut self, other: &LifecycleCounters) {
        self.applied += other.applied;
        self.duplicates += other.duplicates;
        self.late += other.late;
        self.illegal += other.illegal;
        self.unknown_orders += other.unknown_orders;
        self.refusals_in_flight += other.refusals_in_flight;
        self.status_queries += other.status_queries;
        self.evicted_early += other.evicted_early;
        self.replacements_refused += other.replacements_refused;
        self.fill_ids_forgotten += other.fill_ids_forgotten;
        self.unrecognised_answers += other.unrecognised_answers;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Cancelled,
    Rejected(RejectReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ModifyInFlight {
    sent_at: Nanos,
    px: Price,
    qty: Qty,
}

/// One order and the facts known about it.
#[derive(Debug, Clone)]
pub struct TrackedOrder {
    pub cloid: Cloid,
    pub side: Side,
    pub px: Price,
    /// Total size of the order (after the last acknowledged modify).
    pub qty: Qty,
    pub oid: Option<u64>,
    /// Sum of distinct fills seen.
    pub filled_by_fills: Qty,
    /// Largest traded size the request answers reported (`filled` statuses, status queries).
    pub filled_by_answers: Qty,
    /// The venue showed the order exists (a resting ack or a fill).
    live: bool,
    place_acked: bool,
    /// A cancel of this order was answered (so a repeated answer is a duplicate).
    cancel_answered: bool,
    place_sent: Option<Nanos>,
    cancel_sent: Option<Nanos>,
    modify: Option<ModifyInFlight>,
    last_query: Option<Nanos>,
    end: Option<End>,
    ended_at: Option<Nanos>,
    tids: ArrayVec<u64, MAX_FILL_IDS_PER_ORDER>,
    /// The order this one replaces (sent as one modify).
    pub replaces: Option<Cloid>,
}

impl TrackedOrder {
    /// Traded size as best known.
    pub fn filled(&self) -> Qty {
        self.filled_by_fills.max(self.filled_by_answers)
    }

    pub fn remaining(&self) -> Qty {
        (self.qty - self.filled()).max(Qty::ZERO)
    }

    pub fn state(&self) -> LifecycleState {
        if self.filled() >= self.qty {
            return LifecycleState::Filled;
        }
        match self.end {
            Some(End::Rejected(_)) => LifecycleState::Rejected,
            Some(End::Cancelled) => LifecycleState::Cancelled,
            None if self.cancel_sent.is_some() => LifecycleState::PendingCancel,
            None if self.modify.is_some() => LifecycleState::PendingModify,
            None if !self.live => LifecycleState::PendingNew,
            None if self.filled().is_zero() => LifecycleState::Open,
            None => LifecycleState::PartiallyFilled,
        }
    }

    pub fn reject_reason(&self) -> Option<RejectReason> {
        match self.end {
            Some(End::Rejected(reason)) => Some(reason),
            _ => None,
        }
    }

    /// Requests on this order the venue has not answered.
    pub fn in_flight(&self) -> usize {
        usize::from(self.place_sent.is_some())
            + usize::from(self.cancel_sent.is_some())
            + usize::from(self.modify.is_some())
    }

    fn oldest_unanswered(&self) -> Option<Nanos> {
        [self.place_sent, self.cancel_sent, self.modify.map(|m| m.sent_at)].into_iter().flatten().min()
    }

    fn clear_requests(&mut self) {
        self.place_sent = None;
        self.cancel_sent = None;
        self.modify = None;
    }

    fn end_if_open(&mut self, end: End) {
        if self.end.is_none() {
            self.end = Some(end);
        }
    }

    fn fill(&mut self, tid: u64, qty: Qty, counters: &mut LifecycleCounters) -> EventOutcome {
        if self.tids.contains(&tid) {
            return EventOutcome::Duplicate;
        }
        if self.tids.try_push(tid).is_err() {
            counters.fill_ids_forgotten += 1;
        }
        let was = self.state();
        self.filled_by_fills += qty;
        self.live = true;
        // A fill proves the place arrived; its answer may still come (then it is late).
        self.place_sent = None;
        if matches!(self.end, Some(End::Rejected(_))) {
            // The reject was wrong (or a stray fill): keep the money, treat the order as live
            // so the engine cancels whatever rests.
            self.end = None;
            return EventOutcome::Illegal;
        }
        if self.filled_by_fills > self.qty {
            return EventOutcome::Illegal;
        }
        if was == LifecycleState::Cancelled && self.state() == LifecycleState::Cancelled {
            return EventOutcome::Late;
        }
        EventOutcome::Applied
    }

    fn apply(&mut self, event: OrderEvent, counters: &mut LifecycleCounters) -> EventOutcome {
        let terminal = self.state().is_terminal();
        let rejected = matches!(self.end, Some(End::Rejected(_)));
        match event {
            OrderEvent::Fill { tid, qty } => self.fill(tid, qty, counters),
            OrderEvent::Placed { .. } | OrderEvent::PlaceFilled { .. } if rejected => EventOutcome::Illegal,
            OrderEvent::Placed { oid } => {
                if self.place_sent.is_none() {
                    return if self.place_acked {
                        EventOutcome::Duplicate
                    } else {
                        self.ack_place(oid, EventOutcome::Late)
                    };
                }
                self.place_sent = None;
                self.ack_place(oid, if terminal { EventOutcome::Late } else { EventOutcome::Applied })
            }
            OrderEvent::PlaceFilled { oid, total_sz } => {
                if self.place_acked {
                    return EventOutcome::Duplicate;
                }
                self.place_sent = None;
                self.filled_by_answers = self.filled_by_answers.max(total_sz);
                if total_sz < self.qty {
                    self.end_if_open(End::Cancelled);
                }
                self.ack_place(Some(oid), EventOutcome::Applied)
            }
            OrderEvent::PlaceRejected(reason) => {
                if self.place_sent.is_none() {
                    return if rejected { EventOutcome::Duplicate } else { EventOutcome::Illegal };
                }
                self.clear_requests();
                self.place_acked = true;
                self.end = Some(End::Rejected(reason));
                EventOutcome::Applied
            }
            OrderEvent::Modified { oid } => self.ack_modify(oid, terminal),
            OrderEvent::ModifyFilled { .. } if self.modify.is_none() => EventOutcome::Duplicate,
            OrderEvent::ModifyFilled { oid, total_sz } => {
                let outcome = self.ack_modify(Some(oid), terminal);
                if !terminal {
                    let filled = self.filled();
                    if total_sz >= self.qty - filled {
                        self.filled_by_answers = self.qty;
                    } else {
                        self.filled_by_answers = self.filled_by_answers.max(filled + total_sz);
                        self.end_if_open(End::Cancelled);
                    }
                }
                outcome
            }
            OrderEvent::ModifyRejected(reason) => {
                if self.modify.take().is_none() {
                    return EventOutcome::Duplicate;
                }
                if reason == RejectReason::OrderGone && !terminal {
                    self.end_if_open(End::Cancelled);
                }
                EventOutcome::Applied
            }
            OrderEvent::CancelRejected(reason) => {
                if self.cancel_sent.take().is_none() {
                    return match (terminal, self.cancel_answered) {
                        (true, _) => EventOutcome::Late,
                        (false, true) => EventOutcome::Duplicate,
                        (false, false) => EventOutcome::Illegal,
                    };
                }
                self.cancel_answered = true;
                // Nothing to cancel. Unless the cancel overtook its own place (not yet seen
                // live): then the order may still come to rest, so it stays PendingNew and
                // the next reconcile cancels it again.
                if reason == RejectReason::OrderGone && !terminal && (self.live || self.place_sent.is_none()) {
                    self.end_if_open(End::Cancelled);
                }
                if terminal {
                    EventOutcome::Late
                } else {
                    EventOutcome::Applied
                }
            }
            OrderEvent::Cancelled => match self.state() {
                LifecycleState::Rejected => EventOutcome::Illegal,
                LifecycleState::Cancelled => EventOutcome::Duplicate,
                LifecycleState::Filled => {
                    self.cancel_sent = None;
                    EventOutcome::Late
                }
                _ => {
                    self.clear_requests();
                    self.end = Some(End::Cancelled);
                    EventOutcome::Applied
                }
            },
        }
    }

    fn ack_place(&mut self, oid: Option<u64>, outcome: EventOutcome) -> EventOutcome {
        self.place_acked = true;
        self.live = true;
        if oid.is_some() {
            self.oid = oid;
        }
        outcome
    }

    fn ack_modify(&mut self, oid: Option<u64>, terminal: bool) -> EventOutcome {
        let Some(modify) = self.modify.take() else { return EventOutcome::Duplicate };
        if terminal {
            return EventOutcome::Late;
        }
        self.px = modify.px;
        self.qty = modify.qty;
        if oid.is_some() {
            self.oid = oid;
        }
        EventOutcome::Applied
    }

    fn status(&mut self, status: VenueOrderStatus) {
        self.clear_requests();
        match status {
            VenueOrderStatus::Open => {
                self.live = true;
                self.place_acked = true;
            }
            VenueOrderStatus::Filled => self.filled_by_answers = self.qty,
            VenueOrderStatus::Cancelled => self.end_if_open(End::Cancelled),
            VenueOrderStatus::Rejected(reason) if self.filled().is_zero() => self.end = Some(End::Rejected(reason)),
            VenueOrderStatus::Rejected(_) => self.end_if_open(End::Cancelled),
            VenueOrderStatus::Unknown if !self.live => self.end = Some(End::Rejected(RejectReason::OrderGone)),
            VenueOrderStatus::Unknown => self.end_if_open(End::Cancelled),
        }
    }
}

/// The lifecycles of one coin's orders.
#[derive(Debug, Clone)]
pub struct CoinLifecycles {
    coin: CoinId,
    config: LifecycleConfig,
    orders: ArrayVec<TrackedOrder, MAX_TRACKED_ORDERS_PER_COIN>,
    counters: LifecycleCounters,
}

impl CoinLifecycles {
    pub fn new(coin: CoinId, config: LifecycleConfig) -> Self {
        Self { coin, config, orders: ArrayVec::new(), counters: LifecycleCounters::default() }
    }

    pub fn get(&self, cloid: Cloid) -> Option<&TrackedOrder> {
        self.orders.iter().find(|o| o.cloid == cloid)
    }

    pub fn state(&self, cloid: Cloid) -> Option<LifecycleState> {
        self.get(cloid).map(TrackedOrder::state)
    }

    pub fn iter(&self) -> impl Iterator<Item = &TrackedOrder> {
        self.orders.iter()
    }

    pub fn counters(&self) -> &LifecycleCounters {
        &self.counters
    }

    /// Unanswered requests of this coin.
    pub fn in_flight(&self) -> usize {
        self.orders.iter().map(TrackedOrder::in_flight).sum()
    }

    fn index(&self, cloid: Cloid) -> Option<usize> {
        self.orders.iter().position(|o| o.cloid == cloid)
    }

    fn admit(&mut self) -> Result<(), Refusal> {
        if self.in_flight() >= self.config.max_in_flight_per_coin {
            self.counters.refusals_in_flight += 1;
            return Err(Refusal::InFlightLimit);
        }
        Ok(())
    }

    fn admit_two(&mut self) -> Result<(), Refusal> {
        if self.in_flight() + 2 > self.config.max_in_flight_per_coin {
            self.counters.refusals_in_flight += 1;
            return Err(Refusal::InFlightLimit);
        }
        Ok(())
    }

    /// Room for one more order: the table has a free slot, or a finished order with nothing
    /// in flight is evicted (the longest finished first).
    fn make_room(&mut self) -> Result<(), Refusal> {
        if !self.orders.is_full() {
            return Ok(());
        }
        let oldest = self
            .orders
            .iter()
            .enumerate()
            .filter(|(_, o)| o.in_flight() == 0)
            .filter_map(|(i, o)| o.ended_at.map(|at| (at, i)))
            .min()
            .map(|(_, i)| i);
        let i = oldest.ok_or(Refusal::TableFull)?;
        self.orders.remove(i);
        self.counters.evicted_early += 1;
        Ok(())
    }

    /// Records a place about to be sent at `now`.
    pub fn place(&mut self, now: Nanos, req: &OrderRequest) -> Result<(), Refusal> {
        if self.index(req.cloid).is_some() {
            return Err(Refusal::DuplicateCloid);
        }
        if self.orders.is_full() && !self.orders.iter().any(|o| o.ended_at.is_some() && o.in_flight() == 0) {
            return Err(Refusal::TableFull);
        }
        self.admit()?;
        self.make_room()?;
        self.push_new(now, req, None);
        Ok(())
    }

    /// Records a modify replacing `old` by `new` (a new cloid) in one action, about to be
    /// sent: a cancel of `old` and a place of `new`, two in-flight slots. Allowed on an
    /// acknowledged, open order with nothing else in flight.
    pub fn replace(&mut self, now: Nanos, old: Cloid, new: &OrderRequest) -> Result<(), Refusal> {
        if self.index(new.cloid).is_some() {
            return Err(Refusal::DuplicateCloid);
        }
        let i = self.index(old).ok_or(Refusal::UnknownOrder)?;
        let order = &self.orders[i];
        let state = order.state();
        if !matches!(state, LifecycleState::Open | LifecycleState::PartiallyFilled) || order.in_flight() > 0 {
            return Err(Refusal::NotAllowed(state));
        }
        if self.orders.is_full() && !self.orders.iter().any(|o| o.ended_at.is_some() && o.in_flight() == 0) {
            return Err(Refusal::TableFull);
        }
        self.admit_two()?;
        self.make_room()?;
        // make_room may have moved `old`.
        let i = self.index(old).ok_or(Refusal::UnknownOrder)?;
        self.orders[i].cancel_sent = Some(now);
        self.push_new(now, new, Some(old));
        Ok(())
    }

    fn push_new(&mut self, now: Nanos, req: &OrderRequest, replaces: Option<Cloid>) {
        self.orders.push(TrackedOrder {
            cloid: req.cloid,
            side: req.side,
            px: req.px,
            qty: req.qty,
            oid: None,
            filled_by_fills: Qty::ZERO,
            filled_by_answers: Qty::ZERO,
            live: false,
            place_acked: false,
            cancel_answered: false,
            place_sent: Some(now),
            cancel_sent: None,
            modify: None,
            last_query: None,
            end: None,
            ended_at: None,
            tids: ArrayVec::new(),
            replaces,
        });
    }

    /// Records a cancel about to be sent; allowed while the order may be on the book and no
    /// cancel is already on its way.
    pub fn cancel(&mut self, now: Nanos, cloid: Cloid) -> Result<(), Refusal> {
        let i = self.index(cloid).ok_or(Refusal::UnknownOrder)?;
        let state = self.orders[i].state();
        if state.is_terminal() || state == LifecycleState::PendingCancel {
            return Err(Refusal::NotAllowed(state));
        }
        self.admit()?;
        self.orders[i].cancel_sent = Some(now);
        Ok(())
    }

    /// Records a modify to `px`/`qty` (new total size) about to be sent; allowed on an
    /// acknowledged, open order with nothing else in flight.
    pub fn modify(&mut self, now: Nanos, cloid: Cloid, px: Price, qty: Qty) -> Result<(), Refusal> {
        let i = self.index(cloid).ok_or(Refusal::UnknownOrder)?;
        let order = &self.orders[i];
        let state = order.state();
        if !matches!(state, LifecycleState::Open | LifecycleState::PartiallyFilled) || order.in_flight() > 0 {
            return Err(Refusal::NotAllowed(state));
        }
        self.admit()?;
        self.orders[i].modify = Some(ModifyInFlight { sent_at: now, px, qty });
        Ok(())
    }

    /// Applies one venue event about `cloid`.
    pub fn apply(&mut self, now: Nanos, cloid: Cloid, event: OrderEvent) -> EventOutcome {
        let outcome = match self.index(cloid) {
            None => EventOutcome::UnknownOrder,
            Some(i) => {
                let order = &mut self.orders[i];
                let outcome = order.apply(event, &mut self.counters);
                Self::settle(order, now);
                if let (OrderEvent::PlaceRejected(reason), EventOutcome::Applied, Some(old)) =
                    (event, outcome, order.replaces)
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
        let Some(i) = self.index(old) else { return };
        let order = &mut self.orders[i];
        if order.end.is_none() && order.cancel_sent.take().is_some() {
            self.counters.replacements_refused += 1;
            Self::settle(order, now);
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
        let Some(i) = self.index(cloid) else {
            self.count(EventOutcome::UnknownOrder);
            return EventOutcome::UnknownOrder;
        };
        let order = &mut self.orders[i];
        order.status(status);
        Self::settle(order, now);
        self.count(EventOutcome::Applied);
        EventOutcome::Applied
    }

    /// Pushes a status query for each order with a request unanswered for `ack_timeout`
    /// (again every `ack_timeout`); returns how many.
    pub fn poll_timeouts(&mut self, now: Nanos, out: &mut impl Extend<OrderStatusQuery>) -> usize {
        let timeout = self.config.ack_timeout;
        let mut queries = 0;
        for order in &mut self.orders {
            let Some(oldest) = order.oldest_unanswered() else { continue };
            let since = order.last_query.map_or(oldest, |q| q.max(oldest));
            if now >= since + timeout {
                order.last_query = Some(now);
                out.extend(Some(OrderStatusQuery { coin: self.coin, cloid: order.cloid }));
                queries += 1;
            }
        }
        self.counters.status_queries += queries as u64;
        queries
    }

    /// When [`Self::poll_timeouts`] next has a query to make, if any request is unanswered.
    pub fn next_timeout(&self) -> Option<Nanos> {
        let timeout = self.config.ack_timeout;
        self.orders
            .iter()
            .filter_map(|o| {
                let oldest = o.oldest_unanswered()?;
                Some(o.last_query.map_or(oldest, |q| q.max(oldest)) + timeout)
            })
            .min()
    }

    /// When [`Self::retire_finished`] next has an order to retire, if any.
    pub fn next_retirement(&self) -> Option<Nanos> {
        let linger = self.config.finished_linger;
        self.orders.iter().filter(|o| o.in_flight() == 0).filter_map(|o| o.ended_at).min().map(|at| at + linger)
    }

    /// Orders tracked, finished ones included.
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// Forgets orders finished at least `finished_linger` ago with nothing in flight;
    /// returns how many.
    pub fn retire_finished(&mut self, now: Nanos) -> usize {
        let linger = self.config.finished_linger;
        let before = self.orders.len();
        self.orders.retain(|o| !matches!(o.ended_at, Some(at) if now >= at + linger && o.in_flight() == 0));
        before - self.orders.len()
    }

    fn settle(order: &mut TrackedOrder, now: Nanos) {
        let terminal = order.state().is_terminal();
        match (terminal, order.ended_at) {
            (true, None) => order.ended_at = Some(now),
            (false, Some(_)) => order.ended_at = None,
            _ => {}
        }
        if order.in_flight() == 0 {
            order.last_query = None;
        }
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
