//! Backtest results: what a run's equity and inventory paths say, computed as they stream by
//! (O(1) or fixed memory per run, whatever the recording's length).

mod equity;
mod inventory;
mod returns;
mod sanity;
mod splits;
mod timeline;

pub use equity::{EquityStats, EquitySummary};
pub use inventory::{InventoryDistribution, InventorySummary, INVENTORY_BINS};
pub use returns::{ReturnStats, SECONDS_PER_DAY};
pub use sanity::{sanity_flags, SanityFlag, SanityInputs, MAX_SHARPE_PER_DAY, MIN_ADVERSE_BPS, MIN_FILLS};
pub use splits::{Session, SplitRow, SplitStats};
pub use timeline::{Timeline, TimelinePoint, TIMELINE_BUCKETS};
