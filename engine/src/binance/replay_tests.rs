//! Replays of the two 2024-08-08 Binance USD-M recordings (`shared/data`), every frame
//! through [`Parser`] and three [`DepthBook`]s at once:
//!
//! - **recorded**: every frame as recorded, including the one REST snapshot each file holds
//!   (BTCUSDT line 55, ETHUSDT line 41 — it arrives after 6–7 diffs and is bridged to them);
//! - **diffs only**: the snapshot withheld, so the book must warm up from the diffs;
//! - **gaps**: two diffs withheld (sequence gaps); after the first a REST snapshot is
//!   synthesised from the recorded book and delivered late (the live resync path), after the
//!   second the book must warm up again.
//!
//! After every diff and bookTicker, each synced book's export must be uncrossed, sorted and
//! two-sided, and the diffs-only and gaps books must export exactly what the recorded book
//! does. The top of book is checked against bookTicker two ways (see the asserts).

use super::{
    BookTicker, DepthBook, DepthBookConfig, DepthSnapshot, DiffOutcome, Event, Parser, PriceLevel, SnapshotOutcome,
    SyncSource, SyncState,
};
use crate::market::L2Book;
use crate::types::{CoinId, Side};
use std::collections::VecDeque;
use std::io::BufRead;
use std::time::Instant;

const BTC: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/usdm_btcusdt_20240808.gz");
const ETH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/usdm_ethusdt_20240808.gz");

/// What each recording holds (counted with zcat/grep; see shared/data/README.md).
struct Expect {
    frames: u64,
    diffs: u64,
    tickers: u64,
    trades: u64,
    seller_aggressor_trades: u64,
}

/// Diffs withheld from the gaps book (1-based diff index), and when its synthetic snapshot
/// is taken (from the recorded book, right after that diff) and delivered.
const FIRST_GAP_DIFF: u64 = 2000;
const SNAPSHOT_TAKEN_AFTER_DIFF: u64 = 2003;
const SNAPSHOT_DELIVERED_AFTER_DIFF: u64 = 2006;
const SECOND_GAP_DIFF: u64 = 4000;

#[derive(Debug, Default)]
struct BookStats {
    /// Updates (diffs and tickers) after which a synced book was exported and checked.
    updates_checked: u64,
    /// Of those, how many were compared with the recorded book's export at the same point,
    /// and how many were equal to it.
    compared: u64,
    equal_to_recorded: u64,
    first_synced_diff: Option<u64>,
}

/// Exports `book` and checks it; returns whether it was synced. `full` adds the sortedness
/// and size checks (skipped for a book about to be compared equal to the recorded one).
fn check(book: &DepthBook, out: &mut L2Book, stats: &mut BookStats, diff_index: u64, full: bool) -> bool {
    if let (Some(b), Some(a)) = (book.depth_levels(Side::Bid).next(), book.depth_levels(Side::Ask).next()) {
        assert!(b.px < a.px, "depth book crossed after diff {diff_index}: {b:?} / {a:?}");
    }
    if !book.export_book(out) {
        return false;
    }
    stats.updates_checked += 1;
    stats.first_synced_diff.get_or_insert(diff_index);
    assert!(out.is_two_sided(), "crossed or one-sided export after diff {diff_index}: {out:?}");
    if full {
        let (bids, asks) = (&out.bids, &out.asks);
        for i in 1..bids.len() {
            assert!(bids[i - 1].px > bids[i].px, "bids unsorted after diff {diff_index}");
        }
        for i in 1..asks.len() {
            assert!(asks[i - 1].px < asks[i].px, "asks unsorted after diff {diff_index}");
        }
        for level in bids.iter().chain(asks.iter()) {
            assert!(level.sz.units() > 0, "empty level exported after diff {diff_index}");
        }
    }
    true
}

fn snapshot_of(book: &DepthBook) -> (u64, Vec<PriceLevel>, Vec<PriceLevel>) {
    let lid = book.last_update_id().expect("recorded book exists");
    (lid, book.depth_levels(Side::Bid).collect(), book.depth_levels(Side::Ask).collect())
}

fn ticker_matches(t: &BookTicker<'_>, bid: Option<PriceLevel>, ask: Option<PriceLevel>) -> bool {
    bid == Some(PriceLevel { px: t.bid_px, qty: t.bid_qty }) && ask == Some(PriceLevel { px: t.ask_px, qty: t.ask_qty })
}

fn replay(path: &str, expect: &Expect) {
    let started = Instant::now();
    let file = std::fs::File::open(path).unwrap_or_else(|e| {
        panic!("recording {path} is missing ({e}); the tests need shared/ beside the checkout (shared/data/README.md)")
    });
    let mut reader = std::io::BufReader::with_capacity(1 << 20, flate2::read::GzDecoder::new(file));
    let config = DepthBookConfig::default();
    let (coin, mut parser, mut line) = (CoinId(0), Parser::new(), Vec::with_capacity(64 * 1024));
    let mut recorded = DepthBook::new(coin, config).unwrap();
    let mut diffs_only = DepthBook::new(coin, config).unwrap();
    let mut gaps = DepthBook::new(coin, config).unwrap();
    let [mut out_rec, mut out_diffs, mut out_gaps] = [(); 3].map(|_| L2Book::empty(coin));
    let [mut st_rec, mut st_diffs, mut st_gaps] = [(); 3].map(|_| BookStats::default());
    let (mut frames, mut diffs, mut tickers, mut trades, mut seller_aggressor, mut last_local_ns) =
        (0u64, 0, 0, 0, 0, 0);
    let mut synthetic_snapshot = None;
    // Arrival-order check: the newest *received* ticker with id ≤ the diff's u.
    let (mut received, mut arrival_ref): (VecDeque<(u64, PriceLevel, PriceLevel)>, Option<_>) = (VecDeque::new(), None);
    let (mut arrival_checks, mut arrival_exact, mut arrival_px) = (0u64, 0u64, 0u64);
    // What a consumer sees: the exported BBO against each bookTicker as it arrives.
    let (mut bbo_checks, mut bbo_equal) = (0u64, 0u64);
    let mut aligned_at_sync = None;
    let mut updates_after_snapshot = 0u64;

    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).expect("gzip stream readable") == 0 {
            break;
        }
        frames += 1;
        while line.last().is_some_and(|b| b.is_ascii_whitespace()) {
            line.pop();
        }
        let space = line.iter().position(|&b| b == b' ').expect("`<local_ns> <json>` line");
        let local_ns: u64 = std::str::from_utf8(&line[..space]).unwrap().parse().unwrap();
        assert!(local_ns >= last_local_ns, "local time went back at frame {frames}");
        last_local_ns = local_ns;
        let event = parser.parse(&mut line[space + 1..]).unwrap_or_else(|e| panic!("frame {frames}: {e}"));
        match event {
            Event::DepthDiff(d) => {
                diffs += 1;
                assert!(matches!(recorded.apply_diff(&d), DiffOutcome::Applied), "recorded diff {diffs} not applied");
                assert!(matches!(diffs_only.apply_diff(&d), DiffOutcome::Applied));
                if diffs != FIRST_GAP_DIFF && diffs != SECOND_GAP_DIFF {
                    let outcome = gaps.apply_diff(&d);
                    if diffs == FIRST_GAP_DIFF + 1 || diffs == SECOND_GAP_DIFF + 1 {
                        assert!(matches!(outcome, DiffOutcome::Gap { .. }), "diff {diffs}: {outcome:?}");
                    }
                }
                if diffs == SNAPSHOT_TAKEN_AFTER_DIFF {
                    synthetic_snapshot = Some(snapshot_of(&recorded));
                }
                if diffs == SNAPSHOT_DELIVERED_AFTER_DIFF {
                    let (lid, bids, asks) = synthetic_snapshot.take().expect("taken before");
                    let snap = DepthSnapshot {
                        last_update_id: lid,
                        event_time: None,
                        transaction_time: None,
                        bids: &bids,
                        asks: &asks,
                    };
                    // Buffered: diffs 2001–2006; 2003 ends at lastUpdateId, so 2003–2006 are replayed.
                    assert_eq!(gaps.apply_snapshot(&snap), SnapshotOutcome::Applied { diffs_replayed: 4 });
                }
                while received.front().is_some_and(|t| t.0 <= d.final_update_id) {
                    arrival_ref = received.pop_front();
                }
                if recorded.is_synced() {
                    if let Some((_, bid, ask)) = arrival_ref {
                        let mut top =
                            recorded.depth_levels(Side::Bid).next().zip(recorded.depth_levels(Side::Ask).next());
                        arrival_checks += 1;
                        arrival_exact += u64::from(top == Some((bid, ask)));
                        top = top.map(|(b, a)| (PriceLevel { qty: bid.qty, ..b }, PriceLevel { qty: ask.qty, ..a }));
                        arrival_px += u64::from(top == Some((bid, ask)));
                    }
                }
            }
            Event::DepthSnapshot(s) => {
                assert_eq!(recorded.state(), SyncState::WarmingUp, "the recorded snapshot arrives after some diffs");
                let outcome = recorded.apply_snapshot(&s);
                assert_eq!(outcome, SnapshotOutcome::Applied { diffs_replayed: 2 }, "bridged to the buffered diffs");
                assert_eq!(gaps.apply_snapshot(&s), outcome);
                aligned_at_sync = Some(recorded.counters().clone());
                continue; // withheld from `diffs_only`; no update of theirs to check
            }
            Event::BookTicker(t) => {
                tickers += 1;
                recorded.apply_book_ticker(&t);
                diffs_only.apply_book_ticker(&t);
                gaps.apply_book_ticker(&t);
                received.push_back((
                    t.update_id,
                    PriceLevel { px: t.bid_px, qty: t.bid_qty },
                    PriceLevel { px: t.ask_px, qty: t.ask_qty },
                ));
                if let Some(bbo) = recorded.bbo() {
                    let level = |l: crate::market::BookLevel| PriceLevel { px: l.px, qty: l.sz };
                    bbo_checks += 1;
                    bbo_equal += u64::from(ticker_matches(&t, bbo.bid.map(level), bbo.ask.map(level)));
                }
            }
            Event::Trade(t) => {
                trades += 1;
                let trade = t.to_trade(coin);
                assert!(trade.px.units() > 0 && trade.sz.units() > 0 && t.is_market);
                seller_aggressor += u64::from(trade.aggressor == Side::Ask);
                continue;
            }
            Event::SubscriptionAck { .. } => panic!("no acks in the recordings"),
        }
        updates_after_snapshot += u64::from(aligned_at_sync.is_some());
        let rec_synced = check(&recorded, &mut out_rec, &mut st_rec, diffs, true);
        // Until the diff after a withheld one shows the gap (its `pu`), the gaps book cannot
        // know it is behind: those updates are not compared.
        let gap_undetectable = diffs == FIRST_GAP_DIFF || diffs == SECOND_GAP_DIFF;
        for (book, out, stats, skip) in [
            (&diffs_only, &mut out_diffs, &mut st_diffs, false),
            (&gaps, &mut out_gaps, &mut st_gaps, gap_undetectable),
        ] {
            let compare = rec_synced && !skip;
            if check(book, out, stats, diffs, !compare) && compare {
                stats.compared += 1;
                stats.equal_to_recorded += u64::from(*out == out_rec);
            }
        }
    }
    let elapsed = started.elapsed();

    let (rc, dc, gc) = (recorded.counters(), diffs_only.counters(), gaps.counters());
    let at_sync = aligned_at_sync.expect("recorded snapshot seen");
    let aligned_checks = rc.ticker_checks - at_sync.ticker_checks;
    let aligned_mismatches = rc.ticker_mismatches - at_sync.ticker_mismatches;
    let pct = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "{path}: {frames} frames ({diffs} diffs, {tickers} bookTickers, {trades} trades) in {elapsed:.2?}\n  \
         recorded: {} updates checked uncrossed from diff {:?}; gaps {}; {} levels dropped deep; \
         aligned bookTicker checks after sync {aligned_checks}, mismatches {aligned_mismatches} \
         ({} undecidable); before sync {} checks, {} mismatches\n  \
         arrival-order top vs newest received ticker ≤ u: exact {:.2} %, price {:.2} % of {arrival_checks}; \
         exported BBO = arriving ticker {:.2} % of {bbo_checks}\n  \
         diffs-only: synced from diff {:?}, {} updates checked, {:.3} % equal to recorded; gaps {}\n  \
         gaps: {} gaps, {} resets, {} snapshots, {} warm-ups, {} updates checked, {:.3} % equal to recorded",
        st_rec.updates_checked,
        st_rec.first_synced_diff,
        rc.gaps,
        rc.levels_dropped_deep,
        rc.ticker_checks_undecidable,
        at_sync.ticker_checks,
        at_sync.ticker_mismatches,
        pct(arrival_exact, arrival_checks),
        pct(arrival_px, arrival_checks),
        pct(bbo_equal, bbo_checks),
        st_diffs.first_synced_diff,
        st_diffs.updates_checked,
        pct(st_diffs.equal_to_recorded, st_diffs.compared),
        dc.gaps,
        gc.gaps,
        gc.resets,
        gc.snapshots_applied,
        gc.warmups_completed,
        st_gaps.updates_checked,
        pct(st_gaps.equal_to_recorded, st_gaps.compared),
    );

    // The recording is what we think it is.
    assert_eq!((frames, diffs, tickers, trades), (expect.frames, expect.diffs, expect.tickers, expect.trades));
    assert_eq!(seller_aggressor, expect.seller_aggressor_trades, "m = true ⇒ seller aggressed");
    // Recorded: the data has no sequence gap; bridged once, synced from the snapshot on.
    assert_eq!(rc.gaps, 0, "every pu equals the previous u in this recording");
    assert_eq!((rc.resets, rc.crossed_books, rc.snapshots_applied), (0, 0, 1));
    assert_eq!(recorded.state(), SyncState::Synced(SyncSource::Snapshot));
    assert_eq!(st_rec.updates_checked, updates_after_snapshot, "checked after every update once synced");
    // bookTicker, aligned by update id: exact (price and size, both sides) on every check.
    assert!(aligned_checks > diffs * 9 / 10, "{aligned_checks} aligned checks");
    assert_eq!(aligned_mismatches, 0);
    assert_eq!(rc.ticker_desyncs, 0);
    // bookTicker by arrival order: tickers for updates inside a diff's 50 ms window often
    // arrive after that diff, so the newest ticker received is stale for a few % of diffs.
    assert!(pct(arrival_exact, arrival_checks) > 95.0 && pct(arrival_px, arrival_checks) > 99.0);
    // What a consumer sees when a ticker arrives: our BBO is that ticker unless the ticker is
    // older than a diff already applied (then the book is the newer of the two).
    assert!(pct(bbo_equal, bbo_checks) > 98.0);
    // Diffs only: warm-up completes once and the book then equals the bridged one exactly.
    assert_eq!((dc.gaps, dc.snapshots_applied, dc.warmups_completed), (0, 0, 1));
    assert_eq!(diffs_only.state(), SyncState::Synced(SyncSource::Warmup));
    assert!(st_diffs
        .first_synced_diff
        .is_some_and(|d| d >= config.warmup_min_diffs && d < 2 * config.warmup_min_diffs));
    assert_eq!((st_diffs.compared, st_diffs.equal_to_recorded), (st_diffs.updates_checked, st_diffs.updates_checked));
    // Gaps: both counted; resynced by the snapshot, then by warm-up; always equal when synced.
    assert_eq!((gc.gaps, gc.resets, gc.snapshots_applied, gc.warmups_completed), (2, 2, 2, 1));
    assert_eq!(gaps.state(), SyncState::Synced(SyncSource::Warmup));
    assert_eq!(st_gaps.equal_to_recorded, st_gaps.compared);
    assert!(st_gaps.updates_checked - st_gaps.compared < 200, "only updates between a withheld diff and the next");
    assert!(st_gaps.updates_checked > st_rec.updates_checked * 8 / 10);
}

#[test]
fn btcusdt_recording_rebuilds_an_uncrossed_book() {
    replay(
        BTC,
        &Expect { frames: 93_954, diffs: 6_551, tickers: 66_089, trades: 21_313, seller_aggressor_trades: 11_697 },
    );
}

#[test]
fn ethusdt_recording_rebuilds_an_uncrossed_book() {
    replay(
        ETH,
        &Expect { frames: 74_655, diffs: 6_586, tickers: 53_992, trades: 14_076, seller_aggressor_trades: 7_092 },
    );
}
