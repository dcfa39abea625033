//! Unit tests of the market-data channels and the envelope: the documented shapes
//! (HYPERLIQUID.md, "WebSocket"), nulls, unknown fields, unknown and HIP-3 coins, and
//! malformed input. The user channels and `post` are in `parse_user_tests.rs`.

use super::test_frames::{BOOK, CTX, TRADES};
use super::*;
use crate::market::BookLevel;
use crate::types::{CoinId, Price, Qty, Side, UnixNanos};

pub(super) fn parser() -> Parser {
    Parser::new(CoinTable::new(["BTC", "hyna:HYPE", "ETH"]).unwrap())
}

pub(super) fn px(s: &str) -> Price {
    Price::parse(s).unwrap()
}

pub(super) fn qty(s: &str) -> Qty {
    Qty::parse(s).unwrap()
}

pub(super) fn err(p: &mut Parser, frame: &str) -> FrameError {
    match p.parse(frame.as_bytes()) {
        Err(e) => e,
        Ok(f) => panic!("expected an error for {frame}, got {f:?}"),
    }
}

pub(super) fn assert_err(frame: &str, channel: Channel, field: &str, kind: ErrorKind) {
    let e = err(&mut parser(), frame);
    assert_eq!((e.channel, e.field, e.kind()), (channel, field, kind), "{frame}: {e}");
}

#[test]
fn l2_book_snapshot_with_an_extra_field() {
    let mut p = parser();
    let Ok(Frame::L2Book(book)) = p.parse(BOOK.as_bytes()) else { panic!() };
    assert_eq!(book.coin, CoinId(0));
    assert_eq!(book.exchange_time, UnixNanos(1_737_918_843_542_000_000));
    assert_eq!(
        book.bids.as_slice(),
        [
            BookLevel { px: px("105055"), sz: qty("3.03622"), orders: 5 },
            BookLevel { px: px("105054"), sz: qty("0.1428"), orders: 1 },
        ]
    );
    assert_eq!(book.asks.as_slice(), [BookLevel { px: px("105056"), sz: qty("6.34472"), orders: 13 }]);
}

#[test]
fn l2_book_of_hip3_and_unknown_coins() {
    let mut p = parser();
    let hip3 = BOOK.replace(r#""coin":"BTC""#, r#""coin":"hyna:HYPE""#);
    assert!(matches!(p.parse(hip3.as_bytes()), Ok(Frame::L2Book(b)) if b.coin == CoinId(1)));
    let sol = BOOK.replace(r#""coin":"BTC""#, r#""coin":"SOL""#);
    assert_eq!(p.parse(sol.as_bytes()), Ok(Frame::UnknownCoin(Channel::L2Book)));
    let empty = r#"{"channel":"l2Book","data":{"coin":"ETH","time":1,"levels":[[],[]]}}"#;
    assert!(matches!(p.parse(empty.as_bytes()), Ok(Frame::L2Book(b)) if b.bids.is_empty() && b.asks.is_empty()));
}

#[test]
fn l2_book_errors_name_the_field() {
    let level = r#"{"px":"1","sz":"1","n":1}"#;
    let too_deep = format!(
        r#"{{"channel":"l2Book","data":{{"coin":"BTC","time":1,"levels":[[{}],[]]}}}}"#,
        vec![level; 21].join(",")
    );
    assert_err(&too_deep, Channel::L2Book, "data.levels[]", ErrorKind::TooMany);
    let three = r#"{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[],[],[]]}}"#;
    assert_err(three, Channel::L2Book, "data.levels", ErrorKind::WrongLength);
    let scalar = r#"{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[1],[]]}}"#;
    assert_err(scalar, Channel::L2Book, "data.levels[][]", ErrorKind::WrongType);
    assert_err(&BOOK.replace(r#""time":1737918843542,"#, ""), Channel::L2Book, "data.time", ErrorKind::MissingField);
    assert_err(&BOOK.replace("105054.0", "1e5"), Channel::L2Book, "data.levels[][].px", ErrorKind::BadNumber);
    assert_err(&BOOK.replace("105054.0", "1.000000001"), Channel::L2Book, "data.levels[][].px", ErrorKind::BadNumber);
    assert_err(&BOOK.replace(r#""n":13"#, r#""n":-1"#), Channel::L2Book, "data.levels[][].n", ErrorKind::OutOfRange);
    assert_err(&BOOK.replace(r#""n":13"#, r#""n":1.5"#), Channel::L2Book, "data.levels[][].n", ErrorKind::WrongType);
    assert_err(
        &BOOK.replace(r#""n":13"#, r#""n":99999999999"#),
        Channel::L2Book,
        "data.levels[][].n",
        ErrorKind::OutOfRange,
    );
    assert_err(
        &BOOK.replace(r#""sz":"0.1428""#, r#""sz":0.1428"#),
        Channel::L2Book,
        "data.levels[][].sz",
        ErrorKind::WrongType,
    );
    assert_err(
        &BOOK.replace(r#""fast":true"#, r#""coin":"ETH""#),
        Channel::L2Book,
        "data.coin",
        ErrorKind::DuplicateField,
    );
    assert_err(
        &BOOK.replace("1737918843542", "18446744073709551615"),
        Channel::L2Book,
        "data.time",
        ErrorKind::OutOfRange,
    );
}

#[test]
fn trades_keep_known_coins_and_count_the_rest() {
    let mut p = parser();
    let Ok(Frame::Trades(t)) = p.parse(TRADES.as_bytes()) else { panic!() };
    assert_eq!(t.unknown_coin_trades, 1);
    assert_eq!(t.prints.len(), 2);
    let first = t.prints[0];
    assert_eq!(first.trade.aggressor, Side::Ask);
    assert_eq!((first.trade.px, first.trade.sz, first.trade.tid), (px("105055"), qty("0.00219"), 85_392_298_469_503));
    assert_eq!(
        first.users.unwrap()[0].to_string(),
        "0x6f90d048a511626ba5a6425db17f377826df336a",
        "users are [buyer, seller]"
    );
    assert_eq!(t.prints[1].users, None, "users may be absent");
    assert_eq!(t.trades().map(|tr| tr.tid).collect::<Vec<_>>(), [85_392_298_469_503, 2]);
    assert_eq!(
        t.exchange_time_range(),
        Some((UnixNanos::from_millis(1_737_918_794_873), UnixNanos::from_millis(1_737_918_796_079)))
    );
}

#[test]
fn trades_of_only_unknown_coins_and_empty_trades() {
    let mut p = parser();
    let purr = r#"{"channel":"trades","data":[{"coin":"PURR","side":"A","px":"0.27899","sz":"40.0","time":1736985608767,"hash":"0x92d38081159338b16193041b8e778601cc009bdb07afadb910963709b4e6ac76","tid":344983419729275,"users":["0x14a855bdcffa67fdf47a112f5180c26d7088c85f","0xc897e2a9cf140a9035e2aebaa834ae98196c152a"]}]}"#;
    assert_eq!(p.parse(purr.as_bytes()), Ok(Frame::UnknownCoin(Channel::Trades)));
    let Ok(Frame::Trades(t)) = p.parse(br#"{"channel":"trades","data":[]}"#) else { panic!() };
    assert!(t.prints.is_empty() && t.exchange_time_range().is_none());
    assert_err(&TRADES.replace(r#""side":"A""#, r#""side":"S""#), Channel::Trades, "data[].side", ErrorKind::BadValue);
    assert_err(&TRADES.replace("0x53928a", "0x53928"), Channel::Trades, "data[].hash", ErrorKind::BadValue);
    assert_err(
        &TRADES.replace(r#","0x6ba2474576769a4ad1578a90ed4d6e3f98f09a3d""#, ""),
        Channel::Trades,
        "data[].users",
        ErrorKind::WrongLength,
    );
}

#[test]
fn bbo_with_and_without_sides() {
    let mut p = parser();
    let frame = r#"{"channel":"bbo","data":{"coin":"BTC","time":1785251522090,"bbo":[{"px":"63457.0","sz":"0.00028","n":1},{"px":"63488.0","sz":"0.01246","n":2}]}}"#;
    let Ok(Frame::Bbo(b)) = p.parse(frame.as_bytes()) else { panic!() };
    assert_eq!(b.bid, Some(BookLevel { px: px("63457"), sz: qty("0.00028"), orders: 1 }));
    assert_eq!(b.ask, Some(BookLevel { px: px("63488"), sz: qty("0.01246"), orders: 2 }));
    assert_eq!(b.exchange_time, UnixNanos::from_millis(1_785_251_522_090));
    let one_sided = r#"{"channel":"bbo","data":{"coin":"ETH","time":1,"bbo":[null,{"px":"2","sz":"3","n":4}]}}"#;
    let Ok(Frame::Bbo(b)) = p.parse(one_sided.as_bytes()) else { panic!() };
    assert_eq!((b.coin, b.bid, b.ask.map(|l| l.orders)), (CoinId(2), None, Some(4)));
    let empty = r#"{"channel":"bbo","data":{"coin":"ETH","time":1,"bbo":[null,null]}}"#;
    assert!(matches!(p.parse(empty.as_bytes()), Ok(Frame::Bbo(Bbo { bid: None, ask: None, .. }))));
    let other = r#"{"channel":"bbo","data":{"coin":"DOGE","time":1,"bbo":[null,null]}}"#;
    assert_eq!(p.parse(other.as_bytes()), Ok(Frame::UnknownCoin(Channel::Bbo)));
    assert_err(&frame.replace(r#""n":2"#, r#""n":"2""#), Channel::Bbo, "data.bbo[].n", ErrorKind::WrongType);
}

#[test]
fn all_mids_keep_configured_coins_only() {
    let mut p = parser();
    let frame = r#"{"channel":"allMids","data":{"mids":{"@1":"0.000123456789","BTC":"105055.5","SOL":"bad","hyna:HYPE":"25.1234"}}}"#;
    let Ok(Frame::AllMids(mids)) = p.parse(frame.as_bytes()) else { panic!() };
    assert_eq!(mids, [Mid { coin: CoinId(0), px: px("105055.5") }, Mid { coin: CoinId(1), px: px("25.1234") }]);
    assert_err(&frame.replace("105055.5", "x"), Channel::AllMids, "data.mids.*", ErrorKind::BadNumber);
    assert_err(
        r#"{"channel":"allMids","data":{"mids":{"BTC":"1","BTC":"2"}}}"#,
        Channel::AllMids,
        "data.mids.*",
        ErrorKind::DuplicateField,
    );
}

#[test]
fn asset_ctx_fields_and_nulls() {
    let mut p = parser();
    let Ok(Frame::AssetCtx(c)) = p.parse(CTX.as_bytes()) else { panic!() };
    assert_eq!(c.funding_rate_frac_per_hour, Some(0.0000052974));
    assert_eq!(c.open_interest, Some(qty("36295.80812")));
    assert_eq!(c.oracle_px, Some(px("80684.7")));
    assert_eq!(c.mark_px, Some(px("80640")));
    assert_eq!(c.mid_px, Some(px("80639.5")));
    assert_eq!(c.premium_frac, Some(-0.0005540084));
    assert_eq!(c.impact_pxs, Some([px("80637.2"), px("80640")]));
    assert_eq!(c.day_notional_volume_usd, Some(4_490_636_699.328_773_5));
    assert_eq!(c.prev_day_px, Some(px("77759")));
    assert_eq!(c.day_base_volume, Some(qty("56265.69068")));
    let nulls = CTX
        .replace(r#""midPx":"80639.5""#, r#""midPx":null"#)
        .replace(r#""premium":"-0.0005540084""#, r#""premium":null"#)
        .replace(r#"["80637.2","80640.0"]"#, "null")
        .replace(r#""oraclePx":"80684.7""#, r#""oraclePx":null"#);
    let Ok(Frame::AssetCtx(c)) = p.parse(nulls.as_bytes()) else { panic!() };
    assert_eq!((c.mid_px, c.premium_frac, c.impact_pxs, c.oracle_px), (None, None, None, None));
    let absent = CTX.replace(r#""midPx":"80639.5","#, "").replace(r#","dayBaseVlm":"56265.69068""#, "");
    assert!(matches!(
        p.parse(absent.as_bytes()),
        Ok(Frame::AssetCtx(AssetCtx { mid_px: None, day_base_volume: None, .. }))
    ));
    assert_err(
        &CTX.replace(r#""markPx":"80640.0","#, ""),
        Channel::ActiveAssetCtx,
        "data.ctx.markPx",
        ErrorKind::MissingField,
    );
    assert_err(&CTX.replace("0.0000052974", "NaN"), Channel::ActiveAssetCtx, "data.ctx.funding", ErrorKind::BadNumber);
    assert_err(&CTX.replace("0.0000052974", "1e-5"), Channel::ActiveAssetCtx, "data.ctx.funding", ErrorKind::BadNumber);
    let hip3 = CTX.replace(r#""coin":"BTC""#, r#""coin":"hyna:HYPE""#);
    assert!(matches!(p.parse(hip3.as_bytes()), Ok(Frame::AssetCtx(c)) if c.coin == CoinId(1)));
    let other = CTX.replace(r#""coin":"BTC""#, r#""coin":"xyz:TSLA""#);
    assert_eq!(p.parse(other.as_bytes()), Ok(Frame::UnknownCoin(Channel::ActiveAssetCtx)));
}

#[test]
fn subscription_echoes_pong_error_and_other_channels() {
    let mut p = parser();
    let ack = r#"{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC","nSigFigs":null}}}"#;
    assert_eq!(
        p.parse(ack.as_bytes()),
        Ok(Frame::SubscriptionResponse(SubscriptionAck {
            method: SubscriptionMethod::Subscribe,
            kind: SubscriptionKind::L2Book,
            coin: CoinField::Known(CoinId(0)),
            user: None,
        }))
    );
    let user = r#"{"channel":"subscriptionResponse","data":{"method":"unsubscribe","subscription":{"type":"userFills","user":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}}}"#;
    let Ok(Frame::SubscriptionResponse(a)) = p.parse(user.as_bytes()) else { panic!() };
    assert_eq!(
        (a.method, a.kind, a.coin),
        (SubscriptionMethod::Unsubscribe, SubscriptionKind::UserFills, CoinField::Absent)
    );
    assert_eq!(a.user.unwrap().to_string(), "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    let other = r#"{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"candle","coin":"SOL","interval":"1m"}}}"#;
    assert!(matches!(
        p.parse(other.as_bytes()),
        Ok(Frame::SubscriptionResponse(SubscriptionAck {
            kind: SubscriptionKind::Other,
            coin: CoinField::Unknown,
            ..
        }))
    ));
    assert_eq!(p.parse(br#"{"channel":"pong"}"#), Ok(Frame::Pong));
    let error = r#"{"channel":"error","data":"Invalid subscription {\"type\":\"l2Book\"}"}"#;
    assert_eq!(p.parse(error.as_bytes()), Ok(Frame::Error(r#"Invalid subscription {"type":"l2Book"}"#)));
    let candle = r#"{"channel":"candle","data":{"t":1,"s":"BTC"}}"#;
    assert!(matches!(p.parse(candle.as_bytes()), Ok(Frame::Unhandled(name)) if name.as_str() == "candle"));
    assert_err(r#"{"channel":"error","data":{"msg":"x"}}"#, Channel::Error, "data", ErrorKind::WrongType);
}

#[test]
fn malformed_envelopes() {
    assert_err("not json", Channel::Envelope, "frame", ErrorKind::InvalidJson);
    assert_err(r#"{"channel":"l2Book","data":{"coin":"BT"#, Channel::Envelope, "frame", ErrorKind::Truncated);
    assert_err(r#"[1,2]"#, Channel::Envelope, "frame", ErrorKind::WrongType);
    assert_err(r#"{"data":{}}"#, Channel::Envelope, "channel", ErrorKind::MissingField);
    assert_err(r#"{"channel":7}"#, Channel::Envelope, "channel", ErrorKind::WrongType);
    assert_err(r#"{"channel":"trades"}"#, Channel::Trades, "data", ErrorKind::MissingField);
    assert_err(r#"{"channel":"trades","data":{}}"#, Channel::Trades, "data", ErrorKind::WrongType);
    assert_err(r#"{"channel":"pong"} x"#, Channel::Envelope, "frame", ErrorKind::InvalidJson);
    let mut p = parser();
    let e = p.parse(b"{\"channel\":\"error\",\"data\":\"\xff\xfe\"}").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotUtf8);
    assert_eq!(p.parse(b"").unwrap_err().channel, Channel::Envelope);
    let mut small = parser().with_max_frame_bytes(16);
    assert_eq!(small.parse(BOOK.as_bytes()).unwrap_err().kind(), ErrorKind::TooLarge);
}

#[test]
fn a_parser_recovers_after_errors_and_reuses_its_buffers() {
    let mut p = parser();
    assert!(p.parse(b"{").is_err());
    assert!(matches!(p.parse(BOOK.as_bytes()), Ok(Frame::L2Book(_))));
    assert!(p.parse(BOOK.replace("105054.0", "x").as_bytes()).is_err());
    let Ok(Frame::L2Book(book)) = p.parse(BOOK.as_bytes()) else { panic!() };
    assert_eq!(book.bids.len(), 2);
    assert!(matches!(p.parse(TRADES.as_bytes()), Ok(Frame::Trades(t)) if t.prints.len() == 2));
    assert!(matches!(p.parse(br#"{"channel":"trades","data":[]}"#), Ok(Frame::Trades(t)) if t.prints.is_empty()));
}
