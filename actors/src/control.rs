//! Control messages: served by each actor's own channel, ahead of its data messages.
//!
//! Latency histograms and reports are read through here — an actor answers with a snapshot —
//! so nothing on the hot path ever takes a lock for an observer.

use crate::latency::LatencySnapshot;
use crate::report::ActorReport;
use crossbeam_channel::Sender;
use engine::risk::TradingState;
use serde::Serialize;

/// An operator command for one actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Change the trading state (RiskActor).
    SetTradingState { state: TradingState, reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CommandReply {
    Done,
    /// Nothing changed (e.g. already in that state).
    Unchanged,
    /// This actor does not take that command.
    Unsupported,
}

/// What the runtime delivers on an actor's control channel.
#[derive(Debug)]
pub enum Control {
    Latency(Sender<LatencySnapshot>),
    Report(Sender<ActorReport>),
    Command(Command, Sender<CommandReply>),
}
