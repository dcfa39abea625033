//! Names of the nodes a runtime hosts: the seven actors and the venue.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Number of nodes: the venue plus the seven actors.
pub const NODE_COUNT: usize = 8;

/// A node of the message graph. `Venue` stands for the outside world (the simulated exchange
/// and market in paper mode and backtests, the exchange connection live); the other seven
/// are the actors of ARCHITECTURE.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorId {
    Venue,
    Feed,
    Estimator,
    Quote,
    Risk,
    Order,
    Fill,
    Calibration,
}

impl ActorId {
    pub const ALL: [ActorId; NODE_COUNT] = [
        ActorId::Venue,
        ActorId::Feed,
        ActorId::Estimator,
        ActorId::Quote,
        ActorId::Risk,
        ActorId::Order,
        ActorId::Fill,
        ActorId::Calibration,
    ];

    pub const fn index(self) -> usize {
        self as usize
    }

    pub const fn name(self) -> &'static str {
        match self {
            ActorId::Venue => "venue",
            ActorId::Feed => "feed",
            ActorId::Estimator => "estimator",
            ActorId::Quote => "quote",
            ActorId::Risk => "risk",
            ActorId::Order => "order",
            ActorId::Fill => "fill",
            ActorId::Calibration => "calibration",
        }
    }

    pub fn parse(name: &str) -> Option<ActorId> {
        ActorId::ALL.into_iter().find(|id| id.name() == name)
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
