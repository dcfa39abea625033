//! Slow market context of one perp: funding, open interest, oracle and mark price.
//!
//! [`MarketContext`] keeps what the venue publishes between trades as an [`AssetContext`]
//! (Hyperliquid's `activeAssetCtx`): the hourly funding rate (how extreme it is against a
//! threshold, and how long until it is paid), open interest and its change over a window,
//! oracle and mark price. It reads the venue-neutral market type, not a venue's frame, so the
//! estimator does not depend on any venue layer. Hyperliquid pays funding every hour on the
//! hour (UTC), so the countdown is a pure function of wall time ([`time_to_next_funding`]).
//!
//! Open interest is kept as a short [`SampledSeries`] so its change over the window is a
//! look-back, not a replay of every update.

use super::sampled_series::SampledSeries;
use crate::market::AssetContext;
use crate::types::{Nanos, Price, UnixNanos};
use crate::units::frac_to_bps;
use serde::{Deserialize, Serialize};

/// Hyperliquid's funding period: paid every hour on the hour.
pub const FUNDING_INTERVAL: Nanos = Nanos(3_600_000_000_000);

/// Time until the next funding payment at wall time `now_unix`. Exactly on the hour the
/// payment is taken as made, so the next one is a full hour away.
pub fn time_to_next_funding(now_unix: UnixNanos) -> Nanos {
    Nanos(FUNDING_INTERVAL.0 - now_unix.0 % FUNDING_INTERVAL.0)
}

/// Open-interest samples kept; with a spacing of window/32 they span ≥ 2 windows.
const OI_HISTORY_SAMPLES: usize = 64;
/// Stored OI samples per window: the look-back lands within window/32 of the exact lag.
const OI_SAMPLES_PER_WINDOW: f64 = 32.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarketContextConfig {
    /// |funding| at or above this is "extreme".
    pub funding_extreme_bps_per_hour: f64,
    /// Look-back of the open-interest change.
    pub oi_change_window_s: f64,
}

impl Default for MarketContextConfig {
    fn default() -> Self {
        Self {
            // Hyperliquid's baseline (interest) funding is 0.01 % per 8 h = 0.125 bps/h; 8× that,
            // 1 bps/h ≈ 88 % a year of carry, is a crowded position worth leaning against.
            funding_extreme_bps_per_hour: 1.0,
            oi_change_window_s: 300.0,
        }
    }
}

/// A [`MarketContextConfig`] or [`ReferenceLeadConfig`](super::ReferenceLeadConfig) that cannot work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid market-context config: {0}")]
pub struct MarketContextConfigError(pub &'static str);

impl MarketContextConfig {
    pub fn validate(&self) -> Result<(), MarketContextConfigError> {
        if !(self.funding_extreme_bps_per_hour > 0.0 && self.funding_extreme_bps_per_hour.is_finite()) {
            return Err(MarketContextConfigError("funding_extreme_bps_per_hour must be a positive number"));
        }
        if !(self.oi_change_window_s > 0.0 && self.oi_change_window_s.is_finite()) {
            return Err(MarketContextConfigError("oi_change_window_s must be a positive number"));
        }
        Ok(())
    }
}

/// Latest funding, open interest and prices of one perp from its [`AssetContext`] updates.
#[derive(Debug, Clone)]
pub struct MarketContext {
    funding_extreme_bps_per_hour: f64,
    oi_window: Nanos,
    funding_rate_frac_per_hour: Option<f64>,
    open_interest: SampledSeries<OI_HISTORY_SAMPLES>,
    oracle_px: Option<Price>,
    mark_px: Option<Price>,
    last_update: Option<Nanos>,
    updates: u64,
    rejected_fields: u64,
}

impl MarketContext {
    pub fn new(config: &MarketContextConfig) -> Result<Self, MarketContextConfigError> {
        config.validate()?;
        let oi_window = Nanos::from_secs_f64(config.oi_change_window_s);
        Ok(Self {
            funding_extreme_bps_per_hour: config.funding_extreme_bps_per_hour,
            oi_window,
            funding_rate_frac_per_hour: None,
            open_interest: SampledSeries::new(Nanos::from_secs_f64(config.oi_change_window_s / OI_SAMPLES_PER_WINDOW)),
            oracle_px: None,
            mark_px: None,
            last_update: None,
            updates: 0,
            rejected_fields: 0,
        })
    }

    /// Takes every present, sane field of `ctx`; `null` fields keep the previous value; a
    /// non-finite funding rate, negative open interest or non-positive price is ignored and
    /// counted. An update earlier than the last is ignored whole (counted once).
    pub fn on_asset_ctx(&mut self, now: Nanos, ctx: &AssetContext) {
        if self.last_update.is_some_and(|t| now < t) {
            self.rejected_fields += 1;
            return;
        }
        self.last_update = Some(now);
        self.updates += 1;
        if let Some(f) = ctx.funding_rate_frac_per_hour {
            if f.is_finite() {
                self.funding_rate_frac_per_hour = Some(f);
            } else {
                self.rejected_fields += 1;
            }
        }
        if let Some(oi) = ctx.open_interest_base {
            if oi.units() >= 0 {
                self.open_interest.push(now, oi.to_f64());
            } else {
                self.rejected_fields += 1;
            }
        }
        for (field, slot) in [(ctx.oracle_px, &mut self.oracle_px), (ctx.mark_px, &mut self.mark_px)] {
            match field {
                Some(px) if px.units() > 0 => *slot = Some(px),
                Some(_) => self.rejected_fields += 1,
                None => {}
            }
        }
    }

    pub fn funding_rate_frac_per_hour(&self) -> Option<f64> {
        self.funding_rate_frac_per_hour
    }

    pub fn funding_bps_per_hour(&self) -> Option<f64> {
        self.funding_rate_frac_per_hour.map(frac_to_bps)
    }

    /// |funding| / threshold: ≥ 1 is extreme.
    pub fn funding_extremity(&self) -> Option<f64> {
        self.funding_bps_per_hour().map(|f| f.abs() / self.funding_extreme_bps_per_hour)
    }

    pub fn is_funding_extreme(&self) -> bool {
        self.funding_extremity().is_some_and(|x| x >= 1.0)
    }

    pub fn open_interest_base(&self) -> Option<f64> {
        self.open_interest.latest().map(|(_, oi)| oi)
    }

    /// OI now minus OI one window ago, in base units; `None` until the history spans the window.
    pub fn open_interest_change_base(&self, now: Nanos) -> Option<f64> {
        let (_, oi_now) = self.open_interest.latest()?;
        let lag = Nanos(now.0.checked_sub(self.oi_window.0)?);
        Some(oi_now - self.open_interest.at_or_before(lag)?)
    }

    /// The same change as a fraction of the earlier OI; `None` if that was zero.
    pub fn open_interest_change_frac(&self, now: Nanos) -> Option<f64> {
        let change = self.open_interest_change_base(now)?;
        let earlier = self.open_interest_base()? - change;
        (earlier > 0.0).then(|| change / earlier)
    }

    pub fn oracle_px(&self) -> Option<Price> {
        self.oracle_px
    }

    pub fn mark_px(&self) -> Option<Price> {
        self.mark_px
    }

    /// `mark/oracle − 1` in bps.
    pub fn mark_premium_bps(&self) -> Option<f64> {
        Some(frac_to_bps(self.mark_px?.to_f64() / self.oracle_px?.to_f64() - 1.0))
    }

    /// Funding and open interest both known.
    pub fn is_warm(&self) -> bool {
        self.funding_rate_frac_per_hour.is_some() && self.open_interest.latest().is_some()
    }

    pub fn samples(&self) -> u64 {
        self.updates
    }

    pub fn rejected_fields(&self) -> u64 {
        self.rejected_fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{CoinId, Qty};

    /// 2024-01-01 00:00:00 UTC.
    const JAN_1_2024_S: u64 = 1_704_067_200;

    fn wall(h: u64, m: u64, s: u64, ms: u64) -> UnixNanos {
        UnixNanos::from_millis(((JAN_1_2024_S + h * 3600 + m * 60 + s) * 1000) + ms)
    }

    fn ctx(funding: Option<f64>, oi: Option<&str>) -> AssetContext {
        AssetContext {
            coin: CoinId(0),
            funding_rate_frac_per_hour: funding,
            open_interest_base: oi.map(|v| Qty::parse(v).unwrap()),
            oracle_px: Some(Price::parse("100").unwrap()),
            mark_px: Some(Price::parse("100.02").unwrap()),
        }
    }

    #[test]
    fn funding_countdown_at_exact_times() {
        assert_eq!(time_to_next_funding(wall(12, 59, 30, 0)), Nanos::from_secs_f64(30.0));
        assert_eq!(time_to_next_funding(wall(12, 0, 0, 1)), Nanos::from_millis(3_599_999));
        assert_eq!(time_to_next_funding(wall(13, 0, 0, 0)), FUNDING_INTERVAL); // just paid
        assert_eq!(time_to_next_funding(wall(23, 59, 59, 999)), Nanos::from_millis(1));
    }

    #[test]
    fn funding_extremity_and_prices() {
        let mut c = MarketContext::new(&MarketContextConfig::default()).unwrap();
        assert!(!c.is_warm());
        c.on_asset_ctx(Nanos::ZERO, &ctx(Some(-0.000_25), Some("1000")));
        assert!(c.is_warm());
        assert_eq!(c.funding_rate_frac_per_hour(), Some(-0.000_25));
        assert!((c.funding_bps_per_hour().unwrap() + 2.5).abs() < 1e-12);
        assert!((c.funding_extremity().unwrap() - 2.5).abs() < 1e-12);
        assert!(c.is_funding_extreme()); // −2.5 bps/h: shorts pay longs heavily
        c.on_asset_ctx(Nanos(1), &ctx(Some(0.000_012_5), None)); // baseline 0.125 bps/h
        assert!(!c.is_funding_extreme());
        assert_eq!(c.open_interest_base(), Some(1000.0)); // null OI keeps the old value
        assert!((c.mark_premium_bps().unwrap() - 2.0).abs() < 1e-9);
        // Bad fields are counted and leave the previous values.
        let mut bad = ctx(Some(f64::NAN), Some("-5"));
        bad.oracle_px = Some(Price::ZERO);
        c.on_asset_ctx(Nanos(2), &bad);
        c.on_asset_ctx(Nanos(1), &ctx(Some(0.1), None)); // time backwards
        assert_eq!(c.rejected_fields(), 4);
        assert_eq!(c.funding_rate_frac_per_hour(), Some(0.000_012_5));
        assert_eq!(c.oracle_px(), Some(Price::parse("100").unwrap()));
        assert_eq!(c.samples(), 3);
    }

    #[test]
    fn open_interest_change_over_the_window() {
        let config = MarketContextConfig { oi_change_window_s: 60.0, ..Default::default() };
        let mut c = MarketContext::new(&config).unwrap();
        // OI grows by 1 every 10 s: 1000, 1001, …
        for i in 0..=30u64 {
            let oi = format!("{}", 1000 + i);
            c.on_asset_ctx(Nanos::from_secs_f64(10.0 * i as f64), &ctx(Some(0.0), Some(&oi)));
            let change = c.open_interest_change_base(Nanos::from_secs_f64(10.0 * i as f64));
            if i < 6 {
                assert_eq!(change, None, "history shorter than the window at {i}");
            } else {
                assert_eq!(change, Some(6.0), "at {i}");
            }
        }
        // Read between updates: at 305 s the lag point is 245 s, where OI was 1024.
        assert_eq!(c.open_interest_change_base(Nanos::from_secs_f64(305.0)), Some(6.0));
        // 10 minutes later with no update the OI has not changed over the last minute.
        assert_eq!(c.open_interest_change_base(Nanos::from_secs_f64(900.0)), Some(0.0));
        let frac = c.open_interest_change_frac(Nanos::from_secs_f64(300.0)).unwrap();
        assert!((frac - 6.0 / 1024.0).abs() < 1e-12);
    }
}
