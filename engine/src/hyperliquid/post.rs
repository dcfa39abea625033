//! The `post` channel: answers to actions and info requests sent over the WebSocket.
//!
//! HYPERLIQUID.md, "WebSocket": a post reply is `{"id":N,"response":{"type":"action"|"error"|
//! "info","payload":…}}`; an action payload is exactly the `/exchange` answer
//! (`{"status":"ok","response":{"type":"order","data":{"statuses":[…]}}}` or
//! `{"status":"err","response":"<msg>"}`, HYPERLIQUID.md, "Orders"). Per-order statuses are
//! typed; error texts stay in the parser's reused text buffer and are read through
//! [`PostResponse::text`], so a reply costs no allocation. Info answers are not typed here.

use crate::types::{Cloid, Price, Qty};

/// Where a message sits in the frame's text buffer; read it with [`PostResponse::text`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextSpan {
    pub(super) start: u32,
    pub(super) len: u32,
}

/// `payload.response.type` of an accepted action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionResponseKind {
    Order,
    Cancel,
    /// Actions without per-item results (`scheduleCancel`, …).
    Default,
    Other,
}

/// What became of a post request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostOutcome {
    /// The action was accepted (`status: "ok"`); per-item results are in `statuses`.
    ActionOk(ActionResponseKind),
    /// The whole action was refused (`status: "err"`).
    ActionErr { message: TextSpan },
    /// The post itself failed (`type: "error"`).
    Error { message: TextSpan },
    /// An info request's answer (not typed here).
    Info,
    /// A response type this parser does not know.
    Other,
}

/// The result of one order (or cancel) of an accepted batch, in batch order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionStatus {
    Resting {
        oid: u64,
        cloid: Option<Cloid>,
    },
    Filled {
        total_sz: Qty,
        avg_px: Price,
        oid: u64,
        cloid: Option<Cloid>,
    },
    /// A cancel succeeded (`"success"`).
    Success,
    WaitingForFill,
    WaitingForTrigger,
    /// This item was refused, e.g. `Post only order would have immediately matched, …`.
    Error {
        message: TextSpan,
    },
    /// A status shape this parser does not know.
    Other,
}

/// A `post` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostResponse<'p> {
    /// The `id` the request was sent with.
    pub id: u64,
    pub outcome: PostOutcome,
    pub statuses: &'p [ActionStatus],
    pub(super) text: &'p str,
}

impl<'p> PostResponse<'p> {
    /// The message a [`TextSpan`] of this reply points at (empty if it is not of this reply).
    pub fn text(&self, span: TextSpan) -> &'p str {
        let start = span.start as usize;
        self.text.get(start..start + span.len as usize).unwrap_or("")
    }
}
