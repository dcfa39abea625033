//! Live trading on Hyperliquid: the `[venue.hyperliquid]` settings, the journal session and
//! the start-of-session reconciliation with the venue, and the wiring of the live venue.

mod settings;
mod start_reconcile;

pub use settings::{HyperliquidSection, HyperliquidSettings, JournalDurability, NetworkChoice};
pub use start_reconcile::{plan_start, OnPositionMismatch, PositionMismatch, StartPlan, VenueOpenOrder, VenueView};
