//! One order and the facts known about it, and how each venue event changes them (see the
//! parent module for why the state is derived from facts rather than stored).

use super::{EventOutcome, LifecycleCounters, LifecycleState, OrderEvent, VenueOrderStatus, MAX_FILL_IDS_PER_ORDER};
use crate::types::{Cloid, Nanos, Price, Qty, Side};
use crate::venue::{OrderRequest, RejectReason};
use arrayvec::ArrayVec;

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

    /// A place about to be sent at `now` (replacing `replaces`, if any).
    pub(super) fn placed(now: Nanos, req: &OrderRequest, replaces: Option<Cloid>) -> Self {
        Self {
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
        }
    }

    pub(super) fn send_cancel(&mut self, now: Nanos) {
        self.cancel_sent = Some(now);
    }

    pub(super) fn send_modify(&mut self, now: Nanos, px: Price, qty: Qty) {
        self.modify = Some(ModifyInFlight { sent_at: now, px, qty });
    }

    /// A cancel of this order is unanswered and the venue has not ended it.
    pub(super) fn cancel_pending_while_open(&self) -> bool {
        self.end.is_none() && self.cancel_sent.is_some()
    }

    /// The modify this order's cancel was half of was refused as a whole: the cancel is
    /// answered too.
    pub(super) fn cancel_refused(&mut self) {
        self.cancel_sent = None;
    }

    /// A status query is due `ack_timeout` after this, if a request is unanswered: the
    /// oldest unanswered request, or the last query if later.
    pub(super) fn query_base(&self) -> Option<Nanos> {
        let oldest = self.oldest_unanswered()?;
        Some(self.last_query.map_or(oldest, |q| q.max(oldest)))
    }

    /// Notes a status query sent at `now`.
    pub(super) fn queried(&mut self, now: Nanos) {
        self.last_query = Some(now);
    }

    /// When the order ended (became terminal), if it has.
    pub(super) fn ended_at(&self) -> Option<Nanos> {
        self.ended_at
    }

    /// Ended with nothing in flight: only late events can still concern it, and it may be
    /// retired.
    pub(super) fn is_finished(&self) -> bool {
        self.ended_at.is_some() && self.in_flight() == 0
    }

    /// After any change at `now`: notes when the order ended (or that a late fill brought it
    /// back), and forgets the last query once nothing is in flight.
    pub(super) fn settle(&mut self, now: Nanos) {
        let terminal = self.state().is_terminal();
        match (terminal, self.ended_at) {
            (true, None) => self.ended_at = Some(now),
            (false, Some(_)) => self.ended_at = None,
            _ => {}
        }
        if self.in_flight() == 0 {
            self.last_query = None;
        }
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

    pub(super) fn apply(&mut self, event: OrderEvent, counters: &mut LifecycleCounters) -> EventOutcome {
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

    pub(super) fn status(&mut self, status: VenueOrderStatus) {
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
