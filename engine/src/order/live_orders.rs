//! The orders of one coin that are live or on their way, and how venue events move them.
//!
//! States: PendingNew (sent, not acknowledged) → Open → gone (filled, cancelled, rejected);
//! Open/PendingNew → PendingCancel (cancel sent). Fixed capacity: no allocation per event.

use crate::types::{Cloid, Price, Qty, Side};
use crate::venue::VenueEvent;
use arrayvec::ArrayVec;

/// Orders tracked per coin: two full ladders plus the cancels still in flight.
pub const MAX_LIVE_ORDERS_PER_COIN: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    PendingNew,
    Open,
    PendingCancel,
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

    /// Applies one venue event for this coin. Account-wide events (the scheduled cancel's)
    /// name no order: `Unknown`.
    pub fn apply(&mut self, event: &VenueEvent) -> OrderUpdate {
        let cloid = match event {
            VenueEvent::Accepted { cloid, .. }
            | VenueEvent::Rejected { cloid, .. }
            | VenueEvent::Cancelled { cloid, .. }
            | VenueEvent::CancelRejected { cloid, .. } => *cloid,
            VenueEvent::Fill(f) => f.cloid,
            VenueEvent::ScheduleCancelAccepted { .. }
            | VenueEvent::ScheduleCancelRejected { .. }
            | VenueEvent::ScheduleCancelFired { .. }
            | VenueEvent::OrderStatus { .. }
            | VenueEvent::HistoricalFill(_)
            | VenueEvent::Funding { .. } => return OrderUpdate::Unknown,
        };
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
            VenueEvent::Fill(f) => {
                let order = &mut self.orders[i];
                order.remaining = f.remaining;
                if order.state == OrderState::PendingNew {
                    order.state = OrderState::Open;
                }
                if f.remaining.is_zero() {
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
            | VenueEvent::OrderStatus { .. }
            | VenueEvent::HistoricalFill(_)
            | VenueEvent::Funding { .. } => OrderUpdate::Unknown,
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
