//! RiskActor: the only gate between the quote path and the venue.
//!
//! It wraps the engine's `RiskGate` and only routes: intents (Quote), mids, σ and oracle
//! prices (Estimator's `MarketParams`), position, PnL and traded volume (Fill's `Pnl`), feed
//! health (Feed) and, when OrderActor reports them, the requests it sent and the venue's
//! refusals that change what may be quoted (`Msg::VenueRefusal`: rate limited, margin, our
//! own bug — see `engine::risk` `venue_refusals`). What the gate approves goes to OrderActor;
//! the gate's own decisions (a loss limit or repeated refusals halting, inventory forcing, a
//! refusal cool-down starting or ending) are logged, once per change. The actor wakes when a
//! refusal cool-down ends, so what it restricted is restored without waiting for a message. Commands change the trading state or the limits between two
//! messages; both re-approve every coin's latest intent at once, so HALTED cancels every
//! order without waiting for the next tick and the next quote after a limits ack obeys the
//! new limits. Each accepted limits change is journaled as one structured record (target
//! `hyperquote::risk`) carrying the version and the change.

use crate::control::{Command, CommandReply};
use crate::msg::Msg;
use crate::report::{ActorReport, RiskReport};
use crate::{Actor, ActorId, Outbox};
use engine::instrument::Instrument;
use engine::quote::TargetLadder;
use engine::risk::{
    AddressBudget, CoinMarket, RequestBudgetSnapshot, RiskGate, RiskLimits, RiskLimitsError, RiskSink, TradingState,
    TradingStateChange,
};
use engine::types::Nanos;

/// Sends approved ladders to OrderActor and logs the gate's own decisions.
struct Sink<'a> {
    out: &'a mut Outbox,
}

impl RiskSink for Sink<'_> {
    fn approved(&mut self, ladder: &TargetLadder) {
        self.out.send(ActorId::Order, Msg::Approved(ladder.clone()));
    }

    fn state_changed(&mut self, change: &TradingStateChange) {
        tracing::warn!(target: "hyperquote::risk", state = ?change.state, reason = %change.reason, "trading state changed by a risk limit");
    }

    fn venue_rate_limited(&mut self, until: Option<Nanos>) {
        match until {
            Some(t) => tracing::warn!(
                target: "hyperquote::risk",
                until_ns = t.0,
                "venue: address request budget spent; treated as exhausted (reducing side only) for the cool-down"
            ),
            None => tracing::info!(target: "hyperquote::risk", "venue rate-limit cool-down ended"),
        }
    }

    fn venue_margin(&mut self, coin: &str, until: Option<Nanos>) {
        match until {
            Some(t) => tracing::warn!(
                target: "hyperquote::risk",
                coin,
                until_ns = t.0,
                "venue refused an order for margin: reducing side only for the cool-down"
            ),
            None => tracing::info!(target: "hyperquote::risk", coin, "venue margin cool-down ended: both sides again"),
        }
    }

    fn inventory_forcing(&mut self, on: bool, budget: &RequestBudgetSnapshot) {
        tracing::warn!(
            target: "hyperquote::risk",
            inventory_forcing = on,
            requests_used = budget.requests_used,
            requests_allowed = budget.requests_allowed,
            requests_left = budget.requests_left,
            "address request budget: inventory forcing {}",
            if on { "on (reducing side only)" } else { "off" }
        );
    }
}

pub struct RiskActor {
    gate: RiskGate,
    limit_changes_refused: u64,
    feed_health_changes: u64,
}

impl RiskActor {
    /// Coin `i` of the engine is `instruments[i]`; `limits` are keyed by coin name and
    /// validated; `address` is the address's request budget standing at start.
    pub fn new(
        initial: TradingState,
        limits: RiskLimits,
        instruments: Vec<Instrument>,
        address: AddressBudget,
    ) -> Result<Self, RiskLimitsError> {
        let gate = RiskGate::new(initial, limits, instruments, address, Nanos::ZERO)?;
        Ok(Self { gate, limit_changes_refused: 0, feed_health_changes: 0 })
    }
}

impl Actor for RiskActor {
    fn id(&self) -> ActorId {
        ActorId::Risk
    }

    fn handle(&mut self, now: Nanos, msg: Msg, out: &mut Outbox) {
        let sink = &mut Sink { out };
        match msg {
            Msg::Intent(ladder) => self.gate.on_intent(now, &ladder, sink),
            Msg::Params(p) => {
                let market = CoinMarket {
                    mid_usd: p.mid_usd,
                    oracle_usd: p.context.oracle_px_usd,
                    sigma_frac_per_sqrt_s: p.volatility.sigma_frac_per_sqrt_s,
                    sigma_is_warm: p.volatility.is_warm,
                };
                self.gate.on_market(now, p.coin, market, sink);
            }
            Msg::Pnl(update) => self.gate.on_accounting(now, update.coin, update.accounting, sink),
            Msg::FeedHealth(health) => {
                let changed = self.gate.on_feed_health(now, health.coin, health.stale, sink);
                self.feed_health_changes += u64::from(changed);
            }
            Msg::RequestsSent(sent) => {
                self.gate.on_requests_sent(now, u64::from(sent.orders), u64::from(sent.cancels), sink);
            }
            Msg::VenueRefusal(refusal) => {
                self.gate.on_venue_refusal(now, refusal.coin, refusal.kind, sink);
            }
            _ => {}
        }
    }

    fn next_wakeup(&self) -> Option<Nanos> {
        self.gate.next_refusal_expiry()
    }

    fn on_wakeup(&mut self, now: Nanos, out: &mut Outbox) {
        self.gate.on_clock(now, &mut Sink { out });
    }

    fn on_command(&mut self, now: Nanos, command: &Command, out: &mut Outbox) -> CommandReply {
        let sink = &mut Sink { out };
        match command {
            Command::SetTradingState { state, reason } => match self.gate.set_state(*state, reason, now, sink) {
                Ok(true) => {
                    tracing::info!(target: "hyperquote::risk", state = ?state, reason = %reason, "trading state changed");
                    CommandReply::Done
                }
                Ok(false) => CommandReply::Unchanged,
                Err(refusal) => CommandReply::Refused(refusal),
            },
            Command::SetRiskLimits(change) => match self.gate.apply_change(change, now, sink) {
                Ok(Some(version)) => {
                    // The admin API journals the applied change (live trading's journal).
                    tracing::info!(target: "hyperquote::risk", version, change = %change, "risk limits changed");
                    CommandReply::Applied { version }
                }
                Ok(None) => CommandReply::Unchanged,
                Err(e) => {
                    self.limit_changes_refused += 1;
                    tracing::warn!(target: "hyperquote::risk", field = %e.field, error = %e.message, change = %change, "risk limits change refused");
                    CommandReply::Refused(e.to_string())
                }
            },
            Command::SetQuoteParams(_) | Command::Journal(_) => CommandReply::Unsupported,
        }
    }

    fn report(&self) -> ActorReport {
        let gate = &self.gate;
        let counts = gate.counts();
        ActorReport::Risk(RiskReport {
            trading_state: gate.last_change().clone(),
            limits_version: gate.version(),
            limits: gate.limits().clone(),
            limit_changes_refused: self.limit_changes_refused,
            intents: counts.intents,
            approvals: counts.approvals,
            levels_clipped: counts.clipped.total(),
            levels_dropped: counts.dropped.total(),
            levels_clipped_by: counts.clipped,
            levels_dropped_by: counts.dropped,
            levels_widened: counts.widened,
            open_orders: gate.open_orders(),
            throttle_tokens: gate.throttle_tokens(),
            request_budget: gate.request_budget(),
            pnl: gate.loss(),
            loss_halts: counts.loss_halts,
            coins: gate.coins(),
            stale_coins: gate.stale_coins(),
            feed_health_changes: self.feed_health_changes,
            venue_refusals: gate.venue_refusals(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{FeedHealth, PnlUpdate};
    use engine::estimator::MarketParams;
    use engine::quote::QuoteLevel;
    use engine::risk::{AccountRiskLimits, CoinAccounting, CoinRiskLimits, RiskLimitsChange};
    use engine::types::{CoinId, Price, Qty};

    fn btc() -> Instrument {
        Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 }
    }

    fn actor() -> RiskActor {
        let limits =
            RiskLimits { account: AccountRiskLimits::default(), coins: vec![CoinRiskLimits::new("BTC", 0.01, 0.001)] };
        RiskActor::new(TradingState::Active, limits, vec![btc()], AddressBudget::default()).unwrap()
    }

    /// The actor with BTC's mid known (as the estimator would have told it).
    fn ready() -> RiskActor {
        let mut risk = actor();
        let p = MarketParams::cold(CoinId(0), Price::from_f64(99_999.0), Price::from_f64(100_001.0), 1e5, 1e5);
        approved(&mut risk, Msg::Params(p));
        risk
    }

    fn intent() -> Msg {
        let mut l = TargetLadder::empty(CoinId(0));
        l.bids.push(QuoteLevel::new(Price::from_f64(99_990.0), Qty::from_f64(0.001)));
        l.asks.push(QuoteLevel::new(Price::from_f64(100_010.0), Qty::from_f64(0.001)));
        Msg::Intent(l)
    }

    fn ladders(out: &mut Outbox) -> Vec<TargetLadder> {
        out.take()
            .into_iter()
            .filter_map(|o| match o.msg {
                Msg::Approved(l) => Some(l),
                _ => None,
            })
            .collect()
    }

    /// The ladders the actor sent to OrderActor for `msg`.
    fn approved(actor: &mut RiskActor, msg: Msg) -> Vec<TargetLadder> {
        let mut out = Outbox::default();
        actor.handle(Nanos(1), msg, &mut out);
        ladders(&mut out)
    }

    fn counts(ladders: &[TargetLadder]) -> Vec<usize> {
        ladders.iter().map(TargetLadder::level_count).collect()
    }

    fn command(actor: &mut RiskActor, command: Command) -> (CommandReply, Vec<TargetLadder>) {
        let mut out = Outbox::default();
        let reply = actor.on_command(Nanos(2), &command, &mut out);
        (reply, ladders(&mut out))
    }

    fn set(assignments: &[&str]) -> Command {
        Command::SetRiskLimits(RiskLimitsChange::from_assignments(assignments).unwrap())
    }

    fn report(actor: &RiskActor) -> RiskReport {
        let ActorReport::Risk(r) = actor.report() else { panic!("risk report") };
        r
    }

    #[test]
    fn a_stale_feed_pulls_the_coins_quotes_until_it_is_fresh() {
        let mut risk = ready();
        assert_eq!(counts(&approved(&mut risk, intent())), vec![2]);
        let stale = Msg::FeedHealth(FeedHealth { coin: CoinId(0), stale: true, since: Nanos(0) });
        assert_eq!(counts(&approved(&mut risk, stale)), vec![0], "pulled at once");
        assert_eq!(counts(&approved(&mut risk, intent())), vec![0], "nothing while stale");
        let fresh = Msg::FeedHealth(FeedHealth { coin: CoinId(0), stale: false, since: Nanos(2) });
        assert_eq!(counts(&approved(&mut risk, fresh)), vec![2], "restored at once");
        let r = report(&risk);
        assert_eq!((r.stale_coins, r.feed_health_changes), (0, 2));
        let unknown = Msg::FeedHealth(FeedHealth { coin: CoinId(9), stale: true, since: Nanos(0) });
        assert!(approved(&mut risk, unknown).is_empty(), "unknown coin ignored");
    }

    #[test]
    fn no_quotes_before_the_first_mid() {
        let mut risk = actor();
        assert_eq!(counts(&approved(&mut risk, intent())), vec![0]);
        assert_eq!(report(&risk).levels_dropped_by.get(engine::risk::RiskReason::NoMid), 2);
    }

    #[test]
    fn halted_cancels_everything_at_once_and_quotes_nothing() {
        let mut risk = ready();
        approved(&mut risk, intent());
        let halt = Command::SetTradingState { state: TradingState::Halted, reason: "operator".into() };
        let (reply, sent) = command(&mut risk, halt.clone());
        assert_eq!((reply, counts(&sent)), (CommandReply::Done, vec![0]));
        assert_eq!(counts(&approved(&mut risk, intent())), vec![0]);
        assert_eq!(command(&mut risk, halt).0, CommandReply::Unchanged);
        let r = report(&risk);
        assert_eq!((r.trading_state.state, r.trading_state.reason.as_str()), (TradingState::Halted, "operator"));
        assert_eq!(r.open_orders, 0);
    }

    #[test]
    fn a_limit_change_re_approves_at_once_and_the_next_intent_obeys_it() {
        let mut risk = ready();
        assert_eq!(counts(&approved(&mut risk, intent())), vec![2]);
        // No bids under 100,000 − 5 bps: the 99,990 bid (1 bps out) stays, a band of 0.5
        // bps drops both.
        let (reply, sent) = command(&mut risk, set(&["price_band_mid_bps=0.5"]));
        assert_eq!(reply, CommandReply::Applied { version: 2 });
        assert_eq!(counts(&sent), vec![0], "re-approved on the ack");
        assert_eq!(counts(&approved(&mut risk, intent())), vec![0], "and the next intent obeys it");
        let (reply, sent) = command(&mut risk, set(&["price_band_mid_bps=5", "max_order_size_base.BTC=0.0005"]));
        assert_eq!(reply, CommandReply::Applied { version: 3 });
        assert_eq!(sent[0].bids[0].qty, Qty::from_f64(0.0005));
        let r = report(&risk);
        assert_eq!(r.limits_version, 3);
        assert_eq!(r.limits.coins[0].max_order_size_base, 0.0005);
        assert_eq!(r.limits.account.price_band_mid_bps, 5.0);
        assert_eq!(command(&mut risk, set(&["price_band_mid_bps=5"])).0, CommandReply::Unchanged);
    }

    #[test]
    fn an_invalid_change_is_refused_naming_the_field_and_the_version_stays() {
        let mut risk = ready();
        approved(&mut risk, intent());
        let (reply, sent) = command(&mut risk, set(&["max_daily_loss_usd=20", "soft_position_base.BTC=0.02"]));
        let CommandReply::Refused(message) = reply else { panic!("accepted soft > hard: {reply:?}") };
        assert!(message.starts_with("soft_position_base.BTC: "), "{message}");
        assert!(sent.is_empty());
        let r = report(&risk);
        assert_eq!((r.limits_version, r.limit_changes_refused), (1, 1));
        assert_eq!(r.limits.account.max_daily_loss_usd, 100.0, "no part of a refused change applies");
        let (reply, _) = command(&mut risk, set(&["max_position_base.DOGE=1"]));
        assert!(matches!(reply, CommandReply::Refused(m) if m.starts_with("max_position_base.DOGE: unknown coin")));
    }

    #[test]
    fn lowering_max_position_below_the_position_leaves_only_the_reducing_side() {
        let mut risk = ready();
        let long = CoinAccounting {
            position: Qty::from_f64(0.004),
            avg_entry_usd: 100_000.0,
            volume_usd: 400.0,
            ..CoinAccounting::default()
        };
        approved(&mut risk, Msg::Pnl(PnlUpdate { coin: CoinId(0), accounting: long }));
        assert_eq!(counts(&approved(&mut risk, intent())), vec![2]);
        let (reply, sent) = command(&mut risk, set(&["max_position_base.BTC=0.003"]));
        assert_eq!(reply, CommandReply::Applied { version: 2 });
        assert_eq!((sent[0].bids.len(), sent[0].asks.len()), (0, 1), "sells only, at once");
        let next = approved(&mut risk, intent());
        assert_eq!((next[0].bids.len(), next[0].asks.len()), (0, 1), "and on the next intent");
        let r = report(&risk);
        assert_eq!(r.coins[0].position_base, 0.004);
        assert!(r.levels_dropped_by.get(engine::risk::RiskReason::MaxPositionBase) >= 2);
    }

    #[test]
    fn the_report_serializes_limits_version_budget_and_reasons() {
        let mut risk = ready();
        approved(&mut risk, intent());
        let json = serde_json::to_value(report(&risk)).unwrap();
        assert_eq!(json["limits_version"], 1);
        assert_eq!(json["limits"]["coins"][0]["coin"], "BTC");
        assert_eq!(json["request_budget"]["requests_used"], 2, "two new orders counted");
        assert_eq!(json["request_budget"]["requests_allowed"], 10_000);
        assert_eq!(json["request_budget"]["inventory_forcing"], false);
        assert_eq!(json["trading_state"]["state"], "active");
    }

    #[test]
    fn venue_refusals_restrict_quoting_until_the_wakeup_and_repeated_bugs_halt() {
        use crate::msg::VenueRefusal;
        use engine::risk::RejectKind;
        let mut risk = ready();
        assert_eq!(risk.next_wakeup(), None);
        assert_eq!(counts(&approved(&mut risk, intent())), vec![2]);
        let margin = Msg::VenueRefusal(VenueRefusal { coin: CoinId(0), kind: RejectKind::InsufficientMargin });
        assert!(approved(&mut risk, margin.clone()).is_empty(), "one refusal is counted");
        assert_eq!(counts(&approved(&mut risk, margin)), vec![0], "the second: flat, nothing reduces, nothing quoted");
        assert_eq!(counts(&approved(&mut risk, intent())), vec![0]);
        let until = Nanos(1) + Nanos::from_millis(5_000);
        assert_eq!(risk.next_wakeup(), Some(until));
        assert_eq!(report(&risk).coins[0].venue_margin_until, Some(until));
        let mut out = Outbox::default();
        risk.on_wakeup(until, &mut out);
        assert_eq!(counts(&ladders(&mut out)), vec![2], "both sides again when the cool-down ends");
        assert_eq!(risk.next_wakeup(), None);

        let limited = Msg::VenueRefusal(VenueRefusal { coin: CoinId(0), kind: RejectKind::RateLimited });
        assert_eq!(counts(&approved(&mut risk, limited)), vec![0], "inventory forcing, flat");
        let r = report(&risk);
        assert!(r.venue_refusals.rate_limited_until.is_some());
        assert_eq!(r.levels_dropped_by.get(engine::risk::RiskReason::InventoryForcing), 2);

        for _ in 0..5 {
            approved(&mut risk, Msg::VenueRefusal(VenueRefusal { coin: CoinId(0), kind: RejectKind::DuplicateCloid }));
        }
        let r = report(&risk);
        assert_eq!(r.trading_state.state, TradingState::Halted);
        assert!(r.trading_state.reason.contains("duplicate_cloid"), "{}", r.trading_state.reason);
        assert_eq!((r.venue_refusals.halts, r.venue_refusals.received.total()), (1, 8));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["venue_refusals"]["received"]["duplicate_cloid"], 5);
    }
}
