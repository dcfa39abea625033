//! Typed identifiers: a coin is an index into the configured market list, an order is a
//! 128-bit client order id (Hyperliquid's `cloid`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Upper bound on coins one engine quotes; per-coin state lives in fixed arrays of this size.
pub const MAX_COINS: usize = 16;

/// Index of a coin in the engine's configured market list (0-based, `< MAX_COINS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CoinId(pub u8);

impl CoinId {
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// Client order id: 128 bits, shown as `0x` + 32 hex digits as Hyperliquid expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cloid(pub u128);

impl fmt::Display for Cloid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:032x}", self.0)
    }
}

/// Hands out unique client order ids: a 64-bit session prefix (so ids from two runs never
/// collide) followed by a 64-bit counter.
#[derive(Debug, Clone)]
pub struct CloidSequence {
    prefix: u128,
    next: u64,
}

impl CloidSequence {
    pub fn new(session_prefix: u64) -> Self {
        Self { prefix: u128::from(session_prefix) << 64, next: 1 }
    }

    pub fn next_cloid(&mut self) -> Cloid {
        let id = Cloid(self.prefix | u128::from(self.next));
        self.next += 1;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloid_is_0x_and_32_hex_digits() {
        let mut seq = CloidSequence::new(0xabcd);
        let a = seq.next_cloid();
        let b = seq.next_cloid();
        assert_ne!(a, b);
        assert_eq!(a.to_string(), "0x000000000000abcd0000000000000001");
    }
}
