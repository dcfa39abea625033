//! Reader for the `post` channel: the answer to an action or info request sent over the
//! WebSocket (HYPERLIQUID.md, "WebSocket" and "Orders").
//!
//! `{id, response: {type: "action", payload: {status: "ok", response: {type, data?:
//! {statuses}}} | {status: "err", response: "<msg>"}}}`, or `{type: "error", payload:
//! "<msg>"}`, or `{type: "info", payload: …}` (not typed). A status is `{"resting":{oid,
//! cloid?}}`, `{"filled":{totalSz, avgPx, oid, cloid?}}`, `{"error":"<msg>"}` or a bare
//! string (`"success"`, `"waitingForFill"`, `"waitingForTrigger"`); shapes not known here
//! become [`ActionStatus::Other`] rather than an error, so the reply's `id` is never lost.

use super::error::{FrameError, Problem};
use super::parse::{Parsed, Scratch};
use super::post::{ActionResponseKind, ActionStatus, PostOutcome};
use super::reader::{key, pick, Key, Slot};
use simd_json::base::ValueAsScalar;

const POST: [Key; 2] = [key("id", "data.id"), key("response", "data.response")];
const RESPONSE: [Key; 2] = [key("type", "data.response.type"), key("payload", "data.response.payload")];
const PAYLOAD: [Key; 2] =
    [key("status", "data.response.payload.status"), key("response", "data.response.payload.response")];
const ACTION: [Key; 2] =
    [key("type", "data.response.payload.response.type"), key("data", "data.response.payload.response.data")];
const STATUSES: [Key; 1] = [key("statuses", "data.response.payload.response.data.statuses")];
const STATUS: [Key; 3] = [
    key("resting", "data.response.payload.response.data.statuses[].resting"),
    key("filled", "data.response.payload.response.data.statuses[].filled"),
    key("error", "data.response.payload.response.data.statuses[].error"),
];
const RESTING: [Key; 2] = [
    key("oid", "data.response.payload.response.data.statuses[].resting.oid"),
    key("cloid", "data.response.payload.response.data.statuses[].resting.cloid"),
];
const FILLED: [Key; 4] = [
    key("totalSz", "data.response.payload.response.data.statuses[].filled.totalSz"),
    key("avgPx", "data.response.payload.response.data.statuses[].filled.avgPx"),
    key("oid", "data.response.payload.response.data.statuses[].filled.oid"),
    key("cloid", "data.response.payload.response.data.statuses[].filled.cloid"),
];

fn status(value: Slot<'_, '_>, out: &mut Scratch) -> Result<ActionStatus, FrameError> {
    let channel = value.channel;
    let v = value.required()?;
    if let Some(text) = v.as_str() {
        return Ok(match text {
            "success" => ActionStatus::Success,
            "waitingForFill" => ActionStatus::WaitingForFill,
            "waitingForTrigger" => ActionStatus::WaitingForTrigger,
            _ => ActionStatus::Other,
        });
    }
    let [resting, filled, error] = pick(value.object()?, channel, &STATUS)?;
    if resting.is_present() {
        let [oid, cloid] = pick(resting.object()?, channel, &RESTING)?;
        return Ok(ActionStatus::Resting { oid: oid.u64()?, cloid: cloid.opt(Slot::cloid)? });
    }
    if filled.is_present() {
        let [total_sz, avg_px, oid, cloid] = pick(filled.object()?, channel, &FILLED)?;
        return Ok(ActionStatus::Filled {
            total_sz: total_sz.qty()?,
            avg_px: avg_px.price()?,
            oid: oid.u64()?,
            cloid: cloid.opt(Slot::cloid)?,
        });
    }
    if error.is_present() {
        return Ok(ActionStatus::Error { message: out.push_text(error.str()?) });
    }
    Ok(ActionStatus::Other)
}

/// The `payload` of an action reply.
fn action(payload: Slot<'_, '_>, out: &mut Scratch) -> Result<PostOutcome, FrameError> {
    let channel = payload.channel;
    let [status_slot, response] = pick(payload.object()?, channel, &PAYLOAD)?;
    match status_slot.str()? {
        "err" => Ok(PostOutcome::ActionErr { message: out.push_text(response.str()?) }),
        "ok" => {
            let [kind, data] = pick(response.object()?, channel, &ACTION)?;
            let kind = match kind.str()? {
                "order" => ActionResponseKind::Order,
                "cancel" => ActionResponseKind::Cancel,
                "default" => ActionResponseKind::Default,
                _ => ActionResponseKind::Other,
            };
            if let Some(data) = data.optional() {
                let [statuses] = pick(data.object()?, channel, &STATUSES)?;
                for value in statuses.array()?.iter() {
                    let parsed =
                        status(Slot::new(value, channel, "data.response.payload.response.data.statuses[]"), out)?;
                    out.statuses.push(parsed);
                }
            }
            Ok(PostOutcome::ActionOk(kind))
        }
        _ => Err(status_slot.error(Problem::BadValue)),
    }
}

/// `{id, response: {type, payload}}`.
pub(super) fn post(data: Slot<'_, '_>, out: &mut Scratch) -> Result<Parsed, FrameError> {
    let channel = data.channel;
    out.statuses.clear();
    out.text.clear();
    let [id, response] = pick(data.object()?, channel, &POST)?;
    let id = id.u64()?;
    let [kind, payload] = pick(response.object()?, channel, &RESPONSE)?;
    let outcome = match kind.str()? {
        "action" => action(payload, out)?,
        "error" => PostOutcome::Error { message: out.push_text(payload.str()?) },
        "info" => PostOutcome::Info,
        _ => PostOutcome::Other,
    };
    Ok(Parsed::Post { id, outcome })
}
