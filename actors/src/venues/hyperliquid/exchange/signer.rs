//! The signer: a key, the account it trades for, and the signature of an L1 action.
//!
//! With an agent (API) wallet the key signs for an account it does not own: the venue
//! recovers the agent's address ([`Signer::address`]) from the signature and acts for the
//! account that approved it ([`Signer::account`]), whose orders, fills and positions the
//! engine reads through `/info` and the user channels. Trading for a vault (or subaccount)
//! adds its address to the hash and the request ([`Signer::vault`]); then the vault is the
//! user whose state the engine follows ([`Signer::trading_user`]).
//!
//! Signing is RFC 6979 deterministic ECDSA over secp256k1 (k256, pure Rust, constant time),
//! `v = 27 + recovery id`, as the SDK signs: same key and digest, same signature bytes.

use super::hashing::{action_hash, agent_digest, Network};
use super::keys::PrivateKey;
use super::wire::WireStr;
use super::SigningError;
use engine::hyperliquid::Address;
use k256::ecdsa::{RecoveryId, Signature as EcdsaSignature, VerifyingKey};
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use std::fmt;

/// An ECDSA signature as Hyperliquid takes it: `{r, s, v}` with `v` 27 or 28.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    pub r: [u8; 32],
    pub s: [u8; 32],
    pub v: u8,
}

impl Signature {
    /// `r ‖ s ‖ v`, the 65-byte form.
    pub fn to_bytes(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[..32].copy_from_slice(&self.r);
        out[32..64].copy_from_slice(&self.s);
        out[64] = self.v;
        out
    }
}

/// `0x` + 130 hex digits (`r ‖ s ‖ v`).
impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.to_bytes().iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

struct Hex32<'a>(&'a [u8; 32]);

impl fmt::Display for Hex32<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// `{"r":"0x…64","s":"0x…64","v":27}`.
impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let hex = |bytes| WireStr::<66>::display(Hex32(bytes)).expect("0x + 64 hex digits fit 66 bytes");
        let mut st = serializer.serialize_struct("Signature", 3)?;
        st.serialize_field("r", &hex(&self.r))?;
        st.serialize_field("s", &hex(&self.s))?;
        st.serialize_field("v", &self.v)?;
        st.end()
    }
}

/// The key that signs and whom it signs for. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct Signer {
    key: PrivateKey,
    network: Network,
    account: Address,
    vault: Option<Address>,
}

impl Signer {
    /// Signs for the key's own account.
    pub fn new(key: PrivateKey, network: Network) -> Self {
        let account = key.address();
        Self { key, network, account, vault: None }
    }

    /// Signs as an agent (API) wallet approved by `account`.
    pub fn as_agent_of(mut self, account: Address) -> Self {
        self.account = account;
        self
    }

    /// Trades for the vault or subaccount `vault`.
    pub fn with_vault(mut self, vault: Address) -> Self {
        self.vault = Some(vault);
        self
    }

    /// The signer's address: what the venue recovers from a signature.
    pub const fn address(&self) -> Address {
        self.key.address()
    }

    /// The account the engine trades for (the key's own unless it is an agent).
    pub const fn account(&self) -> Address {
        self.account
    }

    pub const fn vault(&self) -> Option<Address> {
        self.vault
    }

    /// Whose orders, fills and positions the engine follows: the vault if any, else the account.
    pub fn trading_user(&self) -> Address {
        self.vault.unwrap_or(self.account)
    }

    pub fn is_agent(&self) -> bool {
        self.account != self.key.address()
    }

    pub const fn network(&self) -> Network {
        self.network
    }

    /// Signs an EIP-712 digest.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Result<Signature, SigningError> {
        let (sig, recovery_id) =
            self.key.signing_key().sign_prehash_recoverable(digest).map_err(|_| SigningError::Sign)?;
        let (r, s) = sig.split_bytes();
        Ok(Signature { r: r.into(), s: s.into(), v: 27 + recovery_id.to_byte() })
    }

    /// Hashes and signs `action` with `nonce` (and `expires_after`, Unix ms, if set) for this
    /// signer's network and vault.
    pub fn sign_l1_action<A: Serialize + ?Sized>(
        &self,
        action: &A,
        nonce: u64,
        expires_after: Option<u64>,
    ) -> Result<SignedAction, SigningError> {
        let connection_id = action_hash(action, nonce, self.vault.as_ref(), expires_after)?;
        let signature = self.sign_digest(&agent_digest(&connection_id, self.network))?;
        Ok(SignedAction { connection_id, nonce, signature, vault_address: self.vault, expires_after })
    }
}

/// [`Signer::sign_l1_action`] as a function.
pub fn sign_l1_action<A: Serialize + ?Sized>(
    signer: &Signer,
    action: &A,
    nonce: u64,
    expires_after: Option<u64>,
) -> Result<SignedAction, SigningError> {
    signer.sign_l1_action(action, nonce, expires_after)
}

/// The address that signed `digest` (the venue's check, and the mock exchange's).
pub fn recover_signer(digest: &[u8; 32], signature: &Signature) -> Result<Address, SigningError> {
    let sig = EcdsaSignature::from_scalars(signature.r, signature.s).map_err(|_| SigningError::Recover)?;
    let recovery_id = signature.v.checked_sub(27).and_then(RecoveryId::from_byte).ok_or(SigningError::Recover)?;
    let key = VerifyingKey::recover_from_prehash(digest, &sig, recovery_id).map_err(|_| SigningError::Recover)?;
    let point = key.to_encoded_point(false);
    let hash = <sha3::Keccak256 as sha3::Digest>::digest(&point.as_bytes()[1..]);
    let mut address = [0u8; 20];
    address.copy_from_slice(&hash[12..]);
    Ok(Address(address))
}

/// What signing produced: all of the `/exchange` body but the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedAction {
    pub connection_id: [u8; 32],
    pub nonce: u64,
    pub signature: Signature,
    pub vault_address: Option<Address>,
    pub expires_after: Option<u64>,
}

impl SignedAction {
    /// The `/exchange` body (or WebSocket `post` payload) for `action`, which must be the
    /// action that was signed.
    pub fn request<'a, A: Serialize + ?Sized>(&'a self, action: &'a A) -> ExchangeRequest<'a, A> {
        ExchangeRequest { action, signed: self }
    }
}

/// `{"action":…,"nonce":…,"signature":{r,s,v},"vaultAddress":…|null,"expiresAfter":…|null}`,
/// `null`s as both official SDKs send them.
pub struct ExchangeRequest<'a, A: ?Sized> {
    pub action: &'a A,
    pub signed: &'a SignedAction,
}

impl<A: Serialize + ?Sized> Serialize for ExchangeRequest<'_, A> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let vault = self.signed.vault_address.map(|a| WireStr::<42>::display(a).expect("0x + 40 hex digits"));
        let mut st = serializer.serialize_struct("ExchangeRequest", 5)?;
        st.serialize_field("action", self.action)?;
        st.serialize_field("nonce", &self.signed.nonce)?;
        st.serialize_field("signature", &self.signed.signature)?;
        st.serialize_field("vaultAddress", &vault)?;
        st.serialize_field("expiresAfter", &self.signed.expires_after)?;
        st.end()
    }
}
