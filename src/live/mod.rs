//! Live trading on Hyperliquid: the `[venue.hyperliquid]` settings, the journal session and
//! the start-of-session reconciliation with the venue, and the wiring of the live venue.

mod journal_session;
mod session;
mod settings;
mod start_reconcile;

pub use journal_session::{JournalOpenError, JournalSession};
pub use session::{prepare, LiveError, LiveSession};
pub use settings::{HyperliquidSection, HyperliquidSettings, JournalDurability, NetworkChoice};
pub use start_reconcile::{plan_start, OnPositionMismatch, PositionMismatch, StartPlan, VenueOpenOrder, VenueView};
