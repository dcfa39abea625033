//! The kinds of venue order refusal — [`RejectReason`] without the unknown text — each with
//! its report name and what it says about the engine, and a count per kind in a fixed array
//! (no allocation per reject).
//!
//! What a kind says decides what is done about it (`venue_refusals`):
//! - a *race* (post-only would match, order gone, IOC found nothing) is normal market-making
//!   life: counted only;
//! - *our bug* (bad tick, bad size, under the minimum value, unknown coin, duplicate cloid):
//!   the engine built an order the venue's rules refuse — repeated, it halts the engine;
//! - the *rate limit* (the address's request budget is spent at the venue) and *margin*
//!   (insufficient margin, margin tier limit) change what may be quoted for a while;
//! - the *oracle band* is already checked before sending (`price_band_oracle_bps`): counted;
//! - anything else (the venue's open-order cap, a reduce-only order that would grow the
//!   position — the engine sends none —, an unrecognised text) is unexpected: counted and
//!   logged.

use crate::venue::RejectReason;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A [`RejectReason`]'s kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectKind {
    PostOnlyWouldMatch,
    BadTick,
    BadSize,
    BelowMinNotional,
    UnknownCoin,
    TooManyOpenOrders,
    DuplicateCloid,
    InsufficientMargin,
    ReduceOnlyWouldIncrease,
    IocCouldNotMatch,
    PriceTooFarFromOracle,
    MarginTierLimit,
    RateLimited,
    OrderGone,
    Unknown,
}

/// Number of kinds.
pub const REJECT_KIND_COUNT: usize = 15;

/// What a kind of refusal says about the engine (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalClass {
    /// A normal race with the market: counted only.
    Race,
    /// The engine built an order the venue's rules refuse.
    OurBug,
    /// The address's request budget is spent at the venue.
    RateLimit,
    /// The account's margin cannot carry more position.
    Margin,
    /// Too far from the oracle: the gate's oracle band already guards this.
    OracleBand,
    /// Not expected from this engine: counted and logged.
    Unexpected,
}

impl RejectKind {
    pub const ALL: [RejectKind; REJECT_KIND_COUNT] = [
        RejectKind::PostOnlyWouldMatch,
        RejectKind::BadTick,
        RejectKind::BadSize,
        RejectKind::BelowMinNotional,
        RejectKind::UnknownCoin,
        RejectKind::TooManyOpenOrders,
        RejectKind::DuplicateCloid,
        RejectKind::InsufficientMargin,
        RejectKind::ReduceOnlyWouldIncrease,
        RejectKind::IocCouldNotMatch,
        RejectKind::PriceTooFarFromOracle,
        RejectKind::MarginTierLimit,
        RejectKind::RateLimited,
        RejectKind::OrderGone,
        RejectKind::Unknown,
    ];

    pub const fn of(reason: &RejectReason) -> RejectKind {
        match reason {
            RejectReason::PostOnlyWouldMatch => RejectKind::PostOnlyWouldMatch,
            RejectReason::BadTick => RejectKind::BadTick,
            RejectReason::BadSize => RejectKind::BadSize,
            RejectReason::BelowMinNotional => RejectKind::BelowMinNotional,
            RejectReason::UnknownCoin => RejectKind::UnknownCoin,
            RejectReason::TooManyOpenOrders => RejectKind::TooManyOpenOrders,
            RejectReason::DuplicateCloid => RejectKind::DuplicateCloid,
            RejectReason::InsufficientMargin => RejectKind::InsufficientMargin,
            RejectReason::ReduceOnlyWouldIncrease => RejectKind::ReduceOnlyWouldIncrease,
            RejectReason::IocCouldNotMatch => RejectKind::IocCouldNotMatch,
            RejectReason::PriceTooFarFromOracle => RejectKind::PriceTooFarFromOracle,
            RejectReason::MarginTierLimit => RejectKind::MarginTierLimit,
            RejectReason::RateLimited => RejectKind::RateLimited,
            RejectReason::OrderGone => RejectKind::OrderGone,
            RejectReason::Unknown(_) => RejectKind::Unknown,
        }
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    /// The report's and the metrics label's name.
    pub const fn name(self) -> &'static str {
        match self {
            RejectKind::PostOnlyWouldMatch => "post_only_would_match",
            RejectKind::BadTick => "bad_tick",
            RejectKind::BadSize => "bad_size",
            RejectKind::BelowMinNotional => "below_min_notional",
            RejectKind::UnknownCoin => "unknown_coin",
            RejectKind::TooManyOpenOrders => "too_many_open_orders",
            RejectKind::DuplicateCloid => "duplicate_cloid",
            RejectKind::InsufficientMargin => "insufficient_margin",
            RejectKind::ReduceOnlyWouldIncrease => "reduce_only_would_increase",
            RejectKind::IocCouldNotMatch => "ioc_could_not_match",
            RejectKind::PriceTooFarFromOracle => "price_too_far_from_oracle",
            RejectKind::MarginTierLimit => "margin_tier_limit",
            RejectKind::RateLimited => "rate_limited",
            RejectKind::OrderGone => "order_gone",
            RejectKind::Unknown => "unknown",
        }
    }

    pub const fn class(self) -> RefusalClass {
        match self {
            RejectKind::PostOnlyWouldMatch | RejectKind::OrderGone | RejectKind::IocCouldNotMatch => RefusalClass::Race,
            RejectKind::BadTick
            | RejectKind::BadSize
            | RejectKind::BelowMinNotional
            | RejectKind::UnknownCoin
            | RejectKind::DuplicateCloid => RefusalClass::OurBug,
            RejectKind::RateLimited => RefusalClass::RateLimit,
            RejectKind::InsufficientMargin | RejectKind::MarginTierLimit => RefusalClass::Margin,
            RejectKind::PriceTooFarFromOracle => RefusalClass::OracleBand,
            RejectKind::TooManyOpenOrders | RejectKind::ReduceOnlyWouldIncrease | RejectKind::Unknown => {
                RefusalClass::Unexpected
            }
        }
    }

    /// Whether the risk gate acts on this kind (OrderActor tells RiskActor about it).
    pub const fn reaches_risk(self) -> bool {
        matches!(self.class(), RefusalClass::OurBug | RefusalClass::RateLimit | RefusalClass::Margin)
    }
}

impl std::fmt::Display for RejectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A count per kind; serialized as `{kind name: count}` (zero counts left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RejectCounts([u64; REJECT_KIND_COUNT]);

impl RejectCounts {
    /// Counts one refusal of `kind`; returns the kind's count after it.
    pub fn add(&mut self, kind: RejectKind) -> u64 {
        let n = &mut self.0[kind.index()];
        *n += 1;
        *n
    }

    pub fn get(&self, kind: RejectKind) -> u64 {
        self.0[kind.index()]
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// The kinds counted at least once, with their counts, in `RejectKind::ALL` order.
    pub fn nonzero(&self) -> impl Iterator<Item = (RejectKind, u64)> + '_ {
        RejectKind::ALL.into_iter().map(|k| (k, self.get(k))).filter(|&(_, n)| n > 0)
    }
}

impl Serialize for RejectCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.nonzero().count()))?;
        for (kind, n) in self.nonzero() {
            map.serialize_entry(kind.name(), &n)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venue::RejectText;

    #[test]
    fn indices_follow_all_and_names_are_unique_snake_case() {
        for (i, k) in RejectKind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i);
            assert!(k.name().chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", k.name());
        }
        let mut names: Vec<&str> = RejectKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REJECT_KIND_COUNT);
    }

    #[test]
    fn each_reason_has_its_kind_and_class() {
        let unknown = RejectReason::Unknown(RejectText::truncated("Something new"));
        assert_eq!(RejectKind::of(&unknown), RejectKind::Unknown);
        assert_eq!(RejectKind::of(&RejectReason::MarginTierLimit), RejectKind::MarginTierLimit);
        assert_eq!(RejectKind::BadTick.class(), RefusalClass::OurBug);
        assert_eq!(RejectKind::OrderGone.class(), RefusalClass::Race);
        assert!(RejectKind::RateLimited.reaches_risk() && RejectKind::InsufficientMargin.reaches_risk());
        assert!(RejectKind::DuplicateCloid.reaches_risk());
        for quiet in [RejectKind::PostOnlyWouldMatch, RejectKind::PriceTooFarFromOracle, RejectKind::Unknown] {
            assert!(!quiet.reaches_risk(), "{quiet}");
        }
    }

    #[test]
    fn counts_serialize_nonzero_by_name() {
        let mut c = RejectCounts::default();
        assert_eq!(c.add(RejectKind::RateLimited), 1);
        assert_eq!(c.add(RejectKind::RateLimited), 2);
        c.add(RejectKind::BadTick);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"bad_tick":1,"rate_limited":2}"#);
        assert_eq!(c.total(), 3);
        assert_eq!(c.nonzero().collect::<Vec<_>>(), vec![(RejectKind::BadTick, 1), (RejectKind::RateLimited, 2)]);
    }
}
