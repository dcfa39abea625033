//! The signing test vectors of HYPERLIQUID.md ("Signing L1 actions", from the SDK's own
//! tests), byte for byte, and what vault, expiry and agent wallets change.

use super::*;
use arrayvec::ArrayVec;
use engine::hyperliquid::Address;

/// The SDK's test key (a throwaway: never funded).
const KEY: &str = "e908f86dbb4d55ac876378565aafeabc187f6690f046459397b17d9b9a19688e";
const NONCE: u64 = 1583838;

const GIVEN_HASH: &str = "0xde6c4037798a4434ca03cd05f00e3b803126221375cd1e7eaaaf041768be06eb";
const GIVEN_HASH_MAINNET: &str = "0xfa8a41f6a3fa728206df80801a83bcbfbab08649cd34d9c0bfba7c7b2f99340f53a00226604567b98a1492803190d65a201d6805e5831b7044f17fd530aec7841c";
const GIVEN_HASH_TESTNET: &str = "0x1713c0fc661b792a50e8ffdd59b637b1ed172d9a3aa4d801d9d88646710fb74b33959f4d075a7ccbec9f2374a6da21ffa4448d58d0413a0d335775f680a881431c";
const ORDER_ID: &str = "0x5983a9453b8d32668daefa9310e1a81bc1f4d7da50a9ad8869a4011d12068ea0";
const ORDER_MAINNET: &str = "0x77957e58e70f43b6b68581f2dc42011fc384538a2e5b7bf42d5b936f19fbb67360721a8598727230f67080efee48c812a6a4442013fd3b0eed509171bef9f23f1c";
const ORDER_TESTNET: &str = "0xcd0925372ff1ed499e54883e9a6205ecfadec748f80ec463fe2f84f1209648776377961965cb7b12414186b1ea291e95fd512722427efcbcfb3b0b2bcd4d79d01c";
const CLOID: &str = "0x1e60610f0b3d420597c88c1fed2ad5ee";
const CLOID_MAINNET: &str = "0xd3e894092eb27098077145714630a77bbe3836120ee29df7d935d8510b03a08f456de5ec1be82aa65fc6ecda9ef928b0445e212517a98858cfaa251c4cd7552b1c";
const CLOID_TESTNET: &str = "0x3768349dbb22a7fd770fc9fc50c7b5124a7da342ea579b309f58002ceae49b4357badc7909770919c45d850aabb08474ff2b7b3204ae5b66d9f7375582981f111c";
const CANCEL_ID: &str = "0xa53262329d1e221a88ff73e5ce330e0e47fb646091cae7020c34c346e592b77e";
const CANCEL_MAINNET: &str = "0x02f76cc5b16e0810152fa0e14e7b219f49c361e3325f771544c6f54e157bf9fa17ed0afc11a98596be85d5cd9f86600aad515337318f7ab346e5ccc1b03425d51b";
const CANCEL_TESTNET: &str = "0x6ffebadfd48067663390962539fbde76cfa36f53be65abe2ab72c9db6d0db44457720db9d7c4860f142a484f070c84eb4b9694c3a617c83f0d698a27e55fd5e01c";

fn key() -> PrivateKey {
    PrivateKey::from_hex(KEY, "test vector").unwrap()
}

fn signer(network: Network) -> Signer {
    Signer::new(key(), network)
}

fn hex32(bytes: &[u8; 32]) -> String {
    let mut out = String::from("0x");
    bytes.iter().for_each(|b| out.push_str(&format!("{b:02x}")));
    out
}

fn parse32(text: &str) -> [u8; 32] {
    let digits = text.strip_prefix("0x").unwrap();
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// The vectors' order: a=1 b=true p="2000.0" s="3.5" r=false Ioc, grouping na. The price is
/// the SDK test's literal string; the engine itself would write "2000".
pub(super) fn vector_order(cloid: Option<&str>) -> L1Action {
    let entry = OrderEntry {
        asset: 1,
        is_buy: true,
        limit_px: WireStr::new("2000.0").unwrap(),
        sz: WireStr::new("3.5").unwrap(),
        reduce_only: false,
        order_type: OrderType::Limit(LimitType { tif: Tif::Ioc }),
        cloid: cloid.map(|c| WireStr::new(c).unwrap()),
    };
    L1Action::Order(BulkOrder { orders: [entry].into_iter().collect(), grouping: Grouping::Na })
}

fn vector_cancel() -> L1Action {
    L1Action::Cancel(BulkCancel { cancels: [CancelEntry { asset: 1, oid: 82382 }].into_iter().collect() })
}

/// Signs `action` on both networks and checks the signatures, and that each recovers the key.
fn assert_signatures(action: &L1Action, mainnet: &str, testnet: &str) {
    for (network, expected) in [(Network::Mainnet, mainnet), (Network::Testnet, testnet)] {
        let signed = signer(network).sign_l1_action(action, NONCE, None).unwrap();
        assert_eq!(signed.signature.to_string(), expected, "{network:?}");
        let digest = agent_digest(&signed.connection_id, network);
        assert_eq!(recover_signer(&digest, &signed.signature).unwrap(), key().address());
    }
}

#[test]
fn given_hash_signs_to_the_vectors() {
    let connection_id = parse32(GIVEN_HASH);
    for (network, expected) in [(Network::Mainnet, GIVEN_HASH_MAINNET), (Network::Testnet, GIVEN_HASH_TESTNET)] {
        let signature = signer(network).sign_digest(&agent_digest(&connection_id, network)).unwrap();
        assert_eq!(signature.to_string(), expected, "{network:?}");
        assert!(signature.v == 27 || signature.v == 28);
    }
}

#[test]
fn order_without_cloid_matches_connection_id_and_signatures() {
    let action = vector_order(None);
    assert_eq!(hex32(&action_hash(&action, NONCE, None, None).unwrap()), ORDER_ID);
    assert_signatures(&action, ORDER_MAINNET, ORDER_TESTNET);
}

#[test]
fn order_with_cloid_matches_signatures() {
    let action = vector_order(Some(CLOID));
    assert_ne!(hex32(&action_hash(&action, NONCE, None, None).unwrap()), ORDER_ID, "the cloid is hashed");
    assert_signatures(&action, CLOID_MAINNET, CLOID_TESTNET);
}

#[test]
fn cancel_matches_connection_id_and_signatures() {
    let action = vector_cancel();
    assert_eq!(hex32(&action_hash(&action, NONCE, None, None).unwrap()), CANCEL_ID);
    assert_signatures(&action, CANCEL_MAINNET, CANCEL_TESTNET);
}

#[test]
fn signature_serializes_as_r_s_v() {
    let signed = signer(Network::Mainnet).sign_l1_action(&vector_cancel(), NONCE, None).unwrap();
    assert_eq!(signed.signature.to_bytes()[64], 0x1b);
    let json = serde_json::to_value(signed.signature).unwrap();
    assert_eq!(json["r"], format!("0x{}", &CANCEL_MAINNET[2..66]));
    assert_eq!(json["s"], format!("0x{}", &CANCEL_MAINNET[66..130]));
    assert_eq!(json["v"], 27);
}

#[test]
fn vault_and_expiry_append_exactly_their_bytes() {
    let action = vector_cancel();
    let msgpack = action_msgpack(&action).unwrap();
    let vault = Address::parse("0x1719884eb866cb12b2287399b15f7db5e7d775ea").unwrap();
    let expires = 1_700_000_123_456u64;
    let nonce_be = NONCE.to_be_bytes();

    let plain = connection_id_preimage(&action, NONCE, None, None).unwrap();
    assert_eq!(plain[..msgpack.len()], msgpack[..]);
    assert_eq!(plain[msgpack.len()..], [&nonce_be[..], &[0x00]].concat());

    let with_vault = connection_id_preimage(&action, NONCE, Some(&vault), None).unwrap();
    assert_eq!(with_vault[msgpack.len()..], [&nonce_be[..], &[0x01], &vault.0[..]].concat());

    let with_expiry = connection_id_preimage(&action, NONCE, None, Some(expires)).unwrap();
    assert_eq!(with_expiry[msgpack.len()..], [&nonce_be[..], &[0x00], &[0x00], &expires.to_be_bytes()[..]].concat());

    let with_both = connection_id_preimage(&action, NONCE, Some(&vault), Some(expires)).unwrap();
    let tail = [&nonce_be[..], &[0x01], &vault.0[..], &[0x00], &expires.to_be_bytes()[..]].concat();
    assert_eq!(with_both[msgpack.len()..], tail[..]);
    assert_eq!(with_both.len(), msgpack.len() + 8 + 1 + 20 + 1 + 8);

    // Each changes the connectionId, and the signer hashes exactly these preimages.
    let ids: Vec<_> = [(None, None), (Some(&vault), None), (None, Some(expires)), (Some(&vault), Some(expires))]
        .into_iter()
        .map(|(v, e)| action_hash(&action, NONCE, v, e).unwrap())
        .collect();
    assert_eq!(hex32(&ids[0]), CANCEL_ID);
    for i in 0..ids.len() {
        for j in i + 1..ids.len() {
            assert_ne!(ids[i], ids[j]);
        }
    }
    let vault_signer = signer(Network::Mainnet).with_vault(vault);
    let signed = vault_signer.sign_l1_action(&action, NONCE, Some(expires)).unwrap();
    assert_eq!(signed.connection_id, ids[3]);
    assert_eq!((signed.vault_address, signed.expires_after), (Some(vault), Some(expires)));
}

#[test]
fn agent_wallet_signs_for_another_account() {
    let account = Address::parse("0x0d1d9635d0640821d15e323ac8adadfa9c111414").unwrap();
    let agent = signer(Network::Testnet).as_agent_of(account);
    assert!(agent.is_agent() && !signer(Network::Testnet).is_agent());
    assert_eq!((agent.account(), agent.trading_user()), (account, account));
    assert_eq!(agent.address(), key().address(), "the venue recovers the agent, not the account");
    let signed = agent.sign_l1_action(&vector_cancel(), NONCE, None).unwrap();
    assert_eq!(signed.signature.to_string(), CANCEL_TESTNET, "the account is not part of what is signed");
    let vault = Address([9; 20]);
    assert_eq!(agent.clone().with_vault(vault).trading_user(), vault);
}

#[test]
fn signer_debug_never_shows_the_key() {
    let s = signer(Network::Mainnet).with_vault(Address([3; 20]));
    let debug = format!("{s:?} {s:#?}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(!debug.contains(&KEY[..12]) && !debug.contains(&KEY[40..]), "{debug}");
}

#[test]
fn the_request_body_carries_what_was_signed() {
    let vault = Address([0xaa; 20]);
    let action = vector_cancel();
    let signed = signer(Network::Mainnet).with_vault(vault).sign_l1_action(&action, NONCE, None).unwrap();
    let body: serde_json::Value = serde_json::to_value(signed.request(&action)).unwrap();
    assert_eq!(body["action"], serde_json::json!({"type": "cancel", "cancels": [{"a": 1, "o": 82382}]}));
    assert_eq!(body["nonce"], NONCE);
    assert_eq!(body["vaultAddress"], vault.to_string());
    assert_eq!(body["expiresAfter"], serde_json::Value::Null);
    let r = body["signature"]["r"].as_str().unwrap();
    assert_eq!(parse32(r), signed.signature.r);
    let keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 5);
}

#[test]
fn engine_actions_sign_and_recover() {
    use engine::types::{Cloid, CoinId, Price, Qty, Side};
    use engine::venue::{OrderAction, OrderRequest};
    let mut assets = AssetTable::new();
    assets.set(CoinId(0), AssetSpec { asset: 1, sz_decimals: 4 });
    let batch: ArrayVec<OrderAction, 2> = [
        OrderAction::Place(OrderRequest {
            coin: CoinId(0),
            cloid: Cloid(0x1e60610f0b3d420597c88c1fed2ad5ee),
            side: Side::Bid,
            px: Price::parse("2000.0").unwrap(),
            qty: Qty::parse("3.5").unwrap(),
            post_only: false,
        }),
        OrderAction::Cancel { coin: CoinId(0), cloid: Cloid(5) },
    ]
    .into_iter()
    .collect();
    let mut nonces = NonceSource::new();
    let s = signer(Network::Testnet);
    for action in build_actions(&batch, &assets).unwrap() {
        let signed = sign_l1_action(&s, &action, nonces.next_now(), None).unwrap();
        let digest = agent_digest(&signed.connection_id, Network::Testnet);
        assert_eq!(recover_signer(&digest, &signed.signature).unwrap(), s.address());
    }
    // The engine writes the price the way the venue hashes it: "2000", not the vector's "2000.0".
    let action = build_action(&batch[..1], &assets).unwrap();
    let L1Action::Order(order) = &action else { panic!("{action:?}") };
    assert_eq!(order.orders[0].limit_px.as_str(), "2000");
    assert_eq!(order.orders[0].cloid.unwrap().as_str(), CLOID);
}

#[test]
fn tampering_changes_the_recovered_signer() {
    let action = vector_order(Some(CLOID));
    let signed = signer(Network::Mainnet).sign_l1_action(&action, NONCE, None).unwrap();
    let other = action_hash(&action, NONCE + 1, None, None).unwrap();
    let recovered = recover_signer(&agent_digest(&other, Network::Mainnet), &signed.signature).unwrap();
    assert_ne!(recovered, key().address());
    let testnet = recover_signer(&agent_digest(&signed.connection_id, Network::Testnet), &signed.signature).unwrap();
    assert_ne!(testnet, key().address(), "a mainnet signature does not pass on testnet");
    let bad_v = Signature { v: 31, ..signed.signature };
    assert!(matches!(recover_signer(&[0; 32], &bad_v), Err(SigningError::Recover)));
}
