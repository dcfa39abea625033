//! `POST /info`: what the venue knows about the account, read at startup to reconcile with
//! the journal, and an order's status for `QueryStatus`.
//!
//! [`InfoClient`] is async (reqwest); [`block_on`] runs one call on a small current-thread
//! runtime for the binary's main thread before the actors start. Each answer is read by a
//! pure `parse_*` function into engine types: prices and sizes exactly from their decimal
//! strings ([`Price::parse`], [`Qty::parse`]), coins through the [`CoinTable`] (an order,
//! position or fill of another coin is kept with `coin: None` or counted, never dropped
//! silently). Fills and order statuses have the shapes of the WebSocket user channels, so
//! they are read by the engine's frame [`Parser`] itself, wrapped in a channel envelope.
//!
//! Shapes (Hyperliquid info endpoint; `hyperliquid_rust_sdk` `info/response_structs.rs`):
//! `meta` → `{"universe":[{"name","szDecimals","maxLeverage","isDelisted"?}]}`;
//! `openOrders` → `[{"coin","limitPx","oid","side","sz","timestamp","cloid"?}]`;
//! `clearinghouseState` → `{"assetPositions":[{"position":{"coin","szi","entryPx"?,…},
//! "type":"oneWay"}],…}`; `userFills` → the fills of `userFills`; `orderStatus` →
//! `{"status":"order","order":{"order":{…},"status","statusTimestamp"}}` or
//! `{"status":"unknownOid"}`.

use super::super::exchange::{AssetSpec, AssetTable};
use super::orders::{fill_report, status_reason};
use engine::hyperliquid::{parse_cloid, Address, CoinTable, Frame, OrderStatus, Parser};
use engine::types::{Cloid, CoinId, Price, Qty, Side, UnixNanos};
use engine::venue::{FillReport, VenueOrderStatus};
use serde::Deserialize;
use std::future::Future;
use std::time::Duration;

/// HIP-3 asset ids: 100000 + dex index · 10000 + index in that dex's universe.
const HIP3_BASE: u32 = 100_000;
const HIP3_DEX_STRIDE: u32 = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum InfoError {
    #[error("info request failed: {0}")]
    Http(String),
    #[error("info answer is HTTP {status}: {body}")]
    Status { status: u16, body: String },
    #[error("info answer for {request} does not parse: {problem}")]
    Shape { request: &'static str, problem: String },
    #[error("no tokio runtime for the info call: {0}")]
    Runtime(std::io::Error),
}

fn shape(request: &'static str, problem: impl ToString) -> InfoError {
    InfoError::Shape { request, problem: problem.to_string() }
}

/// One perp of `meta`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetMeta {
    /// As the venue names it (`BTC`, HIP-3 `dex:COIN`).
    pub name: String,
    /// The asset id orders use.
    pub asset: u32,
    pub sz_decimals: u32,
    pub delisted: bool,
}

/// One open order of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOrder {
    /// `None`: a coin the engine does not trade (`coin_name` says which).
    pub coin: Option<CoinId>,
    pub coin_name: String,
    pub oid: u64,
    pub cloid: Option<Cloid>,
    pub side: Side,
    pub px: Price,
    /// Size still open.
    pub size: Qty,
    pub placed_at: UnixNanos,
}

/// The account's position in one coin (signed: negative is short).
#[derive(Debug, Clone, PartialEq)]
pub struct PositionEntry {
    pub coin: Option<CoinId>,
    pub coin_name: String,
    pub size: Qty,
    /// Average entry price: an average, not a price on the tick grid, so a float.
    pub entry_px_usd: Option<f64>,
}

/// The account's recent fills (info `userFills`, at most the venue's 2000 latest).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserFillsAnswer {
    /// Fills of traded coins, oldest first as the venue lists them; `remaining` is zero
    /// (history) and the cloid zero where the venue gives none.
    pub fills: Vec<FillReport>,
    /// Fills of coins the engine does not trade.
    pub other_coins: usize,
}

#[derive(Deserialize)]
struct MetaWire {
    universe: Vec<UniverseWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UniverseWire {
    name: String,
    sz_decimals: u32,
    #[serde(default)]
    is_delisted: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenOrderWire {
    coin: String,
    limit_px: String,
    oid: u64,
    side: String,
    sz: String,
    timestamp: u64,
    #[serde(default)]
    cloid: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateWire {
    asset_positions: Vec<AssetPositionWire>,
}

#[derive(Deserialize)]
struct AssetPositionWire {
    position: PositionWire,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PositionWire {
    coin: String,
    szi: String,
    #[serde(default)]
    entry_px: Option<String>,
}

/// `meta` of the main dex (`dex: None`) or of HIP-3 dex number `index` in `perpDexs`.
pub fn parse_meta(body: &[u8], dex: Option<u32>) -> Result<Vec<AssetMeta>, InfoError> {
    let wire: MetaWire = serde_json::from_slice(body).map_err(|e| shape("meta", e))?;
    let base = dex.map_or(0, |index| HIP3_BASE + index * HIP3_DEX_STRIDE);
    Ok(wire
        .universe
        .into_iter()
        .enumerate()
        .map(|(i, u)| AssetMeta {
            name: u.name,
            asset: base + i as u32,
            sz_decimals: u.sz_decimals,
            delisted: u.is_delisted,
        })
        .collect())
}

/// The asset table of the configured coins; errors naming the first coin `meta` lacks.
pub fn asset_table(meta: &[AssetMeta], coins: &CoinTable) -> Result<AssetTable, InfoError> {
    let mut table = AssetTable::new();
    for (id, name) in coins.iter() {
        let asset = meta.iter().find(|m| m.name == name).ok_or_else(|| shape("meta", format!("no coin {name:?}")))?;
        table.set(id, AssetSpec { asset: asset.asset, sz_decimals: asset.sz_decimals });
    }
    Ok(table)
}

fn side(text: &str) -> Option<Side> {
    match text {
        "B" => Some(Side::Bid),
        "A" => Some(Side::Ask),
        _ => None,
    }
}

pub fn parse_open_orders(body: &[u8], coins: &CoinTable) -> Result<Vec<OpenOrder>, InfoError> {
    const REQUEST: &str = "openOrders";
    let wire: Vec<OpenOrderWire> = serde_json::from_slice(body).map_err(|e| shape(REQUEST, e))?;
    wire.into_iter()
        .map(|o| {
            let cloid = match &o.cloid {
                Some(text) => Some(parse_cloid(text).ok_or_else(|| shape(REQUEST, format!("cloid {text:?}")))?),
                None => None,
            };
            Ok(OpenOrder {
                coin: coins.resolve(&o.coin),
                oid: o.oid,
                cloid,
                side: side(&o.side).ok_or_else(|| shape(REQUEST, format!("side {:?}", o.side)))?,
                px: Price::parse(&o.limit_px).map_err(|e| shape(REQUEST, format!("limitPx {:?}: {e}", o.limit_px)))?,
                size: Qty::parse(&o.sz).map_err(|e| shape(REQUEST, format!("sz {:?}: {e}", o.sz)))?,
                placed_at: UnixNanos::from_millis(o.timestamp),
                coin_name: o.coin,
            })
        })
        .collect()
}

/// The non-zero positions of `clearinghouseState`.
pub fn parse_positions(body: &[u8], coins: &CoinTable) -> Result<Vec<PositionEntry>, InfoError> {
    const REQUEST: &str = "clearinghouseState";
    let wire: StateWire = serde_json::from_slice(body).map_err(|e| shape(REQUEST, e))?;
    let mut out = Vec::with_capacity(wire.asset_positions.len());
    for p in wire.asset_positions.into_iter().map(|a| a.position) {
        let size = Qty::parse(&p.szi).map_err(|e| shape(REQUEST, format!("szi {:?}: {e}", p.szi)))?;
        let entry_px_usd = match &p.entry_px {
            Some(px) => Some(
                px.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| shape(REQUEST, format!("entryPx {px:?}: not a number")))?,
            ),
            None => None,
        };
        out.push(PositionEntry { coin: coins.resolve(&p.coin), coin_name: p.coin, size, entry_px_usd });
    }
    Ok(out)
}

/// Info `userFills` (a JSON array of fills), read as a `userFills` snapshot frame.
pub fn parse_user_fills(body: &[u8], user: Address, coins: &CoinTable) -> Result<UserFillsAnswer, InfoError> {
    let fills = std::str::from_utf8(body).map_err(|e| shape("userFills", e))?;
    let frame = format!(r#"{{"channel":"userFills","data":{{"isSnapshot":true,"user":"{user}","fills":{fills}}}}}"#);
    let mut parser = Parser::new(coins.clone());
    match parser.parse(frame.as_bytes()) {
        Ok(Frame::UserFills(parsed)) => {
            let mut answer = UserFillsAnswer::default();
            for fill in parsed.fills {
                match fill.coin {
                    Some(coin) => answer.fills.push(fill_report(coin, fill.cloid.unwrap_or(Cloid(0)), fill, Qty::ZERO)),
                    None => answer.other_coins += 1,
                }
            }
            Ok(answer)
        }
        Ok(other) => Err(shape("userFills", format!("read as {:?}", other.channel()))),
        Err(e) => Err(shape("userFills", e)),
    }
}

/// Info `orderStatus`. `None`: a status the engine cannot map (asked again later).
pub fn parse_order_status(body: &[u8], coins: &CoinTable) -> Result<Option<VenueOrderStatus>, InfoError> {
    const REQUEST: &str = "orderStatus";
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| shape(REQUEST, e))?;
    match value.get("status").and_then(|s| s.as_str()) {
        Some("unknownOid") => return Ok(Some(VenueOrderStatus::Unknown)),
        Some("order") => {}
        other => return Err(shape(REQUEST, format!("status {other:?}"))),
    }
    let order = value.get("order").ok_or_else(|| shape(REQUEST, "no order"))?;
    // `{order:{…}, status, statusTimestamp}` is exactly an `orderUpdates` entry.
    let frame = format!(r#"{{"channel":"orderUpdates","data":[{order}]}}"#);
    let mut parser = Parser::new(coins.clone());
    let update = match parser.parse(frame.as_bytes()) {
        Ok(Frame::OrderUpdates([update])) => *update,
        Ok(other) => return Err(shape(REQUEST, format!("read as {:?}", other.channel()))),
        Err(e) => return Err(shape(REQUEST, e)),
    };
    Ok(order_status(&update.status))
}

/// Where an order stands, from its venue status.
pub fn order_status(status: &OrderStatus) -> Option<VenueOrderStatus> {
    Some(match status {
        OrderStatus::Open | OrderStatus::Triggered => VenueOrderStatus::Open,
        OrderStatus::Filled => VenueOrderStatus::Filled,
        s if s.is_canceled() => VenueOrderStatus::Cancelled,
        s if s.is_rejected() => VenueOrderStatus::Rejected(status_reason(s)),
        _ => return None,
    })
}

/// The `/info` body asking `orderStatus` of `cloid` for `user`.
pub fn order_status_request(user: Address, cloid: Cloid) -> String {
    format!(r#"{{"type":"orderStatus","user":"{user}","oid":"{cloid}"}}"#)
}

/// An async `/info` client.
#[derive(Debug, Clone)]
pub struct InfoClient {
    http: reqwest::Client,
    url: String,
    coins: CoinTable,
}

/// An HTTP client for the venue's REST endpoints: http:// (loopback tests) or https://
/// (rustls, Mozilla roots).
pub(super) fn http_client(timeout: Duration) -> Result<reqwest::Client, InfoError> {
    reqwest::Client::builder().timeout(timeout).build().map_err(|e| InfoError::Http(e.to_string()))
}

/// POSTs `body` to `url` and returns the answer's bytes (any 2xx), or why not.
pub(super) async fn post_json(http: &reqwest::Client, url: &str, body: String) -> Result<Vec<u8>, InfoError> {
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| InfoError::Http(e.to_string()))?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| InfoError::Http(e.to_string()))?;
    if !status.is_success() {
        let body = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
        return Err(InfoError::Status { status: status.as_u16(), body });
    }
    Ok(bytes.to_vec())
}

impl InfoClient {
    /// A client of `{rest_url}/info` for the configured `coins`.
    pub fn new(rest_url: &str, coins: CoinTable, timeout: Duration) -> Result<Self, InfoError> {
        let url = format!("{}/info", rest_url.trim_end_matches('/'));
        Ok(Self { http: http_client(timeout)?, url, coins })
    }

    async fn ask(&self, body: String) -> Result<Vec<u8>, InfoError> {
        post_json(&self.http, &self.url, body).await
    }

    /// The perps of the main dex (`dex: None`) or of HIP-3 dex `(name, index in perpDexs)`.
    pub async fn meta(&self, dex: Option<(&str, u32)>) -> Result<Vec<AssetMeta>, InfoError> {
        let body = match dex {
            Some((name, _)) => serde_json::json!({"type": "meta", "dex": name}).to_string(),
            None => r#"{"type":"meta"}"#.to_string(),
        };
        parse_meta(&self.ask(body).await?, dex.map(|(_, index)| index))
    }

    pub async fn open_orders(&self, user: Address) -> Result<Vec<OpenOrder>, InfoError> {
        let body = format!(r#"{{"type":"openOrders","user":"{user}"}}"#);
        parse_open_orders(&self.ask(body).await?, &self.coins)
    }

    pub async fn positions(&self, user: Address) -> Result<Vec<PositionEntry>, InfoError> {
        let body = format!(r#"{{"type":"clearinghouseState","user":"{user}"}}"#);
        parse_positions(&self.ask(body).await?, &self.coins)
    }

    pub async fn user_fills(&self, user: Address) -> Result<UserFillsAnswer, InfoError> {
        let body = format!(r#"{{"type":"userFills","user":"{user}"}}"#);
        parse_user_fills(&self.ask(body).await?, user, &self.coins)
    }

    /// Where order `cloid` of `user` stands; `None` for a status the engine cannot map.
    pub async fn order_status(&self, user: Address, cloid: Cloid) -> Result<Option<VenueOrderStatus>, InfoError> {
        parse_order_status(&self.ask(order_status_request(user, cloid)).await?, &self.coins)
    }
}

/// Runs `future` (an [`InfoClient`] call) to completion on a current-thread runtime built
/// for it: for the binary's main thread at startup, outside any runtime.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, InfoError> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(InfoError::Runtime)?;
    Ok(runtime.block_on(future))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coins() -> CoinTable {
        CoinTable::new(["BTC", "ETH"]).unwrap()
    }

    #[test]
    fn meta_gives_asset_ids_and_lot_decimals_including_hip3() {
        let body = br#"{"universe":[{"name":"BTC","szDecimals":5,"maxLeverage":40},{"name":"ETH","szDecimals":4,"maxLeverage":25,"onlyIsolated":false},{"name":"MATIC","szDecimals":1,"maxLeverage":20,"isDelisted":true}],"marginTables":[]}"#;
        let meta = parse_meta(body, None).unwrap();
        assert_eq!(meta[1], AssetMeta { name: "ETH".into(), asset: 1, sz_decimals: 4, delisted: false });
        assert!(meta[2].delisted);
        let table = asset_table(&meta, &coins()).unwrap();
        assert_eq!(table.get(CoinId(1)).unwrap(), AssetSpec { asset: 1, sz_decimals: 4 });
        let hip3 = parse_meta(br#"{"universe":[{"name":"hyna:HYPE","szDecimals":2}]}"#, Some(1)).unwrap();
        assert_eq!(hip3[0].asset, 110_000);
        assert!(asset_table(&hip3, &coins()).is_err(), "BTC is not in that dex");
        assert!(parse_meta(b"{\"universe\":", None).is_err());
    }

    #[test]
    fn open_orders_parse_exactly_and_keep_other_coins() {
        let body = br#"[{"coin":"BTC","limitPx":"29792.0","oid":91490942,"side":"A","sz":"0.0015","timestamp":1681247412573,"cloid":"0xa1f0cddc17303d07f3fd128d5b35071d"},{"coin":"SOL","limitPx":"20.5","oid":7,"side":"B","sz":"3","timestamp":1681247412574}]"#;
        let orders = parse_open_orders(body, &coins()).unwrap();
        assert_eq!(
            orders[0],
            OpenOrder {
                coin: Some(CoinId(0)),
                coin_name: "BTC".into(),
                oid: 91490942,
                cloid: parse_cloid("0xa1f0cddc17303d07f3fd128d5b35071d"),
                side: Side::Ask,
                px: Price::parse("29792").unwrap(),
                size: Qty::parse("0.0015").unwrap(),
                placed_at: UnixNanos::from_millis(1681247412573),
            }
        );
        assert_eq!((orders[1].coin, orders[1].cloid, orders[1].side), (None, None, Side::Bid));
        assert!(parse_open_orders(
            br#"[{"coin":"BTC","limitPx":"1e3","oid":1,"side":"A","sz":"1","timestamp":1}]"#,
            &coins()
        )
        .is_err());
    }

    #[test]
    fn positions_are_signed_sizes() {
        let body = br#"{"assetPositions":[{"position":{"coin":"ETH","cumFunding":{"allTime":"514.085417","sinceChange":"0.0","sinceOpen":"0.0"},"entryPx":"2986.3","leverage":{"rawUsd":"-95.059824","type":"isolated","value":20},"liquidationPx":"2866.26936529","marginUsed":"4.967826","maxLeverage":50,"positionValue":"100.02765","returnOnEquity":"-0.0026789","szi":"-0.0335","unrealizedPnl":"-0.0134"},"type":"oneWay"}],"crossMaintenanceMarginUsed":"0.0","marginSummary":{"accountValue":"13109.482328","totalMarginUsed":"4.967826","totalNtlPos":"100.02765","totalRawUsd":"13009.454678"},"time":1708622398623,"withdrawable":"13104.514502"}"#;
        let positions = parse_positions(body, &coins()).unwrap();
        assert_eq!(
            positions,
            [PositionEntry {
                coin: Some(CoinId(1)),
                coin_name: "ETH".into(),
                size: Qty::parse("-0.0335").unwrap(),
                entry_px_usd: Some(2986.3)
            }]
        );
    }

    #[test]
    fn user_fills_read_as_history() {
        let user = Address::parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8").unwrap();
        let body = br#"[{"closedPnl":"0.0","coin":"BTC","crossed":true,"dir":"Open Long","hash":"0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8","oid":90542681,"px":"64000.0","side":"B","startPosition":"0.0","sz":"0.0002","time":1681222254710,"fee":"0.00576","feeToken":"USDC","tid":118906512037719},{"closedPnl":"0.0","coin":"DOGE","crossed":false,"dir":"Open Long","hash":"0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8","oid":1,"px":"0.1","side":"B","startPosition":"0.0","sz":"100","time":1681222254710,"fee":"0.0","feeToken":"USDC","tid":2}]"#;
        let answer = parse_user_fills(body, user, &coins()).unwrap();
        assert_eq!(answer.other_coins, 1);
        let f = answer.fills[0];
        assert_eq!(
            (f.coin, f.tid, f.qty, f.remaining),
            (CoinId(0), 118906512037719, Qty::parse("0.0002").unwrap(), Qty::ZERO)
        );
        assert_eq!(f.liquidity, engine::venue::Liquidity::Taker);
        assert!(parse_user_fills(b"{\"x\":1}", user, &coins()).is_err());
    }

    #[test]
    fn order_status_maps_every_outcome() {
        let answer = |status: &str| {
            format!(
                r#"{{"status":"order","order":{{"order":{{"coin":"BTC","side":"B","limitPx":"31795.0","sz":"0.00037","oid":57118842019,"timestamp":1785261289146,"origSz":"0.00037","cloid":"0xa1f0cddc17303d07f3fd128d5b35071d"}},"status":"{status}","statusTimestamp":1785261289146}}}}"#
            )
        };
        let status = |text: &str| parse_order_status(text.as_bytes(), &coins()).unwrap();
        assert_eq!(status(&answer("open")), Some(VenueOrderStatus::Open));
        assert_eq!(status(&answer("filled")), Some(VenueOrderStatus::Filled));
        assert_eq!(status(&answer("canceled")), Some(VenueOrderStatus::Cancelled));
        assert_eq!(status(&answer("scheduledCancel")), Some(VenueOrderStatus::Cancelled));
        assert_eq!(
            status(&answer("tickRejected")),
            Some(VenueOrderStatus::Rejected(engine::venue::RejectReason::BadTick))
        );
        assert_eq!(status(r#"{"status":"unknownOid"}"#), Some(VenueOrderStatus::Unknown));
        assert_eq!(status(&answer("somethingNew")), None);
        assert!(parse_order_status(br#"{"status":"order"}"#, &coins()).is_err());
        let user = Address::parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8").unwrap();
        assert_eq!(
            order_status_request(user, Cloid(0xab)),
            r#"{"type":"orderStatus","user":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","oid":"0x000000000000000000000000000000ab"}"#
        );
    }
}
