//! Per-coin risk limits in base units.

use crate::types::Qty;
use serde::Serialize;

/// The limits one coin's orders must obey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CoinLimits {
    /// Largest absolute position the resting orders may lead to.
    pub max_position: Qty,
    /// Largest size of a single order.
    pub max_order_size: Qty,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RiskLimitsError {
    #[error("{coin}: max_position_base must be > 0")]
    MaxPosition { coin: String },
    #[error("{coin}: max_order_size_base must be > 0")]
    MaxOrderSize { coin: String },
}

impl CoinLimits {
    pub fn validate(&self, coin: &str) -> Result<(), RiskLimitsError> {
        if self.max_position.units() <= 0 {
            return Err(RiskLimitsError::MaxPosition { coin: coin.to_string() });
        }
        if self.max_order_size.units() <= 0 {
            return Err(RiskLimitsError::MaxOrderSize { coin: coin.to_string() });
        }
        Ok(())
    }
}
