//! Volume-clock tests: σ of a simulated Brownian path recovered in effective time, jumps
//! inflating RV but not BV, bounce noise fading with bucket size, trade splitting and VWAP
//! conservation, the incremental sums against a recompute, bad trades and configs.

use super::super::test_support::trade;
use super::*;
use crate::types::Side;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp, StandardNormal};

fn config(bucket_volume_base: f64, window_returns: usize) -> VolumeClockConfig {
    VolumeClockConfig { bucket_volume_base, window_returns, warmup_returns: window_returns.min(100), bipower_lag: 2 }
}

/// Geometric Brownian path sampled at Poisson trade times, with optional jumps and bid/ask
/// bounce; calls `f(time, trade)` for each trade.
struct Path {
    sigma_per_sqrt_s: f64,
    trades_per_s: f64,
    trades: usize,
    jumps_frac: &'static [f64],
    half_spread_frac: f64,
}

impl Path {
    fn run(&self, seed: u64, mut f: impl FnMut(Nanos, &Trade)) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let gap = Exp::new(self.trades_per_s).unwrap();
        // Jumps in the last 80 % of the path, inside the window at the end.
        let jump_at: Vec<usize> = self.jumps_frac.iter().map(|_| rng.gen_range(self.trades / 5..self.trades)).collect();
        let (mut t_s, mut log_px) = (0.0f64, 100f64.ln());
        for i in 0..self.trades {
            let dt_s = gap.sample(&mut rng);
            t_s += dt_s;
            let z: f64 = StandardNormal.sample(&mut rng);
            log_px += self.sigma_per_sqrt_s * dt_s.sqrt() * z;
            for (j, &at) in jump_at.iter().enumerate() {
                if at == i {
                    log_px += self.jumps_frac[j];
                }
            }
            let side = if rng.gen::<bool>() { Side::Bid } else { Side::Ask };
            let bounce = self.half_spread_frac * side.sign() as f64;
            let sz = rng.gen_range(0.02..0.08);
            f(Nanos::from_secs_f64(t_s), &trade(side, (log_px + bounce).exp(), sz));
        }
    }
}

const SIGMA: f64 = 3e-4;
/// 20 trades/s of 0.05 base on average, 1-base buckets: ~20 trades and ~1 s per bucket;
/// 44 000 trades fill a 2000-return window with room to spare.
fn brownian(jumps_frac: &'static [f64], half_spread_frac: f64) -> Path {
    Path { sigma_per_sqrt_s: SIGMA, trades_per_s: 20.0, trades: 44_000, jumps_frac, half_spread_frac }
}

#[test]
fn recovers_sigma_of_a_brownian_path_in_effective_time() {
    let mut est = VolumeClockVolatility::new(&config(1.0, 2000)).unwrap();
    brownian(&[], 0.0).run(11, |now, t| {
        est.on_trade(now, t);
    });
    let (bv, rv) = (est.sigma_bv_frac_per_sqrt_s(), est.sigma_rv_frac_per_sqrt_s());
    let wall = (est.realized_variance_frac2() / est.wall_time_s()).sqrt();
    eprintln!(
        "σ_bv/σ {:.4} σ_rv/σ {:.4} σ_wall/σ {:.4} jump share {:.4} τ/wall {:.4}",
        bv / SIGMA,
        rv / SIGMA,
        wall / SIGMA,
        est.jump_share(),
        est.effective_time_s() / est.wall_time_s()
    );
    assert!(est.is_warm() && est.buckets() == 2000);
    assert!((bv / SIGMA - 1.0).abs() < 0.1, "σ_bv {bv} vs {SIGMA}");
    assert!((rv / SIGMA - 1.0).abs() < 0.1, "σ_rv {rv} vs {SIGMA}");
    assert!(est.jump_share() < 0.1, "jump share {}", est.jump_share());
    // Working (1960): VWAP differences carry ~2/3 of the wall-time variance, so wall time
    // alone would understate σ by ~√(2/3) ≈ 0.82.
    assert!((0.75..0.88).contains(&(wall / SIGMA)), "wall-time σ {wall}");
}

#[test]
fn jumps_inflate_rv_but_not_bv() {
    // Three 1 % jumps at random times. Staggered BV (lag 2) stays near σ; the textbook lag 1
    // multiplies the two halves of a jump split between adjacent VWAPs and drifts up.
    let mut staggered = VolumeClockVolatility::new(&config(1.0, 2000)).unwrap();
    let mut textbook = VolumeClockVolatility::new(&VolumeClockConfig { bipower_lag: 1, ..config(1.0, 2000) }).unwrap();
    brownian(&[0.01, -0.01, 0.01], 0.0).run(11, |now, t| {
        staggered.on_trade(now, t);
        textbook.on_trade(now, t);
    });
    let est = &staggered;
    let (bv, rv, share) = (est.sigma_bv_frac_per_sqrt_s(), est.sigma_rv_frac_per_sqrt_s(), est.jump_share());
    let bv_lag1 = textbook.sigma_bv_frac_per_sqrt_s();
    eprintln!(
        "with jumps: σ_bv/σ {:.4} (lag 1: {:.4}) σ_rv/σ {:.4} jump share {share:.4} (lag 1: {:.4})",
        bv / SIGMA,
        bv_lag1 / SIGMA,
        rv / SIGMA,
        textbook.jump_share()
    );
    assert!(rv / SIGMA > 1.5, "σ_rv {rv} should carry the jumps");
    assert!((bv / SIGMA - 1.0).abs() < 0.15, "σ_bv {bv} vs {SIGMA}");
    assert!(share > 0.4, "jump share {share}");
    assert!(bv_lag1 / SIGMA > 1.2, "lag-1 BV {bv_lag1} should show the split jumps");
}

#[test]
fn bad_trades_zero_time_and_warm_up() {
    let mut est = VolumeClockVolatility::new(&config(1.0, 10)).unwrap();
    // Zero size, NaN size (Qty::from_f64(NaN) is 0), negative size, zero price.
    for bad in [trade(Side::Bid, 100.0, 0.0), trade(Side::Bid, 100.0, f64::NAN), trade(Side::Ask, 100.0, -1.0)] {
        assert!(est.on_trade(Nanos(1), &bad).is_none());
    }
    assert!(est.on_trade(Nanos(1), &trade(Side::Bid, 0.0, 1.0)).is_none());
    assert_eq!((est.ignored_trades(), est.trades(), est.buckets_completed()), (4, 0, 0));

    // Twenty one-bucket trades at the same instant with moving prices: returns but no time.
    for i in 0..20 {
        est.on_trade(Nanos(5), &trade(Side::Bid, 100.0 + i as f64, 1.0));
    }
    assert_eq!(est.buckets(), 10);
    assert!(est.realized_variance_frac2() > 0.0);
    assert_eq!(est.effective_time_s(), 0.0);
    assert_eq!(est.sigma_rv_frac_per_sqrt_s(), 0.0);
    assert_eq!(est.sigma_bv_frac_per_sqrt_s(), 0.0);
    assert!(!est.is_warm() && est.jump_share().is_finite());

    // An earlier time is taken as the latest one; then time moves and warm-up completes.
    est.on_trade(Nanos(2), &trade(Side::Bid, 100.0, 1.0));
    assert_eq!(est.out_of_order(), 1);
    let mut est = VolumeClockVolatility::new(&VolumeClockConfig { warmup_returns: 5, ..config(1.0, 10) }).unwrap();
    for i in 0..6u64 {
        assert!(!est.is_warm(), "warm after {i} buckets");
        est.on_trade(Nanos::from_millis(1000 * i), &trade(Side::Bid, 100.0 + (i % 2) as f64, 1.0));
    }
    assert!(est.is_warm() && est.buckets() == 5);
    assert!(est.sigma_rv_frac_per_sqrt_s() > 0.0 && est.sigma_bv_frac_per_sqrt_s() > 0.0);
}

#[test]
fn incremental_sums_match_the_window_after_a_jump_leaves() {
    // One huge return (a 50 % move) followed by tiny ones: once it leaves the window, the
    // running sums must equal the sums of the returns still inside.
    let mut est = VolumeClockVolatility::new(&config(1.0, 50)).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
    let mut log_returns = Vec::new();
    let mut px = 100.0;
    for i in 0..537u64 {
        px *= if i == 20 { 1.5 } else { 1.0 + rng.gen_range(-1e-5..1e-5) };
        if let Some(done) = est.on_trade(Nanos::from_millis(100 * i), &trade(Side::Bid, px, 1.0)) {
            log_returns.extend(done.last.log_return_frac);
        }
        if log_returns.len() > 60 {
            let window = &log_returns[log_returns.len() - 50..];
            let rv: f64 = window.iter().map(|r| r * r).sum();
            let error = (est.realized_variance_frac2() - rv).abs();
            // Until the next recompute the subtraction may leave an ulp or so of the jump's
            // r² ≈ 0.16 behind (≈ 3e-17, 2e-8 of this window's RV); a recompute clears it.
            assert!(error < 1e-15, "{} vs {rv}", est.realized_variance_frac2());
            if log_returns.len() > 20 + 2 * 50 {
                assert!(error / rv < 1e-12, "{} vs {rv} after a recompute", est.realized_variance_frac2());
            }
            let products: f64 = window.windows(3).map(|w| w[0].abs() * w[2].abs()).sum();
            // One-trade buckets 0.1 s apart: τ = 0.1 s for every return.
            let bv_rate = FRAC_PI_2 * products / (0.1 * 48.0);
            assert!((est.sigma_bv_frac_per_sqrt_s().powi(2) / bv_rate - 1.0).abs() < 1e-6);
        }
    }
}

#[test]
fn rejects_bad_configs() {
    let ok = VolumeClockConfig::default();
    assert!(ok.validate().is_ok());
    for (bad, field) in [
        (VolumeClockConfig { bucket_volume_base: 0.0, ..ok.clone() }, "bucket_volume_base"),
        (VolumeClockConfig { bucket_volume_base: f64::NAN, ..ok.clone() }, "bucket_volume_base"),
        (VolumeClockConfig { window_returns: 3, ..ok.clone() }, "window_returns"),
        (VolumeClockConfig { bipower_lag: 0, ..ok.clone() }, "bipower_lag"),
        (VolumeClockConfig { bipower_lag: 3, ..ok.clone() }, "bipower_lag"),
        (VolumeClockConfig { warmup_returns: 2, ..ok.clone() }, "warmup_returns"),
        (VolumeClockConfig { warmup_returns: 201, ..ok.clone() }, "warmup_returns"),
    ] {
        let err = VolumeClockVolatility::new(&bad).unwrap_err().to_string();
        assert!(err.contains(field), "{err}");
    }
}

#[test]
fn bounce_noise_fades_with_bucket_size() {
    // 1 bp half-spread bounce. One-trade buckets: noise 2h² ≈ 2e-8 per return against a
    // signal σ²τ ≈ 4.5e-9, so σ_rv is several times too high; 20-trade buckets: ~2 % of
    // the variance, so σ stays within 10 %.
    let mut small = VolumeClockVolatility::new(&config(0.05, 2000)).unwrap();
    let mut large = VolumeClockVolatility::new(&config(1.0, 2000)).unwrap();
    brownian(&[], 1e-4).run(5, |now, t| {
        small.on_trade(now, t);
        large.on_trade(now, t);
    });
    let (s, l) = (small.sigma_rv_frac_per_sqrt_s(), large.sigma_rv_frac_per_sqrt_s());
    eprintln!("bounce: σ_rv/σ with 0.05-base buckets {:.3}, 1-base buckets {:.3}", s / SIGMA, l / SIGMA);
    assert!(s / SIGMA > 1.5, "small buckets should show the bounce: {s}");
    assert!((l / SIGMA - 1.0).abs() < 0.1, "large buckets {l}");
    assert!((large.sigma_bv_frac_per_sqrt_s() / SIGMA - 1.0).abs() < 0.1);
}

#[test]
fn splitting_conserves_volume_and_vwap() {
    let mut est = VolumeClockVolatility::new(&config(1.0, 10)).unwrap();
    let t = |s: u64| Nanos::from_millis(s * 1000);
    assert!(est.on_trade(t(1), &trade(Side::Bid, 100.0, 0.3)).is_none());
    assert!(est.on_trade(t(2), &trade(Side::Ask, 101.0, 0.5)).is_none());
    let first = est.on_trade(t(3), &trade(Side::Bid, 102.0, 0.7)).unwrap();
    assert_eq!(first.count, 1);
    // 0.3·100 + 0.5·101 + 0.2·102 over 1.0.
    assert!((first.last.vwap_usd - 100.9).abs() < 1e-9);
    assert_eq!(first.last.log_return_frac, None);
    let big = est.on_trade(t(4), &trade(Side::Bid, 103.0, 2.6)).unwrap();
    // 0.5 finishes bucket 2 (VWAP 102.5), two whole buckets at 103, 0.1 left open.
    assert_eq!(big.count, 3);
    assert_eq!(est.buckets_completed(), 4);
    assert_eq!(big.last.vwap_usd, 103.0);
    assert_eq!(big.last.log_return_frac, Some(0.0));
    assert_eq!(big.last.effective_span_s, 0.0);
    assert!((est.open_bucket_volume_base() - 0.1).abs() < 1e-12);
    // The repeat of the whole bucket at 103 is counted but not a return in the window.
    assert_eq!(est.buckets(), 2);
    let rv = (102.5f64 / 100.9).ln().powi(2) + (103.0f64 / 102.5).ln().powi(2);
    assert!((est.realized_variance_frac2() - rv).abs() < 1e-15);

    // Random sizes, some spanning several buckets: completed + open volume equals the
    // traded volume exactly (integer units).
    let mut est = VolumeClockVolatility::new(&config(0.37, 10)).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let (mut traded_units, mut buckets) = (0i64, 0u64);
    for i in 0..5000u64 {
        let tr = trade(Side::Bid, rng.gen_range(90.0..110.0), rng.gen_range(0.001..1.5));
        traded_units += tr.sz.units();
        if let Some(done) = est.on_trade(Nanos(i), &tr) {
            buckets += u64::from(done.count);
        }
    }
    assert_eq!(est.buckets_completed(), buckets);
    let open_units = (est.open_bucket_volume_base() * FIXED_SCALE as f64).round() as i64;
    assert_eq!(buckets as i64 * 37_000_000 + open_units, traded_units);

    // One absurd trade of 10⁶ buckets: all counted, one return enters the window, O(1) work.
    let done = est.on_trade(Nanos(6000), &trade(Side::Ask, 100.0, 370_000.0)).unwrap();
    assert_eq!(done.count, 1_000_000);
    assert_eq!(done.last.log_return_frac, Some(0.0));
    assert_eq!(est.buckets_completed(), buckets + u64::from(done.count));
    assert_eq!(est.buckets(), 10);
}

#[test]
fn vwaps_conserve_notional() {
    let mut est = VolumeClockVolatility::new(&config(0.37, 10)).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let (mut traded_usd, mut bucket_usd) = (0.0, 0.0);
    for i in 0..5000u64 {
        // Sizes below one bucket: each trade completes at most one bucket, whose VWAP the
        // event reports.
        let tr = trade(Side::Ask, rng.gen_range(90.0..110.0), rng.gen_range(0.001..0.36));
        traded_usd += tr.px.to_f64() * tr.sz.to_f64();
        if let Some(done) = est.on_trade(Nanos(i), &tr) {
            assert_eq!(done.count, 1);
            bucket_usd += done.last.vwap_usd * done.last.volume_base;
        }
    }
    bucket_usd += est.open_bucket_notional_usd();
    assert!((bucket_usd / traded_usd - 1.0).abs() < 1e-12, "{bucket_usd} vs {traded_usd}");
}
