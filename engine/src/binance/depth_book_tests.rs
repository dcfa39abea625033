//! Depth book rules on synthetic frames (JSON through the real [`Parser`]): `pu` gaps, the
//! snapshot bridge of Binance's procedure, size-zero removals, the warm-up rule, the
//! bookTicker overlay and the crossed-book guard.

use super::*;
use crate::binance::{Event, Parser};
use crate::types::{Price, Qty};

type Levels<'a> = &'a [(&'a str, &'a str)];

fn levels_json(levels: Levels<'_>) -> String {
    let items: Vec<String> = levels.iter().map(|(p, q)| format!(r#"["{p}","{q}"]"#)).collect();
    format!("[{}]", items.join(","))
}

struct Harness {
    parser: Parser,
    book: DepthBook,
}

impl Harness {
    fn new(config: DepthBookConfig) -> Self {
        Self { parser: Parser::new(), book: DepthBook::new(CoinId(1), config).unwrap() }
    }

    /// A config that syncs from diffs quickly (for tests of the warm-up path).
    fn quick() -> DepthBookConfig {
        DepthBookConfig {
            warmup_min_diffs: 3,
            warmup_min_levels_per_side: 2,
            warmup_min_ticker_matches: 2,
            ..DepthBookConfig::default()
        }
    }

    fn diff(&mut self, first: u64, last: u64, prev: u64, bids: Levels<'_>, asks: Levels<'_>) -> DiffOutcome {
        let json = format!(
            r#"{{"stream":"btcusdt@depth@0ms","data":{{"e":"depthUpdate","E":{last},"T":{last},"s":"BTCUSDT","U":{first},"u":{last},"pu":{prev},"b":{},"a":{}}}}}"#,
            levels_json(bids),
            levels_json(asks)
        );
        let mut bytes = json.into_bytes();
        match self.parser.parse(&mut bytes) {
            Ok(Event::DepthDiff(d)) => self.book.apply_diff(&d),
            other => panic!("{other:?}"),
        }
    }

    fn snapshot(&mut self, last_update_id: u64, bids: Levels<'_>, asks: Levels<'_>) -> SnapshotOutcome {
        let json = format!(
            r#"{{"lastUpdateId":{last_update_id},"E":1,"T":1,"bids":{},"asks":{}}}"#,
            levels_json(bids),
            levels_json(asks)
        );
        let mut bytes = json.into_bytes();
        match self.parser.parse(&mut bytes) {
            Ok(Event::DepthSnapshot(s)) => self.book.apply_snapshot(&s),
            other => panic!("{other:?}"),
        }
    }

    fn ticker(&mut self, u: u64, bid: (&str, &str), ask: (&str, &str)) -> TickerOutcome {
        let json = format!(
            r#"{{"e":"bookTicker","u":{u},"s":"BTCUSDT","b":"{}","B":"{}","a":"{}","A":"{}","T":{u},"E":{u}}}"#,
            bid.0, bid.1, ask.0, ask.1
        );
        let mut bytes = json.into_bytes();
        match self.parser.parse(&mut bytes) {
            Ok(Event::BookTicker(t)) => self.book.apply_book_ticker(&t),
            other => panic!("{other:?}"),
        }
    }

    fn export(&self) -> Option<L2Book> {
        let mut out = L2Book::empty(CoinId(9));
        let ok = self.book.export_book(&mut out);
        assert_eq!(out.coin, CoinId(1));
        assert!(!out.is_crossed(), "exported a crossed book: {out:?}");
        if !ok {
            assert!(out.bids.is_empty() && out.asks.is_empty());
        }
        ok.then_some(out)
    }

    /// Depth levels of `side`, best first, as exact decimal strings.
    fn depth(&self, side: Side) -> Vec<(String, String)> {
        self.book.depth_levels(side).map(|l| (l.px.to_string(), l.qty.to_string())).collect()
    }
}

fn owned(levels: Levels<'_>) -> Vec<(String, String)> {
    levels.iter().map(|(p, q)| (p.to_string(), q.to_string())).collect()
}

fn top(out: &L2Book) -> (String, String, String, String) {
    let (b, a) = (out.bids[0], out.asks[0]);
    (b.px.to_string(), b.sz.to_string(), a.px.to_string(), a.sz.to_string())
}

/// A book synced from a snapshot at id 100: bids 100/99/98, asks 101/102/103.
fn synced() -> Harness {
    let mut h = Harness::new(DepthBookConfig::default());
    let out = h.snapshot(100, &[("100", "1"), ("99", "2"), ("98", "3")], &[("101", "1"), ("102", "2"), ("103", "3")]);
    assert_eq!(out, SnapshotOutcome::Applied { diffs_replayed: 0 });
    assert_eq!(h.book.state(), SyncState::Synced(SyncSource::Snapshot));
    // The first diff must straddle lastUpdateId = 100.
    assert_eq!(h.diff(95, 105, 94, &[], &[]), DiffOutcome::Applied);
    h
}

#[test]
fn pu_mismatch_is_a_counted_gap_and_the_book_restarts() {
    let mut h = synced();
    assert!(!h.book.wants_snapshot());
    assert_eq!(h.diff(106, 110, 105, &[("100", "4")], &[]), DiffOutcome::Applied);
    // pu 111 ≠ 110: updates 111 were missed.
    assert_eq!(h.diff(112, 120, 111, &[("97", "1")], &[("104", "1")]), DiffOutcome::Gap { last_update_id: 110 });
    assert_eq!(h.book.counters().gaps, 1);
    assert_eq!(h.book.counters().resets, 1);
    assert_eq!(h.book.state(), SyncState::WarmingUp);
    assert!(h.book.wants_snapshot());
    assert!(h.export().is_none(), "an out-of-sync book is not exported");
    assert!(h.book.bbo().is_none());
    // Restarted from the gap diff alone: the old levels are gone.
    assert_eq!(h.depth(Side::Bid), owned(&[("97", "1")]));
    assert_eq!(h.book.last_update_id(), Some(120));
    // The new chain continues from it.
    assert_eq!(h.diff(121, 130, 120, &[("96", "1")], &[]), DiffOutcome::Applied);
    assert_eq!(h.book.buffered_diffs(), 2, "diffs buffered for the next snapshot");
    // A repeated old diff is dropped, not a gap.
    assert_eq!(h.diff(121, 130, 120, &[("96", "9")], &[]), DiffOutcome::Stale);
    assert_eq!(h.book.counters().diffs_stale, 1);
    assert_eq!(h.book.counters().gaps, 1);
}

#[test]
fn snapshot_bridges_buffered_diffs_and_drops_stale_ones() {
    let mut h = Harness::new(DepthBookConfig::default());
    assert_eq!(h.diff(100, 110, 90, &[("95", "7")], &[("105", "1")]), DiffOutcome::Applied);
    assert_eq!(h.diff(111, 120, 110, &[("96", "4")], &[]), DiffOutcome::Applied);
    assert_eq!(h.diff(121, 130, 120, &[("97", "0")], &[("104", "2")]), DiffOutcome::Applied);
    assert_eq!(h.book.buffered_diffs(), 3);
    assert_eq!(h.book.state(), SyncState::WarmingUp);
    // Snapshot at 115: diff 100–110 is older (its 95 → 7 is superseded by the snapshot's
    // 95 → 3) and must be dropped; diff 111–120 straddles 115 and is the first applied.
    let out = h.snapshot(115, &[("97", "1"), ("96", "1"), ("95", "3")], &[("105", "5"), ("106", "1")]);
    assert_eq!(out, SnapshotOutcome::Applied { diffs_replayed: 2 });
    assert_eq!(h.book.state(), SyncState::Synced(SyncSource::Snapshot));
    assert!(!h.book.wants_snapshot());
    assert_eq!(h.book.buffered_diffs(), 0);
    assert_eq!(h.book.last_update_id(), Some(130));
    assert_eq!(h.depth(Side::Bid), owned(&[("96", "4"), ("95", "3")]));
    assert_eq!(h.depth(Side::Ask), owned(&[("104", "2"), ("105", "5"), ("106", "1")]));
    let book = h.export().expect("synced");
    assert_eq!(book.bids.len(), 2);
    assert_eq!(book.exchange_time, UnixNanos::from_millis(130));
    // Synced from a snapshot, the chain goes on; a stale snapshot is refused.
    assert_eq!(h.diff(131, 140, 130, &[], &[("104", "0")]), DiffOutcome::Applied);
    assert_eq!(h.book.buffered_diffs(), 0, "no buffering once bridged");
    assert_eq!(h.snapshot(135, &[("1", "1")], &[("2", "1")]), SnapshotOutcome::Stale);
    assert_eq!(h.depth(Side::Ask)[0], ("105".to_string(), "5".to_string()));
    assert_eq!(h.book.counters().snapshots_applied, 1);
    assert_eq!(h.book.counters().snapshot_diffs_replayed, 2);
}

#[test]
fn snapshot_older_than_every_buffered_diff_is_too_old() {
    let mut h = Harness::new(DepthBookConfig::default());
    h.diff(100, 110, 90, &[("95", "7")], &[("105", "1")]);
    h.diff(111, 120, 110, &[("96", "4")], &[]);
    // Updates 51–99 are in no buffered diff: cannot be bridged.
    assert_eq!(h.snapshot(50, &[("90", "1")], &[("110", "1")]), SnapshotOutcome::TooOld);
    assert_eq!(h.book.counters().snapshots_too_old, 1);
    assert_eq!(h.book.state(), SyncState::WarmingUp, "the diff-built book is kept");
    assert_eq!(h.depth(Side::Bid), owned(&[("96", "4"), ("95", "7")]));
}

#[test]
fn snapshot_newer_than_the_buffer_waits_for_the_straddling_diff() {
    let mut h = Harness::new(DepthBookConfig::default());
    h.diff(100, 110, 90, &[("95", "7")], &[("105", "1")]);
    assert_eq!(h.snapshot(150, &[("95", "1")], &[("105", "2")]), SnapshotOutcome::Applied { diffs_replayed: 0 });
    assert_eq!(h.book.last_update_id(), Some(150));
    // u < lastUpdateId: dropped (Binance step 3), even though its pu chains.
    assert_eq!(h.diff(111, 140, 110, &[("95", "9")], &[]), DiffOutcome::Stale);
    // U ≤ 150 ≤ u: the first one applied; its pu is not checked against the snapshot.
    assert_eq!(h.diff(141, 160, 140, &[("94", "1")], &[]), DiffOutcome::Applied);
    assert_eq!(h.depth(Side::Bid), owned(&[("95", "1"), ("94", "1")]));
    assert_eq!(h.diff(161, 170, 160, &[], &[]), DiffOutcome::Applied);

    // Same, but the first diff after the snapshot starts beyond it: a gap.
    let mut h = Harness::new(DepthBookConfig::default());
    h.snapshot(150, &[("95", "1")], &[("105", "2")]);
    // Binance requires U ≤ lastUpdateId for the first diff; 151 > 150 is a gap.
    assert_eq!(h.diff(151, 160, 140, &[("94", "1")], &[]), DiffOutcome::Gap { last_update_id: 150 });
    assert_eq!(h.book.state(), SyncState::WarmingUp);
}

#[test]
fn size_zero_removes_levels() {
    let mut h = synced();
    assert_eq!(
        h.diff(106, 110, 105, &[("100", "0"), ("97", "0"), ("99", "2.5")], &[("101", "0.000")]),
        DiffOutcome::Applied
    );
    assert_eq!(h.depth(Side::Bid), owned(&[("99", "2.5"), ("98", "3")]));
    assert_eq!(h.depth(Side::Ask), owned(&[("102", "2"), ("103", "3")]));
    let book = h.export().unwrap();
    assert_eq!(top(&book), ("99".into(), "2.5".into(), "102".into(), "2".into()));
    // Emptying a side leaves a one-sided (uncrossed) book.
    h.diff(111, 120, 110, &[], &[("102", "0"), ("103", "0")]);
    assert!(h.depth(Side::Ask).is_empty());
    assert!(!h.export().unwrap().is_two_sided());
}

#[test]
fn crossed_input_is_never_exported() {
    // A diff that crosses the book drops it.
    let mut h = synced();
    assert_eq!(h.diff(106, 110, 105, &[("101.5", "1")], &[]), DiffOutcome::BookDropped(DropReason::Crossed));
    assert_eq!(h.book.counters().crossed_books, 1);
    assert_eq!(h.book.state(), SyncState::Empty);
    assert!(h.export().is_none());
    assert!(h.book.bbo().is_none());
    // The next diff starts a warm-up; nothing is exported until it completes.
    assert_eq!(h.diff(111, 120, 110, &[("100", "1")], &[("101", "1")]), DiffOutcome::Applied);
    assert_eq!(h.book.state(), SyncState::WarmingUp);
    assert!(h.export().is_none());

    // A crossed snapshot is dropped too.
    let mut h = Harness::new(DepthBookConfig::default());
    assert_eq!(h.snapshot(10, &[("101", "1")], &[("100", "1")]), SnapshotOutcome::BookDropped(DropReason::Crossed));
    assert!(h.export().is_none());

    // A crossed or empty-sided bookTicker is refused and changes nothing.
    let mut h = synced();
    let before = h.export().unwrap();
    assert_eq!(h.ticker(200, ("101", "1"), ("101", "1")), TickerOutcome::Rejected);
    assert_eq!(h.ticker(201, ("102", "1"), ("101", "1")), TickerOutcome::Rejected);
    assert_eq!(h.ticker(202, ("100", "0"), ("101", "1")), TickerOutcome::Rejected);
    assert_eq!(h.export().unwrap(), before);
    assert_eq!(h.book.counters().tickers_rejected, 3);
}

#[test]
fn book_ticker_moves_the_top_between_diffs_without_crossing() {
    let mut h = synced();
    // Price fell after update 105: best bid 99 (size 5), best ask 99.5.
    assert_eq!(h.ticker(107, ("99", "5"), ("99.5", "0.5")), TickerOutcome::Applied);
    let book = h.export().unwrap();
    let bids: Vec<String> = book.bids.iter().map(|l| format!("{}@{}", l.sz, l.px)).collect();
    let asks: Vec<String> = book.asks.iter().map(|l| format!("{}@{}", l.sz, l.px)).collect();
    assert_eq!(bids, ["5@99", "3@98"], "bid 100 is hidden, 99 takes the ticker's size");
    assert_eq!(asks, ["0.5@99.5", "1@101", "2@102", "3@103"]);
    assert_eq!(book.exchange_time, UnixNanos::from_millis(107));
    let bbo = h.book.bbo().unwrap();
    assert_eq!((bbo.bid.unwrap().px, bbo.ask.unwrap().sz), (Price::parse("99").unwrap(), Qty::parse("0.5").unwrap()));
    // A ticker not newer than the book or the last ticker changes nothing.
    assert_eq!(h.ticker(104, ("50", "1"), ("60", "1")), TickerOutcome::Stale);
    assert_eq!(h.ticker(107, ("50", "1"), ("60", "1")), TickerOutcome::Stale);
    assert_eq!(h.export().unwrap(), book);
    // The diff that covers update 107 replaces the overlay with the depth itself.
    assert_eq!(h.diff(106, 110, 105, &[("100", "0"), ("99", "5")], &[("99.5", "0.5")]), DiffOutcome::Applied);
    let book = h.export().unwrap();
    assert_eq!(top(&book), ("99".into(), "5".into(), "99.5".into(), "0.5".into()));
    assert_eq!(book.bids.len(), 2);
    assert_eq!(book.asks.len(), 4);
    // A ticker that arrives for an empty book is only remembered.
    let mut h = Harness::new(DepthBookConfig::default());
    assert_eq!(h.ticker(5, ("1", "1"), ("2", "1")), TickerOutcome::NoBook);
}

#[test]
fn warmup_needs_diffs_levels_and_agreeing_tickers() {
    let mut h = Harness::new(Harness::quick());
    assert_eq!(h.book.state(), SyncState::Empty);
    // First diff: any pu is accepted, the book starts warming up.
    assert_eq!(h.diff(10, 20, 3, &[("100", "1")], &[("101", "1")]), DiffOutcome::Applied);
    assert_eq!(h.book.state(), SyncState::WarmingUp);
    // Tickers at 15 and 25 settle the check of the top at 20 (the newest ticker ≤ 20 is 15).
    h.ticker(15, ("100", "1"), ("101", "1"));
    h.ticker(25, ("100", "1"), ("101", "2"));
    assert_eq!(h.book.counters().ticker_checks, 1);
    assert_eq!(h.diff(21, 30, 20, &[("99", "1")], &[("101", "2")]), DiffOutcome::Applied);
    // The top at 30 waits for a ticker newer than 30, then is compared with ticker 25.
    h.ticker(31, ("100", "1"), ("101", "2"));
    assert_eq!(h.book.counters().ticker_checks, 2);
    assert_eq!(h.book.counters().ticker_mismatches, 0);
    assert_eq!(h.book.state(), SyncState::WarmingUp, "only 2 diffs and 1 ask level so far");
    assert!(h.export().is_none());
    assert_eq!(h.diff(31, 40, 30, &[], &[("102", "1")]), DiffOutcome::Applied);
    // 3 diffs, 2 levels a side, 2 agreeing checks: synced.
    assert_eq!(h.book.state(), SyncState::Synced(SyncSource::Warmup));
    assert_eq!(h.book.counters().warmups_completed, 1);
    assert!(h.export().is_some());
    assert!(h.book.wants_snapshot(), "a warm book still wants a snapshot");

    // A mismatch resets the streak: a top that disagrees with the ticker delays sync.
    let mut h = Harness::new(Harness::quick());
    h.diff(10, 20, 3, &[("100", "1"), ("99", "1")], &[("101", "1"), ("102", "1")]);
    h.ticker(15, ("100", "1"), ("101", "1"));
    h.ticker(21, ("100", "1"), ("101", "1"));
    h.diff(21, 30, 20, &[], &[]);
    h.ticker(29, ("100", "7"), ("101", "1")); // our bid size at 30 is 1, not 7
    h.ticker(31, ("100", "1"), ("101", "1"));
    h.diff(31, 40, 30, &[("100", "7")], &[]);
    assert_eq!(h.book.counters().ticker_mismatches, 1);
    assert_eq!(h.book.state(), SyncState::WarmingUp, "3 diffs but the streak was broken");
    h.ticker(35, ("100", "7"), ("101", "1")); // the ticker of the change in diff 31–40
    h.ticker(41, ("100", "7"), ("101", "1"));
    assert_eq!(h.book.state(), SyncState::WarmingUp, "streak 1");
    h.diff(41, 50, 40, &[], &[]);
    h.ticker(51, ("100", "7"), ("101", "1"));
    assert_eq!(h.book.state(), SyncState::Synced(SyncSource::Warmup));
}

#[test]
fn repeated_ticker_mismatches_drop_a_synced_book() {
    let mut h = synced();
    // The book says bid 100 ×1 at every id; Binance's ticker says 100 × 9.
    let mut outcome = None;
    for k in 0..3u64 {
        let u = 110 + 10 * k;
        h.diff(u - 4, u, u - 10 + if k == 0 { 5 } else { 0 }, &[], &[]);
        h.ticker(u - 1, ("100", "9"), ("101", "1"));
        outcome = Some(h.ticker(u + 1, ("100", "9"), ("101", "1")));
    }
    assert_eq!(outcome, Some(TickerOutcome::BookDropped(DropReason::TickerMismatch)));
    assert_eq!(h.book.counters().ticker_desyncs, 1);
    assert_eq!(h.book.counters().ticker_mismatches, 3);
    assert!(h.export().is_none());
}

#[test]
fn depth_beyond_capacity_is_dropped_and_counted() {
    let config = DepthBookConfig { max_levels_per_side: 20, ..DepthBookConfig::default() };
    let mut h = Harness::new(config);
    let bids: Vec<(String, String)> = (0..30).map(|i| (format!("{}", 1000 - i), "1".to_string())).collect();
    let bid_refs: Vec<(&str, &str)> = bids.iter().map(|(p, q)| (p.as_str(), q.as_str())).collect();
    h.snapshot(10, &bid_refs, &[("1001", "1")]);
    assert_eq!(h.depth(Side::Bid).len(), 20);
    assert_eq!(h.depth(Side::Bid)[19].0, "981");
    assert_eq!(h.book.counters().levels_dropped_deep, 10);
    assert_eq!(h.export().unwrap().bids.len(), 20);
    assert!(DepthBook::new(CoinId(0), DepthBookConfig { max_levels_per_side: 5, ..config }).is_err());
}
