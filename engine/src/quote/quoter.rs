//! The quote path of one coin: the estimators' `MarketParams` and the inventory → the chosen
//! model's depths → the construction pipeline → a target ladder and its `QuoteDecision`.
//!
//! γ is configured on USD P&L (`gamma_per_usd`, CARA) and converted per decision to the
//! models' per (fraction · lot) at the coin's mid and order size, then scaled up by the book's
//! thin-liquidity multiplier (MODELS.md "Estimators": scale γ up when thin). Until the fill
//! intensity (κ, A) and σ are warm, or when the model refuses its inputs, the coin is quoted
//! by the static baseline, and the decision says so (`model` is then `static_fallback`).

use super::construct::{construct, ModelRun, QuoteConstructionConfig, QuoteConstructionConfigError, QuoteDecision};
use super::models::{
    gamma_per_frac_lot, AsHorizon, AvellanedaStoikov, AvellanedaStoikovConfig, CarteaJaimungal, CarteaJaimungalConfig,
    Glft, GlftConfig, GlftExact, GlftExactConfig, HoStoll, HoStollConfig, ModelError, ModelInputs, ModelQuote,
    QuoteModel, StaticSpreadModel, StaticSpreadModelConfig,
};
use super::TargetLadder;
use crate::estimator::{KappaSource, MarketParams};
use crate::instrument::Instrument;
use crate::order::{RequoteTolerance, RequoteToleranceError};
use crate::types::Qty;
use serde::{Deserialize, Serialize};

/// The name a fallback decision carries.
pub const STATIC_FALLBACK: &str = "static_fallback";

/// Which model prices the quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Glft,
    GlftExact,
    AvellanedaStoikov,
    HoStoll,
    CarteaJaimungal,
    Static,
}

impl ModelKind {
    pub const ALL: [ModelKind; 6] = [
        ModelKind::Glft,
        ModelKind::GlftExact,
        ModelKind::AvellanedaStoikov,
        ModelKind::HoStoll,
        ModelKind::CarteaJaimungal,
        ModelKind::Static,
    ];

    /// The config's spelling (`glft_exact`, …).
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Glft => "glft",
            ModelKind::GlftExact => "glft_exact",
            ModelKind::AvellanedaStoikov => "avellaneda_stoikov",
            ModelKind::HoStoll => "ho_stoll",
            ModelKind::CarteaJaimungal => "cartea_jaimungal",
            ModelKind::Static => "static",
        }
    }

    pub fn parse(text: &str) -> Option<ModelKind> {
        ModelKind::ALL.into_iter().find(|k| k.name() == text)
    }
}

/// One minute: the inventory horizon of a market maker that flattens intraday, for the
/// finite-horizon models evaluated on a rolling horizon.
const DEFAULT_HORIZON_S: f64 = 60.0;

fn default_avellaneda_stoikov() -> AvellanedaStoikovConfig {
    AvellanedaStoikovConfig { horizon: AsHorizon::Finite { horizon_s: DEFAULT_HORIZON_S } }
}

fn default_ho_stoll() -> HoStollConfig {
    HoStollConfig { horizon_s: DEFAULT_HORIZON_S }
}

/// The `[quote]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteConfig {
    pub model: ModelKind,
    /// CARA risk aversion on USD P&L, per USD.
    pub gamma_per_usd: f64,
    #[serde(default)]
    pub glft: GlftConfig,
    #[serde(default)]
    pub glft_exact: GlftExactConfig,
    #[serde(default = "default_avellaneda_stoikov")]
    pub avellaneda_stoikov: AvellanedaStoikovConfig,
    #[serde(default = "default_ho_stoll")]
    pub ho_stoll: HoStollConfig,
    #[serde(default)]
    pub cartea_jaimungal: CarteaJaimungalConfig,
    /// The baseline: quoted when `model = "static"`, and while the estimates are cold.
    pub static_spread: StaticSpreadModelConfig,
    #[serde(default)]
    pub construction: QuoteConstructionConfig,
    /// Leave a resting order alone while its target moved less than this (OrderActor).
    #[serde(default)]
    pub requote_tolerance: RequoteTolerance,
}

/// A `[quote]` setting the engine cannot run with, and the key that holds it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuoteConfigError {
    #[error("quote.gamma_per_usd must be a positive number, got {0}")]
    Gamma(f64),
    #[error("quote.{model}: {source}")]
    Model { model: &'static str, source: ModelError },
    #[error(transparent)]
    Construction(#[from] QuoteConstructionConfigError),
    #[error("quote.requote_tolerance: {0}")]
    Tolerance(#[from] RequoteToleranceError),
}

impl QuoteConfig {
    /// The static baseline with every other section at its default (benches, tests); γ is
    /// unused by the static model, so it is set to one per USD.
    pub fn static_baseline(static_spread: StaticSpreadModelConfig) -> Self {
        QuoteConfig {
            model: ModelKind::Static,
            gamma_per_usd: 1.0,
            glft: GlftConfig::default(),
            glft_exact: GlftExactConfig::default(),
            avellaneda_stoikov: default_avellaneda_stoikov(),
            ho_stoll: default_ho_stoll(),
            cartea_jaimungal: CarteaJaimungalConfig::default(),
            static_spread,
            construction: QuoteConstructionConfig::default(),
            requote_tolerance: RequoteTolerance::default(),
        }
    }

    /// Checks every model's settings, not only the chosen one's: a run-time switch must not
    /// find a broken section.
    pub fn validate(&self) -> Result<(), QuoteConfigError> {
        if !(self.gamma_per_usd > 0.0 && self.gamma_per_usd.is_finite()) {
            return Err(QuoteConfigError::Gamma(self.gamma_per_usd));
        }
        for kind in ModelKind::ALL {
            self.build_model(kind)?;
        }
        self.construction.validate()?;
        self.requote_tolerance.validate()?;
        Ok(())
    }

    fn build_model(&self, kind: ModelKind) -> Result<Box<dyn QuoteModel>, QuoteConfigError> {
        let model = kind.name();
        let wrap = |source| QuoteConfigError::Model { model, source };
        Ok(match kind {
            ModelKind::Glft => Box::new(Glft::new(self.glft)),
            ModelKind::GlftExact => Box::new(GlftExact::new(self.glft_exact).map_err(wrap)?),
            ModelKind::AvellanedaStoikov => Box::new(AvellanedaStoikov::new(self.avellaneda_stoikov).map_err(wrap)?),
            ModelKind::HoStoll => Box::new(HoStoll::new(self.ho_stoll).map_err(wrap)?),
            ModelKind::CarteaJaimungal => Box::new(CarteaJaimungal::new(self.cartea_jaimungal).map_err(wrap)?),
            ModelKind::Static => Box::new(StaticSpreadModel::new(self.static_spread).map_err(wrap)?),
        })
    }
}

/// Per-coin inputs besides the market: what we hold and how much we quote.
#[derive(Debug, Clone, Copy)]
pub struct InventoryInputs {
    pub position: Qty,
    pub order_size: Qty,
    pub max_position: Qty,
}

/// Why a decision fell back to the static baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// κ/A or σ not warm yet.
    Cold,
    /// The model refused the inputs (a `ModelError`).
    ModelError,
}

/// The quote path of one coin (each coin its own: exact models cache per parameter set).
pub struct Quoter {
    config: QuoteConfig,
    model: Box<dyn QuoteModel>,
    baseline: StaticSpreadModel,
}

impl Quoter {
    pub fn new(config: QuoteConfig) -> Result<Self, QuoteConfigError> {
        config.validate()?;
        let model = config.build_model(config.model)?;
        let baseline = StaticSpreadModel::new(config.static_spread)
            .map_err(|source| QuoteConfigError::Model { model: "static_spread", source })?;
        Ok(Self { config, model, baseline })
    }

    pub fn config(&self) -> &QuoteConfig {
        &self.config
    }

    /// The model's inputs for this market and inventory.
    pub fn inputs(&self, market: &MarketParams, inventory: &InventoryInputs) -> ModelInputs {
        let lot_base = inventory.order_size.to_f64();
        let thin_book =
            if market.book.gamma_multiplier.is_finite() { market.book.gamma_multiplier.max(1.0) } else { 1.0 };
        ModelInputs {
            sigma_frac_per_sqrt_s: market.volatility.sigma_frac_per_sqrt_s,
            kappa_per_frac: market.intensity.kappa_per_frac,
            a_per_s: market.intensity.a_per_s,
            gamma_per_frac_lot: gamma_per_frac_lot(self.config.gamma_per_usd, market.mid_usd, lot_base) * thin_book,
            inventory_lots: if lot_base > 0.0 { inventory.position.to_f64() / lot_base } else { 0.0 },
            drift_frac_per_s: 0.0,
        }
    }

    /// Writes the coin's target ladder into `out` and returns the decision, plus why it fell
    /// back to the baseline if it did. `edge_widen_bps`: see [`construct`].
    pub fn decide(
        &self,
        market: &MarketParams,
        inventory: &InventoryInputs,
        instrument: &Instrument,
        edge_widen_bps: [f64; 2],
        out: &mut TargetLadder,
    ) -> (QuoteDecision, Option<Fallback>) {
        let inputs = self.inputs(market, inventory);
        // The baseline needs no estimate; every other model waits for κ, A and σ.
        let warm = self.config.model == ModelKind::Static
            || (market.intensity.source != KappaSource::None && market.volatility.is_warm);
        let modelled = if warm { Some(self.model.quote(&inputs)) } else { None };
        let (run, fallback) = match modelled {
            Some(Ok(quote)) => (ModelRun { name: self.model.name(), inputs, quote }, None),
            other => {
                let why = if other.is_some() { Fallback::ModelError } else { Fallback::Cold };
                // The baseline ignores every input, so it always quotes.
                let quote = self.baseline.quote(&inputs).unwrap_or(ModelQuote::NONE);
                (ModelRun { name: STATIC_FALLBACK, inputs, quote }, Some(why))
            }
        };
        let decision = construct(&run, market, inventory, instrument, &self.config.construction, edge_widen_bps, out);
        (decision, fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimator::SigmaSource;
    use crate::types::{CoinId, Price};

    fn btc() -> Instrument {
        Instrument { name: "BTC".into(), sz_decimals: 5, min_notional_usd: 10.0 }
    }

    fn config(model: ModelKind) -> QuoteConfig {
        let mut c = QuoteConfig::static_baseline(StaticSpreadModelConfig {
            half_spread_bps: 3.0,
            inventory_skew_bps_per_lot: 0.0,
        });
        c.model = model;
        c.gamma_per_usd = 0.5;
        c
    }

    fn market(warm: bool) -> MarketParams {
        let mut m =
            MarketParams::cold(CoinId(0), Price::from_f64(99_999.0), Price::from_f64(100_001.0), 100_000.0, 100_000.0);
        if warm {
            m.volatility.sigma_frac_per_sqrt_s = 1e-4;
            m.volatility.is_warm = true;
            m.volatility.source = SigmaSource::BipowerVolumeClock;
            m.intensity.kappa_per_frac = 2_000.0;
            m.intensity.a_per_s = 1.0;
            m.intensity.source = KappaSource::IntensityFit;
        }
        m
    }

    fn inventory() -> InventoryInputs {
        InventoryInputs { position: Qty::ZERO, order_size: Qty::from_f64(0.001), max_position: Qty::from_f64(0.01) }
    }

    #[test]
    fn cold_estimates_fall_back_to_the_baseline_and_warm_ones_use_the_model() {
        let quoter = Quoter::new(config(ModelKind::Glft)).unwrap();
        let mut out = TargetLadder::empty(CoinId(0));
        let (cold, why) = quoter.decide(&market(false), &inventory(), &btc(), [0.0; 2], &mut out);
        assert_eq!((cold.model, why), (STATIC_FALLBACK, Some(Fallback::Cold)));
        // The baseline's 3 bps: 100000·(1 − 3e-4) = 99970.
        assert_eq!(out.bids[0].px, Price::from_f64(99_970.0));
        let (warm, why) = quoter.decide(&market(true), &inventory(), &btc(), [0.0; 2], &mut out);
        assert_eq!((warm.model, why), ("glft", None));
        // GLFT at κ = 2000: c1 ≈ 1/κ = 5 bps, so the bid sits about 5 bps under the mid.
        let bid = out.bids[0].px.to_f64();
        assert!((99_940.0..99_960.0).contains(&bid), "{bid}");
        // The static model needs no estimates.
        let stat = Quoter::new(config(ModelKind::Static)).unwrap();
        assert_eq!(stat.decide(&market(false), &inventory(), &btc(), [0.0; 2], &mut out).1, None);
    }

    #[test]
    fn gamma_is_converted_per_lot_and_scaled_up_on_a_thin_book() {
        let quoter = Quoter::new(config(ModelKind::Glft)).unwrap();
        let mut m = market(true);
        // γ per (fraction · lot) = 0.5 /USD · 100000 USD · 0.001 base = 50.
        assert_eq!(quoter.inputs(&m, &inventory()).gamma_per_frac_lot, 50.0);
        m.book.gamma_multiplier = 2.0;
        assert_eq!(quoter.inputs(&m, &inventory()).gamma_per_frac_lot, 100.0);
        let long = InventoryInputs { position: Qty::from_f64(0.003), ..inventory() };
        assert!((quoter.inputs(&m, &long).inventory_lots - 3.0).abs() < 1e-12);
    }

    #[test]
    fn every_model_section_is_checked_and_errors_name_the_key() {
        let mut c = config(ModelKind::Glft);
        c.gamma_per_usd = -1.0;
        assert_eq!(Quoter::new(c).err().unwrap().to_string(), "quote.gamma_per_usd must be a positive number, got -1");
        let mut c = config(ModelKind::Glft);
        c.ho_stoll.horizon_s = 0.0;
        let err = Quoter::new(c).err().unwrap().to_string();
        assert!(err.starts_with("quote.ho_stoll: horizon_s"), "{err}");
        for kind in ModelKind::ALL {
            assert_eq!(ModelKind::parse(kind.name()), Some(kind));
        }
        assert_eq!(ModelKind::parse("glft-exact"), None);
    }
}
