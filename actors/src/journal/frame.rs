//! Frames: `[u32 LE length][u32 LE CRC-32 of the payload][payload]`, and the scan that tells
//! a complete frame from a torn tail and from corruption.

use super::record::{decode_payload, encode_payload, Record};
use super::JournalError;
use std::fmt;

/// Length and checksum, before each payload.
pub const FRAME_HEADER_BYTES: usize = 8;
/// The largest payload a frame may carry; a longer length field is damage, not a record.
pub const MAX_PAYLOAD_BYTES: u32 = 1 << 20;

/// Why a frame in the middle of a journal is not a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptionKind {
    /// The length field is zero or above [`MAX_PAYLOAD_BYTES`].
    BadLength,
    /// The frame reaches past the end of the journal.
    Truncated,
    /// The payload does not match its checksum.
    BadChecksum,
    /// The checksum matches but the payload is not a record this build knows.
    Undecodable,
}

impl fmt::Display for CorruptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CorruptionKind::BadLength => "bad frame length",
            CorruptionKind::Truncated => "frame runs past the end",
            CorruptionKind::BadChecksum => "checksum mismatch",
            CorruptionKind::Undecodable => "payload does not decode",
        })
    }
}

/// Replaces `buf` with the frame of `record`.
pub(super) fn encode_frame(record: &Record, mut buf: Vec<u8>) -> Result<Vec<u8>, JournalError> {
    buf.clear();
    buf.extend_from_slice(&[0; FRAME_HEADER_BYTES]);
    let mut buf = encode_payload(record, buf).map_err(JournalError::Encode)?;
    let payload_len = buf.len() - FRAME_HEADER_BYTES;
    if payload_len > MAX_PAYLOAD_BYTES as usize {
        return Err(JournalError::TooLarge { bytes: payload_len });
    }
    let crc = crc32fast::hash(&buf[FRAME_HEADER_BYTES..]);
    buf[..4].copy_from_slice(&(payload_len as u32).to_le_bytes());
    buf[4..8].copy_from_slice(&crc.to_le_bytes());
    Ok(buf)
}

/// What lies at an offset of a journal's bytes.
#[derive(Debug, PartialEq)]
pub(super) enum FrameAt {
    /// Nothing: the end of the journal.
    End,
    /// A complete record; the next frame starts at `next`.
    Record { record: Record, next: usize },
    /// Damage that no complete frame follows (a crash mid-write): everything to the end.
    TornTail,
    /// Damage with a complete frame after it, at `next`.
    Corrupt { kind: CorruptionKind, next: usize },
}

/// Reads the frame starting at `offset` of `bytes`. Damage (a short frame, a bad length or
/// checksum) is a torn tail when no complete frame follows it anywhere, corruption otherwise.
pub(super) fn frame_at(bytes: &[u8], offset: usize) -> FrameAt {
    match check(bytes, offset) {
        Check::End => FrameAt::End,
        Check::Record { record, next } => FrameAt::Record { record, next },
        // The checksum vouches for the length: not a torn write, whatever follows.
        Check::Undecodable { next } => FrameAt::Corrupt { kind: CorruptionKind::Undecodable, next },
        Check::Damaged(kind) => match next_frame(bytes, offset + 1) {
            None => FrameAt::TornTail,
            Some(next) => FrameAt::Corrupt { kind, next },
        },
    }
}

enum Check {
    End,
    Record { record: Record, next: usize },
    Undecodable { next: usize },
    Damaged(CorruptionKind),
}

fn check(bytes: &[u8], offset: usize) -> Check {
    let rest = &bytes[offset..];
    if rest.is_empty() {
        return Check::End;
    }
    if rest.len() < FRAME_HEADER_BYTES {
        return Check::Damaged(CorruptionKind::Truncated);
    }
    let len = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
    let crc = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes"));
    if len == 0 || len > MAX_PAYLOAD_BYTES {
        return Check::Damaged(CorruptionKind::BadLength);
    }
    let end = FRAME_HEADER_BYTES + len as usize;
    if end > rest.len() {
        return Check::Damaged(CorruptionKind::Truncated);
    }
    let payload = &rest[FRAME_HEADER_BYTES..end];
    if crc32fast::hash(payload) != crc {
        return Check::Damaged(CorruptionKind::BadChecksum);
    }
    match decode_payload(payload) {
        Some(record) => Check::Record { record, next: offset + end },
        None => Check::Undecodable { next: offset + end },
    }
}

/// The first offset at or after `from` where a frame with a valid checksum starts.
fn next_frame(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find(|&at| matches!(check(bytes, at), Check::Record { .. } | Check::Undecodable { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::record::tests::every_kind;

    #[test]
    fn frames_read_back_and_every_prefix_is_a_torn_tail() {
        for record in every_kind() {
            let frame = encode_frame(&record, Vec::new()).unwrap();
            assert_eq!(frame_at(&frame, 0), FrameAt::Record { record, next: frame.len() });
            for cut in 1..frame.len() {
                assert_eq!(frame_at(&frame[..cut], 0), FrameAt::TornTail, "cut at {cut}");
            }
        }
    }

    #[test]
    fn a_flipped_bit_is_torn_at_the_end_and_corrupt_before_data() {
        let records = every_kind();
        let first = encode_frame(&records[1], Vec::new()).unwrap();
        let second = encode_frame(&records[2], Vec::new()).unwrap();
        for bit in 0..(first.len() - FRAME_HEADER_BYTES) * 8 {
            let mut bad = first.clone();
            bad[FRAME_HEADER_BYTES + bit / 8] ^= 1 << (bit % 8);
            assert_eq!(frame_at(&bad, 0), FrameAt::TornTail);
            bad.extend_from_slice(&second);
            assert_eq!(frame_at(&bad, 0), FrameAt::Corrupt { kind: CorruptionKind::BadChecksum, next: first.len() });
        }
    }

    #[test]
    fn damage_is_a_torn_tail_unless_a_frame_follows() {
        let mut bytes = vec![0; 100];
        assert_eq!(frame_at(&bytes, 0), FrameAt::TornTail);
        bytes[50] = 0xff;
        assert_eq!(frame_at(&bytes, 0), FrameAt::TornTail, "garbage is a torn tail too");
        bytes.extend_from_slice(&encode_frame(&every_kind()[0], Vec::new()).unwrap());
        assert_eq!(frame_at(&bytes, 0), FrameAt::Corrupt { kind: CorruptionKind::BadLength, next: 100 });
    }
}
