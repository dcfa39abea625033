//! Appending to a journal under a durability policy.

use super::frame::encode_frame;
use super::reader::{scan, OnCorruption};
use super::record::Record;
use super::JournalError;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// When appended records reach the disk (see the module doc for what each may lose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `fdatasync` after every record: nothing acknowledged is lost to a power cut.
    EveryRecord,
    /// `fdatasync` on the first append at least `interval` after the last sync (group
    /// commit). Records appended since stay in the page cache until the next append or
    /// [`JournalWriter::sync`]: call `sync` from an idle timer to bound the window.
    GroupCommit { interval: Duration },
    /// Never sync (tests, benchmarks): survives a process kill, not a power cut.
    Never,
}

/// What [`JournalWriter::open`] found in the existing file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Complete records already in the journal.
    pub records: u64,
    /// Bytes of complete records; appends continue here.
    pub valid_bytes: u64,
    /// Bytes of a torn last record, truncated away (0: none).
    pub truncated_bytes: u64,
}

/// The one writer of a journal file.
#[derive(Debug)]
pub struct JournalWriter {
    file: File,
    path: PathBuf,
    durability: Durability,
    /// Reused frame buffer: an append allocates only when a record outgrows it.
    frame: Vec<u8>,
    /// End of the last complete record.
    end: u64,
    records: u64,
    last_sync: Instant,
    unsynced: bool,
    poisoned: bool,
    opened: OpenReport,
}

impl JournalWriter {
    /// Opens the journal at `path` for appending, creating it if missing. Scans it to the
    /// end, truncating a torn last record (reported in [`opened`](Self::opened)); refuses a
    /// journal corrupt in the middle ([`JournalError::Corrupt`]) rather than append after it.
    pub fn open(path: impl AsRef<Path>, durability: Durability) -> Result<Self, JournalError> {
        let path = path.as_ref().to_path_buf();
        let existed = path.exists();
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let report = scan(&bytes, OnCorruption::Fail, |_| {})?;
        if report.torn_tail_bytes > 0 {
            file.set_len(report.valid_bytes)?;
            file.sync_all()?;
        }
        if !existed {
            file.sync_all()?;
            sync_parent_dir(&path)?;
        }
        file.seek(SeekFrom::Start(report.valid_bytes))?;
        Ok(Self {
            file,
            path,
            durability,
            frame: Vec::with_capacity(256),
            end: report.valid_bytes,
            records: report.records,
            last_sync: Instant::now(),
            unsynced: false,
            poisoned: false,
            opened: OpenReport {
                records: report.records,
                valid_bytes: report.valid_bytes,
                truncated_bytes: report.torn_tail_bytes,
            },
        })
    }

    /// Appends `record` as one `write` of its whole frame, then syncs as the policy says.
    /// Returns once the record is in the kernel (and on disk, if synced). A failed write is
    /// rolled back so the file never holds a partial frame before later records.
    pub fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        if self.poisoned {
            return Err(JournalError::Poisoned);
        }
        self.frame = encode_frame(record, std::mem::take(&mut self.frame))?;
        if let Err(e) = self.file.write_all(&self.frame) {
            self.roll_back();
            return Err(e.into());
        }
        self.end += self.frame.len() as u64;
        self.records += 1;
        self.unsynced = true;
        match self.durability {
            Durability::EveryRecord => self.sync()?,
            Durability::GroupCommit { interval } if self.last_sync.elapsed() >= interval => self.sync()?,
            Durability::GroupCommit { .. } | Durability::Never => {}
        }
        Ok(())
    }

    /// Forces everything appended so far to disk.
    pub fn sync(&mut self) -> Result<(), JournalError> {
        if self.unsynced {
            self.file.sync_data()?;
            self.unsynced = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }

    /// What open found.
    pub fn opened(&self) -> OpenReport {
        self.opened
    }

    /// Complete records in the journal, old and appended.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Length of the journal in bytes.
    pub fn len_bytes(&self) -> u64 {
        self.end
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn durability(&self) -> Durability {
        self.durability
    }

    fn roll_back(&mut self) {
        let undone = self.file.set_len(self.end).and_then(|()| self.file.seek(SeekFrom::Start(self.end)).map(drop));
        if undone.is_err() {
            self.poisoned = true;
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        if matches!(self.durability, Durability::GroupCommit { .. }) {
            let _ = self.sync();
        }
    }
}

/// Makes a new file's directory entry durable.
fn sync_parent_dir(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::frame::CorruptionKind;
    use crate::journal::record::tests::every_kind;
    use crate::journal::JournalReader;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A fresh path in the temp dir, removed on drop.
    struct TempJournal(PathBuf);

    impl TempJournal {
        fn new() -> Self {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let name = format!("hq-journal-{}-{}.log", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
            let path = std::env::temp_dir().join(name);
            let _ = std::fs::remove_file(&path);
            Self(path)
        }
    }

    impl Drop for TempJournal {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn appends_replay_and_reopen_continues() {
        let tmp = TempJournal::new();
        let records = every_kind();
        let mut writer = JournalWriter::open(&tmp.0, Durability::Never).unwrap();
        assert_eq!(writer.opened(), OpenReport::default());
        for record in &records[..5] {
            writer.append(record).unwrap();
        }
        drop(writer);
        let mut writer = JournalWriter::open(&tmp.0, Durability::EveryRecord).unwrap();
        assert_eq!(writer.opened().records, 5);
        assert_eq!(writer.opened().truncated_bytes, 0);
        for record in &records[5..] {
            writer.append(record).unwrap();
        }
        assert_eq!(writer.records(), records.len() as u64);
        assert_eq!(writer.len_bytes(), std::fs::metadata(&tmp.0).unwrap().len());
        assert_eq!(JournalReader::replay(&tmp.0).unwrap().records, records);
    }

    #[test]
    fn reopening_a_torn_journal_at_every_cut_truncates_and_continues_cleanly() {
        let tmp = TempJournal::new();
        let records = every_kind();
        let mut writer = JournalWriter::open(&tmp.0, Durability::Never).unwrap();
        for record in &records {
            writer.append(record).unwrap();
        }
        drop(writer);
        let whole = std::fs::read(&tmp.0).unwrap();
        let last_start = *frame_starts(&whole).last().unwrap();
        for cut in last_start..whole.len() as u64 {
            std::fs::write(&tmp.0, &whole[..cut as usize]).unwrap();
            let torn = JournalReader::replay(&tmp.0).unwrap();
            assert_eq!(torn.records, records[..records.len() - 1]);
            assert_eq!(torn.report.torn_tail_bytes, cut - last_start);
            let mut writer = JournalWriter::open(&tmp.0, Durability::Never).unwrap();
            assert_eq!(writer.opened().truncated_bytes, cut - last_start);
            assert_eq!(writer.opened().valid_bytes, last_start);
            writer.append(records.last().unwrap()).unwrap();
            drop(writer);
            let healed = JournalReader::replay(&tmp.0).unwrap();
            assert_eq!(healed.records, records);
            assert_eq!(healed.report.torn_tail_bytes, 0);
        }
    }

    #[test]
    fn refuses_to_append_after_corruption() {
        let tmp = TempJournal::new();
        let mut writer = JournalWriter::open(&tmp.0, Durability::Never).unwrap();
        for record in &every_kind() {
            writer.append(record).unwrap();
        }
        drop(writer);
        let mut bytes = std::fs::read(&tmp.0).unwrap();
        let second = frame_starts(&bytes)[1] as usize;
        bytes[second + FRAME_HEADER_BYTES] ^= 1;
        std::fs::write(&tmp.0, &bytes).unwrap();
        match JournalWriter::open(&tmp.0, Durability::Never) {
            Err(JournalError::Corrupt { offset, kind: CorruptionKind::BadChecksum }) => {
                assert_eq!(offset, second as u64)
            }
            other => panic!("expected corruption, got {other:?}"),
        }
        assert_eq!(std::fs::read(&tmp.0).unwrap(), bytes, "the journal is left as found");
    }

    /// Append latency per durability policy (printed; run with `--nocapture`). No assertion
    /// on time: the numbers depend on the disk.
    #[test]
    fn append_latency_by_durability() {
        let record = every_kind()[1].clone(); // a batch of four actions, the common record
        let policies = [
            ("never", Durability::Never, 2_000),
            ("group_commit_5ms", Durability::GroupCommit { interval: Duration::from_millis(5) }, 2_000),
            ("every_record", Durability::EveryRecord, 200),
        ];
        for (name, durability, appends) in policies {
            let tmp = TempJournal::new();
            let mut writer = JournalWriter::open(&tmp.0, durability).unwrap();
            let mut nanos: Vec<u64> = (0..appends)
                .map(|_| {
                    let start = Instant::now();
                    writer.append(&record).unwrap();
                    start.elapsed().as_nanos() as u64
                })
                .collect();
            nanos.sort_unstable();
            let at = |q: f64| nanos[((nanos.len() - 1) as f64 * q) as usize] as f64 / 1_000.0;
            println!(
                "journal append {name:>16}: n={appends} p50={:.1}µs p99={:.1}µs max={:.1}µs ({} B/record)",
                at(0.5),
                at(0.99),
                at(1.0),
                writer.len_bytes() / appends
            );
        }
    }

    /// Start offsets of the frames of a well-formed journal.
    fn frame_starts(bytes: &[u8]) -> Vec<u64> {
        let mut starts = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            starts.push(at as u64);
            at += FRAME_HEADER_BYTES + u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        }
        starts
    }

    use crate::journal::FRAME_HEADER_BYTES;
}
