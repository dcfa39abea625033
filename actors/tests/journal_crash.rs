//! Crash test of the journal: a child process (this test binary, re-invoked) appends records
//! in a loop and is SIGKILLed mid-stream; the parent replays the journal and finds every
//! record complete, in order, none lost before the last complete one and none duplicated.
//! Each round resumes on the same journal — some after the parent tears the last record as
//! a crash mid-`write` would — so recovery (truncate the torn tail, continue) is exercised.

use actors::journal::{Durability, JournalReader, JournalState, JournalWriter, Record};
use engine::types::{Cloid, CoinId, Price, Qty, Side, UnixNanos};
use engine::venue::{OrderAction, OrderRequest};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "HQ_JOURNAL_CRASH_CHILD";

/// The child's side: not a test of its own (returns at once unless re-invoked by the parent).
#[test]
fn child_appends_until_killed() {
    let Some(path) = std::env::var_os(CHILD_ENV) else { return };
    let path = PathBuf::from(path);
    // Open first: it creates the journal and truncates a torn tail.
    let mut writer = JournalWriter::open(&path, Durability::Never).unwrap();
    let last = JournalState::from_records(&JournalReader::replay(&path).unwrap().records).last_nonce;
    for nonce in last + 1.. {
        writer.append(&batch(nonce)).unwrap();
    }
}

/// A batch of 1–7 orders, sized by its nonce so frames differ in length.
fn batch(nonce: u64) -> Record {
    let actions = (0..nonce % 7 + 1)
        .map(|i| {
            OrderAction::Place(OrderRequest {
                coin: CoinId((i % 3) as u8),
                cloid: Cloid(u128::from(nonce) << 8 | u128::from(i)),
                side: if i % 2 == 0 { Side::Bid } else { Side::Ask },
                px: Price::from_f64(100.0 + i as f64),
                qty: Qty::from_f64(0.01),
                post_only: true,
            })
        })
        .collect();
    Record::ActionsSent { at: UnixNanos(nonce), nonce, actions }
}

fn spawn_child(journal: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_appends_until_killed", "--test-threads=1", "--quiet"])
        .env(CHILD_ENV, journal)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn nonces(journal: &Path) -> (Vec<u64>, u64) {
    let replay = JournalReader::replay(journal).unwrap();
    let nonces = replay
        .records
        .iter()
        .map(|r| match r {
            Record::ActionsSent { nonce, .. } => *nonce,
            other => panic!("unexpected record {other:?}"),
        })
        .collect();
    (nonces, replay.report.torn_tail_bytes)
}

#[test]
fn sigkill_mid_stream_loses_no_complete_record_and_duplicates_none() {
    let journal = std::env::temp_dir().join(format!("hq-journal-crash-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&journal);
    let mut torn_rounds = 0;
    for round in 0..6 {
        let before = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
        let mut child = spawn_child(&journal);
        // Let it write a few thousand records, then kill it wherever it is.
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0) < before + 50_000 + round * 7_919 {
            assert!(Instant::now() < deadline, "child wrote too little");
            std::thread::sleep(Duration::from_micros(200));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let (seen, torn_tail_bytes) = nonces(&journal);
        assert!(!seen.is_empty());
        assert!(
            seen.iter().zip(1..).all(|(&nonce, expected)| nonce == expected),
            "round {round}: records out of order, lost or duplicated"
        );
        torn_rounds += u32::from(torn_tail_bytes > 0);

        // Every other round, tear the last record as a crash mid-`write` would.
        if round % 2 == 1 {
            let len = std::fs::metadata(&journal).unwrap().len();
            std::fs::OpenOptions::new().write(true).open(&journal).unwrap().set_len(len - 1 - round).unwrap();
            let (after, torn) = nonces(&journal);
            assert_eq!(after, seen[..seen.len() - 1], "only the torn record is lost");
            assert!(torn > 0);
        }
    }
    // A last clean open: the journal is whole and continuous.
    let writer = JournalWriter::open(&journal, Durability::Never).unwrap();
    let (seen, torn) = nonces(&journal);
    assert_eq!(torn, 0);
    assert_eq!(writer.records(), seen.len() as u64);
    assert!(seen.iter().zip(1..).all(|(&nonce, expected)| nonce == expected));
    println!("{} records over 6 kills; {torn_rounds} kills left a torn tail by themselves", seen.len());
    drop(writer);
    let _ = std::fs::remove_file(&journal);
}
