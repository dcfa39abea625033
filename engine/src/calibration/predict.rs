//! The predictions of each level of a decided ladder, written into the ladder's levels.
//!
//! For a level of side `s` (+1 bid, −1 ask) at price `p`, mid `m` at the decision:
//!
//! - depth δ = s·(m − p)/m (a fraction; bps ×10⁴), its context bucket from the volatility
//!   regime, the position and δ;
//! - fill rate λ(δ) = A·exp(−κ·δ) (MODELS.md "Fill intensity", the estimator's A and κ) and
//!   the bucket's ending rate μ: the fill probability within the order's life is λ/(λ + μ)
//!   ([`LevelPrediction::fill_probability`]);
//! - adverse selection: the bucket's posterior mean, and the edge
//!   `depth_bps − adverse_bps − maker_fee_bps` with the posterior's standard deviation;
//! - the lead call from the reference venue's lead, when one is configured.
//!
//! O(levels), no allocation: one `exp` per level.

use super::{CoinFeedback, ContextBucket, InventoryBucket, LeadCall, LevelPrediction, ModelTag, PredictionId};
use crate::estimator::{KappaSource, MarketParams};
use crate::quote::{InventoryInputs, TargetLadder};
use crate::types::Side;
use crate::units::frac_to_bps;

/// What a decision's predictions are made from besides the ladder.
#[derive(Debug, Clone, Copy)]
pub struct PredictionInputs<'a> {
    pub decision: u64,
    pub model: ModelTag,
    pub market: &'a MarketParams,
    pub inventory: &'a InventoryInputs,
    pub feedback: &'a CoinFeedback,
    pub maker_fee_bps: f64,
    pub lead_min_bps: f64,
}

/// Signed position over the maximum (0 when nothing may be held).
pub fn position_frac(inventory: &InventoryInputs) -> f64 {
    let max = inventory.max_position.to_f64();
    if max > 0.0 {
        inventory.position.to_f64() / max
    } else {
        0.0
    }
}

/// The context bucket of a level of `side` at `depth_bps` from the mid.
pub fn bucket_of(market: &MarketParams, inventory: &InventoryInputs, side: Side, depth_bps: f64) -> ContextBucket {
    let inventory = InventoryBucket::of(side, position_frac(inventory));
    ContextBucket::new(market.volatility.regime, inventory, depth_bps)
}

/// Writes the predictions of every level of `ladder`.
pub fn predict_levels(ladder: &mut TargetLadder, inputs: &PredictionInputs) {
    let market = inputs.market;
    let intensity = &market.intensity;
    let warm = intensity.source != KappaSource::None && intensity.a_per_s > 0.0;
    let lead = LeadCall::of(market.reference.and_then(|r| r.lead_bps), inputs.lead_min_bps);
    let mid = market.mid_usd;
    for side in [Side::Bid, Side::Ask] {
        for (level_index, level) in ladder.side_mut(side).iter_mut().enumerate() {
            let depth_frac = side.sign() as f64 * (mid - level.px.to_f64()) / mid;
            let depth_bps = frac_to_bps(depth_frac);
            let bucket = bucket_of(market, inputs.inventory, side, depth_bps);
            let view = inputs.feedback.bucket(bucket);
            let fill_rate = if warm {
                intensity.a_per_s * (-intensity.kappa_per_frac * depth_frac.max(0.0)).exp()
            } else {
                f64::NAN
            };
            let adverse = f64::from(view.adverse_bps);
            level.prediction = LevelPrediction {
                id: PredictionId::new(inputs.decision, side, level_index),
                model: inputs.model,
                bucket,
                side_is_bid: side == Side::Bid,
                lead,
                fill_rate_per_s: fill_rate as f32,
                end_rate_per_s: view.end_rate_per_s,
                depth_bps: depth_bps as f32,
                adverse_bps: view.adverse_bps,
                edge_bps: (depth_bps - adverse - inputs.maker_fee_bps) as f32,
                edge_std_bps: view.adverse_std_bps,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::CalibrationConfig;
    use crate::estimator::{ReferenceParams, VolRegimeLabel};
    use crate::quote::QuoteLevel;
    use crate::types::{CoinId, Price, Qty};

    fn market() -> MarketParams {
        let mut m = MarketParams::cold(CoinId(0), Price::from_f64(99.99), Price::from_f64(100.01), 100.0, 100.0);
        m.intensity.source = KappaSource::MeanDistance;
        m.intensity.a_per_s = 2.0;
        m.intensity.kappa_per_frac = 5_000.0;
        m.volatility.regime = VolRegimeLabel::Stressed;
        m.reference =
            Some(ReferenceParams { mid_usd: 100.0, lead_bps: Some(-1.0), basis_bps: 0.0, basis_ewma_bps: None });
        m
    }

    #[test]
    fn each_level_gets_its_depth_rate_bucket_edge_and_lead() {
        let config = CalibrationConfig::default();
        let mut feedback = CoinFeedback::prior(CoinId(0), &config);
        let inventory = InventoryInputs {
            position: Qty::from_f64(0.5),
            order_size: Qty::from_f64(0.1),
            max_position: Qty::from_f64(1.0),
        };
        let market = market();
        // The ask 3 bps out sits in stressed/reducing/2-5bps; teach that bucket 1.5 bps of AS.
        let ask_bucket = bucket_of(&market, &inventory, Side::Ask, 3.0);
        assert_eq!(ask_bucket.label(), "stressed/reducing/2-5bps");
        feedback.buckets[ask_bucket.index()].adverse_bps = 1.5;
        let mut ladder = TargetLadder::empty(CoinId(0));
        ladder.bids.push(QuoteLevel::new(Price::from_f64(99.99), Qty::from_f64(0.1)));
        ladder.asks.push(QuoteLevel::new(Price::from_f64(100.03), Qty::from_f64(0.1)));
        let inputs = PredictionInputs {
            decision: 9,
            model: ModelTag::FALLBACK,
            market: &market,
            inventory: &inventory,
            feedback: &feedback,
            maker_fee_bps: 1.5,
            lead_min_bps: 0.5,
        };
        predict_levels(&mut ladder, &inputs);
        let (bid, ask) = (ladder.bids[0].prediction, ladder.asks[0].prediction);
        assert_eq!((bid.id.decision(), bid.lead, bid.side()), (9, LeadCall::Down, Side::Bid));
        assert!((bid.depth_bps - 1.0).abs() < 1e-4 && (ask.depth_bps - 3.0).abs() < 1e-4);
        // λ = 2·exp(−5000·3e-4) = 2·e^{−1.5}.
        assert!((f64::from(ask.fill_rate_per_s) - 2.0 * (-1.5f64).exp()).abs() < 1e-5);
        assert_eq!(ask.bucket, ask_bucket);
        assert_eq!(bid.bucket.label(), "stressed/adding/0-2bps");
        // Edge = 3 − 1.5 − 1.5 = 0 on the ask; 1 − 0 − 1.5 on the bid.
        assert!(ask.edge_bps.abs() < 1e-4 && (bid.edge_bps + 0.5).abs() < 1e-4);
        assert!((ask.edge_std_bps - 3.0).abs() < 1e-5);
    }

    #[test]
    fn a_cold_intensity_makes_no_fill_prediction() {
        let config = CalibrationConfig::default();
        let feedback = CoinFeedback::prior(CoinId(0), &config);
        let inventory =
            InventoryInputs { position: Qty::ZERO, order_size: Qty::from_f64(0.1), max_position: Qty::from_f64(1.0) };
        let mut market = market();
        market.intensity.source = KappaSource::None;
        market.reference = None;
        let mut ladder = TargetLadder::empty(CoinId(0));
        ladder.bids.push(QuoteLevel::new(Price::from_f64(99.99), Qty::from_f64(0.1)));
        let inputs = PredictionInputs {
            decision: 1,
            model: ModelTag::FALLBACK,
            market: &market,
            inventory: &inventory,
            feedback: &feedback,
            maker_fee_bps: 0.0,
            lead_min_bps: 0.5,
        };
        predict_levels(&mut ladder, &inputs);
        let p = ladder.bids[0].prediction;
        assert_eq!((p.fill_probability(), p.lead), (None, LeadCall::None));
        assert_ne!(p.id, PredictionId::NONE);
    }
}
