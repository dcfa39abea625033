//! Links every placed prediction to its outcomes and scores it: the state CalibrationActor
//! runs on (pure, so tests drive it with scripted events).
//!
//! - A placed prediction waits under its order's cloid. Its first fill, or the order's end
//!   if no fill came first, scores the fill prediction (filled or not, with its time on the
//!   book until then) and teaches the bucket its ending rate; each fill's markout scores the
//!   adverse-selection and edge predictions and teaches the bucket both. An ended order's
//!   entry stays for the markouts of its fills (`markout_wait`), then goes; an order that
//!   never ends (its cancel raced a fill, so no end was reported) goes after
//!   [`MAX_OPEN_AGE`] — counted as evicted if it was never scored.
//! - A lead call is recorded once per decision (its levels share it) with the mid at
//!   placement, and resolved at the first mid at or after the lead horizon: the mid moved the
//!   called way (hit), the other way (miss), or not at all (flat). One whose mid comes more
//!   than `lead_horizon` late expires, counted.
//! - Memory is bounded: at most [`MAX_OPEN_PREDICTIONS`] entries —
//!   a ring of cloids in placement order says which is oldest, so a full table forgets its
//!   oldest entry in O(1) (counted as evicted if never scored) — and [`MAX_PENDING_LEADS`]
//!   lead calls per coin.

use super::{
    BucketLearning, CalibrationConfig, CalibrationCounts, CalibrationReport, CoinFeedback, CoinLearning, LeadCall,
    LeadResult, LevelPrediction, OutcomeKind, PlacedPrediction, Scoreboard,
};
use crate::types::{Cloid, CoinId, Nanos};
use std::collections::{HashMap, VecDeque};

pub const MAX_OPEN_PREDICTIONS: usize = 16_384;
pub const MAX_PENDING_LEADS: usize = 4_096;
/// Entries allocated up front: orders placed within the markout wait at a few per second
/// (the table grows, up to [`MAX_OPEN_PREDICTIONS`], only under a far busier order flow).
const INITIAL_OPEN_CAPACITY: usize = 1_024;
/// Longest an entry waits for its order's end.
pub const MAX_OPEN_AGE: Nanos = Nanos::from_millis(3_600_000);

#[derive(Debug, Clone, Copy)]
struct OpenPrediction {
    coin: CoinId,
    prediction: LevelPrediction,
    placed_at: Nanos,
    first_fill_at: Option<Nanos>,
    ended_at: Option<Nanos>,
    /// The fill prediction has been scored (at the first fill or the end).
    scored: bool,
}

#[derive(Debug, Clone, Copy)]
struct PendingLead {
    prediction: LevelPrediction,
    mid_at_call_usd: f64,
    due: Nanos,
}

#[derive(Debug, Default, Clone)]
struct CoinTrack {
    mid_usd: Option<f64>,
    last_lead_decision: u64,
    leads: VecDeque<PendingLead>,
}

pub struct CalibrationTracker {
    config: CalibrationConfig,
    lead_horizon: Nanos,
    markout_wait: Nanos,
    open: HashMap<Cloid, OpenPrediction>,
    /// Cloids in placement order (some already swept from `open`), at most
    /// [`MAX_OPEN_PREDICTIONS`].
    placement_order: VecDeque<Cloid>,
    coins: Vec<CoinTrack>,
    learning: Vec<CoinLearning>,
    scores: Scoreboard,
    counts: CalibrationCounts,
}

impl CalibrationTracker {
    /// `lead_horizon`: the estimator's; `markout_wait`: how long after its end an order's
    /// fills may still bring markouts (the markout horizon and its allowed lag).
    pub fn new(coin_count: usize, config: CalibrationConfig, lead_horizon: Nanos, markout_wait: Nanos) -> Self {
        let learning = (0..coin_count).map(|i| CoinLearning::new(CoinId(i as u8), &config)).collect();
        Self {
            config,
            lead_horizon,
            markout_wait,
            open: HashMap::with_capacity(INITIAL_OPEN_CAPACITY),
            // Its whole bound up front (16 bytes an entry): it never reallocates.
            placement_order: VecDeque::with_capacity(MAX_OPEN_PREDICTIONS),
            coins: vec![CoinTrack::default(); coin_count],
            learning,
            scores: Scoreboard::default(),
            counts: CalibrationCounts::default(),
        }
    }

    pub fn config(&self) -> &CalibrationConfig {
        &self.config
    }

    pub fn scores(&self) -> &Scoreboard {
        &self.scores
    }

    pub fn counts(&self) -> CalibrationCounts {
        let open_predictions = self.open.values().filter(|o| !o.scored).count() as u64;
        CalibrationCounts { open_predictions, ..self.counts }
    }

    pub fn on_placed(&mut self, placed: &PlacedPrediction) {
        let Some(track) = self.coins.get_mut(placed.coin.index()) else { return };
        self.counts.predictions += 1;
        let p = placed.prediction;
        if p.lead != LeadCall::None && p.id.decision() != track.last_lead_decision {
            if let Some(mid) = track.mid_usd {
                track.last_lead_decision = p.id.decision();
                if track.leads.len() >= MAX_PENDING_LEADS {
                    track.leads.pop_front();
                    self.counts.leads_expired += 1;
                }
                track.leads.push_back(PendingLead {
                    prediction: p,
                    mid_at_call_usd: mid,
                    due: placed.placed_at + self.lead_horizon,
                });
                self.counts.lead_calls += 1;
            }
        }
        if self.placement_order.len() >= MAX_OPEN_PREDICTIONS {
            self.evict_oldest();
        }
        self.placement_order.push_back(placed.cloid);
        let entry = OpenPrediction {
            coin: placed.coin,
            prediction: p,
            placed_at: placed.placed_at,
            first_fill_at: None,
            ended_at: None,
            scored: false,
        };
        self.open.insert(placed.cloid, entry);
    }

    fn evict_oldest(&mut self) {
        let oldest = self.placement_order.pop_front();
        if let Some(entry) = oldest.and_then(|cloid| self.open.remove(&cloid)) {
            self.counts.evicted += u64::from(!entry.scored);
        }
    }

    pub fn on_outcome(&mut self, cloid: Cloid, kind: OutcomeKind, at: Nanos) {
        let Some(entry) = self.open.get_mut(&cloid) else {
            match kind {
                OutcomeKind::Markout { .. } => self.counts.unmatched_markouts += 1,
                OutcomeKind::Ended { .. } => self.counts.unmatched_outcomes += 1,
                // A fill of an order placed before this run, or already forgotten: its end
                // or markout says so.
                OutcomeKind::Filled => {}
            }
            return;
        };
        match kind {
            OutcomeKind::Filled => {
                if entry.first_fill_at.is_some() {
                    return;
                }
                entry.first_fill_at = Some(at);
                if entry.scored {
                    // Scored unfilled already (the end raced the fill).
                    self.counts.late_fills += 1;
                    return;
                }
                self.score_fill_outcome(cloid, at, true);
            }
            OutcomeKind::Ended { filled } => {
                if entry.ended_at.is_some() {
                    return;
                }
                entry.ended_at = Some(at);
                if !entry.scored {
                    self.score_fill_outcome(cloid, at, filled);
                }
            }
            OutcomeKind::Markout { adverse_bps, edge_bps } => {
                self.counts.markouts += 1;
                let p = entry.prediction;
                self.scores.on_markout(&p, adverse_bps, edge_bps);
                if let Some(learning) = self.learning.get_mut(entry.coin.index()) {
                    learning.on_markout(p.bucket, adverse_bps, edge_bps);
                }
            }
        }
    }

    /// Scores the fill prediction of `cloid`'s entry: `filled` or not, on the book from its
    /// placement until `at`.
    fn score_fill_outcome(&mut self, cloid: Cloid, at: Nanos, filled: bool) {
        let Some(entry) = self.open.get_mut(&cloid) else { return };
        entry.scored = true;
        let exposure_s = at.saturating_sub(entry.placed_at).as_secs_f64();
        if filled {
            self.counts.outcomes_filled += 1;
        } else {
            self.counts.outcomes_unfilled += 1;
        }
        let p = entry.prediction;
        self.scores.on_order_end(&p, exposure_s, filled);
        if let Some(learning) = self.learning.get_mut(entry.coin.index()) {
            learning.on_order_end(p.bucket, exposure_s, filled);
        }
    }

    /// A new mid of `coin`: resolves the lead calls that are due.
    pub fn on_mid(&mut self, coin: CoinId, now: Nanos, mid_usd: f64) {
        let Some(track) = self.coins.get_mut(coin.index()) else { return };
        if !(mid_usd.is_finite() && mid_usd > 0.0) {
            return;
        }
        track.mid_usd = Some(mid_usd);
        while let Some(lead) = track.leads.front().copied().filter(|l| l.due <= now) {
            track.leads.pop_front();
            if now > lead.due + self.lead_horizon {
                self.counts.leads_expired += 1;
                continue;
            }
            let moved = mid_usd - lead.mid_at_call_usd;
            let called_up = lead.prediction.lead == LeadCall::Up;
            let result = if moved == 0.0 {
                LeadResult::Flat
            } else if (moved > 0.0) == called_up {
                LeadResult::Hit
            } else {
                LeadResult::Miss
            };
            self.scores.on_lead(lead.prediction.model, lead.prediction.bucket, result);
        }
    }

    /// Forgets ended orders whose markouts can no longer come, and orders that outlived
    /// [`MAX_OPEN_AGE`] without an end.
    pub fn sweep(&mut self, now: Nanos) {
        let wait = self.markout_wait;
        let mut evicted = 0;
        self.open.retain(|_, o| {
            let keep = match o.ended_at {
                Some(end) => now.saturating_sub(end) <= wait,
                None => now.saturating_sub(o.placed_at) <= MAX_OPEN_AGE,
            };
            evicted += u64::from(!keep && !o.scored);
            keep
        });
        self.counts.evicted += evicted;
        // Placements already forgotten leave the ring's front.
        while self.placement_order.front().is_some_and(|c| !self.open.contains_key(c)) {
            self.placement_order.pop_front();
        }
    }

    /// `coin`'s bucket estimates for the quote path, if they changed since the last call.
    pub fn take_feedback(&mut self, coin: CoinId) -> Option<CoinFeedback> {
        let config = &self.config;
        self.learning.get_mut(coin.index()).and_then(|l| l.take_view(config))
    }

    /// The report; `messages_received` and `queue_drops` are the actor's and the runtime's.
    pub fn report(&self, messages_received: u64, queue_drops: u64) -> CalibrationReport {
        let borrowed: Vec<(CoinId, &[BucketLearning])> =
            self.learning.iter().enumerate().map(|(i, l)| (CoinId(i as u8), l.buckets())).collect();
        let config = &self.config;
        CalibrationReport::new(
            messages_received,
            self.counts(),
            queue_drops,
            &self.scores,
            &borrowed,
            &config.alerts,
            |b| b.is_poor(config),
            config.widen.enabled,
        )
    }
}

#[cfg(test)]
#[path = "tracker_tests.rs"]
mod tests;
