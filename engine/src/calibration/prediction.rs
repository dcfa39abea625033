//! What the quote path predicts for one level of a ladder, and the context it predicts in.
//!
//! Every level of every decision gets a [`LevelPrediction`]; it rides in the ladder's
//! [`crate::quote::QuoteLevel`] through Risk to OrderActor, which keeps its id with the order's
//! cloid and tells CalibrationActor when the order is placed and how its life ended. So only
//! the predictions the engine traded on are scored, and each is scored against its own order.
//!
//! The numbers are `f32`: they are scored, not traded on, and sixteen levels of them travel
//! in every ladder message (32 bytes a level instead of 56).

use crate::estimator::VolRegimeLabel;
use crate::quote::ModelKind;
use crate::types::Side;
use serde::Serialize;

/// One level's predictions: the decision's sequence number and the level's slot (side and
/// index). `PredictionId::NONE` (0) marks a level quoted without predictions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct PredictionId(pub u64);

impl PredictionId {
    pub const NONE: PredictionId = PredictionId(0);

    /// Decision `decision` (from 1), level `level` (< 8) of `side`.
    pub const fn new(decision: u64, side: Side, level: usize) -> Self {
        PredictionId((decision << 4) | ((side.index() as u64) << 3) | (level as u64 & 7))
    }

    /// The decision the prediction belongs to (levels of one decision share it).
    pub const fn decision(self) -> u64 {
        self.0 >> 4
    }
}

/// Which quote model made the decision: a [`ModelKind`], or the static baseline standing in
/// while the estimates are cold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ModelTag(u8);

/// Quote models scored apart: every `ModelKind` and the cold-start fallback.
pub const MODEL_TAGS: usize = ModelKind::ALL.len() + 1;

impl ModelTag {
    pub const FALLBACK: ModelTag = ModelTag(ModelKind::ALL.len() as u8);

    pub fn of(kind: ModelKind) -> Self {
        let index = ModelKind::ALL.iter().position(|k| *k == kind).unwrap_or(ModelKind::ALL.len());
        ModelTag(index as u8)
    }

    pub const fn index(self) -> usize {
        self.0 as usize
    }

    pub fn name(self) -> &'static str {
        ModelKind::ALL.get(self.index()).map_or(crate::quote::STATIC_FALLBACK, |k| k.name())
    }

    pub fn from_index(index: usize) -> Self {
        ModelTag(index.min(MODEL_TAGS - 1) as u8)
    }
}

/// Where the position stands for a fill on this side: a fill that reduces |position|, one
/// at a nearly flat book, one that adds to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InventoryBucket {
    Reducing,
    Flat,
    Adding,
}

/// |position| / max_position under which the book counts as flat.
pub const FLAT_INVENTORY_FRAC: f64 = 0.25;

impl InventoryBucket {
    pub const ALL: [InventoryBucket; 3] = [InventoryBucket::Reducing, InventoryBucket::Flat, InventoryBucket::Adding];

    /// For a fill on `side` with `position_frac` = position / max_position (signed).
    pub fn of(side: Side, position_frac: f64) -> Self {
        // NaN (no position limit known) counts as flat.
        if position_frac.is_nan() || position_frac.abs() < FLAT_INVENTORY_FRAC {
            return InventoryBucket::Flat;
        }
        // A bid fill adds to a long (sign +1 · positive position).
        if side.sign() as f64 * position_frac > 0.0 {
            InventoryBucket::Adding
        } else {
            InventoryBucket::Reducing
        }
    }

    fn name(self) -> &'static str {
        match self {
            InventoryBucket::Reducing => "reducing",
            InventoryBucket::Flat => "flat",
            InventoryBucket::Adding => "adding",
        }
    }
}

/// Distance bands of a level from the mid, bps: [0, 2), [2, 5), [5, 10), [10, ∞). Fixed so
/// that buckets mean the same across runs and coins; a tick of BTC is ~0.1–0.2 bps, of most
/// altcoins ~1 bp, so the first band is "at the touch" for both.
pub const DEPTH_BAND_EDGES_BPS: [f64; 3] = [2.0, 5.0, 10.0];
pub const DEPTH_BANDS: usize = DEPTH_BAND_EDGES_BPS.len() + 1;

const VOL_REGIMES: [VolRegimeLabel; 3] = [VolRegimeLabel::Quiet, VolRegimeLabel::Normal, VolRegimeLabel::Stressed];

/// The context a prediction is made in: volatility regime × inventory bucket × depth band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ContextBucket(u8);

impl ContextBucket {
    pub const COUNT: usize = VOL_REGIMES.len() * InventoryBucket::ALL.len() * DEPTH_BANDS;

    pub fn new(vol: VolRegimeLabel, inventory: InventoryBucket, depth_bps: f64) -> Self {
        let v = VOL_REGIMES.iter().position(|r| *r == vol).unwrap_or(1);
        let i = InventoryBucket::ALL.iter().position(|b| *b == inventory).unwrap_or(1);
        let d = DEPTH_BAND_EDGES_BPS.iter().take_while(|edge| depth_bps >= **edge).count();
        ContextBucket(((v * InventoryBucket::ALL.len() + i) * DEPTH_BANDS + d) as u8)
    }

    pub const fn index(self) -> usize {
        self.0 as usize
    }

    pub fn from_index(index: usize) -> Self {
        ContextBucket(index.min(Self::COUNT - 1) as u8)
    }

    pub fn vol(self) -> VolRegimeLabel {
        VOL_REGIMES[self.index() / (InventoryBucket::ALL.len() * DEPTH_BANDS)]
    }

    pub fn inventory(self) -> InventoryBucket {
        InventoryBucket::ALL[(self.index() / DEPTH_BANDS) % InventoryBucket::ALL.len()]
    }

    /// Index of the depth band (see [`DEPTH_BAND_EDGES_BPS`]).
    pub fn depth_band(self) -> usize {
        self.index() % DEPTH_BANDS
    }

    /// `normal/flat/2-5bps`.
    pub fn label(self) -> String {
        let vol = match self.vol() {
            VolRegimeLabel::Quiet => "quiet",
            VolRegimeLabel::Normal => "normal",
            VolRegimeLabel::Stressed => "stressed",
        };
        let band = self.depth_band();
        let depth = match (band.checked_sub(1).map(|b| DEPTH_BAND_EDGES_BPS[b]), DEPTH_BAND_EDGES_BPS.get(band)) {
            (None, Some(to)) => format!("0-{to}bps"),
            (Some(from), Some(to)) => format!("{from}-{to}bps"),
            (Some(from), None) => format!("{from}+bps"),
            (None, None) => "any".to_string(),
        };
        format!("{vol}/{}/{depth}", self.inventory().name())
    }
}

/// The lead-lag signal's call on our mid's next move over the lead horizon.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadCall {
    /// No reference venue, its lead not known yet, or a lead too small to call.
    #[default]
    None,
    Up,
    Down,
}

impl LeadCall {
    /// The call for a reference lead of `lead_bps` (`None` before it is known): a move of at
    /// least `min_bps` either way.
    pub fn of(lead_bps: Option<f64>, min_bps: f64) -> Self {
        match lead_bps {
            Some(x) if x >= min_bps => LeadCall::Up,
            Some(x) if x <= -min_bps => LeadCall::Down,
            _ => LeadCall::None,
        }
    }
}

/// The predictions for one level (see the module doc).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LevelPrediction {
    pub id: PredictionId,
    pub model: ModelTag,
    pub bucket: ContextBucket,
    pub side_is_bid: bool,
    pub lead: LeadCall,
    /// λ(δ) = A·exp(−κ·δ) at the level's depth (MODELS.md "Fill intensity"); NaN while the
    /// intensity estimate is cold (no fill prediction then).
    pub fill_rate_per_s: f32,
    /// μ: the rate at which orders of this bucket leave the book unfilled (requotes, cancels).
    pub end_rate_per_s: f32,
    /// Distance of the level from the mid at the decision, bps (positive: behind the mid).
    pub depth_bps: f32,
    /// Expected adverse selection of a fill here, bps: the mid's move against us by the
    /// markout horizon.
    pub adverse_bps: f32,
    /// Expected edge of a fill here, bps: depth − adverse selection − maker fee.
    pub edge_bps: f32,
    /// Standard deviation of the expected edge (the adverse-selection posterior's).
    pub edge_std_bps: f32,
}

impl LevelPrediction {
    pub fn side(&self) -> Side {
        if self.side_is_bid {
            Side::Bid
        } else {
            Side::Ask
        }
    }

    /// Probability that the order fills before it leaves the book: with fills arriving at
    /// rate λ and the order ending unfilled at rate μ (both exponential, competing risks),
    /// P(fill first) = λ / (λ + μ). `None` while λ is unknown.
    pub fn fill_probability(&self) -> Option<f64> {
        let (fill, end) = (f64::from(self.fill_rate_per_s), f64::from(self.end_rate_per_s));
        let total = fill + end;
        (fill.is_finite() && fill >= 0.0 && end >= 0.0 && total > 0.0).then(|| fill / total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_encode_the_decision_and_the_slot() {
        let a = PredictionId::new(7, Side::Ask, 3);
        assert_eq!(a.decision(), 7);
        assert_ne!(a, PredictionId::new(7, Side::Bid, 3));
        assert_ne!(a, PredictionId::new(7, Side::Ask, 2));
        assert_ne!(PredictionId::new(1, Side::Bid, 0), PredictionId::NONE);
    }

    #[test]
    fn buckets_round_trip_and_read_as_words() {
        let b = ContextBucket::new(VolRegimeLabel::Stressed, InventoryBucket::Adding, 7.5);
        assert_eq!((b.vol(), b.inventory(), b.depth_band()), (VolRegimeLabel::Stressed, InventoryBucket::Adding, 2));
        assert_eq!(b.label(), "stressed/adding/5-10bps");
        assert_eq!(
            ContextBucket::new(VolRegimeLabel::Quiet, InventoryBucket::Reducing, 0.3).label(),
            "quiet/reducing/0-2bps"
        );
        assert_eq!(
            ContextBucket::new(VolRegimeLabel::Normal, InventoryBucket::Flat, 40.0).label(),
            "normal/flat/10+bps"
        );
        let all: std::collections::HashSet<_> = (0..ContextBucket::COUNT).map(ContextBucket::from_index).collect();
        assert_eq!(all.len(), 36);
    }

    #[test]
    fn inventory_bucket_reads_the_position_from_the_side() {
        assert_eq!(InventoryBucket::of(Side::Bid, 0.5), InventoryBucket::Adding);
        assert_eq!(InventoryBucket::of(Side::Ask, 0.5), InventoryBucket::Reducing);
        assert_eq!(InventoryBucket::of(Side::Bid, -0.3), InventoryBucket::Reducing);
        assert_eq!(InventoryBucket::of(Side::Ask, 0.1), InventoryBucket::Flat);
        assert_eq!(InventoryBucket::of(Side::Ask, f64::NAN), InventoryBucket::Flat);
    }

    #[test]
    fn fill_probability_is_the_chance_the_fill_comes_first() {
        let p =
            |fill: f32, end: f32| LevelPrediction { fill_rate_per_s: fill, end_rate_per_s: end, ..Default::default() };
        // λ = 1/s, μ = 3/s: a quarter of orders fill before they are requoted.
        assert_eq!(p(1.0, 3.0).fill_probability(), Some(0.25));
        assert_eq!(p(f32::NAN, 3.0).fill_probability(), None);
        assert_eq!(p(0.0, 0.0).fill_probability(), None);
        assert_eq!(LeadCall::of(Some(0.7), 0.5), LeadCall::Up);
        assert_eq!(LeadCall::of(Some(-0.2), 0.5), LeadCall::None);
        assert_eq!(LeadCall::of(None, 0.5), LeadCall::None);
    }

    #[test]
    fn model_tags_name_every_model_and_the_fallback() {
        assert_eq!(ModelTag::of(ModelKind::Glft).name(), "glft");
        assert_eq!(ModelTag::FALLBACK.name(), "static_fallback");
        assert_eq!(ModelTag::from_index(99), ModelTag::FALLBACK);
    }
}
