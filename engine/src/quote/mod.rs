//! Quoting: from `MarketParams` and inventory to a target ladder of orders — a model
//! (`models`), the construction pipeline (`construct`), and the per-coin `Quoter` that runs both.

pub mod as_paper;
pub mod construct;
mod ladder;
pub mod models;
mod quoter;

pub use ladder::{QuoteLevel, TargetLadder, MAX_LADDER_LEVELS};
pub use quoter::{Fallback, InventoryInputs, ModelKind, QuoteConfig, QuoteConfigError, Quoter, STATIC_FALLBACK};
