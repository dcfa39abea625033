//! `POST /info` (and WebSocket `post` of type `info`): the account as the mock holds it, in
//! the shapes of Hyperliquid's info endpoint (its API docs and the official Rust SDK's
//! `info/response_structs.rs`, `sub_structs.rs`). Another user's queries answer as for an
//! empty account; numbers are strings where Hyperliquid sends strings.
//!
//! | type | answer |
//! |---|---|
//! | `meta` | `{universe:[{name, szDecimals, maxLeverage}]}` |
//! | `openOrders` | `[{coin, side, limitPx, sz, oid, timestamp, origSz, cloid?}]`, newest first |
//! | `frontendOpenOrders` | the same plus `orderType:"Limit"`, `tif`, `reduceOnly`, `isTrigger:false`, `triggerPx:"0.0"`, `triggerCondition:"N/A"`, `isPositionTpsl:false`, `children:[]` |
//! | `clearinghouseState` | `{assetPositions:[{type:"oneWay", position:{coin, szi, entryPx, positionValue, unrealizedPnl, returnOnEquity, leverage:{type:"cross",value}, liquidationPx:null, marginUsed, maxLeverage, cumFunding:{allTime, sinceOpen, sinceChange}}}], marginSummary, crossMarginSummary:{accountValue, totalNtlPos, totalRawUsd, totalMarginUsed}, crossMaintenanceMarginUsed, withdrawable, time}` |
//! | `userFills` | the fills, newest first, as in `userFills` frames |
//! | `orderStatus` | `{status:"order", order:{order:{…frontendOpenOrders fields}, status, statusTimestamp}}` or `{status:"unknownOid"}`; `oid` a number or a cloid string |
//! | `userRateLimit` | `{cumVlm, nRequestsUsed, nRequestsCap, nRequestsSurplus:0}` |
//! | `l2Book` | the latest replayed book's `data` (`null` before the first) |
//! | `allMids` | `{coin: mid}` of the latest replayed books |
//!
//! The account value in `marginSummary` is the PnL of [`super::PnlSummary`] (the mock has no
//! deposits); margin used is position notional / max leverage.

use serde_json::{json, Map, Value};

use super::ledger::{usdc, MockFill};
use super::venue::{MockOrder, Venue};
use crate::venues::hyperliquid::exchange::Tif;

impl Venue {
    /// Answers an info request; `Err` is the 422 text of a request the venue cannot read.
    pub fn info(&mut self, request: &Value) -> Result<Value, String> {
        self.counters.info_requests += 1;
        let kind = request.get("type").and_then(Value::as_str).ok_or_else(|| super::auth::malformed("no `type`"))?;
        let user = request.get("user").and_then(Value::as_str);
        let ours = user.is_some_and(|u| u.eq_ignore_ascii_case(&self.account_str()));
        let needs_user =
            |user: Option<&str>| user.ok_or_else(|| super::auth::malformed("missing field `user`")).map(|_| ());
        match kind {
            "meta" => Ok(self.meta()),
            "openOrders" | "frontendOpenOrders" => {
                needs_user(user)?;
                let frontend = kind == "frontendOpenOrders";
                let mut open: Vec<&MockOrder> = self.orders.values().filter(|o| ours && o.is_open()).collect();
                open.sort_by_key(|o| std::cmp::Reverse(o.oid));
                Ok(Value::Array(open.into_iter().map(|o| order_json(o, frontend)).collect()))
            }
            "clearinghouseState" => {
                needs_user(user)?;
                Ok(self.clearinghouse_state(ours))
            }
            "userFills" => {
                needs_user(user)?;
                let fills = if ours { self.fills.iter().rev().map(MockFill::to_json).collect() } else { Vec::new() };
                Ok(Value::Array(fills))
            }
            "orderStatus" => {
                needs_user(user)?;
                let oid = match request.get("oid") {
                    Some(Value::Number(n)) => n.as_u64(),
                    Some(Value::String(cloid)) => self.by_cloid.get(&cloid.to_ascii_lowercase()).copied(),
                    _ => return Err(super::auth::malformed("missing field `oid`")),
                };
                let order = oid.and_then(|oid| self.orders.get(&oid)).filter(|o| ours && o.status != "pending");
                Ok(match order {
                    Some(order) => json!({
                        "status": "order",
                        "order": {"order": order_json(order, true), "status": order.status, "statusTimestamp": order.status_timestamp_ms},
                    }),
                    None => json!({"status": "unknownOid"}),
                })
            }
            "userRateLimit" => {
                needs_user(user)?;
                let (used, vlm) = if ours { (self.requests_used, self.volume_usd) } else { (0, 0.0) };
                Ok(json!({
                    "cumVlm": usdc(vlm),
                    "nRequestsUsed": used,
                    "nRequestsCap": self.request_cap(false),
                    "nRequestsSurplus": 0,
                }))
            }
            "l2Book" => {
                let coin = request.get("coin").and_then(Value::as_str).unwrap_or_default();
                let frame = self.coin_by_name(coin).and_then(|i| self.coins[i].last_book_frame.clone());
                let data = frame
                    .and_then(|f| serde_json::from_str::<Value>(f.as_str()).ok())
                    .and_then(|mut v| v.get_mut("data").map(Value::take));
                Ok(data.unwrap_or(Value::Null))
            }
            "allMids" => {
                let mids: Map<String, Value> = self
                    .coins
                    .iter()
                    .filter_map(|c| Some((c.spec.name.clone(), Value::String(c.mid()?.to_string()))))
                    .collect();
                Ok(Value::Object(mids))
            }
            other => Err(super::auth::malformed(format!("unknown variant `{other}`"))),
        }
    }

    fn meta(&self) -> Value {
        let universe: Vec<Value> = self
            .coins
            .iter()
            .map(|c| json!({"name": c.spec.name, "szDecimals": c.spec.sz_decimals, "maxLeverage": c.spec.max_leverage}))
            .collect();
        json!({"universe": universe})
    }

    fn clearinghouse_state(&self, ours: bool) -> Value {
        let mut positions = Vec::new();
        let (mut ntl, mut margin) = (0.0, 0.0);
        for coin in self.coins.iter().filter(|c| ours && !c.position.szi.is_zero()) {
            let pos = &coin.position;
            let szi = pos.szi.to_f64();
            let mark = coin.mid().unwrap_or(pos.entry_px);
            let value = szi.abs() * mark;
            let upnl = szi * (mark - pos.entry_px);
            let leverage = f64::from(coin.spec.max_leverage.max(1));
            let used = value / leverage;
            ntl += value;
            margin += used;
            let roe = if used > 0.0 { upnl / used } else { 0.0 };
            positions.push(json!({
                "type": "oneWay",
                "position": {
                    "coin": coin.spec.name,
                    "szi": pos.szi.to_string(),
                    "entryPx": pos.entry_px.to_string(),
                    "positionValue": usdc(value),
                    "unrealizedPnl": usdc(upnl),
                    "returnOnEquity": roe.to_string(),
                    "leverage": {"type": "cross", "value": coin.spec.max_leverage},
                    "liquidationPx": Value::Null,
                    "marginUsed": usdc(used),
                    "maxLeverage": coin.spec.max_leverage,
                    "cumFunding": {"allTime": usdc(-pos.funding_usd), "sinceOpen": usdc(-pos.funding_usd), "sinceChange": usdc(-pos.funding_usd)},
                },
            }));
        }
        let account_value = if ours { self.pnl().total_pnl_usd } else { 0.0 };
        let summary = json!({
            "accountValue": usdc(account_value),
            "totalNtlPos": usdc(ntl),
            "totalRawUsd": usdc(account_value - ntl),
            "totalMarginUsed": usdc(margin),
        });
        json!({
            "assetPositions": positions,
            "marginSummary": summary,
            "crossMarginSummary": summary,
            "crossMaintenanceMarginUsed": usdc(margin / 2.0),
            "withdrawable": usdc((account_value - margin).max(0.0)),
            "time": self.clock.unix_ms(self.clock.now()),
        })
    }
}

fn order_json(order: &MockOrder, frontend: bool) -> Value {
    let mut json = order.to_json();
    if frontend {
        let tif = match order.tif {
            Tif::Alo => "Alo",
            Tif::Ioc => "Ioc",
            Tif::Gtc => "Gtc",
        };
        let extra = json!({
            "orderType": "Limit",
            "tif": tif,
            "reduceOnly": order.reduce_only,
            "isTrigger": false,
            "triggerPx": "0.0",
            "triggerCondition": "N/A",
            "isPositionTpsl": false,
            "children": [],
        });
        if let (Some(target), Value::Object(extra)) = (json.as_object_mut(), extra) {
            target.extend(extra);
        }
    }
    json
}
