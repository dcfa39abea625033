//! Position and PnL accounting from fills.

mod position;

pub use position::{PnlSnapshot, Position};
