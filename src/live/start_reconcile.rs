//! What a live session settles before it quotes: the journal's view of the account (open
//! orders, fills counted, the position they add up to) set against the venue's own (info
//! `openOrders`, `userFills`, `clearinghouseState`).
//!
//! - **Orders**: a new session starts with no live orders of its own, so every order the
//!   venue holds on one of our coins is an orphan of an earlier process — known to the
//!   journal or not — and is cancelled before quoting starts.
//! - **Fills**: a venue fill of this trading session (at or after the journal's first
//!   session start) that the journal never recorded happened while no process was
//!   listening (the engine died between the fill and its journal write, or while down): it
//!   is counted now, once. Older venue fills are the account's history, not ours.
//! - **Positions**: the journal's fills plus the recovered ones must add up to the venue's
//!   position on every coin. If they do not, something traded the account that the engine
//!   cannot account for (a manual order, another process, a lost journal): the session
//!   starts in the configured restrictive state (`HALTED` by default, or `REDUCE_ONLY`)
//!   with a message naming each coin, until an operator looks and resumes.

use actors::journal::{JournalState, Record};
use engine::risk::TradingState;
use engine::types::{Cloid, CoinId, Qty, UnixNanos};
use engine::venue::{FillReport, VenueEvent};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// An order the venue holds for the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VenueOpenOrder {
    pub coin: CoinId,
    pub oid: u64,
    pub cloid: Option<Cloid>,
}

/// The venue's view of the account at start, for the configured coins.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VenueView {
    pub open_orders: Vec<VenueOpenOrder>,
    /// The account's recent fills (info `userFills`), any order.
    pub fills: Vec<FillReport>,
    /// Signed position per coin (`clearinghouseState`); a coin absent holds none.
    pub positions: BTreeMap<CoinId, Qty>,
}

/// What to do when the positions disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnPositionMismatch {
    /// Quote nothing until an operator resumes.
    #[default]
    Halt,
    /// Only orders that shrink the position.
    ReduceOnly,
}

impl OnPositionMismatch {
    fn state(self) -> TradingState {
        match self {
            OnPositionMismatch::Halt => TradingState::Halted,
            OnPositionMismatch::ReduceOnly => TradingState::ReduceOnly,
        }
    }
}

/// One coin whose accounted position differs from the venue's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionMismatch {
    pub coin: CoinId,
    /// What the journal's fills and the recovered fills add up to.
    pub accounted: Qty,
    pub venue: Qty,
}

/// What the session does before quoting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StartPlan {
    /// When the trading session began: the journal's first session start (fills from then
    /// on are the session's PnL).
    pub session_start: UnixNanos,
    /// Orphan orders to cancel.
    pub cancels: Vec<VenueOpenOrder>,
    /// Venue fills the journal missed, in time order: to journal and count.
    pub recovered_fills: Vec<FillReport>,
    /// Every fill of the session (journaled, then recovered): the fill ledger's seed.
    pub session_fills: Vec<FillReport>,
    pub mismatches: Vec<PositionMismatch>,
    /// The state the session must start in instead of the configured one, and why.
    pub forced_state: Option<(TradingState, String)>,
}

impl fmt::Display for PositionMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "coin {}: fills account for {} but the venue holds {}", self.coin.0, self.accounted, self.venue)
    }
}

/// Settles the journal (`records`, replayed; `now` for a journal with no session yet)
/// against the venue's view for `coins`.
pub fn plan_start(
    records: &[Record],
    venue: &VenueView,
    coins: &[CoinId],
    now: UnixNanos,
    on_mismatch: OnPositionMismatch,
) -> StartPlan {
    let journal = JournalState::from_records(records);
    let session_start =
        records.iter().find_map(|r| if let Record::SessionStart(s) = r { Some(s.at) } else { None }).unwrap_or(now);
    let ours = |coin: &CoinId| coins.contains(coin);

    let cancels = venue.open_orders.iter().filter(|o| ours(&o.coin)).copied().collect();

    let mut session_fills = journaled_fills(records);
    let mut recovered_fills: Vec<FillReport> = venue
        .fills
        .iter()
        .filter(|f| ours(&f.coin) && f.exchange_time >= session_start)
        .filter(|f| !journal.fills_seen.contains(&(f.coin, f.tid)))
        .copied()
        .collect();
    recovered_fills.sort_by_key(|f| (f.exchange_time, f.tid));
    recovered_fills.dedup_by_key(|f| (f.coin, f.tid));
    session_fills.extend_from_slice(&recovered_fills);

    let mut accounted: BTreeMap<CoinId, Qty> = coins.iter().map(|c| (*c, journal.position(*c))).collect();
    for fill in &recovered_fills {
        if let Some(position) = accounted.get_mut(&fill.coin) {
            *position += Qty(fill.side.sign() * fill.qty.0);
        }
    }
    let mismatches: Vec<PositionMismatch> = accounted
        .iter()
        .map(|(&coin, &accounted)| PositionMismatch {
            coin,
            accounted,
            venue: venue.positions.get(&coin).copied().unwrap_or(Qty::ZERO),
        })
        .filter(|m| m.accounted != m.venue)
        .collect();
    let forced_state = (!mismatches.is_empty()).then(|| {
        let list: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
        (on_mismatch.state(), format!("position mismatch at start: {}", list.join("; ")))
    });
    StartPlan { session_start, cancels, recovered_fills, session_fills, mismatches, forced_state }
}

/// The journal's fills in journal order, each (coin, tid) once.
fn journaled_fills(records: &[Record]) -> Vec<FillReport> {
    let mut seen = std::collections::HashSet::new();
    records
        .iter()
        .filter_map(|r| match r {
            Record::Venue { event: VenueEvent::Fill(f) | VenueEvent::HistoricalFill(f), .. } => Some(*f),
            _ => None,
        })
        .filter(|f| seen.insert((f.coin, f.tid)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actors::journal::SessionStart;
    use engine::types::{Price, Side};
    use engine::venue::{Liquidity, OrderAction, OrderRequest};

    const BTC: CoinId = CoinId(0);
    const ETH: CoinId = CoinId(1);
    const OTHER: CoinId = CoinId(7);
    const START: UnixNanos = UnixNanos(1_000_000_000_000);

    fn q(text: &str) -> Qty {
        Qty::parse(text).unwrap()
    }

    fn fill(coin: CoinId, tid: u64, side: Side, qty: &str, at_s: u64) -> FillReport {
        FillReport {
            coin,
            cloid: Cloid(u128::from(tid)),
            side,
            px: Price::parse("100").unwrap(),
            qty: q(qty),
            remaining: Qty::ZERO,
            fee_usd: 0.01,
            liquidity: Liquidity::Maker,
            exchange_time: UnixNanos(START.0 + at_s * 1_000_000_000),
            tid,
        }
    }

    fn session() -> Record {
        Record::SessionStart(SessionStart { at: START, config_hash: 1, pid: 2, nonce_floor: 3 })
    }

    fn journaled(f: FillReport) -> Record {
        Record::Venue { at: f.exchange_time, event: VenueEvent::Fill(f) }
    }

    fn plan(records: &[Record], venue: &VenueView) -> StartPlan {
        plan_start(records, venue, &[BTC, ETH], UnixNanos(START.0 + 999), OnPositionMismatch::Halt)
    }

    #[test]
    fn a_clean_restart_cancels_orphans_and_starts_as_configured() {
        let f = fill(BTC, 10, Side::Bid, "0.5", 1);
        let place = OrderAction::Place(OrderRequest {
            coin: BTC,
            cloid: Cloid(99),
            side: Side::Ask,
            px: Price::parse("101").unwrap(),
            qty: q("0.5"),
            post_only: true,
        });
        let records = [session(), Record::ActionsSent { at: START, nonce: 5, actions: vec![place] }, journaled(f)];
        let orphan = VenueOpenOrder { coin: BTC, oid: 1, cloid: Some(Cloid(99)) };
        let unknown = VenueOpenOrder { coin: ETH, oid: 2, cloid: None };
        let not_ours = VenueOpenOrder { coin: OTHER, oid: 3, cloid: None };
        let venue = VenueView {
            open_orders: vec![orphan, unknown, not_ours],
            fills: vec![f],
            positions: [(BTC, q("0.5"))].into(),
        };
        let p = plan(&records, &venue);
        assert_eq!(p.cancels, vec![orphan, unknown], "every order of our coins, and only those");
        assert!(p.recovered_fills.is_empty());
        assert_eq!(p.session_fills, vec![f]);
        assert_eq!((p.mismatches.len(), p.forced_state), (0, None));
        assert_eq!(p.session_start, START);
    }

    #[test]
    fn fills_missed_while_down_are_recovered_once_and_close_the_position_gap() {
        let seen = fill(BTC, 10, Side::Bid, "0.5", 1);
        let missed = fill(BTC, 11, Side::Ask, "0.2", 2);
        let before_session = UnixNanos(START.0 - 1);
        let history = FillReport { exchange_time: before_session, ..fill(BTC, 3, Side::Bid, "7", 0) };
        let venue = VenueView {
            fills: vec![missed, seen, missed, history],
            positions: [(BTC, q("0.3"))].into(),
            ..VenueView::default()
        };
        let p = plan(&[session(), journaled(seen)], &venue);
        assert_eq!(p.recovered_fills, vec![missed], "the repeat and the pre-session history are not counted");
        assert_eq!(p.session_fills, vec![seen, missed]);
        assert_eq!(p.forced_state, None, "0.5 bought − 0.2 sold = the venue's 0.3");
    }

    #[test]
    fn a_position_the_fills_cannot_explain_forces_the_configured_state() {
        let venue = VenueView { positions: [(ETH, q("-1.5"))].into(), ..VenueView::default() };
        let p = plan(&[session()], &venue);
        assert_eq!(p.mismatches, vec![PositionMismatch { coin: ETH, accounted: Qty::ZERO, venue: q("-1.5") }]);
        let (state, reason) = p.forced_state.unwrap();
        assert_eq!(state, TradingState::Halted);
        assert!(reason.contains("coin 1") && reason.contains("-1.5"), "{reason}");
        let reduce = plan_start(&[session()], &venue, &[BTC, ETH], START, OnPositionMismatch::ReduceOnly);
        assert_eq!(reduce.forced_state.map(|(s, _)| s), Some(TradingState::ReduceOnly));
    }

    #[test]
    fn a_first_session_starts_now_and_treats_every_venue_fill_as_history() {
        let now = UnixNanos(START.0 + 3_600_000_000_000);
        let old = fill(BTC, 1, Side::Bid, "1", 5);
        let venue = VenueView { fills: vec![old], positions: [(BTC, q("1"))].into(), ..VenueView::default() };
        let p = plan_start(&[], &venue, &[BTC], now, OnPositionMismatch::Halt);
        assert_eq!(p.session_start, now);
        assert!(p.recovered_fills.is_empty());
        assert_eq!(p.mismatches.len(), 1, "a position the engine did not build is flagged");
    }
}
