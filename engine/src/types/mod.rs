//! Value types shared by every layer: exact prices and sizes, sides, ids, time.

mod fixed;
mod ids;
mod side;
mod time;

pub use fixed::{notional_usd, ParseFixedError, Price, Qty, FIXED_DECIMALS, FIXED_SCALE};
pub use ids::{Cloid, CloidSequence, CoinId, MAX_COINS};
pub use side::Side;
pub use time::{Nanos, UnixNanos};
