//! The live venue's own record of our orders, and the user channels → [`VenueEvent`]s.
//! Pure: no socket, no clock.
//!
//! Hyperliquid reports a fill without the size left on the order, and reports each fill
//! twice (`userFills` and the `user` channel of `userEvents`), again in the snapshot after a
//! reconnect. So the table keeps, per cloid, the size sent and the fills seen, de-duplicated
//! by (oid, tid): a fill counts once however often it arrives and in whatever order, and
//! `remaining` = size sent − fills seen (never below zero). oid ↔ cloid comes from the
//! answers to our places and from `orderUpdates`; a fill without a cloid is matched by oid.
//!
//! - `userFills` snapshot (`isSnapshot: true`, the first frame after each subscription) →
//!   [`VenueEvent::HistoricalFill`] for fills not seen before (they also count toward
//!   `remaining`: fills missed while disconnected are reconciled here); live `userFills` and
//!   `user.fills` → [`VenueEvent::Fill`].
//! - `orderUpdates`: a cancel status (`canceled`, `marginCanceled`, `scheduledCancel`, …) of
//!   an order we did not ask to cancel → `Cancelled`; a `…rejected` status → `Rejected`;
//!   others only teach the oid. `user.nonUserCancel` likewise → `Cancelled`.
//! - `user.funding` → [`VenueEvent::Funding`].
//!
//! Each order gets at most one terminal event (`Rejected`/`Cancelled`) from the table's two
//! sources (the answer to our request and the user channels), whichever comes first.
//!
//! Memory is bounded: the oldest orders and trade ids are forgotten past their capacity.

use engine::hyperliquid::{Frame, OrderStatus, OrderUpdate, UserEvent, UserFill};
use engine::order::reject_reason;
use engine::types::{Cloid, CoinId, Qty};
use engine::venue::{FillReport, OrderAction, RejectReason, RejectText, VenueEvent};
use std::collections::{HashMap, HashSet, VecDeque};

/// Orders remembered (well above the venue's open-order limit plus a day's churn margin).
pub const MAX_TRACKED_ORDERS: usize = 16_384;
/// Fills remembered for de-duplication (a `userFills` snapshot holds up to 2000).
pub const MAX_SEEN_FILLS: usize = 65_536;

#[derive(Debug, Clone, Copy)]
struct Tracked {
    orig: Qty,
    filled: Qty,
    /// We asked to cancel it (cancel or modify sent): the venue's cancel status is the
    /// answer to our request, reported from that answer.
    cancel_sent: bool,
    /// A terminal event (`Rejected`/`Cancelled`) was reported.
    done: bool,
}

/// What the user channels brought that has no event of its own, for the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserCounts {
    pub fills: u64,
    pub historical_fills: u64,
    /// Fills seen before (same oid and tid), skipped.
    pub duplicate_fills: u64,
    /// Fills of orders this table does not know (another session's): reported with
    /// `remaining` zero, and the cloid zero when the venue gives none.
    pub untracked_fills: u64,
    /// Fills, order updates and funding of coins the engine does not trade.
    pub unknown_coin: u64,
    pub liquidations: u64,
}

#[derive(Debug, Default)]
pub struct OrderTable {
    orders: HashMap<Cloid, Tracked>,
    /// Insertion order, to forget the oldest past [`MAX_TRACKED_ORDERS`].
    order_age: VecDeque<Cloid>,
    by_oid: HashMap<u64, Cloid>,
    seen: HashSet<(u64, u64)>,
    seen_age: VecDeque<(u64, u64)>,
}

impl OrderTable {
    fn track(&mut self, cloid: Cloid, orig: Qty) {
        if self.orders.contains_key(&cloid) {
            return;
        }
        if self.order_age.len() >= MAX_TRACKED_ORDERS {
            if let Some(old) = self.order_age.pop_front() {
                self.orders.remove(&old);
            }
        }
        self.orders.insert(cloid, Tracked { orig, filled: Qty::ZERO, cancel_sent: false, done: false });
        self.order_age.push_back(cloid);
    }

    /// Records an action as sent.
    pub fn on_sent(&mut self, action: &OrderAction) {
        match *action {
            OrderAction::Place(req) => self.track(req.cloid, req.qty),
            OrderAction::Cancel { cloid, .. } => self.cancel_sent(cloid),
            OrderAction::Modify { cloid, new, .. } => {
                self.cancel_sent(cloid);
                self.track(new.cloid, new.qty);
            }
            OrderAction::ScheduleCancel { .. } | OrderAction::QueryStatus { .. } => {}
        }
    }

    fn cancel_sent(&mut self, cloid: Cloid) {
        if let Some(order) = self.orders.get_mut(&cloid) {
            order.cancel_sent = true;
        }
    }

    /// Our cancel of `cloid` was refused or never sent: the order rests on, and a later venue
    /// cancel of it is reported from the user channels again.
    pub fn cancel_refused(&mut self, cloid: Cloid) {
        if let Some(order) = self.orders.get_mut(&cloid) {
            order.cancel_sent = false;
        }
    }

    pub fn set_oid(&mut self, cloid: Cloid, oid: u64) {
        if self.by_oid.len() >= MAX_TRACKED_ORDERS && !self.by_oid.contains_key(&oid) {
            // Oids only grow: forgetting the smallest forgets the oldest.
            if let Some(&oldest) = self.by_oid.keys().min() {
                self.by_oid.remove(&oldest);
            }
        }
        self.by_oid.insert(oid, cloid);
    }

    pub fn cloid_of(&self, oid: u64) -> Option<Cloid> {
        self.by_oid.get(&oid).copied()
    }

    /// Marks `cloid` finished; false if a terminal event was already reported for it.
    /// Orders the table does not know are reported (true).
    pub fn finish(&mut self, cloid: Cloid) -> bool {
        match self.orders.get_mut(&cloid) {
            Some(order) => !std::mem::replace(&mut order.done, true),
            None => true,
        }
    }

    /// Size left on `cloid` after its fills, if the table knows the order.
    pub fn remaining(&self, cloid: Cloid) -> Option<Qty> {
        self.orders.get(&cloid).map(|o| (o.orig - o.filled).max(Qty::ZERO))
    }

    /// Whether the fill (oid, tid) is new; remembers it.
    fn first_sight(&mut self, oid: u64, tid: u64) -> bool {
        if !self.seen.insert((oid, tid)) {
            return false;
        }
        self.seen_age.push_back((oid, tid));
        if self.seen_age.len() > MAX_SEEN_FILLS {
            if let Some(old) = self.seen_age.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }

    /// One fill → its report, or `None` if seen before or of a coin not traded.
    fn fill(&mut self, fill: &UserFill, counts: &mut UserCounts) -> Option<FillReport> {
        let Some(coin) = fill.coin else {
            counts.unknown_coin += 1;
            return None;
        };
        if !self.first_sight(fill.oid, fill.tid) {
            counts.duplicate_fills += 1;
            return None;
        }
        let cloid = fill.cloid.or_else(|| self.cloid_of(fill.oid));
        if let Some(cloid) = cloid {
            self.by_oid.entry(fill.oid).or_insert(cloid);
        }
        let remaining = match cloid.and_then(|c| self.orders.get_mut(&c)) {
            Some(order) => {
                order.filled += fill.sz;
                (order.orig - order.filled).max(Qty::ZERO)
            }
            None => {
                counts.untracked_fills += 1;
                Qty::ZERO
            }
        };
        Some(fill_report(coin, cloid.unwrap_or(Cloid(0)), fill, remaining))
    }

    fn order_update(&mut self, update: &OrderUpdate, counts: &mut UserCounts) -> Option<VenueEvent> {
        let Some(coin) = update.coin else {
            counts.unknown_coin += 1;
            return None;
        };
        let cloid = update.cloid.or_else(|| self.cloid_of(update.oid))?;
        self.set_oid(cloid, update.oid);
        // An order of another session (or forgotten): its size lets later fills compute
        // what is left.
        self.track(cloid, update.orig_sz);
        let status = &update.status;
        if status.is_rejected() {
            return self.finish(cloid).then_some(VenueEvent::Rejected { coin, cloid, reason: status_reason(status) });
        }
        if status.is_canceled() {
            let ours = self.orders.get(&cloid).is_some_and(|o| o.cancel_sent);
            return (!ours && self.finish(cloid)).then_some(VenueEvent::Cancelled { coin, cloid });
        }
        None
    }

    /// The events of one user-channel frame (`userFills`, `orderUpdates`, `user`); other
    /// frames give none. Returns whether the frame was a user-channel frame.
    pub fn user_events(
        &mut self,
        frame: &Frame<'_>,
        counts: &mut UserCounts,
        mut emit: impl FnMut(VenueEvent),
    ) -> bool {
        match frame {
            Frame::UserFills(fills) => {
                for fill in fills.fills {
                    if let Some(report) = self.fill(fill, counts) {
                        if fills.is_snapshot {
                            counts.historical_fills += 1;
                            emit(VenueEvent::HistoricalFill(report));
                        } else {
                            counts.fills += 1;
                            emit(VenueEvent::Fill(report));
                        }
                    }
                }
            }
            Frame::User(UserEvent::Fills(fills)) => {
                for fill in *fills {
                    if let Some(report) = self.fill(fill, counts) {
                        counts.fills += 1;
                        emit(VenueEvent::Fill(report));
                    }
                }
            }
            Frame::OrderUpdates(updates) => {
                for update in *updates {
                    if let Some(event) = self.order_update(update, counts) {
                        emit(event);
                    }
                }
            }
            Frame::User(UserEvent::NonUserCancel(cancels)) => {
                for cancel in *cancels {
                    let (Some(coin), Some(cloid)) = (cancel.coin, self.cloid_of(cancel.oid)) else {
                        counts.unknown_coin += u64::from(cancel.coin.is_none());
                        continue;
                    };
                    if self.finish(cloid) {
                        emit(VenueEvent::Cancelled { coin, cloid });
                    }
                }
            }
            Frame::User(UserEvent::Funding(funding)) => match funding.coin {
                Some(coin) => emit(VenueEvent::Funding {
                    coin,
                    payment_usd: funding.payment_usdc.to_f64(),
                    exchange_time: funding.exchange_time,
                }),
                None => counts.unknown_coin += 1,
            },
            Frame::User(UserEvent::Liquidation(liquidation)) => {
                counts.liquidations += 1;
                tracing::error!(lid = liquidation.lid, "the venue reports a liquidation of this account");
            }
            _ => return false,
        }
        true
    }
}

/// A venue fill as the engine's report.
pub fn fill_report(coin: CoinId, cloid: Cloid, fill: &UserFill, remaining: Qty) -> FillReport {
    let fee = fill.fee_usdc().unwrap_or(Qty::ZERO) + fill.builder_fee_qty.unwrap_or(Qty::ZERO);
    FillReport {
        coin,
        cloid,
        side: fill.side,
        px: fill.px,
        qty: fill.sz,
        remaining,
        fee_usd: fee.to_f64(),
        liquidity: fill.liquidity(),
        exchange_time: fill.exchange_time,
        tid: fill.tid,
    }
}

/// The reject reason an order status stands for.
pub fn status_reason(status: &OrderStatus) -> RejectReason {
    match status {
        OrderStatus::TickRejected => RejectReason::BadTick,
        OrderStatus::MinTradeNtlRejected => RejectReason::BelowMinNotional,
        OrderStatus::PerpMarginRejected => RejectReason::InsufficientMargin,
        OrderStatus::ReduceOnlyRejected => RejectReason::ReduceOnlyWouldIncrease,
        OrderStatus::BadAloPxRejected => RejectReason::PostOnlyWouldMatch,
        OrderStatus::IocCancelRejected => RejectReason::IocCouldNotMatch,
        OrderStatus::OracleRejected => RejectReason::PriceTooFarFromOracle,
        other => match reject_reason(other.as_wire()) {
            RejectReason::Unknown(_) => RejectReason::Unknown(RejectText::truncated(other.as_wire())),
            known => known,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::hyperliquid::{CoinTable, Parser};
    use engine::types::{Price, Side, UnixNanos};
    use engine::venue::{Liquidity, OrderRequest};

    const BTC: CoinId = CoinId(0);
    const CLOID: &str = "0xa1f0cddc17303d07f3fd128d5b35071d";

    fn cloid() -> Cloid {
        engine::hyperliquid::parse_cloid(CLOID).unwrap()
    }

    fn table_with_order(qty: &str) -> OrderTable {
        let mut table = OrderTable::default();
        table.on_sent(&OrderAction::Place(OrderRequest {
            coin: BTC,
            cloid: cloid(),
            side: Side::Ask,
            px: Price::parse("64007").unwrap(),
            qty: Qty::parse(qty).unwrap(),
            post_only: true,
        }));
        table
    }

    fn fill_json(tid: u64, sz: &str, with_cloid: bool) -> String {
        let cloid = if with_cloid { format!(r#","cloid":"{CLOID}""#) } else { String::new() };
        format!(
            r#"{{"coin":"BTC","px":"64007.0","sz":"{sz}","side":"A","time":1784976932073,"startPosition":"-50.81882","dir":"Open Short","closedPnl":"0.0","hash":"0x0000000000000000000000000000000000000000000000000000000000000000","oid":502464503020,"crossed":false,"fee":"-0.000829","tid":{tid},"feeToken":"USDC","twapId":null{cloid}}}"#
        )
    }

    /// Parses each frame and collects the events.
    fn run(table: &mut OrderTable, frames: &[String]) -> (Vec<VenueEvent>, UserCounts) {
        let mut parser = Parser::new(CoinTable::new(["BTC"]).unwrap());
        let (mut out, mut counts) = (Vec::new(), UserCounts::default());
        for text in frames {
            let frame = parser.parse(text.as_bytes()).unwrap();
            assert!(table.user_events(&frame, &mut counts, |e| out.push(e)), "{text}");
        }
        (out, counts)
    }

    fn remaining_of(events: &[VenueEvent]) -> Vec<(u64, String)> {
        events
            .iter()
            .map(|e| match e {
                VenueEvent::Fill(f) => (f.tid, f.remaining.to_string()),
                VenueEvent::HistoricalFill(f) => (f.tid, format!("history {}", f.remaining)),
                other => panic!("not a fill: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_fill_on_both_channels_counts_once_and_remaining_shrinks() {
        let mut table = table_with_order("0.00050");
        let user = |tid, sz| format!(r#"{{"channel":"user","data":{{"fills":[{}]}}}}"#, fill_json(tid, sz, false));
        let fills = |tid, sz| {
            format!(
                r#"{{"channel":"userFills","data":{{"user":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","fills":[{}]}}}}"#,
                fill_json(tid, sz, true)
            )
        };
        // The first fill teaches oid → cloid; the `user` copy (no cloid) is a duplicate.
        let (events, counts) =
            run(&mut table, &[fills(1, "0.00018"), user(1, "0.00018"), user(2, "0.00020"), fills(2, "0.00020")]);
        assert_eq!(remaining_of(&events), [(1, "0.00032".to_string()), (2, "0.00012".to_string())]);
        assert_eq!((counts.fills, counts.duplicate_fills), (2, 2));
        let VenueEvent::Fill(first) = events[0] else { unreachable!() };
        assert_eq!(first.cloid, cloid());
        assert_eq!(first.liquidity, Liquidity::Maker);
        assert!((first.fee_usd + 0.000829).abs() < 1e-12, "a rebate is negative: {}", first.fee_usd);
        assert_eq!(first.px, Price::parse("64007").unwrap());
        assert_eq!(first.exchange_time, UnixNanos::from_millis(1784976932073));
    }

    #[test]
    fn out_of_order_fills_never_grow_remaining_and_it_stops_at_zero() {
        let mut table = table_with_order("0.0003");
        let frame = |tids: &[(u64, &str)]| {
            let fills: Vec<String> = tids.iter().map(|(t, sz)| fill_json(*t, sz, true)).collect();
            format!(r#"{{"channel":"user","data":{{"fills":[{}]}}}}"#, fills.join(","))
        };
        let (events, _) = run(
            &mut table,
            &[frame(&[(9, "0.0001")]), frame(&[(3, "0.0001"), (9, "0.0001")]), frame(&[(5, "0.0002")])],
        );
        assert_eq!(
            remaining_of(&events),
            [(9, "0.0002".to_string()), (3, "0.0001".to_string()), (5, "0".to_string())],
            "later tid first, duplicate skipped, an overfill clamps at zero"
        );
        assert_eq!(table.remaining(cloid()), Some(Qty::ZERO));
    }

    #[test]
    fn the_snapshot_is_history_and_reconciles_fills_missed_while_away() {
        let mut table = table_with_order("0.0005");
        let live = format!(r#"{{"channel":"user","data":{{"fills":[{}]}}}}"#, fill_json(1, "0.0001", true));
        // After a reconnect the snapshot repeats fill 1 and brings fill 2, missed meanwhile.
        let snapshot = format!(
            r#"{{"channel":"userFills","data":{{"isSnapshot":true,"user":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","fills":[{},{}]}}}}"#,
            fill_json(1, "0.0001", true),
            fill_json(2, "0.0002", true)
        );
        let (events, counts) = run(&mut table, &[live, snapshot]);
        assert_eq!(remaining_of(&events), [(1, "0.0004".to_string()), (2, "history 0.0002".to_string())]);
        assert_eq!((counts.fills, counts.historical_fills, counts.duplicate_fills), (1, 1, 1));
        let empty = r#"{"channel":"userFills","data":{"isSnapshot":true,"user":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","fills":[]}}"#;
        assert!(run(&mut table, &[empty.to_string()]).0.is_empty());
    }

    #[test]
    fn venue_cancels_are_reported_once_and_our_own_are_left_to_the_answer() {
        let update = |status: &str| {
            format!(
                r#"{{"channel":"orderUpdates","data":[{{"order":{{"coin":"BTC","side":"A","limitPx":"64007.0","sz":"0.0005","oid":57118842019,"timestamp":1785261289146,"origSz":"0.0005","cloid":"{CLOID}"}},"status":"{status}","statusTimestamp":1785261289146}}]}}"#
            )
        };
        let mut table = table_with_order("0.0005");
        let (events, _) = run(&mut table, &[update("open"), update("marginCanceled"), update("canceled")]);
        assert_eq!(events, [VenueEvent::Cancelled { coin: BTC, cloid: cloid() }], "one terminal event");
        assert_eq!(table.cloid_of(57118842019), Some(cloid()));

        let mut ours = table_with_order("0.0005");
        ours.on_sent(&OrderAction::Cancel { coin: BTC, cloid: cloid() });
        assert!(run(&mut ours, &[update("canceled")]).0.is_empty(), "our cancel is answered by its reply");

        let mut rejected = table_with_order("0.0005");
        let (events, _) = run(&mut rejected, &[update("badAloPxRejected")]);
        assert_eq!(
            events,
            [VenueEvent::Rejected { coin: BTC, cloid: cloid(), reason: RejectReason::PostOnlyWouldMatch }]
        );
        assert!(!rejected.finish(cloid()), "the post reply's reject is not reported again");
    }

    #[test]
    fn non_user_cancel_funding_and_unknown_coins() {
        let mut table = table_with_order("0.0005");
        table.set_oid(cloid(), 77);
        let frames = [
            r#"{"channel":"user","data":{"nonUserCancel":[{"coin":"BTC","oid":77},{"coin":"ETH","oid":78}]}}"#.to_string(),
            r#"{"channel":"user","data":{"funding":{"time":1700000000000,"coin":"BTC","usdc":"-0.512","szi":"0.5","fundingRate":"0.0000125"}}}"#.to_string(),
            format!(r#"{{"channel":"user","data":{{"fills":[{}]}}}}"#, fill_json(4, "0.1", false).replace("\"BTC\"", "\"ETH\"")),
        ];
        let (events, counts) = run(&mut table, &frames);
        assert_eq!(
            events,
            [
                VenueEvent::Cancelled { coin: BTC, cloid: cloid() },
                VenueEvent::Funding {
                    coin: BTC,
                    payment_usd: -0.512,
                    exchange_time: UnixNanos::from_millis(1700000000000)
                },
            ]
        );
        assert_eq!(counts.unknown_coin, 2, "the ETH cancel and the ETH fill");
    }

    #[test]
    fn a_fill_of_an_order_of_another_session_is_reported_with_nothing_left() {
        let mut table = OrderTable::default();
        let frame = format!(r#"{{"channel":"user","data":{{"fills":[{}]}}}}"#, fill_json(1, "0.0001", false));
        let (events, counts) = run(&mut table, &[frame]);
        let VenueEvent::Fill(f) = events[0] else { panic!("{events:?}") };
        assert_eq!((f.cloid, f.remaining, counts.untracked_fills), (Cloid(0), Qty::ZERO, 1));
    }
}
