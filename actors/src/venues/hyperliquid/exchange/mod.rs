//! Hyperliquid execution, the signing half: engine order actions → Hyperliquid L1 actions →
//! signed `/exchange` requests, in-process and without steady-state allocation.
//!
//! The path of one batch (`../shared/HYPERLIQUID.md`, "Orders" and "Signing L1 actions"):
//!
//! 1. [`build_actions`] / [`build_action`] turn [`engine::venue::OrderAction`]s into
//!    [`L1Action`]s: asset ids from an [`AssetTable`], prices and sizes as the exact
//!    shortest decimals Hyperliquid hashes (checked against its tick and lot rules), cloids as
//!    `0x` + 32 hex digits. The wire types mirror `hyperliquid_rust_sdk` 0.6 field for field
//!    (same names, same order, same skipped `None`s); the tests prove the msgpack bytes equal
//!    the SDK's. The SDK's own element types (`OrderRequest`, `CancelRequest`, `Limit`, …) are
//!    `pub` but sit in private modules and are not re-exported, so outside the SDK they can
//!    only be made through `Deserialize`; and 0.6 has no `scheduleCancel` or `expiresAfter`.
//! 2. [`NonceSource`] hands out strictly increasing millisecond nonces.
//! 3. [`Signer::sign_l1_action`] hashes (`connectionId`, [`action_hash`]), builds the EIP-712
//!    `Agent` digest ([`agent_digest`]) and signs it with RFC 6979 recoverable ECDSA (k256).
//!    [`ExchangeRequest`] is the `/exchange` body; [`recover_signer`] is the venue's check.
//! 4. [`keys`] loads the key from a file (refusing one that group or others can read) or an
//!    environment variable; the key never reaches a log, a `Debug` or an error message.
//!
//! The sending half (WebSocket `post`, REST fallback, response mapping) builds on this.

mod action;
mod batch_signer;
mod hashing;
pub mod keys;
mod nonce;
mod signer;
mod wire;

#[cfg(test)]
mod sdk_equality_tests;
#[cfg(test)]
mod vector_tests;

pub use action::{build_action, build_actions, cancel_by_oid, modify, AssetSpec, AssetTable, ModifyTarget};
pub use batch_signer::{BatchSigner, MAX_L1_ACTIONS_PER_BATCH};
pub use hashing::{action_hash, action_msgpack, agent_digest, connection_id_preimage, Network};
pub use keys::{load_key_env, load_key_file, KeySource, PrivateKey, DEFAULT_KEY_ENV};
pub use nonce::{nonce_in_window, NonceSource, NONCES_KEPT, NONCE_WINDOW_AHEAD_MS, NONCE_WINDOW_BEHIND_MS};
pub use signer::{recover_signer, sign_l1_action, ExchangeRequest, Signature, SignedAction, Signer};
pub use wire::{
    BulkCancel, BulkCancelCloid, BulkModify, BulkOrder, CancelByCloidEntry, CancelEntry, Grouping, L1Action, LimitType,
    ModifyEntry, OrderEntry, OrderRef, OrderType, ScheduleCancel, Tif, WireStr, MAX_ENTRIES,
};

use engine::types::{CoinId, Price, Qty};
use std::path::PathBuf;

/// Everything that can go wrong between an engine action and a signed request. No variant
/// carries key material: a bad key is described by what is wrong with it, never by its text.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("cannot read key file {path}: {source}")]
    KeyFileRead { path: PathBuf, source: std::io::Error },
    #[error(
        "key file {path} has mode {mode:04o}: group or others may access it; only the owner may \
         (chmod 600 {path})"
    )]
    KeyFilePermissions { path: PathBuf, mode: u32 },
    #[error("environment variable {name} holding the key is not set or not unicode")]
    KeyEnvMissing { name: String },
    #[error("bad private key from {origin}: {problem}")]
    BadKey { origin: String, problem: &'static str },
    #[error("bad address {0:?}: expected 0x + 40 hex digits")]
    BadAddress(String),
    #[error("coin {0:?} has no Hyperliquid asset id in the asset table")]
    UnknownCoin(CoinId),
    #[error("coin {coin:?}: price {px} is not valid on Hyperliquid: {reason}")]
    BadPrice { coin: CoinId, px: Price, reason: &'static str },
    #[error("coin {coin:?}: size {qty} is not valid on Hyperliquid: {reason}")]
    BadSize { coin: CoinId, qty: Qty, reason: &'static str },
    #[error("an action needs at least one order or cancel")]
    EmptyBatch,
    #[error("{0} entries in one action, at most {MAX_ENTRIES}")]
    BatchTooLarge(usize),
    #[error("one action carries one kind: {0}")]
    MixedBatch(&'static str),
    #[error("msgpack encoding of the action failed: {0}")]
    Msgpack(String),
    #[error("ECDSA signing failed")]
    Sign,
    #[error("signature does not recover to a public key")]
    Recover,
}
