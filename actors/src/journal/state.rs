//! What a restart needs from the journal: the orders still open, the fills already counted,
//! the position they add up to, the last nonce, the last control versions.
//!
//! A pure fold over the records. It reflects only what was journaled; the engine then
//! reconciles it with the venue's own view (open orders, positions) before quoting.

use super::record::{Record, SessionStart};
use engine::risk::TradingState;
use engine::types::{Cloid, CoinId, Qty, UnixNanos};
use engine::venue::{OrderAction, OrderRequest, VenueEvent, VenueOrderStatus};
use std::collections::{BTreeMap, HashSet};

/// An order sent and not yet finished (filled, cancelled or rejected), as the journal saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournaledOrder {
    pub request: OrderRequest,
    /// Batch nonce it was sent with.
    pub nonce: u64,
    /// The venue acknowledged it resting.
    pub acked: bool,
    /// Size still resting: the request's size less the fills.
    pub remaining: Qty,
    /// A cancel was sent and not yet answered by `Cancelled`.
    pub cancel_sent: bool,
    /// The venue answered a cancel with "no such order": it finished in some way the
    /// journal did not see; only the venue can tell how.
    pub cancel_rejected: bool,
}

/// The engine's durable state rebuilt from a journal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalState {
    /// Open orders by (coin, cloid).
    pub open_orders: BTreeMap<(CoinId, Cloid), JournaledOrder>,
    /// Fills counted, by (coin, tid), for de-duplicating the venue's repeats.
    pub fills_seen: HashSet<(CoinId, u64)>,
    /// Signed position per coin (bids add), from the fills counted.
    pub position_by_coin: BTreeMap<CoinId, Qty>,
    /// Repeated fills in the journal, not counted again.
    pub duplicate_fills: u64,
    /// The largest nonce sent or promised (a session's nonce floor); sign above it.
    pub last_nonce: u64,
    pub risk_limits_version: Option<u64>,
    pub quote_params_version: Option<u64>,
    /// The last trading state set and its reason.
    pub trading_state: Option<(TradingState, String)>,
    /// The venue's scheduled cancel, as last acknowledged.
    pub scheduled_cancel: Option<UnixNanos>,
    pub sessions: u32,
    pub last_session: Option<SessionStart>,
}

impl JournalState {
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut state = Self::default();
        for record in records {
            state.apply(record);
        }
        state
    }

    /// Folds one record in.
    pub fn apply(&mut self, record: &Record) {
        match record {
            Record::SessionStart(start) => {
                self.sessions += 1;
                self.last_session = Some(*start);
                self.last_nonce = self.last_nonce.max(start.nonce_floor);
            }
            Record::ActionsSent { nonce, actions, .. } => {
                self.last_nonce = self.last_nonce.max(*nonce);
                for action in actions {
                    self.on_action(*nonce, action);
                }
            }
            Record::Venue { event, .. } => self.on_event(event),
            Record::TradingState { state, reason, .. } => self.trading_state = Some((*state, reason.clone())),
            Record::RiskLimits { version, .. } => self.risk_limits_version = Some(*version),
            Record::QuoteParams { version, .. } => self.quote_params_version = Some(*version),
        }
    }

    /// The signed position of `coin` (zero if never filled).
    pub fn position(&self, coin: CoinId) -> Qty {
        self.position_by_coin.get(&coin).copied().unwrap_or(Qty::ZERO)
    }

    fn on_action(&mut self, nonce: u64, action: &OrderAction) {
        match *action {
            OrderAction::Place(request) => {
                let order = JournaledOrder {
                    request,
                    nonce,
                    acked: false,
                    remaining: request.qty,
                    cancel_sent: false,
                    cancel_rejected: false,
                };
                self.open_orders.insert((request.coin, request.cloid), order);
            }
            OrderAction::Cancel { coin, cloid } => {
                if let Some(order) = self.open_orders.get_mut(&(coin, cloid)) {
                    order.cancel_sent = true;
                }
            }
            // The cancel half and the place half: the events settle each.
            OrderAction::Modify { coin, cloid, new } => {
                self.on_action(nonce, &OrderAction::Cancel { coin, cloid });
                self.on_action(nonce, &OrderAction::Place(new));
            }
            OrderAction::ScheduleCancel { .. } | OrderAction::QueryStatus { .. } => {}
        }
    }

    fn on_event(&mut self, event: &VenueEvent) {
        match *event {
            VenueEvent::Accepted { coin, cloid } => {
                if let Some(order) = self.open_orders.get_mut(&(coin, cloid)) {
                    order.acked = true;
                }
            }
            VenueEvent::Rejected { coin, cloid, .. } | VenueEvent::Cancelled { coin, cloid } => {
                self.open_orders.remove(&(coin, cloid));
            }
            VenueEvent::CancelRejected { coin, cloid } => {
                if let Some(order) = self.open_orders.get_mut(&(coin, cloid)) {
                    order.cancel_rejected = true;
                }
            }
            VenueEvent::Fill(fill) | VenueEvent::HistoricalFill(fill) => {
                if !self.fills_seen.insert((fill.coin, fill.tid)) {
                    self.duplicate_fills += 1;
                    return;
                }
                *self.position_by_coin.entry(fill.coin).or_insert(Qty::ZERO) += Qty(fill.side.sign() * fill.qty.0);
                let key = (fill.coin, fill.cloid);
                if fill.remaining.is_zero() {
                    self.open_orders.remove(&key);
                } else if let Some(order) = self.open_orders.get_mut(&key) {
                    order.remaining = fill.remaining;
                }
            }
            VenueEvent::ScheduleCancelAccepted { at } => self.scheduled_cancel = at,
            VenueEvent::ScheduleCancelRejected { .. } => {}
            // The venue reported each order it cancelled as `Cancelled` before this.
            VenueEvent::ScheduleCancelFired { .. } => self.scheduled_cancel = None,
            VenueEvent::OrderStatus { coin, cloid, status } => {
                if !matches!(status, VenueOrderStatus::Open) {
                    self.open_orders.remove(&(coin, cloid));
                }
            }
            VenueEvent::Funding { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::types::{Price, Side};
    use engine::venue::{FillReport, Liquidity, RejectReason};

    const BTC: CoinId = CoinId(0);
    const ETH: CoinId = CoinId(1);

    fn place(coin: CoinId, cloid: u128, side: Side, qty: &str) -> OrderAction {
        OrderAction::Place(OrderRequest {
            coin,
            cloid: Cloid(cloid),
            side,
            px: Price::parse("100").unwrap(),
            qty: Qty::parse(qty).unwrap(),
            post_only: true,
        })
    }

    fn sent(nonce: u64, actions: Vec<OrderAction>) -> Record {
        Record::ActionsSent { at: UnixNanos(nonce), nonce, actions }
    }

    fn venue(event: VenueEvent) -> Record {
        Record::Venue { at: UnixNanos(0), event }
    }

    fn fill(coin: CoinId, cloid: u128, side: Side, qty: &str, remaining: &str, tid: u64) -> Record {
        venue(VenueEvent::Fill(FillReport {
            coin,
            cloid: Cloid(cloid),
            side,
            px: Price::parse("100").unwrap(),
            qty: Qty::parse(qty).unwrap(),
            remaining: Qty::parse(remaining).unwrap(),
            fee_usd: 0.0,
            liquidity: Liquidity::Maker,
            exchange_time: UnixNanos(0),
            tid,
        }))
    }

    #[test]
    fn rebuilds_open_orders_fills_position_nonce_and_versions() {
        let records = vec![
            Record::SessionStart(SessionStart { at: UnixNanos(0), config_hash: 1, pid: 2, nonce_floor: 50 }),
            sent(
                100,
                vec![place(BTC, 1, Side::Bid, "1"), place(BTC, 2, Side::Ask, "1"), place(ETH, 3, Side::Bid, "2")],
            ),
            venue(VenueEvent::Accepted { coin: BTC, cloid: Cloid(1) }),
            venue(VenueEvent::Rejected { coin: BTC, cloid: Cloid(2), reason: RejectReason::PostOnlyWouldMatch }),
            venue(VenueEvent::Accepted { coin: ETH, cloid: Cloid(3) }),
            fill(BTC, 1, Side::Bid, "0.4", "0.6", 10),
            fill(BTC, 1, Side::Bid, "0.4", "0.6", 10), // the venue repeated itself
            fill(ETH, 3, Side::Bid, "2", "0", 11),
            sent(101, vec![place(ETH, 4, Side::Ask, "0.5"), OrderAction::Cancel { coin: BTC, cloid: Cloid(1) }]),
            fill(ETH, 4, Side::Ask, "0.5", "0", 12),
            Record::RiskLimits { at: UnixNanos(0), version: 4, change: "max_open_orders=8".into() },
            Record::QuoteParams { at: UnixNanos(0), version: 2, change: Default::default() },
            Record::TradingState { at: UnixNanos(0), state: TradingState::ReduceOnly, reason: "test".into() },
        ];
        let state = JournalState::from_records(&records);
        assert_eq!(state.open_orders.len(), 1);
        let btc = state.open_orders[&(BTC, Cloid(1))];
        assert!(btc.acked && btc.cancel_sent && !btc.cancel_rejected);
        assert_eq!((btc.remaining, btc.nonce), (Qty::parse("0.6").unwrap(), 100));
        assert_eq!(state.position(BTC), Qty::parse("0.4").unwrap());
        assert_eq!(state.position(ETH), Qty::parse("1.5").unwrap());
        assert_eq!(state.fills_seen.len(), 3);
        assert_eq!(state.duplicate_fills, 1);
        assert_eq!(state.last_nonce, 101);
        assert_eq!(state.risk_limits_version, Some(4));
        assert_eq!(state.quote_params_version, Some(2));
        assert_eq!(state.trading_state, Some((TradingState::ReduceOnly, "test".into())));
        assert_eq!(state.sessions, 1);
    }

    #[test]
    fn a_cancel_confirmation_closes_the_order_and_a_nonce_floor_counts() {
        let records = vec![
            sent(7, vec![place(BTC, 1, Side::Bid, "1")]),
            venue(VenueEvent::Cancelled { coin: BTC, cloid: Cloid(1) }),
            Record::SessionStart(SessionStart { at: UnixNanos(0), config_hash: 1, pid: 2, nonce_floor: 900 }),
        ];
        let state = JournalState::from_records(&records);
        assert!(state.open_orders.is_empty());
        assert_eq!(state.last_nonce, 900);
        assert_eq!(state.position(BTC), Qty::ZERO);
    }
}
