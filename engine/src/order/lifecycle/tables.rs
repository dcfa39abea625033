//! Where one coin's orders are kept, in two places so that no per-event cost grows with the
//! number of finished orders that linger for late events:
//!
//! - [`LiveTable`]: orders not yet ended, or ended with a request still unanswered. Small
//!   (the ladder plus what is on its way); the only orders with timeouts, and the only ones
//!   counted in flight, a count kept as requests are recorded and answered, not summed.
//! - [`FinishedRing`]: ended orders with nothing in flight, oldest end first. Retirement and
//!   eviction take the front, O(1); a newly finished order almost always goes to the back.
//!
//! Both keep their cloids in a separate dense array, so a lookup scans 16-byte keys rather
//! than whole orders. Orders leave the live table by `swap_remove` (its order does not
//! matter); nothing ever shifts the big entries of the ring's middle except the rare
//! out-of-order end or a late fill reviving an order.

use super::{TrackedOrder, MAX_TRACKED_ORDERS_PER_COIN};
use crate::types::{Cloid, Nanos};
use arrayvec::ArrayVec;
use std::collections::VecDeque;

/// Orders with a future: not ended, or with a request in flight.
#[derive(Debug, Clone, Default)]
pub(super) struct LiveTable {
    keys: ArrayVec<Cloid, MAX_TRACKED_ORDERS_PER_COIN>,
    orders: ArrayVec<TrackedOrder, MAX_TRACKED_ORDERS_PER_COIN>,
    /// Each order's [`TrackedOrder::query_base`], dense for the timeout scan.
    query_bases: ArrayVec<Option<Nanos>, MAX_TRACKED_ORDERS_PER_COIN>,
    /// Sum of the orders' [`TrackedOrder::in_flight`].
    in_flight: usize,
}

impl LiveTable {
    pub(super) fn find(&self, cloid: Cloid) -> Option<usize> {
        self.keys.iter().position(|&k| k == cloid)
    }

    pub(super) fn get(&self, i: usize) -> &TrackedOrder {
        &self.orders[i]
    }

    /// Changes the order at `i` through `f`, keeping the in-flight count and query base.
    pub(super) fn update<R>(&mut self, i: usize, f: impl FnOnce(&mut TrackedOrder) -> R) -> R {
        let order = &mut self.orders[i];
        let before = order.in_flight();
        let r = f(order);
        self.in_flight = self.in_flight + order.in_flight() - before;
        self.query_bases[i] = order.query_base();
        r
    }

    /// Adds `order`; the caller keeps the coin's total within [`MAX_TRACKED_ORDERS_PER_COIN`].
    pub(super) fn push(&mut self, order: TrackedOrder) {
        self.in_flight += order.in_flight();
        self.keys.push(order.cloid);
        self.query_bases.push(order.query_base());
        self.orders.push(order);
    }

    pub(super) fn swap_remove(&mut self, i: usize) -> TrackedOrder {
        self.keys.swap_remove(i);
        self.query_bases.swap_remove(i);
        let order = self.orders.swap_remove(i);
        self.in_flight -= order.in_flight();
        order
    }

    pub(super) fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// The earliest [`TrackedOrder::query_base`]: a status query is due `ack_timeout` later.
    pub(super) fn earliest_query_base(&self) -> Option<Nanos> {
        self.query_bases.iter().flatten().min().copied()
    }

    pub(super) fn len(&self) -> usize {
        self.orders.len()
    }

    pub(super) fn iter(&self) -> std::slice::Iter<'_, TrackedOrder> {
        self.orders.iter()
    }
}

/// Finished orders (ended, nothing in flight), oldest end first. Its storage is reserved for
/// [`MAX_TRACKED_ORDERS_PER_COIN`] orders up front, so it never allocates afterwards.
///
/// A lookup of a cloid it does not hold (every new order's duplicate check) is mostly
/// answered by a counting filter without a scan; one it holds is searched from the back,
/// where the orders that just finished, the usual subject of late events, are.
#[derive(Debug)]
pub(super) struct FinishedRing {
    keys: VecDeque<Cloid>,
    orders: VecDeque<TrackedOrder>,
    /// How many keys fall in each hash bucket ([`filter_bucket`]); 0: none is this cloid.
    filter: [u8; FILTER_BUCKETS],
}

/// Buckets of the ring's counting filter: with the ring full, about one miss in nine scans.
const FILTER_BUCKETS: usize = 1 << FILTER_BITS;
const FILTER_BITS: u32 = 10;

fn filter_bucket(cloid: Cloid) -> usize {
    let folded = (cloid.0 as u64) ^ ((cloid.0 >> 64) as u64);
    // Fibonacci hashing: sequential cloids spread over the buckets.
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - FILTER_BITS)) as usize
}

impl Default for FinishedRing {
    fn default() -> Self {
        Self {
            keys: VecDeque::with_capacity(MAX_TRACKED_ORDERS_PER_COIN),
            orders: VecDeque::with_capacity(MAX_TRACKED_ORDERS_PER_COIN),
            filter: [0; FILTER_BUCKETS],
        }
    }
}

impl Clone for FinishedRing {
    /// Keeps the reserved capacity (a derived clone would reserve only the length).
    fn clone(&self) -> Self {
        let mut ring = Self { filter: self.filter, ..Self::default() };
        ring.keys.extend(self.keys.iter().copied());
        ring.orders.extend(self.orders.iter().cloned());
        ring
    }
}

impl FinishedRing {
    pub(super) fn find(&self, cloid: Cloid) -> Option<usize> {
        if self.filter[filter_bucket(cloid)] == 0 {
            return None;
        }
        self.keys.iter().rposition(|&k| k == cloid)
    }

    pub(super) fn get(&self, i: usize) -> &TrackedOrder {
        &self.orders[i]
    }

    /// The order at `i`, for a late event. The caller moves it out ([`Self::remove`]) if the
    /// event revived it: what stays must still be finished, with the same end time.
    pub(super) fn get_mut(&mut self, i: usize) -> &mut TrackedOrder {
        &mut self.orders[i]
    }

    /// Adds a finished `order` behind every order that ended no later; the caller keeps the
    /// coin's total within [`MAX_TRACKED_ORDERS_PER_COIN`].
    pub(super) fn insert(&mut self, order: TrackedOrder) {
        debug_assert!(order.is_finished());
        let ended_at = order.ended_at();
        let at = if self.orders.back().is_none_or(|last| last.ended_at() <= ended_at) {
            self.orders.len()
        } else {
            self.orders.partition_point(|o| o.ended_at() <= ended_at)
        };
        self.filter[filter_bucket(order.cloid)] += 1;
        self.keys.insert(at, order.cloid);
        self.orders.insert(at, order);
    }

    pub(super) fn remove(&mut self, i: usize) -> Option<TrackedOrder> {
        let cloid = self.keys.remove(i)?;
        self.filter[filter_bucket(cloid)] -= 1;
        self.orders.remove(i)
    }

    /// Forgets the longest-finished order.
    pub(super) fn pop_front(&mut self) -> Option<TrackedOrder> {
        let cloid = self.keys.pop_front()?;
        self.filter[filter_bucket(cloid)] -= 1;
        self.orders.pop_front()
    }

    /// When the longest-finished order ended.
    pub(super) fn oldest_end(&self) -> Option<Nanos> {
        self.orders.front().and_then(TrackedOrder::ended_at)
    }

    pub(super) fn len(&self) -> usize {
        self.orders.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    pub(super) fn iter(&self) -> std::collections::vec_deque::Iter<'_, TrackedOrder> {
        self.orders.iter()
    }
}
