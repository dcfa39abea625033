//! Signed actions (`POST /exchange`, or a WebSocket `post` of type `action`): the checks
//! before one runs (signer, vault, expiry, nonce, address request budget) and `order`,
//! `cancel`, `cancelByCloid`, `batchModify` and `scheduleCancel` against the simulator,
//! answered with Hyperliquid's statuses and error texts.

use engine::market::L2Book;
use engine::types::{Cloid, Price, Qty, Side, UnixNanos};
use engine::venue::{OrderAction, OrderRequest, RejectReason, ScheduleCancelReject, VenueEvent};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::auth;
use super::channels::UserChannel;
use super::venue::{coin_id, HttpReply, MockOrder, Venue};
use crate::venues::hyperliquid::exchange::{L1Action, ModifyEntry, OrderEntry, OrderRef, OrderType, Tif};

/// What one order became, for its status entry.
enum Placed {
    Resting,
    Filled { total: Qty, avg_px: Price },
    Error(String),
}

impl Venue {
    /// Executes an `/exchange` body (or a `post` action payload); the answer, or an HTTP 422.
    pub fn exchange(&mut self, body: &Value) -> HttpReply {
        self.counters.exchange_requests += 1;
        let network = self.config.network;
        let signed = match auth::read_signed(body, network) {
            Ok(signed) => signed,
            Err(text) => {
                self.counters.malformed_requests += 1;
                return HttpReply::unprocessable(text);
            }
        };
        let now = self.clock.now();
        let now_ms = self.clock.unix_ms(now);
        let err = |text: String| HttpReply::json(&json!({"status": "err", "response": text}));
        let known = signed.signer == self.config.account || self.config.agents.contains(&signed.signer);
        if !known {
            self.counters.signature_failures += 1;
            return err(format!("User or API Wallet {} does not exist.", signed.signer));
        }
        if let Some(vault) = signed.vault.filter(|v| *v != self.config.account) {
            self.counters.signature_failures += 1;
            return err(format!("Vault not registered: {vault}"));
        }
        if signed.expires_after.is_some_and(|t| t < now_ms) {
            return err(format!(
                "Action expired: expiresAfter {} is before {now_ms}",
                signed.expires_after.unwrap_or(0)
            ));
        }
        if let Err(text) = self.nonces.take(signed.signer, signed.nonce, now_ms) {
            self.counters.nonce_rejects += 1;
            return err(text);
        }
        let cancel =
            matches!(signed.action, L1Action::Cancel(_) | L1Action::CancelByCloid(_) | L1Action::ScheduleCancel(_));
        let entries = signed.action.entries() as u64;
        let cap = self.request_cap(cancel);
        if self.requests_used + entries > cap {
            self.counters.budget_rejects += 1;
            return err(format!(
                "Too many cumulative requests sent ({} > {cap}) for cumulative volume traded ${:.2}. Place taker \
                 orders to free up 1 request per USDC traded.",
                self.requests_used + entries,
                self.volume_usd
            ));
        }
        self.requests_used += entries;
        self.counters.actions_accepted += 1;
        // Whatever fell due before this action (a scheduled cancel) happens first.
        self.pump();
        let reply = match &signed.action {
            L1Action::Order(bulk) => {
                let statuses: Vec<Value> = bulk.orders.iter().map(|o| self.place(o, None)).collect();
                ok("order", Some(statuses))
            }
            L1Action::Cancel(bulk) => {
                let statuses: Vec<Value> =
                    bulk.cancels.iter().map(|c| self.cancel(c.asset, self.open_oid(Some(c.oid), None))).collect();
                ok("cancel", Some(statuses))
            }
            L1Action::CancelByCloid(bulk) => {
                let statuses: Vec<Value> = bulk
                    .cancels
                    .iter()
                    .map(|c| self.cancel(c.asset, self.open_oid(None, Some(c.cloid.as_str()))))
                    .collect();
                ok("cancel", Some(statuses))
            }
            L1Action::BatchModify(bulk) => {
                let statuses: Vec<Value> = bulk.modifies.iter().map(|m| self.modify(m)).collect();
                ok("order", Some(statuses))
            }
            L1Action::ScheduleCancel(schedule) => return self.schedule_cancel(schedule.time),
        };
        HttpReply::json(&reply)
    }

    /// The oid of an open order named by oid or cloid.
    fn open_oid(&self, oid: Option<u64>, cloid: Option<&str>) -> Option<u64> {
        let oid = match (oid, cloid) {
            (Some(oid), _) => oid,
            (None, Some(cloid)) => *self.by_cloid.get(&cloid.to_ascii_lowercase())?,
            (None, None) => return None,
        };
        self.orders.get(&oid).filter(|o| o.is_open()).map(|o| o.oid)
    }

    fn cancel(&mut self, asset: u32, oid: Option<u64>) -> Value {
        self.counters.cancels += 1;
        let now = self.clock.now();
        let coin = self.coin_by_asset(asset);
        let target = oid.filter(|oid| self.orders.get(oid).map(|o| self.coin_by_name(&o.coin)) == Some(coin));
        let (Some(oid), Some(coin)) = (target, coin) else { return json!({"error": order_gone(asset)}) };
        let action = OrderAction::Cancel { coin: coin_id(coin), cloid: Cloid(u128::from(oid)) };
        self.sim.submit(now, &[action]);
        let events = self.drain(now);
        self.settle(&events, now);
        if events.iter().any(|e| matches!(e, VenueEvent::Cancelled { .. })) {
            json!("success")
        } else {
            json!({"error": order_gone(asset)})
        }
    }

    fn modify(&mut self, entry: &ModifyEntry) -> Value {
        self.counters.modifies += 1;
        let old = match entry.oid {
            OrderRef::Oid(oid) => self.open_oid(Some(oid), None),
            OrderRef::Cloid(cloid) => self.open_oid(None, Some(cloid.as_str())),
        };
        let same_coin = old.and_then(|oid| self.orders.get(&oid)).map(|o| self.coin_by_name(&o.coin))
            == Some(self.coin_by_asset(entry.order.asset));
        match old {
            Some(old) if same_coin => self.place(&entry.order, Some(old)),
            _ => json!({"error": order_gone(entry.order.asset)}),
        }
    }

    /// Places one order (replacing open order `replaces`, for a modify); its status entry.
    fn place(&mut self, entry: &OrderEntry, replaces: Option<u64>) -> Value {
        self.counters.orders_received += 1;
        let now = self.clock.now();
        let now_ms = self.clock.unix_ms(now);
        if let Some((left, text)) = self.faults.reject_orders.as_mut() {
            *left = left.saturating_sub(1);
            let text = text.clone();
            if *left == 0 {
                self.faults.reject_orders = None;
            }
            self.counters.orders_rejected += 1;
            return json!({"error": text});
        }
        let Some(coin) = self.coin_by_asset(entry.asset) else {
            self.counters.orders_rejected += 1;
            return json!({"error": format!("Asset {} is out of range.", entry.asset)});
        };
        let OrderType::Limit(limit) = entry.order_type;
        let side = if entry.is_buy { Side::Bid } else { Side::Ask };
        let Ok(px) = Price::parse(entry.limit_px.as_str()) else {
            self.counters.orders_rejected += 1;
            return json!({"error": reject_text(RejectReason::BadTick, entry.asset, &self.coins[coin].book)});
        };
        let qty = match Qty::parse(entry.sz.as_str()) {
            Ok(qty) if qty > Qty::ZERO => qty,
            _ => {
                self.counters.orders_rejected += 1;
                return json!({"error": "Order has invalid size."});
            }
        };
        if entry.reduce_only {
            let szi = self.coins[coin].position.szi;
            let reduces = match side {
                Side::Bid => szi < Qty::ZERO,
                Side::Ask => szi > Qty::ZERO,
            };
            if !reduces {
                self.counters.orders_rejected += 1;
                return json!({"error": reject_text(RejectReason::ReduceOnlyWouldIncrease, entry.asset, &self.coins[coin].book)});
            }
        }
        let oid = self.next_oid;
        self.next_oid += 1;
        let cloid = entry.cloid.map(|c| c.as_str().to_ascii_lowercase());
        if let Some(cloid) = &cloid {
            self.by_cloid.insert(cloid.clone(), oid);
        }
        self.orders.insert(
            oid,
            MockOrder {
                oid,
                coin: self.coins[coin].spec.name.clone(),
                side,
                limit_px: px,
                sz: qty,
                orig_sz: qty,
                cloid: cloid.clone(),
                tif: limit.tif,
                reduce_only: entry.reduce_only,
                timestamp_ms: now_ms,
                status: "pending",
                status_timestamp_ms: now_ms,
            },
        );
        let req = OrderRequest {
            coin: coin_id(coin),
            cloid: Cloid(u128::from(oid)),
            side,
            px,
            qty,
            post_only: limit.tif == Tif::Alo,
        };
        let action = match replaces {
            Some(old) => OrderAction::Modify { coin: req.coin, cloid: Cloid(u128::from(old)), new: req },
            None => OrderAction::Place(req),
        };
        self.sim.submit(now, &[action]);
        let mut events = self.drain(now);
        let rests = events.iter().any(|e| matches!(e, VenueEvent::Accepted { cloid, .. } if *cloid == req.cloid));
        if limit.tif == Tif::Ioc && rests {
            // Immediate or cancel: the rest never rests; neither event is the client's to see.
            self.sim.submit(now, &[OrderAction::Cancel { coin: req.coin, cloid: req.cloid }]);
            events.extend(self.drain(now));
            events.retain(|e| {
                !matches!(e, VenueEvent::Accepted { cloid, .. } | VenueEvent::Cancelled { cloid, .. } if *cloid == req.cloid)
            });
        }
        self.settle(&events, now);
        let placed = self.outcome(&events, req, entry.asset, coin);
        if limit.tif == Tif::Ioc {
            let status = match &placed {
                Placed::Error(_) => Some("iocCancelRejected"),
                Placed::Filled { total, .. } if *total < qty => Some("canceled"),
                _ => None,
            };
            if let (Some(status), Some(order)) = (status, self.orders.get_mut(&oid)) {
                if order.status == "pending" || order.status == "open" {
                    order.status = status;
                    order.status_timestamp_ms = now_ms;
                    let update = json!({"order": order.to_json(), "status": status, "statusTimestamp": now_ms});
                    let frame = json!({"channel": "orderUpdates", "data": [update]}).to_string();
                    self.sessions.publish_user(UserChannel::OrderUpdates, &Utf8Bytes::from(frame));
                }
            }
        }
        match placed {
            Placed::Resting => match &cloid {
                Some(cloid) => json!({"resting": {"oid": oid, "cloid": cloid}}),
                None => json!({"resting": {"oid": oid}}),
            },
            Placed::Filled { total, avg_px } => {
                json!({"filled": {"totalSz": total.to_string(), "avgPx": avg_px.to_string(), "oid": oid}})
            }
            Placed::Error(text) => {
                self.counters.orders_rejected += 1;
                json!({"error": text})
            }
        }
    }

    /// What the simulator's events say became of `req`.
    fn outcome(&self, events: &[VenueEvent], req: OrderRequest, asset: u32, coin: usize) -> Placed {
        let mut notional_units: i128 = 0;
        let mut total = Qty::ZERO;
        let mut resting = false;
        for event in events {
            match *event {
                VenueEvent::Rejected { cloid, reason, .. } if cloid == req.cloid => {
                    return Placed::Error(reject_text(reason, asset, &self.coins[coin].book));
                }
                VenueEvent::Fill(f) if f.cloid == req.cloid => {
                    notional_units += i128::from(f.px.units()) * i128::from(f.qty.units());
                    total += f.qty;
                }
                VenueEvent::Accepted { cloid, .. } if cloid == req.cloid => resting = true,
                _ => {}
            }
        }
        if resting {
            Placed::Resting
        } else if total > Qty::ZERO {
            let avg = notional_units / i128::from(total.units());
            Placed::Filled { total, avg_px: Price(i64::try_from(avg).unwrap_or(i64::MAX)) }
        } else {
            Placed::Error(reject_text(RejectReason::IocCouldNotMatch, asset, &self.coins[coin].book))
        }
    }

    fn schedule_cancel(&mut self, time_ms: Option<u64>) -> HttpReply {
        let now = self.clock.now();
        let at = time_ms.map(UnixNanos::from_millis);
        self.sim.submit(now, &[OrderAction::ScheduleCancel { at }]);
        let events = self.drain(now);
        self.settle(&events, now);
        let refused = events.iter().find_map(|e| match e {
            VenueEvent::ScheduleCancelRejected { reason, .. } => Some(*reason),
            _ => None,
        });
        let reply = match refused {
            None => ok("default", None),
            Some(ScheduleCancelReject::TooSoon) => {
                json!({"status": "err", "response": "Scheduled cancel time too early, must be at least 5 seconds after current time."})
            }
            Some(ScheduleCancelReject::DailyTriggerLimit) => {
                json!({"status": "err", "response": "Too many scheduled cancel triggers today."})
            }
        };
        HttpReply::json(&reply)
    }
}

fn ok(kind: &str, statuses: Option<Vec<Value>>) -> Value {
    match statuses {
        Some(statuses) => json!({"status": "ok", "response": {"type": kind, "data": {"statuses": statuses}}}),
        None => json!({"status": "ok", "response": {"type": kind}}),
    }
}

fn order_gone(asset: u32) -> String {
    format!("Order was never placed, already canceled, or filled. asset={asset}")
}

/// Hyperliquid's error text for an order refused for `reason`.
pub(super) fn reject_text(reason: RejectReason, asset: u32, book: &L2Book) -> String {
    let px = |p: Option<Price>| p.map_or_else(|| "None".to_owned(), |p| p.to_string());
    match reason {
        RejectReason::PostOnlyWouldMatch => format!(
            "Post only order would have immediately matched, bbo was {}@{}. asset={asset}",
            px(book.best_bid()),
            px(book.best_ask())
        ),
        RejectReason::BadTick => format!("Price must be divisible by tick size. asset={asset}"),
        RejectReason::BadSize => "Order has invalid size.".to_owned(),
        RejectReason::BelowMinNotional => format!("Order must have minimum value of $10. asset={asset}"),
        RejectReason::IocCouldNotMatch => {
            format!("Order could not immediately match against any resting orders. asset={asset}")
        }
        RejectReason::ReduceOnlyWouldIncrease => format!("Reduce only order would increase position. asset={asset}"),
        RejectReason::InsufficientMargin => format!("Insufficient margin to place order. asset={asset}"),
        RejectReason::TooManyOpenOrders => "Too many open orders.".to_owned(),
        RejectReason::OrderGone => order_gone(asset),
        RejectReason::UnknownCoin => format!("Asset {asset} is out of range."),
        other => format!("Order rejected: {other:?}. asset={asset}"),
    }
}
