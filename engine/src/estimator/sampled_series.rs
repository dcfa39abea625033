//! A short time series in a fixed array, thinned to one stored sample per `spacing`, for
//! estimators that look a fixed time back (open interest a window ago, a mid H ago).
//!
//! Why thinned: a burst of updates must not flush the history the look-back needs, so at most
//! one sample per `spacing` is stored while the latest update is always kept apart. The value
//! at a past time is the last stored sample at or before it (the series is a step function),
//! which is late by less than `spacing`. Fixed capacity `N`: nothing allocates after `new`.

use crate::types::Nanos;

/// A fixed-capacity ring of `(time, value)` with a minimum spacing between stored samples.
#[derive(Debug, Clone)]
pub(super) struct SampledSeries<const N: usize> {
    spacing: Nanos,
    buf: [(Nanos, f64); N],
    /// Physical index of the oldest stored sample.
    start: usize,
    len: usize,
    latest: Option<(Nanos, f64)>,
}

impl<const N: usize> SampledSeries<N> {
    pub(super) fn new(spacing: Nanos) -> Self {
        Self { spacing, buf: [(Nanos::ZERO, 0.0); N], start: 0, len: 0, latest: None }
    }

    fn stored(&self, i: usize) -> (Nanos, f64) {
        self.buf[(self.start + i) % N]
    }

    /// Records `value` at `t` (callers guarantee `t` ≥ the latest time).
    pub(super) fn push(&mut self, t: Nanos, value: f64) {
        self.latest = Some((t, value));
        let due = self.len == 0 || t.saturating_sub(self.stored(self.len - 1).0) >= self.spacing;
        if !due {
            return;
        }
        if self.len == N {
            self.start = (self.start + 1) % N;
            self.len -= 1;
        }
        self.buf[(self.start + self.len) % N] = (t, value);
        self.len += 1;
    }

    pub(super) fn latest(&self) -> Option<(Nanos, f64)> {
        self.latest
    }

    /// The value in force at `t`: the latest update if it is not after `t`, else the last stored
    /// sample at or before `t` (binary search); `None` if the history does not reach back to `t`.
    pub(super) fn at_or_before(&self, t: Nanos) -> Option<f64> {
        let (t_latest, v_latest) = self.latest?;
        if t_latest <= t {
            return Some(v_latest);
        }
        // First stored index with time > t; the one before it is the answer.
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.stored(mid).0 <= t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo.checked_sub(1).map(|i| self.stored(i).1)
    }

    /// Time covered by the stored samples plus the latest update.
    pub(super) fn span(&self) -> Nanos {
        match (self.len, self.latest) {
            (0, _) | (_, None) => Nanos::ZERO,
            (_, Some((t, _))) => t.saturating_sub(self.stored(0).0),
        }
    }
}
