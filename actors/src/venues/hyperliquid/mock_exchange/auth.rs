//! Who sent a signed action, and whether its nonce may be used: the venue's two checks before
//! an action is executed (HYPERLIQUID.md, "Signing L1 actions" and "Orders").
//!
//! The signer is recovered, never trusted from the body: the action is read back into the
//! engine's own wire types ([`L1Action`]), hashed exactly as the signer hashed it
//! (`action_hash` → `agent_digest` for the configured network) and the address is recovered
//! from `{r, s, v}`. A body whose action carries a field those types do not know hashes to a
//! different digest and so recovers a stranger — as on the real venue, where any change to
//! the signed bytes shows up as "User or API Wallet … does not exist."
//!
//! Nonces: per signer, the 100 highest are kept; a new one must exceed the smallest of
//! them (once 100 are held), must not be one of them, and must lie within
//! (now − 2 days, now + 1 day).

use std::collections::{BTreeSet, HashMap};

use engine::hyperliquid::Address;
use serde::Deserialize;
use serde_json::Value;

use crate::venues::hyperliquid::exchange::{
    action_hash, agent_digest, recover_signer, L1Action, Network, Signature, NONCES_KEPT, NONCE_WINDOW_AHEAD_MS,
    NONCE_WINDOW_BEHIND_MS,
};

/// The `/exchange` body (and WebSocket `post` action payload) as the mock reads it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBody {
    action: Value,
    nonce: u64,
    signature: RawSignature,
    #[serde(default)]
    vault_address: Option<String>,
    #[serde(default)]
    expires_after: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct RawSignature {
    r: String,
    s: String,
    v: u8,
}

/// A body read and its signer recovered.
#[derive(Debug, Clone)]
pub(super) struct SignedBody {
    pub action: L1Action,
    pub nonce: u64,
    pub vault: Option<Address>,
    pub expires_after: Option<u64>,
    /// The address that signed (an agent wallet or the account itself).
    pub signer: Address,
}

/// Why a body is not even a request: the real server answers such bodies with HTTP 422 and
/// this kind of text, not with `{"status":"err"}`.
pub(super) fn malformed(detail: impl std::fmt::Display) -> String {
    format!("Failed to deserialize the JSON body into the target type: {detail}")
}

/// Reads `body` and recovers who signed it. `Err` is a malformed body (see [`malformed`]).
pub(super) fn read_signed(body: &Value, network: Network) -> Result<SignedBody, String> {
    let raw = RawBody::deserialize(body).map_err(malformed)?;
    let action = L1Action::deserialize(&raw.action).map_err(malformed)?;
    let vault = match raw.vault_address.as_deref() {
        None => None,
        Some(text) => Some(Address::parse(text).ok_or_else(|| malformed(format!("bad vaultAddress {text:?}")))?),
    };
    let signature = Signature {
        r: hex32(&raw.signature.r).ok_or_else(|| malformed("bad signature.r"))?,
        s: hex32(&raw.signature.s).ok_or_else(|| malformed("bad signature.s"))?,
        v: raw.signature.v,
    };
    let hash = action_hash(&action, raw.nonce, vault.as_ref(), raw.expires_after).map_err(malformed)?;
    // A signature that recovers no key at all is reported like one from a stranger, with a
    // zero address: the venue cannot name a signer it could not recover.
    let signer = recover_signer(&agent_digest(&hash, network), &signature).unwrap_or(Address([0; 20]));
    Ok(SignedBody { action, nonce: raw.nonce, vault, expires_after: raw.expires_after, signer })
}

/// `0x` + 64 hex digits (leading zeros may be omitted, as some signers write `r`/`s`).
fn hex32(text: &str) -> Option<[u8; 32]> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if digits.is_empty() || digits.len() > 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let padded = format!("{digits:0>64}");
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(padded.as_bytes().chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

/// Each signer's highest nonces.
#[derive(Debug, Default)]
pub(super) struct NonceBook {
    kept: HashMap<Address, BTreeSet<u64>>,
}

impl NonceBook {
    /// Takes `nonce` for `signer` at `now_ms`, or says why it cannot be used (nothing is
    /// recorded then).
    pub fn take(&mut self, signer: Address, nonce: u64, now_ms: u64) -> Result<(), String> {
        let lowest = now_ms.saturating_sub(NONCE_WINDOW_BEHIND_MS);
        let highest = now_ms.saturating_add(NONCE_WINDOW_AHEAD_MS);
        if nonce <= lowest || nonce >= highest {
            return Err(format!(
                "Invalid nonce: nonce {nonce} is outside the allowed window ({lowest}, {highest}) around block time \
                 {now_ms}"
            ));
        }
        let kept = self.kept.entry(signer).or_default();
        if kept.contains(&nonce) {
            return Err(format!("Invalid nonce: duplicate nonce {nonce}"));
        }
        if kept.len() >= NONCES_KEPT {
            let smallest = kept.first().copied().unwrap_or(0);
            if nonce <= smallest {
                return Err(format!(
                    "Invalid nonce: nonce {nonce} is not greater than {smallest}, the smallest of the \
                     {NONCES_KEPT} highest nonces used"
                ));
            }
            kept.pop_first();
        }
        kept.insert(nonce);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    #[test]
    fn nonces_must_be_fresh_new_and_above_the_kept_minimum() {
        let mut book = NonceBook::default();
        let a = Address([1; 20]);
        assert!(book.take(a, NOW, NOW).is_ok());
        assert!(book.take(a, NOW, NOW).unwrap_err().contains("duplicate"));
        // Another signer has its own set.
        assert!(book.take(Address([2; 20]), NOW, NOW).is_ok());
        let stale = NOW - NONCE_WINDOW_BEHIND_MS;
        assert!(book.take(a, stale, NOW).unwrap_err().contains("outside"));
        assert!(book.take(a, NOW + NONCE_WINDOW_AHEAD_MS, NOW).unwrap_err().contains("outside"));
        // Out of order is fine until 100 are held…
        for i in 1..NONCES_KEPT as u64 {
            assert!(book.take(a, NOW + 10 * i, NOW).is_ok());
        }
        assert!(book.take(a, NOW - 1, NOW).unwrap_err().contains("not greater than"));
        // …then the smallest is dropped for each new one.
        assert!(book.take(a, NOW + 5, NOW).is_ok());
        assert!(book.take(a, NOW + 6, NOW).is_ok());
        assert!(book.take(a, NOW + 4, NOW).unwrap_err().contains("not greater than"));
    }

    #[test]
    fn hex32_pads_short_scalars_and_refuses_junk() {
        assert_eq!(hex32("0x01").unwrap()[31], 1);
        assert_eq!(hex32(&format!("0x{}", "ab".repeat(32))).unwrap(), [0xab; 32]);
        assert!(hex32("0x").is_none());
        assert!(hex32("0xzz").is_none());
        assert!(hex32(&"1".repeat(65)).is_none());
    }
}
