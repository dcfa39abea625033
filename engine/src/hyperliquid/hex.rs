//! Fixed-width hex identifiers on the wire: user addresses, transaction hashes, client
//! order ids.
//!
//! Hyperliquid writes an address as `0x` + 40 hex digits, a transaction hash as `0x` + 64 and
//! a `cloid` as `0x` + 32 (HYPERLIQUID.md, "Orders"). Holding them as byte arrays instead of
//! `String`s keeps every frame type `Copy` and parsing allocation-free. Either hex case is
//! accepted; display is lowercase, as Hyperliquid prints them.

use crate::types::Cloid;
use std::fmt;

/// A 20-byte account address (`0x` + 40 hex digits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address(pub [u8; 20]);

/// A 32-byte transaction hash (`0x` + 64 hex digits). All zeros for fills without an L1
/// transaction of their own (e.g. TWAP slices), as the venue sends them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxHash(pub [u8; 32]);

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `0x` + exactly `2·N` hex digits.
fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes().strip_prefix(b"0x")?;
    if digits.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = hex_digit(pair[0])? << 4 | hex_digit(pair[1])?;
    }
    Some(out)
}

fn write_hex(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("0x")?;
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

impl Address {
    /// Parses `0x` + 40 hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        decode(text).map(Self)
    }
}

impl TxHash {
    /// Parses `0x` + 64 hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        decode(text).map(Self)
    }
}

/// Parses a client order id, `0x` + 32 hex digits.
pub fn parse_cloid(text: &str) -> Option<Cloid> {
    decode::<16>(text).map(|b| Cloid(u128::from_be_bytes(b)))
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(&self.0, f)
    }
}

impl fmt::Display for TxHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_wire_forms() {
        let a = "0x14a855bdcffa67fdf47a112f5180c26d7088c85f";
        assert_eq!(Address::parse(a).unwrap().to_string(), a);
        let h = "0x92d38081159338b16193041b8e778601cc009bdb07afadb910963709b4e6ac76";
        assert_eq!(TxHash::parse(h).unwrap().to_string(), h);
        let c = "0xa1f0cddc17303d07f3fd128d5b35071d";
        assert_eq!(parse_cloid(c).unwrap().to_string(), c);
        assert_eq!(parse_cloid("0xA1F0CDDC17303D07F3FD128D5B35071D").unwrap().to_string(), c);
    }

    #[test]
    fn refuses_wrong_length_prefix_or_digits() {
        assert!(parse_cloid("a1f0cddc17303d07f3fd128d5b35071d").is_none(), "no 0x");
        assert!(parse_cloid("0xa1f0cddc17303d07f3fd128d5b35071").is_none(), "31 digits");
        assert!(parse_cloid("0xa1f0cddc17303d07f3fd128d5b35071dd").is_none(), "33 digits");
        assert!(parse_cloid("0xg1f0cddc17303d07f3fd128d5b35071d").is_none(), "not hex");
        assert!(Address::parse("0x").is_none());
        assert!(TxHash::parse("").is_none());
        assert!(parse_cloid("0xé1f0cddc17303d07f3fd128d5b3507").is_none(), "multi-byte char");
    }
}
