//! Unit tests of the user channels and `post` replies: the documented shapes (HYPERLIQUID.md,
//! "WebSocket" and "Orders"), nulls, unknown fields and coins, and the exactly-one rule of
//! the `user` channel.

use super::parse_tests::{assert_err, parser, px, qty};
use super::test_frames::FILL;
use super::*;
use crate::types::{Cloid, CoinId, Qty, Side, UnixNanos};

#[test]
fn post_replies() {
    let mut p = parser();
    let order = r#"{"channel":"post","data":{"id":256,"response":{"type":"action","payload":{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":88383}},{"filled":{"totalSz":"0.02","avgPx":"1891.4","oid":77747314,"cloid":"0x1e60610f0b3d420597c88c1fed2ad5ee"}},{"error":"Post only order would have immediately matched, bbo was 1891.4@1891.5"},"waitingForFill",{"new":1}]}}}}}}"#;
    let Ok(Frame::Post(r)) = p.parse(order.as_bytes()) else { panic!() };
    assert_eq!((r.id, r.outcome), (256, PostOutcome::ActionOk(ActionResponseKind::Order)));
    assert_eq!(r.statuses[0], ActionStatus::Resting { oid: 88383, cloid: None });
    assert_eq!(
        r.statuses[1],
        ActionStatus::Filled {
            total_sz: qty("0.02"),
            avg_px: px("1891.4"),
            oid: 77_747_314,
            cloid: Some(Cloid(0x1e60610f0b3d420597c88c1fed2ad5ee)),
        }
    );
    let ActionStatus::Error { message } = r.statuses[2] else { panic!() };
    assert_eq!(r.text(message), "Post only order would have immediately matched, bbo was 1891.4@1891.5");
    assert_eq!(&r.statuses[3..], [ActionStatus::WaitingForFill, ActionStatus::Other]);

    let cancel = r#"{"channel":"post","data":{"id":7,"response":{"type":"action","payload":{"status":"ok","response":{"type":"cancel","data":{"statuses":["success",{"error":"Order was never placed, already canceled, or filled."}]}}}}}}"#;
    let Ok(Frame::Post(r)) = p.parse(cancel.as_bytes()) else { panic!() };
    assert_eq!(r.outcome, PostOutcome::ActionOk(ActionResponseKind::Cancel));
    let ActionStatus::Error { message } = r.statuses[1] else { panic!() };
    assert_eq!(
        (r.statuses[0], r.text(message)),
        (ActionStatus::Success, "Order was never placed, already canceled, or filled.")
    );

    let schedule = r#"{"channel":"post","data":{"id":8,"response":{"type":"action","payload":{"status":"ok","response":{"type":"default"}}}}}"#;
    let Ok(Frame::Post(r)) = p.parse(schedule.as_bytes()) else { panic!() };
    assert_eq!((r.outcome, r.statuses), (PostOutcome::ActionOk(ActionResponseKind::Default), &[][..]));

    let refused = r#"{"channel":"post","data":{"id":9,"response":{"type":"action","payload":{"status":"err","response":"Too many cumulative requests sent"}}}}"#;
    let Ok(Frame::Post(r)) = p.parse(refused.as_bytes()) else { panic!() };
    let PostOutcome::ActionErr { message } = r.outcome else { panic!() };
    assert_eq!(r.text(message), "Too many cumulative requests sent");

    let error = r#"{"channel":"post","data":{"id":10,"response":{"type":"error","payload":"Invalid post request"}}}"#;
    let Ok(Frame::Post(r)) = p.parse(error.as_bytes()) else { panic!() };
    let PostOutcome::Error { message } = r.outcome else { panic!() };
    assert_eq!((r.id, r.text(message)), (10, "Invalid post request"));

    let info =
        r#"{"channel":"post","data":{"id":11,"response":{"type":"info","payload":{"type":"l2Book","data":{}}}}}"#;
    assert!(matches!(p.parse(info.as_bytes()), Ok(Frame::Post(r)) if r.outcome == PostOutcome::Info && r.id == 11));
    assert_err(
        &refused.replace(r#""status":"err""#, r#""status":"maybe""#),
        Channel::Post,
        "data.response.payload.status",
        ErrorKind::BadValue,
    );
    assert_err(
        &order.replace("88383", r#""88383""#),
        Channel::Post,
        "data.response.payload.response.data.statuses[].resting.oid",
        ErrorKind::WrongType,
    );
}

#[test]
fn user_fills_snapshot_and_live() {
    let mut p = parser();
    let snapshot = r#"{"channel":"userFills","data":{"isSnapshot":true,"user":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","fills":[]}}"#;
    assert!(matches!(p.parse(snapshot.as_bytes()), Ok(Frame::UserFills(f)) if f.is_snapshot && f.fills.is_empty()));
    let with_cloid = FILL.replace(
        r#""twapId":null"#,
        r#""cloid":"0xa1f0cddc17303d07f3fd128d5b35071d","builderFee":"0.0001","liquidation":{"markPx":"1","method":"market"},"twapId":42"#,
    );
    let other_coin =
        FILL.replace(r#""coin":"BTC""#, r#""coin":"SOL""#).replace(r#""feeToken":"USDC""#, r#""feeToken":"HYPE""#);
    let live = format!(
        r#"{{"channel":"userFills","data":{{"user":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","fills":[{FILL},{with_cloid},{other_coin}]}}}}"#
    );
    let Ok(Frame::UserFills(f)) = p.parse(live.as_bytes()) else { panic!() };
    assert!(!f.is_snapshot);
    let [plain, tagged, other] = f.fills else { panic!() };
    assert_eq!(plain.coin, Some(CoinId(0)));
    assert_eq!((plain.side, plain.px, plain.sz), (Side::Ask, px("64007"), qty("0.00018")));
    assert_eq!(
        (plain.start_position, plain.dir, plain.closed_pnl_usdc),
        (qty("-50.81882"), FillDir::OpenShort, Qty::ZERO)
    );
    assert_eq!((plain.fee_usdc(), plain.liquidity()), (Some(qty("0.000829")), crate::venue::Liquidity::Maker));
    assert_eq!((plain.cloid, plain.twap_id, plain.liquidation, plain.builder_fee_qty), (None, None, false, None));
    assert_eq!(plain.exchange_time, UnixNanos::from_millis(1_784_976_932_073));
    assert_eq!((plain.oid, plain.tid), (502_464_503_020, 351_400_627_290_190));
    assert_eq!(tagged.cloid, Some(Cloid(0xa1f0cddc17303d07f3fd128d5b35071d)));
    assert_eq!((tagged.twap_id, tagged.liquidation, tagged.builder_fee_qty), (Some(42), true, Some(qty("0.0001"))));
    assert_eq!((other.coin, other.fee_token, other.fee_usdc()), (None, FeeToken::Other, None), "kept, not dropped");
    assert_err(
        &live.replace(r#""crossed":false"#, r#""crossed":"no""#),
        Channel::UserFills,
        "data.fills[].crossed",
        ErrorKind::WrongType,
    );
    assert_err(&live.replace("0xa1f0cddc", "0xa1f0cdd"), Channel::UserFills, "data.fills[].cloid", ErrorKind::BadValue);
    assert_err(&live.replace("0x70997970", "0x7099797"), Channel::UserFills, "data.user", ErrorKind::BadValue);
}

#[test]
fn order_updates_with_known_and_unknown_statuses() {
    let mut p = parser();
    let frame = r#"{"channel":"orderUpdates","data":[{"order":{"coin":"BTC","side":"B","limitPx":"31795.0","sz":"0.00037","oid":57118842019,"timestamp":1785261289146,"origSz":"0.00037","cloid":"0xa1f0cddc17303d07f3fd128d5b35071d"},"status":"open","statusTimestamp":1785261289146},{"order":{"coin":"hyna:HYPE","side":"A","limitPx":"25","sz":"0","oid":1,"timestamp":2,"origSz":"3","cloid":null,"reduceOnly":false},"status":"someNewRejected","statusTimestamp":3}]}"#;
    let Ok(Frame::OrderUpdates([open, rejected])) = p.parse(frame.as_bytes()) else { panic!() };
    assert_eq!(
        *open,
        OrderUpdate {
            coin: Some(CoinId(0)),
            side: Side::Bid,
            limit_px: px("31795"),
            sz: qty("0.00037"),
            oid: 57_118_842_019,
            order_time: UnixNanos::from_millis(1_785_261_289_146),
            orig_sz: qty("0.00037"),
            cloid: Some(Cloid(0xa1f0cddc17303d07f3fd128d5b35071d)),
            status: OrderStatus::Open,
            status_time: UnixNanos::from_millis(1_785_261_289_146),
        }
    );
    assert_eq!((rejected.coin, rejected.cloid), (Some(CoinId(1)), None));
    assert_eq!(rejected.status.as_wire(), "someNewRejected");
    assert!(rejected.status.is_rejected());
    assert_err(
        &frame.replace(r#""status":"open","#, ""),
        Channel::OrderUpdates,
        "data[].status",
        ErrorKind::MissingField,
    );
}

#[test]
fn user_events_hold_exactly_one_variant() {
    let mut p = parser();
    let fills = format!(r#"{{"channel":"user","data":{{"fills":[{FILL}]}}}}"#);
    assert!(
        matches!(p.parse(fills.as_bytes()), Ok(Frame::User(UserEvent::Fills([f]))) if f.tid == 351_400_627_290_190)
    );
    let funding = r#"{"channel":"user","data":{"funding":{"time":1700000000000,"coin":"ETH","usdc":"-0.123456","szi":"-1.5","fundingRate":"0.0000125"}}}"#;
    let Ok(Frame::User(UserEvent::Funding(f))) = p.parse(funding.as_bytes()) else { panic!() };
    assert_eq!((f.coin, f.payment_usdc, f.position_qty), (Some(CoinId(2)), qty("-0.123456"), qty("-1.5")));
    assert_eq!(f.funding_rate_frac_per_hour, 0.0000125);
    let liquidation = r#"{"channel":"user","data":{"liquidation":{"lid":5,"liquidator":"0x14a855bdcffa67fdf47a112f5180c26d7088c85f","liquidated_user":"0xc897e2a9cf140a9035e2aebaa834ae98196c152a","liquidated_ntl_pos":"1000.5","liquidated_account_value":"20.25"}}}"#;
    let Ok(Frame::User(UserEvent::Liquidation(l))) = p.parse(liquidation.as_bytes()) else { panic!() };
    assert_eq!((l.lid, l.liquidated_notional_usdc, l.liquidated_account_value_usdc), (5, qty("1000.5"), qty("20.25")));
    let cancels = r#"{"channel":"user","data":{"nonUserCancel":[{"coin":"BTC","oid":1},{"coin":"SOL","oid":2}]}}"#;
    let Ok(Frame::User(UserEvent::NonUserCancel(c))) = p.parse(cancels.as_bytes()) else { panic!() };
    assert_eq!(c, [NonUserCancel { coin: Some(CoinId(0)), oid: 1 }, NonUserCancel { coin: None, oid: 2 }]);
    assert_err(r#"{"channel":"user","data":{"other":1}}"#, Channel::User, "data", ErrorKind::NotExactlyOne);
    assert_err(
        r#"{"channel":"user","data":{"fills":[],"nonUserCancel":[]}}"#,
        Channel::User,
        "data",
        ErrorKind::NotExactlyOne,
    );
}
