//! Exact fixed-point prices and sizes.
//!
//! Hyperliquid sends prices and sizes as decimal strings. Floating point cannot hold
//! "0.1" exactly, so the engine keeps them as integers of 1e-8 units (the finest
//! precision Hyperliquid uses: 8 decimals on spot prices) and converts to `f64` only
//! where a model needs it. Parsing and formatting are exact: `"105055.0"` →
//! `Price(10_505_500_000_000)` → `"105055"`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Number of fixed-point units in one whole unit (1e8: eight decimals).
pub const FIXED_SCALE: i64 = 100_000_000;
/// Decimal places represented by [`FIXED_SCALE`].
pub const FIXED_DECIMALS: u32 = 8;

/// Why a decimal string was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseFixedError {
    #[error("empty number")]
    Empty,
    #[error("invalid character in number {0:?}")]
    InvalidChar(char),
    #[error("more than {FIXED_DECIMALS} decimals")]
    TooPrecise,
    #[error("number out of range")]
    Overflow,
}

/// Parses a decimal string into 1e-8 units without a float round trip.
fn parse_fixed(text: &str) -> Result<i64, ParseFixedError> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first() {
        None => return Err(ParseFixedError::Empty),
        Some(b'-') => (true, &bytes[1..]),
        Some(_) => (false, bytes),
    };
    if digits.is_empty() {
        return Err(ParseFixedError::Empty);
    }
    let mut whole: i64 = 0;
    let mut frac: i64 = 0;
    let mut frac_digits = 0u32;
    let mut seen_point = false;
    let mut seen_digit = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                let d = i64::from(b - b'0');
                if seen_point {
                    if frac_digits == FIXED_DECIMALS {
                        if d != 0 {
                            return Err(ParseFixedError::TooPrecise);
                        }
                        continue;
                    }
                    frac = frac * 10 + d;
                    frac_digits += 1;
                } else {
                    whole = whole.checked_mul(10).and_then(|w| w.checked_add(d)).ok_or(ParseFixedError::Overflow)?;
                }
            }
            b'.' if !seen_point => seen_point = true,
            other => return Err(ParseFixedError::InvalidChar(char::from(other))),
        }
    }
    if !seen_digit {
        return Err(ParseFixedError::Empty);
    }
    let frac_scaled = frac * 10i64.pow(FIXED_DECIMALS - frac_digits);
    let value =
        whole.checked_mul(FIXED_SCALE).and_then(|w| w.checked_add(frac_scaled)).ok_or(ParseFixedError::Overflow)?;
    Ok(if negative { -value } else { value })
}

/// Writes 1e-8 units as the shortest exact decimal (no trailing zeros, no trailing point).
fn fmt_fixed(units: i64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let scale = FIXED_SCALE as u64;
    let whole = abs / scale;
    let mut frac = abs % scale;
    if frac == 0 {
        return write!(f, "{sign}{whole}");
    }
    let mut width = FIXED_DECIMALS as usize;
    while frac.is_multiple_of(10) {
        frac /= 10;
        width -= 1;
    }
    write!(f, "{sign}{whole}.{frac:0width$}")
}

macro_rules! fixed_point {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub i64);

        impl $name {
            pub const ZERO: Self = Self(0);

            /// Value in 1e-8 units.
            pub const fn units(self) -> i64 {
                self.0
            }

            /// Parses an exact decimal string such as `"105055.0"`.
            pub fn parse(text: &str) -> Result<Self, ParseFixedError> {
                parse_fixed(text).map(Self)
            }

            /// Nearest fixed-point value to `value` (config and model outputs only).
            pub fn from_f64(value: f64) -> Self {
                Self((value * FIXED_SCALE as f64).round() as i64)
            }

            pub fn to_f64(self) -> f64 {
                self.0 as f64 / FIXED_SCALE as f64
            }

            pub const fn is_zero(self) -> bool {
                self.0 == 0
            }

            pub fn abs(self) -> Self {
                Self(self.0.abs())
            }

            pub fn min(self, other: Self) -> Self {
                Self(self.0.min(other.0))
            }

            pub fn max(self, other: Self) -> Self {
                Self(self.0.max(other.0))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt_fixed(self.0, f)
            }
        }

        impl std::ops::Add for $name {
            type Output = Self;
            fn add(self, rhs: Self) -> Self {
                Self(self.0 + rhs.0)
            }
        }

        impl std::ops::Sub for $name {
            type Output = Self;
            fn sub(self, rhs: Self) -> Self {
                Self(self.0 - rhs.0)
            }
        }

        impl std::ops::AddAssign for $name {
            fn add_assign(&mut self, rhs: Self) {
                self.0 += rhs.0;
            }
        }

        impl std::ops::SubAssign for $name {
            fn sub_assign(&mut self, rhs: Self) {
                self.0 -= rhs.0;
            }
        }

        impl std::ops::Neg for $name {
            type Output = Self;
            fn neg(self) -> Self {
                Self(-self.0)
            }
        }
    };
}

fixed_point!(
    /// A price in quote currency (USD), exact to 1e-8.
    Price
);
fixed_point!(
    /// A size in base-asset units (e.g. BTC), exact to 1e-8. Signed: a position may be short.
    Qty
);

/// Notional value `price × qty` in quote currency, as `f64` (for PnL and limits).
pub fn notional_usd(price: Price, qty: Qty) -> f64 {
    (i128::from(price.0) * i128::from(qty.0)) as f64 / (FIXED_SCALE as f64 * FIXED_SCALE as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_exactly() {
        for (text, units, shown) in [
            ("105055.0", 10_505_500_000_000, "105055"),
            ("0.00219", 219_000, "0.00219"),
            ("-50.81882", -5_081_882_000, "-50.81882"),
            ("0.27899", 27_899_000, "0.27899"),
            ("7", 700_000_000, "7"),
            ("0.10000000", 10_000_000, "0.1"),
        ] {
            let p = Price::parse(text).unwrap();
            assert_eq!(p.units(), units, "{text}");
            assert_eq!(p.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_eq!(Qty::parse(""), Err(ParseFixedError::Empty));
        assert_eq!(Qty::parse("-"), Err(ParseFixedError::Empty));
        assert_eq!(Qty::parse("."), Err(ParseFixedError::Empty));
        assert_eq!(Qty::parse("1e5"), Err(ParseFixedError::InvalidChar('e')));
        assert_eq!(Qty::parse("1.2.3"), Err(ParseFixedError::InvalidChar('.')));
        assert_eq!(Qty::parse("0.000000001"), Err(ParseFixedError::TooPrecise));
        assert_eq!(Qty::parse("99999999999999999999"), Err(ParseFixedError::Overflow));
    }

    #[test]
    fn notional_is_price_times_size() {
        let n = notional_usd(Price::parse("105055").unwrap(), Qty::parse("0.5").unwrap());
        assert!((n - 52_527.5).abs() < 1e-9);
    }
}
