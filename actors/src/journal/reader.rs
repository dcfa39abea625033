//! Replaying a journal: every complete record in order, a torn tail skipped and reported,
//! corruption fatal unless the caller chooses to skip it.

use super::frame::{frame_at, CorruptionKind, FrameAt};
use super::record::Record;
use super::JournalError;
use std::path::Path;

/// What replay does on a damaged frame with data after it (never on a torn tail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnCorruption {
    /// Stop with [`JournalError::Corrupt`]: the safe default, since a lost fill or action
    /// would misstate the position and the open orders.
    #[default]
    Fail,
    /// Report it in [`ReplayReport::bad_records`], skip to the next valid frame and go on.
    Skip,
}

/// A damaged stretch that replay skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corruption {
    /// Byte offset of the damaged frame.
    pub offset: u64,
    pub kind: CorruptionKind,
    /// Bytes skipped from `offset` to the next valid frame (or the end).
    pub skipped_bytes: u64,
}

/// What replay found besides the records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Complete records replayed.
    pub records: u64,
    /// Bytes up to the end of the last complete record: where the next append belongs.
    pub valid_bytes: u64,
    /// Bytes of the incomplete last frame, skipped (0: the journal ended cleanly).
    pub torn_tail_bytes: u64,
    /// Damaged frames skipped under [`OnCorruption::Skip`] (always empty under `Fail`).
    pub bad_records: Vec<Corruption>,
}

/// A replayed journal.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub records: Vec<Record>,
    pub report: ReplayReport,
}

/// Reads journals.
pub struct JournalReader;

impl JournalReader {
    /// Every complete record of the journal at `path`; corruption is fatal.
    pub fn replay(path: impl AsRef<Path>) -> Result<Replay, JournalError> {
        Self::replay_with(path, OnCorruption::Fail)
    }

    pub fn replay_with(path: impl AsRef<Path>, on_corruption: OnCorruption) -> Result<Replay, JournalError> {
        Self::replay_bytes(&std::fs::read(path)?, on_corruption)
    }

    /// Replays a journal held in memory.
    pub fn replay_bytes(bytes: &[u8], on_corruption: OnCorruption) -> Result<Replay, JournalError> {
        let mut records = Vec::new();
        let report = scan(bytes, on_corruption, |record| records.push(record))?;
        Ok(Replay { records, report })
    }
}

/// Walks the frames of `bytes`, handing each complete record to `on_record`.
pub(super) fn scan(
    bytes: &[u8],
    on_corruption: OnCorruption,
    mut on_record: impl FnMut(Record),
) -> Result<ReplayReport, JournalError> {
    let mut report = ReplayReport::default();
    let mut offset = 0;
    loop {
        match frame_at(bytes, offset) {
            FrameAt::End => break,
            FrameAt::Record { record, next } => {
                on_record(record);
                report.records += 1;
                offset = next;
                report.valid_bytes = next as u64;
            }
            FrameAt::TornTail => {
                report.torn_tail_bytes = (bytes.len() - offset) as u64;
                break;
            }
            FrameAt::Corrupt { kind, next } => {
                if on_corruption == OnCorruption::Fail {
                    return Err(JournalError::Corrupt { offset: offset as u64, kind });
                }
                let resume = next;
                report.bad_records.push(Corruption {
                    offset: offset as u64,
                    kind,
                    skipped_bytes: (resume - offset) as u64,
                });
                offset = resume;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::frame::encode_frame;
    use crate::journal::record::tests::every_kind;

    fn journal_of(records: &[Record]) -> (Vec<u8>, Vec<usize>) {
        let mut bytes = Vec::new();
        let mut starts = Vec::new();
        for record in records {
            starts.push(bytes.len());
            bytes.extend_from_slice(&encode_frame(record, Vec::new()).unwrap());
        }
        (bytes, starts)
    }

    #[test]
    fn a_torn_tail_at_every_byte_keeps_every_complete_record() {
        let records = every_kind();
        let (bytes, starts) = journal_of(&records);
        let last = *starts.last().unwrap();
        for cut in last..bytes.len() {
            let replay = JournalReader::replay_bytes(&bytes[..cut], OnCorruption::Fail).unwrap();
            assert_eq!(replay.records, records[..records.len() - 1]);
            assert_eq!(replay.report.torn_tail_bytes, (cut - last) as u64);
            assert_eq!(replay.report.valid_bytes, last as u64);
        }
        let whole = JournalReader::replay_bytes(&bytes, OnCorruption::Fail).unwrap();
        assert_eq!(whole.records, records);
        assert_eq!(whole.report.torn_tail_bytes, 0);
    }

    #[test]
    fn corruption_in_the_middle_is_fatal_with_its_offset_or_skipped_on_request() {
        let records = every_kind();
        let (mut bytes, starts) = journal_of(&records);
        let damaged = 4;
        bytes[starts[damaged] + FRAME_HEADER + 2] ^= 0x40;
        match JournalReader::replay_bytes(&bytes, OnCorruption::Fail) {
            Err(JournalError::Corrupt { offset, kind: CorruptionKind::BadChecksum }) => {
                assert_eq!(offset, starts[damaged] as u64)
            }
            other => panic!("expected corruption, got {other:?}"),
        }
        let replay = JournalReader::replay_bytes(&bytes, OnCorruption::Skip).unwrap();
        let mut expected = records.clone();
        expected.remove(damaged);
        assert_eq!(replay.records, expected);
        assert_eq!(
            replay.report.bad_records,
            vec![Corruption {
                offset: starts[damaged] as u64,
                kind: CorruptionKind::BadChecksum,
                skipped_bytes: (starts[damaged + 1] - starts[damaged]) as u64,
            }]
        );
    }

    #[test]
    fn a_damaged_length_is_skipped_by_resynchronising() {
        let records = every_kind();
        let (mut bytes, starts) = journal_of(&records);
        bytes[starts[2] + 3] = 0xff; // length far above the limit, data after it
        let replay = JournalReader::replay_bytes(&bytes, OnCorruption::Skip).unwrap();
        assert_eq!(replay.report.bad_records[0].kind, CorruptionKind::BadLength);
        assert_eq!(replay.records.len(), records.len() - 1);
        assert_eq!(replay.records[2..], records[3..]);
    }

    const FRAME_HEADER: usize = crate::journal::FRAME_HEADER_BYTES;
}
