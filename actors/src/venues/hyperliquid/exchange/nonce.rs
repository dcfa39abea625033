//! Nonces of signed actions: Unix milliseconds, strictly increasing per signer.
//!
//! Hyperliquid's rule (HYPERLIQUID.md, "Orders"): the exchange keeps the [`NONCES_KEPT`]
//! (100) highest nonces of each signer; a new nonce must be larger than the smallest of
//! them, must not be one of them, and must lie within (T − 2 days, T + 1 day) of the block
//! time T. Millisecond time satisfies all of it as long as each nonce is larger than the
//! last: [`NonceSource::next`] takes the clock, or the previous nonce + 1 when the clock
//! has not advanced (two actions in one millisecond) or went back (an NTP step). It only
//! runs ahead of the clock by the number of actions sent within one millisecond, far inside
//! the one-day window.
//!
//! Nonces are per signer (the agent wallet's address when signing as an agent), so one
//! process, one `NonceSource` per key; on restart, seed it with the last nonce the journal
//! holds ([`NonceSource::starting_after`]) in case the clock moved back across the restart.

use engine::types::UnixNanos;

/// How many of a signer's highest nonces the exchange remembers.
pub const NONCES_KEPT: usize = 100;
/// A nonce must be more than this far above block time − 2 days…
pub const NONCE_WINDOW_BEHIND_MS: u64 = 2 * 24 * 3_600_000;
/// …and less than block time + 1 day.
pub const NONCE_WINDOW_AHEAD_MS: u64 = 24 * 3_600_000;

/// Strictly increasing millisecond nonces.
#[derive(Debug, Clone, Default)]
pub struct NonceSource {
    last: u64,
}

impl NonceSource {
    pub const fn new() -> Self {
        Self { last: 0 }
    }

    /// A source whose first nonce exceeds `last` (e.g. the journal's last nonce).
    pub const fn starting_after(last: u64) -> Self {
        Self { last }
    }

    /// The nonce for an action signed at `now`: `now` in ms, or the last nonce + 1 if that
    /// is not larger.
    pub fn next(&mut self, now: UnixNanos) -> u64 {
        let nonce = (now.0 / 1_000_000).max(self.last + 1);
        self.last = nonce;
        nonce
    }

    /// [`next`](Self::next) with the system clock (at the I/O edge).
    pub fn next_now(&mut self) -> u64 {
        self.next(UnixNanos::wall_clock())
    }

    /// The last nonce handed out (0 before the first).
    pub const fn last(&self) -> u64 {
        self.last
    }
}

/// Whether the exchange's time window admits `nonce` at block time `block_time_ms`:
/// (T − 2 days, T + 1 day), both ends open. The 100-highest rule is the exchange's state.
pub fn nonce_in_window(nonce: u64, block_time_ms: u64) -> bool {
    nonce > block_time_ms.saturating_sub(NONCE_WINDOW_BEHIND_MS) && nonce < block_time_ms + NONCE_WINDOW_AHEAD_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn follows_the_clock_when_it_advances() {
        let mut n = NonceSource::new();
        assert_eq!(n.next(UnixNanos(1_700_000_000_000 * MS)), 1_700_000_000_000);
        assert_eq!(n.next(UnixNanos(1_700_000_000_005 * MS + 999_999)), 1_700_000_000_005, "ms, truncated");
        assert_eq!(n.last(), 1_700_000_000_005);
    }

    #[test]
    fn stuck_or_backwards_clock_still_increases_by_one() {
        let mut n = NonceSource::new();
        let t = 1_700_000_000_000;
        assert_eq!(n.next(UnixNanos(t * MS)), t);
        assert_eq!(n.next(UnixNanos(t * MS)), t + 1, "same ms");
        assert_eq!(n.next(UnixNanos(t * MS + 500_000)), t + 2, "same ms, later ns");
        assert_eq!(n.next(UnixNanos((t - 60_000) * MS)), t + 3, "clock stepped back a minute");
        assert_eq!(n.next(UnixNanos(0)), t + 4, "clock at the epoch");
        assert_eq!(n.next(UnixNanos((t + 10) * MS)), t + 10, "clock caught up: follow it again");
        let mut seen = n.last();
        for i in 0..10_000u64 {
            let nonce = n.next(UnixNanos((t + 5 - i % 7) * MS));
            assert!(nonce > seen);
            seen = nonce;
        }
    }

    #[test]
    fn restarts_after_the_journals_last_nonce() {
        let mut n = NonceSource::starting_after(2_000);
        assert_eq!(n.next(UnixNanos(1_000 * MS)), 2_001);
        let mut live = NonceSource::new();
        let (a, b) = (live.next_now(), live.next_now());
        assert!(b > a && nonce_in_window(a, a));
    }

    #[test]
    fn the_window_is_open_on_both_ends() {
        let t = 1_700_000_000_000;
        assert!(nonce_in_window(t, t));
        assert!(nonce_in_window(t - NONCE_WINDOW_BEHIND_MS + 1, t));
        assert!(!nonce_in_window(t - NONCE_WINDOW_BEHIND_MS, t));
        assert!(nonce_in_window(t + NONCE_WINDOW_AHEAD_MS - 1, t));
        assert!(!nonce_in_window(t + NONCE_WINDOW_AHEAD_MS, t));
    }
}
