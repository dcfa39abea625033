//! Hyperliquid's answers to order actions, as typed outcomes.
//!
//! HYPERLIQUID.md, "Orders": an accepted action answers
//! `{"status":"ok","response":{"type":"order"|"cancel"|…,"data":{"statuses":[…]}}}` with one
//! status per item, in batch order — `{"resting":{"oid"}}`, `{"filled":{"totalSz","avgPx",
//! "oid"}}`, `{"error":"<text>"}`, or a bare string (`"success"` for a cancel); actions
//! without items (`scheduleCancel`) answer `{"type":"default"}`. A refused request is
//! `{"status":"err","response":"<text>"}`, which applies to every item it carried.
//!
//! The error texts are the venue's only reason codes; [`reject_reason`] turns each known one
//! into a [`RejectReason`] (unknown texts are kept, truncated). Two entry points give the same
//! [`ExchangeResponse`]: [`ExchangeResponse::from_post`] for a WebSocket `post` reply already
//! read by [`crate::hyperliquid::Parser`], and [`parse_exchange_response`] for a REST
//! `/exchange` body.

use crate::hyperliquid::{ActionStatus, PostOutcome, PostResponse};
use crate::types::{Price, Qty};
use crate::venue::{RejectReason, RejectText, MAX_ACTIONS_PER_BATCH};
use arrayvec::ArrayVec;
use simd_json::prelude::*;
use simd_json::BorrowedValue;

/// What became of one item (order, cancel or modify) of an accepted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemOutcome {
    /// The order rests on the book under venue order id `oid`.
    Resting { oid: u64 },
    /// The order traded at once: `total_sz` at average `avg_px` (the rest, if any, is not
    /// resting). A summary: the fills themselves still arrive on the user channels.
    Filled { oid: u64, total_sz: Qty, avg_px: Price },
    /// A cancel succeeded.
    Success,
    /// A trigger order waits (`waitingForFill`, `waitingForTrigger`); not used for quotes.
    Waiting,
    /// The venue refused this item.
    Rejected(RejectReason),
    /// A status shape not known here.
    Unrecognised,
}

/// The venue's answer to one request. Fixed capacity so reading an answer allocates
/// nothing; it lives on the stack for the moment it is applied, so its size is no concern.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeResponse {
    /// `status: "ok"`: one outcome per item, in the order sent (empty for `default`).
    Items(ArrayVec<ItemOutcome, MAX_ACTIONS_PER_BATCH>),
    /// `status: "err"`: nothing in the request took effect.
    RequestRejected(RejectReason),
}

/// A body that is not an exchange answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("exchange response is not valid JSON")]
    NotJson,
    #[error("exchange response lacks or mistypes `{0}`")]
    Shape(&'static str),
    #[error("exchange response has more than {MAX_ACTIONS_PER_BATCH} statuses")]
    TooManyStatuses,
    #[error("the post reply is not an action answer")]
    NotAnAction,
}

/// Known error texts, matched by a fragment each always contains (texts carry values, e.g.
/// the bbo or the request counts, after the fixed part).
const REASONS: [(&str, RejectReason); 10] = [
    ("Post only order would have immediately matched", RejectReason::PostOnlyWouldMatch),
    ("Price must be divisible by tick size", RejectReason::BadTick),
    ("Order must have minimum value of", RejectReason::BelowMinNotional),
    ("Insufficient margin to place order", RejectReason::InsufficientMargin),
    ("Reduce only order would increase position", RejectReason::ReduceOnlyWouldIncrease),
    ("Order could not immediately match against any resting orders", RejectReason::IocCouldNotMatch),
    ("Order price too far from oracle", RejectReason::PriceTooFarFromOracle),
    ("exceed margin tier limit", RejectReason::MarginTierLimit),
    ("Too many cumulative requests sent", RejectReason::RateLimited),
    ("Order was never placed, already canceled, or filled", RejectReason::OrderGone),
];

/// The typed reason of a venue error text; [`RejectReason::Unknown`] keeps an unknown text.
pub fn reject_reason(text: &str) -> RejectReason {
    REASONS
        .iter()
        .find(|(fragment, _)| text.contains(fragment))
        .map_or_else(|| RejectReason::Unknown(RejectText::truncated(text)), |(_, reason)| *reason)
}

impl ExchangeResponse {
    /// The outcome of the item at `index` of the request; a refused request refuses each.
    /// `None`: the venue answered fewer items than were sent.
    pub fn item(&self, index: usize) -> Option<ItemOutcome> {
        match self {
            ExchangeResponse::Items(items) => items.get(index).copied(),
            ExchangeResponse::RequestRejected(reason) => Some(ItemOutcome::Rejected(*reason)),
        }
    }

    /// A WebSocket `post` reply to an action. A post-level error (`type: "error"`) refuses
    /// the whole request like `status: "err"`; info replies are not action answers.
    pub fn from_post(reply: &PostResponse<'_>) -> Result<Self, ResponseError> {
        match reply.outcome {
            PostOutcome::ActionOk(_) => {
                let mut items = ArrayVec::new();
                for status in reply.statuses {
                    let outcome = match *status {
                        ActionStatus::Resting { oid, .. } => ItemOutcome::Resting { oid },
                        ActionStatus::Filled { total_sz, avg_px, oid, .. } => {
                            ItemOutcome::Filled { oid, total_sz, avg_px }
                        }
                        ActionStatus::Success => ItemOutcome::Success,
                        ActionStatus::WaitingForFill | ActionStatus::WaitingForTrigger => ItemOutcome::Waiting,
                        ActionStatus::Error { message } => ItemOutcome::Rejected(reject_reason(reply.text(message))),
                        ActionStatus::Other => ItemOutcome::Unrecognised,
                    };
                    items.try_push(outcome).map_err(|_| ResponseError::TooManyStatuses)?;
                }
                Ok(ExchangeResponse::Items(items))
            }
            PostOutcome::ActionErr { message } | PostOutcome::Error { message } => {
                Ok(ExchangeResponse::RequestRejected(reject_reason(reply.text(message))))
            }
            PostOutcome::Info | PostOutcome::Other => Err(ResponseError::NotAnAction),
        }
    }
}

/// Parses a REST `/exchange` answer. simd-json parses in place, so `body` is overwritten.
pub fn parse_exchange_response(body: &mut [u8]) -> Result<ExchangeResponse, ResponseError> {
    let root = simd_json::to_borrowed_value(body).map_err(|_| ResponseError::NotJson)?;
    let status = root.get("status").and_then(|v| v.as_str()).ok_or(ResponseError::Shape("status"))?;
    let response = root.get("response").ok_or(ResponseError::Shape("response"))?;
    if status != "ok" {
        let text = response.as_str().ok_or(ResponseError::Shape("response"))?;
        return Ok(ExchangeResponse::RequestRejected(reject_reason(text)));
    }
    let mut items = ArrayVec::new();
    let statuses = response.get("data").and_then(|d| d.get("statuses"));
    let Some(statuses) = statuses else {
        // `{"type":"default"}`: an action without items.
        return Ok(ExchangeResponse::Items(items));
    };
    let statuses = statuses.as_array().ok_or(ResponseError::Shape("response.data.statuses"))?;
    for status in statuses {
        items.try_push(item(status)?).map_err(|_| ResponseError::TooManyStatuses)?;
    }
    Ok(ExchangeResponse::Items(items))
}

fn item(status: &BorrowedValue<'_>) -> Result<ItemOutcome, ResponseError> {
    if let Some(text) = status.as_str() {
        return Ok(match text {
            "success" => ItemOutcome::Success,
            "waitingForFill" | "waitingForTrigger" => ItemOutcome::Waiting,
            _ => ItemOutcome::Unrecognised,
        });
    }
    if let Some(resting) = status.get("resting") {
        return Ok(ItemOutcome::Resting { oid: oid(resting)? });
    }
    if let Some(filled) = status.get("filled") {
        let number = |key: &'static str| filled.get(key).and_then(|v| v.as_str()).ok_or(ResponseError::Shape(key));
        let total_sz = Qty::parse(number("totalSz")?).map_err(|_| ResponseError::Shape("totalSz"))?;
        let avg_px = Price::parse(number("avgPx")?).map_err(|_| ResponseError::Shape("avgPx"))?;
        return Ok(ItemOutcome::Filled { oid: oid(filled)?, total_sz, avg_px });
    }
    if let Some(error) = status.get("error") {
        let text = error.as_str().ok_or(ResponseError::Shape("error"))?;
        return Ok(ItemOutcome::Rejected(reject_reason(text)));
    }
    Ok(ItemOutcome::Unrecognised)
}

fn oid(object: &BorrowedValue<'_>) -> Result<u64, ResponseError> {
    object.get("oid").and_then(|v| v.as_u64()).ok_or(ResponseError::Shape("oid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ExchangeResponse {
        let mut body = text.as_bytes().to_vec();
        parse_exchange_response(&mut body).unwrap()
    }

    fn only_item(text: &str) -> ItemOutcome {
        match parse(text) {
            ExchangeResponse::Items(items) if items.len() == 1 => items[0],
            other => panic!("expected one item, got {other:?}"),
        }
    }

    fn error_item(message: &str) -> String {
        let message = message.replace('"', "\\\"");
        format!(r#"{{"status":"ok","response":{{"type":"order","data":{{"statuses":[{{"error":"{message}"}}]}}}}}}"#)
    }

    /// Every error text of HYPERLIQUID.md, "Orders" and "Prices, sizes, fees, limits".
    const DOCUMENTED: [(&str, RejectReason); 10] = [
        ("Price must be divisible by tick size.", RejectReason::BadTick),
        ("Order must have minimum value of $10.", RejectReason::BelowMinNotional),
        ("Insufficient margin to place order.", RejectReason::InsufficientMargin),
        ("Reduce only order would increase position.", RejectReason::ReduceOnlyWouldIncrease),
        (
            "Post only order would have immediately matched, bbo was 105055.0@105056.0.",
            RejectReason::PostOnlyWouldMatch,
        ),
        ("Order could not immediately match against any resting orders.", RejectReason::IocCouldNotMatch),
        ("Order price too far from oracle", RejectReason::PriceTooFarFromOracle),
        ("Order would cause position to exceed margin tier limit at current leverage", RejectReason::MarginTierLimit),
        (
            "Too many cumulative requests sent (10123 > 10010) for cumulative volume traded $10.00.",
            RejectReason::RateLimited,
        ),
        ("Order was never placed, already canceled, or filled.", RejectReason::OrderGone),
    ];

    #[test]
    fn each_documented_error_text_maps_to_its_reason() {
        for (text, reason) in DOCUMENTED {
            assert_eq!(reject_reason(text), reason, "{text}");
            assert_eq!(only_item(&error_item(text)), ItemOutcome::Rejected(reason), "{text}");
        }
    }

    #[test]
    fn unknown_text_is_kept_and_truncated_on_a_char_boundary() {
        let RejectReason::Unknown(text) = reject_reason("Cannot modify canceled or filled order") else {
            panic!("expected Unknown");
        };
        assert_eq!(text.as_str(), "Cannot modify canceled or filled order");
        let long = "é".repeat(200);
        let RejectReason::Unknown(text) = reject_reason(&long) else { panic!("expected Unknown") };
        assert_eq!(text.as_str().len(), RejectText::CAPACITY);
        assert!(long.starts_with(text.as_str()));
        let json = serde_json::to_string(&RejectReason::Unknown(text)).unwrap();
        assert_eq!(serde_json::from_str::<RejectReason>(&json).unwrap(), RejectReason::Unknown(text));
    }

    #[test]
    fn batch_of_resting_filled_and_error_in_order() {
        let response = parse(
            r#"{"status":"ok","response":{"type":"order","data":{"statuses":[
                {"resting":{"oid":77738308}},
                {"filled":{"totalSz":"0.02","avgPx":"1891.4","oid":77747314}},
                {"error":"Order must have minimum value of $10."}]}}}"#,
        );
        let ExchangeResponse::Items(items) = &response else { panic!("{response:?}") };
        assert_eq!(items[0], ItemOutcome::Resting { oid: 77738308 });
        assert_eq!(
            items[1],
            ItemOutcome::Filled {
                oid: 77747314,
                total_sz: Qty::parse("0.02").unwrap(),
                avg_px: Price::parse("1891.4").unwrap()
            }
        );
        assert_eq!(items[2], ItemOutcome::Rejected(RejectReason::BelowMinNotional));
        assert_eq!(response.item(3), None);
    }

    #[test]
    fn whole_request_error_refuses_every_item() {
        let response = parse(
            r#"{"status":"err","response":"Too many cumulative requests sent (10123 > 10010) for cumulative volume traded $10.00."}"#,
        );
        assert_eq!(response, ExchangeResponse::RequestRejected(RejectReason::RateLimited));
        assert_eq!(response.item(5), Some(ItemOutcome::Rejected(RejectReason::RateLimited)));
    }

    #[test]
    fn cancel_success_default_and_malformed() {
        assert_eq!(
            only_item(r#"{"status":"ok","response":{"type":"cancel","data":{"statuses":["success"]}}}"#),
            ItemOutcome::Success
        );
        assert_eq!(parse(r#"{"status":"ok","response":{"type":"default"}}"#), ExchangeResponse::Items(ArrayVec::new()));
        assert_eq!(
            only_item(r#"{"status":"ok","response":{"type":"order","data":{"statuses":[{"x":1}]}}}"#),
            ItemOutcome::Unrecognised
        );
        let mut bad = b"{\"status\":".to_vec();
        assert_eq!(parse_exchange_response(&mut bad), Err(ResponseError::NotJson));
        let mut no_oid =
            br#"{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{}}]}}}"#.to_vec();
        assert_eq!(parse_exchange_response(&mut no_oid), Err(ResponseError::Shape("oid")));
    }

    #[test]
    fn websocket_post_reply_maps_like_rest() {
        use crate::hyperliquid::{CoinTable, Frame, Parser};
        let mut parser = Parser::new(CoinTable::new(["BTC"]).unwrap());
        let frame = br#"{"channel":"post","data":{"id":7,"response":{"type":"action","payload":{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":1}},{"error":"Post only order would have immediately matched, bbo was 1@2."}]}}}}}}"#;
        let Frame::Post(reply) = parser.parse(frame).unwrap() else { panic!("not a post frame") };
        let response = ExchangeResponse::from_post(&reply).unwrap();
        assert_eq!(response.item(0), Some(ItemOutcome::Resting { oid: 1 }));
        assert_eq!(response.item(1), Some(ItemOutcome::Rejected(RejectReason::PostOnlyWouldMatch)));
        let frame = br#"{"channel":"post","data":{"id":8,"response":{"type":"action","payload":{"status":"err","response":"Order price too far from oracle"}}}}"#;
        let Frame::Post(reply) = parser.parse(frame).unwrap() else { panic!("not a post frame") };
        assert_eq!(
            ExchangeResponse::from_post(&reply).unwrap(),
            ExchangeResponse::RequestRejected(RejectReason::PriceTooFarFromOracle)
        );
    }
}
