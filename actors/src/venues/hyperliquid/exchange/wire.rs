//! The L1 actions as they go on the wire, JSON in the `/exchange` body and msgpack in the
//! hash. One serde shape serves both, so what is signed is what is sent.
//!
//! Every type mirrors `hyperliquid_rust_sdk` 0.6 (`exchange/actions.rs`, `order.rs`,
//! `cancel.rs`, `modify.rs`, the `Actions` enum in `exchange_client.rs`): the same field names
//! in the same order, the same `"type"` tag, the same `None`s left out. The exchange hashes
//! `rmp_serde::to_vec_named` of exactly this shape; a renamed or reordered field changes the
//! hash and the venue then recovers a different signer. `scheduleCancel` is not in the SDK;
//! it follows the Python SDK (`{"type":"scheduleCancel","time":ms}`, no `time` clears it).
//!
//! Strings live inline ([`WireStr`]) and lists in [`ArrayVec`]s, so building an action never
//! allocates. Deserialize is there for the mock exchange and tests, which read bodies back.

use arrayvec::{ArrayString, ArrayVec};
use engine::venue::MAX_ACTIONS_PER_BATCH;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

/// Most entries (orders, cancels, modifies) one action carries: one engine batch.
pub const MAX_ENTRIES: usize = MAX_ACTIONS_PER_BATCH;

/// A short string held inline: a price, a size or a cloid as the wire writes it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WireStr<const N: usize>(ArrayString<N>);

impl<const N: usize> WireStr<N> {
    /// `None` if `text` is longer than `N` bytes.
    pub fn new(text: &str) -> Option<Self> {
        ArrayString::from(text).ok().map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Writes `value`'s `Display` inline; `None` if it does not fit.
    pub fn display(value: impl fmt::Display) -> Option<Self> {
        use fmt::Write;
        let mut text = ArrayString::new();
        write!(text, "{value}").ok()?;
        Some(Self(text))
    }
}

impl<const N: usize> fmt::Debug for WireStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> fmt::Display for WireStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> Serialize for WireStr<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de, const N: usize> Deserialize<'de> for WireStr<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor<const N: usize>;
        impl<const N: usize> Visitor<'_> for StrVisitor<N> {
            type Value = WireStr<N>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a string of at most {N} bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                WireStr::new(v).ok_or_else(|| E::invalid_length(v.len(), &self))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// A price or size string: the longest `i64` at 1e-8 is 21 characters.
pub type NumStr = WireStr<24>;
/// A cloid string: `0x` + 32 hex digits.
pub type CloidStr = WireStr<34>;

/// Serializes an [`ArrayVec`] as a sequence, and reads one back refusing more than `N`.
mod array_seq {
    use super::*;

    pub(super) fn serialize<S: Serializer, T: Serialize, const N: usize>(
        items: &ArrayVec<T, N>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(items.iter())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>, const N: usize>(
        deserializer: D,
    ) -> Result<ArrayVec<T, N>, D::Error> {
        struct SeqVisitor<T, const N: usize>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for SeqVisitor<T, N> {
            type Value = ArrayVec<T, N>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a list of at most {N} entries")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = ArrayVec::new();
                while let Some(item) = seq.next_element()? {
                    out.try_push(item).map_err(|_| de::Error::invalid_length(N + 1, &self))?;
                }
                Ok(out)
            }
        }
        deserializer.deserialize_seq(SeqVisitor(PhantomData))
    }
}

/// Serializes a unit-only enum as its wire name, a plain string (never an enum encoding).
macro_rules! wire_names {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const fn wire_name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.wire_name())
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <WireStr<16>>::deserialize(deserializer)?;
                match text.as_str() {
                    $($text => Ok($name::$variant),)+
                    other => Err(de::Error::unknown_variant(other, &[$($text),+])),
                }
            }
        }
    };
}

/// Time in force of a limit order. `Alo` is post-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tif {
    Alo,
    Ioc,
    Gtc,
}
wire_names!(Tif { Alo => "Alo", Ioc => "Ioc", Gtc => "Gtc" });

/// How the orders of one action relate; the engine sends independent orders only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grouping {
    Na,
}
wire_names!(Grouping { Na => "na" });

/// SDK `Limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitType {
    pub tif: Tif,
}

/// SDK `Order`: `{"limit":{"tif":…}}`. Trigger orders are not used by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OrderType {
    Limit(LimitType),
}

/// SDK `OrderRequest`: one order of an `order` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEntry {
    #[serde(rename = "a")]
    pub asset: u32,
    #[serde(rename = "b")]
    pub is_buy: bool,
    #[serde(rename = "p")]
    pub limit_px: NumStr,
    #[serde(rename = "s")]
    pub sz: NumStr,
    #[serde(rename = "r", default)]
    pub reduce_only: bool,
    #[serde(rename = "t")]
    pub order_type: OrderType,
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub cloid: Option<CloidStr>,
}

/// SDK `BulkOrder` (without the builder-fee field, which the engine never sets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOrder {
    #[serde(with = "array_seq")]
    pub orders: ArrayVec<OrderEntry, MAX_ENTRIES>,
    pub grouping: Grouping,
}

/// SDK `CancelRequest`: cancel by exchange order id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelEntry {
    #[serde(rename = "a")]
    pub asset: u32,
    #[serde(rename = "o")]
    pub oid: u64,
}

/// SDK `BulkCancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkCancel {
    #[serde(with = "array_seq")]
    pub cancels: ArrayVec<CancelEntry, MAX_ENTRIES>,
}

/// SDK `CancelRequestCloid`: cancel by client order id (unabbreviated keys on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelByCloidEntry {
    pub asset: u32,
    pub cloid: CloidStr,
}

/// SDK `BulkCancelCloid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkCancelCloid {
    #[serde(with = "array_seq")]
    pub cancels: ArrayVec<CancelByCloidEntry, MAX_ENTRIES>,
}

/// Which order a modify replaces: the exchange's oid (a number on the wire, as the SDK
/// sends it) or our cloid (a string, as the Python SDK sends it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OrderRef {
    Oid(u64),
    Cloid(CloidStr),
}

/// SDK `ModifyRequest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyEntry {
    pub oid: OrderRef,
    pub order: OrderEntry,
}

/// SDK `BulkModify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkModify {
    #[serde(with = "array_seq")]
    pub modifies: ArrayVec<ModifyEntry, MAX_ENTRIES>,
}

/// The dead man's switch; `time` in Unix ms, `None` clears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleCancel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<u64>,
}

/// SDK `Actions` (the variants the engine sends, plus `scheduleCancel`): the `"type"` tag
/// first, then the fields of the variant.
///
/// Inline and fixed-size (~4.5 KB, the 32-entry `batchModify`): boxing the large variants
/// would put an allocation on every signed batch.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum L1Action {
    Order(BulkOrder),
    Cancel(BulkCancel),
    CancelByCloid(BulkCancelCloid),
    BatchModify(BulkModify),
    ScheduleCancel(ScheduleCancel),
}

impl L1Action {
    /// Hyperliquid's name of the action (its `"type"`).
    pub const fn type_name(&self) -> &'static str {
        match self {
            L1Action::Order(_) => "order",
            L1Action::Cancel(_) => "cancel",
            L1Action::CancelByCloid(_) => "cancelByCloid",
            L1Action::BatchModify(_) => "batchModify",
            L1Action::ScheduleCancel(_) => "scheduleCancel",
        }
    }

    /// How many orders, cancels or modifies the action carries (1 for `scheduleCancel`):
    /// what the address request budget counts.
    pub fn entries(&self) -> usize {
        match self {
            L1Action::Order(b) => b.orders.len(),
            L1Action::Cancel(b) => b.cancels.len(),
            L1Action::CancelByCloid(b) => b.cancels.len(),
            L1Action::BatchModify(b) => b.modifies.len(),
            L1Action::ScheduleCancel(_) => 1,
        }
    }
}
