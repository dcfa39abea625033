//! Test actors and message builders for the runtime's tests: this crate's unit tests and
//! its integration tests (`actors/tests/`, through the `testkit` feature). Not in release builds.
//!
//! `Script` is an actor whose behaviour is a pair of closures, so each test states exactly
//! what its actors do; `tag` reduces a message to what the tests compare.

use crate::control::{Command, CommandReply};
use crate::msg::{ActionMsg, Msg};
use crate::report::{ActorReport, FeedReport};
use crate::{Actor, ActorId, Outbox};
use engine::estimator::MarketParams;
use engine::market::{L2Book, Trade};
use engine::quote::construct::QuoteDecision;
use engine::quote::models::ModelInputs;
use engine::types::{Cloid, CoinId, Nanos, Price, Qty, Side, UnixNanos};
use engine::venue::OrderAction;

pub fn trade(coin: u8, tid: u64) -> Msg {
    Msg::Trade(Trade {
        coin: CoinId(coin),
        aggressor: Side::Bid,
        px: Price::from_f64(100.0),
        sz: Qty::from_f64(1.0),
        exchange_time: UnixNanos(tid),
        tid,
    })
}

/// A book whose `exchange_time` carries `seq`.
pub fn book(coin: u8, seq: u64) -> Msg {
    let mut b = L2Book::empty(CoinId(coin));
    b.exchange_time = UnixNanos(seq);
    Msg::Book(b)
}

/// Params whose `volatility.mid_samples` carries `seq`.
pub fn params(coin: u8, seq: u32) -> Msg {
    let mut p = MarketParams::cold(CoinId(coin), Price::from_f64(99.0), Price::from_f64(101.0), 100.0, 100.0);
    p.volatility.mid_samples = seq;
    Msg::Params(p)
}

/// A quote decision (lossy toward calibration) whose `inventory_lots` carries `seq`.
pub fn prediction(seq: u32) -> Msg {
    let inputs = ModelInputs {
        sigma_frac_per_sqrt_s: 0.0,
        kappa_per_frac: 0.0,
        a_per_s: 0.0,
        gamma_per_frac_lot: 0.0,
        inventory_lots: f64::from(seq),
        drift_frac_per_s: 0.0,
    };
    Msg::Decision(QuoteDecision::new(CoinId(0), "test", &inputs, 100.0))
}

pub fn actions() -> Msg {
    Msg::Action(ActionMsg { action: OrderAction::Cancel { coin: CoinId(0), cloid: Cloid(1) }, index: 0, batch_len: 1 })
}

/// What the tests compare of a message: (kind letter, coin, sequence number).
pub fn tag(msg: &Msg) -> (char, u8, u64) {
    match msg {
        Msg::Trade(t) => ('T', t.coin.0, t.tid),
        Msg::Book(b) => ('B', b.coin.0, b.exchange_time.0),
        Msg::Params(p) => ('P', p.coin.0, u64::from(p.volatility.mid_samples)),
        Msg::Decision(d) => ('L', d.coin.0, d.inventory_lots as u64),
        Msg::Action(a) => ('A', 0, u64::from(a.batch_len)),
        _ => ('?', 0, 0),
    }
}

type OnMsg = Box<dyn FnMut(Nanos, &Msg, &mut Outbox) + Send>;
/// Runs on a command; the command is answered `Done`.
type OnCommand = Box<dyn FnMut(&mut Outbox) + Send>;
/// Runs at a wake-up; returns the next wake-up wanted.
type OnWake = Box<dyn FnMut(Nanos, &mut Outbox) -> Option<Nanos> + Send>;

/// An actor made of closures; `report` gives the number of messages handled (as `trades`).
/// A command runs `on_command` and is answered `Done`, or `Unsupported` without one.
pub struct Script {
    id: ActorId,
    on_msg: OnMsg,
    on_wake: Option<OnWake>,
    on_command: Option<OnCommand>,
    next_wake: Option<Nanos>,
    handled: u64,
}

impl Script {
    pub fn new(id: ActorId, on_msg: impl FnMut(Nanos, &Msg, &mut Outbox) + Send + 'static) -> Self {
        Self { id, on_msg: Box::new(on_msg), on_wake: None, on_command: None, next_wake: None, handled: 0 }
    }

    /// An actor that ignores what it gets.
    pub fn idle(id: ActorId) -> Self {
        Self::new(id, |_, _, _| {})
    }

    pub fn commanded(mut self, on_command: impl FnMut(&mut Outbox) + Send + 'static) -> Self {
        self.on_command = Some(Box::new(on_command));
        self
    }

    /// Adds a timer, first due at `first`.
    pub fn waking(
        mut self,
        first: Nanos,
        on_wake: impl FnMut(Nanos, &mut Outbox) -> Option<Nanos> + Send + 'static,
    ) -> Self {
        self.on_wake = Some(Box::new(on_wake));
        self.next_wake = Some(first);
        self
    }

    pub fn boxed(self) -> Box<dyn Actor> {
        Box::new(self)
    }
}

/// The handled count an actor built from `Script` reports.
pub fn handled(report: &ActorReport) -> u64 {
    match report {
        ActorReport::Feed(f) => f.trades,
        other => panic!("not a Script report: {other:?}"),
    }
}

impl Actor for Script {
    fn id(&self) -> ActorId {
        self.id
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        self.handled += 1;
        (self.on_msg)(now, &msg, out);
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        self.next_wake
    }

    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        self.next_wake = self.on_wake.as_mut().and_then(|f| f(now, out));
    }

    fn on_command(&mut self, _now: Nanos, _command: &Command, out: &mut Outbox) -> CommandReply {
        match self.on_command.as_mut() {
            Some(f) => {
                f(out);
                CommandReply::Done
            }
            None => CommandReply::Unsupported,
        }
    }

    fn report(&self) -> ActorReport {
        ActorReport::Feed(FeedReport { trades: self.handled, ..FeedReport::default() })
    }
}
