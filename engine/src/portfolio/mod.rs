//! Position and PnL accounting from fills.

mod attribution;
mod fill_dedup;
mod ledger;
mod markouts;
mod position;

pub use attribution::{Attribution, AttributionReport, AttributionTerms};
pub use fill_dedup::{Admission, DedupStats, TradeIdWindow, DEFAULT_TID_WINDOW};
pub use ledger::{CoinLedger, FillOrigin, FillOutcome, LedgerConfig, LedgerSnapshot, SideTotals, SnapshotStats};
pub use markouts::{
    MarkoutCell, MarkoutConfig, MarkoutEvent, MarkoutQueue, MarkoutStats, PendingFill, DEFAULT_PENDING_MARKOUTS,
    HORIZONS,
};
pub use position::{PnlSnapshot, Position};
