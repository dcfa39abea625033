//! The engine's side of the conversation with a venue: the actions it sends and the events
//! it gets back. Live Hyperliquid, the simulated exchange and test probes all speak these.
//!
//! Most actions and events are about one order of one coin. The scheduled cancel (the dead
//! man's switch, [`OrderAction::ScheduleCancel`]) is about the whole account: its events name
//! no coin ([`VenueEvent::coin`] is `None`).

use crate::types::{Cloid, CoinId, Nanos, Price, Qty, Side, UnixNanos};
use arrayvec::ArrayVec;
use serde::{Deserialize, Serialize};

/// Most actions one reconcile cycle sends in a batch (cancel + replace of a 16-level ladder).
pub const MAX_ACTIONS_PER_BATCH: usize = 32;

/// A new limit order. Post-only (`Alo`) unless `post_only` is false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub coin: CoinId,
    pub cloid: Cloid,
    pub side: Side,
    pub px: Price,
    pub qty: Qty,
    pub post_only: bool,
}

/// How far ahead of the venue's clock a scheduled cancel must lie when it arrives: Hyperliquid
/// refuses a `scheduleCancel` whose `time` is less than 5 s in the future.
pub const SCHEDULE_CANCEL_MIN_LEAD: Nanos = Nanos::from_millis(5_000);
/// How many times a day Hyperliquid lets a scheduled cancel fire per account (the day runs
/// from 00:00 UTC).
pub const SCHEDULE_CANCEL_TRIGGERS_PER_DAY: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderAction {
    Place(OrderRequest),
    Cancel {
        coin: CoinId,
        cloid: Cloid,
    },
    /// The dead man's switch: the venue cancels every open order of the account at `at`
    /// (venue clock) unless a later `ScheduleCancel` moves the time first; `None` clears it.
    ///
    /// Live, this is Hyperliquid's `{"type":"scheduleCancel","time":ms}` (no `time` key
    /// clears it), a signed L1 action like an order. The venue's rules, which the sender
    /// ([`crate::order::DeadMansSwitch`]) respects: `time` must be at least
    /// [`SCHEDULE_CANCEL_MIN_LEAD`] (5 s) after the venue's clock when the action arrives,
    /// in whole milliseconds; the switch fires at most [`SCHEDULE_CANCEL_TRIGGERS_PER_DAY`]
    /// (10) times a day; firing cancels every open order of the account, not only this
    /// engine's coins. Every refresh is an exchange request: it weighs on the IP limit and
    /// counts against the address's request budget.
    ScheduleCancel {
        at: Option<UnixNanos>,
    },
    /// Replace resting order `cloid` by `new` (same coin, new cloid) in one action —
    /// Hyperliquid's `batchModify`: one signature for a moved ladder instead of a cancel
    /// batch and an order batch. The venue answers as if it were the cancel and then the
    /// place: `Cancelled { cloid }` then `Accepted`/`Rejected { new.cloid }`. If the old
    /// order is gone (filled, cancelled) it answers `CancelRejected { cloid }` and
    /// `Rejected { new.cloid, OrderGone }`; any other refusal is `Rejected { new.cloid }`
    /// and leaves the old order resting.
    Modify {
        coin: CoinId,
        cloid: Cloid,
        new: OrderRequest,
    },
    /// Ask where order `cloid` stands (an action on it went unanswered too long): the venue
    /// answers [`VenueEvent::OrderStatus`]. Not a signed action (Hyperliquid: info
    /// `orderStatus`), it costs no request budget.
    QueryStatus {
        coin: CoinId,
        cloid: Cloid,
    },
}

impl OrderAction {
    /// The coin the action is about; `None` for the account-wide scheduled cancel.
    pub fn coin(&self) -> Option<CoinId> {
        match self {
            OrderAction::Place(req) => Some(req.coin),
            OrderAction::Cancel { coin, .. }
            | OrderAction::Modify { coin, .. }
            | OrderAction::QueryStatus { coin, .. } => Some(*coin),
            OrderAction::ScheduleCancel { .. } => None,
        }
    }

    /// Whether the action places or cancels an order, i.e. is the quote path's answer to
    /// market data (tick-to-order measures these); a scheduled cancel is a timer's.
    pub fn is_order_flow(&self) -> bool {
        !matches!(self, OrderAction::ScheduleCancel { .. } | OrderAction::QueryStatus { .. })
    }
}

/// The actions of one reconcile cycle, sent together.
pub type ActionBatch = ArrayVec<OrderAction, MAX_ACTIONS_PER_BATCH>;

/// Why the venue refused an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RejectReason {
    /// Post-only order would have immediately matched.
    PostOnlyWouldMatch,
    /// Price not on the tick grid.
    BadTick,
    /// Size zero or not a whole number of lots.
    BadSize,
    /// Order value under the minimum.
    BelowMinNotional,
    /// The coin is unknown to the venue.
    UnknownCoin,
    /// The venue holds as many open orders as it allows (the simulator's per-coin limit).
    TooManyOpenOrders,
    /// An open order already carries this client order id.
    DuplicateCloid,
    /// Not enough margin for the order (`Insufficient margin to place order.`).
    InsufficientMargin,
    /// A reduce-only order would grow the position.
    ReduceOnlyWouldIncrease,
    /// An IOC order found nothing to match (`Order could not immediately match …`).
    IocCouldNotMatch,
    /// The price lies too far from the oracle price.
    PriceTooFarFromOracle,
    /// The order would take the position past the margin tier limit at current leverage.
    MarginTierLimit,
    /// The address's request budget is spent (`Too many cumulative requests sent …`).
    RateLimited,
    /// A cancel (or modify) named an order that was never placed, or is already cancelled
    /// or filled.
    OrderGone,
    /// An error text not recognised; the text is kept (truncated to [`RejectText::CAPACITY`]).
    Unknown(RejectText),
}

/// An unrecognised venue error text, truncated on a character boundary to
/// [`RejectText::CAPACITY`] bytes so [`RejectReason`] stays `Copy` and allocation-free.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RejectText {
    len: u8,
    bytes: [u8; RejectText::CAPACITY],
}

impl RejectText {
    pub const CAPACITY: usize = 96;

    /// The first [`Self::CAPACITY`] bytes of `text`, cut back to a character boundary.
    pub fn truncated(text: &str) -> Self {
        let mut end = text.len().min(Self::CAPACITY);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0u8; Self::CAPACITY];
        bytes[..end].copy_from_slice(&text.as_bytes()[..end]);
        Self { len: end as u8, bytes }
    }

    pub fn as_str(&self) -> &str {
        // Built only from a `&str` cut on a character boundary.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl std::fmt::Debug for RejectText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for RejectText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RejectText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::truncated(&text))
    }
}

/// Why the venue refused a scheduled cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScheduleCancelReject {
    /// The time is less than [`SCHEDULE_CANCEL_MIN_LEAD`] after the venue's clock.
    TooSoon,
    /// The switch already fired [`SCHEDULE_CANCEL_TRIGGERS_PER_DAY`] times today (UTC).
    DailyTriggerLimit,
}

/// Maker or taker side of a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Liquidity {
    Maker,
    Taker,
}

/// One execution of one of our orders.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FillReport {
    pub coin: CoinId,
    pub cloid: Cloid,
    pub side: Side,
    pub px: Price,
    pub qty: Qty,
    /// Size still resting after this fill (zero: the order is done).
    pub remaining: Qty,
    /// Fee paid in USD; negative for a maker rebate.
    pub fee_usd: f64,
    pub liquidity: Liquidity,
    pub exchange_time: UnixNanos,
    /// Venue trade id; (coin, tid) identifies a fill for de-duplication.
    pub tid: u64,
}

/// What a venue reports about our orders.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum VenueEvent {
    /// The order rests on the book.
    Accepted {
        coin: CoinId,
        cloid: Cloid,
    },
    Rejected {
        coin: CoinId,
        cloid: Cloid,
        reason: RejectReason,
    },
    /// The order left the book without filling further (our cancel, or the venue's).
    Cancelled {
        coin: CoinId,
        cloid: Cloid,
    },
    /// A cancel found no live order (never placed, already cancelled or filled).
    CancelRejected {
        coin: CoinId,
        cloid: Cloid,
    },
    Fill(FillReport),
    /// The venue took a [`OrderAction::ScheduleCancel`]: it cancels everything at `at`, or
    /// (`None`) holds no scheduled cancel any more.
    ScheduleCancelAccepted {
        at: Option<UnixNanos>,
    },
    /// The venue refused a [`OrderAction::ScheduleCancel`]; the previous schedule stands.
    ScheduleCancelRejected {
        at: Option<UnixNanos>,
        reason: ScheduleCancelReject,
    },
    /// The scheduled cancel fired at `at`: the venue cancelled `cancelled_orders` open
    /// orders, each also reported as [`VenueEvent::Cancelled`] (before this event). Nothing
    /// is scheduled afterwards.
    ScheduleCancelFired {
        at: UnixNanos,
        cancelled_orders: u32,
    },
    /// The answer to [`OrderAction::QueryStatus`].
    OrderStatus {
        coin: CoinId,
        cloid: Cloid,
        status: VenueOrderStatus,
    },
    /// A fill the venue reports as history (Hyperliquid: the `userFills` snapshot sent on
    /// subscribing, or info `userFills` at start): reconciled by (coin, tid), counted only
    /// if this trading session has not seen it (see `portfolio::ledger`).
    HistoricalFill(FillReport),
    /// A funding payment on a coin's position: positive received, negative paid.
    Funding {
        coin: CoinId,
        payment_usd: f64,
        exchange_time: UnixNanos,
    },
}

/// Where the venue says an order stands (the answer to an [`OrderAction::QueryStatus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VenueOrderStatus {
    Open,
    Filled,
    Cancelled,
    Rejected(RejectReason),
    /// The venue knows no order with this cloid: the place never arrived.
    Unknown,
}

impl VenueEvent {
    /// The coin the event is about; `None` for the account-wide scheduled-cancel events.
    pub fn coin(&self) -> Option<CoinId> {
        match self {
            VenueEvent::Accepted { coin, .. }
            | VenueEvent::Rejected { coin, .. }
            | VenueEvent::Cancelled { coin, .. }
            | VenueEvent::CancelRejected { coin, .. } => Some(*coin),
            VenueEvent::Fill(f) | VenueEvent::HistoricalFill(f) => Some(f.coin),
            VenueEvent::OrderStatus { coin, .. } | VenueEvent::Funding { coin, .. } => Some(*coin),
            VenueEvent::ScheduleCancelAccepted { .. }
            | VenueEvent::ScheduleCancelRejected { .. }
            | VenueEvent::ScheduleCancelFired { .. } => None,
        }
    }
}
