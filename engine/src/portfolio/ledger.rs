//! The session ledger of one coin: every fill counted once, position and PnL by average cost,
//! fees and rebates, funding, markouts and PnL attribution, per side and in total.
//!
//! Fills enter through [`CoinLedger::on_fill`] with their [`FillOrigin`]. A fill whose trade id
//! is already known (see [`super::fill_dedup`] for the bound) changes nothing and is counted.
//! A `userFills` snapshot (`isSnapshot: true`) reconciles rather than adds:
//!
//! - a snapshot fill already known is skipped (a duplicate);
//! - an unknown snapshot fill from before `session_start` is reconciled history: its tid is
//!   remembered (so it is never counted later) and its volume and fees are reported in
//!   [`SnapshotStats`], but it is not this session's PnL;
//! - an unknown snapshot fill from the session itself (a live fill missed across a reconnect)
//!   is a real change of position: it is booked, as `recovered`, with no mid at fill time
//!   (no spread capture or markout is claimed for it; attribution puts it in carry).
//!
//! The mid is whatever arrives through [`CoinLedger::on_mid`] (`MarketParams.mid_usd`); the
//! mid at fill time is the latest mid before the fill. Times are the engine's clock.
//! Allocation happens only in [`CoinLedger::new`].

use super::attribution::{Attribution, AttributionReport};
use super::fill_dedup::{Admission, DedupStats, TradeIdWindow, DEFAULT_TID_WINDOW};
use super::markouts::{MarkoutConfig, MarkoutEvent, MarkoutQueue, MarkoutStats, PendingFill};
use super::position::{PnlSnapshot, Position};
use crate::types::{Nanos, UnixNanos};
use crate::venue::FillReport;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LedgerConfig {
    pub tid_window: usize,
    pub markouts: MarkoutConfig,
    /// Index into `markouts.horizons` of the horizon adverse selection is measured at.
    pub attribution_horizon: usize,
}

impl Default for LedgerConfig {
    /// 2 048 trade ids, markouts at 0.5/2/10/60 s, attribution at 10 s.
    fn default() -> Self {
        Self { tid_window: DEFAULT_TID_WINDOW, markouts: MarkoutConfig::default(), attribution_horizon: 2 }
    }
}

/// Where a fill came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillOrigin {
    /// `userFills` live frame, `user.fills`, or the simulator.
    Live,
    /// `userFills` with `isSnapshot: true`.
    Snapshot,
}

/// What the ledger did with a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillOutcome {
    /// New fill of this session: booked.
    Booked,
    /// Known trade id: nothing changed.
    Duplicate,
    /// Snapshot fill from before the session: remembered, reported apart, not booked.
    History,
    /// Snapshot fill from the session never seen live: booked.
    Recovered,
}

/// One side's fills (bids: buys, asks: sells).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SideTotals {
    pub fills: u64,
    pub volume_base: f64,
    pub volume_usd: f64,
    /// Fees paid (positive).
    pub fees_usd: f64,
    /// Rebates received (positive).
    pub rebates_usd: f64,
}

/// What `userFills` snapshots brought.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SnapshotStats {
    pub snapshot_fills: u64,
    /// Snapshot fills already known (skipped).
    pub known: u64,
    /// Fills from before the session: not this session's PnL.
    pub history_fills: u64,
    pub history_volume_usd: f64,
    /// Net fee of the history fills (negative: rebates).
    pub history_fee_usd: f64,
    /// Session fills first seen in a snapshot (booked).
    pub recovered: u64,
}

/// The ledger of one coin at one mark.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LedgerSnapshot {
    pub pnl: PnlSnapshot,
    pub fees_usd: f64,
    pub rebates_usd: f64,
    pub funding_usd: f64,
    pub funding_payments: u64,
    pub funding_duplicates: u64,
    /// realized + unrealized − fees + rebates + funding.
    pub total_pnl_usd: f64,
    /// `[bid, ask]`.
    pub sides: [SideTotals; 2],
    /// Fills booked with no mid known yet (no spread capture or markout for them).
    pub fills_without_mid: u64,
    pub dedup: DedupStats,
    pub snapshots: SnapshotStats,
    pub markouts: MarkoutStats,
    pub attribution: AttributionReport,
}

#[derive(Debug, Clone)]
pub struct CoinLedger {
    session_start: UnixNanos,
    attribution_horizon: usize,
    position: Position,
    tids: TradeIdWindow,
    markouts: MarkoutQueue,
    attribution: Attribution,
    sides: [SideTotals; 2],
    funding_usd: f64,
    funding_payments: u64,
    funding_duplicates: u64,
    last_funding_time: Option<UnixNanos>,
    snapshots: SnapshotStats,
    fills_without_mid: u64,
    mid_usd: Option<f64>,
}

impl CoinLedger {
    /// # Panics
    /// If `attribution_horizon` is not a markout horizon, or a capacity is zero.
    pub fn new(config: &LedgerConfig, session_start: UnixNanos) -> Self {
        let horizon = config.markouts.horizons[config.attribution_horizon];
        Self {
            session_start,
            attribution_horizon: config.attribution_horizon,
            position: Position::default(),
            tids: TradeIdWindow::new(config.tid_window),
            markouts: MarkoutQueue::new(config.markouts),
            attribution: Attribution::new(horizon.0 / 1_000_000),
            sides: [SideTotals::default(); 2],
            funding_usd: 0.0,
            funding_payments: 0,
            funding_duplicates: 0,
            last_funding_time: None,
            snapshots: SnapshotStats::default(),
            fills_without_mid: 0,
            mid_usd: None,
        }
    }

    pub fn position(&self) -> &Position {
        &self.position
    }

    /// Funding received (positive) or paid (negative) so far.
    pub fn funding_usd(&self) -> f64 {
        self.funding_usd
    }

    /// What `userFills` snapshots brought so far.
    pub fn snapshot_stats(&self) -> SnapshotStats {
        self.snapshots
    }

    /// The latest mid, `None` before the first.
    pub fn mid_usd(&self) -> Option<f64> {
        self.mid_usd
    }

    pub fn on_fill(&mut self, now: Nanos, fill: &FillReport, origin: FillOrigin) -> FillOutcome {
        if origin == FillOrigin::Snapshot {
            self.snapshots.snapshot_fills += 1;
        }
        if self.tids.admit(fill.tid, fill.exchange_time) == Admission::Duplicate {
            self.snapshots.known += u64::from(origin == FillOrigin::Snapshot);
            return FillOutcome::Duplicate;
        }
        let px = fill.px.to_f64();
        let qty = fill.qty.to_f64();
        match origin {
            FillOrigin::Snapshot if fill.exchange_time < self.session_start => {
                self.snapshots.history_fills += 1;
                self.snapshots.history_volume_usd += px * qty;
                self.snapshots.history_fee_usd += fill.fee_usd;
                return FillOutcome::History;
            }
            FillOrigin::Snapshot => self.snapshots.recovered += 1,
            FillOrigin::Live => {}
        }
        self.position.on_fill(fill);
        let side = &mut self.sides[fill.side.index()];
        side.fills += 1;
        side.volume_base += qty;
        side.volume_usd += px * qty;
        if fill.fee_usd >= 0.0 {
            side.fees_usd += fill.fee_usd;
        } else {
            side.rebates_usd -= fill.fee_usd;
        }
        let mid = match (origin, self.mid_usd) {
            (FillOrigin::Live, Some(mid)) => Some(mid),
            _ => None,
        };
        self.attribution.on_fill(fill.side, px, qty, fill.fee_usd, mid.unwrap_or(px));
        match mid {
            Some(mid) => {
                let pending = PendingFill::new(now, fill.side, px, qty, mid).with_order(fill.cloid, fill.fee_usd);
                let (attribution, horizon) = (&mut self.attribution, self.attribution_horizon);
                self.markouts.push(pending, |e| {
                    on_markout(attribution, horizon, e);
                });
            }
            None => self.fills_without_mid += u64::from(origin == FillOrigin::Live),
        }
        if origin == FillOrigin::Live {
            FillOutcome::Booked
        } else {
            FillOutcome::Recovered
        }
    }

    /// A new mid: resolves the markouts that are due and marks the position.
    pub fn on_mid(&mut self, now: Nanos, mid_usd: f64) {
        self.on_mid_with(now, mid_usd, |_, _| {});
    }

    /// [`Self::on_mid`], calling `on_horizon(fill, mid)` for each fill whose attribution
    /// horizon this mid resolves (its realized adverse selection and edge are then known).
    pub fn on_mid_with(&mut self, now: Nanos, mid_usd: f64, mut on_horizon: impl FnMut(&PendingFill, f64)) {
        if !mid_usd.is_finite() || mid_usd <= 0.0 {
            return;
        }
        self.mid_usd = Some(mid_usd);
        let (attribution, horizon) = (&mut self.attribution, self.attribution_horizon);
        self.markouts.on_mid(now, mid_usd, |e| {
            if let Some((fill, mid)) = on_markout(attribution, horizon, e) {
                on_horizon(&fill, mid);
            }
        });
    }

    /// The clock alone: expires markouts whose mid never came.
    pub fn on_time(&mut self, now: Nanos) {
        self.markouts.on_time(now, |_| {});
    }

    /// Fills whose markouts are still open (the clock may yet expire them).
    pub fn pending_markouts(&self) -> usize {
        self.markouts.pending()
    }

    /// A funding payment (`user.funding`): positive received, negative paid. Payments are
    /// hourly; one not later than the last seen is a replay, counted and ignored.
    pub fn on_funding(&mut self, exchange_time: UnixNanos, payment_usd: f64) -> bool {
        if self.last_funding_time.is_some_and(|t| exchange_time <= t) {
            self.funding_duplicates += 1;
            return false;
        }
        self.last_funding_time = Some(exchange_time);
        self.funding_usd += payment_usd;
        self.funding_payments += 1;
        self.attribution.on_funding(payment_usd);
        true
    }

    /// Everything, marked at the latest mid (at the average entry before the first mid).
    pub fn snapshot(&self) -> LedgerSnapshot {
        let mark = self.mid_usd.unwrap_or_else(|| self.position.snapshot(0.0).avg_entry_usd);
        let pnl = self.position.snapshot(mark);
        let [b, a] = self.sides;
        let (fees, rebates) = (b.fees_usd + a.fees_usd, b.rebates_usd + a.rebates_usd);
        LedgerSnapshot {
            pnl,
            fees_usd: fees,
            rebates_usd: rebates,
            funding_usd: self.funding_usd,
            funding_payments: self.funding_payments,
            funding_duplicates: self.funding_duplicates,
            total_pnl_usd: pnl.realized_pnl_usd + pnl.unrealized_pnl_usd - fees + rebates + self.funding_usd,
            sides: self.sides,
            fills_without_mid: self.fills_without_mid,
            dedup: self.tids.stats(),
            snapshots: self.snapshots,
            markouts: self.markouts.stats(),
            attribution: self.attribution.report(mark),
        }
    }
}

/// Books a resolved attribution horizon; returns the fill and its mid then.
fn on_markout(attribution: &mut Attribution, horizon: usize, event: MarkoutEvent) -> Option<(PendingFill, f64)> {
    match event {
        MarkoutEvent::Resolved { fill, horizon: h, mid_usd } if h == horizon => {
            attribution.on_horizon(fill.side, fill.qty_base, fill.mid_at_fill_usd, mid_usd);
            Some((fill, mid_usd))
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
