//! The orders of one coin that are live or on their way, and how venue events move them: the
//! view [`super::reconcile`] works on (which order serves which level).
//!
//! States: PendingNew (sent, not acknowledged) → Open → gone (filled, cancelled, rejected);
//! Open/PendingNew → PendingCancel (cancel sent); Open → PendingReplace (a
//! [`crate::venue::OrderAction::Modify`] replaces it by a new order, which is tracked as
//! PendingNew from the moment it is sent).
//!
//! **A replacement and its answers.** The venue answers a modify like a cancel and then a
//! place (`Cancelled{old}` + `Accepted`/`Rejected{new}`), or `CancelRejected{old}` +
//! `Rejected{new, OrderGone}` when the old order was gone, or `Rejected{new}` alone when it
//! refused the modify (the old order still rests). Whatever order these arrive in, and with
//! fills of the old order racing them, the old order never serves a level again once its
//! replacement is sent unless the venue refused the modify (`Rejected{new}` with a reason
//! other than `OrderGone` while the old one is still here: it goes back to Open), and the
//! new order serves the level from the start. So one level never has two serving orders.
//!
//! Fixed capacity: no allocation per event.

use crate::types::{Cloid, Price, Qty, Side};
use crate::venue::{RejectReason, VenueEvent, VenueOrderStatus};
use arrayvec::ArrayVec;

/// Orders tracked per coin: two full ladders plus the cancels still in flight.
pub const MAX_LIVE_ORDERS_PER_COIN: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    PendingNew,
    Open,
    PendingCancel,
    /// A modify replacing this order by the order with this cloid is unanswered.
    PendingReplace(Cloid),
}

impl OrderState {
    /// The order is on its way to the book or on it and no cancel or replacement of it is in
    /// flight: it serves a target level.
    pub fn is_serving(self) -> bool {
        matches!(self, OrderState::PendingNew | OrderState::Open)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveOrder {
    pub cloid: Cloid,
    pub side: Side,
    pub px: Price,
    pub remaining: Qty,
    pub state: OrderState,
}

/// What a venue event did to our records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderUpdate {
    /// The event changed a known order; `done` means it left the book.
    Applied { done: bool, filled_before_done: bool },
    /// The event names an order we do not track (late duplicate, or another session's).
    Unknown,
}

#[derive(Debug, Clone, Default)]
pub struct LiveOrders {
    orders: ArrayVec<LiveOrder, MAX_LIVE_ORDERS_PER_COIN>,
    /// Cloids that received at least one fill, to tell a filled order from an unfilled one
    /// when it is finally cancelled (a negative outcome for fill predictions).
    partially_filled: ArrayVec<Cloid, MAX_LIVE_ORDERS_PER_COIN>,
}

impl LiveOrders {
    pub fn iter(&self) -> impl Iterator<Item = &LiveOrder> {
        self.orders.iter()
    }

    pub fn len(&self) -> usize {
        self.orders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.orders.is_full()
    }

    pub(crate) fn push(&mut self, order: LiveOrder) -> bool {
        self.orders.try_push(order).is_ok()
    }

    pub fn get(&self, cloid: Cloid) -> Option<&LiveOrder> {
        self.orders.iter().find(|o| o.cloid == cloid)
    }

    /// Orders serving a level (see [`OrderState::is_serving`]).
    pub fn serving(&self) -> usize {
        self.orders.iter().filter(|o| o.state.is_serving()).count()
    }

    /// Drops `cloid` (the order's authority, e.g. [`super::CoinLifecycles`], says it is
    /// finished); returns whether it was here.
    pub fn forget(&mut self, cloid: Cloid) -> bool {
        match self.position(cloid) {
            Some(i) => {
                self.remove(i);
                true
            }
            None => false,
        }
    }

    /// Puts back an order the view dropped but its authority says is still alive (e.g. a
    /// fill contradicting a reject): reconcile then keeps or cancels it. False if full or
    /// already here.
    pub fn restore(&mut self, order: LiveOrder) -> bool {
        self.position(order.cloid).is_none() && self.push(order)
    }

    pub(crate) fn get_mut(&mut self, index: usize) -> Option<&mut LiveOrder> {
        self.orders.get_mut(index)
    }

    fn position(&self, cloid: Cloid) -> Option<usize> {
        self.orders.iter().position(|o| o.cloid == cloid)
    }

    fn remove(&mut self, index: usize) -> bool {
        let cloid = self.orders.swap_remove(index).cloid;
        match self.partially_filled.iter().position(|c| *c == cloid) {
            Some(i) => {
                self.partially_filled.swap_remove(i);
                true
            }
            None => false,
        }
    }

    /// Applies one venue event for this coin. Account-wide events (the scheduled cancel's),
    /// history and funding name no order of this view: `Unknown`.
    pub fn apply(&mut self, event: &VenueEvent) -> OrderUpdate {
        let cloid = match event {
            VenueEvent::Accepted { cloid, .. }
            | VenueEvent::Rejected { cloid, .. }
            | VenueEvent::Cancelled { cloid, .. }
            | VenueEvent::CancelRejected { cloid, .. }
            | VenueEvent::OrderStatus { cloid, .. } => *cloid,
            VenueEvent::Fill(f) => f.cloid,
            VenueEvent::ScheduleCancelAccepted { .. }
            | VenueEvent::ScheduleCancelRejected { .. }
            | VenueEvent::ScheduleCancelFired { .. }
            | VenueEvent::HistoricalFill(_)
            | VenueEvent::Funding { .. } => return OrderUpdate::Unknown,
        };
        if let VenueEvent::Rejected { reason, .. } = event {
            // The place half of a modify refused: the old order rests on unless it was gone.
            self.on_replacement_rejected(cloid, *reason);
        }
        let Some(i) = self.position(cloid) else {
            return OrderUpdate::Unknown;
        };
        match event {
            VenueEvent::Accepted { .. } => {
                if self.orders[i].state == OrderState::PendingNew {
                    self.orders[i].state = OrderState::Open;
                }
                OrderUpdate::Applied { done: false, filled_before_done: false }
            }
            VenueEvent::Rejected { .. } | VenueEvent::Cancelled { .. } | VenueEvent::CancelRejected { .. } => {
                let filled = self.remove(i);
                OrderUpdate::Applied { done: true, filled_before_done: filled }
            }
            VenueEvent::OrderStatus { status, .. } => match status {
                // Whatever was in flight on it is over: it rests, and reconcile decides anew.
                VenueOrderStatus::Open => {
                    self.orders[i].state = OrderState::Open;
                    OrderUpdate::Applied { done: false, filled_before_done: false }
                }
                VenueOrderStatus::Filled
                | VenueOrderStatus::Cancelled
                | VenueOrderStatus::Rejected(_)
                | VenueOrderStatus::Unknown => {
                    let filled = self.remove(i) || *status == VenueOrderStatus::Filled;
                    OrderUpdate::Applied { done: true, filled_before_done: filled }
                }
            },
            VenueEvent::Fill(f) => {
                let order = &mut self.orders[i];
                // Remaining only shrinks: a fill reported late must not grow it back.
                order.remaining = order.remaining.min(f.remaining);
                if order.state == OrderState::PendingNew {
                    order.state = OrderState::Open;
                }
                if order.remaining.is_zero() {
                    self.remove(i);
                    OrderUpdate::Applied { done: true, filled_before_done: true }
                } else {
                    if !self.partially_filled.contains(&cloid) {
                        // Capacity equals the order capacity, so this cannot overflow.
                        let _ = self.partially_filled.try_push(cloid);
                    }
                    OrderUpdate::Applied { done: false, filled_before_done: true }
                }
            }
            VenueEvent::ScheduleCancelAccepted { .. }
            | VenueEvent::ScheduleCancelRejected { .. }
            | VenueEvent::ScheduleCancelFired { .. }
            | VenueEvent::HistoricalFill(_)
            | VenueEvent::Funding { .. } => OrderUpdate::Unknown,
        }
    }

    /// `new` (a replacement) was refused: an old order still waiting on it rests on
    /// (`OrderGone`: the old order is gone too).
    fn on_replacement_rejected(&mut self, new: Cloid, reason: RejectReason) {
        let Some(i) = self.orders.iter().position(|o| o.state == OrderState::PendingReplace(new)) else { return };
        if reason == RejectReason::OrderGone {
            self.remove(i);
        } else {
            self.orders[i].state = OrderState::Open;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{CoinId, UnixNanos};
    use crate::venue::{FillReport, Liquidity};

    fn order(id: u128) -> LiveOrder {
        LiveOrder {
            cloid: Cloid(id),
            side: Side::Bid,
            px: Price::from_f64(100.0),
            remaining: Qty::from_f64(2.0),
            state: OrderState::PendingNew,
        }
    }

    fn fill(id: u128, qty: f64, remaining: f64) -> VenueEvent {
        VenueEvent::Fill(FillReport {
            coin: CoinId(0),
            cloid: Cloid(id),
            side: Side::Bid,
            px: Price::from_f64(100.0),
            qty: Qty::from_f64(qty),
            remaining: Qty::from_f64(remaining),
            fee_usd: 0.0,
            liquidity: Liquidity::Maker,
            exchange_time: UnixNanos(0),
            tid: 1,
        })
    }

    #[test]
    fn lifecycle_ack_partial_fill_then_cancel() {
        let mut live = LiveOrders::default();
        assert!(live.push(order(1)));
        live.apply(&VenueEvent::Accepted { coin: CoinId(0), cloid: Cloid(1) });
        assert_eq!(live.iter().next().unwrap().state, OrderState::Open);
        assert_eq!(live.apply(&fill(1, 0.5, 1.5)), OrderUpdate::Applied { done: false, filled_before_done: true });
        assert_eq!(live.iter().next().unwrap().remaining, Qty::from_f64(1.5));
        let done = live.apply(&VenueEvent::Cancelled { coin: CoinId(0), cloid: Cloid(1) });
        assert_eq!(done, OrderUpdate::Applied { done: true, filled_before_done: true });
        assert!(live.is_empty());
    }

    #[test]
    fn full_fill_removes_and_unknown_ids_are_reported() {
        let mut live = LiveOrders::default();
        live.push(order(1));
        assert_eq!(live.apply(&fill(1, 2.0, 0.0)), OrderUpdate::Applied { done: true, filled_before_done: true });
        assert_eq!(live.apply(&fill(1, 2.0, 0.0)), OrderUpdate::Unknown);
        live.push(order(2));
        let rejected =
            VenueEvent::Rejected { coin: CoinId(0), cloid: Cloid(2), reason: crate::venue::RejectReason::BadTick };
        assert_eq!(live.apply(&rejected), OrderUpdate::Applied { done: true, filled_before_done: false });
    }
}
