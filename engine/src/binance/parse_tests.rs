//! Parser tests: real frames from the 2024-08-08 USD-M recordings parse exactly; malformed
//! frames (truncated, wrong types, bad numbers, wrong shapes) give a typed error, never a panic.

use super::*;
use crate::types::Side;

/// A `depthUpdate` as recorded (combined-stream envelope).
const DIFF: &str = r#"{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161600370,"T":1723161600319,"s":"BTCUSDT","U":5123134944963,"u":5123134944970,"pu":5123134735497,"b":[["5000.00","2.321"],["61800.10","0.000"]],"a":[["61659.80","0.981"]]}}"#;
const TICKER: &str = r#"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}"#;
const TRADE: &str = r#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256321,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}"#;
const SNAPSHOT: &str = r#"{"lastUpdateId":5123107852948,"E":1723161256501,"T":1723161256493,"bids":[["61800.20","2.909"],["61800.10","0.696"]],"asks":[["61800.30","1.5"]]}"#;

fn px(s: &str) -> Price {
    Price::parse(s).unwrap()
}

fn q(s: &str) -> Qty {
    Qty::parse(s).unwrap()
}

/// [`DIFF`] without its combined-stream envelope.
fn raw_diff() -> &'static str {
    DIFF.strip_prefix(r#"{"stream":"btcusdt@depth@0ms","data":"#).and_then(|s| s.strip_suffix('}')).unwrap()
}

fn parse_str(parser: &mut Parser, text: &str) -> Result<String, ParseError> {
    let mut bytes = text.as_bytes().to_vec();
    parser.parse(&mut bytes).map(|e| format!("{e:?}"))
}

#[test]
fn depth_diff_parses_exactly() {
    let mut parser = Parser::new();
    let mut bytes = DIFF.as_bytes().to_vec();
    let Ok(Event::DepthDiff(d)) = parser.parse(&mut bytes) else { panic!("not a diff") };
    assert_eq!(d.symbol, "BTCUSDT");
    assert_eq!(
        (d.first_update_id, d.final_update_id, d.prev_final_update_id),
        (5123134944963, 5123134944970, 5123134735497)
    );
    assert_eq!(d.event_time, UnixNanos::from_millis(1723161600370));
    assert_eq!(d.transaction_time, UnixNanos::from_millis(1723161600319));
    assert_eq!(
        d.bids,
        &[PriceLevel { px: px("5000"), qty: q("2.321") }, PriceLevel { px: px("61800.1"), qty: Qty::ZERO }]
    );
    assert_eq!(d.asks, &[PriceLevel { px: Price(6_165_980_000_000), qty: Qty(98_100_000) }]);
}

#[test]
fn raw_and_combined_forms_agree_and_unknown_fields_are_ignored() {
    let mut parser = Parser::new();
    let combined = parse_str(&mut parser, DIFF).unwrap();
    let raw = raw_diff();
    assert_eq!(parse_str(&mut parser, raw).unwrap(), combined);
    let extra = raw.replacen(r#""e":"depthUpdate","#, r#""e":"depthUpdate","zz":[1,{"x":null}],"#, 1);
    assert_eq!(parse_str(&mut parser, &extra).unwrap(), combined);
}

#[test]
fn book_ticker_trade_snapshot_and_ack_parse() {
    let mut parser = Parser::new();
    let mut bytes = TICKER.as_bytes().to_vec();
    let Ok(Event::BookTicker(t)) = parser.parse(&mut bytes) else { panic!("not a ticker") };
    assert_eq!(
        (t.update_id, t.bid_px, t.bid_qty, t.ask_px, t.ask_qty),
        (5123107839020, px("61800.2"), q("2.507"), px("61800.3"), q("2.51"))
    );
    assert_eq!(t.transaction_time, UnixNanos::from_millis(1723161256313));

    let mut bytes = TRADE.as_bytes().to_vec();
    let Ok(Event::Trade(t)) = parser.parse(&mut bytes) else { panic!("not a trade") };
    assert_eq!(
        (t.trade_id, t.px, t.qty, t.buyer_is_maker, t.is_market),
        (5266583935, px("61800.3"), q("0.006"), false, true)
    );
    assert_eq!(t.aggressor(), Side::Bid);
    assert_eq!(t.trade_time, UnixNanos::from_millis(1723161256321));
    let liquidation = TRADE.replace(r#""X":"MARKET","m":false"#, r#""X":"INSURANCE_FUND","m":true"#);
    let mut bytes = liquidation.into_bytes();
    let Ok(Event::Trade(t)) = parser.parse(&mut bytes) else { panic!("not a trade") };
    assert!(!t.is_market);
    assert_eq!(t.aggressor(), Side::Ask);

    let mut bytes = SNAPSHOT.as_bytes().to_vec();
    let Ok(Event::DepthSnapshot(s)) = parser.parse(&mut bytes) else { panic!("not a snapshot") };
    assert_eq!(s.last_update_id, 5123107852948);
    assert_eq!(s.transaction_time, Some(UnixNanos::from_millis(1723161256493)));
    assert_eq!(s.bids.len(), 2);
    assert_eq!(s.asks, &[PriceLevel { px: px("61800.3"), qty: q("1.5") }]);

    // E and T are optional in a snapshot.
    let mut bytes = br#"{"lastUpdateId":9,"bids":[],"asks":[["1.5","2"]]}"#.to_vec();
    let Ok(Event::DepthSnapshot(s)) = parser.parse(&mut bytes) else { panic!("not a snapshot") };
    assert_eq!((s.last_update_id, s.event_time, s.transaction_time, s.bids.len(), s.asks.len()), (9, None, None, 0, 1));

    let mut bytes = br#"{"result":null,"id":7}"#.to_vec();
    assert_eq!(parser.parse(&mut bytes), Ok(Event::SubscriptionAck { id: 7 }));
}

/// Every malformed frame is an error of the expected kind, and the parser still works after.
#[test]
fn malformed_frames_are_typed_errors() {
    let raw_diff = raw_diff();
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "truncated"),
        ("   ".into(), "truncated"),
        ("nul".into(), "invalid_json"),
        ("[1,2]".into(), "not_an_object"),
        ("\"text\"".into(), "not_an_object"),
        ("{}".into(), "unknown_frame"),
        (r#"{"stream":"x","data":[1]}"#.into(), "wrong_type"),
        (r#"{"e":"markPriceUpdate","s":"BTCUSDT"}"#.into(), "unknown_event"),
        (r#"{"e":7}"#.into(), "wrong_type"),
        (r#"{"error":{"code":2,"msg":"Invalid request"},"id":1}"#.into(), "venue_error"),
        (r#"{"result":null}"#.into(), "missing_field"),
        (raw_diff.replace(r#""pu":5123134735497,"#, ""), "missing_field"),
        (raw_diff.replace(r#""U":5123134944963"#, r#""U":"5123134944963""#), "wrong_type"),
        (raw_diff.replace(r#""U":5123134944963"#, r#""U":-1"#), "wrong_type"),
        (raw_diff.replace(r#""U":5123134944963"#, r#""U":1.5"#), "wrong_type"),
        (raw_diff.replace(r#""E":1723161600370"#, r#""E":99999999999999999"#), "out_of_range"),
        (raw_diff.replace(r#""b":[["5000.00","2.321"],"#, r#""b":[["5000.00","2.321"],["1"],"#), "bad_level"),
        (raw_diff.replace(r#""b":[["5000.00","2.321"],"#, r#""b":[["5000.00",2.321],"#), "bad_level"),
        (raw_diff.replace(r#""b":[["5000.00","2.321"],"#, r#""b":[["5000.00","2.321","x"],"#), "bad_level"),
        (raw_diff.replace(r#""b":[["5000.00","2.321"],"#, r#""b":[7,"#), "bad_level"),
        (raw_diff.replace(r#"[["5000.00","2.321"],["61800.10","0.000"]]"#, r#"{"x":1}"#), "wrong_type"),
        (raw_diff.replace("5000.00", "5e3"), "bad_number"),
        (raw_diff.replace("5000.00", "5000.000000001"), "bad_number"),
        (raw_diff.replace("5000.00", ""), "bad_number"),
        (raw_diff.replace("5000.00", "99999999999999999999"), "bad_number"),
        (raw_diff.replace("5000.00", "0"), "out_of_range"),
        (raw_diff.replace("2.321", "-2.321"), "out_of_range"),
        (raw_diff.replace(r#""s":"BTCUSDT","#, r#""s":"BTCUSDT","s":"ETHUSDT","#), "duplicate_field"),
        (TICKER.replace(r#""B":"2.507""#, r#""B":2.507"#), "wrong_type"),
        (TICKER.replace(r#""a":"61800.30""#, r#""a":"61,800.30""#), "bad_number"),
        (TRADE.replace(r#""m":false"#, r#""m":"false""#), "wrong_type"),
        (TRADE.replace(r#","m":false"#, ""), "missing_field"),
        (TRADE.replace(r#""t":5266583935"#, r#""t":null"#), "wrong_type"),
        (SNAPSHOT.replace(r#""lastUpdateId":5123107852948"#, r#""lastUpdateId":true"#), "wrong_type"),
        (SNAPSHOT.replace(r#","asks":[["61800.30","1.5"]]"#, ""), "missing_field"),
        (DIFF.replace("}}", "}} trailing"), "invalid_json"),
        ("{\"e\":\"trade\",\"p\":\"\u{0}\"}".into(), "invalid_json"),
    ];
    let mut parser = Parser::new();
    let mut wrong = Vec::new();
    for (frame, kind) in &cases {
        match parse_str(&mut parser, frame) {
            Err(e) if e.kind() == *kind => {}
            other => wrong.push(format!("{frame:?} → {other:?}, expected {kind}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every prefix of every valid frame (a cut-off frame) is an error, never a panic.
    for frame in [DIFF, TICKER, TRADE, SNAPSHOT] {
        for cut in 0..frame.len() {
            let err = parse_str(&mut parser, &frame[..cut]).expect_err(&frame[..cut]);
            assert!(matches!(err.kind(), "truncated" | "invalid_json"), "{:?}: {err:?}", &frame[..cut]);
        }
    }
    // Invalid UTF-8 and random bytes.
    let mut bytes = DIFF.as_bytes().to_vec();
    bytes[60] = 0xff;
    assert!(parser.parse(&mut bytes).is_err());
    // The parser is still good after all that.
    assert!(parse_str(&mut parser, DIFF).is_ok());
}

#[test]
fn every_byte_flip_of_a_real_frame_is_handled() {
    let mut parser = Parser::new();
    let (mut ok, mut err) = (0, 0);
    for frame in [DIFF, TICKER, TRADE] {
        for i in 0..frame.len() {
            for b in [b'"', b'0', b'-', b'.', b'}', b' ', 0x80] {
                let mut bytes = frame.as_bytes().to_vec();
                bytes[i] = b;
                match parser.parse(&mut bytes) {
                    Ok(_) => ok += 1,
                    Err(_) => err += 1,
                }
            }
        }
    }
    assert!(ok > 0 && err > 0, "ok {ok} err {err}");
}
