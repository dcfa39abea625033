//! The journal's records and their versioned payload encoding.

use crate::control::QuoteParamsChange;
use engine::risk::TradingState;
use engine::types::UnixNanos;
use engine::venue::{OrderAction, VenueEvent};
use serde::{Deserialize, Serialize};

/// One durable fact of the engine. Frozen once written: see the module doc on versioning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Record {
    /// A process started on this journal.
    SessionStart(SessionStart),
    /// One signed batch of order actions, journaled before it is sent.
    ActionsSent { at: UnixNanos, nonce: u64, actions: Vec<OrderAction> },
    /// What the venue reported, journaled before the engine applies it.
    Venue { at: UnixNanos, event: VenueEvent },
    /// The trading state changed (ACTIVE / REDUCE_ONLY / HALTED).
    TradingState { at: UnixNanos, state: TradingState, reason: String },
    /// Risk limits changed to `version`; `change` is the change's `Display` (assignment form).
    RiskLimits { at: UnixNanos, version: u64, change: String },
    /// Quote parameters changed to `version`.
    QuoteParams { at: UnixNanos, version: u64, change: QuoteParamsChange },
}

/// The first record each process writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionStart {
    pub at: UnixNanos,
    /// Hash of the configuration the session runs with (to tell a config change at a glance).
    pub config_hash: u64,
    pub pid: u32,
    /// Every nonce this session signs is above this one.
    pub nonce_floor: u64,
}

/// The payload's outer layer: its variant index is the format version.
#[derive(Serialize)]
enum EnvelopeRef<'a> {
    V1(&'a Record),
}

#[derive(Deserialize)]
enum Envelope {
    V1(Record),
}

/// Appends the payload of `record` to `buf`.
pub(super) fn encode_payload(record: &Record, buf: Vec<u8>) -> Result<Vec<u8>, postcard::Error> {
    postcard::to_extend(&EnvelopeRef::V1(record), buf)
}

/// The record in `payload`; `None` if it does not decode exactly (unknown version, bad bytes,
/// or bytes left over).
pub(super) fn decode_payload(payload: &[u8]) -> Option<Record> {
    match postcard::take_from_bytes::<Envelope>(payload) {
        Ok((Envelope::V1(record), [])) => Some(record),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use engine::quote::ModelKind;
    use engine::types::{Cloid, CoinId, Price, Qty, Side};
    use engine::venue::{FillReport, Liquidity, OrderRequest, RejectReason, ScheduleCancelReject};

    /// One record of every kind, and every venue event and action kind.
    pub(crate) fn every_kind() -> Vec<Record> {
        let coin = CoinId(3);
        let cloid = Cloid(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210);
        let at = UnixNanos(1_700_000_000_123_456_789);
        let place = OrderRequest {
            coin,
            cloid,
            side: Side::Bid,
            px: Price::parse("105055.5").unwrap(),
            qty: Qty::parse("0.0123").unwrap(),
            post_only: true,
        };
        let fill = FillReport {
            coin,
            cloid,
            side: Side::Bid,
            px: place.px,
            qty: Qty::parse("0.01").unwrap(),
            remaining: Qty::parse("0.0023").unwrap(),
            fee_usd: -0.0105,
            liquidity: Liquidity::Maker,
            exchange_time: UnixNanos(1_700_000_000_100_000_000),
            tid: 987_654_321_012,
        };
        let venue = |event| Record::Venue { at, event };
        vec![
            Record::SessionStart(SessionStart {
                at,
                config_hash: 0xdead_beef_cafe_f00d,
                pid: 4242,
                nonce_floor: 1_700_000_000_000,
            }),
            Record::ActionsSent {
                at,
                nonce: 1_700_000_000_124,
                actions: vec![
                    OrderAction::Place(place),
                    OrderAction::Cancel { coin, cloid: Cloid(7) },
                    OrderAction::ScheduleCancel { at: Some(UnixNanos(1_700_000_010_000_000_000)) },
                    OrderAction::ScheduleCancel { at: None },
                ],
            },
            venue(VenueEvent::Accepted { coin, cloid }),
            venue(VenueEvent::Rejected { coin, cloid, reason: RejectReason::PostOnlyWouldMatch }),
            venue(VenueEvent::Cancelled { coin, cloid }),
            venue(VenueEvent::CancelRejected { coin, cloid }),
            venue(VenueEvent::Fill(fill)),
            venue(VenueEvent::ScheduleCancelAccepted { at: Some(at) }),
            venue(VenueEvent::ScheduleCancelRejected { at: None, reason: ScheduleCancelReject::TooSoon }),
            venue(VenueEvent::ScheduleCancelFired { at, cancelled_orders: 12 }),
            Record::TradingState { at, state: TradingState::ReduceOnly, reason: "position mismatch on BTC".into() },
            Record::RiskLimits { at, version: 3, change: "max_position_base=0.5 daily_loss_usd=200".into() },
            Record::QuoteParams {
                at,
                version: 2,
                change: QuoteParamsChange {
                    model: Some(ModelKind::AvellanedaStoikov),
                    gamma_per_usd: Some(0.1),
                    min_edge_bps: None,
                    levels_per_side: Some(3),
                    level_spacing_bps: None,
                    requote_tolerance_bps: Some(0.5),
                },
            },
        ]
    }

    #[test]
    fn every_kind_round_trips() {
        for record in every_kind() {
            let payload = encode_payload(&record, Vec::new()).unwrap();
            assert_eq!(decode_payload(&payload), Some(record));
        }
    }

    #[test]
    fn trailing_bytes_and_unknown_versions_do_not_decode() {
        let mut payload = encode_payload(&every_kind()[0], Vec::new()).unwrap();
        payload.push(0);
        assert_eq!(decode_payload(&payload), None);
        payload.pop();
        payload[0] = 1; // Envelope::V2, which does not exist yet
        assert_eq!(decode_payload(&payload), None);
        assert_eq!(decode_payload(&[]), None);
    }

    /// Pins the wire format: if this fails, a type the journal embeds changed shape and old
    /// journals no longer replay — add an `Envelope` version instead of changing `V1`.
    #[test]
    fn encoding_is_frozen() {
        let mut all = Vec::new();
        for record in every_kind() {
            all = encode_payload(&record, all).unwrap();
        }
        let digest = crc32fast::hash(&all);
        assert_eq!((all.len(), digest), GOLDEN, "journal encoding moved: {} bytes, crc {digest:#010x}", all.len());
    }
    const GOLDEN: (usize, u32) = (474, 0x2673_9c51);
}
