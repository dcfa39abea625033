//! What a market source emits: a book snapshot or a trade, for one coin.

use super::{L2Book, Trade};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketEvent {
    Book(L2Book),
    Trade(Trade),
}

impl MarketEvent {
    pub fn coin(&self) -> crate::types::CoinId {
        match self {
            MarketEvent::Book(b) => b.coin,
            MarketEvent::Trade(t) => t.coin,
        }
    }
}
