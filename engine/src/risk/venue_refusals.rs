//! What the gate does about the venue refusing our orders: the policy, a small state machine
//! handed the time. OrderActor counts and logs every refusal; the kinds that change what may
//! be quoted ([`RejectKind::reaches_risk`]) come here.
//!
//! - *rate limited* (the address's request budget is spent at the venue, whatever our own
//!   count says): the budget is treated as exhausted — inventory forcing, the gate's own mode
//!   near the end of its budget: only the reducing side — until `rate_limited_cooldown_ms`
//!   after the last such refusal. Hyperliquid then allows one request per 10 s, so the few
//!   requests left go to orders that reduce risk and earn budget back by trading.
//! - *margin* (insufficient margin, margin tier limit): once `margin_refusals_to_restrict`
//!   of a coin's orders were refused for margin, each within the cool-down of the one before
//!   (one refusal can be a single order that did not fit; the next confirms the margin is
//!   full), the coin quotes only the reducing side until `margin_refusal_cooldown_ms` after
//!   its last such refusal; orders that grow the position would keep failing meanwhile.
//! - *our bug* (bad tick, bad size, under the minimum value, unknown coin, duplicate cloid):
//!   `bug_refusals_to_halt` refusals of one kind within `bug_refusal_window_ms`, any coins,
//!   halt the whole engine with a reason naming the kind. The whole engine, not the coin: the
//!   gate's trading state already carries HALTED with its reason and time, cancels every
//!   order at once and needs an operator to resume — the right answer to a bug, which no
//!   cool-down cures — and the code or metadata behind such a refusal (tick and lot rules,
//!   price formatting, the cloid sequence) is shared by every coin.
//! - The oracle band is checked before sending (`price_band_oracle_bps`); races are normal:
//!   neither reaches the policy.
//!
//! Each cool-down is extended by every further refusal of its kind; `expire` lifts the ones
//! that ended (the actor wakes at `next_expiry`), while the checks ask `budget_exhausted` and
//! `coin_reduce_only` with the time, so a missed wake-up never keeps a restriction alive.

use super::reject_kinds::{RefusalClass, RejectCounts, RejectKind};
use super::AccountRiskLimits;
use crate::types::{CoinId, Nanos};
use serde::Serialize;

/// Most `bug_refusals_to_halt` can be: the refusal times each kind keeps.
pub const MAX_BUG_REFUSALS_TO_HALT: u32 = 64;
const WINDOW_CAPACITY: usize = MAX_BUG_REFUSALS_TO_HALT as usize;

/// The our-bug kinds, each with a window of its own.
const BUG_KINDS: [RejectKind; 5] = [
    RejectKind::BadTick,
    RejectKind::BadSize,
    RejectKind::BelowMinNotional,
    RejectKind::UnknownCoin,
    RejectKind::DuplicateCloid,
];

/// A configured duration; a huge value saturates instead of wrapping.
fn millis(ms: u64) -> Nanos {
    Nanos(ms.saturating_mul(1_000_000))
}

/// What one refusal changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalEffect {
    /// Counted only (also: a further refusal inside a running cool-down, which only extends
    /// it).
    Counted,
    /// The address's budget is now treated as exhausted until `until`.
    BudgetExhausted { until: Nanos },
    /// `coin` now quotes only the reducing side until `until`.
    CoinReduceOnly { coin: CoinId, until: Nanos },
    /// `count` refusals of `kind` within `window`: the engine must halt.
    Halt { kind: RejectKind, count: u32, window: Nanos },
}

/// What `expire` lifted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expired {
    pub budget: bool,
    /// Bit `i`: coin `i`'s margin cool-down ended.
    pub coins: u64,
}

/// The policy's state as reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VenueRefusalSnapshot {
    /// Refusals the gate was told about, per kind.
    pub received: RejectCounts,
    /// While set: the venue said the request budget is spent; inventory forcing until then.
    pub rate_limited_until: Option<Nanos>,
    /// Coins quoting only the reducing side after a margin refusal.
    pub margin_reduce_only_coins: usize,
    /// Times repeated our-bug refusals halted the engine.
    pub halts: u64,
}

/// The last refusal times of one kind, a ring of fixed size.
#[derive(Debug, Clone, Copy)]
struct Window {
    times: [Nanos; WINDOW_CAPACITY],
    next: usize,
    len: usize,
}

impl Default for Window {
    fn default() -> Self {
        Self { times: [Nanos::ZERO; WINDOW_CAPACITY], next: 0, len: 0 }
    }
}

impl Window {
    fn record(&mut self, now: Nanos) {
        self.times[self.next] = now;
        self.next = (self.next + 1) % WINDOW_CAPACITY;
        self.len = (self.len + 1).min(WINDOW_CAPACITY);
    }

    /// Whether the last `n` refusals (1 ≤ n ≤ capacity) all fell within `window` of `now`.
    fn last_n_within(&self, n: usize, now: Nanos, window: Nanos) -> bool {
        if n == 0 || n > self.len {
            return false;
        }
        let oldest = self.times[(self.next + WINDOW_CAPACITY - n) % WINDOW_CAPACITY];
        now.saturating_sub(oldest) <= window
    }
}

#[derive(Debug, Clone)]
pub struct VenueRefusals {
    rate_limited_until: Option<Nanos>,
    /// Per coin: reducing side only until then.
    margin_until: Vec<Option<Nanos>>,
    /// Per coin: margin refusals in a row (each within the cool-down of the one before), the
    /// last one's time.
    margin_strikes: Vec<(u32, Nanos)>,
    bug_windows: [Window; BUG_KINDS.len()],
    received: RejectCounts,
    halts: u64,
}

impl VenueRefusals {
    pub fn new(coin_count: usize) -> Self {
        Self {
            rate_limited_until: None,
            margin_until: vec![None; coin_count],
            margin_strikes: vec![(0, Nanos::ZERO); coin_count],
            bug_windows: [Window::default(); BUG_KINDS.len()],
            received: RejectCounts::default(),
            halts: 0,
        }
    }

    /// One refusal of `coin`'s order at `now`; what it changes. A coin the policy does not
    /// know is counted only (its margin cool-down has nowhere to go).
    pub fn on_refusal(
        &mut self,
        now: Nanos,
        coin: CoinId,
        kind: RejectKind,
        limits: &AccountRiskLimits,
    ) -> RefusalEffect {
        self.received.add(kind);
        match kind.class() {
            RefusalClass::RateLimit => {
                let until = now + millis(limits.rate_limited_cooldown_ms);
                let was = self.budget_exhausted(now);
                self.rate_limited_until = Some(self.rate_limited_until.map_or(until, |t| t.max(until)));
                if was || until <= now {
                    RefusalEffect::Counted
                } else {
                    RefusalEffect::BudgetExhausted { until }
                }
            }
            RefusalClass::Margin => {
                let was = self.coin_reduce_only(coin, now);
                let cooldown = millis(limits.margin_refusal_cooldown_ms);
                let (Some(slot), Some(strikes)) =
                    (self.margin_until.get_mut(coin.index()), self.margin_strikes.get_mut(coin.index()))
                else {
                    return RefusalEffect::Counted;
                };
                let in_a_row = strikes.0 > 0 && now.saturating_sub(strikes.1) <= cooldown;
                *strikes = (if in_a_row { strikes.0.saturating_add(1) } else { 1 }, now);
                if strikes.0 < limits.margin_refusals_to_restrict {
                    return RefusalEffect::Counted;
                }
                let until = now + cooldown;
                *slot = Some(slot.map_or(until, |t| t.max(until)));
                if was || until <= now {
                    RefusalEffect::Counted
                } else {
                    RefusalEffect::CoinReduceOnly { coin, until }
                }
            }
            RefusalClass::OurBug => {
                let Some(i) = BUG_KINDS.iter().position(|&k| k == kind) else { return RefusalEffect::Counted };
                let window = millis(limits.bug_refusal_window_ms);
                let count = limits.bug_refusals_to_halt.min(MAX_BUG_REFUSALS_TO_HALT);
                self.bug_windows[i].record(now);
                if !self.bug_windows[i].last_n_within(count as usize, now, window) {
                    return RefusalEffect::Counted;
                }
                // Start afresh: an operator who resumes is not halted again by the old ones.
                self.bug_windows = [Window::default(); BUG_KINDS.len()];
                self.halts += 1;
                RefusalEffect::Halt { kind, count, window }
            }
            RefusalClass::Race | RefusalClass::OracleBand | RefusalClass::Unexpected => RefusalEffect::Counted,
        }
    }

    /// The venue said the request budget is spent, less than the cool-down ago.
    pub fn budget_exhausted(&self, now: Nanos) -> bool {
        self.rate_limited_until.is_some_and(|t| now < t)
    }

    /// Coin `coin` (index) had a margin refusal less than the cool-down ago.
    pub fn coin_reduce_only(&self, coin: CoinId, now: Nanos) -> bool {
        self.margin_until.get(coin.index()).copied().flatten().is_some_and(|t| now < t)
    }

    /// When the next cool-down ends, if one runs.
    pub fn next_expiry(&self) -> Option<Nanos> {
        self.margin_until.iter().flatten().copied().chain(self.rate_limited_until).min()
    }

    /// Lifts every cool-down ended by `now`; says which.
    pub fn expire(&mut self, now: Nanos) -> Expired {
        let mut expired = Expired::default();
        if self.rate_limited_until.is_some_and(|t| t <= now) {
            self.rate_limited_until = None;
            expired.budget = true;
        }
        for (i, slot) in self.margin_until.iter_mut().enumerate() {
            if slot.is_some_and(|t| t <= now) {
                *slot = None;
                expired.coins |= 1u64.checked_shl(i as u32).unwrap_or(0);
            }
        }
        expired
    }

    pub fn margin_until(&self, coin: CoinId) -> Option<Nanos> {
        self.margin_until.get(coin.index()).copied().flatten()
    }

    pub fn snapshot(&self) -> VenueRefusalSnapshot {
        VenueRefusalSnapshot {
            received: self.received,
            rate_limited_until: self.rate_limited_until,
            margin_reduce_only_coins: self.margin_until.iter().flatten().count(),
            halts: self.halts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000;
    const BTC: CoinId = CoinId(0);
    const ETH: CoinId = CoinId(1);

    fn at_s(s: u64) -> Nanos {
        Nanos::from_millis(s * S)
    }

    fn limits() -> AccountRiskLimits {
        AccountRiskLimits::default() // rate limit 10 s; margin 2 refusals, 5 s; halt after 5 in 60 s
    }

    #[test]
    fn rate_limited_exhausts_the_budget_until_the_cool_down_after_the_last_one() {
        let mut p = VenueRefusals::new(2);
        let l = limits();
        assert!(!p.budget_exhausted(at_s(1)));
        assert_eq!(
            p.on_refusal(at_s(1), BTC, RejectKind::RateLimited, &l),
            RefusalEffect::BudgetExhausted { until: at_s(11) }
        );
        assert!(p.budget_exhausted(at_s(1)) && p.budget_exhausted(at_s(10)));
        // Another one inside the cool-down extends it without a new effect.
        assert_eq!(p.on_refusal(at_s(5), ETH, RejectKind::RateLimited, &l), RefusalEffect::Counted);
        assert_eq!(p.next_expiry(), Some(at_s(15)));
        assert!(p.budget_exhausted(at_s(14)));
        assert_eq!(p.expire(at_s(14)), Expired::default());
        assert!(!p.budget_exhausted(at_s(15)), "the checks see the end without expire");
        assert_eq!(p.expire(at_s(15)), Expired { budget: true, coins: 0 });
        assert_eq!((p.next_expiry(), p.snapshot().rate_limited_until), (None, None));
        assert_eq!(p.snapshot().received.get(RejectKind::RateLimited), 2);
        // A coin's margin is untouched by the address's budget.
        assert!(!p.coin_reduce_only(BTC, at_s(2)));
    }

    #[test]
    fn a_margin_refusal_makes_only_its_coin_reduce_only_for_the_cool_down() {
        let mut p = VenueRefusals::new(2);
        let l = AccountRiskLimits { margin_refusal_cooldown_ms: 30_000, ..limits() };
        // One refusal may be one order that did not fit; a second within the cool-down of it
        // confirms. One too late starts counting again.
        assert_eq!(p.on_refusal(at_s(0), ETH, RejectKind::InsufficientMargin, &l), RefusalEffect::Counted);
        assert_eq!(p.on_refusal(at_s(31), ETH, RejectKind::MarginTierLimit, &l), RefusalEffect::Counted);
        assert!(!p.coin_reduce_only(ETH, at_s(1)));
        p = VenueRefusals::new(2);
        assert_eq!(p.on_refusal(at_s(1), ETH, RejectKind::MarginTierLimit, &l), RefusalEffect::Counted);
        let effect = p.on_refusal(at_s(2), ETH, RejectKind::InsufficientMargin, &l);
        assert_eq!(effect, RefusalEffect::CoinReduceOnly { coin: ETH, until: at_s(32) });
        assert!(p.coin_reduce_only(ETH, at_s(31)) && !p.coin_reduce_only(BTC, at_s(3)));
        assert!(!p.budget_exhausted(at_s(3)), "margin is not the request budget");
        assert_eq!(p.on_refusal(at_s(10), ETH, RejectKind::MarginTierLimit, &l), RefusalEffect::Counted);
        assert_eq!(p.margin_until(ETH), Some(at_s(40)));
        assert_eq!(p.snapshot().margin_reduce_only_coins, 1);
        assert_eq!(p.expire(at_s(40)), Expired { budget: false, coins: 0b10 });
        assert!(!p.coin_reduce_only(ETH, at_s(40)));
        // An unknown coin is counted only.
        assert_eq!(p.on_refusal(at_s(41), CoinId(9), RejectKind::InsufficientMargin, &l), RefusalEffect::Counted);
    }

    #[test]
    fn repeated_bad_ticks_within_the_window_halt_naming_the_kind() {
        let mut p = VenueRefusals::new(2);
        let l = limits();
        // Four in the window, then one too late for the first: no halt.
        for s in [0, 10, 20, 30] {
            assert_eq!(p.on_refusal(at_s(s), BTC, RejectKind::BadTick, &l), RefusalEffect::Counted);
        }
        assert_eq!(p.on_refusal(at_s(61), ETH, RejectKind::BadTick, &l), RefusalEffect::Counted, "0 s fell out");
        // Other kinds keep windows of their own.
        assert_eq!(p.on_refusal(at_s(62), BTC, RejectKind::BadSize, &l), RefusalEffect::Counted);
        let effect = p.on_refusal(at_s(65), BTC, RejectKind::BadTick, &l);
        let window = Nanos::from_millis(60_000);
        assert_eq!(effect, RefusalEffect::Halt { kind: RejectKind::BadTick, count: 5, window });
        assert_eq!(p.snapshot().halts, 1);
        // The windows start afresh: the next one does not halt again.
        assert_eq!(p.on_refusal(at_s(66), BTC, RejectKind::BadTick, &l), RefusalEffect::Counted);
    }

    #[test]
    fn races_the_oracle_band_and_unexpected_kinds_are_counted_only_and_zero_disables() {
        let mut p = VenueRefusals::new(1);
        let l = limits();
        for kind in [
            RejectKind::PostOnlyWouldMatch,
            RejectKind::OrderGone,
            RejectKind::IocCouldNotMatch,
            RejectKind::PriceTooFarFromOracle,
            RejectKind::TooManyOpenOrders,
            RejectKind::Unknown,
        ] {
            for _ in 0..10 {
                assert_eq!(p.on_refusal(at_s(1), BTC, kind, &l), RefusalEffect::Counted, "{kind}");
            }
        }
        assert_eq!(p.next_expiry(), None);
        let off = AccountRiskLimits::permissive();
        for _ in 0..100 {
            assert_eq!(p.on_refusal(at_s(2), BTC, RejectKind::DuplicateCloid, &off), RefusalEffect::Counted);
        }
        assert_eq!(p.on_refusal(at_s(2), BTC, RejectKind::RateLimited, &off), RefusalEffect::Counted, "0 ms");
        assert!(!p.budget_exhausted(at_s(2)));
        assert_eq!(p.snapshot().received.total(), 161);
    }

    #[test]
    fn the_window_ring_wraps() {
        let mut w = Window::default();
        for s in 0..200 {
            w.record(at_s(s));
        }
        assert!(w.last_n_within(64, at_s(199), at_s(63)));
        assert!(!w.last_n_within(64, at_s(199), at_s(62)));
        assert!(!w.last_n_within(65, at_s(199), at_s(1_000)), "more than it keeps");
    }
}
