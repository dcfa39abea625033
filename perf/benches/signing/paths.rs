//! The signing paths of `benches/signing.rs` and `examples/signing_latency.rs`, and what
//! they sign: one order and a 10-order batch (a ladder side's re-quote), from engine
//! `OrderAction`s to a signature `{r, s, v}`.
//!
//! - `ours`: `build_action` (fixed-point → exact decimal strings, inline) then
//!   `Signer::sign_l1_action`: msgpack streamed into keccak-256, the EIP-712 `Agent` digest
//!   from precomputed domain and type hashes, RFC 6979 recoverable ECDSA with k256 (pure Rust).
//! - `ours_prebuilt`: the same from an already built action (signing alone).
//! - `sdk_ethers`: what `hyperliquid_rust_sdk` 0.6 does for an already built `Actions`
//!   (`Actions::hash` + its crate-private `sign_l1_action`, replayed with public parts):
//!   `rmp_serde::to_vec_named` into a `Vec`, nonce and vault flag appended, ethers
//!   `keccak256`, the ethers `Eip712` derive of `Agent` (ABI tokens, a `String` source) and
//!   `LocalWallet::sign_hash` (k256 underneath: the same curve code as ours).
//! - `libsecp256k1`: our action hash and digest, the ECDSA by the C library (`secp256k1`
//!   crate, RFC 6979 too) instead of k256.
//!
//! [`assert_paths_agree`] checks that all of them produce the same signature bytes.

#![allow(dead_code)] // each of the two targets uses part of it

use actors::venues::hyperliquid::exchange::{
    action_hash, action_msgpack, agent_digest, build_action, AssetSpec, AssetTable, L1Action, Network, PrivateKey,
    Signature, Signer,
};
use engine::types::{Cloid, CoinId, Price, Qty, Side};
use engine::venue::{OrderAction, OrderRequest};
use ethers::contract::{Eip712, EthAbiType};
use ethers::signers::LocalWallet;
use ethers::types::transaction::eip712::Eip712 as _;
use ethers::types::H256;
use hyperliquid_rust_sdk::Actions;
use std::hint::black_box;
use std::time::Instant;

/// The SDK's test key (a throwaway, never funded).
const KEY: &str = "e908f86dbb4d55ac876378565aafeabc187f6690f046459397b17d9b9a19688e";
pub const NONCE: u64 = 1_700_000_000_000;
/// The end-to-end paths, by name.
pub const PATHS: [&str; 4] = ["ours", "ours_prebuilt", "sdk_ethers", "libsecp256k1"];

/// The SDK's `l1::Agent` (crate-private there), derived the same way.
#[derive(Debug, Clone, Eip712, EthAbiType)]
#[eip712(
    name = "Exchange",
    version = "1",
    chain_id = 1337,
    verifying_contract = "0x0000000000000000000000000000000000000000"
)]
pub struct Agent {
    pub source: String,
    pub connection_id: H256,
}

pub struct Fixture {
    pub signer: Signer,
    pub assets: AssetTable,
    pub one: Vec<OrderAction>,
    pub ten: Vec<OrderAction>,
    pub one_action: L1Action,
    pub ten_action: L1Action,
    pub sdk_one: Actions,
    pub sdk_ten: Actions,
    pub wallet: LocalWallet,
    pub secp: secp256k1::Secp256k1<secp256k1::SignOnly>,
    pub secp_key: secp256k1::SecretKey,
}

/// A BTC ladder side: bids 10 $ apart, post-only, each with its cloid.
fn ladder(levels: usize) -> Vec<OrderAction> {
    (0..levels)
        .map(|i| {
            OrderAction::Place(OrderRequest {
                coin: CoinId(0),
                cloid: Cloid(0x1e60_610f_0b3d_4205_97c8_8c1f_ed2a_d500 + i as u128),
                side: Side::Bid,
                px: Price::parse(&format!("{}", 104_990 - 10 * i)).unwrap(),
                qty: Qty::parse("0.00123").unwrap(),
                post_only: true,
            })
        })
        .collect()
}

pub fn fixture() -> Fixture {
    let key = PrivateKey::from_hex(KEY, "bench").unwrap();
    let mut assets = AssetTable::new();
    assets.set(CoinId(0), AssetSpec { asset: 0, sz_decimals: 5 });
    let (one, ten) = (ladder(1), ladder(10));
    let one_action = build_action(&one, &assets).unwrap();
    let ten_action = build_action(&ten, &assets).unwrap();
    // The SDK's element types are not nameable outside it: make its `Actions` from our JSON.
    let sdk = |a: &L1Action| -> Actions { serde_json::from_value(serde_json::to_value(a).unwrap()).unwrap() };
    let (sdk_one, sdk_ten) = (sdk(&one_action), sdk(&ten_action));
    let mut key_bytes = [0u8; 32];
    for (i, b) in key_bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&KEY[2 * i..2 * i + 2], 16).unwrap();
    }
    Fixture {
        signer: Signer::new(key, Network::Mainnet),
        assets,
        one,
        ten,
        one_action,
        ten_action,
        sdk_one,
        sdk_ten,
        wallet: KEY.parse().unwrap(),
        secp: secp256k1::Secp256k1::signing_only(),
        secp_key: secp256k1::SecretKey::from_slice(&key_bytes).unwrap(),
    }
}

pub fn ours(f: &Fixture, batch: &[OrderAction]) -> Signature {
    let action = build_action(batch, &f.assets).unwrap();
    f.signer.sign_l1_action(&action, NONCE, None).unwrap().signature
}

pub fn ours_prebuilt(f: &Fixture, action: &L1Action) -> Signature {
    f.signer.sign_l1_action(action, NONCE, None).unwrap().signature
}

/// `Actions::hash`, then the SDK's `sign_l1_action`, with the same public pieces.
pub fn sdk_ethers(f: &Fixture, action: &Actions) -> ethers::types::Signature {
    let connection_id = H256(sdk_hash(action));
    let agent = Agent { source: "a".to_string(), connection_id };
    let digest = agent.encode_eip712().unwrap();
    f.wallet.sign_hash(H256(digest)).unwrap()
}

/// `Actions::hash` of the SDK: `rmp_serde::to_vec_named` (what `action_msgpack` is), nonce,
/// no vault, ethers' keccak.
pub fn sdk_hash(action: &Actions) -> [u8; 32] {
    let mut bytes = action_msgpack(action).unwrap();
    bytes.extend(NONCE.to_be_bytes());
    bytes.push(0);
    ethers::utils::keccak256(bytes)
}

pub fn libsecp256k1(f: &Fixture, action: &L1Action) -> secp256k1::ecdsa::RecoverableSignature {
    let digest = agent_digest(&action_hash(action, NONCE, None, None).unwrap(), Network::Mainnet);
    f.secp.sign_ecdsa_recoverable(&secp256k1::Message::from_digest(digest), &f.secp_key)
}

fn ethers_bytes(sig: ethers::types::Signature) -> [u8; 65] {
    sig.into()
}

fn secp_bytes(sig: secp256k1::ecdsa::RecoverableSignature) -> [u8; 65] {
    let (id, rs) = sig.serialize_compact();
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&rs);
    out[64] = 27 + id.to_i32() as u8;
    out
}

/// Every path signs the same bytes with the same key.
pub fn assert_paths_agree(f: &Fixture) {
    for (batch, action, sdk) in [(&f.one, &f.one_action, &f.sdk_one), (&f.ten, &f.ten_action, &f.sdk_ten)] {
        let expected = ours(f, batch).to_bytes();
        assert_eq!(ours_prebuilt(f, action).to_bytes(), expected);
        assert_eq!(ethers_bytes(sdk_ethers(f, sdk)), expected, "SDK/ethers path differs");
        assert_eq!(secp_bytes(libsecp256k1(f, action)), expected, "libsecp256k1 differs");
    }
    assert_eq!(f.signer.address().0, ethers::signers::Signer::address(&f.wallet).0, "same key, same address");
}

/// One end-to-end call of the path named `path` (one of [`PATHS`]), 1 or 10 orders.
pub fn call(f: &Fixture, path: &str, ten: bool) {
    let (batch, action, sdk) =
        if ten { (&f.ten, &f.ten_action, &f.sdk_ten) } else { (&f.one, &f.one_action, &f.sdk_one) };
    match path {
        "ours" => {
            black_box(ours(f, batch).to_bytes());
        }
        "ours_prebuilt" => {
            black_box(ours_prebuilt(f, action).to_bytes());
        }
        "sdk_ethers" => {
            black_box(ethers_bytes(sdk_ethers(f, sdk)));
        }
        "libsecp256k1" => {
            black_box(secp_bytes(libsecp256k1(f, action)));
        }
        other => panic!("unknown path {other}: one of {PATHS:?}"),
    }
}

/// p50/p90/p99/p99.9/max in µs of `calls` single calls of each of `runs`, after 1,000
/// warm-up calls each. The runs take turns call by call, so a load spike from elsewhere on
/// the machine lands on all of them alike.
pub fn percentiles(calls: usize, runs: &mut [&mut dyn FnMut()]) -> Vec<[f64; 5]> {
    for run in runs.iter_mut() {
        for _ in 0..1_000 {
            run();
        }
    }
    let mut ns = vec![Vec::with_capacity(calls); runs.len()];
    for _ in 0..calls {
        for (run, times) in runs.iter_mut().zip(&mut ns) {
            let start = Instant::now();
            run();
            times.push(start.elapsed().as_nanos() as u64);
        }
    }
    ns.into_iter()
        .map(|mut ns| {
            ns.sort_unstable();
            let at = |q: f64| ns[((ns.len() as f64 * q) as usize).min(ns.len() - 1)] as f64 / 1e3;
            [at(0.50), at(0.90), at(0.99), at(0.999), *ns.last().unwrap() as f64 / 1e3]
        })
        .collect()
}
