//! Golden tests: our parse equals, field by field, what the official SDK's own `Message` type
//! (hyperliquid_rust_sdk 0.6, deserialized by serde_json from the same bytes) makes of every
//! frame of the recorded BTC capture (`shared/data/hftbacktest-samples`), of every example
//! frame in HYPERLIQUID.md, and of constructed frames for the SDK channels those lack.
//!
//! The SDK keeps prices and sizes as strings: each is compared as `Price::parse(sdk)` against
//! ours, and ours formatted back must equal the SDK string in canonical form (no trailing
//! zeros). Channels the SDK has no type for (`bbo`, `error`, `post`) are checked to be refused
//! by the SDK and parsed by us; their values are pinned by `parse_tests.rs`.

use super::test_frames::capture;
use super::*;
use crate::types::{Price, Qty, Side};
use hyperliquid_rust_sdk::{Message, TradeInfo};

const API_DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/HYPERLIQUID.md");

fn table() -> CoinTable {
    CoinTable::new(["BTC", "PURR", "ETH", "hyna:HYPE"]).unwrap()
}

/// A decimal string without trailing fractional zeros: Hyperliquid's canonical form.
fn canonical(text: &str) -> String {
    let trimmed = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { text };
    if trimmed == "-0" {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn same_px(ours: Price, sdk: &str, what: &str) {
    assert_eq!(Ok(ours), Price::parse(sdk), "{what}: {sdk}");
    assert_eq!(ours.to_string(), canonical(sdk), "{what}: formatted back");
}

fn same_qty(ours: Qty, sdk: &str, what: &str) {
    assert_eq!(Ok(ours), Qty::parse(sdk), "{what}: {sdk}");
    assert_eq!(ours.to_string(), canonical(sdk), "{what}: formatted back");
}

fn same_side(ours: Side, sdk: &str, what: &str) {
    assert_eq!(if ours == Side::Bid { "B" } else { "A" }, sdk, "{what}");
}

fn same_coin(coins: &CoinTable, ours: Option<crate::types::CoinId>, sdk: &str, what: &str) {
    assert_eq!(ours.and_then(|c| coins.name(c)), coins.resolve(sdk).map(|_| sdk), "{what}");
}

fn same_fill(coins: &CoinTable, ours: &UserFill, sdk: &TradeInfo) {
    same_coin(coins, ours.coin, &sdk.coin, "fill.coin");
    same_side(ours.side, &sdk.side, "fill.side");
    same_px(ours.px, &sdk.px, "fill.px");
    same_qty(ours.sz, &sdk.sz, "fill.sz");
    assert_eq!(ours.exchange_time.0, sdk.time * 1_000_000, "fill.time");
    assert_eq!(ours.hash.to_string(), sdk.hash.to_lowercase(), "fill.hash");
    same_qty(ours.start_position, &sdk.start_position, "fill.startPosition");
    assert_eq!(ours.dir, FillDir::from_wire(&sdk.dir), "fill.dir");
    if let Some(wire) = ours.dir.as_wire() {
        assert_eq!(wire, sdk.dir, "fill.dir");
    }
    same_qty(ours.closed_pnl_usdc, &sdk.closed_pnl, "fill.closedPnl");
    assert_eq!(ours.oid, sdk.oid, "fill.oid");
    assert_eq!(ours.cloid.map(|c| c.to_string()), sdk.cloid.as_ref().map(|c| c.to_lowercase()), "fill.cloid");
    assert_eq!(ours.crossed, sdk.crossed, "fill.crossed");
    same_qty(ours.fee_qty, &sdk.fee, "fill.fee");
    assert_eq!(ours.fee_token == FeeToken::Usdc, sdk.fee_token == "USDC", "fill.feeToken");
    assert_eq!(ours.tid, sdk.tid, "fill.tid");
}

/// Asserts that our frame carries exactly what the SDK's message carries.
fn same_frame(coins: &CoinTable, ours: &Frame<'_>, sdk: &Message) {
    match (ours, sdk) {
        (Frame::L2Book(book), Message::L2Book(m)) => {
            let d = &m.data;
            assert_eq!(coins.name(book.coin), Some(d.coin.as_str()), "l2Book.coin");
            assert_eq!(book.exchange_time.0, d.time * 1_000_000, "l2Book.time");
            assert_eq!(d.levels.len(), 2, "l2Book.levels");
            for (ours, sdk) in [(&book.bids, &d.levels[0]), (&book.asks, &d.levels[1])] {
                assert_eq!(ours.len(), sdk.len(), "l2Book level count");
                for (o, s) in ours.iter().zip(sdk) {
                    same_px(o.px, &s.px, "l2Book.px");
                    same_qty(o.sz, &s.sz, "l2Book.sz");
                    assert_eq!(u64::from(o.orders), s.n, "l2Book.n");
                }
            }
        }
        (Frame::Trades(trades), Message::Trades(m)) => {
            let known: Vec<_> = m.data.iter().filter(|t| coins.resolve(&t.coin).is_some()).collect();
            assert_eq!(trades.prints.len(), known.len(), "trade count");
            assert_eq!(trades.unknown_coin_trades as usize, m.data.len() - known.len(), "unknown-coin trades");
            for (o, s) in trades.prints.iter().zip(known) {
                same_coin(coins, Some(o.trade.coin), &s.coin, "trades.coin");
                same_side(o.trade.aggressor, &s.side, "trades.side");
                same_px(o.trade.px, &s.px, "trades.px");
                same_qty(o.trade.sz, &s.sz, "trades.sz");
                assert_eq!(o.trade.exchange_time.0, s.time * 1_000_000, "trades.time");
                assert_eq!(o.hash.to_string(), s.hash.to_lowercase(), "trades.hash");
                assert_eq!(o.trade.tid, s.tid, "trades.tid");
            }
        }
        (Frame::UnknownCoin(Channel::Trades), Message::Trades(m)) => {
            assert!(!m.data.is_empty() && m.data.iter().all(|t| coins.resolve(&t.coin).is_none()));
        }
        (Frame::AllMids(mids), Message::AllMids(m)) => {
            let known = m.data.mids.iter().filter(|(c, _)| coins.resolve(c).is_some()).count();
            assert_eq!(mids.len(), known, "allMids count");
            for mid in mids.iter() {
                let name = coins.name(mid.coin).unwrap();
                same_px(mid.px, &m.data.mids[name], "allMids.px");
            }
        }
        (Frame::AssetCtx(ctx), Message::ActiveAssetCtx(m)) => {
            assert_eq!(coins.name(ctx.coin), Some(m.data.coin.as_str()), "ctx.coin");
            let hyperliquid_rust_sdk::AssetCtx::Perps(p) = &m.data.ctx else { panic!("SDK took a perp ctx for spot") };
            assert_eq!(ctx.funding_rate_frac_per_hour, p.funding.parse().ok(), "ctx.funding");
            same_qty(ctx.open_interest.unwrap(), &p.open_interest, "ctx.openInterest");
            same_px(ctx.oracle_px.unwrap(), &p.oracle_px, "ctx.oraclePx");
            same_px(ctx.mark_px.unwrap(), &p.shared.mark_px, "ctx.markPx");
            assert_eq!(ctx.mid_px, p.shared.mid_px.as_deref().map(|s| Price::parse(s).unwrap()), "ctx.midPx");
            if let (Some(o), Some(s)) = (ctx.mid_px, &p.shared.mid_px) {
                same_px(o, s, "ctx.midPx");
            }
            assert_eq!(ctx.day_notional_volume_usd, p.shared.day_ntl_vlm.parse().ok(), "ctx.dayNtlVlm");
            same_px(ctx.prev_day_px.unwrap(), &p.shared.prev_day_px, "ctx.prevDayPx");
        }
        (Frame::UserFills(f), Message::UserFills(m)) => {
            assert_eq!(f.is_snapshot, m.data.is_snapshot.unwrap_or(false), "userFills.isSnapshot");
            assert_eq!(f.user.0, m.data.user.0, "userFills.user");
            assert_eq!(f.fills.len(), m.data.fills.len(), "userFills count");
            f.fills.iter().zip(&m.data.fills).for_each(|(o, s)| same_fill(coins, o, s));
        }
        (Frame::OrderUpdates(updates), Message::OrderUpdates(m)) => {
            assert_eq!(updates.len(), m.data.len(), "orderUpdates count");
            for (o, s) in updates.iter().zip(&m.data) {
                same_coin(coins, o.coin, &s.order.coin, "order.coin");
                same_side(o.side, &s.order.side, "order.side");
                same_px(o.limit_px, &s.order.limit_px, "order.limitPx");
                same_qty(o.sz, &s.order.sz, "order.sz");
                assert_eq!(o.oid, s.order.oid, "order.oid");
                assert_eq!(o.order_time.0, s.order.timestamp * 1_000_000, "order.timestamp");
                same_qty(o.orig_sz, &s.order.orig_sz, "order.origSz");
                assert_eq!(o.cloid.map(|c| c.to_string()), s.order.cloid.as_ref().map(|c| c.to_lowercase()), "cloid");
                assert_eq!(o.status.as_wire(), s.status, "status");
                assert_eq!(o.status_time.0, s.status_timestamp * 1_000_000, "statusTimestamp");
            }
        }
        (Frame::User(event), Message::User(m)) => match (event, &m.data) {
            (UserEvent::Fills(fills), hyperliquid_rust_sdk::UserData::Fills(s)) => {
                assert_eq!(fills.len(), s.len(), "user.fills count");
                fills.iter().zip(s).for_each(|(o, s)| same_fill(coins, o, s));
            }
            (UserEvent::Funding(o), hyperliquid_rust_sdk::UserData::Funding(s)) => {
                assert_eq!(o.exchange_time.0, s.time * 1_000_000, "funding.time");
                same_coin(coins, o.coin, &s.coin, "funding.coin");
                same_qty(o.payment_usdc, &s.usdc, "funding.usdc");
                same_qty(o.position_qty, &s.szi, "funding.szi");
                assert_eq!(Ok(o.funding_rate_frac_per_hour), s.funding_rate.parse(), "funding.fundingRate");
            }
            (UserEvent::Liquidation(o), hyperliquid_rust_sdk::UserData::Liquidation(s)) => {
                assert_eq!(o.lid, s.lid, "liquidation.lid");
                assert_eq!(o.liquidator.to_string(), s.liquidator.to_lowercase(), "liquidation.liquidator");
                assert_eq!(o.liquidated_user.to_string(), s.liquidated_user.to_lowercase(), "liquidated_user");
                same_qty(o.liquidated_notional_usdc, &s.liquidated_ntl_pos, "liquidated_ntl_pos");
                same_qty(o.liquidated_account_value_usdc, &s.liquidated_account_value, "liquidated_account_value");
            }
            (UserEvent::NonUserCancel(o), hyperliquid_rust_sdk::UserData::NonUserCancel(s)) => {
                assert_eq!(o.len(), s.len(), "nonUserCancel count");
                for (o, s) in o.iter().zip(s) {
                    same_coin(coins, o.coin, &s.coin, "nonUserCancel.coin");
                    assert_eq!(o.oid, s.oid, "nonUserCancel.oid");
                }
            }
            (o, s) => panic!("user event differs: ours {o:?}, SDK {s:?}"),
        },
        (Frame::SubscriptionResponse(_), Message::SubscriptionResponse) | (Frame::Pong, Message::Pong) => {}
        (o, s) => panic!("frames differ: ours {o:?}, SDK {s:?}"),
    }
}

/// Parses `json` both ways and compares; returns our frame's channel.
fn check(parser: &mut Parser, json: &str) -> Channel {
    let sdk: Message = serde_json::from_str(json).unwrap_or_else(|e| panic!("SDK refused {json}: {e}"));
    let coins = parser.coins().clone();
    let ours = parser.parse(json.as_bytes()).unwrap_or_else(|e| panic!("we refused {json}: {e}"));
    same_frame(&coins, &ours, &sdk);
    ours.channel()
}

#[test]
fn every_frame_of_the_capture_matches_the_sdk() {
    let mut parser = Parser::new(table());
    let (mut books, mut trades) = (0, 0);
    for (n, json) in capture().iter().enumerate() {
        match check(&mut parser, json) {
            Channel::L2Book => books += 1,
            Channel::Trades => trades += 1,
            other => panic!("line {n}: unexpected channel {other}"),
        }
    }
    assert_eq!((books, trades), (46, 9), "every frame of the capture was compared");
}

/// The example frames quoted in HYPERLIQUID.md (lines starting `{"channel"`).
fn doc_frames() -> Vec<String> {
    let doc = std::fs::read_to_string(API_DOC).unwrap_or_else(|e| panic!("{API_DOC} missing: {e}"));
    doc.lines().filter(|l| l.starts_with(r#"{"channel""#)).map(str::to_owned).collect()
}

/// Channels Hyperliquid sends that the SDK 0.6 `Message` has no variant for.
const NOT_IN_SDK: [&str; 3] = [r#"{"channel":"bbo""#, r#"{"channel":"error""#, r#"{"channel":"post""#];

#[test]
fn every_example_frame_of_the_api_doc_matches_the_sdk() {
    let frames = doc_frames();
    assert!(frames.len() >= 7, "HYPERLIQUID.md lost its example frames: {frames:?}");
    let mut parser = Parser::new(table());
    let mut seen = Vec::new();
    for json in &frames {
        if NOT_IN_SDK.iter().any(|p| json.starts_with(p)) {
            assert!(serde_json::from_str::<Message>(json).is_err(), "the SDK learned {json}: compare it here");
            seen.push(parser.parse(json.as_bytes()).unwrap_or_else(|e| panic!("{json}: {e}")).channel());
        } else {
            seen.push(check(&mut parser, json));
        }
    }
    for channel in [Channel::Bbo, Channel::Trades, Channel::ActiveAssetCtx, Channel::OrderUpdates, Channel::User] {
        assert!(seen.contains(&channel), "no {channel} example compared");
    }
}

/// Frames for the SDK channels the capture and the doc have no example of, built from the
/// documented shapes.
const CONSTRUCTED: [&str; 8] = [
    r#"{"channel":"allMids","data":{"mids":{"BTC":"105055.5","@107":"0.00012345","ETH":"3301.25","hyna:HYPE":"25.10"}}}"#,
    r#"{"channel":"userFills","data":{"isSnapshot":false,"user":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","fills":[{"coin":"hyna:HYPE","px":"25.101","sz":"1.5","side":"B","time":1784976932073,"startPosition":"0.0","dir":"Open Long","closedPnl":"-0.12","hash":"0x92d38081159338b16193041b8e778601cc009bdb07afadb910963709b4e6ac76","oid":7,"crossed":true,"fee":"-0.000829","tid":9,"feeToken":"USDC","cloid":"0xA1F0CDDC17303D07F3FD128D5B35071D","builderFee":"0.01"},{"coin":"SOL","px":"1","sz":"1","side":"A","time":1,"startPosition":"1","dir":"Liquidated Isolated Long","closedPnl":"0","hash":"0x0000000000000000000000000000000000000000000000000000000000000000","oid":8,"crossed":false,"fee":"0.1","tid":10,"feeToken":"HYPE"}]}}"#,
    r#"{"channel":"user","data":{"funding":{"time":1700000000000,"coin":"ETH","usdc":"-0.123456","szi":"-1.5","fundingRate":"0.0000125"}}}"#,
    r#"{"channel":"user","data":{"liquidation":{"lid":5,"liquidator":"0x14a855bdcffa67fdf47a112f5180c26d7088c85f","liquidated_user":"0xC897E2A9CF140A9035E2AEBAA834AE98196C152A","liquidated_ntl_pos":"1000.50","liquidated_account_value":"20.25"}}}"#,
    r#"{"channel":"user","data":{"nonUserCancel":[{"coin":"BTC","oid":1},{"coin":"SOL","oid":2}]}}"#,
    r#"{"channel":"orderUpdates","data":[{"order":{"coin":"ETH","side":"A","limitPx":"3301.2","sz":"0.0","oid":3,"timestamp":4,"origSz":"0.5"},"status":"selfTradeCanceled","statusTimestamp":5},{"order":{"coin":"BTC","side":"B","limitPx":"1","sz":"1","oid":6,"timestamp":7,"origSz":"1","cloid":null},"status":"newStatusRejected","statusTimestamp":8}]}"#,
    r#"{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"trades","coin":"BTC"}}}"#,
    r#"{"channel":"trades","data":[{"coin":"ETH","side":"B","px":"3301.20","sz":"0.01000","time":1737918794873,"hash":"0x0000000000000000000000000000000000000000000000000000000000000000","tid":1,"users":["0x14a855bdcffa67fdf47a112f5180c26d7088c85f","0xc897e2a9cf140a9035e2aebaa834ae98196c152a"]},{"coin":"DOGE","side":"A","px":"0.3","sz":"100","time":1737918794874,"hash":"0x0000000000000000000000000000000000000000000000000000000000000000","tid":2}]}"#,
];

#[test]
fn constructed_frames_of_the_remaining_sdk_channels_match_the_sdk() {
    let mut parser = Parser::new(table());
    for json in CONSTRUCTED {
        check(&mut parser, json);
    }
}

#[test]
#[should_panic(expected = "l2Book.sz")]
fn a_difference_from_the_sdk_is_caught() {
    let json = r#"{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[{"px":"1.0","sz":"2.50","n":1}],[]]}}"#;
    let sdk: Message = serde_json::from_str(&json.replace("2.50", "2.51")).unwrap();
    let mut parser = Parser::new(table());
    let coins = table();
    same_frame(&coins, &parser.parse(json.as_bytes()).unwrap(), &sdk);
}
