//! The engine's side of the conversation with a venue: the actions it sends and the events
//! it gets back. Live Hyperliquid, the simulated exchange and test probes all speak these.

use crate::types::{Cloid, CoinId, Price, Qty, Side, UnixNanos};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderAction {
    Place(OrderRequest),
    Cancel { coin: CoinId, cloid: Cloid },
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
}

impl VenueEvent {
    pub fn coin(&self) -> CoinId {
        match self {
            VenueEvent::Accepted { coin, .. }
            | VenueEvent::Rejected { coin, .. }
            | VenueEvent::Cancelled { coin, .. }
            | VenueEvent::CancelRejected { coin, .. } => *coin,
            VenueEvent::Fill(f) => f.coin,
        }
    }
}
