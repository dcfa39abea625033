//! The mock exchange's state machine: the replayed market, the matching (an
//! [`engine::sim::SimExchange`] with zero latencies), the account's orders, fills and
//! positions, and what each replayed frame and each simulator event makes it publish. The
//! requests are answered in [`super::actions`] (signed actions), [`super::info`] and
//! [`super::ws_requests`]; the server ([`super::server`]) only moves bytes to and from it.
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
use engine::types::{CoinId, Nanos, Price, Qty, Side, UnixNanos};
use engine::venue::{RejectReason, VenueEvent};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::auth::NonceBook;
use super::channels::{Sessions, UserChannel};
use super::ledger::{round_usdc, side_letter, usdc, MockFill, MockPosition, PnlSummary};
use super::{MockExchangeConfig, MockExchangeCounters};
use crate::venues::hyperliquid::exchange::Tif;
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
    pub fn json(value: &Value) -> Self {
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
    pub next_oid: u64,
    pub fills: Vec<MockFill>,
    pub nonces: NonceBook,
    pub requests_used: u64,
    pub budget_base: u64,
    pub volume_usd: f64,
    pub counters: MockExchangeCounters,
    pub faults: Faults,
    pub sessions: Sessions,
    /// Next frame [`super::MockExchangeControl::advance_replay`] plays.
    pub manual_cursor: usize,
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

    pub fn coin_by_asset(&self, asset: u32) -> Option<usize> {
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

    pub fn drain(&mut self, now: Nanos) -> Vec<VenueEvent> {
        let mut events = Vec::new();
        self.sim.poll(now, &mut |e| events.push(e));
        events
    }

    /// Books what the simulator reported: fills into the ledger and the user channels,
    /// status changes into the orders and `orderUpdates`. Cancels reported before a
    /// `ScheduleCancelFired` are the scheduled cancel's.
    pub fn settle(&mut self, events: &[VenueEvent], now: Nanos) {
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
}

pub(super) fn coin_id(index: usize) -> CoinId {
    CoinId(u8::try_from(index).unwrap_or(u8::MAX))
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
