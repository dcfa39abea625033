//! The typed messages between nodes, and how each kind is delivered.
//!
//! Three delivery kinds (ARCHITECTURE.md, runtime rules 2 and 3):
//! - *reliable*: never dropped (fills, order actions, venue events, positions);
//! - *latest*: a latest-value stream per (kind, coin) — a consumer that falls behind takes
//!   the newest and counts what it skipped (books, params, ladders);
//! - *lossy*: toward the cold path; a full queue drops the message and counts the drop.

use crate::ActorId;
use engine::calibration::{CoinFeedback, Outcome, PlacedPredictions};
use engine::estimator::MarketParams;
use engine::market::{AssetContext, L2Book, MarketEvent, Trade};
use engine::quote::construct::QuoteDecision;
use engine::quote::TargetLadder;
use engine::risk::{CoinAccounting, RejectKind};
use engine::types::{CoinId, Nanos, Qty, MAX_COINS};
use engine::venue::{OrderAction, VenueEvent};

/// One order action and its place in the batch of its reconcile cycle. Actions travel one
/// per message — a whole batch inline would make every message of every kind 1.5 KB — and
/// the venue re-forms the batch from `index` and `batch_len` (Hyperliquid takes a batch as
/// one signed action).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionMsg {
    pub action: OrderAction,
    pub index: u8,
    pub batch_len: u8,
}

impl ActionMsg {
    pub fn is_first(&self) -> bool {
        self.index == 0
    }

    pub fn is_last(&self) -> bool {
        self.index + 1 >= self.batch_len
    }
}

/// A change in the health of one coin's market data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedHealth {
    pub coin: CoinId,
    pub stale: bool,
    /// When the last accepted update arrived (for `stale`), or now (for fresh).
    pub since: Nanos,
}

/// A reference venue's mid for one of our coins (a lead signal for the estimator).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferenceMid {
    pub coin: CoinId,
    pub mid_usd: f64,
}

/// A coin's position after a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionUpdate {
    pub coin: CoinId,
    pub position: Qty,
}

/// A coin's fills' accounting after a fill (position, PnL parts, traded volume): what the
/// risk gate marks to its mids for the loss limits and counts for the request budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PnlUpdate {
    pub coin: CoinId,
    pub accounting: CoinAccounting,
}

/// Actions one reconcile batch sent to the venue: `orders` new orders (or modifies) and
/// `cancels` cancels, each one request against the address budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestsSent {
    pub orders: u16,
    pub cancels: u16,
}

/// The venue refused one of a coin's orders for a kind of reason the risk gate acts on
/// (`RejectKind::reaches_risk`: rate limited, margin, our own bug).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VenueRefusal {
    pub coin: CoinId,
    pub kind: RejectKind,
}

// Variants are stored inline (a book or an action batch is ~1.5 KB): boxing them would
// allocate per message on the hot path (ARCHITECTURE.md, runtime rule 4).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Msg {
    /// Venue → Feed: market data as the venue delivered it.
    MarketData(MarketEvent),
    /// Feed → Estimator, Quote: a validated book snapshot.
    Book(L2Book),
    /// Feed → Estimator: a live trade.
    Trade(Trade),
    /// Feed → Estimator: funding, open interest, oracle and mark price.
    AssetCtx(AssetContext),
    /// Reference feed → Estimator.
    ReferenceMid(ReferenceMid),
    /// Estimator → Risk, Quote, Fill.
    Params(MarketParams),
    /// Quote → Risk: the ladder the model wants.
    Intent(TargetLadder),
    /// Risk → Order: the ladder risk allows.
    Approved(TargetLadder),
    /// Order → Venue: one action of a reconcile cycle's batch.
    Action(ActionMsg),
    /// Venue → Order (all), Fill (fills).
    Venue(VenueEvent),
    /// Fill → Quote.
    Position(PositionUpdate),
    /// Fill → Risk: position, PnL and volume after a fill.
    Pnl(PnlUpdate),
    /// Order → Risk: what a batch sent (exact request counting; until the first one Risk
    /// estimates from its own approvals).
    RequestsSent(RequestsSent),
    /// Order → Risk: the venue refused an order for a reason that changes what may be quoted.
    VenueRefusal(VenueRefusal),
    /// Feed → Risk: a coin's feed turned stale or fresh again.
    FeedHealth(FeedHealth),
    /// Live feed → Feed: the market-data connection resubscribed; books resync.
    FeedResync,
    /// Quote → Calibration: one quote decision's record.
    Decision(QuoteDecision),
    /// Order → Calibration: orders went out carrying their levels' predictions.
    Predictions(PlacedPredictions),
    /// Order, Fill → Calibration: what happened to a predicted order.
    Outcome(Outcome),
    /// Calibration → Quote: what outcomes taught a coin's context buckets.
    Feedback(CoinFeedback),
    /// Runtime → Order: the run is stopping cleanly, after the cancel-all; the dead man's
    /// switch stops and clears the venue's scheduled cancel.
    Shutdown,
}

/// Kinds of latest-value streams; each is coalesced per coin.
pub const LATEST_KINDS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Reliable,
    /// `kind < LATEST_KINDS`; coalesced per (kind, coin).
    Latest {
        kind: usize,
        coin: CoinId,
    },
    Lossy,
}

impl Delivery {
    /// A latest-value stream, or reliable delivery for a coin id past the coalescing table
    /// (never skip what cannot be tracked).
    fn latest(kind: usize, coin: CoinId) -> Delivery {
        if coin.index() < MAX_COINS {
            Delivery::Latest { kind, coin }
        } else {
            Delivery::Reliable
        }
    }
}

impl Msg {
    pub fn delivery(&self) -> Delivery {
        match self {
            Msg::Book(b) => Delivery::latest(0, b.coin),
            Msg::Params(p) => Delivery::latest(1, p.coin),
            Msg::Intent(l) => Delivery::latest(2, l.coin),
            Msg::Approved(l) => Delivery::latest(3, l.coin),
            Msg::ReferenceMid(r) => Delivery::latest(4, r.coin),
            Msg::Feedback(f) => Delivery::latest(5, f.coin),
            Msg::Decision(_) | Msg::Predictions(_) | Msg::Outcome(_) => Delivery::Lossy,
            Msg::MarketData(_)
            | Msg::Trade(_)
            | Msg::AssetCtx(_)
            | Msg::Action(_)
            | Msg::Venue(_)
            | Msg::Position(_)
            | Msg::Pnl(_)
            | Msg::RequestsSent(_)
            | Msg::VenueRefusal(_)
            | Msg::FeedHealth(_)
            | Msg::FeedResync
            | Msg::Shutdown => Delivery::Reliable,
        }
    }
}

/// A message in flight with its timestamps (runtime clock).
#[derive(Debug, Clone)]
pub struct Envelope {
    pub to: ActorId,
    pub msg: Msg,
    /// Ingress time of the venue event that caused this message (for tick-to-order).
    pub origin: Nanos,
    /// When it was queued (for queue wait).
    pub sent: Nanos,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message is moved several times per hop: no variant may make `Msg` larger than
    /// the book it has to carry anyway.
    #[test]
    fn no_variant_is_larger_than_a_book() {
        assert!(std::mem::size_of::<Msg>() <= std::mem::size_of::<L2Book>() + 16, "{}", std::mem::size_of::<Msg>());
        assert!(std::mem::size_of::<PlacedPredictions>() <= std::mem::size_of::<L2Book>());
    }
}
