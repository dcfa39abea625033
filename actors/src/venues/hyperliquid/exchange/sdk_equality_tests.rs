//! Our wire types against `hyperliquid_rust_sdk` 0.6's: for every action kind the SDK has,
//! the SDK's `Actions` value made from our JSON msgpacks to exactly our bytes, and our bytes
//! decode into the SDK's type and re-encode unchanged. `scheduleCancel` (not in the SDK) is
//! checked against hand-assembled msgpack.

use super::action::tests::{place, table};
use super::vector_tests::vector_order;
use super::*;
use engine::types::{Cloid, CoinId, Side, UnixNanos};
use engine::venue::OrderAction;
use hyperliquid_rust_sdk::Actions;

/// Asserts our msgpack is the SDK's, both ways, and our JSON is `expected_json`.
fn assert_same_as_sdk(ours: &L1Action, expected_json: serde_json::Value) {
    let json = serde_json::to_value(ours).unwrap();
    assert_eq!(json, expected_json);
    let our_bytes = action_msgpack(ours).unwrap();
    let sdk: Actions = serde_json::from_value(json).unwrap();
    assert_eq!(rmp_serde::to_vec_named(&sdk).unwrap(), our_bytes, "SDK built from our JSON");
    let decoded: Actions = rmp_serde::from_slice(&our_bytes).unwrap();
    assert_eq!(rmp_serde::to_vec_named(&decoded).unwrap(), our_bytes, "our bytes through the SDK type");
    let text = serde_json::to_string(ours).unwrap();
    assert_eq!(&serde_json::from_str::<L1Action>(&text).unwrap(), ours, "our JSON reads back");
    assert_eq!(&rmp_serde::from_slice::<L1Action>(&our_bytes).unwrap(), ours, "our msgpack reads back");
}

#[test]
fn alo_batch_with_cloids() {
    let batch = [
        place(0, Side::Bid, "104999", "0.00123", true, 0xabcd_0000_0000_0000_0001),
        place(1, Side::Ask, "25.125", "40", true, 0xabcd_0000_0000_0000_0002),
    ];
    let action = build_action(&batch, &table()).unwrap();
    assert_same_as_sdk(
        &action,
        serde_json::json!({"type": "order", "orders": [
            {"a": 0, "b": true, "p": "104999", "s": "0.00123", "r": false, "t": {"limit": {"tif": "Alo"}},
             "c": "0x000000000000abcd0000000000000001"},
            {"a": 110003, "b": false, "p": "25.125", "s": "40", "r": false, "t": {"limit": {"tif": "Alo"}},
             "c": "0x000000000000abcd0000000000000002"},
        ], "grouping": "na"}),
    );
}

#[test]
fn ioc_order_without_cloid_as_in_the_vectors() {
    let action = vector_order(None);
    assert_same_as_sdk(
        &action,
        serde_json::json!({"type": "order", "orders": [
            {"a": 1, "b": true, "p": "2000.0", "s": "3.5", "r": false, "t": {"limit": {"tif": "Ioc"}}},
        ], "grouping": "na"}),
    );
}

#[test]
fn cancels_by_oid_and_by_cloid() {
    let by_oid = cancel_by_oid(&[(CoinId(0), 82382), (CoinId(1), u64::MAX)], &table()).unwrap();
    assert_same_as_sdk(
        &by_oid,
        serde_json::json!({"type": "cancel", "cancels": [{"a": 0, "o": 82382}, {"a": 110003, "o": u64::MAX}]}),
    );
    let batch = [
        OrderAction::Cancel { coin: CoinId(1), cloid: Cloid(u128::MAX) },
        OrderAction::Cancel { coin: CoinId(0), cloid: Cloid(1) },
    ];
    let by_cloid = build_action(&batch, &table()).unwrap();
    assert_same_as_sdk(
        &by_cloid,
        serde_json::json!({"type": "cancelByCloid", "cancels": [
            {"asset": 110003, "cloid": "0xffffffffffffffffffffffffffffffff"},
            {"asset": 0, "cloid": "0x00000000000000000000000000000001"},
        ]}),
    );
}

#[test]
fn batch_modify_by_oid() {
    let OrderAction::Place(req) = place(0, Side::Ask, "105010", "0.5", true, 77) else { unreachable!() };
    let action = modify(&[(ModifyTarget::Oid(123456789), req)], &table()).unwrap();
    assert_same_as_sdk(
        &action,
        serde_json::json!({"type": "batchModify", "modifies": [{"oid": 123456789, "order":
            {"a": 0, "b": false, "p": "105010", "s": "0.5", "r": false, "t": {"limit": {"tif": "Alo"}},
             "c": "0x0000000000000000000000000000004d"}}]}),
    );
    // By cloid the SDK (oid: u64) cannot follow; the Python SDK sends the cloid string.
    let by_cloid = modify(&[(ModifyTarget::Cloid(Cloid(77)), req)], &table()).unwrap();
    let json = serde_json::to_value(&by_cloid).unwrap();
    assert_eq!(json["modifies"][0]["oid"], "0x0000000000000000000000000000004d");
}

#[test]
fn schedule_cancel_msgpack_is_type_then_time() {
    let set =
        build_action(&[OrderAction::ScheduleCancel { at: Some(UnixNanos::from_millis(1_700_000_005_000)) }], &table())
            .unwrap();
    let mut expected = vec![0x82, 0xa4];
    expected.extend_from_slice(b"type");
    expected.push(0xae);
    expected.extend_from_slice(b"scheduleCancel");
    expected.push(0xa4);
    expected.extend_from_slice(b"time");
    expected.push(0xcf);
    expected.extend_from_slice(&1_700_000_005_000u64.to_be_bytes());
    assert_eq!(action_msgpack(&set).unwrap(), expected);
    assert_eq!(serde_json::to_string(&set).unwrap(), r#"{"type":"scheduleCancel","time":1700000005000}"#);

    let clear = build_action(&[OrderAction::ScheduleCancel { at: None }], &table()).unwrap();
    let mut expected = vec![0x81, 0xa4];
    expected.extend_from_slice(b"type");
    expected.push(0xae);
    expected.extend_from_slice(b"scheduleCancel");
    assert_eq!(action_msgpack(&clear).unwrap(), expected);
    assert_eq!(serde_json::to_string(&clear).unwrap(), r#"{"type":"scheduleCancel"}"#);
}

#[test]
fn the_sdk_type_hashes_like_ours() {
    let batch = [place(0, Side::Bid, "99999", "0.01", true, 5), place(0, Side::Bid, "99998", "0.02", true, 6)];
    let ours = build_action(&batch, &table()).unwrap();
    let sdk: Actions = serde_json::from_value(serde_json::to_value(&ours).unwrap()).unwrap();
    let vault = engine::hyperliquid::Address([5; 20]);
    for (v, e) in [(None, None), (Some(&vault), Some(1_700_000_000_000))] {
        assert_eq!(action_hash(&ours, 42, v, e).unwrap(), action_hash(&sdk, 42, v, e).unwrap());
    }
}
