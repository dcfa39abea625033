//! Frames shared by the tests: the recorded BTC capture (`shared/data/hftbacktest-samples`,
//! lines `<local_ns> <json>`) and one documented example of every channel (HYPERLIQUID.md,
//! "WebSocket"; values from its quoted frames where it has one).

use std::io::{BufRead, BufReader};
use std::sync::OnceLock;

pub(super) const CAPTURE_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");

/// The JSON of every frame of the capture, in order. Panics if the capture is missing: the
/// golden tests must not pass vacuously.
pub(super) fn capture() -> &'static [String] {
    static FRAMES: OnceLock<Vec<String>> = OnceLock::new();
    FRAMES.get_or_init(|| {
        let file = std::fs::File::open(CAPTURE_PATH).unwrap_or_else(|e| {
            panic!("golden capture missing at {CAPTURE_PATH} (shared/ must sit beside the repo): {e}")
        });
        BufReader::new(flate2::read::GzDecoder::new(file))
            .lines()
            .enumerate()
            .map(|(n, line)| {
                let line = line.unwrap_or_else(|e| panic!("capture line {n}: {e}"));
                let (_local_ns, json) =
                    line.split_once(' ').unwrap_or_else(|| panic!("capture line {n}: not `<local_ns> <json>`"));
                json.to_owned()
            })
            .collect()
    })
}

/// An `l2Book` snapshot with an extra field the parser must ignore.
pub(super) const BOOK: &str = r#"{"channel":"l2Book","data":{"coin":"BTC","time":1737918843542,"fast":true,"levels":[[{"px":"105055.0","sz":"3.03622","n":5},{"px":"105054.0","sz":"0.1428","n":1}],[{"px":"105056.0","sz":"6.34472","n":13}]]}}"#;
/// Three trades: BTC, an unconfigured coin without `users`, BTC again (older).
pub(super) const TRADES: &str = r#"{"channel":"trades","data":[{"coin":"BTC","side":"A","px":"105055.0","sz":"0.00219","time":1737918796079,"hash":"0x53928a936d73a27741d4041c9228d8013900a892292c75cee467f90a2bd253d2","tid":85392298469503,"users":["0x6f90d048a511626ba5a6425db17f377826df336a","0x6ba2474576769a4ad1578a90ed4d6e3f98f09a3d"]},{"coin":"SOL","side":"B","px":"250.1","sz":"1","time":1737918796000,"hash":"0x0000000000000000000000000000000000000000000000000000000000000000","tid":1},{"coin":"BTC","side":"B","px":"105056.0","sz":"0.1","time":1737918794873,"hash":"0x0000000000000000000000000000000000000000000000000000000000000000","tid":2}]}"#;
/// HYPERLIQUID.md's `activeAssetCtx` example.
pub(super) const CTX: &str = r#"{"channel":"activeAssetCtx","data":{"coin":"BTC","ctx":{"funding":"0.0000052974","openInterest":"36295.80812","prevDayPx":"77759.0","dayNtlVlm":"4490636699.3287734985","premium":"-0.0005540084","oraclePx":"80684.7","markPx":"80640.0","midPx":"80639.5","impactPxs":["80637.2","80640.0"],"dayBaseVlm":"56265.69068"}}}"#;
/// HYPERLIQUID.md's `user` fill example (one element of `fills`).
pub(super) const FILL: &str = r#"{"coin":"BTC","px":"64007.0","sz":"0.00018","side":"A","time":1784976932073,"startPosition":"-50.81882","dir":"Open Short","closedPnl":"0.0","hash":"0x0000000000000000000000000000000000000000000000000000000000000000","oid":502464503020,"crossed":false,"fee":"0.000829","tid":351400627290190,"feeToken":"USDC","twapId":null}"#;

/// One well-formed frame of every channel besides `l2Book` and `trades` (and one channel the
/// parser does not handle).
pub(super) const ONE_PER_CHANNEL: [&str; 12] = [
    r#"{"channel":"bbo","data":{"coin":"BTC","time":1785251522090,"bbo":[{"px":"63457.0","sz":"0.00028","n":1},null]}}"#,
    CTX,
    r#"{"channel":"allMids","data":{"mids":{"BTC":"105055.5","ETH":"3301.25","SOL":"1"}}}"#,
    r#"{"channel":"orderUpdates","data":[{"order":{"coin":"BTC","side":"B","limitPx":"31795.0","sz":"0.00037","oid":57118842019,"timestamp":1785261289146,"origSz":"0.00037","cloid":"0xa1f0cddc17303d07f3fd128d5b35071d"},"status":"someNewStatus","statusTimestamp":1785261289146}]}"#,
    r#"{"channel":"user","data":{"fills":[{"coin":"BTC","px":"64007.0","sz":"0.00018","side":"A","time":1784976932073,"startPosition":"-50.81882","dir":"Open Short","closedPnl":"0.0","hash":"0x0000000000000000000000000000000000000000000000000000000000000000","oid":502464503020,"crossed":false,"fee":"0.000829","tid":351400627290190,"feeToken":"USDC","twapId":null}]}}"#,
    r#"{"channel":"user","data":{"funding":{"time":1700000000000,"coin":"ETH","usdc":"-0.123456","szi":"-1.5","fundingRate":"0.0000125"}}}"#,
    r#"{"channel":"userFills","data":{"isSnapshot":true,"user":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","fills":[]}}"#,
    r#"{"channel":"post","data":{"id":256,"response":{"type":"action","payload":{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":88383}},{"filled":{"totalSz":"0.02","avgPx":"1891.4","oid":1}},{"error":"Order must have minimum value of $10."}]}}}}}}"#,
    r#"{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC"}}}"#,
    r#"{"channel":"error","data":"Invalid subscription"}"#,
    r#"{"channel":"pong"}"#,
    r#"{"channel":"candle","data":{"t":1,"s":"BTC"}}"#,
];
