//! The admin API's bearer token: read from a file or an environment variable, or generated
//! (256 random bits from the OS, hex) when neither is configured; and the constant-time check
//! of a request's `Authorization` header against it.

use super::AdminConfig;
use std::fmt;
use std::path::Path;
use subtle::ConstantTimeEq;

/// Shortest configured token accepted: 16 characters.
const MIN_TOKEN_LEN: usize = 16;
/// Random bytes of a generated token (256 bits).
const GENERATED_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("admin.token_file {path}: {source}")]
    File { path: String, source: std::io::Error },
    #[error("admin.token_env: environment variable `{0}` is not set (or not UTF-8)")]
    EnvMissing(String),
    #[error("{origin}: the token must be at least {MIN_TOKEN_LEN} printable ASCII characters without spaces")]
    Weak { origin: String },
    #[error("no random bytes for the admin token: {0}")]
    Random(String),
}

/// A bearer token. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(<{} characters>)", self.0.len())
    }
}

impl Token {
    /// The token `config` names (file or environment), `None` when it names none.
    pub fn configured(config: &AdminConfig) -> Result<Option<Token>, TokenError> {
        if let Some(path) = &config.token_file {
            return Token::from_file(path).map(Some);
        }
        if let Some(name) = &config.token_env {
            let value = std::env::var(name).map_err(|_| TokenError::EnvMissing(name.clone()))?;
            return Token::parse(&value, &format!("admin.token_env `{name}`")).map(Some);
        }
        Ok(None)
    }

    pub fn from_file(path: &Path) -> Result<Token, TokenError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| TokenError::File { path: path.display().to_string(), source })?;
        Token::parse(&text, &format!("admin.token_file {}", path.display()))
    }

    /// A token from text (surrounding whitespace trimmed); refused if short or not plain.
    pub fn parse(text: &str, origin: &str) -> Result<Token, TokenError> {
        let t = text.trim();
        if t.len() < MIN_TOKEN_LEN || !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError::Weak { origin: origin.to_string() });
        }
        Ok(Token(t.to_string()))
    }

    /// 256 bits from the operating system's random source, as 64 hex digits.
    pub fn generate() -> Result<Token, TokenError> {
        let mut bytes = [0u8; GENERATED_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether an `Authorization` header value is `Bearer <this token>`. The token bytes are
    /// compared in constant time (only the length may show).
    pub fn admits(&self, authorization: Option<&[u8]>) -> bool {
        let Some(value) = authorization else { return false };
        let Some(presented) = value.strip_prefix(b"Bearer ") else { return false };
        bool::from(presented.ct_eq(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_256_bit_hex_and_differ() {
        let (a, b) = (Token::generate().unwrap(), Token::generate().unwrap());
        assert_eq!(a.expose().len(), 64);
        assert!(a.expose().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(!format!("{a:?}").contains(a.expose()), "Debug must not print the token");
    }

    #[test]
    fn only_the_exact_bearer_token_is_admitted() {
        let t = Token::parse("  s3cret-token-0123456789\n", "test").unwrap();
        assert!(t.admits(Some(b"Bearer s3cret-token-0123456789")));
        assert!(!t.admits(None));
        assert!(!t.admits(Some(b"Bearer s3cret-token-012345678")));
        assert!(!t.admits(Some(b"Bearer s3cret-token-01234567890")));
        assert!(!t.admits(Some(b"bearer s3cret-token-0123456789")));
        assert!(!t.admits(Some(b"Basic s3cret-token-0123456789")));
        assert!(!t.admits(Some(b"Bearer ")));
    }

    #[test]
    fn short_or_blank_tokens_are_refused() {
        assert!(Token::parse("short", "x").is_err());
        assert!(Token::parse("has a space in the middle", "x").is_err());
        assert!(Token::parse("", "x").is_err());
    }
}
