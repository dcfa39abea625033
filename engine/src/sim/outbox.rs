//! The way back from the matching engine: turns what matching did into [`VenueEvent`]s and
//! holds them until the response latency has passed.
//!
//! Every event is stamped with its coin and `exchange_time = start_unix + processing time`;
//! a fill also gets its fee ([`super::fees`]) and a trade id from one counter that starts at
//! 1 and only grows, so (coin, tid) is unique and a run is deterministic.

use super::fees::FeeSchedule;
use super::finished::{FinishedOrders, FINISHED_ORDERS_REMEMBERED};
use super::latency::ConstantLatency;
use super::matching::MatchOutcome;
use super::timed_queue::TimedQueue;
use crate::types::{Cloid, CoinId, Nanos, UnixNanos};
use crate::venue::{FillReport, VenueEvent, VenueOrderStatus};

/// First trade id handed out.
const FIRST_TID: u64 = 1;

#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    events: TimedQueue<VenueEvent>,
    fees: FeeSchedule,
    latency: ConstantLatency,
    start_unix: UnixNanos,
    next_tid: u64,
    /// Orders that left the book, for status queries.
    finished: FinishedOrders,
}

impl Outbox {
    pub(crate) fn new(capacity: usize, fees: FeeSchedule, latency: ConstantLatency, start_unix: UnixNanos) -> Self {
        let events = TimedQueue::with_capacity(capacity);
        let finished = FinishedOrders::new(FINISHED_ORDERS_REMEMBERED);
        Self { events, fees, latency, start_unix, next_tid: FIRST_TID, finished }
    }

    /// How an order that left the book ended, if remembered.
    pub(crate) fn finished_status(&self, coin: CoinId, cloid: Cloid) -> Option<VenueOrderStatus> {
        self.finished.status(coin, cloid)
    }

    /// Where the outcomes of processing `coin` at `processed` go.
    pub(crate) fn sink(&mut self, coin: CoinId, processed: Nanos) -> EventSink<'_> {
        let exchange_time = UnixNanos(self.start_unix.0.saturating_add(processed.0));
        let visible_at = self.latency.visible(processed);
        EventSink { outbox: self, coin, exchange_time, visible_at }
    }

    /// Queues an account-wide event (the scheduled cancel's) produced at `processed`.
    pub(crate) fn push_account(&mut self, processed: Nanos, event: VenueEvent) {
        self.events.push(self.latency.visible(processed), event);
    }

    pub(crate) fn next_due(&self) -> Option<Nanos> {
        self.events.next_due()
    }

    /// The next event visible by `now`.
    pub(crate) fn pop_visible(&mut self, now: Nanos) -> Option<VenueEvent> {
        self.events.pop_due(now).map(|(_, event)| event)
    }

    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.events.capacity()
    }
}

/// Stamps and queues the outcomes of one coin processed at one instant.
pub(crate) struct EventSink<'a> {
    outbox: &'a mut Outbox,
    coin: CoinId,
    exchange_time: UnixNanos,
    visible_at: Nanos,
}

impl EventSink<'_> {
    pub(crate) fn push(&mut self, outcome: MatchOutcome) {
        let coin = self.coin;
        let finished = &mut self.outbox.finished;
        let event = match outcome {
            MatchOutcome::Accepted(cloid) => VenueEvent::Accepted { coin, cloid },
            MatchOutcome::Rejected(cloid, reason) => {
                finished.record(coin, cloid, VenueOrderStatus::Rejected(reason));
                VenueEvent::Rejected { coin, cloid, reason }
            }
            MatchOutcome::Cancelled(cloid) => {
                finished.record(coin, cloid, VenueOrderStatus::Cancelled);
                VenueEvent::Cancelled { coin, cloid }
            }
            MatchOutcome::CancelRejected(cloid) => VenueEvent::CancelRejected { coin, cloid },
            MatchOutcome::Fill(exec) => {
                if exec.remaining_qty.is_zero() {
                    finished.record(coin, exec.cloid, VenueOrderStatus::Filled);
                }
                let tid = self.outbox.next_tid;
                self.outbox.next_tid += 1;
                VenueEvent::Fill(FillReport {
                    coin,
                    cloid: exec.cloid,
                    side: exec.side,
                    px: exec.px,
                    qty: exec.qty,
                    remaining: exec.remaining_qty,
                    fee_usd: self.outbox.fees.fee_usd(exec.liquidity, exec.px, exec.qty),
                    liquidity: exec.liquidity,
                    exchange_time: self.exchange_time,
                    tid,
                })
            }
        };
        self.outbox.events.push(self.visible_at, event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::matching::Execution;
    use crate::sim::test_support::{px, q};
    use crate::types::{Cloid, Side};
    use crate::venue::Liquidity;

    #[test]
    fn stamps_time_fee_and_increasing_tids() {
        let latency = ConstantLatency { order: Nanos(0), cancel: Nanos(0), response: Nanos(7) };
        let mut outbox = Outbox::new(4, FeeSchedule::default(), latency, UnixNanos(1_000));
        let exec = |cloid| Execution {
            cloid: Cloid(cloid),
            side: Side::Ask,
            px: px("200"),
            qty: q("0.5"),
            remaining_qty: q("0"),
            liquidity: Liquidity::Taker,
        };
        let mut sink = outbox.sink(CoinId(2), Nanos(50));
        sink.push(MatchOutcome::Fill(exec(1)));
        sink.push(MatchOutcome::Fill(exec(2)));
        assert_eq!(outbox.next_due(), Some(Nanos(57)));
        assert_eq!(outbox.pop_visible(Nanos(56)), None);
        let mut tids = Vec::new();
        while let Some(VenueEvent::Fill(f)) = outbox.pop_visible(Nanos(57)) {
            assert_eq!((f.coin, f.exchange_time), (CoinId(2), UnixNanos(1_050)));
            assert!((f.fee_usd - 0.045).abs() < 1e-12, "4.5 bps of $100: {}", f.fee_usd);
            tids.push(f.tid);
        }
        assert_eq!(tids, vec![1, 2]);
    }
}
