//! The words of the order lifecycle: the states an order can be in, the events the venue
//! reports about it, what applying one did, why an action was refused, the settings and the
//! counters. The state machine that uses them is [`super::TrackedOrder`].

use crate::types::{Cloid, CoinId, Nanos, Qty};
use crate::venue::RejectReason;

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
    /// Fills beyond [`super::MAX_FILL_IDS_PER_ORDER`] whose trade id could not be remembered.
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
