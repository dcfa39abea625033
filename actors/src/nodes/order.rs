//! OrderActor: reconciles each approved ladder with the live orders (keep / modify / cancel /
//! new) and sends the resulting batch to the venue (one action per message, see `ActionMsg`);
//! follows every order through its lifecycle and reports every order that ends without a fill
//! as a negative outcome (fills are FillActor's) — except one ended by a cancel that found
//! nothing (`CancelRejected`), which almost always raced a fill still on its way.
//!
//! Each coin has two records, on purpose: [`LiveOrders`], the view reconcile works on (which
//! order serves which level, the pending replacements), and [`CoinLifecycles`], the authority
//! on each order (which requests are unanswered, fills by trade id, the in-flight limit, ack
//! timeouts). Reconcile asks the lifecycles before each action (`reconcile_with`): an action
//! they refuse (in-flight limit, state) is not sent and is counted. Every venue event goes to
//! both; then the view follows the authority for the orders the event touched (an order the
//! lifecycle finished leaves the view; one it still holds alive but the view dropped, e.g. a
//! fill contradicting a reject, comes back so reconcile cancels or keeps it). Keeping the view
//! apart keeps reconcile a small pure function over 64 fixed slots and lets the lifecycle
//! remember finished orders (late and duplicate answers) without reconcile seeing them.
//!
//! Timers (`next_wakeup`/`on_wakeup`): the dead man's switch's refreshes, the lifecycles' ack
//! timeouts — each turns into an [`OrderAction::QueryStatus`] sent alone — and the retirement
//! of finished orders (memory stays bounded). Historical fills (`userFills` snapshot) of a
//! tracked order count like its fills (de-duplicated by trade id); funding is FillActor's.
//!
//! It also runs the dead man's switch ([`DeadMansSwitch`]), being the node that sends
//! actions: its wake-ups push the venue's scheduled cancel-all forward (a batch of one), it
//! reads the venue's answers, and on `Msg::Shutdown` (after the run's cancel-all) it clears
//! the schedule. A stalled OrderActor stops the refreshes, and the venue cancels everything.
//! After `Shutdown` no status query is sent any more.
//!
//! Every venue refusal of an order (`Rejected`, or a status answer saying so) is counted per
//! kind ([`RejectKind`]); the first [`LOGGED_REJECTS_PER_KIND`] of each kind are logged — at
//! error for the kinds that mean our own bug, warn for the others — and the rest only
//! counted, so a steady stream of post-only races never floods the log. The kinds that change
//! what may be quoted (rate limited, margin, our own bug) go on to RiskActor as
//! `Msg::VenueRefusal`, which acts on them; a duplicated answer is not passed on twice.

use crate::control::{Command, CommandReply, QuoteParamsChange};
use crate::msg::{ActionMsg, Msg, RequestsSent, VenueRefusal};
use crate::report::{ActorReport, CoinQuotes, OrderReport};
use crate::{Actor, ActorId, Outbox};
use arrayvec::ArrayVec;
use engine::calibration::{LevelPrediction, Outcome, OutcomeKind, PlacedPredictions, PredictionId, PLACED_PER_MESSAGE};
use engine::order::{
    reconcile_with, CoinLifecycles, DeadMansSwitch, EventOutcome, LifecycleConfig, LifecycleCounters, LifecycleState,
    LiveOrder, LiveOrders, OrderState, OrderStatusQuery, Refusal, RequoteTolerance, TrackedOrder,
    MAX_TRACKED_ORDERS_PER_COIN,
};
use engine::quote::{QuoteLevel, TargetLadder, MAX_LADDER_LEVELS};
use engine::risk::{RefusalClass, RejectKind};
use engine::types::{Cloid, CloidSequence, CoinId, Nanos, Side};
use engine::venue::{ActionBatch, OrderAction, RejectReason, VenueEvent, VenueOrderStatus, MAX_ACTIONS_PER_BATCH};

/// Refusals of each kind logged before the rest are only counted.
pub const LOGGED_REJECTS_PER_KIND: u64 = 3;

/// OrderActor's lifecycle settings unless [`OrderActor::with_lifecycle`] sets others: a
/// batch of modifies (two answers each) fits the in-flight limit, an action unanswered for
/// 2 s is asked about, a finished order is remembered 10 s for its late answers.
pub const DEFAULT_LIFECYCLE: LifecycleConfig = LifecycleConfig {
    max_in_flight_per_coin: 2 * MAX_ACTIONS_PER_BATCH,
    ack_timeout: Nanos::from_millis(2_000),
    finished_linger: Nanos::from_millis(10_000),
};

/// One coin's orders: the reconcile view and the lifecycles (see the module doc).
struct CoinOrders {
    live: LiveOrders,
    lifecycles: CoinLifecycles,
}

pub struct OrderActor {
    coins: Vec<CoinOrders>,
    tolerance: RequoteTolerance,
    cloids: CloidSequence,
    batch: ActionBatch,
    dead_mans_switch: DeadMansSwitch,
    report: OrderReport,
    /// The earliest lifecycle timer of any coin (ack timeout or retirement).
    lifecycle_wakeup: Option<Nanos>,
    shut_down: bool,
}

impl OrderActor {
    /// `session_prefix` makes this run's client order ids distinct from any other run's;
    /// `tolerance` leaves resting orders alone while their target moved less (validated) and
    /// says whether moved ones are modified. Lifecycles: [`DEFAULT_LIFECYCLE`].
    pub fn new(coin_count: usize, session_prefix: u64, tolerance: RequoteTolerance) -> Self {
        Self {
            coins: Self::coin_orders(coin_count, DEFAULT_LIFECYCLE),
            tolerance,
            cloids: CloidSequence::new(session_prefix),
            batch: ActionBatch::new(),
            dead_mans_switch: DeadMansSwitch::disabled(),
            report: OrderReport::default(),
            lifecycle_wakeup: None,
            shut_down: false,
        }
    }

    fn coin_orders(coin_count: usize, config: LifecycleConfig) -> Vec<CoinOrders> {
        (0..coin_count)
            .map(|i| CoinOrders {
                live: LiveOrders::default(),
                lifecycles: CoinLifecycles::new(CoinId(i as u8), config),
            })
            .collect()
    }

    /// Runs `switch` (off unless set here).
    pub fn with_dead_mans_switch(mut self, switch: DeadMansSwitch) -> Self {
        self.dead_mans_switch = switch;
        self
    }

    /// Uses `config` for every coin's lifecycles (in-flight limit, ack timeout, linger).
    /// Call before any order is sent: it starts the records afresh.
    pub fn with_lifecycle(mut self, config: LifecycleConfig) -> Self {
        self.coins = Self::coin_orders(self.coins.len(), config);
        self
    }

    fn live_count(&self) -> usize {
        self.coins.iter().map(|c| c.live.len()).sum()
    }

    /// Sends one action on its own (a batch of one).
    fn send_alone(action: OrderAction, out: &mut Outbox) {
        out.send(ActorId::Venue, Msg::Action(ActionMsg { action, index: 0, batch_len: 1 }));
    }

    /// An account-wide venue event: the dead man's switch's.
    fn on_account_event(&mut self, now: Nanos, event: &VenueEvent) {
        if let VenueEvent::ScheduleCancelFired { at, cancelled_orders } = event {
            tracing::warn!(
                at_unix_ns = at.0,
                cancelled_orders,
                "dead man's switch fired: the venue cancelled every order"
            );
        }
        self.dead_mans_switch.on_event(now, event);
    }

    fn on_approved(&mut self, now: Nanos, target: &TargetLadder, out: &mut Outbox) {
        let Some(coin) = self.coins.get_mut(target.coin.index()) else { return };
        self.batch.clear();
        let lifecycles = &mut coin.lifecycles;
        let (mut in_flight_refusals, mut other_refusals) = (0u64, 0u64);
        let mut predictions: ArrayVec<(Cloid, LevelPrediction), { 2 * MAX_LADDER_LEVELS }> = ArrayVec::new();
        let admit = |action: &OrderAction, level: Option<&QuoteLevel>| {
            let (recorded, new_cloid) = match *action {
                OrderAction::Place(req) => (lifecycles.place(now, &req), Some(req.cloid)),
                OrderAction::Cancel { cloid, .. } => (lifecycles.cancel(now, cloid), None),
                OrderAction::Modify { cloid, new, .. } => (lifecycles.replace(now, cloid, &new), Some(new.cloid)),
                OrderAction::ScheduleCancel { .. } | OrderAction::QueryStatus { .. } => (Ok(()), None),
            };
            match recorded {
                Ok(()) => {
                    // The level's predictions go with the new order's cloid.
                    if let (Some(cloid), Some(level)) = (new_cloid, level) {
                        if level.prediction.id != PredictionId::NONE {
                            let _ = predictions.try_push((cloid, level.prediction));
                        }
                    }
                    true
                }
                Err(Refusal::InFlightLimit) => {
                    in_flight_refusals += 1;
                    false
                }
                Err(_) => {
                    other_refusals += 1;
                    false
                }
            }
        };
        let stats = reconcile_with(&mut coin.live, target, &self.tolerance, &mut self.cloids, &mut self.batch, admit);
        let r = &mut self.report;
        r.kept += u64::from(stats.kept);
        r.modified += u64::from(stats.modified);
        r.cancelled += u64::from(stats.cancelled);
        r.placed += u64::from(stats.placed);
        r.deferred += u64::from(stats.deferred);
        r.refusals_in_flight += in_flight_refusals;
        r.refusals_other += other_refusals;
        if !self.batch.is_empty() {
            r.action_batches += 1;
            // The batch holds at most MAX_ACTIONS_PER_BATCH (32) actions: fits a u8.
            let batch_len = self.batch.len() as u8;
            for (index, action) in self.batch.iter().enumerate() {
                let msg = ActionMsg { action: *action, index: index as u8, batch_len };
                out.send(ActorId::Venue, Msg::Action(msg));
            }
            // Risk counts the address request budget exactly from what was sent; a modify
            // is an order request.
            let orders = (stats.placed + stats.modified) as u16;
            out.send(ActorId::Risk, Msg::RequestsSent(RequestsSent { orders, cancels: stats.cancelled as u16 }));
        }
        // One message per cycle (chunked): see `PlacedPredictions`.
        for chunk in predictions.chunks(PLACED_PER_MESSAGE) {
            let mut placed = PlacedPredictions::new(target.coin, now);
            placed.orders.extend(chunk.iter().copied());
            out.send(ActorId::Calibration, Msg::Predictions(placed));
        }
    }

    fn on_venue_event(&mut self, now: Nanos, event: VenueEvent, out: &mut Outbox) {
        let Some(coin) = event.coin() else {
            self.on_account_event(now, &event);
            return;
        };
        let Some(orders) = self.coins.get_mut(coin.index()) else {
            self.report.unknown_order_events += 1;
            return;
        };
        let r = &mut self.report;
        let mut refusal: Option<RejectReason> = None;
        let (cloid, view_event) = match event {
            // Funding is FillActor's.
            VenueEvent::Funding { .. } => return,
            VenueEvent::HistoricalFill(f) => {
                if orders.lifecycles.get(f.cloid).is_none() {
                    r.historical_fills_untracked += 1;
                    return;
                }
                r.historical_fills += 1;
                (f.cloid, VenueEvent::Fill(f))
            }
            VenueEvent::Rejected { cloid, reason, .. } => {
                refusal = Some(reason);
                (cloid, event)
            }
            VenueEvent::CancelRejected { cloid, .. } => {
                r.cancel_rejects += 1;
                (cloid, event)
            }
            VenueEvent::OrderStatus { cloid, .. } => {
                r.status_answers += 1;
                (cloid, event)
            }
            VenueEvent::Accepted { cloid, .. } | VenueEvent::Cancelled { cloid, .. } => (cloid, event),
            VenueEvent::Fill(f) => (f.cloid, event),
            VenueEvent::ScheduleCancelAccepted { .. }
            | VenueEvent::ScheduleCancelRejected { .. }
            | VenueEvent::ScheduleCancelFired { .. } => return,
        };
        // Each lookup scans the coin's table: one per order the event touches, before and after.
        let tracked = orders.lifecycles.get(cloid);
        let before = tracked.map(|o| o.state());
        // A modify's answer may also end the order it replaces.
        let replaced = tracked.and_then(|o| o.replaces);
        let before_replaced = replaced.and_then(|old| orders.lifecycles.state(old));
        let applied = orders.lifecycles.apply_venue_event(now, &event);
        match applied {
            EventOutcome::Applied => {}
            EventOutcome::Late => r.late_events += 1,
            EventOutcome::Duplicate => r.duplicate_events += 1,
            EventOutcome::Illegal => r.illegal_events += 1,
            EventOutcome::UnknownOrder => r.unknown_order_events += 1,
        }
        // A status answer reveals a refusal whose own answer never came: it counts once, when
        // it settles the order.
        if let VenueEvent::OrderStatus { status: VenueOrderStatus::Rejected(reason), .. } = event {
            if applied == EventOutcome::Applied {
                refusal = Some(reason);
            }
        }
        if let Some(reason) = refusal {
            note_reject(r, coin, cloid, &reason, applied != EventOutcome::Duplicate, out);
        }
        orders.live.apply(&view_event);
        // One lookup of each order the event touched (a finished one sits in the ring).
        let after = orders.lifecycles.get(cloid);
        sync_view(&mut orders.live, cloid, after);
        let gone = matches!(event, VenueEvent::CancelRejected { .. });
        report_end(coin, cloid, before, after, gone, now, out);
        if let Some(old) = after.and_then(|o| o.replaces).or(replaced) {
            let old_after = orders.lifecycles.get(old);
            sync_view(&mut orders.live, old, old_after);
            if replaced == Some(old) {
                report_end(coin, old, before_replaced, old_after, false, now, out);
            }
        }
    }

    fn refresh_lifecycle_wakeup(&mut self) {
        self.lifecycle_wakeup = self
            .coins
            .iter()
            .flat_map(|c| [c.lifecycles.next_timeout(), c.lifecycles.next_retirement()])
            .flatten()
            .min();
    }

    /// Ack timeouts become status queries (each sent alone); finished orders retire.
    fn on_lifecycle_timers(&mut self, now: Nanos, out: &mut Outbox) {
        for orders in &mut self.coins {
            let mut queries: ArrayVec<OrderStatusQuery, MAX_TRACKED_ORDERS_PER_COIN> = ArrayVec::new();
            orders.lifecycles.poll_timeouts(now, &mut queries);
            for q in queries {
                self.report.status_queries += 1;
                Self::send_alone(OrderAction::QueryStatus { coin: q.coin, cloid: q.cloid }, out);
            }
            self.report.retired += orders.lifecycles.retire_finished(now) as u64;
        }
    }
}

/// Tells CalibrationActor that `cloid` left the book, if this event ended it (`before` was
/// live, `after` is terminal): filled or not. Not for an unfilled order a cancel found
/// `gone`: that usually raced a fill still on its way (no verdict; the fill, if it comes,
/// tells CalibrationActor).
fn report_end(
    coin: CoinId,
    cloid: Cloid,
    before: Option<LifecycleState>,
    after: Option<&TrackedOrder>,
    gone: bool,
    now: Nanos,
    out: &mut Outbox,
) {
    let Some(order) = after.filter(|o| o.state().is_terminal() && before.is_some_and(|s| !s.is_terminal())) else {
        return;
    };
    let filled = !order.filled().is_zero();
    if filled || !gone {
        out.send(
            ActorId::Calibration,
            Msg::Outcome(Outcome { coin, cloid, kind: OutcomeKind::Ended { filled }, at: now }),
        );
    }
}

/// A coin's live orders per side and the innermost price of each side.
fn coin_quotes(live: &LiveOrders) -> CoinQuotes {
    let mut q = CoinQuotes::default();
    for order in live.iter() {
        let px = order.px.to_f64();
        match order.side {
            Side::Bid => {
                q.live_bids += 1;
                q.best_bid_px = Some(q.best_bid_px.map_or(px, |b| b.max(px)));
            }
            Side::Ask => {
                q.live_asks += 1;
                q.best_ask_px = Some(q.best_ask_px.map_or(px, |a| a.min(px)));
            }
        }
    }
    q
}

/// Counts a venue refusal by kind, logs the first few of its kind, and passes the kinds the
/// risk gate acts on to RiskActor (unless `to_risk` is false: a duplicated answer).
fn note_reject(
    r: &mut OrderReport,
    coin: CoinId,
    cloid: Cloid,
    reason: &RejectReason,
    to_risk: bool,
    out: &mut Outbox,
) {
    let kind = RejectKind::of(reason);
    r.rejects += 1;
    let nth = r.rejects_by.add(kind);
    if let RejectReason::Unknown(text) = reason {
        r.last_unknown_reject = Some(*text);
    }
    if nth <= LOGGED_REJECTS_PER_KIND {
        let last = if nth == LOGGED_REJECTS_PER_KIND { "; further ones of this kind are only counted" } else { "" };
        if kind.class() == RefusalClass::OurBug {
            tracing::error!(
                coin = coin.0,
                cloid = %cloid,
                kind = kind.name(),
                nth,
                reason = ?reason,
                "venue refused an order the engine built wrong{last}"
            );
        } else {
            tracing::warn!(coin = coin.0, cloid = %cloid, kind = kind.name(), nth, reason = ?reason, "venue refused an order{last}");
        }
    }
    if to_risk && kind.reaches_risk() {
        out.send(ActorId::Risk, Msg::VenueRefusal(VenueRefusal { coin, kind }));
    }
}

/// Makes the view follow the lifecycle's `order` (`None`: forgotten) for `cloid`: finished
/// (or forgotten) orders leave it, an order still alive that the view dropped comes back.
fn sync_view(live: &mut LiveOrders, cloid: Cloid, order: Option<&TrackedOrder>) {
    let Some(order) = order else {
        live.forget(cloid);
        return;
    };
    let state = order.state();
    if state.is_terminal() {
        live.forget(cloid);
        return;
    }
    if live.get(cloid).is_none() {
        let state = match state {
            LifecycleState::PendingNew => OrderState::PendingNew,
            LifecycleState::Open | LifecycleState::PartiallyFilled => OrderState::Open,
            _ => OrderState::PendingCancel,
        };
        let view = LiveOrder { cloid, side: order.side, px: order.px, remaining: order.remaining(), state };
        live.restore(view);
    }
}

impl Actor for OrderActor {
    fn id(&self) -> ActorId {
        ActorId::Order
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        match msg {
            Msg::Approved(target) => {
                self.on_approved(now, &target, out);
                self.refresh_lifecycle_wakeup();
            }
            Msg::Venue(event) => {
                self.on_venue_event(now, event, out);
                self.refresh_lifecycle_wakeup();
            }
            Msg::Shutdown => {
                self.shut_down = true;
                if let Some(action) = self.dead_mans_switch.on_shutdown(self.live_count()) {
                    Self::send_alone(action, out);
                }
            }
            _ => {}
        }
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        let lifecycle = if self.shut_down { None } else { self.lifecycle_wakeup };
        [self.dead_mans_switch.next_wakeup(), lifecycle].into_iter().flatten().min()
    }

    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        if let Some(action) = self.dead_mans_switch.poll(now) {
            Self::send_alone(action, out);
        }
        if !self.shut_down && self.lifecycle_wakeup.is_some_and(|t| t <= now) {
            self.on_lifecycle_timers(now, out);
            self.refresh_lifecycle_wakeup();
        }
    }

    /// Takes the requote tolerance of a quote-parameter change; the rest is QuoteActor's.
    fn on_command(&mut self, _now: Nanos, command: &Command, _out: &mut Outbox) -> CommandReply {
        let Command::SetQuoteParams(QuoteParamsChange { requote_tolerance_bps: Some(bps), .. }) = command else {
            return CommandReply::Unsupported;
        };
        let next = RequoteTolerance { price_bps: *bps, ..self.tolerance };
        match next.validate() {
            Ok(()) => {
                self.tolerance = next;
                CommandReply::Done
            }
            Err(e) => CommandReply::Refused(format!("quote.requote_tolerance: {e}")),
        }
    }

    fn report(&self) -> ActorReport {
        let mut lifecycle = LifecycleCounters::default();
        for c in &self.coins {
            lifecycle.add(c.lifecycles.counters());
        }
        ActorReport::Order(OrderReport {
            live_orders: self.live_count(),
            quotes: self.coins.iter().map(|c| coin_quotes(&c.live)).collect(),
            dead_mans_switch: self.dead_mans_switch.report(),
            tracked_orders: self.coins.iter().map(|c| c.lifecycles.len()).sum(),
            in_flight: self.coins.iter().map(|c| c.lifecycles.in_flight()).sum(),
            lifecycle,
            ..self.report.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::order::{DeadMansSwitchConfig, SwitchPhase};
    use engine::quote::{QuoteLevel, TargetLadder};
    use engine::types::{CoinId, Price, Qty, UnixNanos};

    const SEC: u64 = 1_000_000_000;
    const VENUE_AT_ZERO: UnixNanos = UnixNanos(1_767_225_600 * SEC);

    fn actor() -> OrderActor {
        let config = DeadMansSwitchConfig { enabled: true, lead_s: 10.0, refresh_s: 3.0 };
        let switch = DeadMansSwitch::new(&config, VENUE_AT_ZERO).unwrap();
        OrderActor::new(1, 7, RequoteTolerance::default()).with_dead_mans_switch(switch)
    }

    fn actions(out: &mut Outbox) -> Vec<ActionMsg> {
        let items = out.take();
        items.into_iter().filter_map(|o| if let Msg::Action(a) = o.msg { Some(a) } else { None }).collect()
    }

    fn schedule(at: Option<UnixNanos>) -> ActionMsg {
        ActionMsg { action: OrderAction::ScheduleCancel { at }, index: 0, batch_len: 1 }
    }

    fn dms(actor: &OrderActor) -> engine::order::DeadMansSwitchReport {
        match actor.report() {
            ActorReport::Order(r) => r.dead_mans_switch,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wakeups_send_the_schedule_alone_and_push_it_forward() {
        let mut order = actor();
        let mut out = Outbox::default();
        assert_eq!(order.next_wakeup(), Some(Nanos::ZERO));
        order.on_wakeup(Nanos::ZERO, &mut out);
        assert_eq!(actions(&mut out), vec![schedule(Some(UnixNanos(VENUE_AT_ZERO.0 + 10 * SEC)))]);
        assert_eq!(order.next_wakeup(), Some(Nanos(3 * SEC)));
        order.on_wakeup(Nanos(3 * SEC), &mut out);
        assert_eq!(actions(&mut out), vec![schedule(Some(UnixNanos(VENUE_AT_ZERO.0 + 13 * SEC)))]);
        let r = dms(&order);
        assert_eq!((r.refreshes_sent, r.phase), (2, SwitchPhase::Running));
    }

    #[test]
    fn venue_answers_reach_the_switch_not_the_order_books() {
        let mut order = actor();
        let mut out = Outbox::default();
        let at = UnixNanos(VENUE_AT_ZERO.0 + 10 * SEC);
        order.handle(Nanos(1), Msg::Venue(VenueEvent::ScheduleCancelAccepted { at: Some(at) }), &mut out);
        order.handle(Nanos(2), Msg::Venue(VenueEvent::ScheduleCancelFired { at, cancelled_orders: 4 }), &mut out);
        let ActorReport::Order(r) = order.report() else { unreachable!() };
        assert_eq!(r.unknown_order_events, 0);
        assert_eq!((r.dead_mans_switch.fired, r.dead_mans_switch.fired_cancelled_orders), (1, 4));
        assert_eq!(order.next_wakeup(), Some(Nanos(2)), "re-arms at once");
    }

    #[test]
    fn shutdown_clears_the_schedule_only_once_no_order_is_live() {
        // No order live: the clear goes out, and the venue's confirmation settles the switch.
        let mut order = actor();
        let mut out = Outbox::default();
        order.on_wakeup(Nanos::ZERO, &mut out);
        out.take();
        order.handle(Nanos(SEC), Msg::Shutdown, &mut out);
        assert_eq!(actions(&mut out), vec![schedule(None)]);
        assert_eq!(order.next_wakeup(), None);
        assert!(!dms(&order).is_settled());
        order.handle(Nanos(SEC + 1), Msg::Venue(VenueEvent::ScheduleCancelAccepted { at: None }), &mut out);
        assert_eq!(dms(&order).phase, SwitchPhase::Cleared);

        // An order still live: the schedule stays, to cancel it at T.
        let mut order = actor();
        order.on_wakeup(Nanos::ZERO, &mut out);
        let mut ladder = TargetLadder::empty(CoinId(0));
        ladder.bids.push(QuoteLevel::new(Price::from_f64(100.0), Qty::from_f64(1.0)));
        order.handle(Nanos(1), Msg::Approved(ladder), &mut out);
        assert_eq!(actions(&mut out).len(), 2, "the schedule and the order");
        order.handle(Nanos(SEC), Msg::Shutdown, &mut out);
        assert!(actions(&mut out).is_empty());
        assert_eq!(dms(&order).phase, SwitchPhase::LeftArmed);
        assert_eq!(order.next_wakeup(), None);
    }

    // --- lifecycle scenarios (no dead man's switch) ---

    const C: CoinId = CoinId(0);

    /// Bids at `levels`, each predicted under the id (decision = its price, bid, level).
    fn bids(levels: &[f64]) -> Msg {
        let mut ladder = TargetLadder::empty(C);
        for (i, px) in levels.iter().enumerate() {
            let mut level = QuoteLevel::new(Price::from_f64(*px), Qty::from_f64(1.0));
            level.prediction.id = PredictionId::new(*px as u64, engine::types::Side::Bid, i);
            ladder.bids.push(level);
        }
        Msg::Approved(ladder)
    }

    #[test]
    fn each_placed_or_modified_order_takes_its_levels_prediction_to_calibration() {
        let mut actor = OrderActor::new(1, 7, RequoteTolerance::default());
        let mut out = Outbox::default();
        actor.handle(Nanos(1), bids(&[100.0]), &mut out);
        let s = sent(&mut out);
        let [OrderAction::Place(req)] = s.actions[..] else { panic!("{s:?}") };
        let [placed] = s.predictions[..] else { panic!("{s:?}") };
        assert_eq!((placed.cloid, placed.placed_at), (req.cloid, Nanos(1)));
        assert_eq!(placed.prediction.id, PredictionId::new(100, engine::types::Side::Bid, 0));
        venue(&mut actor, 2, VenueEvent::Accepted { coin: C, cloid: req.cloid }, &mut out);
        let (old, new) = moved(&mut actor, &mut out);
        assert_eq!(old, req.cloid);
        venue(&mut actor, 4, VenueEvent::Cancelled { coin: C, cloid: old }, &mut out);
        venue(&mut actor, 4, VenueEvent::Accepted { coin: C, cloid: new }, &mut out);
        // The modified order ended unfilled (a negative outcome); the kept one predicts nothing new.
        assert_eq!(sent(&mut out).unfilled, vec![old]);
        actor.handle(Nanos(5), bids(&[99.0]), &mut out);
        let s = sent(&mut out);
        assert!(s.actions.is_empty() && s.predictions.is_empty(), "{s:?}");
        // A level without predictions (id NONE) sends an order and no prediction.
        let mut ladder = TargetLadder::empty(C);
        ladder.bids.push(QuoteLevel::new(Price::from_f64(99.0), Qty::from_f64(1.0)));
        ladder.bids.push(QuoteLevel::new(Price::from_f64(98.0), Qty::from_f64(1.0)));
        actor.handle(Nanos(6), Msg::Approved(ladder), &mut out);
        let s = sent(&mut out);
        assert_eq!((s.actions.len(), s.predictions.len()), (1, 0), "{s:?}");
    }

    fn report(actor: &OrderActor) -> OrderReport {
        match actor.report() {
            ActorReport::Order(r) => r,
            other => panic!("{other:?}"),
        }
    }

    /// Everything sent: actions, requests told to Risk, outcomes told to Calibration.
    #[derive(Default, Debug)]
    struct Sent {
        actions: Vec<OrderAction>,
        requests: Vec<(u16, u16)>,
        unfilled: Vec<Cloid>,
        filled: Vec<Cloid>,
        predictions: Vec<engine::calibration::PlacedPrediction>,
        refusals: Vec<VenueRefusal>,
    }

    fn sent(out: &mut Outbox) -> Sent {
        let mut s = Sent::default();
        for o in out.take() {
            match o.msg {
                Msg::Action(a) => s.actions.push(a.action),
                Msg::RequestsSent(r) => s.requests.push((r.orders, r.cancels)),
                Msg::VenueRefusal(r) => s.refusals.push(r),
                Msg::Outcome(Outcome { cloid, kind: OutcomeKind::Ended { filled }, .. }) => {
                    if filled {
                        s.filled.push(cloid);
                    } else {
                        s.unfilled.push(cloid);
                    }
                }
                Msg::Predictions(p) => s.predictions.extend(p.iter()),
                _ => {}
            }
        }
        s
    }

    fn venue(actor: &mut OrderActor, at: u64, event: VenueEvent, out: &mut Outbox) {
        actor.handle(Nanos(at), Msg::Venue(event), out);
    }

    fn fill(cloid: Cloid, tid: u64, qty: f64, remaining: f64) -> engine::venue::FillReport {
        engine::venue::FillReport {
            coin: C,
            cloid,
            side: engine::types::Side::Bid,
            px: Price::from_f64(100.0),
            qty: Qty::from_f64(qty),
            remaining: Qty::from_f64(remaining),
            fee_usd: 0.0,
            liquidity: engine::venue::Liquidity::Maker,
            exchange_time: UnixNanos(0),
            tid,
        }
    }

    /// One bid resting at 100 (placed and acknowledged); its cloid.
    fn resting_bid(actor: &mut OrderActor, out: &mut Outbox) -> Cloid {
        actor.handle(Nanos(1), bids(&[100.0]), out);
        let s = sent(out);
        let [OrderAction::Place(req)] = s.actions[..] else { panic!("{s:?}") };
        assert_eq!(s.requests, vec![(1, 0)]);
        venue(actor, 2, VenueEvent::Accepted { coin: C, cloid: req.cloid }, out);
        req.cloid
    }

    /// The bid moved to 99: the modify sent, its level's prediction with the new cloid;
    /// (old, new).
    fn moved(actor: &mut OrderActor, out: &mut Outbox) -> (Cloid, Cloid) {
        actor.handle(Nanos(3), bids(&[99.0]), out);
        let s = sent(out);
        let [OrderAction::Modify { cloid, new, .. }] = s.actions[..] else { panic!("{s:?}") };
        assert_eq!(s.requests, vec![(1, 0)], "a modify is an order request");
        assert_eq!(s.predictions.iter().map(|p| p.cloid).collect::<Vec<_>>(), vec![new.cloid]);
        (cloid, new.cloid)
    }

    #[test]
    fn a_modify_answered_in_every_order_leaves_one_order_and_nothing_in_flight() {
        use engine::venue::RejectReason;
        type Script = fn(Cloid, Cloid) -> Vec<VenueEvent>;
        let accepted: Script =
            |o, n| vec![VenueEvent::Cancelled { coin: C, cloid: o }, VenueEvent::Accepted { coin: C, cloid: n }];
        let accepted_first: Script =
            |o, n| vec![VenueEvent::Accepted { coin: C, cloid: n }, VenueEvent::Cancelled { coin: C, cloid: o }];
        let gone: Script = |o, n| {
            vec![
                VenueEvent::Fill(fill(o, 1, 1.0, 0.0)),
                VenueEvent::CancelRejected { coin: C, cloid: o },
                VenueEvent::Rejected { coin: C, cloid: n, reason: RejectReason::OrderGone },
            ]
        };
        let gone_fill_last: Script = |o, n| {
            vec![
                VenueEvent::Rejected { coin: C, cloid: n, reason: RejectReason::OrderGone },
                VenueEvent::CancelRejected { coin: C, cloid: o },
                VenueEvent::Fill(fill(o, 1, 1.0, 0.0)),
            ]
        };
        let refused: Script =
            |_, n| vec![VenueEvent::Rejected { coin: C, cloid: n, reason: RejectReason::RateLimited }];
        // (script, live orders after, which cloids end unfilled)
        type Unfilled = fn(Cloid, Cloid) -> Vec<Cloid>;
        let cases: [(Script, usize, Unfilled); 5] = [
            (accepted, 1, |o, _| vec![o]),
            (accepted_first, 1, |o, _| vec![o]),
            (gone, 0, |_, n| vec![n]),
            (gone_fill_last, 0, |_, n| vec![n]),
            (refused, 1, |_, n| vec![n]),
        ];
        for (script, live_after, unfilled) in cases {
            let mut actor = OrderActor::new(1, 7, RequoteTolerance::default());
            let mut out = Outbox::default();
            resting_bid(&mut actor, &mut out);
            let (old, new) = moved(&mut actor, &mut out);
            assert_eq!(report(&actor).in_flight, 2);
            for (k, e) in script(old, new).into_iter().enumerate() {
                venue(&mut actor, 4 + k as u64, e, &mut out);
            }
            let r = report(&actor);
            assert_eq!((r.live_orders, r.in_flight, r.modified), (live_after, 0, 1), "{:?}", script(old, new));
            assert_eq!(sent(&mut out).unfilled, unfilled(old, new), "{:?}", script(old, new));
            // The next cycle at the same target sends nothing, or places the level anew if
            // nothing rests; a refused modify is retried.
            actor.handle(Nanos(20), bids(&[99.0]), &mut out);
            let n = sent(&mut out).actions.len();
            assert_eq!(n, usize::from(live_after == 0 || script(old, new).len() == 1), "{:?}", script(old, new));
        }
    }

    #[test]
    fn an_unanswered_action_is_queried_after_the_timeout_and_the_answer_settles_it() {
        use engine::venue::VenueOrderStatus;
        let two_s = Nanos::from_millis(2_000);
        for (status, live_after, unfilled) in [
            (VenueOrderStatus::Filled, 0, 0),
            (VenueOrderStatus::Cancelled, 0, 1),
            (VenueOrderStatus::Unknown, 0, 1),
            (VenueOrderStatus::Open, 1, 0),
        ] {
            let mut actor = OrderActor::new(1, 7, RequoteTolerance::default());
            let mut out = Outbox::default();
            actor.handle(Nanos(1), bids(&[100.0]), &mut out);
            let [OrderAction::Place(req)] = sent(&mut out).actions[..] else { panic!() };
            assert_eq!(actor.next_wakeup(), Some(Nanos(1) + two_s));
            actor.on_wakeup(Nanos(1) + two_s, &mut out);
            let query = OrderAction::QueryStatus { coin: C, cloid: req.cloid };
            assert_eq!(actions(&mut out), vec![ActionMsg { action: query, index: 0, batch_len: 1 }], "sent alone");
            venue(&mut actor, 3 * SEC, VenueEvent::OrderStatus { coin: C, cloid: req.cloid, status }, &mut out);
            let r = report(&actor);
            assert_eq!((r.status_queries, r.status_answers, r.live_orders, r.in_flight), (1, 1, live_after, 0));
            assert_eq!(sent(&mut out).unfilled.len(), unfilled, "{status:?}");
            // Answered: no more queries, only the retirement of a finished order.
            let next = actor.next_wakeup();
            assert!(next.is_none_or(|t| t >= Nanos(3 * SEC) + Nanos::from_millis(10_000)), "{status:?}: {next:?}");
        }
    }

    #[test]
    fn the_in_flight_limit_refuses_actions_which_are_not_sent() {
        let config = LifecycleConfig { max_in_flight_per_coin: 2, ..DEFAULT_LIFECYCLE };
        let mut actor = OrderActor::new(1, 7, RequoteTolerance::default()).with_lifecycle(config);
        let mut out = Outbox::default();
        actor.handle(Nanos(1), bids(&[100.0, 99.0, 98.0]), &mut out);
        let s = sent(&mut out);
        assert_eq!((s.actions.len(), s.requests.clone()), (2, vec![(2, 0)]));
        let r = report(&actor);
        assert_eq!((r.placed, r.refusals_in_flight, r.lifecycle.refusals_in_flight, r.live_orders), (2, 1, 1, 2));
        for a in &s.actions {
            let OrderAction::Place(req) = a else { panic!() };
            venue(&mut actor, 2, VenueEvent::Accepted { coin: C, cloid: req.cloid }, &mut out);
        }
        actor.handle(Nanos(3), bids(&[100.0, 99.0, 98.0]), &mut out);
        assert_eq!(sent(&mut out).actions.len(), 1, "the refused level is placed once there is room");
    }

    #[test]
    fn historical_fills_count_once_for_tracked_orders_and_funding_is_ignored() {
        let mut actor = OrderActor::new(1, 7, RequoteTolerance::default());
        let mut out = Outbox::default();
        let cloid = resting_bid(&mut actor, &mut out);
        venue(&mut actor, 3, VenueEvent::Fill(fill(cloid, 5, 0.4, 0.6)), &mut out);
        venue(&mut actor, 4, VenueEvent::HistoricalFill(fill(cloid, 5, 0.4, 0.6)), &mut out);
        let r = report(&actor);
        assert_eq!((r.historical_fills, r.duplicate_events, r.live_orders), (1, 1, 1));
        venue(&mut actor, 5, VenueEvent::HistoricalFill(fill(Cloid(42), 6, 1.0, 0.0)), &mut out);
        let funding = VenueEvent::Funding { coin: C, payment_usd: -1.0, exchange_time: UnixNanos(0) };
        venue(&mut actor, 6, funding, &mut out);
        assert_eq!((report(&actor).historical_fills_untracked, report(&actor).unknown_order_events), (1, 0));
        // A historical fill never seen live completes the order.
        venue(&mut actor, 7, VenueEvent::HistoricalFill(fill(cloid, 7, 0.6, 0.0)), &mut out);
        let r = report(&actor);
        assert_eq!((r.live_orders, r.tracked_orders), (0, 1));
        let s = sent(&mut out);
        assert!(s.unfilled.is_empty(), "a filled order is no negative outcome");
        assert_eq!(s.filled, vec![cloid], "a filled order is a positive outcome");
        // The finished order is retired on the timer.
        let retire_at = actor.next_wakeup().unwrap();
        assert_eq!(retire_at, Nanos(7) + DEFAULT_LIFECYCLE.finished_linger);
        actor.on_wakeup(retire_at, &mut out);
        let r = report(&actor);
        assert_eq!((r.tracked_orders, r.retired), (0, 1));
        assert_eq!(actor.next_wakeup(), None);
    }

    #[test]
    fn rejects_are_counted_per_kind_and_the_acted_on_kinds_reach_risk_once() {
        use engine::venue::{RejectReason, RejectText, VenueOrderStatus};
        let mut actor = OrderActor::new(1, 7, RequoteTolerance::default());
        let mut out = Outbox::default();
        let mut reject = |actor: &mut OrderActor, at: u64, reason: RejectReason| {
            actor.handle(Nanos(at), bids(&[100.0 - at as f64]), &mut out);
            let s = sent(&mut out);
            let Some(OrderAction::Place(req)) = s.actions.last().copied() else { panic!("{s:?}") };
            let event = VenueEvent::Rejected { coin: C, cloid: req.cloid, reason };
            venue(actor, at, event, &mut out);
            // The same answer twice (WebSocket and REST): counted, not passed on again.
            venue(actor, at, event, &mut out);
            (req.cloid, sent(&mut out).refusals)
        };
        let (_, to_risk) = reject(&mut actor, 1, RejectReason::RateLimited);
        assert_eq!(to_risk, vec![VenueRefusal { coin: C, kind: RejectKind::RateLimited }]);
        let (_, to_risk) = reject(&mut actor, 2, RejectReason::BadTick);
        assert_eq!(to_risk, vec![VenueRefusal { coin: C, kind: RejectKind::BadTick }]);
        let (_, to_risk) = reject(&mut actor, 3, RejectReason::PostOnlyWouldMatch);
        assert!(to_risk.is_empty(), "a race stays with OrderActor");
        let (_, to_risk) = reject(&mut actor, 4, RejectReason::Unknown(RejectText::truncated("Something new.")));
        assert!(to_risk.is_empty());
        let r = report(&actor);
        assert_eq!(r.rejects, 8);
        assert_eq!(r.rejects_by.get(RejectKind::RateLimited), 2);
        assert_eq!(r.rejects_by.get(RejectKind::BadTick), 2);
        assert_eq!(r.rejects_by.get(RejectKind::PostOnlyWouldMatch), 2);
        assert_eq!(r.rejects_by.total(), r.rejects);
        assert_eq!(r.last_unknown_reject.map(|t| t.as_str().to_string()).as_deref(), Some("Something new."));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["rejects_by"]["rate_limited"], 2);
        assert_eq!(json["last_unknown_reject"], "Something new.");

        // A refusal learnt from a status query (its own answer lost) counts once and reaches
        // Risk.
        actor.handle(Nanos(10), bids(&[80.0]), &mut out);
        let [.., OrderAction::Place(req)] = sent(&mut out).actions[..] else { panic!() };
        let status = VenueOrderStatus::Rejected(RejectReason::InsufficientMargin);
        venue(&mut actor, 11, VenueEvent::OrderStatus { coin: C, cloid: req.cloid, status }, &mut out);
        let s = sent(&mut out);
        assert_eq!(s.refusals, vec![VenueRefusal { coin: C, kind: RejectKind::InsufficientMargin }]);
        assert_eq!(report(&actor).rejects_by.get(RejectKind::InsufficientMargin), 1);
    }
}
