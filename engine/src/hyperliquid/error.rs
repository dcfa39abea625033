//! Why a Hyperliquid WebSocket frame was refused.
//!
//! A malformed frame (bad JSON, wrong types, missing fields, bad numbers, non-UTF-8,
//! truncation) must never panic the engine (ARCHITECTURE.md, "Errors and bad input"). The
//! parser answers with a [`FrameError`] that names the channel and the field at fault; the
//! caller counts it under [`FrameError::kind`] and rate-limits its warnings. Everything here
//! is `Copy`-cheap and allocation-free, so refusing a frame costs no more than parsing one.

use super::frame::Channel;
use crate::types::ParseFixedError;

/// A JSON value's type, as found on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonType {
    Null,
    Bool,
    Integer,
    Float,
    String,
    Array,
    Object,
}

impl JsonType {
    pub const fn as_str(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Bool => "bool",
            JsonType::Integer => "integer",
            JsonType::Float => "float",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

impl std::fmt::Display for JsonType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What was wrong with the field a [`FrameError`] names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// simd-json refused the bytes at this offset (syntax error, bad escape, trailing data).
    #[error("invalid JSON at byte {offset_bytes}")]
    InvalidJson { offset_bytes: usize },
    /// The input ended inside a value: a cut-off frame.
    #[error("truncated JSON at byte {offset_bytes}")]
    Truncated { offset_bytes: usize },
    /// The bytes are not valid UTF-8.
    #[error("not UTF-8")]
    NotUtf8,
    /// The frame is longer than the parser accepts.
    #[error("frame of {len_bytes} bytes exceeds the {max_bytes}-byte limit")]
    TooLarge { len_bytes: usize, max_bytes: usize },
    /// A required field is absent.
    #[error("missing")]
    Missing,
    /// A field holds the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType { expected: JsonType, found: JsonType },
    /// A field appears twice in one object.
    #[error("duplicated key")]
    Duplicate,
    /// A decimal string is not an exact fixed-point number.
    #[error("bad number: {0}")]
    BadNumber(ParseFixedError),
    /// An integer does not fit its type (e.g. a millisecond time past year 2554).
    #[error("integer out of range")]
    OutOfRange,
    /// A string is not one of the values the field allows (side, cloid, address, hash, …).
    #[error("unexpected value")]
    BadValue,
    /// An array of fixed length (`levels`, `bbo`, `impactPxs`, `users`) has another length.
    #[error("expected {expected} items, found {found}")]
    WrongLength { expected: usize, found: usize },
    /// More items than the engine holds (e.g. over 20 book levels a side).
    #[error("more than {max} items")]
    TooMany { max: usize },
    /// An object must hold exactly one of several keys and holds none or more than one.
    #[error("expected exactly one of its variants, found {found}")]
    NotExactlyOne { found: usize },
}

/// A frame the parser refused: which channel (if it got that far), which field, what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hyperliquid {channel} frame: {field}: {problem}")]
pub struct FrameError {
    pub channel: Channel,
    /// Path of the offending field, e.g. `data.levels[][].px` (`frame` for the whole frame).
    pub field: &'static str,
    pub problem: Problem,
}

/// Counter key for a [`FrameError`]: one per class of problem, no payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    InvalidJson,
    Truncated,
    NotUtf8,
    TooLarge,
    MissingField,
    WrongType,
    DuplicateField,
    BadNumber,
    OutOfRange,
    BadValue,
    WrongLength,
    TooMany,
    NotExactlyOne,
}

impl ErrorKind {
    /// Every kind, in [`ErrorKind::index`] order: size a counter array with `ALL.len()`.
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidJson,
        ErrorKind::Truncated,
        ErrorKind::NotUtf8,
        ErrorKind::TooLarge,
        ErrorKind::MissingField,
        ErrorKind::WrongType,
        ErrorKind::DuplicateField,
        ErrorKind::BadNumber,
        ErrorKind::OutOfRange,
        ErrorKind::BadValue,
        ErrorKind::WrongLength,
        ErrorKind::TooMany,
        ErrorKind::NotExactlyOne,
    ];

    /// Position in [`ErrorKind::ALL`], for array-backed counters.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Stable snake_case name, for metrics labels.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::Truncated => "truncated",
            ErrorKind::NotUtf8 => "not_utf8",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::MissingField => "missing_field",
            ErrorKind::WrongType => "wrong_type",
            ErrorKind::DuplicateField => "duplicate_field",
            ErrorKind::BadNumber => "bad_number",
            ErrorKind::OutOfRange => "out_of_range",
            ErrorKind::BadValue => "bad_value",
            ErrorKind::WrongLength => "wrong_length",
            ErrorKind::TooMany => "too_many",
            ErrorKind::NotExactlyOne => "not_exactly_one",
        }
    }
}

impl FrameError {
    pub(crate) const fn new(channel: Channel, field: &'static str, problem: Problem) -> Self {
        Self { channel, field, problem }
    }

    /// The class of problem, for counting (pair it with [`FrameError::channel`] for detail).
    pub const fn kind(&self) -> ErrorKind {
        match self.problem {
            Problem::InvalidJson { .. } => ErrorKind::InvalidJson,
            Problem::Truncated { .. } => ErrorKind::Truncated,
            Problem::NotUtf8 => ErrorKind::NotUtf8,
            Problem::TooLarge { .. } => ErrorKind::TooLarge,
            Problem::Missing => ErrorKind::MissingField,
            Problem::WrongType { .. } => ErrorKind::WrongType,
            Problem::Duplicate => ErrorKind::DuplicateField,
            Problem::BadNumber(_) => ErrorKind::BadNumber,
            Problem::OutOfRange => ErrorKind::OutOfRange,
            Problem::BadValue => ErrorKind::BadValue,
            Problem::WrongLength { .. } => ErrorKind::WrongLength,
            Problem::TooMany { .. } => ErrorKind::TooMany,
            Problem::NotExactlyOne { .. } => ErrorKind::NotExactlyOne,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_index_their_own_slot_and_have_distinct_names() {
        for (i, kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i);
        }
        let mut names: Vec<_> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn message_names_channel_field_and_problem() {
        let e = FrameError::new(Channel::L2Book, "data.levels[][].px", Problem::BadNumber(ParseFixedError::Empty));
        assert_eq!(e.to_string(), "hyperliquid l2Book frame: data.levels[][].px: bad number: empty number");
        assert_eq!(e.kind(), ErrorKind::BadNumber);
    }
}
