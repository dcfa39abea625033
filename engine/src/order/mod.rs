//! Order management: the live orders of each coin, their reconciliation with the target, and
//! the dead man's switch that has the venue cancel them all if the engine stops.

mod dead_mans_switch;
mod lifecycle;
mod live_orders;
mod reconcile;
mod responses;

pub use dead_mans_switch::{
    DeadMansSwitch, DeadMansSwitchConfig, DeadMansSwitchConfigError, DeadMansSwitchReport, SwitchPhase, MIN_LEAD_S,
    MIN_REFRESH_S, TRANSIT_ALLOWANCE_S,
};
pub use lifecycle::{
    ActionKind, CoinLifecycles, EventOutcome, LifecycleConfig, LifecycleCounters, LifecycleState, OrderEvent,
    OrderStatusQuery, Refusal, TrackedOrder, VenueOrderStatus, MAX_FILL_IDS_PER_ORDER, MAX_TRACKED_ORDERS_PER_COIN,
};
pub use live_orders::{LiveOrder, LiveOrders, OrderState, OrderUpdate, MAX_LIVE_ORDERS_PER_COIN};
pub use reconcile::{reconcile, reconcile_with, ReconcileStats, RequoteTolerance, RequoteToleranceError};
pub use responses::{parse_exchange_response, reject_reason, ExchangeResponse, ItemOutcome, ResponseError};
