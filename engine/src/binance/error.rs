//! Why a Binance USD-M frame was refused.
//!
//! A malformed frame — bad or cut-off JSON, a missing field, a field of the wrong type, a
//! number that is not an exact decimal, a time that overflows — must never panic the engine
//! (ARCHITECTURE.md, "Errors and bad input"). The parser answers with a [`ParseError`] that
//! names the field at fault; the caller counts it under [`ParseError::kind`], a short stable
//! key, and keeps going. Errors are cheap to build (no allocation), so refusing a frame costs
//! no more than parsing one.

use crate::types::ParseFixedError;
use arrayvec::ArrayString;

/// Longest unknown event name kept for the error message; longer names are cut.
pub const MAX_EVENT_NAME_BYTES: usize = 32;

/// The JSON type a field should have had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    Object,
    Array,
    String,
    UnsignedInteger,
    Bool,
}

impl Expected {
    pub const fn as_str(self) -> &'static str {
        match self {
            Expected::Object => "object",
            Expected::Array => "array",
            Expected::String => "string",
            Expected::UnsignedInteger => "unsigned integer",
            Expected::Bool => "bool",
        }
    }
}

/// A frame the parser could not turn into an [`Event`](super::Event).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// simd-json refused the bytes (syntax error, bad escape, not UTF-8, trailing data).
    #[error("invalid JSON at byte {offset_bytes}")]
    InvalidJson { offset_bytes: usize },
    /// The input ended inside a value: a cut-off frame.
    #[error("truncated JSON at byte {offset_bytes}")]
    Truncated { offset_bytes: usize },
    /// The frame is valid JSON but not an object.
    #[error("frame is not a JSON object")]
    NotAnObject,
    /// An object that is none of: a stream event, a combined-stream envelope, a REST depth
    /// snapshot, a subscription answer.
    #[error("unrecognised frame shape")]
    UnknownFrame,
    /// A stream event whose `e` this parser does not handle.
    #[error("unknown event type {event:?}")]
    UnknownEvent { event: ArrayString<MAX_EVENT_NAME_BYTES> },
    /// The venue answered a request with an error object (`{"error":{"code":…}}`).
    #[error("venue error code {code}")]
    VenueError { code: i64 },
    #[error("missing field {field}")]
    MissingField { field: &'static str },
    #[error("field {field} given twice")]
    DuplicateField { field: &'static str },
    #[error("field {field} is not a {}", expected.as_str())]
    WrongType { field: &'static str, expected: Expected },
    /// A price or size string that is not an exact decimal of at most 8 places.
    #[error("field {field}: {source}")]
    BadNumber { field: &'static str, source: ParseFixedError },
    /// A well-formed number outside its valid range (price ≤ 0, size < 0, time overflow).
    #[error("field {field} out of range")]
    OutOfRange { field: &'static str },
    /// A book level that is not a `[price, qty]` pair of strings.
    #[error("level {index} of {field} is not a [price, qty] pair of strings")]
    BadLevel { field: &'static str, index: usize },
}

impl ParseError {
    /// A short stable key for counters and rate-limited logs.
    pub const fn kind(&self) -> &'static str {
        match self {
            ParseError::InvalidJson { .. } => "invalid_json",
            ParseError::Truncated { .. } => "truncated",
            ParseError::NotAnObject => "not_an_object",
            ParseError::UnknownFrame => "unknown_frame",
            ParseError::UnknownEvent { .. } => "unknown_event",
            ParseError::VenueError { .. } => "venue_error",
            ParseError::MissingField { .. } => "missing_field",
            ParseError::DuplicateField { .. } => "duplicate_field",
            ParseError::WrongType { .. } => "wrong_type",
            ParseError::BadNumber { .. } => "bad_number",
            ParseError::OutOfRange { .. } => "out_of_range",
            ParseError::BadLevel { .. } => "bad_level",
        }
    }

    /// An [`UnknownEvent`](ParseError::UnknownEvent) naming `event`, cut to
    /// [`MAX_EVENT_NAME_BYTES`] on a character boundary.
    pub(super) fn unknown_event(event: &str) -> Self {
        let mut name = ArrayString::new();
        for c in event.chars() {
            if name.try_push(c).is_err() {
                break;
            }
        }
        ParseError::UnknownEvent { event: name }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_event_name_is_cut_not_refused() {
        let long = "x".repeat(100);
        match ParseError::unknown_event(&long) {
            ParseError::UnknownEvent { event } => assert_eq!(event.len(), MAX_EVENT_NAME_BYTES),
            other => panic!("unexpected {other:?}"),
        }
        // Multi-byte characters are never split.
        match ParseError::unknown_event(&"é".repeat(40)) {
            ParseError::UnknownEvent { event } => assert_eq!(event.chars().count(), MAX_EVENT_NAME_BYTES / 2),
            other => panic!("unexpected {other:?}"),
        }
    }
}
