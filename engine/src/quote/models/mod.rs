//! Quoting models: each turns the market's inputs (σ, κ, A), a risk aversion and the
//! inventory into bid and ask depths from the mid, with the components that made them.
//! One trait, so the quote construction pipeline and the CLI calculators treat every model
//! alike; each model's own parameters (horizon, inventory bound, penalties) live in its config.
//!
//! Units throughout (MODELS.md header): depths δ and σ are fractions of the mid (σ per
//! √second), κ per unit fraction, A per second, inventory q and order size Δ in lots (one lot
//! = the quoted order size), γ per (fraction · lot) — `gamma_per_frac_lot` converts from γ on
//! USD wealth.

mod avellaneda_stoikov;
mod cartea_jaimungal;
mod glft;
mod glft_exact;
mod ho_stoll;
mod matrix_exp;
mod static_model;

pub use avellaneda_stoikov::{
    as_arrival_half_spread, as_reservation_offset, as_total_spread, AsHorizon, AvellanedaStoikov,
    AvellanedaStoikovConfig,
};
pub use cartea_jaimungal::{CarteaJaimungal, CarteaJaimungalConfig};
pub use glft::{gamma_per_frac_lot, glft_quote, Glft, GlftConfig, GlftError, GlftInputs, GlftQuote, GlftXi};
pub use glft_exact::{GlftExact, GlftExactConfig, MAX_INVENTORY_BOUND_LOTS};
pub use ho_stoll::{HoStoll, HoStollConfig};
pub use matrix_exp::{MatrixExp, MatrixExpError};
pub use static_model::{StaticSpreadModel, StaticSpreadModelConfig};

/// What every model is handed: the estimators' outputs and the inventory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelInputs {
    /// Volatility of the mid, fraction per √second.
    pub sigma_frac_per_sqrt_s: f64,
    /// Fill-intensity decay κ per unit fraction of the mid.
    pub kappa_per_frac: f64,
    /// Fill intensity at the mid, per second and side.
    pub a_per_s: f64,
    /// Risk aversion γ per (fraction · lot).
    pub gamma_per_frac_lot: f64,
    /// Inventory q in lots (signed: long > 0).
    pub inventory_lots: f64,
    /// Expected drift of the mid (a short-term alpha), fraction per second; 0 for none.
    pub drift_frac_per_s: f64,
}

/// A model's answer: depths from the mid (positive = away from the mid on that side).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ModelQuote {
    pub bid_depth_frac: f64,
    pub ask_depth_frac: f64,
    /// The inventory-free part of the half spread (e.g. GLFT's c1, A–S's (1/γ)ln(1+γ/k)).
    pub spread_term_frac: f64,
    /// Shift of the quote centre (reservation price − mid); negative when long.
    pub reservation_offset_frac: f64,
}

impl ModelQuote {
    /// Quotes neither side.
    pub const NONE: ModelQuote = ModelQuote {
        bid_depth_frac: f64::INFINITY,
        ask_depth_frac: f64::INFINITY,
        spread_term_frac: 0.0,
        reservation_offset_frac: 0.0,
    };

    /// Half the distance between the two quotes.
    pub fn half_spread_frac(&self) -> f64 {
        (self.bid_depth_frac + self.ask_depth_frac) / 2.0
    }
}

/// Why a model has no quote for these inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("{name} must be {requirement}, got {value}")]
    Input { name: &'static str, requirement: &'static str, value: f64 },
    #[error("{0}")]
    Numerical(&'static str),
}

/// A quoting model.
pub trait QuoteModel: Send {
    /// Short name for records and the CLI (`glft`, `as`, …).
    fn name(&self) -> &'static str;
    fn quote(&self, inputs: &ModelInputs) -> Result<ModelQuote, ModelError>;
}

/// `Ok` when `ok`, else the named input error: the models' one way to refuse an input.
pub(super) fn require(ok: bool, name: &'static str, requirement: &'static str, value: f64) -> Result<(), ModelError> {
    if ok {
        Ok(())
    } else {
        Err(ModelError::Input { name, requirement, value })
    }
}

pub(super) fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

pub(super) fn check_positive(name: &'static str, value: f64) -> Result<(), ModelError> {
    require(positive(value), name, "a positive finite number", value)
}

pub(super) fn check_non_negative(name: &'static str, value: f64) -> Result<(), ModelError> {
    require(value.is_finite() && value >= 0.0, name, "a non-negative finite number", value)
}

pub(super) fn check_finite(name: &'static str, value: f64) -> Result<(), ModelError> {
    require(value.is_finite(), name, "finite", value)
}
