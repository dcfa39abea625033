//! The simulated exchange's memory of finished orders, so a status query
//! ([`crate::venue::OrderAction::QueryStatus`]) about an order that left the book answers
//! Filled, Cancelled or Rejected as Hyperliquid's `orderStatus` does, rather than Unknown.
//!
//! A ring of the last [`FINISHED_ORDERS_REMEMBERED`] finished orders, allocated once; an order
//! older than that is Unknown again (the engine asks only about orders a few seconds old).

use crate::types::{Cloid, CoinId};
use crate::venue::VenueOrderStatus;

/// Finished orders remembered, all coins together.
pub const FINISHED_ORDERS_REMEMBERED: usize = 4_096;

#[derive(Debug, Clone)]
pub(crate) struct FinishedOrders {
    ring: Vec<(CoinId, Cloid, VenueOrderStatus)>,
    /// Slot the next order goes to (the oldest once full).
    next: usize,
}

impl FinishedOrders {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { ring: Vec::with_capacity(capacity.max(1)), next: 0 }
    }

    pub(crate) fn record(&mut self, coin: CoinId, cloid: Cloid, status: VenueOrderStatus) {
        if self.ring.len() < self.ring.capacity() {
            self.ring.push((coin, cloid, status));
        } else {
            self.ring[self.next] = (coin, cloid, status);
        }
        self.next = (self.next + 1) % self.ring.capacity();
    }

    /// The latest status recorded for the order, if still remembered.
    pub(crate) fn status(&self, coin: CoinId, cloid: Cloid) -> Option<VenueOrderStatus> {
        let len = self.ring.len();
        // Newest first: walk back from the slot before `next`.
        (1..=len).map(|k| &self.ring[(self.next + len - k) % len]).find(|e| e.0 == coin && e.1 == cloid).map(|e| e.2)
    }

    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.ring.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_orders_and_forgets_the_oldest() {
        let mut f = FinishedOrders::new(2);
        f.record(CoinId(0), Cloid(1), VenueOrderStatus::Filled);
        f.record(CoinId(1), Cloid(1), VenueOrderStatus::Cancelled);
        assert_eq!(f.status(CoinId(0), Cloid(1)), Some(VenueOrderStatus::Filled));
        assert_eq!(f.status(CoinId(1), Cloid(1)), Some(VenueOrderStatus::Cancelled));
        f.record(CoinId(0), Cloid(2), VenueOrderStatus::Cancelled);
        assert_eq!(f.status(CoinId(0), Cloid(1)), None, "evicted");
        assert_eq!(f.status(CoinId(0), Cloid(2)), Some(VenueOrderStatus::Cancelled));
        assert_eq!(f.capacity(), 2);
    }
}
