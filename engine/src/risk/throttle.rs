//! The new-order throttle: a token bucket handed the time.
//!
//! Tokens refill continuously at `rate_per_s` up to `capacity` (the burst); each new order
//! takes one. A new order finding the bucket empty is dropped, not delayed: the next intent
//! asks again, with the market as it is then.

use crate::types::Nanos;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenBucket {
    tokens: f64,
    capacity: f64,
    rate_per_s: f64,
    last: Nanos,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(rate_per_s: f64, burst: u32, now: Nanos) -> Self {
        let capacity = f64::from(burst);
        Self { tokens: capacity, capacity, rate_per_s, last: now }
    }

    /// New rate and burst; the tokens held stay, capped by the new burst.
    pub fn reconfigure(&mut self, rate_per_s: f64, burst: u32) {
        self.rate_per_s = rate_per_s;
        self.capacity = f64::from(burst);
        self.tokens = self.tokens.min(self.capacity);
    }

    fn refill(&mut self, now: Nanos) {
        let elapsed_s = now.saturating_sub(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed_s * self.rate_per_s).min(self.capacity);
        self.last = self.last.max(now);
    }

    /// Takes one token at `now`, if there is one.
    pub fn try_take(&mut self, now: Nanos) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Tokens available at the last refill.
    pub fn tokens(&self) -> f64 {
        self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate() {
        let mut bucket = TokenBucket::new(10.0, 3, Nanos::ZERO);
        let taken = (0..5).filter(|_| bucket.try_take(Nanos::ZERO)).count();
        assert_eq!(taken, 3, "the burst, then empty");
        // 10 per s: one token every 100 ms.
        assert!(!bucket.try_take(Nanos::from_millis(99)));
        assert!(bucket.try_take(Nanos::from_millis(100)));
        assert!(!bucket.try_take(Nanos::from_millis(100)));
        // A long pause refills only up to the burst.
        let later = Nanos::from_millis(60_000);
        assert_eq!((0..10).filter(|_| bucket.try_take(later)).count(), 3);
    }

    #[test]
    fn reconfigure_caps_the_tokens_held_and_changes_the_rate() {
        let mut bucket = TokenBucket::new(1.0, 10, Nanos::ZERO);
        bucket.reconfigure(1_000.0, 2);
        assert_eq!(bucket.tokens(), 2.0);
        assert!(bucket.try_take(Nanos::ZERO) && bucket.try_take(Nanos::ZERO));
        assert!(!bucket.try_take(Nanos::ZERO));
        assert!(bucket.try_take(Nanos::from_millis(1)), "1000 per s: one a millisecond");
        // Time never runs backwards for the bucket.
        assert!(!bucket.try_take(Nanos::ZERO));
    }
}
