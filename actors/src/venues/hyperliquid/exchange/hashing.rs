//! What gets signed: the action's `connectionId` and the EIP-712 digest of the `Agent`
//! message that carries it (HYPERLIQUID.md, "Signing L1 actions").
//!
//! ```text
//! connectionId = keccak256( msgpack(action)          rmp_serde::to_vec_named, field order of the types
//!                         ‖ nonce                      u64 big-endian
//!                         ‖ 0x00 | 0x01 ‖ vault        no vault | 20-byte vault address
//!                         ‖ [0x00 ‖ expiresAfter] )    u64 big-endian, only when set
//! digest = keccak256( 0x19 0x01 ‖ domainSeparator ‖ keccak256(typeHash ‖ keccak256(source) ‖ connectionId) )
//! ```
//!
//! with `typeHash = keccak256("Agent(string source,bytes32 connectionId)")`, `source` "a" on
//! mainnet and "b" on testnet, and the domain `{name "Exchange", version "1", chainId 1337,
//! verifyingContract 0x0}`. The constant parts are hashed once. The msgpack streams straight
//! into the hasher: no buffer, no allocation.

use super::SigningError;
use arrayvec::ArrayVec;
use engine::hyperliquid::Address;
use serde::Serialize;
use sha3::{Digest, Keccak256};
use std::io;
use std::sync::OnceLock;

/// Which Hyperliquid chain an action is for; part of what is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    Mainnet,
    Testnet,
}

impl Network {
    /// The `Agent.source` of this network.
    pub const fn source(self) -> &'static str {
        match self {
            Network::Mainnet => "a",
            Network::Testnet => "b",
        }
    }
}

/// The bytes after the msgpack in the `connectionId` preimage: at most 8 + 1 + 20 + 1 + 8.
fn preimage_tail(nonce: u64, vault: Option<&Address>, expires_after: Option<u64>) -> ArrayVec<u8, 38> {
    let mut tail = ArrayVec::new();
    tail.try_extend_from_slice(&nonce.to_be_bytes()).expect("fits");
    match vault {
        None => tail.push(0x00),
        Some(vault) => {
            tail.push(0x01);
            tail.try_extend_from_slice(&vault.0).expect("fits");
        }
    }
    if let Some(expires_after) = expires_after {
        tail.push(0x00);
        tail.try_extend_from_slice(&expires_after.to_be_bytes()).expect("fits");
    }
    tail
}

/// Feeds whatever is written into a keccak hasher, through an inline buffer: msgpack comes
/// as many writes of a few bytes, and one `update` per write costs more than the copy.
struct KeccakWriter {
    hasher: Keccak256,
    buf: [u8; 1024],
    len: usize,
}

impl KeccakWriter {
    fn new() -> Self {
        Self { hasher: Keccak256::new(), buf: [0; 1024], len: 0 }
    }

    fn finalize(mut self) -> [u8; 32] {
        self.hasher.update(&self.buf[..self.len]);
        self.hasher.finalize().into()
    }
}

impl KeccakWriter {
    #[inline]
    fn push(&mut self, data: &[u8]) {
        let end = self.len + data.len();
        if end <= self.buf.len() {
            self.buf[self.len..end].copy_from_slice(data);
            self.len = end;
        } else {
            self.spill(data);
        }
    }

    #[cold]
    fn spill(&mut self, data: &[u8]) {
        self.hasher.update(&self.buf[..self.len]);
        self.len = 0;
        if data.len() > self.buf.len() {
            self.hasher.update(data);
        } else {
            self.buf[..data.len()].copy_from_slice(data);
            self.len = data.len();
        }
    }
}

impl io::Write for KeccakWriter {
    #[inline]
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.push(data);
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.push(data);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The action's msgpack, as the venue hashes it (`rmp_serde::to_vec_named`).
pub fn action_msgpack<A: Serialize + ?Sized>(action: &A) -> Result<Vec<u8>, SigningError> {
    rmp_serde::to_vec_named(action).map_err(|e| SigningError::Msgpack(e.to_string()))
}

/// The whole `connectionId` preimage, for tests and diagnostics; [`action_hash`] hashes the
/// same bytes without building them.
pub fn connection_id_preimage<A: Serialize + ?Sized>(
    action: &A,
    nonce: u64,
    vault: Option<&Address>,
    expires_after: Option<u64>,
) -> Result<Vec<u8>, SigningError> {
    let mut bytes = action_msgpack(action)?;
    bytes.extend_from_slice(&preimage_tail(nonce, vault, expires_after));
    Ok(bytes)
}

/// The action's `connectionId`. Generic so the SDK's own types hash the same way in tests.
pub fn action_hash<A: Serialize + ?Sized>(
    action: &A,
    nonce: u64,
    vault: Option<&Address>,
    expires_after: Option<u64>,
) -> Result<[u8; 32], SigningError> {
    let mut writer = KeccakWriter::new();
    rmp_serde::encode::write_named(&mut writer, action).map_err(|e| SigningError::Msgpack(e.to_string()))?;
    io::Write::write_all(&mut writer, &preimage_tail(nonce, vault, expires_after)).expect("infallible");
    Ok(writer.finalize())
}

fn keccak(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// The parts of the digest that do not depend on the action.
struct AgentConstants {
    domain_separator: [u8; 32],
    type_hash: [u8; 32],
    /// `keccak256(source)` for mainnet, testnet.
    source_hash: [[u8; 32]; 2],
}

fn agent_constants() -> &'static AgentConstants {
    static CONSTANTS: OnceLock<AgentConstants> = OnceLock::new();
    CONSTANTS.get_or_init(|| {
        let domain_type =
            keccak(&[b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"]);
        let mut chain_id = [0u8; 32];
        chain_id[24..].copy_from_slice(&1337u64.to_be_bytes());
        let verifying_contract = [0u8; 32];
        AgentConstants {
            domain_separator: keccak(&[
                &domain_type,
                &keccak(&[b"Exchange"]),
                &keccak(&[b"1"]),
                &chain_id,
                &verifying_contract,
            ]),
            type_hash: keccak(&[b"Agent(string source,bytes32 connectionId)"]),
            source_hash: [Network::Mainnet, Network::Testnet].map(|n| keccak(&[n.source().as_bytes()])),
        }
    })
}

/// The EIP-712 digest of `Agent{source, connectionId}`: what the ECDSA key signs.
pub fn agent_digest(connection_id: &[u8; 32], network: Network) -> [u8; 32] {
    let c = agent_constants();
    let source_hash = &c.source_hash[match network {
        Network::Mainnet => 0,
        Network::Testnet => 1,
    }];
    let struct_hash = keccak(&[&c.type_hash, source_hash, connection_id]);
    keccak(&[b"\x19\x01", &c.domain_separator, &struct_hash])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_is_nonce_vault_flag_and_optional_expiry() {
        let vault = Address([0xab; 20]);
        assert_eq!(preimage_tail(0x0102, None, None).as_slice(), [0, 0, 0, 0, 0, 0, 1, 2, 0x00]);
        let tail = preimage_tail(1, Some(&vault), Some(0x0a0b));
        assert_eq!(&tail[..8], 1u64.to_be_bytes());
        assert_eq!(tail[8], 0x01);
        assert_eq!(&tail[9..29], [0xab; 20]);
        assert_eq!(&tail[29..], [0x00, 0, 0, 0, 0, 0, 0, 0x0a, 0x0b]);
        assert_eq!(
            preimage_tail(1, None, Some(7)).as_slice(),
            [0, 0, 0, 0, 0, 0, 0, 1, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 7]
        );
    }

    #[test]
    fn streaming_hash_equals_hash_of_the_preimage() {
        #[derive(Serialize)]
        struct Probe {
            a: u32,
            b: Vec<String>,
        }
        // Small writes, one write larger than the buffer, many writes crossing its end.
        let probes = [vec!["x".to_string()], vec!["y".repeat(3000)], vec!["z".repeat(100); 50]];
        for b in probes {
            let probe = Probe { a: 70_000, b };
            let vaults = [None, Some(Address([7; 20]))];
            for (vault, expires) in vaults.iter().flat_map(|v| [(v, None), (v, Some(5))]) {
                let preimage = connection_id_preimage(&probe, 42, vault.as_ref(), expires).unwrap();
                assert_eq!(action_hash(&probe, 42, vault.as_ref(), expires).unwrap(), keccak(&[&preimage]));
            }
        }
    }

    #[test]
    fn the_domain_is_the_exchange_domain_on_chain_1337() {
        // keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
        // the standard EIP-712 domain type hash.
        let domain_type =
            keccak(&[b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"]);
        assert_eq!(domain_type[..4], [0x8b, 0x73, 0xc3, 0xc6]);
        assert_ne!(agent_digest(&[0; 32], Network::Mainnet), agent_digest(&[0; 32], Network::Testnet));
    }
}
