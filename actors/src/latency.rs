//! Per-actor latency histograms: queue wait, service time and (OrderActor) tick-to-order.
//!
//! HDR histograms with 3 significant digits over 1 ns … 60 s, allocated once when the actor
//! is placed; recording never allocates (values above the range are clamped and counted in
//! the top bucket). Each histogram belongs to the thread running its actor; observers get a
//! copy through a control message.

use crate::ActorId;
use hdrhistogram::Histogram;
use serde::Serialize;

/// Largest latency a histogram tracks: 60 s in ns.
const MAX_TRACKED_NS: u64 = 60_000_000_000;
/// Significant decimal digits kept by the histograms.
const SIG_FIGS: u8 = 3;

/// The histograms of one actor.
#[derive(Debug, Clone)]
pub struct ActorLatency {
    pub queue_wait_ns: Histogram<u64>,
    pub service_ns: Histogram<u64>,
    pub tick_to_order_ns: Histogram<u64>,
}

fn new_histogram() -> Histogram<u64> {
    match Histogram::new_with_bounds(1, MAX_TRACKED_NS, SIG_FIGS) {
        Ok(h) => h,
        // The bounds are constants known to be valid; an error here is a programming bug.
        Err(e) => unreachable!("histogram bounds rejected: {e}"),
    }
}

impl Default for ActorLatency {
    fn default() -> Self {
        Self { queue_wait_ns: new_histogram(), service_ns: new_histogram(), tick_to_order_ns: new_histogram() }
    }
}

fn record(h: &mut Histogram<u64>, ns: u64) {
    h.saturating_record(ns.clamp(1, MAX_TRACKED_NS));
}

impl ActorLatency {
    pub fn record_queue_wait(&mut self, ns: u64) {
        record(&mut self.queue_wait_ns, ns);
    }

    pub fn record_service(&mut self, ns: u64) {
        record(&mut self.service_ns, ns);
    }

    pub fn record_tick_to_order(&mut self, ns: u64) {
        record(&mut self.tick_to_order_ns, ns);
    }

    pub fn snapshot(&self, actor: ActorId) -> LatencySnapshot {
        LatencySnapshot {
            actor,
            queue_wait: Percentiles::of(&self.queue_wait_ns),
            service: Percentiles::of(&self.service_ns),
            tick_to_order: (!self.tick_to_order_ns.is_empty()).then(|| Percentiles::of(&self.tick_to_order_ns)),
            service_bins: log2_bins(&self.service_ns),
        }
    }
}

/// One bin of a latency histogram on a log₂ scale: values in (upper_ns / 2, upper_ns].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LatencyBin {
    pub upper_ns: u64,
    pub count: u64,
}

/// The histogram's counts in powers of two (the non-empty bins, ascending): a chart of a
/// distribution spanning 100 ns to 10 ms needs a log axis, and 3-digit HDR buckets are far
/// finer than a chart can show.
fn log2_bins(h: &Histogram<u64>) -> Vec<LatencyBin> {
    let mut bins: Vec<LatencyBin> = Vec::new();
    for v in h.iter_recorded() {
        let upper_ns = v.value_iterated_to().max(1).next_power_of_two();
        match bins.last_mut() {
            Some(last) if last.upper_ns == upper_ns => last.count += v.count_at_value(),
            _ => bins.push(LatencyBin { upper_ns, count: v.count_at_value() }),
        }
    }
    bins
}

/// Count and percentiles of one histogram, in ns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p99_ns: u64,
    pub p999_ns: u64,
    pub max_ns: u64,
}

impl Percentiles {
    pub fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        Self {
            count: h.len(),
            p50_ns: h.value_at_quantile(0.50),
            p90_ns: h.value_at_quantile(0.90),
            p99_ns: h.value_at_quantile(0.99),
            p999_ns: h.value_at_quantile(0.999),
            max_ns: h.max(),
        }
    }
}

/// One actor's latency, as reported to observers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencySnapshot {
    pub actor: ActorId,
    pub queue_wait: Percentiles,
    pub service: Percentiles,
    /// Venue event in → order action out; only OrderActor has it.
    pub tick_to_order: Option<Percentiles>,
    /// The service-time histogram itself, log₂ bins (for charts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_bins: Vec<LatencyBin>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_reflect_recorded_values() {
        let mut l = ActorLatency::default();
        for ns in 1..=1000u64 {
            l.record_service(ns * 1000);
        }
        l.record_queue_wait(0);
        l.record_queue_wait(u64::MAX);
        let s = l.snapshot(ActorId::Quote);
        assert_eq!(s.service.count, 1000);
        assert!((499_000..=501_000).contains(&s.service.p50_ns), "{}", s.service.p50_ns);
        assert!((989_000..=991_000).contains(&s.service.p99_ns), "{}", s.service.p99_ns);
        assert_eq!(s.queue_wait.count, 2, "out-of-range values are clamped, not lost");
        assert!(s.tick_to_order.is_none());
        // 1..=1000 µs in log₂ bins: (512, 1024] µs holds 489 µs … 1000 µs, within HDR's 3 digits.
        assert_eq!(s.service_bins.iter().map(|b| b.count).sum::<u64>(), 1000);
        assert!(s.service_bins.windows(2).all(|w| w[0].upper_ns < w[1].upper_ns));
        assert!(s.service_bins.iter().all(|b| b.upper_ns.is_power_of_two()));
    }
}
