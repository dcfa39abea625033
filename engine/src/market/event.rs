//! What a market source emits for one coin: a book snapshot, a best-bid/offer update
//! between snapshots, a trade, or an update of the asset's context (funding, open interest).

use super::{AssetContext, Bbo, L2Book, Trade};

/// Held by value: a boxed book would allocate on every snapshot, and the hot path must not
/// allocate (ARCHITECTURE.md, runtime rule 4), so the size gap between variants is accepted.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant, reason = "a boxed book would allocate per snapshot on the hot path")]
pub enum MarketEvent {
    Book(L2Book),
    Bbo(Bbo),
    Trade(Trade),
    AssetCtx(AssetContext),
}

impl MarketEvent {
    pub fn coin(&self) -> crate::types::CoinId {
        match self {
            MarketEvent::Book(b) => b.coin,
            MarketEvent::Bbo(b) => b.coin,
            MarketEvent::Trade(t) => t.coin,
            MarketEvent::AssetCtx(c) => c.coin,
        }
    }
}
