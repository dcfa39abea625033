//! Why the gate clipped or dropped a quote level: one reason per limit, counted per intent
//! in fixed arrays (no allocation) and reported by name.
//!
//! A dropped level has exactly one reason: the first check (in the order below) that took it
//! out. A clipped level is counted under the limit that bound its size (the smallest cap).

use serde::ser::{Serialize, SerializeMap, Serializer};

/// The limit behind a clipped or dropped level, in the order the gate checks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskReason {
    /// Trading state HALTED: nothing is quoted.
    Halted,
    /// The coin's feed is stale: its quotes are pulled until it is fresh.
    FeedStale,
    /// No mid is known yet: no price band or notional limit can be checked.
    NoMid,
    /// σ above `vol_pull_sigma_frac_per_sqrt_s`: the coin's quotes are pulled.
    VolatilityPull,
    /// Trading state REDUCE_ONLY: only the reducing side, up to the position.
    ReduceOnly,
    /// The address request budget is below its headroom, or the venue said it is spent
    /// (rate limited, for a cool-down): only the reducing side.
    InventoryForcing,
    /// The venue refused the coin's order for margin (for a cool-down): only the reducing
    /// side.
    VenueMargin,
    /// |position| reached `soft_position_base`: the side that adds is dropped.
    SoftPositionBase,
    /// |position|·mid reached `soft_position_usd`: the side that adds is dropped.
    SoftPositionUsd,
    /// The level would let the position pass `max_position_base`.
    MaxPositionBase,
    /// The level would let the position's notional pass `max_position_usd`.
    MaxPositionUsd,
    /// Further than `price_band_mid_bps` from the mid.
    PriceBandMid,
    /// Further than `price_band_oracle_bps` from the oracle price.
    PriceBandOracle,
    /// Larger than `max_order_size_base`.
    MaxOrderSizeBase,
    /// Worth more than `max_order_usd`.
    MaxOrderUsd,
    /// Not a whole number of lots (rounded down).
    LotSize,
    /// Worth less than the venue's minimum order value (after any clip).
    MinNotional,
    /// Past `max_open_orders` across all coins (deepest levels go first).
    MaxOpenOrders,
    /// No token left in the new-order bucket (`max_new_orders_per_s`).
    Throttle,
}

/// Number of reasons.
pub const REASON_COUNT: usize = 19;

impl RiskReason {
    pub const ALL: [RiskReason; REASON_COUNT] = [
        RiskReason::Halted,
        RiskReason::FeedStale,
        RiskReason::NoMid,
        RiskReason::VolatilityPull,
        RiskReason::ReduceOnly,
        RiskReason::InventoryForcing,
        RiskReason::VenueMargin,
        RiskReason::SoftPositionBase,
        RiskReason::SoftPositionUsd,
        RiskReason::MaxPositionBase,
        RiskReason::MaxPositionUsd,
        RiskReason::PriceBandMid,
        RiskReason::PriceBandOracle,
        RiskReason::MaxOrderSizeBase,
        RiskReason::MaxOrderUsd,
        RiskReason::LotSize,
        RiskReason::MinNotional,
        RiskReason::MaxOpenOrders,
        RiskReason::Throttle,
    ];

    pub const fn index(self) -> usize {
        self as usize
    }

    /// The report's name: the limit's key where there is one.
    pub const fn name(self) -> &'static str {
        match self {
            RiskReason::Halted => "halted",
            RiskReason::FeedStale => "feed_stale",
            RiskReason::NoMid => "no_mid",
            RiskReason::VolatilityPull => "volatility_pull",
            RiskReason::ReduceOnly => "reduce_only",
            RiskReason::InventoryForcing => "inventory_forcing",
            RiskReason::VenueMargin => "venue_margin",
            RiskReason::SoftPositionBase => "soft_position_base",
            RiskReason::SoftPositionUsd => "soft_position_usd",
            RiskReason::MaxPositionBase => "max_position_base",
            RiskReason::MaxPositionUsd => "max_position_usd",
            RiskReason::PriceBandMid => "price_band_mid",
            RiskReason::PriceBandOracle => "price_band_oracle",
            RiskReason::MaxOrderSizeBase => "max_order_size_base",
            RiskReason::MaxOrderUsd => "max_order_usd",
            RiskReason::LotSize => "lot_size",
            RiskReason::MinNotional => "min_notional",
            RiskReason::MaxOpenOrders => "max_open_orders",
            RiskReason::Throttle => "throttle",
        }
    }
}

/// A count per reason; serialized as `{reason name: count}` (zero counts left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReasonCounts([u64; REASON_COUNT]);

impl ReasonCounts {
    pub fn add(&mut self, reason: RiskReason, n: u64) {
        self.0[reason.index()] += n;
    }

    pub fn get(&self, reason: RiskReason) -> u64 {
        self.0[reason.index()]
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &ReasonCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }
}

impl Serialize for ReasonCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let nonzero = self.0.iter().filter(|&&n| n > 0).count();
        let mut map = serializer.serialize_map(Some(nonzero))?;
        for reason in RiskReason::ALL {
            let n = self.get(reason);
            if n > 0 {
                map.serialize_entry(reason.name(), &n)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_follow_the_check_order_and_names_are_unique() {
        for (i, r) in RiskReason::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
        }
        let mut names: Vec<&str> = RiskReason::ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REASON_COUNT);
    }

    #[test]
    fn serializes_nonzero_counts_by_name() {
        let mut c = ReasonCounts::default();
        c.add(RiskReason::Throttle, 2);
        c.add(RiskReason::MaxPositionBase, 1);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"max_position_base":1,"throttle":2}"#);
        assert_eq!(c.total(), 3);
    }
}
