//! Results that look too good to be true, flagged: a backtest that shows them is a simulator
//! finding until shown otherwise (the seeds' governance rule).
//!
//! - **No adverse selection**: over at least [`MIN_FILLS`] fills, the mid at the attribution
//!   horizon moved against the fills by less than [`MIN_ADVERSE_BPS`] of the traded notional
//!   (or in their favour). Real markets select adversely against passive quotes.
//! - **PnL above the spread**: the gross PnL (before fees) per traded notional exceeds the
//!   spread captured per traded notional: the run earned more than its quotes did — inventory
//!   luck at best, a fill at a price the market never offered at worst.
//! - **Implausible Sharpe**: above [`MAX_SHARPE_PER_DAY`] per day (≈ 300 a year): no market
//!   maker's daily PnL is that steady.

use serde::Serialize;

pub const MIN_FILLS: u64 = 100;
pub const MIN_ADVERSE_BPS: f64 = 0.1;
pub const MAX_SHARPE_PER_DAY: f64 = 20.0;

/// What the guards read from one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SanityInputs {
    pub fills: u64,
    pub volume_usd: f64,
    /// Net PnL plus fees paid (minus rebates): what trading earned before costs.
    pub gross_pnl_usd: f64,
    pub spread_capture_usd: f64,
    pub adverse_selection_usd: f64,
    pub sharpe_per_day: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "flag")]
pub enum SanityFlag {
    NoAdverseSelection { adverse_bps: f64 },
    PnlAboveSpread { gross_bps: f64, spread_capture_bps: f64 },
    ImplausibleSharpe { sharpe_per_day: f64 },
}

impl SanityFlag {
    pub fn describe(&self) -> String {
        match self {
            SanityFlag::NoAdverseSelection { adverse_bps } => {
                format!("no adverse selection: {adverse_bps:.3} bps of notional (< {MIN_ADVERSE_BPS})")
            }
            SanityFlag::PnlAboveSpread { gross_bps, spread_capture_bps } => {
                format!("gross PnL {gross_bps:.3} bps of notional above the spread captured ({spread_capture_bps:.3})")
            }
            SanityFlag::ImplausibleSharpe { sharpe_per_day } => {
                format!("Sharpe {sharpe_per_day:.1} per day (> {MAX_SHARPE_PER_DAY})")
            }
        }
    }
}

/// The flags `inputs` raise (none below [`MIN_FILLS`] fills: too little to judge).
pub fn sanity_flags(inputs: &SanityInputs) -> Vec<SanityFlag> {
    let mut flags = Vec::new();
    // A NaN volume is no volume.
    if inputs.fills < MIN_FILLS || inputs.volume_usd.is_nan() || inputs.volume_usd <= 0.0 {
        return flags;
    }
    let bps = |usd: f64| 1e4 * usd / inputs.volume_usd;
    let adverse_bps = bps(inputs.adverse_selection_usd);
    if adverse_bps < MIN_ADVERSE_BPS {
        flags.push(SanityFlag::NoAdverseSelection { adverse_bps });
    }
    let (gross_bps, spread_capture_bps) = (bps(inputs.gross_pnl_usd), bps(inputs.spread_capture_usd));
    if gross_bps > spread_capture_bps {
        flags.push(SanityFlag::PnlAboveSpread { gross_bps, spread_capture_bps });
    }
    if let Some(sharpe_per_day) = inputs.sharpe_per_day.filter(|s| *s > MAX_SHARPE_PER_DAY) {
        flags.push(SanityFlag::ImplausibleSharpe { sharpe_per_day });
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    /// $100 000 traded in 500 fills: spread captured $20 (2 bps), adverse selection $8 (0.8
    /// bps), gross $12 (1.2 bps), Sharpe 3 per day: nothing to flag.
    fn plausible() -> SanityInputs {
        SanityInputs {
            fills: 500,
            volume_usd: 100_000.0,
            gross_pnl_usd: 12.0,
            spread_capture_usd: 20.0,
            adverse_selection_usd: 8.0,
            sharpe_per_day: Some(3.0),
        }
    }

    #[test]
    fn a_plausible_run_raises_nothing_and_each_too_good_part_its_flag() {
        assert!(sanity_flags(&plausible()).is_empty());
        let flags = sanity_flags(&SanityInputs { adverse_selection_usd: -1.0, gross_pnl_usd: 21.0, ..plausible() });
        assert_eq!(
            flags,
            vec![
                SanityFlag::NoAdverseSelection { adverse_bps: -0.1 },
                SanityFlag::PnlAboveSpread { gross_bps: 2.1, spread_capture_bps: 2.0 },
            ]
        );
        let flags = sanity_flags(&SanityInputs { sharpe_per_day: Some(150.0), ..plausible() });
        assert_eq!(flags, vec![SanityFlag::ImplausibleSharpe { sharpe_per_day: 150.0 }]);
        assert!(flags[0].describe().contains("150.0 per day"));
    }

    #[test]
    fn too_few_fills_are_not_judged() {
        assert!(sanity_flags(&SanityInputs { fills: 99, adverse_selection_usd: 0.0, ..plausible() }).is_empty());
        assert!(sanity_flags(&SanityInputs { volume_usd: 0.0, ..plausible() }).is_empty());
    }
}
