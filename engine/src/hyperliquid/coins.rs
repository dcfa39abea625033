//! The coin-name table: the engine's configured coin names, resolved to [`CoinId`]s.
//!
//! Hyperliquid names a coin by string in every frame (`"BTC"`, HIP-3 `"hyna:HYPE"`;
//! HYPERLIQUID.md, "HIP-3"). The engine indexes per-coin state by [`CoinId`], the position of
//! the coin in its configured market list. The table is built once from that list; a lookup
//! is an exact, case-sensitive byte comparison against at most [`MAX_COINS`] names (no
//! hashing, no allocation), which for so few short names beats a hash map.

use crate::types::{CoinId, MAX_COINS};

/// Why a coin table could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoinTableError {
    #[error("{count} coins configured, at most {MAX_COINS} supported")]
    TooMany { count: usize },
    #[error("coin {0:?} configured twice")]
    Duplicate(String),
    #[error("empty coin name")]
    EmptyName,
}

/// Configured coin names; the index of a name is its [`CoinId`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoinTable {
    names: Vec<Box<str>>,
}

impl CoinTable {
    /// Builds the table from the configured names, in [`CoinId`] order.
    pub fn new<I, S>(names: I) -> Result<Self, CoinTableError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut table = CoinTable { names: Vec::new() };
        for name in names {
            let name = name.as_ref();
            if name.is_empty() {
                return Err(CoinTableError::EmptyName);
            }
            if table.resolve(name).is_some() {
                return Err(CoinTableError::Duplicate(name.to_owned()));
            }
            if table.names.len() == MAX_COINS {
                return Err(CoinTableError::TooMany { count: MAX_COINS + 1 });
            }
            table.names.push(name.into());
        }
        Ok(table)
    }

    /// The id of `name`, if it is configured. Exact and case-sensitive (`kPEPE` ≠ `KPEPE`).
    pub fn resolve(&self, name: &str) -> Option<CoinId> {
        self.names.iter().position(|n| n.as_bytes() == name.as_bytes()).map(|i| CoinId(i as u8))
    }

    /// The configured name of `coin`.
    pub fn name(&self, coin: CoinId) -> Option<&str> {
        self.names.get(coin.index()).map(|n| &**n)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// `(id, name)` pairs in id order.
    pub fn iter(&self) -> impl Iterator<Item = (CoinId, &str)> {
        self.names.iter().enumerate().map(|(i, n)| (CoinId(i as u8), &**n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_configured_names_including_hip3() {
        let t = CoinTable::new(["BTC", "hyna:HYPE", "kPEPE"]).unwrap();
        assert_eq!(t.resolve("BTC"), Some(CoinId(0)));
        assert_eq!(t.resolve("hyna:HYPE"), Some(CoinId(1)));
        assert_eq!(t.resolve("HYPE"), None, "a HIP-3 coin is not its base coin");
        assert_eq!(t.resolve("KPEPE"), None, "case-sensitive");
        assert_eq!(t.resolve(""), None);
        assert_eq!(t.name(CoinId(1)), Some("hyna:HYPE"));
        assert_eq!(t.name(CoinId(3)), None);
        assert_eq!(t.iter().map(|(_, n)| n).collect::<Vec<_>>(), ["BTC", "hyna:HYPE", "kPEPE"]);
    }

    #[test]
    fn refuses_duplicates_empty_names_and_too_many_coins() {
        assert_eq!(CoinTable::new(["BTC", "BTC"]), Err(CoinTableError::Duplicate("BTC".into())));
        assert_eq!(CoinTable::new([""]), Err(CoinTableError::EmptyName));
        let many: Vec<String> = (0..=MAX_COINS).map(|i| format!("C{i}")).collect();
        assert_eq!(CoinTable::new(&many), Err(CoinTableError::TooMany { count: MAX_COINS + 1 }));
        assert_eq!(CoinTable::new(&many[..MAX_COINS]).map(|t| t.len()), Ok(MAX_COINS));
    }
}
