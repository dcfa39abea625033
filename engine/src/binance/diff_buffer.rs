//! Diffs held back for a REST snapshot to land on.
//!
//! Binance's "How to manage a local order book correctly" (USD-M): open the diff stream,
//! *buffer the events*, fetch `GET /fapi/v1/depth`, drop buffered events with
//! `u < lastUpdateId`, and apply the rest starting from the one with
//! `U ≤ lastUpdateId ≤ u`. The snapshot answer arrives hundreds of milliseconds after the
//! stream opens (in the 2024-08-08 recordings it arrives after 6 diffs for BTCUSDT, its
//! `lastUpdateId` inside the 5th, and after 7 for ETHUSDT, ending the 6th), so the diffs
//! must be kept until it does.
//!
//! The buffer holds one unbroken chain of the most recent diffs (the book clears it on a
//! sequence gap). It is bounded in diffs and in levels, both reserved up front, so it never
//! allocates; when full it forgets its oldest quarter (a snapshot older than what is left can
//! then no longer be bridged, and the book says so).

use super::events::{DepthDiff, PriceLevel};

/// A buffered diff: its sequence ids and where its levels sit in the shared level array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BufferedIds {
    pub first_update_id: u64,
    pub final_update_id: u64,
    pub prev_final_update_id: u64,
    pub transaction_time_ns: u64,
    levels_start: usize,
    bids_len: usize,
    asks_len: usize,
}

#[derive(Debug, Clone)]
pub(super) struct DiffBuffer {
    diffs: Vec<BufferedIds>,
    /// Levels of all buffered diffs, back to back in arrival order: bids then asks per diff.
    levels: Vec<PriceLevel>,
    max_diffs: usize,
    max_levels: usize,
}

impl DiffBuffer {
    pub fn new(max_diffs: usize, max_levels: usize) -> Self {
        Self { diffs: Vec::with_capacity(max_diffs), levels: Vec::with_capacity(max_levels), max_diffs, max_levels }
    }

    pub fn clear(&mut self) {
        self.diffs.clear();
        self.levels.clear();
    }

    pub fn len(&self) -> usize {
        self.diffs.len()
    }

    /// Appends `diff`, forgetting the oldest diffs if it would not fit. Returns how many
    /// diffs were forgotten (a diff larger than the whole level budget empties the buffer).
    pub fn push(&mut self, diff: &DepthDiff<'_>) -> u64 {
        let n = diff.bids.len() + diff.asks.len();
        if n > self.max_levels || self.max_diffs == 0 {
            let forgotten = self.diffs.len() as u64 + 1;
            self.clear();
            return forgotten;
        }
        let mut forgotten = 0;
        while self.diffs.len() >= self.max_diffs || self.levels.len() + n > self.max_levels {
            forgotten += self.forget_oldest();
        }
        let levels_start = self.levels.len();
        self.levels.extend_from_slice(diff.bids);
        self.levels.extend_from_slice(diff.asks);
        self.diffs.push(BufferedIds {
            first_update_id: diff.first_update_id,
            final_update_id: diff.final_update_id,
            prev_final_update_id: diff.prev_final_update_id,
            transaction_time_ns: diff.transaction_time.0,
            levels_start,
            bids_len: diff.bids.len(),
            asks_len: diff.asks.len(),
        });
        forgotten
    }

    /// Drops the oldest quarter (at least one) of the buffered diffs.
    fn forget_oldest(&mut self) -> u64 {
        let k = (self.diffs.len() / 4).max(1).min(self.diffs.len());
        let cut = self.diffs.get(k).map_or(self.levels.len(), |d| d.levels_start);
        self.levels.drain(..cut);
        self.diffs.drain(..k);
        for d in &mut self.diffs {
            d.levels_start -= cut;
        }
        k as u64
    }

    /// Index of the first buffered diff with `u ≥ update_id`.
    pub fn first_reaching(&self, update_id: u64) -> Option<usize> {
        self.diffs.iter().position(|d| d.final_update_id >= update_id)
    }

    /// The `i`-th buffered diff: ids, bids, asks.
    pub fn get(&self, i: usize) -> Option<(BufferedIds, &[PriceLevel], &[PriceLevel])> {
        let d = *self.diffs.get(i)?;
        let bids = self.levels.get(d.levels_start..d.levels_start + d.bids_len)?;
        let asks = self.levels.get(d.levels_start + d.bids_len..d.levels_start + d.bids_len + d.asks_len)?;
        Some((d, bids, asks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Price, Qty, UnixNanos};

    fn diff(u: u64, levels: &[PriceLevel]) -> DepthDiff<'_> {
        DepthDiff {
            symbol: "X",
            event_time: UnixNanos(0),
            transaction_time: UnixNanos(u),
            first_update_id: u,
            final_update_id: u,
            prev_final_update_id: u - 1,
            bids: levels,
            asks: &levels[..1],
        }
    }

    #[test]
    fn keeps_the_newest_chain_within_bounds() {
        let lv = [PriceLevel { px: Price(1), qty: Qty(1) }, PriceLevel { px: Price(2), qty: Qty(2) }];
        let mut buf = DiffBuffer::new(4, 10);
        let mut forgotten = 0;
        for u in 1..=10 {
            forgotten += buf.push(&diff(u, &lv));
        }
        // 3 levels a diff, 10 levels max → at most 3 diffs kept; the newest always is.
        assert!(buf.len() <= 3 && buf.len() >= 1);
        assert_eq!(forgotten + buf.len() as u64, 10);
        let (last, bids, asks) = buf.get(buf.len() - 1).unwrap();
        assert_eq!(last.final_update_id, 10);
        assert_eq!((bids, asks), (&lv[..], &lv[..1]));
        assert_eq!(buf.first_reaching(10), Some(buf.len() - 1));
        assert_eq!(buf.first_reaching(11), None);
        assert_eq!(buf.levels.capacity(), 10, "never grew");
        // A diff larger than the whole budget empties the buffer.
        let big = [lv[0]; 11];
        buf.push(&diff(11, &big));
        assert_eq!(buf.len(), 0);
    }
}
