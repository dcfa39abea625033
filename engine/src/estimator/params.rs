//! The snapshot EstimatorActor publishes: everything the quote path needs about one coin,
//! each group with the estimator's own readiness so the quote path knows what to trust.

use super::{FlowWindow, OfiWindow, SpreadRegimeLabel, VolRegimeLabel, MAX_FLOW_WINDOWS, MAX_OFI_WINDOWS};
use crate::types::{CoinId, Price};

/// Latest model inputs for one coin. Latest-value semantics: a newer one replaces an older.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarketParams {
    pub coin: CoinId,
    pub best_bid: Price,
    pub best_ask: Price,
    pub mid_usd: f64,
    /// Size-weighted mid at the touch (first cut of Stoikov's microprice).
    pub microprice_usd: f64,
    pub volatility: VolatilityParams,
    pub intensity: IntensityParams,
    pub activity: ActivityParams,
    pub flow: FlowParams,
    pub book: BookParams,
    pub ofi: OfiParams,
    pub context: ContextParams,
    /// Present while a reference venue is configured and its mid is fresh.
    pub reference: Option<ReferenceParams>,
}

impl MarketParams {
    /// Params for a book top with every estimate still cold (nothing learned yet).
    pub fn cold(coin: CoinId, best_bid: Price, best_ask: Price, mid_usd: f64, microprice_usd: f64) -> Self {
        Self {
            coin,
            best_bid,
            best_ask,
            mid_usd,
            microprice_usd,
            volatility: VolatilityParams::default(),
            intensity: IntensityParams::default(),
            activity: ActivityParams::default(),
            flow: FlowParams::default(),
            book: BookParams::default(),
            ofi: OfiParams::default(),
            context: ContextParams::default(),
            reference: None,
        }
    }
}

/// Which estimator σ comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SigmaSource {
    /// The time-weighted EWMA of mid returns (`MidVolEstimator`): available first.
    #[default]
    MidEwma,
    /// Bipower variation on the volume clock: robust to jumps, preferred once warm.
    BipowerVolumeClock,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VolatilityParams {
    /// σ the models use, fraction of mid per √second (see `source`).
    pub sigma_frac_per_sqrt_s: f64,
    pub source: SigmaSource,
    pub is_warm: bool,
    /// Mid-return samples behind the EWMA.
    pub mid_samples: u32,
    pub mid_ewma_frac_per_sqrt_s: f64,
    /// Bipower (jump-robust) and plain realized volatility on the volume clock.
    pub bipower_frac_per_sqrt_s: f64,
    pub realized_frac_per_sqrt_s: f64,
    /// (RV − BV)/RV: the share of variance from jumps.
    pub jump_share: f64,
    pub regime: VolRegimeLabel,
}

/// Which estimator κ and A come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KappaSource {
    /// Not enough trades yet: κ and A are not usable.
    #[default]
    None,
    /// κ = 1/mean trade distance; A = the per-side trade rate (the rate of trades reaching δ = 0).
    MeanDistance,
    /// Log-linear fit of per-level hit rates: A and κ together.
    IntensityFit,
}

/// Fill intensity λ(δ) = A·exp(−κ·δ), δ a fraction of the mid (MODELS.md "Fill intensity").
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct IntensityParams {
    pub kappa_per_frac: f64,
    pub a_per_s: f64,
    pub source: KappaSource,
    /// Volume-weighted mean |trade px − mid| / mid of the window, in bps.
    pub avg_trade_distance_bps: f64,
    pub trades_in_window: u32,
    /// The mean-distance estimator's smoothed κ, beside the fit for comparison.
    pub mean_distance_kappa_per_frac: f64,
    /// The fit's κ, A and R² of log λ on δ (None until it has enough levels).
    pub fit_kappa_per_frac: Option<f64>,
    pub fit_a_per_s: Option<f64>,
    pub fit_r_squared: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ActivityParams {
    /// Trade arrivals per second (EWMA of inter-arrival times).
    pub trade_rate_per_s: f64,
    /// Volume-bucket completions per second.
    pub bucket_rate_per_s: f64,
}

/// Aggressor buy and sell volume over the configured windows, magnitudes kept.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FlowParams {
    pub windows: [Option<FlowWindow>; MAX_FLOW_WINDOWS],
    pub is_warm: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BookParams {
    pub spread_bps: f64,
    pub spread_ewma_bps: f64,
    pub spread_regime: SpreadRegimeLabel,
    pub spread_jump_rate_per_s: f64,
    /// (bid depth − ask depth)/(sum) over the top levels, in [−1, 1].
    pub depth_imbalance: f64,
    pub touch_bid_base: f64,
    pub touch_ask_base: f64,
    /// USD resting within the near-touch band on each side.
    pub near_touch_bid_usd: f64,
    pub near_touch_ask_usd: f64,
    /// ≥ 1: how much to scale γ up because the book is thin.
    pub gamma_multiplier: f64,
}

/// Order flow imbalance (Cont–Kukanov–Stoikov 2014) over the configured windows.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OfiParams {
    pub windows: [Option<OfiWindow>; MAX_OFI_WINDOWS],
    pub is_warm: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ContextParams {
    pub funding_rate_frac_per_hour: Option<f64>,
    /// Until the next hourly funding, from the venue's own timestamps.
    pub time_to_funding_s: Option<f64>,
    /// |funding| relative to the configured extreme (1 = at the threshold).
    pub funding_extremity: Option<f64>,
    pub open_interest_base: Option<f64>,
    /// Relative open-interest change over the configured window.
    pub open_interest_change_frac: Option<f64>,
    pub mark_premium_bps: Option<f64>,
    /// The venue's oracle price (Hyperliquid `oraclePx`): the risk gate's second price band.
    pub oracle_px_usd: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferenceParams {
    pub mid_usd: f64,
    /// How far the reference has moved over the lead horizon that we have not (bps); `None`
    /// until both mids reach back one horizon.
    pub lead_bps: Option<f64>,
    /// Reference mid over ours − 1, now and smoothed (bps).
    pub basis_bps: f64,
    pub basis_ewma_bps: Option<f64>,
}
