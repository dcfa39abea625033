//! Control messages: served by each actor's own channel, ahead of its data messages.
//!
//! Latency histograms and reports are read through here — an actor answers with a snapshot —
//! so nothing on the hot path ever takes a lock for an observer.

use crate::latency::{ActorLatency, LatencySnapshot};
use crate::report::ActorReport;
use crossbeam_channel::Sender;
use engine::quote::{ModelKind, QuoteConfig};
use engine::risk::{RiskLimitsChange, TradingState};
use serde::{Deserialize, Serialize};

/// An operator command for one actor.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Change the trading state (RiskActor).
    SetTradingState { state: TradingState, reason: String },
    /// Change quote parameters (QuoteActor; OrderActor takes the requote tolerance).
    SetQuoteParams(QuoteParamsChange),
    /// Change risk limits (RiskActor): validated on the whole result, applied atomically,
    /// answered `Applied { version }`, `Refused(field: problem)` or `Unchanged`.
    SetRiskLimits(RiskLimitsChange),
    /// Append a control change to the journal (the live venue node owns it): answered
    /// `Done` once written, `Refused` if the write failed, `Unsupported` without a journal.
    Journal(crate::journal::Record),
}

/// A partial change of the quote parameters: what is `Some` changes, the rest stays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteParamsChange {
    pub model: Option<ModelKind>,
    pub gamma_per_usd: Option<f64>,
    /// The base of the spread: edge each fill must earn beyond the maker fee, bps.
    pub min_edge_bps: Option<f64>,
    pub levels_per_side: Option<usize>,
    pub level_spacing_bps: Option<f64>,
    pub requote_tolerance_bps: Option<f64>,
}

impl QuoteParamsChange {
    /// Writes the changed values into `config` (validation is the caller's, on the whole).
    pub fn apply(&self, config: &mut QuoteConfig) {
        if let Some(model) = self.model {
            config.model = model;
        }
        if let Some(gamma) = self.gamma_per_usd {
            config.gamma_per_usd = gamma;
        }
        if let Some(edge) = self.min_edge_bps {
            config.construction.half_spread.min_edge_bps = edge;
        }
        if let Some(levels) = self.levels_per_side {
            config.construction.levels.levels_per_side = levels;
        }
        if let Some(spacing) = self.level_spacing_bps {
            config.construction.levels.level_spacing_bps = spacing;
        }
        if let Some(tolerance) = self.requote_tolerance_bps {
            config.requote_tolerance.price_bps = tolerance;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CommandReply {
    Done,
    /// A parameter change took effect; its version.
    Applied {
        version: u64,
    },
    /// The command was refused; the old state stays. Names the setting and the problem.
    Refused(String),
    /// Nothing changed (e.g. already in that state).
    Unchanged,
    /// This actor does not take that command.
    Unsupported,
}

/// What the runtime delivers on an actor's control channel.
// A command carries a whole partial limits change inline (~250 bytes): control messages are
// rare and off the hot path, so the size costs nothing that boxing would save.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Control {
    Latency(Sender<LatencySnapshot>),
    /// A copy of the actor's histograms themselves (a few hundred kB): for comparing two
    /// periods of one run by subtracting snapshots. Percentiles (`Latency`) are the cheap ask.
    Histograms(Sender<ActorLatency>),
    Report(Sender<ActorReport>),
    Command(Command, Sender<CommandReply>),
}
