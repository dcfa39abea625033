//! OrderActor: reconciles each approved ladder with the live orders (keep / cancel / new)
//! and sends the resulting batch to the venue (one action per message, see `ActionMsg`); tracks acknowledgements, rejects, cancels and
//! fills, and reports every order that ends without a fill as a negative outcome.
//!
//! It also runs the dead man's switch ([`DeadMansSwitch`]), being the node that sends
//! actions: its wake-ups push the venue's scheduled cancel-all forward (a batch of one), it
//! reads the venue's answers, and on `Msg::Shutdown` (after the run's cancel-all) it clears
//! the schedule. A stalled OrderActor stops the refreshes, and the venue cancels everything.

use crate::control::{Command, CommandReply, QuoteParamsChange};
use crate::msg::{ActionMsg, Msg, RequestsSent};
use crate::report::{ActorReport, OrderReport};
use crate::{Actor, ActorId, Outbox};
use engine::calibration::{Outcome, OutcomeKind};
use engine::order::{reconcile, DeadMansSwitch, LiveOrders, OrderUpdate, RequoteTolerance};
use engine::types::{CloidSequence, Nanos};
use engine::venue::{ActionBatch, OrderAction, VenueEvent};

pub struct OrderActor {
    live: Vec<LiveOrders>,
    tolerance: RequoteTolerance,
    cloids: CloidSequence,
    batch: ActionBatch,
    dead_mans_switch: DeadMansSwitch,
    report: OrderReport,
}

impl OrderActor {
    /// `session_prefix` makes this run's client order ids distinct from any other run's;
    /// `tolerance` leaves resting orders alone while their target moved less (validated).
    pub fn new(coin_count: usize, session_prefix: u64, tolerance: RequoteTolerance) -> Self {
        Self {
            live: (0..coin_count).map(|_| LiveOrders::default()).collect(),
            tolerance,
            cloids: CloidSequence::new(session_prefix),
            batch: ActionBatch::new(),
            dead_mans_switch: DeadMansSwitch::disabled(),
            report: OrderReport::default(),
        }
    }

    /// Runs `switch` (off unless set here).
    pub fn with_dead_mans_switch(mut self, switch: DeadMansSwitch) -> Self {
        self.dead_mans_switch = switch;
        self
    }

    fn live_count(&self) -> usize {
        self.live.iter().map(LiveOrders::len).sum()
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
}

impl Actor for OrderActor {
    fn id(&self) -> ActorId {
        ActorId::Order
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        match msg {
            Msg::Approved(target) => {
                let Some(live) = self.live.get_mut(target.coin.index()) else { return };
                self.batch.clear();
                let stats = reconcile(live, &target, &self.tolerance, &mut self.cloids, &mut self.batch);
                self.report.kept += u64::from(stats.kept);
                self.report.cancelled += u64::from(stats.cancelled);
                self.report.placed += u64::from(stats.placed);
                self.report.deferred += u64::from(stats.deferred);
                if !self.batch.is_empty() {
                    self.report.action_batches += 1;
                    // The batch holds at most MAX_ACTIONS_PER_BATCH (32) actions: fits a u8.
                    let batch_len = self.batch.len() as u8;
                    for (index, action) in self.batch.iter().enumerate() {
                        let msg = ActionMsg { action: *action, index: index as u8, batch_len };
                        out.send(ActorId::Venue, Msg::Action(msg));
                    }
                    // Risk counts the address request budget exactly from what was sent.
                    let sent = RequestsSent { orders: stats.placed as u16, cancels: stats.cancelled as u16 };
                    out.send(ActorId::Risk, Msg::RequestsSent(sent));
                }
            }
            Msg::Venue(event) => {
                let Some(coin) = event.coin() else {
                    self.on_account_event(now, &event);
                    return;
                };
                let Some(live) = self.live.get_mut(coin.index()) else {
                    self.report.unknown_order_events += 1;
                    return;
                };
                match event {
                    VenueEvent::Rejected { .. } => self.report.rejects += 1,
                    VenueEvent::CancelRejected { .. } => self.report.cancel_rejects += 1,
                    _ => {}
                }
                match live.apply(&event) {
                    OrderUpdate::Unknown => self.report.unknown_order_events += 1,
                    OrderUpdate::Applied { done: true, filled_before_done: false } => {
                        let cloid = match event {
                            VenueEvent::Rejected { cloid, .. }
                            | VenueEvent::Cancelled { cloid, .. }
                            | VenueEvent::CancelRejected { cloid, .. } => cloid,
                            _ => return,
                        };
                        let outcome = Outcome { coin, cloid, kind: OutcomeKind::ExpiredUnfilled, at: now };
                        out.send(ActorId::Calibration, Msg::Outcome(outcome));
                    }
                    OrderUpdate::Applied { .. } => {}
                }
            }
            Msg::Shutdown => {
                if let Some(action) = self.dead_mans_switch.on_shutdown(self.live_count()) {
                    Self::send_alone(action, out);
                }
            }
            _ => {}
        }
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        self.dead_mans_switch.next_wakeup()
    }

    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        if let Some(action) = self.dead_mans_switch.poll(now) {
            Self::send_alone(action, out);
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
        ActorReport::Order(OrderReport {
            live_orders: self.live_count(),
            dead_mans_switch: self.dead_mans_switch.report(),
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
        ladder.bids.push(QuoteLevel { px: Price::from_f64(100.0), qty: Qty::from_f64(1.0) });
        order.handle(Nanos(1), Msg::Approved(ladder), &mut out);
        assert_eq!(actions(&mut out).len(), 2, "the schedule and the order");
        order.handle(Nanos(SEC), Msg::Shutdown, &mut out);
        assert!(actions(&mut out).is_empty());
        assert_eq!(dms(&order).phase, SwitchPhase::LeftArmed);
        assert_eq!(order.next_wakeup(), None);
    }
}
