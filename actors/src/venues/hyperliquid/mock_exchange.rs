//! A mock Hyperliquid exchange for end-to-end tests, on loopback only.
//!
//! The real engine (another thread or a child process) trades against it over real sockets:
//! `POST /info` and `POST /exchange` over HTTP/1.1 and the WebSocket `/ws` (market data,
//! user channels, `post` actions and info), all on one port ([`MockExchange::http_url`],
//! [`MockExchange::ws_url`]). What it does (`../shared/HYPERLIQUID.md` for the venue's rules):
//!
//! - **One market timeline.** A [`MockRecording`] is replayed once, on one clock, at a chosen
//!   speed (optionally looping, or frame by frame under the test's control). Each frame goes
//!   to the WebSocket subscribers of its channel and coin, byte for byte, and — parsed by the
//!   engine's own parser and converted as the engine converts it — into an
//!   [`engine::sim::SimExchange`] with zero latencies, which does the matching: orders rest
//!   against the replayed book and fill when trades trade through it or the book crosses
//!   them; tick, lot, minimum notional and post-only rules are the simulator's. A new
//!   `l2Book`/`trades` subscriber first gets the latest book / trades frame already played.
//! - **Signed actions**, over REST or WebSocket `post`: the signer is recovered from the
//!   signature over the action as the engine's wire types hash it, and must be the account
//!   or one of its approved agents; nonces follow the venue's rules; the address request
//!   budget is enforced; `order` (Alo/Gtc/Ioc), `cancel`, `cancelByCloid`, `batchModify`
//!   and `scheduleCancel` answer with Hyperliquid's statuses and error texts.
//! - **User channels**: `userFills` (snapshot first), `orderUpdates`, `userEvents` (`user`:
//!   fills and funding), in Hyperliquid's shapes.
//! - **Info**: `meta`, `openOrders`, `frontendOpenOrders`, `clearinghouseState`,
//!   `userFills`, `orderStatus`, `userRateLimit`, `l2Book`, `allMids` (shapes in `info`).
//! - **Its own record** for tests to compare with: [`MockExchange::fills`],
//!   [`MockExchange::open_orders`], [`MockExchange::position`], [`MockExchange::pnl`]
//!   ([`PnlSummary`] documents the formula), [`MockExchange::counters`].
//! - **Faults** through [`MockExchangeControl`]: refuse the next orders, duplicate or reorder
//!   fill messages, leave posts unanswered, drop every connection, pay funding, set the budget.
//!
//! Like [`super::mock_server`], it runs on a thread of its own with a current-thread tokio
//! runtime; nothing a client sends can panic it (bad bodies get 422, bad frames an `error`
//! frame); [`MockExchange::stop`] (or drop) closes the clients and joins the thread.
//!
//! Not modelled: margin and liquidation (every order has margin), the oracle-distance rule,
//! trigger orders, builder fees, vaults other than the account itself, the one request per
//! 10 s allowed after the budget is spent, and the IP rate limit. Only one account trades.

mod actions;
mod auth;
mod channels;
mod info;
mod ledger;
mod server;
mod venue;
mod ws_requests;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdTcpListener};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use engine::hyperliquid::Address;
use tokio::sync::{watch, Notify};

pub use ledger::{MockFill, MockPosition, PnlSummary};
pub use venue::MockOrder;

use super::exchange::Network;
use super::mock_server::{MockFrame, MockRecording, ReplaySpeed};
use venue::Venue;

/// One coin the mock lists. Tick and lot follow from `sz_decimals` as on Hyperliquid (5
/// significant figures and at most 6 − szDecimals decimals; lots of 10^−szDecimals).
#[derive(Debug, Clone, PartialEq)]
pub struct CoinSpec {
    /// Name as in the recording and in `meta` (e.g. `BTC`).
    pub name: String,
    /// Asset index the actions use (`a`).
    pub asset: u32,
    pub sz_decimals: u32,
    /// Minimum order value, USD ($10 on Hyperliquid).
    pub min_notional_usd: f64,
    pub max_leverage: u32,
}

impl CoinSpec {
    /// A coin with Hyperliquid's $10 minimum and 40× max leverage.
    pub fn new(name: impl Into<String>, asset: u32, sz_decimals: u32) -> Self {
        Self { name: name.into(), asset, sz_decimals, min_notional_usd: 10.0, max_leverage: 40 }
    }

    pub fn min_notional_usd(mut self, usd: f64) -> Self {
        self.min_notional_usd = usd;
        self
    }
}

/// How the recording is played.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplayMode {
    /// On the server's clock from start, at `speed`, again from the start when `looping`.
    Timed { speed: ReplaySpeed, looping: bool },
    /// Only when the test calls [`MockExchangeControl::advance_replay`].
    Manual,
}

/// Hyperliquid's base-tier perp maker fee, bps.
pub const DEFAULT_MAKER_FEE_BPS: f64 = 1.5;
/// Hyperliquid's base-tier perp taker fee, bps.
pub const DEFAULT_TAKER_FEE_BPS: f64 = 4.5;
/// A new address's request budget before any volume.
pub const DEFAULT_REQUEST_BUDGET: u64 = 10_000;

/// What the mock exchange serves. [`MockExchangeConfig::new`]: real-time replay, no loop,
/// mainnet, base-tier fees, a budget of 10,000 requests, `127.0.0.1:0`, no agents.
#[derive(Debug, Clone)]
pub struct MockExchangeConfig {
    recording: MockRecording,
    replay: ReplayMode,
    coins: Vec<CoinSpec>,
    account: Address,
    agents: Vec<Address>,
    network: Network,
    maker_fee_bps: f64,
    taker_fee_bps: f64,
    request_budget: u64,
    bind: SocketAddr,
}

impl MockExchangeConfig {
    /// Serves `recording` for `coins`, trading for `account`.
    pub fn new(recording: MockRecording, coins: Vec<CoinSpec>, account: Address) -> Self {
        Self {
            recording,
            replay: ReplayMode::Timed { speed: ReplaySpeed::Times(1.0), looping: false },
            coins,
            account,
            agents: Vec::new(),
            network: Network::Mainnet,
            maker_fee_bps: DEFAULT_MAKER_FEE_BPS,
            taker_fee_bps: DEFAULT_TAKER_FEE_BPS,
            request_budget: DEFAULT_REQUEST_BUDGET,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        }
    }

    pub fn replay(mut self, mode: ReplayMode) -> Self {
        self.replay = mode;
        self
    }

    /// Approves agent (API) wallet `agent` to sign for the account.
    pub fn agent(mut self, agent: Address) -> Self {
        self.agents.push(agent);
        self
    }

    /// The chain whose `source` letter signatures are checked against.
    pub fn network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }

    /// Maker and taker fees in bps of notional; a negative maker fee is a rebate.
    pub fn fees_bps(mut self, maker: f64, taker: f64) -> Self {
        self.maker_fee_bps = maker;
        self.taker_fee_bps = taker;
        self
    }

    /// Requests the address may send before any volume (it grows by 1 per USDC traded).
    pub fn request_budget(mut self, requests: u64) -> Self {
        self.request_budget = requests;
        self
    }

    /// A loopback address to listen on (port 0 picks a free one).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    fn validate(&self) -> io::Result<()> {
        let invalid = |text: String| Err(io::Error::new(io::ErrorKind::InvalidInput, text));
        if !self.bind.ip().is_loopback() {
            return invalid(format!("mock exchange binds loopback only, not {}", self.bind));
        }
        if let ReplayMode::Timed { speed: ReplaySpeed::Times(factor), .. } = self.replay {
            if !(factor.is_finite() && factor > 0.0) {
                return invalid(format!("replay speed must be a positive finite factor, not {factor}"));
            }
        }
        if !(self.maker_fee_bps.is_finite() && self.taker_fee_bps.is_finite()) {
            return invalid("fees must be finite".into());
        }
        let mut assets: Vec<u32> = self.coins.iter().map(|c| c.asset).collect();
        assets.sort_unstable();
        assets.dedup();
        if assets.len() != self.coins.len() || self.coins.is_empty() {
            return invalid("mock exchange needs at least one coin and distinct asset indices".into());
        }
        Ok(())
    }
}

/// What the mock has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MockExchangeCounters {
    pub http_requests: u64,
    pub ws_connections: u64,
    pub subscriptions: u64,
    pub frames_replayed: u64,
    /// Replayed frames the engine's parser refused (they are still published).
    pub frames_unparsed: u64,
    /// `/exchange` bodies and `post` actions received.
    pub exchange_requests: u64,
    /// Bodies that could not be read (HTTP 422 / post `error`).
    pub malformed_requests: u64,
    /// Actions that passed signature, nonce and budget checks and were executed.
    pub actions_accepted: u64,
    /// Actions signed by an unknown address (or for an unknown vault).
    pub signature_failures: u64,
    pub nonce_rejects: u64,
    pub budget_rejects: u64,
    /// Orders (including a modify's new order) received in accepted actions.
    pub orders_received: u64,
    pub orders_rejected: u64,
    pub cancels: u64,
    pub modifies: u64,
    pub fills: u64,
    /// Fill messages sent (`userFills` and `user` frames each count, duplicates too).
    pub fill_messages_sent: u64,
    pub scheduled_cancels_fired: u64,
    pub posts_received: u64,
    pub posts_unanswered: u64,
    pub info_requests: u64,
    pub connections_dropped: u64,
}

/// State shared by the server thread and the handles.
struct Shared {
    venue: Mutex<Venue>,
    recording: MockRecording,
    replay_mode: ReplayMode,
    /// Wakes the timer after a request (it may have set a scheduled cancel).
    wake_timer: Notify,
    stop: watch::Sender<bool>,
}

/// A poisoned lock only means a thread panicked while holding it; a test then fails on its
/// own, and the state is still readable for its report.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A cloneable, thread-safe handle that reads the mock's record and injects faults.
#[derive(Clone)]
pub struct MockExchangeControl {
    shared: Arc<Shared>,
}

impl MockExchangeControl {
    fn venue(&self) -> MutexGuard<'_, Venue> {
        lock(&self.shared.venue)
    }

    /// Refuses the next `n` orders (a modify's new order included) with `text`, e.g.
    /// `"Insufficient margin to place order. asset=0"`.
    pub fn reject_next_orders(&self, n: u32, text: impl Into<String>) {
        self.venue().faults.reject_orders = (n > 0).then(|| (n, text.into()));
    }

    /// Sends every fill message (`userFills` and `user`) twice while `on`.
    pub fn duplicate_fill_messages(&self, on: bool) {
        self.venue().faults.duplicate_fill_messages = on;
    }

    /// Holds the next fill messages back and sends them after the fills that follow them.
    pub fn reorder_next_fill(&self) {
        self.venue().faults.reorder_next_fill = true;
    }

    /// Sends fill messages held back by [`Self::reorder_next_fill`] now.
    pub fn release_held_fills(&self) {
        self.venue().release_held_fills();
    }

    /// WebSocket posts get no answer until [`Self::answer_posts`]; with `execute`, their
    /// actions still take effect (the reply is lost), else they are dropped unread.
    pub fn stop_answering_posts(&self, execute: bool) {
        self.venue().faults.posts_unanswered = Some(execute);
    }

    pub fn answer_posts(&self) {
        self.venue().faults.posts_unanswered = None;
    }

    /// Cuts every WebSocket connection at once (no close frame); returns how many.
    pub fn drop_connections(&self) -> usize {
        let mut venue = self.venue();
        let dropped = venue.sessions.drop_all();
        venue.counters.connections_dropped += dropped as u64;
        dropped
    }

    /// Pays funding at `rate` (fraction of notional per period) on `coin`'s position at the
    /// current mid (a long pays a positive rate) and publishes it on `user`; the payment, or
    /// `None` for an unknown coin.
    pub fn inject_funding(&self, coin: &str, rate: f64) -> Option<f64> {
        self.venue().inject_funding(coin, rate)
    }

    /// Sets the request budget before volume (see [`MockExchangeConfig::request_budget`]).
    pub fn set_request_budget(&self, requests: u64) {
        self.venue().budget_base = requests;
    }

    /// Plays the next `n` frames of the recording now ([`ReplayMode::Manual`]); returns how
    /// many there were.
    pub fn advance_replay(&self, n: usize) -> usize {
        let mut venue = self.venue();
        let mut cursor = venue.manual_cursor;
        let frames = self.shared.recording.frames();
        let mut played = 0;
        while played < n && cursor < frames.len() {
            venue.play_frame(&frames[cursor]);
            cursor += 1;
            played += 1;
        }
        venue.manual_cursor = cursor;
        played
    }

    /// The mock's fill log, oldest first.
    pub fn fills(&self) -> Vec<MockFill> {
        self.venue().fills.clone()
    }

    /// The account's open orders, oldest first.
    pub fn open_orders(&self) -> Vec<MockOrder> {
        let venue = self.venue();
        let mut open: Vec<MockOrder> = venue.orders.values().filter(|o| o.is_open()).cloned().collect();
        open.sort_by_key(|o| o.oid);
        open
    }

    /// Order `oid`, open or finished.
    pub fn order(&self, oid: u64) -> Option<MockOrder> {
        self.venue().orders.get(&oid).cloned()
    }

    /// The position in `coin` (flat for an unknown coin).
    pub fn position(&self, coin: &str) -> MockPosition {
        let venue = self.venue();
        venue.coin_by_name(coin).map(|i| venue.coins[i].position).unwrap_or_default()
    }

    /// Requests counted against the address budget so far.
    pub fn requests_used(&self) -> u64 {
        self.venue().requests_used
    }

    /// PnL recomputed from the fill log, marked at the latest mids ([`PnlSummary`]).
    pub fn pnl(&self) -> PnlSummary {
        self.venue().pnl()
    }

    /// Mid of `coin`'s latest replayed book.
    pub fn mid(&self, coin: &str) -> Option<f64> {
        let venue = self.venue();
        venue.coin_by_name(coin).and_then(|i| venue.coins[i].mid())
    }

    /// WebSocket connections open now.
    pub fn clients_connected(&self) -> usize {
        self.venue().sessions.len()
    }

    pub fn counters(&self) -> MockExchangeCounters {
        self.venue().counters
    }
}

/// A running mock exchange. Dropping it stops it.
pub struct MockExchange {
    addr: SocketAddr,
    control: MockExchangeControl,
    thread: Option<JoinHandle<()>>,
}

impl MockExchange {
    /// Binds `config`'s loopback address and starts serving on a thread of its own.
    pub fn start(config: MockExchangeConfig) -> io::Result<Self> {
        config.validate()?;
        let listener = StdTcpListener::bind(config.bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let recording = config.recording.clone();
        let replay_mode = config.replay;
        let venue = Venue::new(config).map_err(|text| io::Error::new(io::ErrorKind::InvalidInput, text))?;
        let (stop, _) = watch::channel(false);
        let shared =
            Arc::new(Shared { venue: Mutex::new(venue), recording, replay_mode, wake_timer: Notify::new(), stop });
        let server_shared = Arc::clone(&shared);
        let (ready_tx, ready) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new().name(format!("mock-exchange-{}", addr.port())).spawn(move || {
            match tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build() {
                Ok(runtime) => {
                    let _ = ready_tx.send(Ok(()));
                    runtime.block_on(server::serve(listener, server_shared));
                }
                Err(err) => {
                    let _ = ready_tx.send(Err(err));
                }
            }
        })?;
        let started =
            ready.recv().unwrap_or_else(|_| Err(io::Error::other("mock exchange thread died while starting")));
        let exchange = Self { addr, control: MockExchangeControl { shared }, thread: Some(thread) };
        started.map(|()| exchange)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: `POST {http_url}/info`, `POST {http_url}/exchange`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://127.0.0.1:PORT/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub fn control(&self) -> MockExchangeControl {
        self.control.clone()
    }

    /// Closes every client, stops listening and joins the server thread. Idempotent.
    pub fn stop(&mut self) {
        self.control.shared.stop.send_replace(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for MockExchange {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::ops::Deref for MockExchange {
    type Target = MockExchangeControl;

    fn deref(&self) -> &MockExchangeControl {
        &self.control
    }
}
