//! The journal: an append-only, checksummed file of the engine's durable facts — order
//! actions sent (with their batch's nonce), what the venue answered (acks, rejects, cancels,
//! fills), control changes (trading state, risk-limits and quote-parameter versions) and
//! session starts — each written *before* the engine acts on it, so a restart can replay it
//! ([`JournalState`]) and then reconcile with the venue.
//!
//! # Format
//!
//! A journal is a sequence of frames, nothing else (no file header, so an empty file is a
//! valid, empty journal):
//!
//! ```text
//! [u32 LE payload length][u32 LE CRC-32 of the payload][payload]
//! payload = postcard(Envelope::V1(Record))
//! ```
//!
//! - **CRC-32 (IEEE) through `crc32fast`**, not CRC-32C: the crate is already in the build
//!   (flate2 uses it) and runs on the CPU's carry-less multiply on x86-64 and aarch64; for
//!   frames of tens to hundreds of bytes both polynomials detect every burst error up to 32
//!   bits and all realistic torn writes, so CRC-32C's edge (better Hamming distance on long
//!   messages, an SSE4.2 instruction) buys nothing here.
//! - **postcard** for the payload: a compact, documented and frozen (1.0) wire format —
//!   varint integers, the enum variant as a varint index — that is among the fastest serde
//!   formats, and its decoder returns an error (never panics, never reads past the slice,
//!   never allocates more than the input could hold) on arbitrary bytes, which is what
//!   a checksum collision or a future format would feed it. It is positional, not
//!   self-describing, so the versioning is explicit: the payload's first varint is the
//!   envelope version. A record's fields, and those of the engine types it embeds
//!   (`OrderAction`, `VenueEvent`, `QuoteParamsChange`, …), are frozen once written: change
//!   one and add `Envelope::V2`; the golden-bytes test (`record.rs`) fails if the encoding of
//!   any record kind moves. New enum variants appended at the end are compatible.
//!   JSON lines would be self-describing but ~3× larger and several times slower to write;
//!   bincode's 2.x/3.x line is in flux.
//!
//! # Torn tail versus corruption
//!
//! A crash mid-`write` leaves damage only at the end: a partial header, a length reaching
//! past the end of the file, a checksum that fails on the last frame, a zero-filled or
//! garbage tail (some file systems extend the file before the data lands, and a power cut
//! can persist pages out of order). So damage that **no frame with a valid checksum
//! follows** is a **torn tail**: [`JournalReader::replay`] skips it and reports its bytes,
//! and [`JournalWriter::open`] truncates it away before appending. Damage *with* a valid
//! frame after it cannot come from a crash of this writer: it is **corruption** (disk, an
//! outside edit, a bit flip in a length field that would otherwise hide everything after
//! it) and is fatal by default — replaying past a lost fill would misstate the position —
//! reported with its byte offset. [`OnCorruption::Skip`] replays around it (resuming at the
//! next valid frame) for forensics, or for an operator who chooses to accept the loss; the
//! writer never appends after corruption. A frame whose checksum holds but whose payload
//! does not decode (a newer format version) is corruption too, wherever it lies.
//!
//! # Durability
//!
//! Every append is one `write` of the whole frame into the kernel, so a killed *process*
//! never loses an appended record under any policy. [`Durability`] decides what a power cut
//! or kernel crash may lose: `EveryRecord` (`fdatasync` per append: nothing, at the cost of a
//! device flush per record), `GroupCommit` (sync when the interval has passed since the last
//! one: at most the interval's worth, at the cost of a flush per interval), `Never` (tests and
//! benchmarks: whatever the page cache holds).

mod frame;
mod reader;
mod record;
mod state;
mod writer;

pub use frame::{CorruptionKind, FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES};
pub use reader::{Corruption, JournalReader, OnCorruption, Replay, ReplayReport};
pub use record::{Record, SessionStart};
pub use state::{JournalState, JournaledOrder};
pub use writer::{Durability, JournalWriter, OpenReport};

use std::io;

/// What can go wrong writing or reading a journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal I/O: {0}")]
    Io(#[from] io::Error),
    #[error("journal corrupt at byte {offset}: {kind}")]
    Corrupt { offset: u64, kind: CorruptionKind },
    #[error("journal record does not encode: {0}")]
    Encode(postcard::Error),
    #[error("journal record of {bytes} bytes exceeds the {MAX_PAYLOAD_BYTES}-byte limit")]
    TooLarge { bytes: usize },
    #[error("journal writer unusable after a failed write it could not roll back")]
    Poisoned,
}
