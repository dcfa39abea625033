//! The private key: where it comes from, and how it never leaks.
//!
//! A key is 32 bytes as 64 hex digits, with or without `0x`, surrounding whitespace ignored
//! (a file's trailing newline). It comes from a file only the owner can access (mode
//! `0600` or `0400`: any group or other bit refuses it, the error names the path, the mode
//! and the fix) or from an environment variable ([`DEFAULT_KEY_ENV`] unless configured).
//!
//! The key is held as a k256 `SigningKey` (zeroed on drop); the text it was read from is
//! zeroed as soon as it is parsed. [`PrivateKey`] has no `Display` and its `Debug` prints
//! only the address; errors say what is wrong (length, a non-hex character, not a valid
//! secp256k1 scalar) and where the key came from, never its text.

use super::SigningError;
use engine::hyperliquid::Address;
use k256::ecdsa::SigningKey;
use k256::elliptic_curve::zeroize::Zeroizing;
use sha3::{Digest, Keccak256};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The environment variable read when none is configured.
pub const DEFAULT_KEY_ENV: &str = "HYPERQUOTE_HL_PRIVATE_KEY";
/// Largest key file read: 64 hex digits, `0x`, whitespace and a comment's worth of slack.
const MAX_KEY_FILE_BYTES: u64 = 1024;

/// A secp256k1 signing key. `Debug` shows the address only.
#[derive(Clone)]
pub struct PrivateKey {
    key: SigningKey,
    address: Address,
}

impl PrivateKey {
    /// Parses 64 hex digits, with or without `0x`; `origin` ("file /path", "env VAR") names
    /// the source in errors.
    pub fn from_hex(text: &str, origin: &str) -> Result<Self, SigningError> {
        let bad = |problem| SigningError::BadKey { origin: origin.to_string(), problem };
        let text = text.trim();
        let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text).as_bytes();
        if digits.len() != 64 {
            return Err(bad("expected 64 hex digits (32 bytes), with or without 0x"));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let (Some(hi), Some(lo)) = (hex_value(pair[0]), hex_value(pair[1])) else {
                return Err(bad("not hexadecimal"));
            };
            *byte = hi << 4 | lo;
        }
        let key = SigningKey::from_slice(bytes.as_slice())
            .map_err(|_| bad("not a valid secp256k1 secret key (zero or not below the curve order)"))?;
        Ok(Self::from_signing_key(key))
    }

    pub(super) fn from_signing_key(key: SigningKey) -> Self {
        let address = address_of(&key);
        Self { key, address }
    }

    /// The Ethereum address of the key: the signer the venue recovers.
    pub const fn address(&self) -> Address {
        self.address
    }

    pub(super) const fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey {{ address: {}, key: <redacted> }}", self.address)
    }
}

/// Last 20 bytes of keccak256 of the uncompressed public key without its 0x04 prefix.
pub(super) fn address_of(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    let mut address = [0u8; 20];
    address.copy_from_slice(&hash[12..]);
    Address(address)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Reads the key from `path`, refusing a file that group or others may access.
pub fn load_key_file(path: &Path) -> Result<PrivateKey, SigningError> {
    let read_err = |source| SigningError::KeyFileRead { path: path.to_path_buf(), source };
    let mut file = std::fs::File::open(path).map_err(read_err)?;
    // The mode of the file we opened, not of whatever the path names a moment later.
    let meta = file.metadata().map_err(read_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(SigningError::KeyFilePermissions { path: path.to_path_buf(), mode });
        }
    }
    let origin = format!("file {}", path.display());
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err(SigningError::BadKey { origin, problem: "file too large to hold a key" });
    }
    // Capacity for the whole file up front, so the text is never reallocated (and copied)
    // before it is zeroed.
    let mut text = Zeroizing::new(String::with_capacity(MAX_KEY_FILE_BYTES as usize + 1));
    (&mut file).take(MAX_KEY_FILE_BYTES).read_to_string(&mut text).map_err(read_err)?;
    PrivateKey::from_hex(&text, &origin)
}

/// Reads the key from the environment variable `name`.
pub fn load_key_env(name: &str) -> Result<PrivateKey, SigningError> {
    let text = Zeroizing::new(std::env::var(name).map_err(|_| SigningError::KeyEnvMissing { name: name.to_string() })?);
    PrivateKey::from_hex(&text, &format!("env {name}"))
}

/// Where the key comes from (the config's choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Env(String),
}

impl Default for KeySource {
    fn default() -> Self {
        KeySource::Env(DEFAULT_KEY_ENV.to_string())
    }
}

impl KeySource {
    pub fn load(&self) -> Result<PrivateKey, SigningError> {
        match self {
            KeySource::File(path) => load_key_file(path),
            KeySource::Env(name) => load_key_env(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// The SDK's test key and its address.
    const KEY: &str = "e908f86dbb4d55ac876378565aafeabc187f6690f046459397b17d9b9a19688e";
    const KEY_ADDRESS: &str = "0xcd49bbac6e85fdeb167eb7ca41a945d2b8758f6f";

    fn temp_key_file(name: &str, contents: &str, mode: u32) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hyperquote-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn hex_with_or_without_0x_and_whitespace() {
        let a = PrivateKey::from_hex(KEY, "test").unwrap();
        let b = PrivateKey::from_hex(&format!("  0x{}\n", KEY.to_uppercase()), "test").unwrap();
        assert_eq!(a.address(), b.address());
        // Derived independently (pure-Python secp256k1 point multiplication and keccak-256).
        assert_eq!(a.address().to_string(), KEY_ADDRESS);
    }

    #[test]
    fn bad_keys_are_clear_errors_without_the_key() {
        let secretish = "e908f86dbb4d55ac876378565aafeabc187f6690f046459397b17d9b9a19688";
        for (text, problem) in [
            (secretish, "expected 64 hex digits"),
            ("zz08f86dbb4d55ac876378565aafeabc187f6690f046459397b17d9b9a19688e", "not hexadecimal"),
            ("0000000000000000000000000000000000000000000000000000000000000000", "not a valid secp256k1"),
            ("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "not a valid secp256k1"),
            ("", "expected 64 hex digits"),
        ] {
            let message = PrivateKey::from_hex(text, "env K").unwrap_err().to_string();
            assert!(message.contains(problem) && message.contains("env K"), "{message}");
            assert!(text.is_empty() || !message.contains(&text[..16]), "key text leaked: {message}");
        }
    }

    #[test]
    fn debug_redacts_the_key() {
        let key = PrivateKey::from_hex(KEY, "test").unwrap();
        let debug = format!("{key:?} {key:#?}");
        assert!(debug.contains("<redacted>") && debug.contains(&key.address().to_string()));
        assert!(!debug.to_lowercase().contains(&KEY[..8]) && !debug.contains("e908f86d"), "{debug}");
    }

    #[test]
    fn key_file_readable_by_group_or_others_is_refused() {
        let open = temp_key_file("open.key", &format!("0x{KEY}\n"), 0o644);
        let err = load_key_file(&open).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, SigningError::KeyFilePermissions { mode: 0o644, .. }), "{message}");
        assert!(message.contains(&open.display().to_string()) && message.contains("0644"), "{message}");
        assert!(!message.contains(KEY));
        for mode in [0o640, 0o604, 0o660, 0o602] {
            let path = temp_key_file(&format!("mode{mode:o}.key"), KEY, mode);
            assert!(matches!(load_key_file(&path), Err(SigningError::KeyFilePermissions { .. })), "{mode:o}");
        }
        let owner_only = temp_key_file("owner.key", &format!("0x{KEY}\n"), 0o600);
        assert_eq!(load_key_file(&owner_only).unwrap().address(), PrivateKey::from_hex(KEY, "t").unwrap().address());
        let read_only = temp_key_file("readonly.key", KEY, 0o400);
        assert!(KeySource::File(read_only).load().is_ok());
        let missing = load_key_file(Path::new("/nonexistent/hyperquote.key")).unwrap_err().to_string();
        assert!(missing.contains("/nonexistent/hyperquote.key"), "{missing}");
        let garbage = temp_key_file("garbage.key", "not a key", 0o600);
        let message = load_key_file(&garbage).unwrap_err().to_string();
        assert!(message.contains("garbage.key") && !message.contains("not a key"), "{message}");
    }

    #[test]
    fn key_from_environment() {
        // A variable name no other test uses; tests of this module run in one process.
        let name = "HYPERQUOTE_TEST_KEY_ENV_7F3A";
        let missing = load_key_env(name).unwrap_err().to_string();
        assert!(missing.contains(name), "{missing}");
        std::env::set_var(name, format!("0x{KEY}"));
        let key = KeySource::Env(name.to_string()).load().unwrap();
        std::env::remove_var(name);
        assert_eq!(key.address(), PrivateKey::from_hex(KEY, "t").unwrap().address());
    }
}
