//! Order management: the live orders of each coin and their reconciliation with the target.

mod live_orders;
mod reconcile;

pub use live_orders::{LiveOrder, LiveOrders, OrderState, OrderUpdate, MAX_LIVE_ORDERS_PER_COIN};
pub use reconcile::{reconcile, ReconcileStats, RequoteTolerance, RequoteToleranceError};
