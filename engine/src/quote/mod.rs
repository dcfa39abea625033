//! Quoting: from `MarketParams` and inventory to a target ladder of orders.

pub mod as_paper;
pub mod construct;
mod ladder;
pub mod models;
mod static_spread;

pub use ladder::{QuoteLevel, TargetLadder, MAX_LADDER_LEVELS};
pub use static_spread::{InventoryInputs, StaticSpreadConfig, StaticSpreadConfigError, StaticSpreadQuoter};
