//! The mock exchange's state machine: the replayed market, the matching (an
//! [`engine::sim::SimExchange`] with zero latencies), the account's orders, fills and
//! positions, the request checks, and what each request and each replayed frame makes it
//! answer and publish. The server ([`super::server`]) only moves bytes to and from it.
//!
//! One timeline: a replayed frame is parsed with the engine's own [`Parser`] and converted
//! with the engine's [`market_events`] (every trade counts: the mock's filter never treats a
//! frame as history) and handed to the simulator at the moment it is published, so a client
//! sees exactly the book the mock matches against. The simulator's clock is the mock's
//! monotonic time since start; its exchange time is wall-clock Unix time (what nonces,
//! `scheduleCancel` times and fill times are in).
//!
//! Orders are keyed in the simulator by their oid (as a [`Cloid`]), so orders without a
//! client id, and reused client ids, work; the mock keeps oid ↔ cloid. `Ioc` is the
//! simulator's taker order whose rest is cancelled at once; `Gtc` rests its rest; `Alo` is
//! post-only.

use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use engine::hyperliquid::{CoinTable, Parser};
use engine::instrument::Instrument;
use engine::market::{L2Book, SourceCounters};
use engine::sim::{SimExchange, SimVenueConfig};
use engine::types::{Cloid, CoinId, Nanos, Price, Qty, Side, UnixNanos};
use engine::venue::{OrderAction, OrderRequest, RejectReason, ScheduleCancelReject, VenueEvent};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::auth::{self, NonceBook};
use super::channels::{Sessions, Topic, UserChannel};
use super::ledger::{round_usdc, side_letter, usdc, MockFill, MockPosition, PnlSummary};
use super::{MockExchangeConfig, MockExchangeCounters};
use crate::venues::hyperliquid::exchange::{L1Action, ModifyEntry, OrderEntry, OrderRef, OrderType, Tif};
use crate::venues::hyperliquid::market_frames::{market_events, TradeReplayFilter};
use crate::venues::hyperliquid::mock_server::MockFrame;

/// First oid handed out.
const FIRST_OID: u64 = 1_000;
/// Extra budget cancels get over orders: `min(cap + 100000, 2·cap)`.
const CANCEL_BUDGET_EXTRA: u64 = 100_000;

/// One of the account's orders, open or finished.
#[derive(Debug, Clone, PartialEq)]
pub struct MockOrder {
    pub oid: u64,
    pub coin: String,
    pub side: Side,
    pub limit_px: Price,
    /// Size still open.
    pub sz: Qty,
    pub orig_sz: Qty,
    pub cloid: Option<String>,
    pub tif: Tif,
    pub reduce_only: bool,
    /// Placed at, Unix ms.
    pub timestamp_ms: u64,
    /// Hyperliquid's status name: `open`, `filled`, `canceled`, `scheduledCancel`,
    /// `badAloPxRejected`, `tickRejected`, `minTradeNtlRejected`, `iocCancelRejected`, `rejected`.
    pub status: &'static str,
    pub status_timestamp_ms: u64,
}

impl MockOrder {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }

    /// `{coin, side, limitPx, sz, oid, timestamp, origSz, cloid?}` as `orderUpdates` and
    /// info `openOrders` show it.
    pub(super) fn to_json(&self) -> Value {
        let mut order = json!({
            "coin": self.coin,
            "side": side_letter(self.side),
            "limitPx": self.limit_px.to_string(),
            "sz": self.sz.to_string(),
            "oid": self.oid,
            "timestamp": self.timestamp_ms,
            "origSz": self.orig_sz.to_string(),
        });
        if let Some(cloid) = &self.cloid {
            order["cloid"] = Value::String(cloid.clone());
        }
        order
    }
}

/// The monotonic clock the simulator runs on, and the wall-clock time it stands for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    start: Instant,
    start_unix_ns: u64,
}

impl Clock {
    fn new() -> Self {
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Self { start: Instant::now(), start_unix_ns: u64::try_from(since_epoch.as_nanos()).unwrap_or(u64::MAX) }
    }

    pub fn now(&self) -> Nanos {
        Nanos(u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX))
    }

    pub fn unix_ms(&self, at: Nanos) -> u64 {
        self.start_unix_ns.saturating_add(at.0) / 1_000_000
    }

    /// The [`Instant`] of simulator time `at`.
    pub fn instant(&self, at: Nanos) -> Instant {
        self.start + std::time::Duration::from_nanos(at.0)
    }
}

/// Per-coin state: the spec, the latest replayed frames and the position.
pub(super) struct CoinState {
    pub spec: super::CoinSpec,
    pub book: L2Book,
    pub last_book_frame: Option<Utf8Bytes>,
    pub last_trades_frame: Option<Utf8Bytes>,
    pub position: MockPosition,
}

impl CoinState {
    pub fn mid(&self) -> Option<f64> {
        self.book.mid_usd()
    }
}

/// Faults the control handle arms.
#[derive(Default)]
pub(super) struct Faults {
    /// Refuse the next `n` orders with this text.
    pub reject_orders: Option<(u32, String)>,
    pub duplicate_fill_messages: bool,
    /// Hold the next fill message back until the one after it is sent.
    pub reorder_next_fill: bool,
    pub held_fill_messages: Vec<(UserChannel, Utf8Bytes)>,
    /// `Some(execute)`: WebSocket posts get no answer; actions still run when `execute`.
    pub posts_unanswered: Option<bool>,
}

/// An HTTP answer: status code and JSON (or, for 4xx, plain text) body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HttpReply {
    pub status: u16,
    pub body: String,
}

impl HttpReply {
    fn json(value: &Value) -> Self {
        Self { status: 200, body: value.to_string() }
    }

    pub fn unprocessable(text: String) -> Self {
        Self { status: 422, body: text }
    }
}

pub(super) struct Venue {
    pub config: MockExchangeConfig,
    pub clock: Clock,
    pub sim: SimExchange,
    parser: Parser,
    replays: TradeReplayFilter,
    source_counters: SourceCounters,
    pub coins: Vec<CoinState>,
    pub orders: HashMap<u64, MockOrder>,
    /// Latest order per client id.
    pub by_cloid: HashMap<String, u64>,
    next_oid: u64,
    pub fills: Vec<MockFill>,
    nonces: NonceBook,
    pub requests_used: u64,
    pub budget_base: u64,
    pub volume_usd: f64,
    pub counters: MockExchangeCounters,
    pub faults: Faults,
    pub sessions: Sessions,
    /// Next frame [`super::MockExchangeControl::advance_replay`] plays.
    pub manual_cursor: usize,
}

/// What one order became, for its status entry.
enum Placed {
    Resting,
    Filled { total: Qty, avg_px: Price },
    Error(String),
}

impl Venue {
    pub fn new(config: MockExchangeConfig) -> Result<Self, String> {
        let names: Vec<&str> = config.coins.iter().map(|c| c.name.as_str()).collect();
        let table = CoinTable::new(names).map_err(|e| format!("mock exchange coins: {e}"))?;
        let instruments: Vec<Instrument> = config
            .coins
            .iter()
            .map(|c| Instrument {
                name: c.name.clone(),
                sz_decimals: c.sz_decimals,
                min_notional_usd: c.min_notional_usd,
            })
            .collect();
        let sim_config = SimVenueConfig {
            order_latency_ms: 0.0,
            cancel_latency_ms: 0.0,
            response_latency_ms: 0.0,
            maker_fee_bps: config.maker_fee_bps,
            taker_fee_bps: config.taker_fee_bps,
        };
        let clock = Clock::new();
        let sim = SimExchange::new(&sim_config, UnixNanos(clock.start_unix_ns), instruments);
        let coins = config
            .coins
            .iter()
            .enumerate()
            .map(|(i, spec)| CoinState {
                spec: spec.clone(),
                book: L2Book::empty(CoinId(u8::try_from(i).unwrap_or(u8::MAX))),
                last_book_frame: None,
                last_trades_frame: None,
                position: MockPosition::default(),
            })
            .collect();
        Ok(Self {
            budget_base: config.request_budget,
            clock,
            sim,
            parser: Parser::new(table),
            // Sized for no coin: every trade is live to the mock (see the module doc).
            replays: TradeReplayFilter::new(0),
            source_counters: SourceCounters::default(),
            coins,
            orders: HashMap::new(),
            by_cloid: HashMap::new(),
            next_oid: FIRST_OID,
            fills: Vec::new(),
            nonces: NonceBook::default(),
            requests_used: 0,
            volume_usd: 0.0,
            counters: MockExchangeCounters::default(),
            faults: Faults::default(),
            sessions: Sessions::default(),
            manual_cursor: 0,
            config,
        })
    }

    pub fn account_str(&self) -> String {
        self.config.account.to_string()
    }

    fn coin_by_asset(&self, asset: u32) -> Option<usize> {
        self.coins.iter().position(|c| c.spec.asset == asset)
    }

    pub fn coin_by_name(&self, name: &str) -> Option<usize> {
        self.coins.iter().position(|c| c.spec.name == name)
    }

    pub fn pnl(&self) -> PnlSummary {
        PnlSummary::compute(&self.fills, self.coins.iter().map(|c| (&c.position, c.mid())))
    }

    /// The budget an action of this kind may use: the base plus 1 per USDC traded; cancels more.
    pub fn request_cap(&self, cancel: bool) -> u64 {
        let cap = self.budget_base.saturating_add(self.volume_usd as u64);
        if cancel {
            cap.saturating_add(CANCEL_BUDGET_EXTRA).min(cap.saturating_mul(2))
        } else {
            cap
        }
    }

    // ---- market replay -------------------------------------------------------------------

    /// Publishes one replayed frame and feeds its market events to the simulator, now.
    pub fn play_frame(&mut self, frame: &MockFrame) {
        let now = self.clock.now();
        self.counters.frames_replayed += 1;
        let coin = frame.coin.as_deref();
        self.sessions.publish_market(&frame.channel, coin, &frame.text);
        if let Some(index) = coin.and_then(|c| self.coin_by_name(c)) {
            match frame.channel.as_str() {
                "l2Book" => self.coins[index].last_book_frame = Some(frame.text.clone()),
                "trades" => self.coins[index].last_trades_frame = Some(frame.text.clone()),
                _ => {}
            }
        }
        let mut events = Vec::new();
        match self.parser.parse(frame.text.as_bytes()) {
            Ok(parsed) => market_events(parsed, &mut self.replays, &mut self.source_counters, |e| events.push(e)),
            Err(_) => self.counters.frames_unparsed += 1,
        }
        for event in &events {
            if let engine::market::MarketEvent::Book(book) = event {
                if let Some(state) = self.coins.get_mut(book.coin.index()) {
                    state.book.clone_from(book);
                }
            }
            self.sim.on_market(now, event);
        }
        self.pump();
    }

    /// Hands out what the simulator has due now (fills from the market, a scheduled cancel).
    pub fn pump(&mut self) {
        let now = self.clock.now();
        let events = self.drain(now);
        self.settle(&events, now);
    }

    fn drain(&mut self, now: Nanos) -> Vec<VenueEvent> {
        let mut events = Vec::new();
        self.sim.poll(now, &mut |e| events.push(e));
        events
    }

    /// Books what the simulator reported: fills into the ledger and the user channels,
    /// status changes into the orders and `orderUpdates`. Cancels reported before a
    /// `ScheduleCancelFired` are the scheduled cancel's.
    fn settle(&mut self, events: &[VenueEvent], now: Nanos) {
        let now_ms = self.clock.unix_ms(now);
        let fired_at = events.iter().position(|e| matches!(e, VenueEvent::ScheduleCancelFired { .. }));
        let mut fills = Vec::new();
        let mut updates = Vec::new();
        for (i, event) in events.iter().enumerate() {
            let (oid, status) = match *event {
                VenueEvent::Fill(report) => {
                    let oid = report.cloid.0 as u64;
                    if let Some(fill) = self.book_fill(oid, &report, now_ms) {
                        fills.push(fill);
                    }
                    if !report.remaining.is_zero() {
                        continue;
                    }
                    (oid, "filled")
                }
                VenueEvent::Accepted { cloid, .. } => (cloid.0 as u64, "open"),
                VenueEvent::Rejected { cloid, reason, .. } => (cloid.0 as u64, rejected_status(reason)),
                VenueEvent::Cancelled { cloid, .. } => {
                    let scheduled = fired_at.is_some_and(|f| i < f);
                    (cloid.0 as u64, if scheduled { "scheduledCancel" } else { "canceled" })
                }
                VenueEvent::ScheduleCancelFired { .. } => {
                    self.counters.scheduled_cancels_fired += 1;
                    continue;
                }
                _ => continue,
            };
            if let Some(order) = self.orders.get_mut(&oid) {
                order.status = status;
                order.status_timestamp_ms = now_ms;
                updates.push(json!({"order": order.to_json(), "status": status, "statusTimestamp": now_ms}));
            }
        }
        if !fills.is_empty() {
            self.publish_fills(&fills);
        }
        if !updates.is_empty() {
            let frame = json!({"channel": "orderUpdates", "data": updates}).to_string();
            self.sessions.publish_user(UserChannel::OrderUpdates, &Utf8Bytes::from(frame));
        }
    }

    /// Records one fill of order `oid`; its JSON for the user channels.
    fn book_fill(&mut self, oid: u64, report: &engine::venue::FillReport, now_ms: u64) -> Option<Value> {
        let order = self.orders.get_mut(&oid)?;
        order.sz = report.remaining;
        let coin = self.coins.get_mut(report.coin.index())?;
        let (start_position, closed_pnl_usd, dir) = coin.position.apply(report.side, report.px, report.qty);
        let fill = MockFill {
            coin: coin.spec.name.clone(),
            px: report.px,
            sz: report.qty,
            side: report.side,
            time_ms: now_ms,
            start_position,
            dir,
            closed_pnl_usd,
            oid,
            crossed: matches!(report.liquidity, engine::venue::Liquidity::Taker),
            fee_usd: round_usdc(report.fee_usd),
            tid: report.tid,
            cloid: order.cloid.clone(),
        };
        self.volume_usd += report.px.to_f64() * report.qty.to_f64();
        self.counters.fills += 1;
        let json = fill.to_json();
        self.fills.push(fill);
        Some(json)
    }

    /// Sends one batch of fills on `userFills` and `user`, with the armed faults.
    fn publish_fills(&mut self, fills: &[Value]) {
        let user = self.account_str();
        let messages = [
            (UserChannel::Fills, json!({"channel": "userFills", "data": {"user": user, "fills": fills}})),
            (UserChannel::Events, json!({"channel": "user", "data": {"fills": fills}})),
        ]
        .map(|(channel, frame)| (channel, Utf8Bytes::from(frame.to_string())));
        if self.faults.reorder_next_fill && self.faults.held_fill_messages.is_empty() {
            self.faults.reorder_next_fill = false;
            self.faults.held_fill_messages.extend(messages);
            return;
        }
        let held = std::mem::take(&mut self.faults.held_fill_messages);
        for (channel, text) in messages.into_iter().chain(held) {
            let copies = if self.faults.duplicate_fill_messages { 2 } else { 1 };
            for _ in 0..copies {
                self.sessions.publish_user(channel, &text);
                self.counters.fill_messages_sent += 1;
            }
        }
    }

    /// Sends the fill messages held back by the reorder fault, if any.
    pub fn release_held_fills(&mut self) {
        for (channel, text) in std::mem::take(&mut self.faults.held_fill_messages) {
            self.sessions.publish_user(channel, &text);
            self.counters.fill_messages_sent += 1;
        }
    }

    /// Pays funding at `rate` (fraction of notional) on `coin`'s position at the current mid:
    /// a long pays a positive rate. Publishes `{"funding":{…}}` on `user`.
    pub fn inject_funding(&mut self, coin: &str, rate: f64) -> Option<f64> {
        let index = self.coin_by_name(coin)?;
        let now_ms = self.clock.unix_ms(self.clock.now());
        let state = &mut self.coins[index];
        let mark = state.mid().unwrap_or(state.position.entry_px);
        let payment = round_usdc(-state.position.szi.to_f64() * mark * rate);
        state.position.funding_usd += payment;
        let funding = json!({
            "time": now_ms,
            "coin": coin,
            "usdc": usdc(payment),
            "szi": state.position.szi.to_string(),
            "fundingRate": rate.to_string(),
        });
        let frame = json!({"channel": "user", "data": {"funding": funding}}).to_string();
        self.sessions.publish_user(UserChannel::Events, &Utf8Bytes::from(frame));
        Some(payment)
    }

    // ---- signed actions --------------------------------------------------------------------

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

    // ---- WebSocket requests ----------------------------------------------------------------

    /// Answers one text frame of session `id`: subscribe, unsubscribe, ping, post.
    pub fn ws_request(&mut self, id: u64, text: &str) {
        let parse_error =
            || json!({"channel": "error", "data": format!("Error parsing JSON into valid websocket request: {text}")});
        let Ok(request) = serde_json::from_str::<Value>(text) else {
            return self.sessions.send_to(id, parse_error().to_string());
        };
        match request.get("method").and_then(Value::as_str) {
            Some("ping") => self.sessions.send_to(id, r#"{"channel":"pong"}"#),
            Some(method @ ("subscribe" | "unsubscribe")) => {
                let subscription = request.get("subscription").cloned().unwrap_or(Value::Null);
                let Some(topic) = super::channels::topic_of(&subscription, &self.account_str()) else {
                    return self.sessions.send_to(id, parse_error().to_string());
                };
                let done = if method == "subscribe" {
                    self.sessions.subscribe(id, subscription.clone(), topic.clone())
                } else {
                    self.sessions.unsubscribe(id, &subscription)
                };
                if !done {
                    let what = if method == "subscribe" { "Already subscribed" } else { "Already unsubscribed" };
                    let frame = json!({"channel": "error", "data": format!("{what}: {subscription}")});
                    return self.sessions.send_to(id, frame.to_string());
                }
                self.counters.subscriptions += u64::from(method == "subscribe");
                let echo = json!({"channel": "subscriptionResponse", "data": {"method": method, "subscription": subscription}});
                self.sessions.send_to(id, echo.to_string());
                if method == "subscribe" {
                    self.after_subscribe(id, &topic);
                }
            }
            Some("post") => self.post(id, &request),
            _ => self.sessions.send_to(id, parse_error().to_string()),
        }
    }

    /// What a new subscription gets at once: the latest book, the latest trades (the
    /// venue's replay of older trades), the `userFills` snapshot.
    fn after_subscribe(&mut self, id: u64, topic: &Topic) {
        match topic {
            Topic::Market { channel, coin: Some(coin) } => {
                let Some(state) = self.coin_by_name(coin).map(|i| &self.coins[i]) else { return };
                let latest = match channel.as_str() {
                    "l2Book" => state.last_book_frame.clone(),
                    "trades" => state.last_trades_frame.clone(),
                    _ => None,
                };
                if let Some(frame) = latest {
                    self.sessions.send_to(id, frame);
                }
            }
            Topic::User { channel: UserChannel::Fills, ours } => {
                let fills: Vec<Value> =
                    if *ours { self.fills.iter().map(MockFill::to_json).collect() } else { Vec::new() };
                let user = self.account_str();
                let frame = json!({"channel": "userFills", "data": {"isSnapshot": true, "user": user, "fills": fills}});
                self.sessions.send_to(id, frame.to_string());
            }
            _ => {}
        }
    }

    fn post(&mut self, id: u64, request: &Value) {
        self.counters.posts_received += 1;
        let post_id = request.get("id").and_then(Value::as_u64);
        let inner = request.get("request");
        let kind = inner.and_then(|r| r.get("type")).and_then(Value::as_str);
        let payload = inner.and_then(|r| r.get("payload"));
        let (Some(post_id), Some(kind), Some(payload)) = (post_id, kind, payload) else {
            let frame = json!({"channel": "error", "data": format!("Error parsing JSON into valid websocket request: {request}")});
            return self.sessions.send_to(id, frame.to_string());
        };
        let unanswered = self.faults.posts_unanswered;
        if unanswered == Some(false) {
            self.counters.posts_unanswered += 1;
            return;
        }
        let response = match kind {
            "action" => {
                let reply = self.exchange(payload);
                match serde_json::from_str::<Value>(&reply.body) {
                    Ok(answer) if reply.status == 200 => json!({"type": "action", "payload": answer}),
                    _ => json!({"type": "error", "payload": reply.body}),
                }
            }
            "info" => match self.info(payload) {
                Ok(data) => {
                    let info_type = payload.get("type").cloned().unwrap_or(Value::Null);
                    json!({"type": "info", "payload": {"type": info_type, "data": data}})
                }
                Err(text) => json!({"type": "error", "payload": text}),
            },
            other => json!({"type": "error", "payload": format!("unknown post type {other:?}")}),
        };
        if unanswered.is_some() {
            self.counters.posts_unanswered += 1;
            return;
        }
        let frame = json!({"channel": "post", "data": {"id": post_id, "response": response}});
        self.sessions.send_to(id, frame.to_string());
    }
}

fn coin_id(index: usize) -> CoinId {
    CoinId(u8::try_from(index).unwrap_or(u8::MAX))
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

/// Hyperliquid's `orderUpdates` status of an order refused for `reason`.
fn rejected_status(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::PostOnlyWouldMatch => "badAloPxRejected",
        RejectReason::BadTick => "tickRejected",
        RejectReason::BelowMinNotional => "minTradeNtlRejected",
        RejectReason::IocCouldNotMatch => "iocCancelRejected",
        RejectReason::ReduceOnlyWouldIncrease => "reduceOnlyRejected",
        RejectReason::InsufficientMargin => "perpMarginRejected",
        _ => "rejected",
    }
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
