//! Quoting: from `MarketParams` and inventory to a target ladder of orders.

mod glft;
mod ladder;
mod static_spread;

pub use glft::{gamma_per_frac_lot, glft_quote, GlftError, GlftInputs, GlftQuote};
pub use ladder::{QuoteLevel, TargetLadder, MAX_LADDER_LEVELS};
pub use static_spread::{InventoryInputs, StaticSpreadConfig, StaticSpreadConfigError, StaticSpreadQuoter};
