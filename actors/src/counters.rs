//! Runtime counters shared by every thread: drops toward lossy consumers, coalesced stale
//! messages, and back-pressure stalls. Relaxed atomics written only on those rare events, so
//! the common path touches none of them; readers (metrics, summary) just load.

use crate::{ActorId, NODE_COUNT};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct RuntimeCounters {
    /// Messages offered to each node (cross-thread and in-thread).
    sent: [AtomicU64; NODE_COUNT],
    /// Lossy messages dropped because the destination's queue was full.
    dropped: [AtomicU64; NODE_COUNT],
    /// Latest-value messages skipped because a newer one was queued behind them.
    coalesced: [AtomicU64; NODE_COUNT],
    /// Reliable sends that found the destination queue full and had to wait.
    stalls: [AtomicU64; NODE_COUNT],
}

impl RuntimeCounters {
    pub(crate) fn sent(&self, to: ActorId) {
        self.sent[to.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn dropped(&self, to: ActorId) {
        self.dropped[to.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn coalesced(&self, to: ActorId) {
        self.coalesced[to.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn stalled(&self, to: ActorId) {
        self.stalls[to.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self, of: ActorId) -> QueueCounters {
        let i = of.index();
        QueueCounters {
            actor: of,
            sent: self.sent[i].load(Ordering::Relaxed),
            dropped: self.dropped[i].load(Ordering::Relaxed),
            coalesced: self.coalesced[i].load(Ordering::Relaxed),
            stalls: self.stalls[i].load(Ordering::Relaxed),
        }
    }
}

/// Delivery counters of one node's inbound queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueueCounters {
    pub actor: ActorId,
    pub sent: u64,
    pub dropped: u64,
    pub coalesced: u64,
    pub stalls: u64,
}
