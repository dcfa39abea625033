use super::*;
use std::io::BufRead;
use std::time::Instant;
#[test]
fn perf_scratch() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/usdm_btcusdt_20240808.gz");
    for stage in 0..4 {
        let t = Instant::now();
        let f = std::fs::File::open(path).unwrap();
        let mut r = std::io::BufReader::with_capacity(1 << 20, flate2::read::GzDecoder::new(f));
        let mut line = Vec::new();
        let mut p = Parser::new();
        let mut book = DepthBook::new(crate::types::CoinId(0), DepthBookConfig::default()).unwrap();
        let mut out = crate::market::L2Book::empty(crate::types::CoinId(0));
        let mut n = 0;
        loop {
            line.clear();
            if r.read_until(b'\n', &mut line).unwrap() == 0 {
                break;
            }
            if stage == 0 {
                let sp = line.iter().position(|&b| b == b' ').unwrap();
                let mut tape = simd_json::tape::Tape(Vec::new());
                let mut bufs = simd_json::Buffers::default();
                simd_json::fill_tape(&mut line[sp + 1..], &mut bufs, &mut tape).unwrap();
                continue;
            }
            let sp = line.iter().position(|&b| b == b' ').unwrap();
            let ev = p.parse(&mut line[sp + 1..]).unwrap();
            if stage == 1 {
                continue;
            }
            match ev {
                Event::DepthDiff(d) => {
                    book.apply_diff(&d);
                }
                Event::DepthSnapshot(s) => {
                    book.apply_snapshot(&s);
                }
                Event::BookTicker(t) => {
                    book.apply_book_ticker(&t);
                }
                _ => {}
            }
            if stage == 3 && book.export_book(&mut out) {
                n += 1;
            }
        }
        println!("stage {stage}: {:?} {n}", t.elapsed());
    }
}
