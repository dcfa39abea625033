//! One engine batch → the groups that become Hyperliquid L1 actions, and each group's answer
//! → the engine's [`VenueEvent`]s. Pure: no socket, no clock.
//!
//! [`split_batch`] groups a batch exactly as `exchange::build_actions` does (cancels, then
//! modifies, then `Alo` places, then `Ioc` places, then the batch's last scheduled cancel;
//! status queries apart, they are info requests), so item `i` of a group's answer is the
//! answer to `group.actions[i]`. [`reply_events`] maps that answer (engine/src/order/
//! responses.rs: WebSocket `post` reply or REST `/exchange` body, the same
//! [`ExchangeResponse`]) item by item:
//!
//! | action | answer | events |
//! |---|---|---|
//! | place | resting / filled / waiting | `Accepted` (fills come on the user channels) |
//! | place | error | `Rejected(reason)` |
//! | cancel | success | `Cancelled` |
//! | cancel | error: order gone | `CancelRejected` |
//! | cancel | any other error | none: the order still rests (see below) |
//! | modify | resting / filled / success | `Cancelled{old}`, `Accepted{new}` |
//! | modify | error: order gone | `CancelRejected{old}`, `Rejected{new, OrderGone}` |
//! | modify | any other error | `Rejected{new, reason}` (the old order rests on) |
//! | scheduleCancel | ok | `ScheduleCancelAccepted` |
//! | scheduleCancel | error | `ScheduleCancelRejected` |
//!
//! A whole-request error answers every item with its reason. A cancel refused for another
//! reason than "order gone" (rate limit, a bad signature) gets no event: `VenueEvent::
//! CancelRejected` carries no reason and tells OrderActor the order is gone, which would
//! leave a resting order untracked; unanswered, OrderActor's lifecycle asks its status
//! (`QueryStatus`) after its ack timeout and learns it still rests. Items the venue did not
//! answer (fewer statuses than sent) are left to the same timeout.

use super::orders::OrderTable;
use arrayvec::ArrayVec;
use engine::order::{ExchangeResponse, ItemOutcome};
use engine::types::{Cloid, CoinId};
use engine::venue::{OrderAction, RejectReason, RejectText, ScheduleCancelReject, VenueEvent, MAX_ACTIONS_PER_BATCH};

use super::super::exchange::MAX_L1_ACTIONS_PER_BATCH;

/// The venue's text when a modify names an order that is no longer open.
const MODIFY_GONE: &str = "Cannot modify canceled or filled order";

/// Which Hyperliquid action a group becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// `cancelByCloid`.
    Cancel,
    /// `batchModify`.
    Modify,
    /// `order` of post-only places.
    PlaceAlo,
    /// `order` of immediate-or-cancel places.
    PlaceIoc,
    /// `scheduleCancel`.
    ScheduleCancel,
}

/// The engine actions one L1 action carries, in the order the action lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionGroup {
    pub kind: GroupKind,
    pub actions: ArrayVec<OrderAction, MAX_ACTIONS_PER_BATCH>,
}

impl ActionGroup {
    fn new(kind: GroupKind) -> Self {
        Self { kind, actions: ArrayVec::new() }
    }
}

/// The groups of one batch, in sending order.
pub type Groups = ArrayVec<ActionGroup, MAX_L1_ACTIONS_PER_BATCH>;
/// The status queries of one batch: (coin, cloid).
pub type Queries = ArrayVec<(CoinId, Cloid), MAX_ACTIONS_PER_BATCH>;

/// Splits `batch` into its L1 action groups and its status queries (both cleared first).
pub fn split_batch(batch: &[OrderAction], groups: &mut Groups, queries: &mut Queries) {
    groups.clear();
    queries.clear();
    let mut by_kind = [
        ActionGroup::new(GroupKind::Cancel),
        ActionGroup::new(GroupKind::Modify),
        ActionGroup::new(GroupKind::PlaceAlo),
        ActionGroup::new(GroupKind::PlaceIoc),
    ];
    let mut schedule = None;
    for action in batch.iter().take(MAX_ACTIONS_PER_BATCH) {
        let slot = match action {
            OrderAction::Cancel { .. } => 0,
            OrderAction::Modify { .. } => 1,
            OrderAction::Place(req) if req.post_only => 2,
            OrderAction::Place(_) => 3,
            OrderAction::ScheduleCancel { .. } => {
                schedule = Some(*action);
                continue;
            }
            OrderAction::QueryStatus { coin, cloid } => {
                queries.push((*coin, *cloid));
                continue;
            }
        };
        by_kind[slot].actions.push(*action);
    }
    for group in by_kind {
        if !group.actions.is_empty() {
            groups.push(group);
        }
    }
    if let Some(action) = schedule {
        let mut group = ActionGroup::new(GroupKind::ScheduleCancel);
        group.actions.push(action);
        groups.push(group);
    }
}

/// Whether a refusal means the target order is no longer open.
fn is_order_gone(reason: &RejectReason) -> bool {
    match reason {
        RejectReason::OrderGone => true,
        RejectReason::Unknown(text) => text.as_str().contains(MODIFY_GONE),
        _ => false,
    }
}

/// The scheduled-cancel refusal a venue error text stands for: the daily trigger limit when
/// the text speaks of triggers, else a time too soon (the other refusal the venue has).
fn schedule_reject(reason: &RejectReason) -> ScheduleCancelReject {
    match reason {
        RejectReason::Unknown(text) if text.as_str().to_ascii_lowercase().contains("trigger") => {
            ScheduleCancelReject::DailyTriggerLimit
        }
        _ => ScheduleCancelReject::TooSoon,
    }
}

/// What [`reply_events`] saw that has no event of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplyCounts {
    /// Items the answer did not cover.
    pub unanswered_items: u64,
    /// Cancels refused for a reason other than "order gone" (left to a status query).
    pub cancel_errors: u64,
    /// Item statuses of an unknown shape.
    pub unrecognised_items: u64,
}

/// The events answering `group`, given the venue's `response`. Learns oids into `table` and
/// marks finished orders there, so the user channels do not report them a second time.
pub fn reply_events(
    group: &ActionGroup,
    response: &ExchangeResponse,
    table: &mut OrderTable,
    counts: &mut ReplyCounts,
    mut emit: impl FnMut(VenueEvent),
) {
    for (i, action) in group.actions.iter().enumerate() {
        let Some(outcome) = response.item(i) else {
            if let OrderAction::ScheduleCancel { at } = action {
                // `{"type":"default"}`: an accepted action without items.
                emit(VenueEvent::ScheduleCancelAccepted { at: *at });
            } else {
                counts.unanswered_items += 1;
            }
            continue;
        };
        if matches!(outcome, ItemOutcome::Unrecognised) {
            counts.unrecognised_items += 1;
            continue;
        }
        match *action {
            OrderAction::Place(req) => match outcome {
                ItemOutcome::Resting { oid } | ItemOutcome::Filled { oid, .. } => {
                    table.set_oid(req.cloid, oid);
                    emit(VenueEvent::Accepted { coin: req.coin, cloid: req.cloid });
                }
                ItemOutcome::Waiting | ItemOutcome::Success => {
                    emit(VenueEvent::Accepted { coin: req.coin, cloid: req.cloid })
                }
                ItemOutcome::Rejected(reason) => {
                    if table.finish(req.cloid) {
                        emit(VenueEvent::Rejected { coin: req.coin, cloid: req.cloid, reason });
                    }
                }
                ItemOutcome::Unrecognised => {}
            },
            OrderAction::Cancel { coin, cloid } => match outcome {
                ItemOutcome::Rejected(reason) if is_order_gone(&reason) => {
                    table.finish(cloid);
                    emit(VenueEvent::CancelRejected { coin, cloid });
                }
                ItemOutcome::Rejected(_) => counts.cancel_errors += 1,
                _ => {
                    if table.finish(cloid) {
                        emit(VenueEvent::Cancelled { coin, cloid });
                    }
                }
            },
            OrderAction::Modify { coin, cloid, new } => match outcome {
                ItemOutcome::Rejected(reason) if is_order_gone(&reason) => {
                    table.finish(cloid);
                    table.finish(new.cloid);
                    emit(VenueEvent::CancelRejected { coin, cloid });
                    emit(VenueEvent::Rejected { coin, cloid: new.cloid, reason: RejectReason::OrderGone });
                }
                ItemOutcome::Rejected(reason) => {
                    // The old order rests on: a later venue cancel of it must be reported.
                    table.cancel_refused(cloid);
                    table.finish(new.cloid);
                    emit(VenueEvent::Rejected { coin, cloid: new.cloid, reason });
                }
                _ => {
                    if let ItemOutcome::Resting { oid } | ItemOutcome::Filled { oid, .. } = outcome {
                        table.set_oid(new.cloid, oid);
                    }
                    table.finish(cloid);
                    emit(VenueEvent::Cancelled { coin, cloid });
                    emit(VenueEvent::Accepted { coin, cloid: new.cloid });
                }
            },
            OrderAction::ScheduleCancel { at } => match outcome {
                ItemOutcome::Rejected(reason) => {
                    emit(VenueEvent::ScheduleCancelRejected { at, reason: schedule_reject(&reason) })
                }
                _ => emit(VenueEvent::ScheduleCancelAccepted { at }),
            },
            // Never grouped (`split_batch` keeps queries apart).
            OrderAction::QueryStatus { .. } => {}
        }
    }
}

/// The answers of an acknowledging venue (dry run): places rest, cancels succeed, a modify
/// is a cancel and an accepted place, a scheduled cancel is taken.
pub fn dry_run_events(group: &ActionGroup, mut emit: impl FnMut(VenueEvent)) {
    for action in &group.actions {
        match *action {
            OrderAction::Place(req) => emit(VenueEvent::Accepted { coin: req.coin, cloid: req.cloid }),
            OrderAction::Cancel { coin, cloid } => emit(VenueEvent::Cancelled { coin, cloid }),
            OrderAction::Modify { coin, cloid, new } => {
                emit(VenueEvent::Cancelled { coin, cloid });
                emit(VenueEvent::Accepted { coin, cloid: new.cloid });
            }
            OrderAction::ScheduleCancel { at } => emit(VenueEvent::ScheduleCancelAccepted { at }),
            OrderAction::QueryStatus { .. } => {}
        }
    }
}

/// The answers to a group that was never sent (not signed, or the journal failed): new
/// orders are refused with `why`; cancels and scheduled cancels get none (their orders rest,
/// OrderActor's lifecycle asks their status; the dead man's switch sees no confirmation).
pub fn unsent_events(group: &ActionGroup, why: &str, table: &mut OrderTable, mut emit: impl FnMut(VenueEvent)) {
    let reason = RejectReason::Unknown(RejectText::truncated(why));
    for action in &group.actions {
        match *action {
            OrderAction::Place(req) => {
                table.finish(req.cloid);
                emit(VenueEvent::Rejected { coin: req.coin, cloid: req.cloid, reason });
            }
            OrderAction::Modify { coin, cloid, new } => {
                table.cancel_refused(cloid);
                table.finish(new.cloid);
                emit(VenueEvent::Rejected { coin, cloid: new.cloid, reason });
            }
            OrderAction::Cancel { cloid, .. } => table.cancel_refused(cloid),
            OrderAction::ScheduleCancel { .. } | OrderAction::QueryStatus { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::hyperliquid::{CoinTable, Frame, Parser};
    use engine::order::parse_exchange_response;
    use engine::types::{Price, Qty, Side, UnixNanos};
    use engine::venue::OrderRequest;

    const BTC: CoinId = CoinId(0);

    fn place(cloid: u128, post_only: bool) -> OrderRequest {
        OrderRequest {
            coin: BTC,
            cloid: Cloid(cloid),
            side: Side::Bid,
            px: Price::parse("100000").unwrap(),
            qty: Qty::parse("0.001").unwrap(),
            post_only,
        }
    }

    fn groups_of(batch: &[OrderAction]) -> (Groups, Queries) {
        let (mut groups, mut queries) = (Groups::new(), Queries::new());
        split_batch(batch, &mut groups, &mut queries);
        (groups, queries)
    }

    fn rest(text: &str) -> ExchangeResponse {
        let mut body = text.as_bytes().to_vec();
        parse_exchange_response(&mut body).unwrap()
    }

    fn events(group: &ActionGroup, response: &ExchangeResponse, table: &mut OrderTable) -> Vec<VenueEvent> {
        let mut out = Vec::new();
        let mut counts = ReplyCounts::default();
        reply_events(group, response, table, &mut counts, |e| out.push(e));
        out
    }

    #[test]
    fn a_batch_splits_like_build_actions_and_keeps_queries_apart() {
        let at = |s| OrderAction::ScheduleCancel { at: Some(UnixNanos(s)) };
        let batch = [
            OrderAction::Place(place(1, true)),
            OrderAction::Place(place(2, false)),
            OrderAction::Cancel { coin: BTC, cloid: Cloid(3) },
            at(1),
            OrderAction::QueryStatus { coin: BTC, cloid: Cloid(4) },
            OrderAction::Modify { coin: BTC, cloid: Cloid(5), new: place(6, true) },
            OrderAction::Place(place(7, true)),
            at(2),
        ];
        let (groups, queries) = groups_of(&batch);
        let kinds: Vec<GroupKind> = groups.iter().map(|g| g.kind).collect();
        assert_eq!(
            kinds,
            [GroupKind::Cancel, GroupKind::Modify, GroupKind::PlaceAlo, GroupKind::PlaceIoc, GroupKind::ScheduleCancel]
        );
        assert_eq!(
            groups[2].actions.as_slice(),
            [OrderAction::Place(place(1, true)), OrderAction::Place(place(7, true))]
        );
        assert_eq!(groups[4].actions.as_slice(), [at(2)], "the batch's last schedule wins");
        assert_eq!(queries.as_slice(), [(BTC, Cloid(4))]);
    }

    #[test]
    fn places_map_item_by_item_and_learn_oids() {
        let batch = [
            OrderAction::Place(place(1, true)),
            OrderAction::Place(place(2, true)),
            OrderAction::Place(place(3, true)),
        ];
        let (groups, _) = groups_of(&batch);
        let mut table = OrderTable::default();
        batch.iter().for_each(|a| table.on_sent(a));
        let response = rest(
            r#"{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":77738308}},{"filled":{"totalSz":"0.001","avgPx":"99990.0","oid":77747314}},{"error":"Post only order would have immediately matched, bbo was 99990.0@100000.0. asset=0"}]}}}"#,
        );
        assert_eq!(
            events(&groups[0], &response, &mut table),
            [
                VenueEvent::Accepted { coin: BTC, cloid: Cloid(1) },
                VenueEvent::Accepted { coin: BTC, cloid: Cloid(2) },
                VenueEvent::Rejected { coin: BTC, cloid: Cloid(3), reason: RejectReason::PostOnlyWouldMatch },
            ]
        );
        assert_eq!(table.cloid_of(77738308), Some(Cloid(1)));
        assert_eq!(table.cloid_of(77747314), Some(Cloid(2)));
    }

    #[test]
    fn cancels_succeed_or_find_the_order_gone_and_other_errors_stay_silent() {
        let batch =
            [OrderAction::Cancel { coin: BTC, cloid: Cloid(1) }, OrderAction::Cancel { coin: BTC, cloid: Cloid(2) }];
        let (groups, _) = groups_of(&batch);
        let mut table = OrderTable::default();
        let response = rest(
            r#"{"status":"ok","response":{"type":"cancel","data":{"statuses":["success",{"error":"Order was never placed, already canceled, or filled. asset=0"}]}}}"#,
        );
        assert_eq!(
            events(&groups[0], &response, &mut table),
            [
                VenueEvent::Cancelled { coin: BTC, cloid: Cloid(1) },
                VenueEvent::CancelRejected { coin: BTC, cloid: Cloid(2) }
            ]
        );
        let refused = rest(
            r#"{"status":"err","response":"Too many cumulative requests sent (10123 > 10010) for cumulative volume traded $10.00."}"#,
        );
        let mut counts = ReplyCounts::default();
        let mut out = Vec::new();
        reply_events(&groups[0], &refused, &mut OrderTable::default(), &mut counts, |e| out.push(e));
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(counts.cancel_errors, 2);
    }

    #[test]
    fn a_whole_request_error_rejects_every_place_with_its_reason() {
        let batch = [OrderAction::Place(place(1, false)), OrderAction::Place(place(2, false))];
        let (groups, _) = groups_of(&batch);
        let response = rest(r#"{"status":"err","response":"Insufficient margin to place order."}"#);
        let reason = RejectReason::InsufficientMargin;
        assert_eq!(
            events(&groups[0], &response, &mut OrderTable::default()),
            [
                VenueEvent::Rejected { coin: BTC, cloid: Cloid(1), reason },
                VenueEvent::Rejected { coin: BTC, cloid: Cloid(2), reason }
            ]
        );
    }

    #[test]
    fn modifies_answer_as_cancel_then_place() {
        let modify = |old, new| OrderAction::Modify { coin: BTC, cloid: Cloid(old), new: place(new, true) };
        let batch = [modify(1, 11), modify(2, 12), modify(3, 13)];
        let (groups, _) = groups_of(&batch);
        let mut table = OrderTable::default();
        let response = rest(
            r#"{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":501}},{"error":"Cannot modify canceled or filled order"},{"error":"Order price too far from oracle"}]}}}"#,
        );
        assert_eq!(
            events(&groups[0], &response, &mut table),
            [
                VenueEvent::Cancelled { coin: BTC, cloid: Cloid(1) },
                VenueEvent::Accepted { coin: BTC, cloid: Cloid(11) },
                VenueEvent::CancelRejected { coin: BTC, cloid: Cloid(2) },
                VenueEvent::Rejected { coin: BTC, cloid: Cloid(12), reason: RejectReason::OrderGone },
                VenueEvent::Rejected { coin: BTC, cloid: Cloid(13), reason: RejectReason::PriceTooFarFromOracle },
            ]
        );
        assert_eq!(table.cloid_of(501), Some(Cloid(11)));
    }

    #[test]
    fn schedule_cancel_default_is_accepted_and_an_error_rejected() {
        let at = Some(UnixNanos(1_700_000_010_000_000_000));
        let (groups, _) = groups_of(&[OrderAction::ScheduleCancel { at }]);
        let ok = rest(r#"{"status":"ok","response":{"type":"default"}}"#);
        assert_eq!(events(&groups[0], &ok, &mut OrderTable::default()), [VenueEvent::ScheduleCancelAccepted { at }]);
        let err = rest(
            r#"{"status":"err","response":"Scheduled cancel time too early, must be at least 5 seconds from now."}"#,
        );
        assert_eq!(
            events(&groups[0], &err, &mut OrderTable::default()),
            [VenueEvent::ScheduleCancelRejected { at, reason: ScheduleCancelReject::TooSoon }]
        );
        let limit = rest(r#"{"status":"err","response":"Too many scheduled cancel triggers today."}"#);
        assert_eq!(
            events(&groups[0], &limit, &mut OrderTable::default()),
            [VenueEvent::ScheduleCancelRejected { at, reason: ScheduleCancelReject::DailyTriggerLimit }]
        );
    }

    #[test]
    fn a_websocket_post_reply_maps_like_the_rest_body() {
        let batch = [OrderAction::Place(place(1, true)), OrderAction::Place(place(2, true))];
        let (groups, _) = groups_of(&batch);
        let mut parser = Parser::new(CoinTable::new(["BTC"]).unwrap());
        let frame = br#"{"channel":"post","data":{"id":7,"response":{"type":"action","payload":{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":1}},{"error":"Order must have minimum value of $10."}]}}}}}}"#;
        let Ok(Frame::Post(reply)) = parser.parse(frame) else { panic!("not a post reply") };
        let response = ExchangeResponse::from_post(&reply).unwrap();
        assert_eq!(
            events(&groups[0], &response, &mut OrderTable::default()),
            [
                VenueEvent::Accepted { coin: BTC, cloid: Cloid(1) },
                VenueEvent::Rejected { coin: BTC, cloid: Cloid(2), reason: RejectReason::BelowMinNotional }
            ]
        );
    }

    #[test]
    fn dry_run_acknowledges_and_unsent_places_are_refused() {
        let batch = [
            OrderAction::Cancel { coin: BTC, cloid: Cloid(9) },
            OrderAction::Modify { coin: BTC, cloid: Cloid(1), new: place(2, true) },
            OrderAction::Place(place(3, false)),
        ];
        let (groups, _) = groups_of(&batch);
        let mut out = Vec::new();
        groups.iter().for_each(|g| dry_run_events(g, |e| out.push(e)));
        assert_eq!(
            out,
            [
                VenueEvent::Cancelled { coin: BTC, cloid: Cloid(9) },
                VenueEvent::Cancelled { coin: BTC, cloid: Cloid(1) },
                VenueEvent::Accepted { coin: BTC, cloid: Cloid(2) },
                VenueEvent::Accepted { coin: BTC, cloid: Cloid(3) },
            ]
        );
        out.clear();
        let mut table = OrderTable::default();
        groups.iter().for_each(|g| unsent_events(g, "not signed", &mut table, |e| out.push(e)));
        let reason = RejectReason::Unknown(RejectText::truncated("not signed"));
        assert_eq!(
            out,
            [
                VenueEvent::Rejected { coin: BTC, cloid: Cloid(2), reason },
                VenueEvent::Rejected { coin: BTC, cloid: Cloid(3), reason }
            ],
            "no event for the cancel: its order still rests"
        );
    }
}
