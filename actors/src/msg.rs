//! The typed messages between nodes, and how each kind is delivered.
//!
//! Three delivery kinds (ARCHITECTURE.md, runtime rules 2 and 3):
//! - *reliable*: never dropped (fills, order actions, venue events, positions);
//! - *latest*: a latest-value stream per (kind, coin) — a consumer that falls behind takes
//!   the newest and counts what it skipped (books, params, ladders);
//! - *lossy*: toward the cold path; a full queue drops the message and counts the drop.

use crate::ActorId;
use engine::calibration::{Outcome, Prediction};
use engine::estimator::MarketParams;
use engine::market::{L2Book, MarketEvent, Trade};
use engine::quote::TargetLadder;
use engine::types::{CoinId, Nanos, Qty};
use engine::venue::{ActionBatch, VenueEvent};

/// A coin's position after a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionUpdate {
    pub coin: CoinId,
    pub position: Qty,
}

#[derive(Debug, Clone)]
pub enum Msg {
    /// Venue → Feed: market data as the venue delivered it.
    MarketData(MarketEvent),
    /// Feed → Estimator, Quote: a validated book snapshot.
    Book(L2Book),
    /// Feed → Estimator: a live trade.
    Trade(Trade),
    /// Estimator → Quote, Fill.
    Params(MarketParams),
    /// Quote → Risk: the ladder the model wants.
    Intent(TargetLadder),
    /// Risk → Order: the ladder risk allows.
    Approved(TargetLadder),
    /// Order → Venue: one reconcile cycle's actions.
    Actions(ActionBatch),
    /// Venue → Order (all), Fill (fills).
    Venue(VenueEvent),
    /// Fill → Risk, Quote.
    Position(PositionUpdate),
    /// Quote → Calibration.
    Prediction(Prediction),
    /// Order, Fill → Calibration.
    Outcome(Outcome),
}

/// Kinds of latest-value streams; each is coalesced per coin.
pub const LATEST_KINDS: usize = 4;

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

impl Msg {
    pub fn delivery(&self) -> Delivery {
        match self {
            Msg::Book(b) => Delivery::Latest { kind: 0, coin: b.coin },
            Msg::Params(p) => Delivery::Latest { kind: 1, coin: p.coin },
            Msg::Intent(l) => Delivery::Latest { kind: 2, coin: l.coin },
            Msg::Approved(l) => Delivery::Latest { kind: 3, coin: l.coin },
            Msg::Prediction(_) | Msg::Outcome(_) => Delivery::Lossy,
            Msg::MarketData(_) | Msg::Trade(_) | Msg::Actions(_) | Msg::Venue(_) | Msg::Position(_) => {
                Delivery::Reliable
            }
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
