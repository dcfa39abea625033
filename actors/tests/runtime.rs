//! The threaded runtime with small test actors: ordering, control priority, coalescing,
//! lossy drops, wait strategies, pinning, shutdown, layout errors and thread drivers.
//!
//! Each test is functional: the only time bounds are generous ones that a broken mechanism
//! (a missing unpark, control queued behind data, a stop that drains the backlog) misses by
//! an order of magnitude.

use actors::control::{Command, CommandReply};
use actors::msg::{ActionMsg, Msg};
use actors::runtime::{
    DriverHost, HostedDriver, LayoutError, RuntimeError, Slot, ThreadDriver, ThreadSpec, ThreadedRuntime, WaitStrategy,
};
use actors::testkit::{book, handled, prediction, tag, trade, Script};
use actors::ActorId;
use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use engine::risk::TradingState;
use engine::types::{Cloid, CoinId, Nanos};
use engine::venue::OrderAction;
use futures_util::future::LocalBoxFuture;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Test actors and messages

/// Sends every message it handles, tagged, to `log`.
fn recorder(id: ActorId, log: Sender<(char, u8, u64)>) -> Script {
    Script::new(id, move |_, msg, _| {
        let _ = log.send(tag(msg));
    })
}

/// Sleeps `per_message` in every handler call and counts the calls in `count`.
fn slow(id: ActorId, per_message: Duration, count: Arc<AtomicU64>) -> Script {
    Script::new(id, move |_, _, _| {
        std::thread::sleep(per_message);
        count.fetch_add(1, Ordering::Relaxed);
    })
}

fn thread(name: &str, actors: &[ActorId], wait: WaitStrategy) -> ThreadSpec {
    ThreadSpec { name: name.into(), actors: actors.to_vec(), core: None, wait }
}

fn command() -> Command {
    Command::SetTradingState { state: TradingState::Halted, reason: "test".into() }
}

const SECOND: Duration = Duration::from_secs(1);

fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    cond()
}

/// Receives exactly `n` items, or fails the test after `timeout`.
fn take<T>(rx: &Receiver<T>, n: usize, timeout: Duration) -> Vec<T> {
    let deadline = Instant::now() + timeout;
    (0..n).map(|i| rx.recv_deadline(deadline).unwrap_or_else(|_| panic!("only {i} of {n} arrived"))).collect()
}

fn ids_of(slots: &[Slot]) -> Vec<ActorId> {
    let mut ids: Vec<ActorId> = slots.iter().map(|s| s.actor.id()).collect();
    ids.sort();
    ids
}

// ---------------------------------------------------------------------------------------
// 1. Order

#[test]
fn messages_keep_send_order_in_thread_and_across_threads() {
    const BURSTS: u64 = 20;
    const PER_BURST: u64 = 50;
    const N: u64 = BURSTS * PER_BURST;
    let mut next = 0;
    // Feed sends trades 0..N to Estimator (same thread) and Quote (other thread), in bursts
    // with pumps between; Estimator relays each to Quote as coin 1.
    let feed = Script::idle(ActorId::Feed).waking(Nanos::ZERO, move |now, out| {
        for _ in 0..PER_BURST {
            out.send(ActorId::Estimator, trade(0, next));
            out.send(ActorId::Quote, trade(0, next));
            next += 1;
        }
        (next < N).then_some(now)
    });
    let (estimator_tx, estimator_rx) = unbounded();
    let estimator = Script::new(ActorId::Estimator, move |_, msg, out| {
        let _ = estimator_tx.send(tag(msg));
        out.send(ActorId::Quote, trade(1, tag(msg).2));
    });
    let (quote_tx, quote_rx) = unbounded();
    let actors = vec![feed.boxed(), estimator.boxed(), recorder(ActorId::Quote, quote_tx).boxed()];
    let layout = [
        thread("hot", &[ActorId::Feed, ActorId::Estimator], WaitStrategy::Yield),
        thread("cold", &[ActorId::Quote], WaitStrategy::Park),
    ];
    // A small channel: Feed and Estimator also stall on it, which must not reorder anything.
    let rt = ThreadedRuntime::start(actors, &layout, 16).unwrap();
    let at_quote = take(&quote_rx, 2 * N as usize, 5 * SECOND);
    let at_estimator = take(&estimator_rx, N as usize, SECOND);
    rt.stop();

    let in_order: Vec<_> = (0..N).map(|t| ('T', 0, t)).collect();
    assert_eq!(at_estimator, in_order, "in-thread queue");
    let from_feed: Vec<_> = at_quote.iter().copied().filter(|t| t.1 == 0).collect();
    assert_eq!(from_feed, in_order, "Feed → Quote across threads");
    let from_estimator: Vec<_> = at_quote.iter().filter(|t| t.1 == 1).map(|t| t.2).collect();
    assert_eq!(from_estimator, (0..N).collect::<Vec<_>>(), "Estimator → Quote across threads");
}

// ---------------------------------------------------------------------------------------
// 2. Control priority

#[test]
fn control_is_answered_ahead_of_a_data_backlog() {
    const BACKLOG: u64 = 500;
    const PER_MESSAGE: Duration = Duration::from_millis(2);
    let feed = Script::idle(ActorId::Feed).waking(Nanos::ZERO, |_, out| {
        for tid in 0..BACKLOG {
            out.send(ActorId::Risk, trade(0, tid));
        }
        None
    });
    let count = Arc::new(AtomicU64::new(0));
    let actors = vec![feed.boxed(), slow(ActorId::Risk, PER_MESSAGE, count.clone()).boxed()];
    let layout =
        [thread("src", &[ActorId::Feed], WaitStrategy::Park), thread("risk", &[ActorId::Risk], WaitStrategy::Park)];
    let rt = ThreadedRuntime::start(actors, &layout, 1024).unwrap();
    assert!(wait_until(SECOND, || count.load(Ordering::Relaxed) >= 1));

    // The backlog takes ~1 s to work off; each answer must come in a small part of that.
    let answer_within = Duration::from_millis(200);
    let t0 = Instant::now();
    let report = rt.report(ActorId::Risk, SECOND).expect("report answered");
    assert!(t0.elapsed() < answer_within, "report took {:?}", t0.elapsed());
    assert!((1..BACKLOG).contains(&handled(&report)), "answered mid-backlog: {report:?}");

    let t0 = Instant::now();
    let latency = rt.latency(ActorId::Risk, SECOND).expect("latency answered");
    assert!(t0.elapsed() < answer_within, "latency took {:?}", t0.elapsed());
    assert!((1..BACKLOG).contains(&latency.service.count), "{latency:?}");
    assert!(latency.service.p50_ns >= PER_MESSAGE.as_nanos() as u64, "service time is measured: {latency:?}");

    let t0 = Instant::now();
    assert_eq!(rt.command(ActorId::Risk, command(), SECOND), Some(CommandReply::Unsupported));
    assert!(t0.elapsed() < answer_within, "command took {:?}", t0.elapsed());
    assert!(count.load(Ordering::Relaxed) < BACKLOG, "the backlog was not drained to answer");

    assert_eq!(rt.report(ActorId::Order, SECOND), None, "no such actor: no answer, no hang");
    rt.stop();
}

// ---------------------------------------------------------------------------------------
// 3. Coalescing

#[test]
fn latest_value_streams_coalesce_behind_a_slow_consumer() {
    const BOOKS: u64 = 2000;
    let feed = Script::idle(ActorId::Feed).waking(Nanos::ZERO, |_, out| {
        for i in 1..=BOOKS {
            out.send(ActorId::Estimator, book(0, i));
            if i % 10 == 0 {
                out.send(ActorId::Estimator, book(1, i));
            }
            if i % 7 == 0 {
                out.send(ActorId::Estimator, trade(0, i));
            }
        }
        out.send(ActorId::Estimator, trade(9, 0));
        None
    });
    let (log_tx, log_rx) = unbounded();
    let estimator = Script::new(ActorId::Estimator, move |_, msg, _| {
        std::thread::sleep(Duration::from_micros(10));
        let _ = log_tx.send(tag(msg));
    });
    let layout = [
        thread("feed", &[ActorId::Feed], WaitStrategy::Park),
        thread("estimator", &[ActorId::Estimator], WaitStrategy::Park),
    ];
    let rt = ThreadedRuntime::start(vec![feed.boxed(), estimator.boxed()], &layout, 4096).unwrap();
    let mut log = Vec::new();
    while log.last() != Some(&('T', 9, 0)) {
        log.push(log_rx.recv_timeout(5 * SECOND).expect("the marker arrives"));
    }
    let counters = rt.counters().snapshot(ActorId::Estimator);
    rt.stop();

    let books_of = |coin| log.iter().filter(|t| t.0 == 'B' && t.1 == coin).map(|t| t.2).collect::<Vec<_>>();
    for (coin, sent) in [(0, BOOKS), (1, BOOKS / 10)] {
        let seen = books_of(coin);
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "coin {coin}: an older book after a newer one: {seen:?}");
        assert_eq!(seen.last(), Some(&BOOKS), "coin {coin}: the newest book is handled");
        assert!((seen.len() as u64) < sent, "coin {coin}: nothing coalesced");
    }
    let trades: Vec<u64> = log.iter().filter(|t| t.0 == 'T' && t.1 == 0).map(|t| t.2).collect();
    assert_eq!(trades, (1..=BOOKS).filter(|i| i % 7 == 0).collect::<Vec<_>>(), "reliable: none skipped");
    let books_handled = (books_of(0).len() + books_of(1).len()) as u64;
    assert!(counters.coalesced > 0);
    assert_eq!(counters.coalesced + books_handled, BOOKS + BOOKS / 10, "every book handled or counted");
    assert_eq!(counters.dropped, 0);
}

// ---------------------------------------------------------------------------------------
// 4. Lossy sends

#[test]
fn lossy_sends_to_a_stalled_consumer_are_dropped_and_never_block() {
    const SENT: u64 = 5000;
    let (flushed_tx, flushed_rx) = bounded(1);
    let mut round = 0;
    // First wake-up: SENT predictions; the second runs after they were all routed.
    let quote = Script::idle(ActorId::Quote)
        .waking(Nanos::ZERO, move |now, out| {
            round += 1;
            if round == 1 {
                for seq in 0..SENT {
                    out.send(ActorId::Calibration, prediction(seq as u32));
                }
                return Some(now);
            }
            let _ = flushed_tx.send(());
            None
        })
        .commanded(|out| out.send(ActorId::Calibration, trade(0, u64::MAX)));
    let (release_tx, release_rx) = bounded::<()>(1);
    let (done_tx, done_rx) = bounded(1);
    let mut received = 0u64;
    // Stalls in its first message until released; reports what it got at the marker.
    let calibration = Script::new(ActorId::Calibration, move |_, msg, _| match msg {
        Msg::Decision(_) => {
            if received == 0 {
                let _ = release_rx.recv_timeout(10 * SECOND);
            }
            received += 1;
        }
        _ => {
            let _ = done_tx.send(received);
        }
    });
    let layout = [
        thread("quote", &[ActorId::Quote], WaitStrategy::Yield),
        thread("calibration", &[ActorId::Calibration], WaitStrategy::Park),
    ];
    let rt = ThreadedRuntime::start(vec![quote.boxed(), calibration.boxed()], &layout, 8).unwrap();

    // The consumer is still stalled: a sender that blocked on it would never get here.
    flushed_rx.recv_timeout(2 * SECOND).expect("the sender finished while its consumer was stalled");
    let during = rt.counters().snapshot(ActorId::Calibration);
    assert_eq!(during.sent, SENT);
    assert!(during.dropped > 0, "{during:?}");
    assert_eq!(during.stalls, 0, "lossy sends never wait: {during:?}");

    release_tx.send(()).unwrap();
    assert_eq!(rt.command(ActorId::Quote, command(), SECOND), Some(CommandReply::Done));
    // The marker is reliable and FIFO behind the predictions: nothing is still queued now.
    let received = done_rx.recv_timeout(2 * SECOND).expect("the marker arrives");
    let after = rt.counters().snapshot(ActorId::Calibration);
    rt.stop();
    assert_eq!(after.sent, SENT + 1);
    assert_eq!(after.dropped, during.dropped, "no drops once the consumer is released");
    assert_eq!(received + after.dropped, SENT, "received + dropped + still queued (0) == sent");
}

// ---------------------------------------------------------------------------------------
// 5. Wait strategies, 6. pinning

/// Quote pings Risk `round_trips` times (one message in flight); returns the mean round
/// trip and the slots at stop.
fn ping_pong(quote: WaitStrategy, risk: WaitStrategy, core: Option<usize>, round_trips: u64) -> (Duration, Vec<Slot>) {
    let (done_tx, done_rx) = bounded(1);
    let start_ns = Arc::new(AtomicU64::new(0));
    let started = start_ns.clone();
    let pinger = Script::new(ActorId::Quote, move |now, msg, out| {
        let (_, _, seq) = tag(msg);
        if seq + 1 < round_trips {
            out.send(ActorId::Risk, trade(0, seq + 1));
        } else {
            let _ = done_tx.send(now.saturating_sub(Nanos(started.load(Ordering::Relaxed))));
        }
    })
    .waking(Nanos::ZERO, move |now, out| {
        start_ns.store(now.0, Ordering::Relaxed);
        out.send(ActorId::Risk, trade(0, 0));
        None
    });
    let mut expected = 0;
    let ponger = Script::new(ActorId::Risk, move |_, msg, out| {
        let (_, _, seq) = tag(msg);
        assert_eq!(seq, expected, "pings arrive in order");
        expected += 1;
        out.send(ActorId::Quote, msg.clone());
    });
    let layout = [
        ThreadSpec { core, ..thread("ping", &[ActorId::Quote], quote) },
        ThreadSpec { core, ..thread("pong", &[ActorId::Risk], risk) },
    ];
    let rt = ThreadedRuntime::start(vec![pinger.boxed(), ponger.boxed()], &layout, 64).unwrap();
    let total = done_rx.recv_timeout(10 * SECOND).unwrap_or_else(|_| panic!("{quote:?}/{risk:?}: no completion"));
    let slots = rt.stop();
    (Duration::from_nanos(total.0) / round_trips as u32, slots)
}

/// A parked hop that missed its unpark would wait the 50 ms park timeout.
const PARKED_MEAN_BOUND: Duration = Duration::from_millis(10);

#[test]
fn ping_pong_with_spin() {
    let (_, slots) = ping_pong(WaitStrategy::Spin, WaitStrategy::Spin, None, 100);
    assert_eq!(ids_of(&slots), [ActorId::Quote, ActorId::Risk]);
}

#[test]
fn ping_pong_with_yield() {
    let (_, slots) = ping_pong(WaitStrategy::Yield, WaitStrategy::Yield, None, 200);
    assert_eq!(ids_of(&slots), [ActorId::Quote, ActorId::Risk]);
}

#[test]
fn ping_pong_with_park_is_woken_by_sends() {
    let (mean, slots) = ping_pong(WaitStrategy::Park, WaitStrategy::Park, None, 200);
    assert!(mean < PARKED_MEAN_BOUND, "mean round trip {mean:?}");
    let risk = slots.iter().find(|s| s.actor.id() == ActorId::Risk).unwrap();
    assert_eq!(risk.latency.service_ns.len(), 200);
}

#[test]
fn parked_thread_is_woken_by_a_thread_of_another_strategy() {
    for (quote, risk) in [(WaitStrategy::Spin, WaitStrategy::Park), (WaitStrategy::Park, WaitStrategy::Yield)] {
        let (mean, _) = ping_pong(quote, risk, None, 100);
        assert!(mean < PARKED_MEAN_BOUND, "{quote:?}/{risk:?}: mean round trip {mean:?}");
    }
}

#[test]
fn parked_thread_wakes_for_its_timers_and_control() {
    const WAKEUPS: u32 = 20;
    const PERIOD: Nanos = Nanos::from_millis(1);
    let (done_tx, done_rx) = bounded(1);
    let mut fired = 0;
    let mut first = Nanos::ZERO;
    let timer = Script::idle(ActorId::Estimator).waking(Nanos::ZERO, move |now, _| {
        fired += 1;
        if fired == 1 {
            first = now;
        }
        if fired == WAKEUPS {
            let _ = done_tx.send(now.saturating_sub(first));
            return None;
        }
        Some(now + PERIOD)
    });
    let layout = [thread("timer", &[ActorId::Estimator], WaitStrategy::Park)];
    let rt = ThreadedRuntime::start(vec![timer.boxed()], &layout, 8).unwrap();
    let took = done_rx.recv_timeout(5 * SECOND).expect("timers fire");
    let mean = Duration::from_nanos(took.0) / (WAKEUPS - 1);
    assert!(mean < PARKED_MEAN_BOUND, "mean wake-up interval {mean:?} for a 1 ms timer");

    // Now idle and parked: a control request must unpark it.
    let t0 = Instant::now();
    for _ in 0..20 {
        assert!(rt.latency(ActorId::Estimator, SECOND).is_some());
    }
    let mean = t0.elapsed() / 20;
    assert!(mean < PARKED_MEAN_BOUND, "mean control round trip to a parked thread {mean:?}");
    rt.stop();
}

#[test]
fn pinning_to_a_missing_core_is_not_an_error() {
    let (_, slots) = ping_pong(WaitStrategy::Park, WaitStrategy::Park, Some(10_000), 10);
    assert_eq!(ids_of(&slots), [ActorId::Quote, ActorId::Risk]);
    assert!(slots.iter().all(|s| !s.latency.service_ns.is_empty()));
}

// ---------------------------------------------------------------------------------------
// 7. Shutdown

#[test]
fn stop_returns_every_actor_once_with_its_histograms() {
    const TRADES: u64 = 10;
    let feed = Script::idle(ActorId::Feed).waking(Nanos::ZERO, |_, out| {
        for tid in 0..TRADES {
            out.send(ActorId::Estimator, trade(0, tid));
        }
        None
    });
    let estimator = Script::new(ActorId::Estimator, |_, msg, out| {
        out.send(ActorId::Quote, msg.clone());
        out.send(ActorId::Order, msg.clone());
    });
    let order = Script::new(ActorId::Order, |_, _, out| {
        out.send(
            ActorId::Venue,
            Msg::Action(ActionMsg {
                action: OrderAction::Cancel { coin: CoinId(0), cloid: Cloid(1) },
                index: 0,
                batch_len: 1,
            }),
        )
    });
    let (venue_tx, venue_rx) = unbounded();
    let actors = vec![
        feed.boxed(),
        estimator.boxed(),
        Script::idle(ActorId::Quote).boxed(),
        order.boxed(),
        recorder(ActorId::Venue, venue_tx).boxed(),
        Script::idle(ActorId::Calibration).boxed(),
    ];
    let layout = [
        thread("hot", &[ActorId::Feed, ActorId::Estimator, ActorId::Quote], WaitStrategy::Park),
        thread("order", &[ActorId::Order], WaitStrategy::Park),
        thread("edge", &[ActorId::Venue, ActorId::Calibration], WaitStrategy::Park),
    ];
    let rt = ThreadedRuntime::start(actors, &layout, 64).unwrap();
    take(&venue_rx, TRADES as usize, 2 * SECOND);
    let order = rt.latency(ActorId::Order, SECOND).expect("order answers");
    assert_eq!(order.tick_to_order.map(|p| p.count), Some(TRADES), "{order:?}");
    let slots = rt.stop();

    use ActorId::*;
    assert_eq!(ids_of(&slots), [Venue, Feed, Estimator, Quote, Order, Calibration], "each actor exactly once");
    for slot in &slots {
        let services = slot.latency.service_ns.len();
        match slot.actor.id() {
            Calibration => assert_eq!(services, 0),
            Feed => assert_eq!(services, 1, "its one wake-up"),
            id => assert_eq!(services, TRADES, "{id}"),
        }
        let tick_to_order = slot.latency.tick_to_order_ns.len();
        assert_eq!(tick_to_order, if slot.actor.id() == Order { TRADES } else { 0 });
        assert_eq!(handled(&slot.actor.report()), if slot.actor.id() == Feed { 0 } else { services });
    }
}

#[test]
fn stop_is_prompt_behind_a_long_slow_backlog() {
    const BACKLOG: u64 = 2000;
    // More than the channel holds: Feed is also blocked in a reliable send when stop comes.
    let feed = Script::idle(ActorId::Feed).waking(Nanos::ZERO, |_, out| {
        for tid in 0..BACKLOG {
            out.send(ActorId::Risk, trade(0, tid));
        }
        None
    });
    let count = Arc::new(AtomicU64::new(0));
    let actors = vec![feed.boxed(), slow(ActorId::Risk, Duration::from_millis(2), count.clone()).boxed()];
    let layout =
        [thread("src", &[ActorId::Feed], WaitStrategy::Park), thread("risk", &[ActorId::Risk], WaitStrategy::Yield)];
    let rt = ThreadedRuntime::start(actors, &layout, 64).unwrap();
    assert!(wait_until(SECOND, || count.load(Ordering::Relaxed) >= 5));
    let counters = rt.counters().clone();
    assert!(counters.snapshot(ActorId::Risk).stalls > 0, "Feed waits for room");

    // Working the backlog off would take ~4 s, and the rest of one 256-message pump ~0.5 s.
    let t0 = Instant::now();
    let slots = rt.stop();
    let took = t0.elapsed();
    assert!(took < Duration::from_millis(200), "stop took {took:?}");
    assert_eq!(ids_of(&slots), [ActorId::Feed, ActorId::Risk]);
    let risk = slots.iter().find(|s| s.actor.id() == ActorId::Risk).unwrap();
    let handled_by_risk = handled(&risk.actor.report());
    assert!((5..BACKLOG / 2).contains(&handled_by_risk), "stopped mid-backlog: {handled_by_risk}");
    assert_eq!(risk.latency.service_ns.len(), handled_by_risk);
    // What Feed could not hand over after Risk's thread ended is counted, not lost silently.
    let c = counters.snapshot(ActorId::Risk);
    assert!(c.dropped > 0 && c.sent <= BACKLOG, "{c:?}");
}

// ---------------------------------------------------------------------------------------
// 8. Layout errors

/// Runtime threads (named `hq-<thread name>`) of this process whose name starts with `prefix`.
fn runtime_threads(prefix: &str) -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.starts_with(&format!("hq-{prefix}")))
        .count()
}

#[test]
fn layout_errors_are_reported_without_starting_threads() {
    use ActorId::{Feed, Quote};
    let two = || vec![Script::idle(Feed).boxed(), Script::idle(Quote).boxed()];
    let t = |name: &str, actors: &[ActorId]| thread(name, actors, WaitStrategy::Park);

    let missing = ThreadedRuntime::start(two(), &[t("lerr-a", &[Feed])], 8);
    assert!(matches!(missing, Err(RuntimeError::Layout(LayoutError::Missing(Quote)))), "{:?}", missing.err());

    let twice = ThreadedRuntime::start(two(), &[t("lerr-a", &[Feed, Quote]), t("lerr-b", &[Quote])], 8);
    assert!(matches!(twice, Err(RuntimeError::Layout(LayoutError::Duplicate(Quote)))), "{:?}", twice.err());

    let same_id = vec![Script::idle(Feed).boxed(), Script::idle(Feed).boxed()];
    let same = ThreadedRuntime::start(same_id, &[t("lerr-a", &[Feed])], 8);
    assert!(matches!(same, Err(RuntimeError::DuplicateActor(Feed))), "{:?}", same.err());

    let empty = ThreadedRuntime::start(two(), &[t("lerr-a", &[Feed, Quote]), t("lerr-b", &[])], 8);
    assert!(matches!(empty, Err(RuntimeError::Layout(LayoutError::EmptyThread(_)))), "{:?}", empty.err());

    // Used to panic inside std's thread spawn, after the first thread had started.
    let nul = ThreadedRuntime::start(two(), &[t("lerr-a", &[Feed]), t("lerr-\0b", &[Quote])], 8);
    assert!(matches!(nul, Err(RuntimeError::Layout(LayoutError::BadThreadName(_)))), "{:?}", nul.err());

    assert_eq!(runtime_threads("lerr-"), 0, "no runtime thread was left running");
}

// ---------------------------------------------------------------------------------------
// 10. Unhosted nodes

#[test]
fn message_to_a_node_nobody_hosts_is_dropped() {
    let feed = Script::idle(ActorId::Feed).waking(Nanos::ZERO, |_, out| {
        out.send(ActorId::Order, trade(0, 1));
        out.send(ActorId::Calibration, prediction(1));
        out.send(ActorId::Quote, trade(0, 2));
        None
    });
    let (quote_tx, quote_rx) = unbounded();
    // The layout names Calibration on Quote's thread, but no Calibration actor exists: the
    // message travels there and is dropped on arrival; Order is on no thread at all.
    let layout = [
        thread("feed", &[ActorId::Feed], WaitStrategy::Park),
        thread("quote", &[ActorId::Quote, ActorId::Calibration], WaitStrategy::Park),
    ];
    let rt =
        ThreadedRuntime::start(vec![feed.boxed(), recorder(ActorId::Quote, quote_tx).boxed()], &layout, 8).unwrap();
    assert_eq!(take(&quote_rx, 1, 2 * SECOND), [('T', 0, 2)]);
    for id in [ActorId::Order, ActorId::Calibration] {
        let c = rt.counters().snapshot(id);
        assert_eq!((c.sent, c.dropped), (1, 1), "{id}");
    }
    assert_eq!(rt.report(ActorId::Calibration, SECOND), None);
    assert_eq!(ids_of(&rt.stop()), [ActorId::Feed, ActorId::Quote]);
}

// ---------------------------------------------------------------------------------------
// 11. Thread drivers: a socket loop on an actor's thread

/// Reads one byte per message from a loopback TCP connection and delivers `trade(0, byte)`
/// to `to` on its own thread — the shape of the live feed, without the WebSocket.
struct ByteDriver {
    listener: std::net::TcpListener,
    to: ActorId,
}

impl ThreadDriver for ByteDriver {
    fn run<'h>(self: Box<Self>, host: &'h RefCell<DriverHost<'_>>) -> LocalBoxFuture<'h, ()> {
        Box::pin(async move {
            self.listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(self.listener).unwrap();
            let (stream, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 64];
            while !host.borrow().stopping() {
                // Look at the stop flag now and then, as a real socket loop does.
                let Ok(ready) = tokio::time::timeout(Duration::from_millis(20), stream.readable()).await else {
                    continue;
                };
                ready.unwrap();
                match stream.try_read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => {
                        let mut h = host.borrow_mut();
                        for &b in &buf[..n] {
                            h.inject(self.to, trade(0, u64::from(b)));
                        }
                        h.run_until_idle();
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => panic!("read: {e}"),
                }
            }
        })
    }
}

fn byte_driver(to: ActorId) -> (HostedDriver, std::net::SocketAddr) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    (HostedDriver { with: to, driver: Box::new(ByteDriver { listener, to }) }, addr)
}

#[test]
fn a_driver_delivers_on_its_actors_thread_and_the_thread_still_serves_peers_timers_and_control() {
    const PINGS: u64 = 50;
    // Feed, on the driven thread, logs which thread handled each byte and answers a ping
    // from Quote (on a parked thread); Estimator, beside Feed, runs a 1 ms timer.
    let (feed_tx, feed_rx) = unbounded();
    let feed = Script::new(ActorId::Feed, move |_, msg, out| {
        let (kind, _, seq) = tag(msg);
        let thread = std::thread::current().name().unwrap_or_default().to_string();
        let _ = feed_tx.send((kind, seq, thread));
        if seq >= 100 {
            out.send(ActorId::Quote, msg.clone());
        }
    });
    let (pong_tx, pong_rx) = unbounded();
    let quote = Script::new(ActorId::Quote, move |_, msg, out| {
        let (_, _, seq) = tag(msg);
        let _ = pong_tx.send(seq);
        if seq < 100 + PINGS {
            out.send(ActorId::Feed, trade(0, seq + 1));
        }
    })
    .waking(Nanos::ZERO, |_, out| {
        out.send(ActorId::Feed, trade(0, 100));
        None
    });
    let (tick_tx, tick_rx) = unbounded();
    let ticker = Script::idle(ActorId::Estimator).waking(Nanos::ZERO, move |now, _| {
        let _ = tick_tx.send(now);
        Some(now + Nanos::from_millis(1))
    });
    let layout = [
        thread("drv-feed", &[ActorId::Feed, ActorId::Estimator], WaitStrategy::Park),
        thread("drv-quote", &[ActorId::Quote], WaitStrategy::Park),
    ];
    let (driver, addr) = byte_driver(ActorId::Feed);
    let t0 = Instant::now();
    let rt = ThreadedRuntime::start_with_drivers(
        vec![feed.boxed(), quote.boxed(), ticker.boxed()],
        &layout,
        64,
        vec![driver],
    )
    .unwrap();

    // Peers: the ping-pong with the parked thread runs while the socket is still quiet.
    let pongs: Vec<u64> = (0..=PINGS).map(|_| pong_rx.recv_timeout(5 * SECOND).expect("pong")).collect();
    assert_eq!(pongs, (100..=100 + PINGS).collect::<Vec<_>>());
    let mean = t0.elapsed() / (PINGS as u32 + 1);
    assert!(mean < PARKED_MEAN_BOUND, "mean round trip to the driven thread {mean:?}");

    // The socket: every byte is handled, in order, by Feed on the driven thread.
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(&mut client, &(0u8..20).collect::<Vec<_>>()).unwrap();
    let mut from_socket = Vec::new();
    while from_socket.len() < 20 {
        let (kind, seq, thread) = feed_rx.recv_timeout(5 * SECOND).expect("socket bytes reach Feed");
        if seq < 100 {
            assert_eq!((kind, thread.as_str()), ('T', "hq-drv-feed"));
            from_socket.push(seq);
        }
    }
    assert_eq!(from_socket, (0..20).collect::<Vec<_>>());

    // Timers beside the driver fire on time, and control is answered, while the socket idles.
    let ticks: Vec<Nanos> = (0..20).map(|_| tick_rx.recv_timeout(5 * SECOND).expect("timer")).collect();
    let mean_tick = Duration::from_nanos(ticks[19].saturating_sub(ticks[0]).0) / 19;
    assert!(mean_tick < PARKED_MEAN_BOUND, "mean timer period {mean_tick:?} for 1 ms");
    let t1 = Instant::now();
    for _ in 0..20 {
        assert!(rt.latency(ActorId::Feed, SECOND).is_some());
    }
    assert!(t1.elapsed() / 20 < PARKED_MEAN_BOUND, "control round trip to the driven thread");

    // Stop returns although the driver's socket is open and silent.
    let t2 = Instant::now();
    let slots = rt.stop();
    assert!(t2.elapsed() < SECOND, "stop took {:?}", t2.elapsed());
    assert_eq!(ids_of(&slots), [ActorId::Feed, ActorId::Estimator, ActorId::Quote]);
    drop(client);
}

#[test]
fn drivers_need_a_host_and_several_can_share_a_thread() {
    let layout = [thread("drv-two", &[ActorId::Feed, ActorId::Quote], WaitStrategy::Park)];
    let actors = || vec![Script::idle(ActorId::Feed).boxed(), Script::idle(ActorId::Quote).boxed()];
    let unhosted = ThreadedRuntime::start_with_drivers(actors(), &layout, 8, vec![byte_driver(ActorId::Risk).0]);
    assert!(matches!(unhosted, Err(RuntimeError::DriverWithoutHost(ActorId::Risk))), "{:?}", unhosted.err());
    assert_eq!(runtime_threads("drv-two"), 0, "no runtime thread was left running");

    // Two sockets on one thread, each feeding its own actor.
    let (feed_tx, feed_rx) = unbounded();
    let (quote_tx, quote_rx) = unbounded();
    let actors = vec![recorder(ActorId::Feed, feed_tx).boxed(), recorder(ActorId::Quote, quote_tx).boxed()];
    let ((to_feed, feed_addr), (to_quote, quote_addr)) = (byte_driver(ActorId::Feed), byte_driver(ActorId::Quote));
    let rt = ThreadedRuntime::start_with_drivers(actors, &layout, 8, vec![to_feed, to_quote]).unwrap();
    let mut a = std::net::TcpStream::connect(feed_addr).unwrap();
    let mut b = std::net::TcpStream::connect(quote_addr).unwrap();
    std::io::Write::write_all(&mut a, &[1, 2, 3]).unwrap();
    std::io::Write::write_all(&mut b, &[7, 8]).unwrap();
    assert_eq!(take(&feed_rx, 3, 5 * SECOND), [('T', 0, 1), ('T', 0, 2), ('T', 0, 3)]);
    assert_eq!(take(&quote_rx, 2, 5 * SECOND), [('T', 0, 7), ('T', 0, 8)]);
    rt.stop();
}
