//! Fuzz target for the Hyperliquid frame parser (`engine::hyperliquid::Parser`).
//!
//! Any byte string must give an error or a valid frame, never a panic, and the same answer
//! from a fresh parser as from the long-lived one that has parsed every input before it (the
//! parser reuses its buffers across frames; nothing may leak from one frame to the next).
//! Seed the corpus with real frames for speed, e.g. the capture's JSON:
//!
//! ```text
//! cd engine/fuzz && mkdir -p corpus/parse_frame
//! zcat ../../../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz \
//!   | cut -d' ' -f2- | split -l1 - corpus/parse_frame/capture-
//! cargo +nightly fuzz run parse_frame
//! ```

#![no_main]

use engine::hyperliquid::{CoinTable, Parser};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;

fn parser() -> Parser {
    let coins = CoinTable::new(["BTC", "ETH", "PURR", "hyna:HYPE"]).unwrap_or_default();
    Parser::new(coins)
}

thread_local! {
    static WARM: RefCell<Parser> = RefCell::new(parser());
}

fuzz_target!(|data: &[u8]| {
    let mut fresh = parser();
    let fresh_result = fresh.parse(data);
    WARM.with(|warm| {
        let mut warm = warm.borrow_mut();
        let warm_result = warm.parse(data);
        assert_eq!(fresh_result, warm_result, "a reused parser disagrees with a fresh one");
    });
    if let Err(e) = fresh_result {
        assert!(!e.to_string().is_empty());
        let _ = e.kind().as_str();
    }
});
