//! Opening a live session's journal: one process at a time (an exclusive lock the kernel
//! drops when the process dies, even by SIGKILL), every complete record replayed, a torn last
//! record skipped and reported, mid-file corruption refused with its byte offset, and the
//! session's first record — its start, with the nonce floor above every nonce used before.

use actors::journal::{Durability, JournalError, JournalReader, JournalState, JournalWriter, Record, SessionStart};
use engine::types::UnixNanos;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Why the journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalOpenError {
    #[error("journal {path}: {source}")]
    Journal { path: PathBuf, source: JournalError },
    #[error("journal {path} is in use by another hyperquote process (one engine per journal)")]
    Locked { path: PathBuf },
    #[error("journal {path}: cannot lock: {source}")]
    Lock { path: PathBuf, source: std::io::Error },
}

/// An open journal: what it held, and the writer that appends to it.
#[derive(Debug)]
pub struct JournalSession {
    /// The records of earlier sessions, in order.
    pub records: Vec<Record>,
    pub state: JournalState,
    /// Bytes of a torn last record skipped (a crash mid-write), 0 if none.
    pub torn_tail_bytes: u64,
    pub writer: JournalWriter,
    /// Held for the process's life: a second engine on the same journal is refused.
    _lock: File,
}

impl JournalSession {
    /// Opens (or creates) the journal at `path`, replays it and appends this session's
    /// start. `now` stamps it; nonces of this session start above both the journal's last
    /// nonce and `now` in milliseconds.
    pub fn open(
        path: &Path,
        durability: Durability,
        now: UnixNanos,
        config_hash: u64,
    ) -> Result<JournalSession, JournalOpenError> {
        let journal_err = |source| JournalOpenError::Journal { path: path.to_path_buf(), source };
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| journal_err(e.into()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalOpenError::Locked { path: path.to_path_buf() })
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(JournalOpenError::Lock { path: path.to_path_buf(), source })
            }
        }
        let replay = JournalReader::replay(path).map_err(journal_err)?;
        let mut writer = JournalWriter::open(path, durability).map_err(journal_err)?;
        let state = JournalState::from_records(&replay.records);
        let start =
            SessionStart { at: now, config_hash, pid: std::process::id(), nonce_floor: nonce_floor(&state, now) };
        writer.append(&Record::SessionStart(start)).map_err(journal_err)?;
        writer.sync().map_err(journal_err)?;
        Ok(JournalSession {
            records: replay.records,
            state,
            torn_tail_bytes: replay.report.torn_tail_bytes,
            writer,
            _lock: lock,
        })
    }

    /// The nonce every signature of this session must exceed.
    pub fn nonce_floor(&self, now: UnixNanos) -> u64 {
        nonce_floor(&self.state, now)
    }
}

/// Above every nonce the journal saw, and not below the clock in milliseconds (Hyperliquid's
/// nonces are ms times).
fn nonce_floor(state: &JournalState, now: UnixNanos) -> u64 {
    state.last_nonce.max(now.0 / 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actors::journal::Record;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hq-journal-session-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let _ = std::fs::remove_file(&path);
        path
    }

    const T0: UnixNanos = UnixNanos(1_767_225_600_000_000_000);

    #[test]
    fn each_session_appends_its_start_above_the_last_nonce() {
        let path = temp("sessions");
        let first = JournalSession::open(&path, Durability::Never, T0, 7).unwrap();
        assert!(first.records.is_empty());
        let mut writer = first.writer;
        let far_nonce = T0.0 / 1_000_000 + 60_000;
        writer.append(&Record::ActionsSent { at: T0, nonce: far_nonce, actions: vec![] }).unwrap();
        drop(writer);
        drop(first._lock);
        let second = JournalSession::open(&path, Durability::Never, UnixNanos(T0.0 + 1_000_000_000), 7).unwrap();
        assert_eq!(second.records.len(), 2);
        assert_eq!(second.state.sessions, 1);
        assert_eq!(second.nonce_floor(UnixNanos(T0.0 + 1_000_000_000)), far_nonce, "the journal's nonce is ahead");
        let replayed = JournalReader::replay(&path).unwrap();
        let Some(Record::SessionStart(start)) = replayed.records.last() else { panic!("{:?}", replayed.records) };
        assert_eq!(start.nonce_floor, far_nonce);
    }

    #[test]
    fn a_second_process_on_the_same_journal_is_refused() {
        let path = temp("locked");
        let _held = JournalSession::open(&path, Durability::Never, T0, 1).unwrap();
        // A second open file description conflicts with the first's lock, as another
        // process's would.
        let err = JournalSession::open(&path, Durability::Never, T0, 1).unwrap_err();
        assert!(matches!(err, JournalOpenError::Locked { .. }), "{err}");
    }

    #[test]
    fn a_torn_last_record_is_skipped_and_reported() {
        let path = temp("torn");
        drop(JournalSession::open(&path, Durability::Never, T0, 1).unwrap());
        let mut bytes = std::fs::read(&path).unwrap();
        let whole = bytes.len();
        bytes.extend_from_slice(&[9, 0, 0, 0, 1, 2]); // a header promising more than follows
        std::fs::write(&path, &bytes).unwrap();
        let session = JournalSession::open(&path, Durability::Never, T0, 1).unwrap();
        assert_eq!((session.records.len(), session.torn_tail_bytes), (1, 6));
        assert!(std::fs::metadata(&path).unwrap().len() > whole as u64, "the torn bytes gave way to the new start");
    }
}
