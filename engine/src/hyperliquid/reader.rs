//! Typed, error-naming access to simd-json's tape.
//!
//! simd-json parses a frame into a flat tape of nodes that borrow the input; reading it
//! allocates nothing. Every accessor here turns "absent", "null", "wrong type" and "bad
//! number" into a [`FrameError`] that names the channel and the field path, so the channel
//! parsers read like a schema and never panic. Prices and sizes are parsed from their JSON
//! strings straight into fixed-point [`Price`]/[`Qty`], never through `f64` (HYPERLIQUID.md:
//! "numbers arrive as strings").

use super::error::{FrameError, JsonType, Problem};
use super::frame::Channel;
use super::hex::{parse_cloid, Address, TxHash};
use crate::types::{Cloid, ParseFixedError, Price, Qty, Side, UnixNanos};
use simd_json::base::{ValueAsScalar, ValueIntoString};
use simd_json::tape::{Array, Object, Value};

/// A key to look up in an object and the path to name in errors about it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Key {
    pub name: &'static str,
    pub path: &'static str,
}

/// Shorthand for a [`Key`] in `const` field lists.
pub(super) const fn key(name: &'static str, path: &'static str) -> Key {
    Key { name, path }
}

/// The type of a tape value, for error messages.
pub(super) fn json_type(v: Value<'_, '_>) -> JsonType {
    if v.as_object().is_some() {
        JsonType::Object
    } else if v.as_array().is_some() {
        JsonType::Array
    } else if v.as_str().is_some() {
        JsonType::String
    } else if v.as_null().is_some() {
        JsonType::Null
    } else if v.as_bool().is_some() {
        JsonType::Bool
    } else if v.as_i64().is_some() || v.as_u64().is_some() {
        JsonType::Integer
    } else {
        JsonType::Float
    }
}

/// One field of a frame: its value if present, and where it sits (for errors).
#[derive(Clone, Copy)]
pub(super) struct Slot<'t, 'i> {
    pub value: Option<Value<'t, 'i>>,
    pub channel: Channel,
    pub path: &'static str,
}

/// Looks up `keys` in `obj` in one pass. Unknown keys are ignored; a known key given twice
/// is an error (serde's derive refuses it too, so "last one wins" would hide a bug).
pub(super) fn pick<'t, 'i, const N: usize>(
    obj: Object<'t, 'i>,
    channel: Channel,
    keys: &[Key; N],
) -> Result<[Slot<'t, 'i>; N], FrameError> {
    let mut slots = keys.map(|k| Slot { value: None, channel, path: k.path });
    for (name, value) in obj.iter() {
        if let Some(i) = keys.iter().position(|k| k.name == name) {
            if slots[i].value.is_some() {
                return Err(FrameError::new(channel, keys[i].path, Problem::Duplicate));
            }
            slots[i].value = Some(value);
        }
    }
    Ok(slots)
}

impl<'t, 'i> Slot<'t, 'i> {
    pub fn new(value: Value<'t, 'i>, channel: Channel, path: &'static str) -> Self {
        Self { value: Some(value), channel, path }
    }

    pub fn error(&self, problem: Problem) -> FrameError {
        FrameError::new(self.channel, self.path, problem)
    }

    fn wrong_type(&self, expected: JsonType, found: Value<'_, '_>) -> FrameError {
        self.error(Problem::WrongType { expected, found: json_type(found) })
    }

    /// The value, or `Missing`.
    pub fn required(self) -> Result<Value<'t, 'i>, FrameError> {
        self.value.ok_or_else(|| self.error(Problem::Missing))
    }

    /// `None` when absent or `null`: for optional and nullable fields.
    pub fn optional(self) -> Option<Self> {
        match self.value {
            Some(v) if v.as_null().is_none() => Some(self),
            _ => None,
        }
    }

    /// Whether the field is present (even as `null`).
    pub fn is_present(&self) -> bool {
        self.value.is_some()
    }

    pub fn object(self) -> Result<Object<'t, 'i>, FrameError> {
        let v = self.required()?;
        v.as_object().ok_or_else(|| self.wrong_type(JsonType::Object, v))
    }

    pub fn array(self) -> Result<Array<'t, 'i>, FrameError> {
        let v = self.required()?;
        v.as_array().ok_or_else(|| self.wrong_type(JsonType::Array, v))
    }

    /// An array of exactly `N` elements.
    pub fn array_of<const N: usize>(self) -> Result<[Value<'t, 'i>; N], FrameError> {
        let array = self.array()?;
        if array.len() != N {
            return Err(self.error(Problem::WrongLength { expected: N, found: array.len() }));
        }
        let mut out = [Value::null(); N];
        for (slot, value) in out.iter_mut().zip(array.iter()) {
            *slot = value;
        }
        Ok(out)
    }

    pub fn str(self) -> Result<&'i str, FrameError> {
        let v = self.required()?;
        v.into_string().ok_or_else(|| self.wrong_type(JsonType::String, v))
    }

    pub fn bool(self) -> Result<bool, FrameError> {
        let v = self.required()?;
        v.as_bool().ok_or_else(|| self.wrong_type(JsonType::Bool, v))
    }

    /// A non-negative JSON integer.
    pub fn u64(self) -> Result<u64, FrameError> {
        let v = self.required()?;
        match v.as_u64() {
            Some(n) => Ok(n),
            None if v.as_i64().is_some() => Err(self.error(Problem::OutOfRange)),
            None => Err(self.wrong_type(JsonType::Integer, v)),
        }
    }

    pub fn u32(self) -> Result<u32, FrameError> {
        let n = self.u64()?;
        u32::try_from(n).map_err(|_| self.error(Problem::OutOfRange))
    }

    /// Exchange time: integer milliseconds since the Unix epoch, as nanoseconds.
    pub fn time_ms(self) -> Result<UnixNanos, FrameError> {
        let ms = self.u64()?;
        ms.checked_mul(1_000_000).map(UnixNanos).ok_or_else(|| self.error(Problem::OutOfRange))
    }

    /// A decimal string, exactly, as a price.
    pub fn price(self) -> Result<Price, FrameError> {
        let text = self.str()?;
        Price::parse(text).map_err(|e| self.error(Problem::BadNumber(e)))
    }

    /// A decimal string, exactly, as a size or token amount.
    pub fn qty(self) -> Result<Qty, FrameError> {
        let text = self.str()?;
        Qty::parse(text).map_err(|e| self.error(Problem::BadNumber(e)))
    }

    /// A decimal string as `f64`, for rates and volumes whose precision exceeds 1e-8
    /// (`funding: "0.0000052974"`). Only `-?digits[.digits]` is accepted: no exponents,
    /// `inf` or `NaN`, which Rust's float parser would otherwise take.
    pub fn decimal_f64(self) -> Result<f64, FrameError> {
        let text = self.str()?;
        let digits = text.strip_prefix('-').unwrap_or(text);
        let mut seen_point = false;
        let mut seen_digit = false;
        for b in digits.bytes() {
            match b {
                b'0'..=b'9' => seen_digit = true,
                b'.' if !seen_point => seen_point = true,
                other => return Err(self.error(Problem::BadNumber(ParseFixedError::InvalidChar(char::from(other))))),
            }
        }
        if !seen_digit {
            return Err(self.error(Problem::BadNumber(ParseFixedError::Empty)));
        }
        text.parse::<f64>().map_err(|_| self.error(Problem::BadNumber(ParseFixedError::Empty)))
    }

    /// `"B"` (bid / buyer-initiated) or `"A"` (ask / seller-initiated).
    pub fn side(self) -> Result<Side, FrameError> {
        match self.str()? {
            "B" => Ok(Side::Bid),
            "A" => Ok(Side::Ask),
            _ => Err(self.error(Problem::BadValue)),
        }
    }

    pub fn cloid(self) -> Result<Cloid, FrameError> {
        parse_cloid(self.str()?).ok_or_else(|| self.error(Problem::BadValue))
    }

    pub fn address(self) -> Result<Address, FrameError> {
        Address::parse(self.str()?).ok_or_else(|| self.error(Problem::BadValue))
    }

    pub fn tx_hash(self) -> Result<TxHash, FrameError> {
        TxHash::parse(self.str()?).ok_or_else(|| self.error(Problem::BadValue))
    }

    /// Applies `read` when the field is present and not `null`.
    pub fn opt<T>(self, read: impl FnOnce(Self) -> Result<T, FrameError>) -> Result<Option<T>, FrameError> {
        self.optional().map(read).transpose()
    }
}
