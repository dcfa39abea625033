//! The latency model of the simulated exchange: when an action reaches the matching engine
//! and when the matching engine's answer reaches us.
//!
//! Constant for now: one delay for new orders, one for cancels (Hyperliquid prioritises
//! cancels and ALO-only batches, so they may be configured faster), one for every response.
//! A random or load-dependent model would replace this type behind the same two methods.

use super::config::SimVenueConfig;
use crate::types::Nanos;
use crate::venue::OrderAction;

/// Milliseconds in one second, to hand [`Nanos::from_secs_f64`] seconds.
const MILLIS_PER_SEC: f64 = 1_000.0;

/// Fixed one-way delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConstantLatency {
    pub order: Nanos,
    pub cancel: Nanos,
    pub response: Nanos,
}

impl ConstantLatency {
    /// Converts the config's milliseconds; a negative or NaN latency becomes zero.
    pub fn from_config(config: &SimVenueConfig) -> Self {
        Self {
            order: ms_to_nanos(config.order_latency_ms),
            cancel: ms_to_nanos(config.cancel_latency_ms),
            response: ms_to_nanos(config.response_latency_ms),
        }
    }

    /// When an action sent at `sent` reaches the matching engine. A scheduled cancel travels
    /// like an order.
    pub fn arrival(&self, sent: Nanos, action: &OrderAction) -> Nanos {
        match action {
            OrderAction::Place(_)
            | OrderAction::Modify { .. }
            | OrderAction::ScheduleCancel { .. }
            | OrderAction::QueryStatus { .. } => sent + self.order,
            OrderAction::Cancel { .. } => sent + self.cancel,
        }
    }

    /// When an event the matching engine produced at `processed` becomes visible to us.
    pub fn visible(&self, processed: Nanos) -> Nanos {
        processed + self.response
    }
}

fn ms_to_nanos(ms: f64) -> Nanos {
    Nanos::from_secs_f64(ms / MILLIS_PER_SEC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Cloid, CoinId};

    #[test]
    fn converts_milliseconds_and_clamps_nonsense_to_zero() {
        let config = SimVenueConfig {
            order_latency_ms: 2.5,
            cancel_latency_ms: -1.0,
            response_latency_ms: f64::NAN,
            ..SimVenueConfig::default()
        };
        let l = ConstantLatency::from_config(&config);
        assert_eq!(l.order, Nanos(2_500_000));
        assert_eq!(l.cancel, Nanos::ZERO);
        assert_eq!(l.response, Nanos::ZERO);
        let cancel = OrderAction::Cancel { coin: CoinId(0), cloid: Cloid(1) };
        assert_eq!(l.arrival(Nanos(10), &cancel), Nanos(10));
    }
}
