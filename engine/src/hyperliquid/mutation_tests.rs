//! Robustness: real frames, mutated every way a broken feed or a hostile peer could —
//! truncated at every length, bytes flipped, values swapped for other types or huge
//! numbers, invalid UTF-8 inserted, keys deleted or duplicated. Each mutant must give an
//! error or a valid frame, never a panic, and the same answer from a fresh parser as from
//! one that has parsed other frames before (no state leaks between frames).

use super::test_frames::{capture, ONE_PER_CHANNEL};
use super::*;
use crate::market::MAX_BOOK_LEVELS;
use proptest::prelude::*;
use std::sync::OnceLock;

/// Seed frames: the first book and trades frames of the capture, and one of every channel.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let book = capture().iter().find(|f| f.contains(r#""l2Book""#)).expect("a book in the capture");
        let trades = capture().iter().find(|f| f.contains(r#""trades""#)).expect("trades in the capture");
        [book.as_str(), trades.as_str()].into_iter().chain(ONE_PER_CHANNEL).map(|f| f.as_bytes().to_vec()).collect()
    })
}

fn parser() -> Parser {
    Parser::new(CoinTable::new(["BTC", "ETH", "hyna:HYPE"]).unwrap())
}

/// Checks what a valid frame promises.
fn assert_valid(frame: &Frame<'_>) {
    match frame {
        Frame::L2Book(b) => assert!(b.bids.len() <= MAX_BOOK_LEVELS && b.asks.len() <= MAX_BOOK_LEVELS),
        Frame::Trades(t) => assert!(t.prints.iter().all(|p| p.trade.coin.index() < 3)),
        Frame::AllMids(m) => assert!(m.iter().all(|m| m.coin.index() < 3)),
        Frame::Post(r) => {
            for s in r.statuses {
                if let ActionStatus::Error { message } = s {
                    let _ = r.text(*message);
                }
            }
        }
        _ => {}
    }
}

/// Parses `bytes` with a fresh parser and with `warm`, which has parsed other frames; both
/// must agree, and must be an error with a message or a valid frame.
fn check(warm: &mut Parser, bytes: &[u8]) {
    let mut fresh = parser();
    let a = fresh.parse(bytes);
    let b = warm.parse(bytes);
    assert_eq!(a, b, "fresh and reused parsers disagree on {:?}", String::from_utf8_lossy(bytes));
    match a {
        Ok(frame) => assert_valid(&frame),
        Err(e) => assert!(!e.to_string().is_empty() && ErrorKind::ALL.contains(&e.kind())),
    }
}

#[test]
fn every_truncation_of_every_seed_is_refused_as_truncated() {
    let mut warm = parser();
    for seed in seeds() {
        let seed = seed.as_slice();
        for len in 1..seed.len() {
            let e = warm.parse(&seed[..len]).expect_err("a strict prefix of an object is not JSON");
            assert_eq!(e.kind(), ErrorKind::Truncated, "{:?}: {e}", String::from_utf8_lossy(&seed[..len]));
            check(&mut warm, &seed[..len]);
        }
        check(&mut warm, seed);
    }
}

/// `(key start, value start, value end)` of every `"key":value` member, nested ones too.
/// Tolerates broken input: it only ever returns in-bounds spans.
fn members(b: &[u8]) -> Vec<(usize, usize, usize)> {
    fn string_end(b: &[u8], mut i: usize) -> usize {
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return i + 1,
                _ => i += 1,
            }
        }
        b.len()
    }
    fn value_end(b: &[u8], mut i: usize) -> usize {
        let mut depth = 0i32;
        while i < b.len() {
            match b[i] {
                b'"' => {
                    i = string_end(b, i);
                    if depth == 0 {
                        return i;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => return i,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                b',' if depth == 0 => return i,
                _ => {}
            }
            i += 1;
        }
        b.len()
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let end = string_end(b, i);
            if b.get(end) == Some(&b':') {
                out.push((i, end + 1, value_end(b, end + 1).min(b.len())));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Values of other types and out-of-range numbers to put where a field was.
const REPLACEMENTS: [&str; 16] = [
    "null",
    "true",
    "0",
    "-1",
    "1.5",
    "1e400",
    "18446744073709551616",
    "123456789012345678901234567890",
    r#""""#,
    r#""x""#,
    r#""-""#,
    r#""99999999999999999999.5""#,
    r#""0.000000001""#,
    r#""NaN""#,
    "[]",
    "{}",
];

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Flip { at: usize, byte: u8 },
    BadUtf8 { at: usize, which: usize },
    Replace { member: usize, with: usize },
    Delete { member: usize },
    Duplicate { member: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        (any::<usize>(), 0..4usize).prop_map(|(at, which)| Mutation::BadUtf8 { at, which }),
        (any::<usize>(), 0..REPLACEMENTS.len()).prop_map(|(member, with)| Mutation::Replace { member, with }),
        any::<usize>().prop_map(|member| Mutation::Delete { member }),
        any::<usize>().prop_map(|member| Mutation::Duplicate { member }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let spans = members(bytes);
    let span = |i: usize| spans.get(i % spans.len().max(1)).copied();
    match *m {
        Mutation::Truncate(n) => bytes.truncate(n % bytes.len()),
        Mutation::Flip { at, byte } => {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        Mutation::BadUtf8 { at, which } => {
            let bad: &[u8] = [&b"\xff"[..], b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"][which];
            let at = at % bytes.len();
            bytes.splice(at..at, bad.iter().copied());
        }
        Mutation::Replace { member, with } => {
            if let Some((_, start, end)) = span(member) {
                bytes.splice(start..end, REPLACEMENTS[with].bytes());
            }
        }
        Mutation::Delete { member } => {
            if let Some((start, _, end)) = span(member) {
                let (start, end) = if bytes.get(end) == Some(&b',') {
                    (start, end + 1)
                } else if start > 0 && bytes[start - 1] == b',' {
                    (start - 1, end)
                } else {
                    (start, end)
                };
                bytes.drain(start..end);
            }
        }
        Mutation::Duplicate { member } => {
            if let Some((start, _, end)) = span(member) {
                let copy: Vec<u8> = std::iter::once(b',').chain(bytes[start..end].iter().copied()).collect();
                bytes.splice(end..end, copy);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_frames_give_an_error_or_a_valid_frame(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let seeds = seeds();
        let mut bytes = seeds[seed.index(seeds.len())].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let mut warm = parser();
        for other in seeds {
            let _ = warm.parse(other);
        }
        check(&mut warm, &bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&mut parser(), &bytes);
    }
}

#[test]
fn every_single_member_deletion_duplication_and_type_swap_is_handled() {
    let mut warm = parser();
    for seed in seeds() {
        for member in 0..members(seed).len() {
            let mut variants = vec![Mutation::Delete { member }, Mutation::Duplicate { member }];
            variants.extend((0..REPLACEMENTS.len()).map(|with| Mutation::Replace { member, with }));
            for m in variants {
                let mut bytes = seed.clone();
                apply(&mut bytes, &m);
                check(&mut warm, &bytes);
            }
        }
    }
}
