//! A queue of items due at given times, in time order and FIFO among equal times.
//!
//! The simulated exchange keeps two: actions on their way to the matching engine and events
//! on their way back. Items nearly always arrive in time order, so an insert is a
//! `push_back`; the queue still sorts an early item in, so a latency model that is not
//! constant keeps working. Capacity is reserved up front so steady state does not allocate;
//! beyond it the queue grows (one allocation) rather than drop an order or a fill.

use crate::types::Nanos;
use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub(crate) struct TimedQueue<T> {
    items: VecDeque<(Nanos, T)>,
}

impl<T> TimedQueue<T> {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self { items: VecDeque::with_capacity(capacity) }
    }

    /// Adds `item`, due at `due`, behind every item due at or before `due`.
    pub(crate) fn push(&mut self, due: Nanos, item: T) {
        let at = self.items.partition_point(|(d, _)| *d <= due);
        self.items.insert(at, (due, item));
    }

    /// When the earliest item is due.
    pub(crate) fn next_due(&self) -> Option<Nanos> {
        self.items.front().map(|(d, _)| *d)
    }

    /// Takes the earliest item if it is due by `now`.
    pub(crate) fn pop_due(&mut self, now: Nanos) -> Option<(Nanos, T)> {
        match self.items.front() {
            Some((due, _)) if *due <= now => self.items.pop_front(),
            _ => None,
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.items.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_fifo_among_equal_times_and_only_when_due() {
        let mut q = TimedQueue::with_capacity(8);
        q.push(Nanos(5), "a");
        q.push(Nanos(3), "b");
        q.push(Nanos(5), "c");
        q.push(Nanos(3), "d");
        assert_eq!(q.next_due(), Some(Nanos(3)));
        assert_eq!(q.pop_due(Nanos(2)), None);
        let mut out = Vec::new();
        while let Some((due, item)) = q.pop_due(Nanos(5)) {
            out.push((due.0, item));
        }
        assert_eq!(out, vec![(3, "b"), (3, "d"), (5, "a"), (5, "c")]);
        assert_eq!(q.len(), 0);
        assert_eq!(q.next_due(), None);
    }
}
