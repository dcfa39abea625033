//! The risk gate: the only path from a quote intent to the venue.
//!
//! One state machine holds the trading state, the limits and their version, and what it
//! knows of each coin (market, fills' accounting, feed health, last intent and last approved
//! ladder); the new-order throttle, the address request budget and the loss guard are
//! account-wide. Every intent goes through `checks::check_ladder`. Whatever changes what
//! may rest — a trading-state command, a limits change, a loss limit breached, inventory
//! forcing entered or left, a feed gone stale, σ past the pull threshold — re-approves the
//! affected coins' last intents at once, so HALTED cancels every order without waiting for
//! the next tick and the next quote after a limits change obeys it. The venue's refusals of
//! our orders go through `venue_refusals` (rate limited → inventory forcing, margin → the
//! coin reducing-only, repeated own bugs → HALTED); their cool-downs end on `on_clock`.
//! Results leave through a `RiskSink`: the ladders to send, and the gate's own decisions for
//! the log.

use super::checks::{check_ladder, GateInputs, RiskVerdict};
use super::loss::{LossGuard, LossSnapshot};
use super::reasons::ReasonCounts;
use super::request_budget::{AddressBudget, RequestBudget, RequestBudgetSnapshot};
use super::venue_refusals::{RefusalEffect, VenueRefusalSnapshot, VenueRefusals};
use super::{
    CoinAccounting, CoinMarket, RejectKind, RiskLimits, RiskLimitsChange, RiskLimitsError, TokenBucket, TradingState,
    TradingStateChange, VolatilityState,
};
use crate::instrument::Instrument;
use crate::quote::TargetLadder;
use crate::types::{CoinId, Nanos};
use serde::Serialize;

/// Where the gate's output goes (RiskActor: OrderActor and the log).
pub trait RiskSink {
    /// A coin's approved ladder: what may rest now.
    fn approved(&mut self, ladder: &TargetLadder);
    /// The gate changed the trading state by itself (a loss limit breached, repeated
    /// refusals of our own bug).
    fn state_changed(&mut self, _change: &TradingStateChange) {}
    /// Inventory-forcing mode entered (`true`) or left.
    fn inventory_forcing(&mut self, _on: bool, _budget: &RequestBudgetSnapshot) {}
    /// The venue said the address's request budget is spent: treated as exhausted until
    /// `Some(t)`; `None`: the cool-down ended.
    fn venue_rate_limited(&mut self, _until: Option<Nanos>) {}
    /// The venue refused `coin`'s order for margin: reducing side only until `Some(t)`;
    /// `None`: the cool-down ended.
    fn venue_margin(&mut self, _coin: &str, _until: Option<Nanos>) {}
}

/// Counters of the gate's work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GateCounts {
    pub intents: u64,
    pub approvals: u64,
    pub clipped: ReasonCounts,
    pub dropped: ReasonCounts,
    pub widened: u64,
    /// Accepted limits changes.
    pub limit_changes: u64,
    /// Times a loss limit turned the gate HALTED.
    pub loss_halts: u64,
}

/// One coin as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoinRiskSnapshot {
    pub coin: String,
    pub position_base: f64,
    pub mid_usd: f64,
    pub oracle_usd: Option<f64>,
    pub sigma_frac_per_sqrt_s: f64,
    pub volatility: VolatilityState,
    pub net_pnl_usd: f64,
    pub volume_usd: f64,
    pub feed_stale: bool,
    /// Reducing side only until then: the venue refused an order for margin.
    pub venue_margin_until: Option<Nanos>,
    /// Levels of the last approved ladder, per side.
    pub approved_bid_levels: usize,
    pub approved_ask_levels: usize,
}

#[derive(Debug, Clone)]
struct CoinRisk {
    instrument: Instrument,
    /// Index of this coin in `RiskLimits::coins` (limits are keyed by name).
    limits_index: usize,
    market: CoinMarket,
    accounting: CoinAccounting,
    feed_stale: bool,
    last_intent: TargetLadder,
    approved: TargetLadder,
    /// The approved ladder before the last approval (reused buffer).
    previous: TargetLadder,
}

#[derive(Debug, Clone)]
pub struct RiskGate {
    change: TradingStateChange,
    limits: RiskLimits,
    version: u64,
    coins: Vec<CoinRisk>,
    throttle: TokenBucket,
    budget: RequestBudget,
    inventory_forcing: bool,
    loss: LossGuard,
    refusals: VenueRefusals,
    counts: GateCounts,
}

/// Position of each instrument's limits in `limits.coins`; every traded coin needs limits,
/// and limits for a coin not traded are refused (a typo in a name must not pass silently).
fn limits_indices(limits: &RiskLimits, instruments: &[Instrument]) -> Result<Vec<usize>, RiskLimitsError> {
    if let Some(extra) = limits.coins.iter().find(|c| instruments.iter().all(|i| i.name != c.coin)) {
        return Err(RiskLimitsError::new("coins", format!("limits for `{}`, which is not traded", extra.coin)));
    }
    instruments
        .iter()
        .map(|i| {
            limits
                .coins
                .iter()
                .position(|c| c.coin == i.name)
                .ok_or_else(|| RiskLimitsError::new(format!("max_position_base.{}", i.name), "no limits for this coin"))
        })
        .collect()
}

impl RiskGate {
    /// Limits version 1, validated; coin `i` of the engine is `instruments[i]`.
    pub fn new(
        initial: TradingState,
        limits: RiskLimits,
        instruments: Vec<Instrument>,
        address: AddressBudget,
        now: Nanos,
    ) -> Result<Self, RiskLimitsError> {
        limits.validate()?;
        let indices = limits_indices(&limits, &instruments)?;
        let coins: Vec<CoinRisk> = instruments
            .into_iter()
            .zip(indices)
            .enumerate()
            .map(|(i, (instrument, limits_index))| CoinRisk {
                instrument,
                limits_index,
                market: CoinMarket::default(),
                accounting: CoinAccounting::default(),
                feed_stale: false,
                last_intent: TargetLadder::empty(CoinId(i as u8)),
                approved: TargetLadder::empty(CoinId(i as u8)),
                previous: TargetLadder::empty(CoinId(i as u8)),
            })
            .collect();
        let account = limits.account;
        let budget = RequestBudget::new(address);
        let refusals = VenueRefusals::new(coins.len());
        Ok(Self {
            change: TradingStateChange { state: initial, reason: "configured at start".into(), at: now },
            inventory_forcing: budget.inventory_forcing(&account),
            limits,
            version: 1,
            coins,
            throttle: TokenBucket::new(account.max_new_orders_per_s, account.new_orders_burst, now),
            budget,
            loss: LossGuard::new(now),
            refusals,
            counts: GateCounts::default(),
        })
    }

    pub fn state(&self) -> TradingState {
        self.change.state
    }

    pub fn last_change(&self) -> &TradingStateChange {
        &self.change
    }

    pub fn limits(&self) -> &RiskLimits {
        &self.limits
    }

    /// 1 at start, +1 per accepted change.
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn counts(&self) -> &GateCounts {
        &self.counts
    }

    pub fn inventory_forcing(&self) -> bool {
        self.inventory_forcing
    }

    pub fn request_budget(&self) -> RequestBudgetSnapshot {
        self.budget.snapshot(&self.limits.account)
    }

    pub fn loss(&self) -> LossSnapshot {
        self.loss.snapshot()
    }

    pub fn throttle_tokens(&self) -> f64 {
        self.throttle.tokens()
    }

    /// Levels approved and (as far as the gate knows) resting, all coins.
    pub fn open_orders(&self) -> usize {
        self.coins.iter().map(|c| c.approved.level_count()).sum()
    }

    /// The venue's refusals the gate acted on, and the cool-downs running.
    pub fn venue_refusals(&self) -> VenueRefusalSnapshot {
        self.refusals.snapshot()
    }

    pub fn stale_coins(&self) -> usize {
        self.coins.iter().filter(|c| c.feed_stale).count()
    }

    pub fn coins(&self) -> Vec<CoinRiskSnapshot> {
        self.coins
            .iter()
            .enumerate()
            .map(|(i, c)| CoinRiskSnapshot {
                coin: c.instrument.name.clone(),
                position_base: c.accounting.position.to_f64(),
                mid_usd: c.market.mid_usd,
                oracle_usd: c.market.oracle_usd,
                sigma_frac_per_sqrt_s: c.market.sigma_frac_per_sqrt_s,
                volatility: c.market.volatility_state(&self.limits.account),
                net_pnl_usd: c.accounting.net_pnl_usd(c.market.mid_usd),
                volume_usd: c.accounting.volume_usd,
                feed_stale: c.feed_stale,
                venue_margin_until: self.refusals.margin_until(CoinId(i as u8)),
                approved_bid_levels: c.approved.bids.len(),
                approved_ask_levels: c.approved.asks.len(),
            })
            .collect()
    }

    /// Changes the trading state and re-approves every coin; returns whether it changed.
    /// Leaving HALTED while a loss limit is still breached is refused with the breach:
    /// the limit has to be raised first (or the loss recovered).
    pub fn set_state(
        &mut self,
        state: TradingState,
        reason: &str,
        now: Nanos,
        sink: &mut impl RiskSink,
    ) -> Result<bool, String> {
        if self.change.state == state {
            return Ok(false);
        }
        if state != TradingState::Halted {
            if let Some(breach) = self.loss.breach(&self.limits.account) {
                return Err(format!("{breach}; raise the limit before leaving HALTED"));
            }
        }
        self.change = TradingStateChange { state, reason: reason.to_string(), at: now };
        self.approve_all(now, sink);
        Ok(true)
    }

    /// Applies a partial change atomically: validated on the whole result, then swapped in
    /// and every coin re-approved. `Ok(None)`: the change leaves the limits as they are.
    pub fn apply_change(
        &mut self,
        change: &RiskLimitsChange,
        now: Nanos,
        sink: &mut impl RiskSink,
    ) -> Result<Option<u64>, RiskLimitsError> {
        let next = change.apply_to(&self.limits)?;
        if next == self.limits {
            return Ok(None);
        }
        // `apply_to` cannot add or remove coins, so the indices stay valid; recompute anyway
        // (cheap, off the hot path) so the invariant never rests on that.
        let instruments: Vec<Instrument> = self.coins.iter().map(|c| c.instrument.clone()).collect();
        let indices = limits_indices(&next, &instruments)?;
        for (coin, index) in self.coins.iter_mut().zip(indices) {
            coin.limits_index = index;
        }
        self.limits = next;
        self.version += 1;
        self.counts.limit_changes += 1;
        let account = &self.limits.account;
        self.throttle.reconfigure(account.max_new_orders_per_s, account.new_orders_burst);
        self.inventory_forcing = self.budget.inventory_forcing(account) || self.refusals.budget_exhausted(now);
        // A lowered loss limit may be breached already: halt before re-approving.
        self.halt_on_loss(now, sink);
        self.approve_all(now, sink);
        Ok(Some(self.version))
    }

    /// A new intent: stored as the coin's latest and approved.
    pub fn on_intent(&mut self, now: Nanos, intent: &TargetLadder, sink: &mut impl RiskSink) {
        let coin = intent.coin.index();
        let Some(state) = self.coins.get_mut(coin) else { return };
        self.counts.intents += 1;
        state.last_intent.clone_from(intent);
        self.approve(coin, now, sink);
        self.settle_inventory_forcing(now, sink);
    }

    /// The coin's market moved: marks PnL (a loss limit may halt) and pulls or restores the
    /// coin's quotes at once when σ crosses the pull threshold.
    pub fn on_market(&mut self, now: Nanos, coin: CoinId, market: CoinMarket, sink: &mut impl RiskSink) {
        let account = self.limits.account;
        let Some(state) = self.coins.get_mut(coin.index()) else { return };
        let was_pulled = state.market.volatility_state(&account) == VolatilityState::Pull;
        state.market = market;
        let pulled = market.volatility_state(&account) == VolatilityState::Pull;
        if self.halt_on_loss(now, sink) {
            self.approve_all(now, sink);
            return;
        }
        if was_pulled != pulled {
            self.approve(coin.index(), now, sink);
            self.settle_inventory_forcing(now, sink);
        }
    }

    /// The coin's fills moved: position, PnL and traded volume (request budget).
    pub fn on_accounting(&mut self, now: Nanos, coin: CoinId, accounting: CoinAccounting, sink: &mut impl RiskSink) {
        let Some(state) = self.coins.get_mut(coin.index()) else { return };
        state.accounting = accounting;
        let volume_usd = self.coins.iter().map(|c| c.accounting.volume_usd).sum();
        self.budget.set_session_volume(volume_usd);
        if self.halt_on_loss(now, sink) {
            self.approve_all(now, sink);
            return;
        }
        self.settle_inventory_forcing(now, sink);
    }

    /// A coin's feed turned stale or fresh: pulls or restores its quotes at once. Returns
    /// whether its health changed.
    pub fn on_feed_health(&mut self, now: Nanos, coin: CoinId, stale: bool, sink: &mut impl RiskSink) -> bool {
        let Some(state) = self.coins.get_mut(coin.index()) else { return false };
        if state.feed_stale == stale {
            return false;
        }
        state.feed_stale = stale;
        self.approve(coin.index(), now, sink);
        self.settle_inventory_forcing(now, sink);
        true
    }

    /// Requests OrderActor reports it sent: counted exactly from now on.
    pub fn on_requests_sent(&mut self, now: Nanos, orders: u64, cancels: u64, sink: &mut impl RiskSink) {
        self.budget.count_exact(orders, cancels);
        self.settle_inventory_forcing(now, sink);
    }

    /// The venue refused one of `coin`'s orders for `kind` (OrderActor passes on the kinds
    /// that reach risk): acts as `venue_refusals` says — inventory forcing, the coin reducing
    /// only, or HALTED — re-approving what it affects at once. Returns the effect.
    pub fn on_venue_refusal(
        &mut self,
        now: Nanos,
        coin: CoinId,
        kind: RejectKind,
        sink: &mut impl RiskSink,
    ) -> RefusalEffect {
        let effect = self.refusals.on_refusal(now, coin, kind, &self.limits.account);
        match effect {
            RefusalEffect::Counted => {}
            RefusalEffect::BudgetExhausted { until } => {
                sink.venue_rate_limited(Some(until));
                self.settle_inventory_forcing(now, sink);
            }
            RefusalEffect::CoinReduceOnly { coin, until } => {
                if let Some(state) = self.coins.get(coin.index()) {
                    sink.venue_margin(&state.instrument.name, Some(until));
                }
                self.approve(coin.index(), now, sink);
                self.settle_inventory_forcing(now, sink);
            }
            RefusalEffect::Halt { kind, count, window } => {
                if self.change.state != TradingState::Halted {
                    let name = self.coins.get(coin.index()).map_or("?", |c| c.instrument.name.as_str());
                    let reason = format!(
                        "venue refused {count} orders as {kind} within {:.0} s (the last: {name}): the engine \
                         builds orders the venue's rules refuse; resume once fixed",
                        window.as_secs_f64()
                    );
                    self.change = TradingStateChange { state: TradingState::Halted, reason, at: now };
                    sink.state_changed(&self.change);
                    self.approve_all(now, sink);
                }
            }
        }
        effect
    }

    /// When the next refusal cool-down ends (the actor's wake-up), if one runs.
    pub fn next_refusal_expiry(&self) -> Option<Nanos> {
        self.refusals.next_expiry()
    }

    /// The clock reached `now`: lifts the refusal cool-downs that ended and re-approves what
    /// they restricted.
    pub fn on_clock(&mut self, now: Nanos, sink: &mut impl RiskSink) {
        let expired = self.refusals.expire(now);
        if expired.budget {
            sink.venue_rate_limited(None);
        }
        for coin in 0..self.coins.len() {
            if expired.coins & 1u64.checked_shl(coin as u32).unwrap_or(0) != 0 {
                sink.venue_margin(&self.coins[coin].instrument.name, None);
                self.approve(coin, now, sink);
            }
        }
        self.settle_inventory_forcing(now, sink);
    }

    /// Approves coin `coin`'s last intent and hands the result to the sink.
    fn approve(&mut self, coin: usize, now: Nanos, sink: &mut impl RiskSink) {
        let open_elsewhere: usize =
            self.coins.iter().enumerate().filter(|&(i, _)| i != coin).map(|(_, c)| c.approved.level_count()).sum();
        let venue_margin = self.refusals.coin_reduce_only(CoinId(coin as u8), now);
        let Some(state) = self.coins.get_mut(coin) else { return };
        std::mem::swap(&mut state.approved, &mut state.previous);
        let inputs = GateInputs {
            state: self.change.state,
            inventory_forcing: self.inventory_forcing,
            venue_margin,
            feed_stale: state.feed_stale,
            market: &state.market,
            position: state.accounting.position,
            instrument: &state.instrument,
            coin: &self.limits.coins[state.limits_index],
            account: &self.limits.account,
            open_orders_elsewhere: u32::try_from(open_elsewhere).unwrap_or(u32::MAX),
        };
        let verdict: RiskVerdict =
            check_ladder(&inputs, &state.last_intent, &state.previous, &mut self.throttle, now, &mut state.approved);
        self.counts.approvals += 1;
        self.counts.clipped.merge(&verdict.clipped);
        self.counts.dropped.merge(&verdict.dropped);
        self.counts.widened += u64::from(verdict.widened);
        if self.budget.counting() == super::RequestCounting::ApprovedLadders {
            self.budget.count(u64::from(verdict.new_orders), u64::from(verdict.cancels));
        }
        sink.approved(&state.approved);
    }

    fn approve_all(&mut self, now: Nanos, sink: &mut impl RiskSink) {
        for coin in 0..self.coins.len() {
            self.approve(coin, now, sink);
        }
    }

    /// Enters or leaves inventory forcing as the budget says, re-approving every coin on a
    /// change. Re-approving sends requests itself, so it is settled twice at most.
    fn settle_inventory_forcing(&mut self, now: Nanos, sink: &mut impl RiskSink) {
        for _ in 0..2 {
            let forcing = self.budget.inventory_forcing(&self.limits.account) || self.refusals.budget_exhausted(now);
            if forcing == self.inventory_forcing {
                return;
            }
            self.inventory_forcing = forcing;
            sink.inventory_forcing(forcing, &self.request_budget());
            self.approve_all(now, sink);
        }
    }

    /// Marks the account's net PnL; a breached loss limit turns the gate HALTED with the
    /// breach as the reason (the caller re-approves). Returns whether it halted now.
    fn halt_on_loss(&mut self, now: Nanos, sink: &mut impl RiskSink) -> bool {
        let net_pnl_usd = self.coins.iter().map(|c| c.accounting.net_pnl_usd(c.market.mid_usd)).sum();
        self.loss.update(now, net_pnl_usd);
        if self.change.state == TradingState::Halted {
            return false;
        }
        let Some(breach) = self.loss.breach(&self.limits.account) else { return false };
        self.change = TradingStateChange { state: TradingState::Halted, reason: breach.to_string(), at: now };
        self.counts.loss_halts += 1;
        sink.state_changed(&self.change);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::QuoteLevel;
    use crate::risk::{AccountRiskLimits, CoinRiskLimits, RiskReason};
    use crate::types::{Price, Qty};

    /// Collects what the gate sends.
    #[derive(Default)]
    struct Sink {
        ladders: Vec<TargetLadder>,
        states: Vec<TradingStateChange>,
        forcing: Vec<bool>,
    }

    impl RiskSink for Sink {
        fn approved(&mut self, ladder: &TargetLadder) {
            self.ladders.push(ladder.clone());
        }
        fn state_changed(&mut self, change: &TradingStateChange) {
            self.states.push(change.clone());
        }
        fn inventory_forcing(&mut self, on: bool, _budget: &RequestBudgetSnapshot) {
            self.forcing.push(on);
        }
    }

    impl Sink {
        fn levels(&mut self) -> Vec<usize> {
            self.ladders.drain(..).map(|l| l.level_count()).collect()
        }
    }

    fn instruments() -> Vec<Instrument> {
        vec![
            Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 },
            Instrument { name: "ETH".into(), sz_decimals: 4, min_notional_usd: 10.0 },
        ]
    }

    fn limits(account: AccountRiskLimits) -> RiskLimits {
        RiskLimits {
            account,
            coins: vec![CoinRiskLimits::new("ETH", 1.0, 0.1), CoinRiskLimits::new("BTC", 0.01, 0.001)],
        }
    }

    fn gate(account: AccountRiskLimits, address: AddressBudget) -> RiskGate {
        RiskGate::new(TradingState::Active, limits(account), instruments(), address, Nanos::ZERO).unwrap()
    }

    fn btc_market(mid: f64) -> CoinMarket {
        CoinMarket { mid_usd: mid, ..CoinMarket::default() }
    }

    /// One BTC level a side around 100,000 (`offset` USD out).
    fn btc_intent(offset: f64) -> TargetLadder {
        let mut l = TargetLadder::empty(CoinId(0));
        l.bids.push(QuoteLevel::new(Price::from_f64(100_000.0 - offset), Qty::from_f64(0.001)));
        l.asks.push(QuoteLevel::new(Price::from_f64(100_000.0 + offset), Qty::from_f64(0.001)));
        l
    }

    fn long(qty: f64, entry: f64) -> CoinAccounting {
        CoinAccounting {
            position: Qty::from_f64(qty),
            avg_entry_usd: entry,
            volume_usd: qty * entry,
            ..Default::default()
        }
    }

    #[test]
    fn limits_are_keyed_by_coin_name_and_must_cover_every_coin() {
        let g = gate(AccountRiskLimits::default(), AddressBudget::default());
        assert_eq!(g.limits.coins[g.coins[0].limits_index].coin, "BTC");
        let mut missing = limits(AccountRiskLimits::default());
        missing.coins.pop();
        let err = RiskGate::new(TradingState::Active, missing, instruments(), AddressBudget::default(), Nanos(0));
        assert_eq!(err.unwrap_err().field, "max_position_base.BTC");
        let mut extra = limits(AccountRiskLimits::default());
        extra.coins.push(CoinRiskLimits::new("DOGE", 1.0, 1.0));
        let err = RiskGate::new(TradingState::Active, extra, instruments(), AddressBudget::default(), Nanos(0));
        assert_eq!(err.unwrap_err().field, "coins");
    }

    #[test]
    fn halted_cancels_every_coin_at_once_and_resume_restores() {
        let mut g = gate(AccountRiskLimits::default(), AddressBudget::default());
        let mut sink = Sink::default();
        g.on_market(Nanos(1), CoinId(0), btc_market(100_000.0), &mut sink);
        g.on_intent(Nanos(2), &btc_intent(10.0), &mut sink);
        assert_eq!(sink.levels(), vec![2]);
        assert_eq!(g.set_state(TradingState::Halted, "operator", Nanos(3), &mut sink), Ok(true));
        assert_eq!(sink.levels(), vec![0, 0], "an empty ladder for every coin: all orders cancelled");
        assert_eq!((g.last_change().reason.as_str(), g.last_change().at), ("operator", Nanos(3)));
        g.on_intent(Nanos(4), &btc_intent(10.0), &mut sink);
        assert_eq!(sink.levels(), vec![0], "nothing quoted while halted");
        assert_eq!(g.set_state(TradingState::Halted, "again", Nanos(5), &mut sink), Ok(false));
        assert_eq!(g.set_state(TradingState::Active, "resume", Nanos(6), &mut sink), Ok(true));
        assert_eq!(sink.levels(), vec![2, 0]);
        assert_eq!(g.counts().dropped.get(RiskReason::Halted), 4);
    }

    #[test]
    fn a_drawdown_breach_halts_by_itself_with_the_reason() {
        let account = AccountRiskLimits { max_drawdown_usd: 5.0, ..AccountRiskLimits::default() };
        let mut g = gate(account, AddressBudget::default());
        let mut sink = Sink::default();
        g.on_market(Nanos(1), CoinId(0), btc_market(100_000.0), &mut sink);
        g.on_intent(Nanos(2), &btc_intent(10.0), &mut sink);
        g.on_accounting(Nanos(3), CoinId(0), long(0.001, 100_000.0), &mut sink);
        g.on_market(Nanos(4), CoinId(0), btc_market(104_000.0), &mut sink); // +4 USD: the mark
        assert_eq!(g.loss().high_water_mark_usd, 4.0);
        g.on_market(Nanos(5), CoinId(0), btc_market(99_500.0), &mut sink); // −0.5: 4.5 down
        assert_eq!(g.state(), TradingState::Active);
        sink.ladders.clear();
        g.on_market(Nanos(6), CoinId(0), btc_market(98_900.0), &mut sink); // −1.1: 5.1 down
        assert_eq!(g.state(), TradingState::Halted);
        assert_eq!(g.last_change().at, Nanos(6));
        assert!(
            g.last_change().reason.starts_with("max_drawdown_usd breached: 5.10 USD below"),
            "{:?}",
            g.last_change()
        );
        assert_eq!(sink.states.len(), 1);
        assert_eq!(sink.levels(), vec![0, 0], "every order cancelled");
        assert_eq!(g.counts().loss_halts, 1);
        // Resuming while still in breach is refused; raising the limit lets it resume.
        let refused = g.set_state(TradingState::Active, "operator", Nanos(7), &mut sink).unwrap_err();
        assert!(refused.starts_with("max_drawdown_usd breached"), "{refused}");
        assert_eq!(g.state(), TradingState::Halted);
        let raise = RiskLimitsChange { max_drawdown_usd: Some(10.0), ..Default::default() };
        assert_eq!(g.apply_change(&raise, Nanos(8), &mut sink), Ok(Some(2)));
        assert_eq!(g.state(), TradingState::Halted, "a limits change does not resume by itself");
        assert_eq!(g.set_state(TradingState::Active, "operator", Nanos(9), &mut sink), Ok(true));
    }

    #[test]
    fn a_limits_change_re_approves_at_once_and_an_invalid_one_changes_nothing() {
        let mut g = gate(AccountRiskLimits::default(), AddressBudget::default());
        let mut sink = Sink::default();
        g.on_market(Nanos(1), CoinId(0), btc_market(100_000.0), &mut sink);
        g.on_accounting(Nanos(1), CoinId(0), long(0.004, 100_000.0), &mut sink);
        g.on_intent(Nanos(2), &btc_intent(10.0), &mut sink);
        assert_eq!(sink.levels(), vec![2]);
        // Hard limit below the position: only the reducing side (asks) remains, at once.
        let change = RiskLimitsChange::from_assignments(&["max_position_base.BTC=0.003"]).unwrap();
        assert_eq!(g.apply_change(&change, Nanos(3), &mut sink), Ok(Some(2)));
        let ladders: Vec<_> = sink.ladders.drain(..).collect();
        assert_eq!((ladders[0].bids.len(), ladders[0].asks.len()), (0, 1));
        assert_eq!(g.limits().coins[1].max_position_base, 0.003);
        // Soft above hard: refused with the field, version and limits unchanged.
        let bad = RiskLimitsChange::from_assignments(&["soft_position_base.BTC=0.005"]).unwrap();
        let err = g.apply_change(&bad, Nanos(4), &mut sink).unwrap_err();
        assert_eq!(err.field, "soft_position_base.BTC");
        assert_eq!((g.version(), g.limits().coins[1].soft_position_base), (2, None));
        assert!(sink.ladders.is_empty(), "a refused change re-approves nothing");
        // The same values again: nothing to do.
        assert_eq!(g.apply_change(&change, Nanos(5), &mut sink), Ok(None));
        assert_eq!(g.counts().limit_changes, 1);
    }

    #[test]
    fn the_request_budget_forces_inventory_and_trading_lifts_it() {
        // 10,000 allowed; 8,998 used at start; headroom 1,000: 2 requests to spare.
        let address = AddressBudget { requests_used: 8_998, cum_volume_usd: 0.0 };
        let mut g = gate(AccountRiskLimits::default(), address);
        let mut sink = Sink::default();
        g.on_market(Nanos(1), CoinId(0), btc_market(100_000.0), &mut sink);
        g.on_accounting(
            Nanos(1),
            CoinId(0),
            CoinAccounting { position: Qty::from_f64(0.002), ..Default::default() },
            &mut sink,
        );
        g.on_intent(Nanos(2), &btc_intent(10.0), &mut sink);
        // Two new orders counted: 1,000 left — still not below the headroom.
        assert_eq!((g.request_budget().requests_used, g.inventory_forcing()), (9_000, false));
        assert_eq!(sink.levels(), vec![2]);
        g.on_intent(Nanos(3), &btc_intent(11.0), &mut sink);
        // Two new orders, two cancels → 996 left: forcing; every coin re-approved, BTC with
        // only the reducing side (asks, long 0.002).
        assert!(g.inventory_forcing());
        assert_eq!(sink.forcing, vec![true]);
        let ladders: Vec<_> = sink.ladders.drain(..).collect();
        assert_eq!(ladders.len(), 3);
        assert_eq!((ladders[1].bids.len(), ladders[1].asks.len()), (0, 1));
        assert_eq!(g.counts().dropped.get(RiskReason::InventoryForcing), 1);
        // 5,000 USD traded: 5,000 more requests allowed; forcing ends, both sides again.
        let traded = CoinAccounting { position: Qty::from_f64(0.002), volume_usd: 5_000.0, ..Default::default() };
        g.on_accounting(Nanos(4), CoinId(0), traded, &mut sink);
        assert_eq!(sink.forcing, vec![true, false]);
        assert!(!g.inventory_forcing());
        assert_eq!(sink.ladders[0].level_count(), 2);
        let budget = g.request_budget();
        assert_eq!(budget.requests_allowed, 15_000);
        // Exact counts from OrderActor replace the estimate.
        let used = budget.requests_used;
        g.on_requests_sent(Nanos(5), 3, 1, &mut sink);
        g.on_intent(Nanos(6), &btc_intent(12.0), &mut sink);
        assert_eq!(g.request_budget().requests_used, used + 4, "approvals no longer counted");
    }

    #[test]
    fn venue_refusals_force_inventory_restrict_the_coin_or_halt() {
        let mut g = gate(AccountRiskLimits::default(), AddressBudget::default());
        let mut sink = Sink::default();
        g.on_market(Nanos(1), CoinId(0), btc_market(100_000.0), &mut sink);
        g.on_accounting(Nanos(1), CoinId(0), long(0.002, 100_000.0), &mut sink);
        g.on_intent(Nanos(2), &btc_intent(10.0), &mut sink);
        assert_eq!(sink.levels(), vec![2]);
        let (t1, cool) = (Nanos::from_millis(1_000), Nanos::from_millis(10_000));

        // Rate limited: inventory forcing at once (every coin re-approved), until the
        // cool-down ends on the clock, though our own budget is far from spent.
        let effect = g.on_venue_refusal(t1, CoinId(0), RejectKind::RateLimited, &mut sink);
        assert_eq!(effect, RefusalEffect::BudgetExhausted { until: t1 + cool });
        assert!(g.inventory_forcing());
        assert_eq!(sink.forcing, vec![true]);
        let ladders: Vec<_> = sink.ladders.drain(..).collect();
        assert_eq!((ladders[0].bids.len(), ladders[0].asks.len()), (0, 1), "long: asks only");
        assert_eq!(g.next_refusal_expiry(), Some(t1 + cool));
        g.on_clock(t1 + Nanos::from_millis(9_999), &mut sink);
        assert!(g.inventory_forcing());
        g.on_clock(t1 + cool, &mut sink);
        assert!(!g.inventory_forcing());
        assert_eq!(sink.forcing, vec![true, false]);
        assert_eq!(sink.levels(), vec![2, 0], "both sides again");
        assert_eq!((g.next_refusal_expiry(), g.venue_refusals().rate_limited_until), (None, None));

        // Insufficient margin twice: BTC (long) quotes only asks; ETH is untouched.
        let (t2, margin_cool) = (Nanos::from_millis(20_000), Nanos::from_millis(5_000));
        let first = g.on_venue_refusal(t2.saturating_sub(Nanos(1)), CoinId(0), RejectKind::MarginTierLimit, &mut sink);
        assert_eq!((first, sink.ladders.len()), (RefusalEffect::Counted, 0), "one refusal may be one order");
        let effect = g.on_venue_refusal(t2, CoinId(0), RejectKind::InsufficientMargin, &mut sink);
        assert_eq!(effect, RefusalEffect::CoinReduceOnly { coin: CoinId(0), until: t2 + margin_cool });
        let ladders: Vec<_> = sink.ladders.drain(..).collect();
        assert_eq!((ladders.len(), ladders[0].bids.len(), ladders[0].asks.len()), (1, 0, 1));
        assert!(!g.inventory_forcing());
        assert_eq!(g.coins()[0].venue_margin_until, Some(t2 + margin_cool));
        assert_eq!(g.counts().dropped.get(RiskReason::VenueMargin), 1);
        g.on_intent(t2 + Nanos(1), &btc_intent(11.0), &mut sink);
        assert_eq!(sink.ladders.drain(..).map(|l| l.bids.len()).collect::<Vec<_>>(), vec![0]);
        g.on_clock(t2 + margin_cool, &mut sink);
        assert_eq!(sink.levels(), vec![2], "restored when the cool-down ends");
        assert_eq!(g.coins()[0].venue_margin_until, None);

        // Races are counted only.
        let t3 = Nanos::from_millis(40_000);
        assert_eq!(
            g.on_venue_refusal(t3, CoinId(0), RejectKind::PostOnlyWouldMatch, &mut sink),
            RefusalEffect::Counted
        );
        assert!(sink.ladders.is_empty());

        // Five bad ticks within a minute: HALTED, the reason names the kind and the coin.
        for k in 0..4 {
            let at = t3 + Nanos::from_millis(k * 1_000);
            assert_eq!(g.on_venue_refusal(at, CoinId(1), RejectKind::BadTick, &mut sink), RefusalEffect::Counted);
        }
        assert_eq!(g.state(), TradingState::Active);
        let effect = g.on_venue_refusal(t3 + Nanos::from_millis(5_000), CoinId(1), RejectKind::BadTick, &mut sink);
        assert!(matches!(effect, RefusalEffect::Halt { kind: RejectKind::BadTick, count: 5, .. }), "{effect:?}");
        assert_eq!(g.state(), TradingState::Halted);
        let reason = &g.last_change().reason;
        assert!(reason.starts_with("venue refused 5 orders as bad_tick within 60 s (the last: ETH)"), "{reason}");
        assert_eq!(sink.states.len(), 1);
        assert_eq!(sink.levels(), vec![0, 0], "every order cancelled");
        assert_eq!(g.venue_refusals().halts, 1);
        assert_eq!(g.venue_refusals().received.total(), 9);
        // The operator resumes; the old refusals do not halt it again.
        assert_eq!(g.set_state(TradingState::Active, "fixed", t3 + Nanos::from_millis(6_000), &mut sink), Ok(true));
        g.on_venue_refusal(t3 + Nanos::from_millis(7_000), CoinId(1), RejectKind::BadTick, &mut sink);
        assert_eq!(g.state(), TradingState::Active);
    }

    #[test]
    fn volatility_pull_acts_at_once_and_unknown_coins_are_ignored() {
        let mut g = gate(AccountRiskLimits::default(), AddressBudget::default());
        let mut sink = Sink::default();
        g.on_market(Nanos(1), CoinId(0), btc_market(100_000.0), &mut sink);
        g.on_intent(Nanos(2), &btc_intent(10.0), &mut sink);
        sink.ladders.clear();
        let wild = CoinMarket { sigma_frac_per_sqrt_s: 5e-3, sigma_is_warm: true, ..btc_market(100_000.0) };
        g.on_market(Nanos(3), CoinId(0), wild, &mut sink);
        assert_eq!(sink.levels(), vec![0], "pulled on the σ update itself");
        g.on_market(Nanos(4), CoinId(0), wild, &mut sink);
        assert!(sink.ladders.is_empty(), "no re-approval while it stays pulled");
        g.on_market(Nanos(5), CoinId(0), btc_market(100_000.0), &mut sink);
        assert_eq!(sink.levels(), vec![2], "restored when σ falls back");
        g.on_market(Nanos(6), CoinId(9), wild, &mut sink);
        g.on_intent(Nanos(6), &TargetLadder::empty(CoinId(9)), &mut sink);
        assert!(!g.on_feed_health(Nanos(6), CoinId(9), true, &mut sink));
        assert!(sink.ladders.is_empty());
    }
}
