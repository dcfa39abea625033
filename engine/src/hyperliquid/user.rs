//! Types of the user channels: `userFills`, `orderUpdates` and `user` (from `userEvents`).
//!
//! Shapes are those of HYPERLIQUID.md, "WebSocket". A fill or order event for a coin the
//! engine does not trade is kept with `coin: None` rather than dropped: a fill is never lost
//! (ARCHITECTURE.md, "Errors and bad input"), the caller counts it. Amounts are exact
//! fixed-point ([`Qty`] in the named token), except funding rates, which have more than
//! eight decimals. Unknown order statuses keep their wire name inline, so a new status the
//! venue introduces is visible in logs without a heap string.

use super::hex::{Address, TxHash};
use crate::types::{Cloid, CoinId, Price, Qty, Side, UnixNanos};
use crate::venue::Liquidity;
use arrayvec::ArrayString;

/// `dir` of a fill: what the fill did to the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FillDir {
    OpenLong,
    OpenShort,
    CloseLong,
    CloseShort,
    /// `"Long > Short"`: the fill flipped a long into a short.
    LongToShort,
    /// `"Short > Long"`.
    ShortToLong,
    /// Spot buys and sells.
    Buy,
    Sell,
    /// Anything else the venue prints (liquidations, settlements, …).
    Other,
}

const FILL_DIRS: [(&str, FillDir); 8] = [
    ("Open Long", FillDir::OpenLong),
    ("Open Short", FillDir::OpenShort),
    ("Close Long", FillDir::CloseLong),
    ("Close Short", FillDir::CloseShort),
    ("Long > Short", FillDir::LongToShort),
    ("Short > Long", FillDir::ShortToLong),
    ("Buy", FillDir::Buy),
    ("Sell", FillDir::Sell),
];

impl FillDir {
    pub fn from_wire(text: &str) -> Self {
        FILL_DIRS.iter().find(|(w, _)| *w == text).map_or(FillDir::Other, |(_, d)| *d)
    }

    /// The wire text (`None` for [`FillDir::Other`]).
    pub fn as_wire(self) -> Option<&'static str> {
        FILL_DIRS.iter().find(|(_, d)| *d == self).map(|(w, _)| *w)
    }
}

/// The token a fee is charged in (`feeToken`): USDC on perps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeeToken {
    Usdc,
    Other,
}

/// One of our fills (`userFills` and `user.fills`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserFill {
    /// `None`: a coin the engine does not trade.
    pub coin: Option<CoinId>,
    pub side: Side,
    pub px: Price,
    pub sz: Qty,
    pub exchange_time: UnixNanos,
    /// Signed position before the fill (`startPosition`).
    pub start_position: Qty,
    pub dir: FillDir,
    pub closed_pnl_usdc: Qty,
    pub hash: TxHash,
    pub oid: u64,
    /// Whether the fill crossed the spread (we were the taker).
    pub crossed: bool,
    /// Fee in units of `fee_token`; negative is a maker rebate.
    pub fee_qty: Qty,
    pub fee_token: FeeToken,
    /// Builder fee in units of `fee_token`, when one was charged (`builderFee`).
    pub builder_fee_qty: Option<Qty>,
    pub tid: u64,
    pub cloid: Option<Cloid>,
    /// Whether the fill is part of a liquidation (`liquidation` present).
    pub liquidation: bool,
    pub twap_id: Option<u64>,
}

impl UserFill {
    pub fn liquidity(&self) -> Liquidity {
        if self.crossed {
            Liquidity::Taker
        } else {
            Liquidity::Maker
        }
    }

    /// The fee in USDC, when it was charged in USDC.
    pub fn fee_usdc(&self) -> Option<Qty> {
        (self.fee_token == FeeToken::Usdc).then_some(self.fee_qty)
    }
}

/// `userFills` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserFills<'p> {
    /// The first frame after subscribing replays past fills (`isSnapshot: true`).
    pub is_snapshot: bool,
    pub user: Address,
    pub fills: &'p [UserFill],
}

/// An order status the parser does not know, by its (truncated) wire name.
pub type StatusName = ArrayString<48>;

/// `status` of an order update. Known statuses are variants; anything else is kept by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Open,
    Filled,
    Canceled,
    Triggered,
    Rejected,
    MarginCanceled,
    VaultWithdrawalCanceled,
    OpenInterestCapCanceled,
    SelfTradeCanceled,
    ReduceOnlyCanceled,
    SiblingFilledCanceled,
    DelistedCanceled,
    LiquidatedCanceled,
    ScheduledCancel,
    TickRejected,
    MinTradeNtlRejected,
    PerpMarginRejected,
    ReduceOnlyRejected,
    BadAloPxRejected,
    IocCancelRejected,
    BadTriggerPxRejected,
    MarketOrderNoLiquidityRejected,
    PositionIncreaseAtOpenInterestCapRejected,
    PositionFlipAtOpenInterestCapRejected,
    TooAggressiveAtOpenInterestCapRejected,
    OpenInterestIncreaseRejected,
    InsufficientSpotBalanceRejected,
    OracleRejected,
    PerpMaxPositionRejected,
    Unknown(StatusName),
}

const ORDER_STATUSES: [(&str, OrderStatus); 29] = [
    ("open", OrderStatus::Open),
    ("filled", OrderStatus::Filled),
    ("canceled", OrderStatus::Canceled),
    ("triggered", OrderStatus::Triggered),
    ("rejected", OrderStatus::Rejected),
    ("marginCanceled", OrderStatus::MarginCanceled),
    ("vaultWithdrawalCanceled", OrderStatus::VaultWithdrawalCanceled),
    ("openInterestCapCanceled", OrderStatus::OpenInterestCapCanceled),
    ("selfTradeCanceled", OrderStatus::SelfTradeCanceled),
    ("reduceOnlyCanceled", OrderStatus::ReduceOnlyCanceled),
    ("siblingFilledCanceled", OrderStatus::SiblingFilledCanceled),
    ("delistedCanceled", OrderStatus::DelistedCanceled),
    ("liquidatedCanceled", OrderStatus::LiquidatedCanceled),
    ("scheduledCancel", OrderStatus::ScheduledCancel),
    ("tickRejected", OrderStatus::TickRejected),
    ("minTradeNtlRejected", OrderStatus::MinTradeNtlRejected),
    ("perpMarginRejected", OrderStatus::PerpMarginRejected),
    ("reduceOnlyRejected", OrderStatus::ReduceOnlyRejected),
    ("badAloPxRejected", OrderStatus::BadAloPxRejected),
    ("iocCancelRejected", OrderStatus::IocCancelRejected),
    ("badTriggerPxRejected", OrderStatus::BadTriggerPxRejected),
    ("marketOrderNoLiquidityRejected", OrderStatus::MarketOrderNoLiquidityRejected),
    ("positionIncreaseAtOpenInterestCapRejected", OrderStatus::PositionIncreaseAtOpenInterestCapRejected),
    ("positionFlipAtOpenInterestCapRejected", OrderStatus::PositionFlipAtOpenInterestCapRejected),
    ("tooAggressiveAtOpenInterestCapRejected", OrderStatus::TooAggressiveAtOpenInterestCapRejected),
    ("openInterestIncreaseRejected", OrderStatus::OpenInterestIncreaseRejected),
    ("insufficientSpotBalanceRejected", OrderStatus::InsufficientSpotBalanceRejected),
    ("oracleRejected", OrderStatus::OracleRejected),
    ("perpMaxPositionRejected", OrderStatus::PerpMaxPositionRejected),
];

impl OrderStatus {
    pub fn from_wire(text: &str) -> Self {
        match ORDER_STATUSES.iter().find(|(w, _)| *w == text) {
            Some((_, status)) => *status,
            None => OrderStatus::Unknown(super::frame::truncated(text)),
        }
    }

    /// The wire name (for [`OrderStatus::Unknown`], as received, possibly truncated).
    pub fn as_wire(&self) -> &str {
        match self {
            OrderStatus::Unknown(name) => name.as_str(),
            known => ORDER_STATUSES.iter().find(|(_, s)| s == known).map_or("", |(w, _)| *w),
        }
    }

    /// The order rests (or waits for its trigger) and may still fill.
    pub fn is_live(&self) -> bool {
        matches!(self, OrderStatus::Open | OrderStatus::Triggered)
    }

    /// Refused by the venue (`rejected` and every `…Rejected` status, known or not).
    pub fn is_rejected(&self) -> bool {
        self.as_wire().ends_with("ejected")
    }

    /// Left the book unfilled (`canceled`, `scheduledCancel` and every `…Canceled`).
    pub fn is_canceled(&self) -> bool {
        matches!(self, OrderStatus::ScheduledCancel) || self.as_wire().ends_with("anceled")
    }
}

/// One `orderUpdates` entry: an order and its new status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderUpdate {
    /// `None`: a coin the engine does not trade.
    pub coin: Option<CoinId>,
    pub side: Side,
    pub limit_px: Price,
    /// Size still open (`sz`).
    pub sz: Qty,
    pub oid: u64,
    /// When the order was placed (`order.timestamp`).
    pub order_time: UnixNanos,
    /// Size when placed (`origSz`).
    pub orig_sz: Qty,
    pub cloid: Option<Cloid>,
    pub status: OrderStatus,
    /// When the status changed (`statusTimestamp`).
    pub status_time: UnixNanos,
}

/// A funding payment (`user.funding`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UserFunding {
    pub exchange_time: UnixNanos,
    pub coin: Option<CoinId>,
    /// USDC paid (negative) or received (`usdc`).
    pub payment_usdc: Qty,
    /// Signed position the payment was for (`szi`).
    pub position_qty: Qty,
    pub funding_rate_frac_per_hour: f64,
}

/// A liquidation event (`user.liquidation`; snake_case keys on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liquidation {
    pub lid: u64,
    pub liquidator: Address,
    pub liquidated_user: Address,
    pub liquidated_notional_usdc: Qty,
    pub liquidated_account_value_usdc: Qty,
}

/// An order the venue cancelled on its own (`user.nonUserCancel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonUserCancel {
    pub coin: Option<CoinId>,
    pub oid: u64,
}

/// `user` channel data: exactly one of these.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UserEvent<'p> {
    Fills(&'p [UserFill]),
    Funding(UserFunding),
    Liquidation(Liquidation),
    NonUserCancel(&'p [NonUserCancel]),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statuses_round_trip_and_unknown_ones_keep_their_name() {
        for (wire, status) in ORDER_STATUSES {
            assert_eq!(OrderStatus::from_wire(wire), status);
            assert_eq!(status.as_wire(), wire);
        }
        let s = OrderStatus::from_wire("brandNewRejected");
        assert_eq!(s.as_wire(), "brandNewRejected");
        assert!(s.is_rejected() && !s.is_canceled() && !s.is_live());
        assert!(OrderStatus::from_wire("fooCanceled").is_canceled());
        assert!(OrderStatus::ScheduledCancel.is_canceled());
        assert!(OrderStatus::Canceled.is_canceled());
        assert!(OrderStatus::Rejected.is_rejected());
        assert!(OrderStatus::Open.is_live() && OrderStatus::Triggered.is_live());
        assert!(!OrderStatus::Filled.is_canceled() && !OrderStatus::Filled.is_rejected());
        let long = OrderStatus::from_wire(&"x".repeat(100));
        assert_eq!(long.as_wire().len(), 48, "truncated, not refused");
    }

    #[test]
    fn fill_dirs_round_trip() {
        for (wire, dir) in FILL_DIRS {
            assert_eq!(FillDir::from_wire(wire), dir);
            assert_eq!(dir.as_wire(), Some(wire));
        }
        assert_eq!(FillDir::from_wire("Liquidated Cross Long"), FillDir::Other);
        assert_eq!(FillDir::Other.as_wire(), None);
    }
}
