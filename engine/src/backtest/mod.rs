//! Backtest results: what a run's equity and inventory paths say, computed as they stream by
//! (O(1) or fixed memory per run, whatever the recording's length).

mod equity;
mod inventory;

pub use equity::{EquityStats, EquitySummary, SECONDS_PER_DAY};
pub use inventory::{InventoryDistribution, InventorySummary, INVENTORY_BINS};
