//! Hyperliquid's address-based request budget, tracked so the engine never runs it out.
//!
//! The rule (HYPERLIQUID.md, "Address limit"; Hyperliquid docs, "Rate limits and user
//! limits"): an address may send 10,000 actions plus one per 1 USDC it has traded since it was
//! created; a batch of n orders counts n; cancels are allowed up to
//! `min(limit + 100000, 2·limit)` so a throttled address can still cancel; past the limit
//! the address may send one request per 10 s. The venue's own count is the info request
//! `userRateLimit` → `{cumVlm, nRequestsUsed, nRequestsCap}`; the session starts from those
//! (`AddressBudget`) and adds what it sends and trades.
//!
//! What is counted as sent: when OrderActor reports its batches (`on_requests_sent`), exactly
//! that; until then the gate counts its own approvals — each level of an approved ladder that
//! was not in the coin's previous approved ladder is one order, each level that left it one
//! cancel. That over-counts (OrderActor keeps orders that moved less than its requote
//! tolerance), which errs on the safe side of a budget.
//!
//! Below `request_headroom` requests left the gate enters inventory-forcing mode: it quotes
//! only the side that reduces the position, so the fills it gets earn budget back without
//! adding risk.

use super::AccountRiskLimits;
use serde::{Deserialize, Serialize};

/// Extra cancels Hyperliquid allows past the request limit (capped at twice the limit).
pub const EXTRA_CANCELS: u64 = 100_000;

/// The address's standing at session start (`userRateLimit`: `nRequestsUsed`, `cumVlm`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AddressBudget {
    pub requests_used: u64,
    pub cum_volume_usd: f64,
}

/// Where the sent requests are counted from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestCounting {
    /// Estimated from the gate's own approvals (before OrderActor reports any batch).
    #[default]
    ApprovedLadders,
    /// Exactly as OrderActor sent them.
    OrderActor,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RequestBudget {
    at_start: AddressBudget,
    session_orders: u64,
    session_cancels: u64,
    session_volume_usd: f64,
    counting: RequestCounting,
}

/// The budget as reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RequestBudgetSnapshot {
    pub requests_used: u64,
    pub requests_allowed: u64,
    /// allowed − used (negative: over the limit; the venue allows one request per 10 s).
    pub requests_left: i64,
    pub cancels_allowed: u64,
    pub session_orders: u64,
    pub session_cancels: u64,
    pub cum_volume_usd: f64,
    pub inventory_forcing: bool,
    pub counting: RequestCounting,
}

impl RequestBudget {
    pub fn new(at_start: AddressBudget) -> Self {
        Self { at_start, ..Self::default() }
    }

    /// Actions sent: `orders` new orders (or modifies), `cancels` cancels.
    pub fn count(&mut self, orders: u64, cancels: u64) {
        self.session_orders += orders;
        self.session_cancels += cancels;
    }

    /// OrderActor's exact counts: from now on approvals are no longer counted.
    pub fn count_exact(&mut self, orders: u64, cancels: u64) {
        self.counting = RequestCounting::OrderActor;
        self.count(orders, cancels);
    }

    pub fn counting(&self) -> RequestCounting {
        self.counting
    }

    /// USD traded this session (all coins), cumulative.
    pub fn set_session_volume(&mut self, volume_usd: f64) {
        self.session_volume_usd = volume_usd;
    }

    pub fn cum_volume_usd(&self) -> f64 {
        self.at_start.cum_volume_usd + self.session_volume_usd
    }

    /// Every action sent by the address (cancels included).
    pub fn used(&self) -> u64 {
        self.at_start.requests_used + self.session_orders + self.session_cancels
    }

    /// `initial + per_usd · cumulative volume`.
    pub fn allowed(&self, limits: &AccountRiskLimits) -> u64 {
        let earned = (limits.requests_per_usd_traded * self.cum_volume_usd()).floor();
        // f64 → u64 saturates: a huge volume cannot wrap.
        limits.request_budget_initial.saturating_add(earned as u64)
    }

    /// `min(allowed + 100000, 2·allowed)`.
    pub fn cancels_allowed(&self, limits: &AccountRiskLimits) -> u64 {
        let allowed = self.allowed(limits);
        allowed.saturating_add(EXTRA_CANCELS).min(allowed.saturating_mul(2))
    }

    pub fn left(&self, limits: &AccountRiskLimits) -> i64 {
        let (allowed, used) = (i128::from(self.allowed(limits)), i128::from(self.used()));
        (allowed - used).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// Fewer than `request_headroom` requests left: quote only the reducing side.
    pub fn inventory_forcing(&self, limits: &AccountRiskLimits) -> bool {
        self.left(limits) < i64::try_from(limits.request_headroom).unwrap_or(i64::MAX)
    }

    pub fn snapshot(&self, limits: &AccountRiskLimits) -> RequestBudgetSnapshot {
        RequestBudgetSnapshot {
            requests_used: self.used(),
            requests_allowed: self.allowed(limits),
            requests_left: self.left(limits),
            cancels_allowed: self.cancels_allowed(limits),
            session_orders: self.session_orders,
            session_cancels: self.session_cancels,
            cum_volume_usd: self.cum_volume_usd(),
            inventory_forcing: self.inventory_forcing(limits),
            counting: self.counting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(headroom: u64) -> AccountRiskLimits {
        AccountRiskLimits { request_headroom: headroom, ..AccountRiskLimits::default() }
    }

    #[test]
    fn ten_thousand_plus_one_per_usd_and_the_cancel_allowance() {
        let l = limits(1_000);
        let mut b = RequestBudget::new(AddressBudget { requests_used: 500, cum_volume_usd: 30_782.21 });
        assert_eq!(b.allowed(&l), 40_782, "10,000 + floor(30,782.21)");
        assert_eq!(b.cancels_allowed(&l), 81_564, "2·limit while under 100,000");
        assert_eq!(b.used(), 500);
        b.count(300, 200);
        assert_eq!((b.used(), b.left(&l)), (1_000, 39_782));
        b.set_session_volume(1_000.5);
        assert_eq!(b.allowed(&l), 41_782);
        let big = RequestBudget::new(AddressBudget { requests_used: 0, cum_volume_usd: 348_945_113.96 });
        assert_eq!(big.allowed(&l), 348_955_113);
        assert_eq!(big.cancels_allowed(&l), 349_055_113, "limit + 100,000 once that is less than 2·limit");
    }

    #[test]
    fn below_the_headroom_is_inventory_forcing_and_trading_lifts_it() {
        let l = limits(1_000);
        let mut b = RequestBudget::new(AddressBudget { requests_used: 8_999, cum_volume_usd: 0.0 });
        assert_eq!(b.left(&l), 1_001);
        assert!(!b.inventory_forcing(&l));
        b.count(1, 0);
        assert!(!b.inventory_forcing(&l), "exactly the headroom left is still fine");
        b.count(0, 1);
        assert!(b.inventory_forcing(&l));
        b.count(5_000, 0);
        assert_eq!(b.left(&l), -4_001, "over the limit shows as negative");
        b.set_session_volume(6_000.0);
        assert_eq!(b.left(&l), 1_999);
        assert!(!b.inventory_forcing(&l));
        let snap = b.snapshot(&l);
        assert_eq!((snap.requests_used, snap.requests_allowed, snap.inventory_forcing), (14_001, 16_000, false));
        assert_eq!(snap.counting, RequestCounting::ApprovedLadders);
        b.count_exact(1, 1);
        assert_eq!(b.counting(), RequestCounting::OrderActor);
    }
}
