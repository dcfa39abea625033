//! Unit conversions that would otherwise appear as bare constants.

/// Basis points in one unit fraction: 1 bp = 0.0001.
pub const BPS_PER_FRAC: f64 = 10_000.0;

/// A distance in basis points as a fraction (e.g. 2.5 bps → 0.00025).
pub fn bps_to_frac(bps: f64) -> f64 {
    bps / BPS_PER_FRAC
}

/// A fraction as basis points.
pub fn frac_to_bps(frac: f64) -> f64 {
    frac * BPS_PER_FRAC
}
