//! The exchange client's socket loop, run on the venue actor's thread: actions in from the
//! actor, signed actions out by WebSocket `post` (REST fallback), answers and user-channel
//! frames back in as events for the actors on this thread. See the module doc of
//! `exchange_client` for what it does; this file is the I/O around the pure parts
//! (`batch.rs`, `orders.rs`, `info.rs`).

use super::batch::{
    dry_run_events, reply_events, split_batch, unsent_events, ActionGroup, Groups, Queries, ReplyCounts,
};
use super::info::{http_client, order_status_request, parse_order_status, post_json, InfoError};
use super::orders::{OrderTable, UserCounts};
use super::{add, bump, ExchangeClientConfig, ExchangeCounters};
use crate::journal::{JournalWriter, Record};
use crate::msg::{ActionMsg, Msg};
use crate::runtime::{DriverHost, ThreadDriver};
use crate::venues::hyperliquid::exchange::{build_action, AssetTable, NonceSource, Signer};
use crate::ActorId;
use engine::hyperliquid::{Address, CoinTable, Frame, Parser};
use engine::order::{parse_exchange_response, ExchangeResponse};
use engine::types::{Cloid, CoinId, UnixNanos};
use engine::venue::{ActionBatch, VenueEvent, VenueOrderStatus};
use futures_util::future::LocalBoxFuture;
use futures_util::stream::{FuturesUnordered, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{interval, timeout, Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

/// How often the loop sweeps timed-out posts, pings and looks at the stop flag.
const TICK: Duration = Duration::from_millis(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Malformed frames and other repeated problems logged one by one before only counting.
const LOGGED: u64 = 5;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A post awaiting its reply.
struct InFlight {
    group: ActionGroup,
    sent: Instant,
}

/// A REST request's outcome. The group rides inline: the future holding it is boxed once per
/// REST request anyway (the fallback, off the steady-state path).
#[allow(clippy::large_enum_variant)]
enum RestDone {
    Action { group: ActionGroup, result: Result<Vec<u8>, InfoError> },
    Status { coin: CoinId, cloid: Cloid, result: Result<Vec<u8>, InfoError> },
}

type RestFutures = FuturesUnordered<LocalBoxFuture<'static, RestDone>>;

pub(super) struct ExchangeDriver {
    pub(super) config: ExchangeClientConfig,
    pub(super) signer: Signer,
    pub(super) assets: AssetTable,
    pub(super) coins: CoinTable,
    pub(super) journal: Option<JournalWriter>,
    pub(super) nonces: NonceSource,
    pub(super) actions: mpsc::Receiver<ActionMsg>,
    pub(super) controls: mpsc::UnboundedReceiver<Record>,
    pub(super) counters: Arc<ExchangeCounters>,
}

impl ThreadDriver for ExchangeDriver {
    fn run<'h>(self: Box<Self>, host: &'h RefCell<DriverHost<'_>>) -> LocalBoxFuture<'h, ()> {
        Box::pin(async move {
            match Core::new(*self) {
                Ok(mut core) => core.run(host).await,
                Err(e) => tracing::error!(error = %e, "live venue: no HTTP client, the exchange client does not run"),
            }
        })
    }
}

/// Resolves to the next message of the socket, or never without one.
async fn next_message(read: &mut Option<SplitStream<Socket>>) -> Option<Result<Message, String>> {
    match read {
        Some(read) => read.next().await.map(|m| m.map_err(|e| e.to_string())),
        None => std::future::pending().await,
    }
}

/// Resolves when the connection attempt does, or never without one.
async fn connected(attempt: &mut Option<LocalBoxFuture<'static, Result<Socket, String>>>) -> Result<Socket, String> {
    match attempt {
        Some(future) => future.await,
        None => std::future::pending().await,
    }
}

async fn next_rest(rest: &mut RestFutures) -> RestDone {
    match rest.next().await {
        Some(done) => done,
        None => std::future::pending().await,
    }
}

struct Core {
    config: ExchangeClientConfig,
    signer: Signer,
    assets: AssetTable,
    parser: Parser,
    coins: CoinTable,
    journal: Option<JournalWriter>,
    nonces: NonceSource,
    actions: mpsc::Receiver<ActionMsg>,
    actions_open: bool,
    /// Control changes to journal (trading state, limit and parameter versions).
    controls: mpsc::UnboundedReceiver<Record>,
    controls_open: bool,
    counters: Arc<ExchangeCounters>,
    user: Address,
    table: OrderTable,
    pending: ActionBatch,
    groups: Groups,
    queries: Queries,
    events: Vec<VenueEvent>,
    in_flight: HashMap<u64, InFlight>,
    next_post_id: u64,
    http: reqwest::Client,
    exchange_url: String,
    info_url: String,
    rest: RestFutures,
    /// A journal append failed: nothing more is sent.
    halted: bool,
    write: Option<SplitSink<Socket, Message>>,
    read: Option<SplitStream<Socket>>,
    connecting: Option<LocalBoxFuture<'static, Result<Socket, String>>>,
    connected_before: bool,
    attempt: u32,
    reconnect_at: Instant,
    last_heard: Instant,
    next_ping: Instant,
}

impl Core {
    fn new(driver: ExchangeDriver) -> Result<Self, InfoError> {
        let ExchangeDriver { config, signer, assets, coins, journal, nonces, actions, controls, counters } = driver;
        let http = http_client(config.rest_timeout)?;
        let now = Instant::now();
        Ok(Self {
            exchange_url: format!("{}/exchange", config.rest_url),
            info_url: format!("{}/info", config.rest_url),
            user: signer.trading_user(),
            parser: Parser::new(coins.clone()),
            in_flight: HashMap::with_capacity(config.max_in_flight),
            next_ping: now + config.ping_interval,
            config,
            signer,
            assets,
            coins,
            journal,
            nonces,
            actions,
            controls,
            controls_open: true,
            actions_open: true,
            counters,
            table: OrderTable::default(),
            pending: ActionBatch::new(),
            groups: Groups::new(),
            queries: Queries::new(),
            events: Vec::with_capacity(crate::OUTBOX_CAPACITY),
            next_post_id: 1,
            http,
            rest: FuturesUnordered::new(),
            halted: false,
            write: None,
            read: None,
            connecting: None,
            connected_before: false,
            attempt: 0,
            reconnect_at: now,
            last_heard: now,
        })
    }

    async fn run(&mut self, host: &RefCell<DriverHost<'_>>) {
        let mut tick = interval(TICK);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            if host.borrow().stopping() {
                if let Some(mut write) = self.write.take() {
                    let _ = timeout(Duration::from_millis(200), write.send(Message::Close(None))).await;
                }
                return;
            }
            let want_socket = !self.config.dry_run && self.write.is_none() && self.connecting.is_none();
            if want_socket && Instant::now() >= self.reconnect_at {
                let url = self.config.ws_url.clone();
                self.connecting = Some(Box::pin(async move {
                    match timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(url.as_str())).await {
                        Ok(Ok((socket, _))) => Ok(socket),
                        Ok(Err(e)) => Err(format!("connect failed: {e}")),
                        Err(_) => Err("connect timed out".to_string()),
                    }
                }));
            }
            tokio::select! {
                action = self.actions.recv(), if self.actions_open => match action {
                    Some(action) => self.on_action(action, host).await,
                    None => self.actions_open = false,
                },
                record = self.controls.recv(), if self.controls_open => match record {
                    Some(record) => {
                        self.journal(&record);
                    }
                    None => self.controls_open = false,
                },
                message = next_message(&mut self.read) => self.on_message(message, host).await,
                done = next_rest(&mut self.rest) => self.on_rest(done, host),
                socket = connected(&mut self.connecting) => {
                    self.connecting = None;
                    self.on_connected(socket).await;
                }
                _ = tick.tick() => self.on_tick().await,
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Events out

    /// Appends `record` to the journal; a failure is logged, counted and halts sending.
    fn journal(&mut self, record: &Record) -> bool {
        if self.halted {
            return false;
        }
        let Some(journal) = self.journal.as_mut() else { return true };
        match journal.append(record) {
            Ok(()) => true,
            Err(e) => {
                bump(&self.counters.journal_errors);
                self.halted = true;
                tracing::error!(error = %e, "live venue: journal append failed; sending is halted (fail safe)");
                false
            }
        }
    }

    /// Journals and hands the collected events to the actors, then lets them run.
    fn deliver(&mut self, host: &RefCell<DriverHost<'_>>) {
        if self.events.is_empty() {
            return;
        }
        let mut events = std::mem::take(&mut self.events);
        for event in &events {
            if self.journal.is_some() && !self.halted {
                self.journal(&Record::Venue { at: UnixNanos::wall_clock(), event: *event });
            }
        }
        {
            let mut host = host.borrow_mut();
            for event in events.drain(..) {
                bump(&self.counters.venue_events);
                match event {
                    VenueEvent::Fill(_) | VenueEvent::HistoricalFill(_) | VenueEvent::Funding { .. } => {
                        host.inject(ActorId::Fill, Msg::Venue(event));
                    }
                    VenueEvent::Rejected { .. } => bump(&self.counters.rejects),
                    _ => {}
                }
                host.inject(ActorId::Order, Msg::Venue(event));
            }
            host.run_until_idle();
        }
        self.events = events;
    }

    fn add_reply_counts(&self, counts: &ReplyCounts) {
        add(&self.counters.cancel_errors, counts.cancel_errors);
        add(&self.counters.bad_replies, counts.unrecognised_items);
    }

    // -----------------------------------------------------------------------------------
    // Actions

    async fn on_action(&mut self, action: ActionMsg, host: &RefCell<DriverHost<'_>>) {
        if action.is_first() && !self.pending.is_empty() {
            // The end of the previous batch never came (dropped): send what arrived.
            self.send_batch(host).await;
        }
        if self.pending.try_push(action.action).is_err() {
            bump(&self.counters.actions_dropped);
        }
        if action.is_last() {
            self.send_batch(host).await;
        }
    }

    async fn send_batch(&mut self, host: &RefCell<DriverHost<'_>>) {
        bump(&self.counters.batches);
        split_batch(&self.pending, &mut self.groups, &mut self.queries);
        self.pending.clear();
        let groups = std::mem::take(&mut self.groups);
        for group in &groups {
            self.send_group(group).await;
        }
        self.groups = groups;
        let queries = std::mem::take(&mut self.queries);
        for &(coin, cloid) in &queries {
            if self.config.dry_run {
                self.events.push(VenueEvent::OrderStatus { coin, cloid, status: VenueOrderStatus::Open });
                continue;
            }
            bump(&self.counters.status_queries);
            let (http, url, body) = (self.http.clone(), self.info_url.clone(), order_status_request(self.user, cloid));
            self.rest.push(Box::pin(async move {
                RestDone::Status { coin, cloid, result: post_json(&http, &url, body).await }
            }));
        }
        self.queries = queries;
        if self.config.dry_run {
            bump(&self.counters.dry_run_batches);
        }
        self.deliver(host);
    }

    /// Signs, journals and sends one group (or answers it, in a dry run or when it cannot go).
    async fn send_group(&mut self, group: &ActionGroup) {
        group.actions.iter().for_each(|a| self.table.on_sent(a));
        if self.halted {
            bump(&self.counters.halted_groups);
            unsent_events(group, "not sent: the journal failed", &mut self.table, |e| self.events.push(e));
            return;
        }
        let signed = build_action(&group.actions, &self.assets).and_then(|action| {
            let nonce = self.nonces.next_now();
            self.signer.sign_l1_action(&action, nonce, None).map(|signed| (action, signed))
        });
        let (action, signed) = match signed {
            Ok(signed) => signed,
            Err(e) => {
                bump(&self.counters.signing_errors);
                if self.counters.signing_errors.load(std::sync::atomic::Ordering::Relaxed) <= LOGGED {
                    tracing::error!(error = %e, "live venue: action not signed");
                }
                let why = format!("not signed: {e}");
                unsent_events(group, &why, &mut self.table, |e| self.events.push(e));
                return;
            }
        };
        bump(&self.counters.signed_actions);
        let record =
            Record::ActionsSent { at: UnixNanos::wall_clock(), nonce: signed.nonce, actions: group.actions.to_vec() };
        if !self.journal(&record) {
            bump(&self.counters.halted_groups);
            unsent_events(group, "not sent: the journal failed", &mut self.table, |e| self.events.push(e));
            return;
        }
        if self.config.dry_run {
            dry_run_events(group, |e| self.events.push(e));
            return;
        }
        let body = match serde_json::to_string(&signed.request(&action)) {
            Ok(body) => body,
            Err(e) => {
                bump(&self.counters.signing_errors);
                tracing::error!(error = %e, "live venue: signed action does not serialize");
                unsent_events(group, "not sent: request does not serialize", &mut self.table, |e| self.events.push(e));
                return;
            }
        };
        if self.write.is_some() && self.in_flight.len() < self.config.max_in_flight {
            let id = self.next_post_id;
            self.next_post_id += 1;
            let frame = format!(r#"{{"method":"post","id":{id},"request":{{"type":"action","payload":{body}}}}}"#);
            if let Some(write) = self.write.as_mut() {
                match write.send(Message::text(frame)).await {
                    Ok(()) => {
                        bump(&self.counters.posts_sent);
                        self.in_flight.insert(id, InFlight { group: group.clone(), sent: Instant::now() });
                        self.counters
                            .in_flight_max
                            .fetch_max(self.in_flight.len() as u64, std::sync::atomic::Ordering::Relaxed);
                        return;
                    }
                    Err(e) => self.disconnect(format!("post failed: {e}")),
                }
            }
        }
        bump(&self.counters.rest_fallbacks);
        let (http, url, group) = (self.http.clone(), self.exchange_url.clone(), group.clone());
        self.rest.push(Box::pin(async move { RestDone::Action { group, result: post_json(&http, &url, body).await } }));
    }

    // -----------------------------------------------------------------------------------
    // Answers

    fn on_rest(&mut self, done: RestDone, host: &RefCell<DriverHost<'_>>) {
        match done {
            RestDone::Action { group, result } => match result {
                Ok(mut body) => match parse_exchange_response(&mut body) {
                    Ok(response) => self.on_response(&group, &response),
                    Err(e) => {
                        bump(&self.counters.bad_replies);
                        tracing::warn!(error = %e, "live venue: unreadable /exchange answer");
                    }
                },
                Err(e) => {
                    bump(&self.counters.rest_failures);
                    tracing::warn!(error = %e, "live venue: /exchange request failed; the orders' status will be asked");
                }
            },
            RestDone::Status { coin, cloid, result } => {
                match result.and_then(|body| parse_order_status(&body, &self.coins)) {
                    Ok(Some(status)) => {
                        bump(&self.counters.status_answers);
                        self.events.push(VenueEvent::OrderStatus { coin, cloid, status });
                    }
                    Ok(None) => bump(&self.counters.status_failures),
                    Err(e) => {
                        bump(&self.counters.status_failures);
                        tracing::warn!(error = %e, %cloid, "live venue: order status not answered");
                    }
                }
            }
        }
        self.deliver(host);
    }

    fn on_response(&mut self, group: &ActionGroup, response: &ExchangeResponse) {
        bump(&self.counters.replies);
        let mut counts = ReplyCounts::default();
        reply_events(group, response, &mut self.table, &mut counts, |e| self.events.push(e));
        self.add_reply_counts(&counts);
    }

    async fn on_message(&mut self, message: Option<Result<Message, String>>, host: &RefCell<DriverHost<'_>>) {
        match message {
            Some(Ok(Message::Text(text))) => {
                self.last_heard = Instant::now();
                self.on_text(text.as_str());
                self.deliver(host);
            }
            Some(Ok(Message::Close(_))) => self.disconnect("closed by the server".to_string()),
            Some(Ok(_)) => self.last_heard = Instant::now(),
            Some(Err(e)) => self.disconnect(format!("read failed: {e}")),
            None => self.disconnect("connection ended".to_string()),
        }
    }

    fn on_text(&mut self, text: &str) {
        let frame = match self.parser.parse(text.as_bytes()) {
            Ok(frame) => frame,
            Err(e) => {
                bump(&self.counters.bad_frames);
                if self.counters.bad_frames.load(std::sync::atomic::Ordering::Relaxed) <= LOGGED {
                    tracing::warn!(error = %e, "live venue: malformed frame skipped");
                }
                return;
            }
        };
        let post = match &frame {
            Frame::Post(reply) => Some((reply.id, ExchangeResponse::from_post(reply))),
            Frame::Error(message) => {
                bump(&self.counters.error_frames);
                if self.counters.error_frames.load(std::sync::atomic::Ordering::Relaxed) <= LOGGED {
                    tracing::warn!(%message, "live venue: the server refused a request");
                }
                None
            }
            _ => {
                let mut counts = UserCounts::default();
                let events = &mut self.events;
                if self.table.user_events(&frame, &mut counts, |e| events.push(e)) {
                    bump(&self.counters.user_frames);
                    add(&self.counters.fills, counts.fills);
                    add(&self.counters.historical_fills, counts.historical_fills);
                    add(&self.counters.duplicate_fills, counts.duplicate_fills);
                    add(&self.counters.untracked_fills, counts.untracked_fills);
                }
                None
            }
        };
        if let Some((id, response)) = post {
            match (self.in_flight.remove(&id), response) {
                (Some(posted), Ok(response)) => self.on_response(&posted.group, &response),
                (Some(_), Err(e)) => {
                    bump(&self.counters.bad_replies);
                    tracing::warn!(error = %e, id, "live venue: post reply is not an action answer");
                }
                (None, _) => bump(&self.counters.late_replies),
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Connection

    async fn on_connected(&mut self, socket: Result<Socket, String>) {
        let socket = match socket {
            Ok(socket) => socket,
            Err(reason) => {
                bump(&self.counters.connect_failures);
                self.schedule_reconnect(&reason);
                return;
            }
        };
        let (mut write, read) = socket.split();
        for kind in ["userFills", "orderUpdates", "userEvents"] {
            let request =
                format!(r#"{{"method":"subscribe","subscription":{{"type":"{kind}","user":"{}"}}}}"#, self.user);
            if let Err(e) = write.send(Message::text(request)).await {
                bump(&self.counters.connect_failures);
                self.schedule_reconnect(&format!("subscribe failed: {e}"));
                return;
            }
        }
        bump(&self.counters.connects);
        if self.connected_before {
            bump(&self.counters.reconnects);
        }
        self.connected_before = true;
        self.attempt = 0;
        let now = Instant::now();
        (self.last_heard, self.next_ping) = (now, now + self.config.ping_interval);
        (self.write, self.read) = (Some(write), Some(read));
        tracing::info!(user = %self.user, "live venue connected and subscribed to the user channels");
    }

    fn disconnect(&mut self, reason: String) {
        (self.write, self.read) = (None, None);
        self.schedule_reconnect(&reason);
    }

    fn schedule_reconnect(&mut self, reason: &str) {
        let doubled = self.config.backoff_initial.saturating_mul(1u32 << self.attempt.min(16));
        let delay = doubled.min(self.config.backoff_max);
        self.attempt = self.attempt.saturating_add(1);
        self.reconnect_at = Instant::now() + delay;
        tracing::warn!(%reason, ?delay, "live venue disconnected; posts go by REST until it reconnects");
    }

    async fn on_tick(&mut self) {
        // Group commit's bound: what was appended since the last sync reaches the disk
        // within a tick even if nothing more is appended (a no-op when nothing is pending).
        if let Some(Err(e)) = self.journal.as_mut().filter(|_| !self.halted).map(JournalWriter::sync) {
            bump(&self.counters.journal_errors);
            self.halted = true;
            tracing::error!(error = %e, "live venue: journal sync failed; sending is halted (fail safe)");
        }
        let now = Instant::now();
        let before = self.in_flight.len();
        let post_timeout = self.config.post_timeout;
        self.in_flight.retain(|_, posted| now.duration_since(posted.sent) < post_timeout);
        add(&self.counters.reply_timeouts, (before - self.in_flight.len()) as u64);
        if self.write.is_none() {
            return;
        }
        if now.duration_since(self.last_heard) >= self.config.silence_timeout {
            bump(&self.counters.silent_timeouts);
            self.disconnect(format!("silent for {:?}", self.config.silence_timeout));
            return;
        }
        if now >= self.next_ping {
            self.next_ping = now + self.config.ping_interval;
            if let Some(write) = self.write.as_mut() {
                match write.send(Message::text(r#"{"method":"ping"}"#)).await {
                    Ok(()) => bump(&self.counters.pings_sent),
                    Err(e) => self.disconnect(format!("ping failed: {e}")),
                }
            }
        }
    }
}
