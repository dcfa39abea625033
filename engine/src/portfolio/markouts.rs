//! Markouts: how the mid moved after each of our fills, at fixed horizons.
//!
//! Each fill waits in a fixed-capacity queue ([`MarkoutQueue`], allocated once) with the
//! horizons still to resolve. A horizon resolves at the first mid that arrives at or after
//! `fill time + horizon`, provided it arrives within `max_lag` of that instant; a horizon
//! whose deadline (`+ max_lag`) passes without a mid is *expired* and counted, not guessed.
//! A fill pushed into a full queue evicts the oldest waiting fill, whose open horizons expire.
//!
//! The markout of a fill of side `s` (+1 bid, −1 ask) at price `p`, size `q`, against the
//! later mid `m` is `s·(m − p)·q` USD, positive when it was good for us (we bought below the
//! later mid or sold above it), and `1e4·s·(m − p)/p` bps. Averages per horizon and side are
//! notional-weighted: `1e4·Σ s·(m − p)·q / Σ p·q`, i.e. markout USD per traded USD.
//!
//! Times are the engine's clock ([`Nanos`]) at which the fill and each mid reached it, so the
//! fill's and the mid's delivery latencies both enter the horizon.

use crate::types::{Cloid, Nanos, Side};
use serde::Serialize;
use std::collections::VecDeque;

/// How many horizons every fill is marked at.
pub const HORIZONS: usize = 4;

/// Fills waiting for a markout per coin by default (60 s at four fills a second).
pub const DEFAULT_PENDING_MARKOUTS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarkoutConfig {
    /// Ascending.
    pub horizons: [Nanos; HORIZONS],
    /// Latest a mid may arrive after a horizon and still count for it.
    pub max_lag: Nanos,
    pub capacity: usize,
}

impl Default for MarkoutConfig {
    /// 0.5 s, 2 s, 10 s, 60 s; a mid up to 1 s late still counts.
    fn default() -> Self {
        Self {
            horizons: [
                Nanos::from_millis(500),
                Nanos::from_millis(2_000),
                Nanos::from_millis(10_000),
                Nanos::from_millis(60_000),
            ],
            max_lag: Nanos::from_millis(1_000),
            capacity: DEFAULT_PENDING_MARKOUTS,
        }
    }
}

/// A fill waiting for its markouts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PendingFill {
    pub at: Nanos,
    pub side: Side,
    pub px_usd: f64,
    pub qty_base: f64,
    /// Mid when the fill arrived.
    pub mid_at_fill_usd: f64,
    /// The order filled and the fee paid (negative: rebate), for the fill's realized edge.
    pub cloid: Cloid,
    pub fee_usd: f64,
    /// First horizon not yet resolved or expired.
    next: usize,
}

impl PendingFill {
    pub fn new(at: Nanos, side: Side, px_usd: f64, qty_base: f64, mid_at_fill_usd: f64) -> Self {
        Self { at, side, px_usd, qty_base, mid_at_fill_usd, cloid: Cloid(0), fee_usd: 0.0, next: 0 }
    }

    /// The fill's order and fee.
    pub fn with_order(self, cloid: Cloid, fee_usd: f64) -> Self {
        Self { cloid, fee_usd, ..self }
    }

    /// Realized adverse selection at a later mid, bps of the mid at the fill: how far the mid
    /// moved against us, `1e4·s·(m₀ − m)/m₀` (attribution.rs's adverse term per notional).
    pub fn adverse_bps(&self, mid_usd: f64) -> f64 {
        1e4 * self.side.sign() as f64 * (self.mid_at_fill_usd - mid_usd) / self.mid_at_fill_usd
    }

    /// Realized edge at a later mid, bps of the price: the markout net of the fee,
    /// `1e4·(s·(m − p)·q − fee)/(p·q)`.
    pub fn edge_bps(&self, mid_usd: f64) -> f64 {
        1e4 * (self.markout_usd(mid_usd) - self.fee_usd) / (self.px_usd * self.qty_base)
    }

    /// `s·(mid − p)·q`: positive when the fill was good for us.
    pub fn markout_usd(&self, mid_usd: f64) -> f64 {
        self.side.sign() as f64 * (mid_usd - self.px_usd) * self.qty_base
    }
}

/// What happened to one horizon of one fill.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MarkoutEvent {
    Resolved { fill: PendingFill, horizon: usize, mid_usd: f64 },
    Expired { fill: PendingFill, horizon: usize },
}

/// Markouts of one side at one horizon. Serialized with its `avg_bps` (null before the first
/// resolved fill).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MarkoutCell {
    pub count: u64,
    pub expired: u64,
    /// Σ s·(m − p)·q.
    pub markout_usd: f64,
    /// Σ p·q of the resolved fills.
    pub notional_usd: f64,
}

impl MarkoutCell {
    /// Notional-weighted mean markout in bps; `None` before the first resolved fill.
    pub fn avg_bps(&self) -> Option<f64> {
        (self.notional_usd > 0.0).then(|| 1e4 * self.markout_usd / self.notional_usd)
    }
}

impl Serialize for MarkoutCell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("MarkoutCell", 5)?;
        s.serialize_field("count", &self.count)?;
        s.serialize_field("expired", &self.expired)?;
        s.serialize_field("markout_usd", &self.markout_usd)?;
        s.serialize_field("notional_usd", &self.notional_usd)?;
        s.serialize_field("avg_bps", &self.avg_bps())?;
        s.end()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MarkoutStats {
    pub horizons_ms: [u64; HORIZONS],
    /// `[horizon][side index]`.
    pub cells: [[MarkoutCell; 2]; HORIZONS],
    /// Fills evicted from a full queue before all horizons resolved.
    pub evicted: u64,
    pub pending: usize,
}

impl MarkoutStats {
    /// Both sides of one horizon together.
    pub fn total(&self, horizon: usize) -> MarkoutCell {
        let [b, a] = self.cells[horizon];
        MarkoutCell {
            count: b.count + a.count,
            expired: b.expired + a.expired,
            markout_usd: b.markout_usd + a.markout_usd,
            notional_usd: b.notional_usd + a.notional_usd,
        }
    }
}

#[derive(Debug, Clone)]
pub struct MarkoutQueue {
    config: MarkoutConfig,
    pending: VecDeque<PendingFill>,
    stats: MarkoutStats,
}

impl MarkoutQueue {
    /// # Panics
    /// If the capacity is zero.
    pub fn new(config: MarkoutConfig) -> Self {
        assert!(config.capacity > 0, "a markout queue needs room for one fill");
        let horizons_ms = config.horizons.map(|h| h.0 / 1_000_000);
        let stats = MarkoutStats { horizons_ms, ..MarkoutStats::default() };
        Self { config, pending: VecDeque::with_capacity(config.capacity), stats }
    }

    pub fn config(&self) -> &MarkoutConfig {
        &self.config
    }

    /// Queues a fill; a full queue first evicts its oldest fill (open horizons expire).
    pub fn push(&mut self, fill: PendingFill, mut on_event: impl FnMut(MarkoutEvent)) {
        if self.pending.len() == self.config.capacity {
            if let Some(mut oldest) = self.pending.pop_front() {
                self.stats.evicted += 1;
                while oldest.next < HORIZONS {
                    self.expire(&mut oldest, &mut on_event);
                }
            }
        }
        self.pending.push_back(fill);
    }

    /// Expires every horizon whose deadline passed before `now`.
    pub fn on_time(&mut self, now: Nanos, mut on_event: impl FnMut(MarkoutEvent)) {
        self.advance(now, None, &mut on_event);
    }

    /// A mid at `now`: expires overdue horizons, then resolves those that are due.
    pub fn on_mid(&mut self, now: Nanos, mid_usd: f64, mut on_event: impl FnMut(MarkoutEvent)) {
        self.advance(now, Some(mid_usd), &mut on_event);
    }

    /// Fills with horizons still open.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    pub fn stats(&self) -> MarkoutStats {
        MarkoutStats { pending: self.pending.len(), ..self.stats }
    }

    fn advance(&mut self, now: Nanos, mid_usd: Option<f64>, on_event: &mut impl FnMut(MarkoutEvent)) {
        let mut pending = std::mem::take(&mut self.pending);
        for fill in pending.iter_mut() {
            while fill.next < HORIZONS {
                let due = fill.at + self.config.horizons[fill.next];
                if now < due {
                    break;
                }
                if now.saturating_sub(due) > self.config.max_lag {
                    self.expire(fill, on_event);
                } else if let Some(mid) = mid_usd {
                    self.resolve(fill, mid, on_event);
                } else {
                    break;
                }
            }
        }
        // Fills arrive in time order and share the horizons, so they finish in order.
        while pending.front().is_some_and(|f| f.next == HORIZONS) {
            pending.pop_front();
        }
        self.pending = pending;
    }

    fn resolve(&mut self, fill: &mut PendingFill, mid_usd: f64, on_event: &mut impl FnMut(MarkoutEvent)) {
        let cell = &mut self.stats.cells[fill.next][fill.side.index()];
        cell.count += 1;
        cell.markout_usd += fill.markout_usd(mid_usd);
        cell.notional_usd += fill.px_usd * fill.qty_base;
        on_event(MarkoutEvent::Resolved { fill: *fill, horizon: fill.next, mid_usd });
        fill.next += 1;
    }

    fn expire(&mut self, fill: &mut PendingFill, on_event: &mut impl FnMut(MarkoutEvent)) {
        self.stats.cells[fill.next][fill.side.index()].expired += 1;
        on_event(MarkoutEvent::Expired { fill: *fill, horizon: fill.next });
        fill.next += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(ms: u64) -> Nanos {
        Nanos::from_millis(ms)
    }

    #[test]
    fn each_horizon_takes_the_first_mid_at_or_after_it() {
        let mut q = MarkoutQueue::new(MarkoutConfig::default());
        q.push(PendingFill::new(ms(1_000), Side::Ask, 100.0, 2.0, 100.0), |_| {});
        q.on_mid(ms(1_400), 50.0, |_| panic!("not due yet"));
        let mut seen = Vec::new();
        q.on_mid(ms(1_500), 99.0, |e| seen.push(e)); // exactly at +0.5 s
        q.on_mid(ms(3_250), 101.0, |e| seen.push(e)); // +2 s, 0.25 s late
        assert_eq!(seen.len(), 2);
        let s = q.stats();
        assert_eq!(s.cells[0][1].markout_usd, 2.0); // sold at 100, mid 99: +1·2
        assert_eq!(s.cells[0][1].avg_bps(), Some(100.0));
        assert_eq!(s.cells[1][1].markout_usd, -2.0);
        assert_eq!(s.cells[1][1].avg_bps(), Some(-100.0));
        assert_eq!(s.cells[0][0].count, 0, "no bid fills");
        assert_eq!(s.pending, 1);
    }

    #[test]
    fn horizons_without_a_mid_in_time_expire() {
        let mut q = MarkoutQueue::new(MarkoutConfig::default());
        q.push(PendingFill::new(ms(0), Side::Bid, 100.0, 1.0, 100.0), |_| {});
        // A mid 1.5 s after the 0.5 s horizon is too late for it, in time for the 2 s one.
        q.on_mid(ms(2_000), 101.0, |_| {});
        let s = q.stats();
        assert_eq!((s.cells[0][0].expired, s.cells[0][0].count), (1, 0));
        assert_eq!((s.cells[1][0].expired, s.cells[1][0].count), (0, 1));
        // No mid at all until long after 60 s: the clock alone expires the rest.
        q.on_time(ms(100_000), |_| {});
        let s = q.stats();
        assert_eq!((s.cells[2][0].expired, s.cells[3][0].expired), (1, 1));
        assert_eq!(s.pending, 0);
    }

    #[test]
    fn a_full_queue_evicts_its_oldest_fill_and_expires_its_horizons() {
        let config = MarkoutConfig { capacity: 2, ..MarkoutConfig::default() };
        let mut q = MarkoutQueue::new(config);
        let mut expired = 0;
        for i in 0..3 {
            q.push(PendingFill::new(ms(i), Side::Bid, 100.0, 1.0, 100.0), |e| {
                expired += u32::from(matches!(e, MarkoutEvent::Expired { .. }))
            });
        }
        assert_eq!(expired, 4);
        let s = q.stats();
        assert_eq!((s.evicted, s.pending), (1, 2));
        assert_eq!(s.total(3).expired, 1);
    }

    #[test]
    fn a_cell_serializes_with_its_average_in_bps() {
        let cell = MarkoutCell { count: 1, expired: 2, markout_usd: 0.5, notional_usd: 1_000.0 };
        let json = serde_json::to_value(cell).unwrap();
        assert_eq!((json["count"].as_u64(), json["expired"].as_u64()), (Some(1), Some(2)));
        assert_eq!(json["avg_bps"].as_f64(), Some(5.0));
        assert!(serde_json::to_value(MarkoutCell::default()).unwrap()["avg_bps"].is_null());
    }
}
