//! Recording files: one venue frame a line, `<local receive time, ns since epoch> <frame>`,
//! the format of `../shared/data`. Compression follows the extension: `.gz` gzip, `.zst`
//! zstd, anything else plain text. The reader reuses one line buffer (no allocation per
//! frame once it has grown to the longest line) and reports a malformed line as an error
//! for that line only; the writer compresses as it goes and must be `finish`ed.

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// zstd level for recordings: fast enough for a live feed, ~3× smaller than gzip -1 text.
const ZSTD_LEVEL: i32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn from_path(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("zst" | "zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("line {line}: expected `<local_ns> <frame>`")]
    BadLine { line: u64 },
}

/// A frame read back: when it was received and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedFrame<'a> {
    pub local_ns: u64,
    pub frame: &'a str,
}

pub struct RecordingReader {
    path: String,
    lines: Box<dyn BufRead + Send>,
    buf: String,
    line: u64,
}

impl RecordingReader {
    pub fn open(path: &Path) -> Result<RecordingReader, RecordingError> {
        let name = path.display().to_string();
        let io_err = |source| RecordingError::Io { path: name.clone(), source };
        let file = File::open(path).map_err(io_err)?;
        let lines: Box<dyn BufRead + Send> = match Compression::from_path(path) {
            Compression::Gzip => Box::new(BufReader::new(MultiGzDecoder::new(file))),
            Compression::Zstd => Box::new(BufReader::new(zstd::stream::read::Decoder::new(file).map_err(io_err)?)),
            Compression::None => Box::new(BufReader::new(file)),
        };
        Ok(RecordingReader { path: name, lines, buf: String::new(), line: 0 })
    }

    /// The next frame; `None` at the end. A malformed line is an error for that line, and
    /// reading may go on.
    pub fn next_frame(&mut self) -> Option<Result<RecordedFrame<'_>, RecordingError>> {
        self.buf.clear();
        self.line += 1;
        match self.lines.read_line(&mut self.buf) {
            Ok(0) => None,
            Ok(_) => Some(split_line(self.buf.trim_end_matches(['\n', '\r']), self.line)),
            Err(source) => Some(Err(RecordingError::Io { path: self.path.clone(), source })),
        }
    }
}

/// Which venue a recording is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingVenue {
    Hyperliquid,
    BinanceUsdm,
}

/// What the first well-formed line of a recording says: its venue (Hyperliquid frames carry
/// `"channel"`, Binance's do not) and its receive time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordingStart {
    pub venue: RecordingVenue,
    pub first_local_ns: u64,
}

impl RecordingStart {
    /// Reads a recording up to its first well-formed line; `None` if it has none.
    pub fn probe(path: &Path) -> Result<Option<RecordingStart>, RecordingError> {
        let mut reader = RecordingReader::open(path)?;
        while let Some(frame) = reader.next_frame() {
            match frame {
                Ok(frame) => {
                    let venue = if frame.frame.contains("\"channel\"") {
                        RecordingVenue::Hyperliquid
                    } else {
                        RecordingVenue::BinanceUsdm
                    };
                    return Ok(Some(RecordingStart { venue, first_local_ns: frame.local_ns }));
                }
                Err(RecordingError::BadLine { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }
}

fn split_line(text: &str, line: u64) -> Result<RecordedFrame<'_>, RecordingError> {
    let (ns, frame) = text.split_once(' ').ok_or(RecordingError::BadLine { line })?;
    let local_ns = ns.parse().map_err(|_| RecordingError::BadLine { line })?;
    if frame.is_empty() {
        return Err(RecordingError::BadLine { line });
    }
    Ok(RecordedFrame { local_ns, frame })
}

enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

pub struct RecordingWriter {
    path: String,
    sink: Sink,
    frames: u64,
}

impl RecordingWriter {
    pub fn create(path: &Path) -> Result<RecordingWriter, RecordingError> {
        let name = path.display().to_string();
        let io_err = |source| RecordingError::Io { path: name.clone(), source };
        let file = BufWriter::new(File::create(path).map_err(io_err)?);
        let sink = match Compression::from_path(path) {
            Compression::Gzip => Sink::Gzip(GzEncoder::new(file, flate2::Compression::fast())),
            Compression::Zstd => Sink::Zstd(zstd::stream::write::Encoder::new(file, ZSTD_LEVEL).map_err(io_err)?),
            Compression::None => Sink::Plain(file),
        };
        Ok(RecordingWriter { path: name, sink, frames: 0 })
    }

    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Appends one frame; a frame containing a newline would break the format and is refused.
    pub fn write_frame(&mut self, local_ns: u64, frame: &str) -> Result<(), RecordingError> {
        if frame.contains('\n') {
            return Err(RecordingError::Io {
                path: self.path.clone(),
                source: io::Error::new(io::ErrorKind::InvalidInput, "frame contains a newline"),
            });
        }
        let out: &mut dyn Write = match &mut self.sink {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w,
            Sink::Zstd(w) => w,
        };
        writeln!(out, "{local_ns} {frame}").map_err(|source| RecordingError::Io { path: self.path.clone(), source })?;
        self.frames += 1;
        Ok(())
    }

    /// Writes the compression trailer and flushes to disk.
    pub fn finish(self) -> Result<u64, RecordingError> {
        let path = self.path;
        let io_err = |source| RecordingError::Io { path: path.clone(), source };
        let mut file = match self.sink {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w.finish().map_err(io_err)?,
            Sink::Zstd(w) => w.finish().map_err(io_err)?,
        };
        file.flush().map_err(io_err)?;
        Ok(self.frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTURE: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/hftbacktest-samples/hyperliquid_btcusd_20250126.gz");

    fn read_all(path: &Path) -> (Vec<(u64, String)>, u64) {
        let mut reader = RecordingReader::open(path).unwrap();
        let (mut frames, mut bad) = (Vec::new(), 0);
        while let Some(next) = reader.next_frame() {
            match next {
                Ok(f) => frames.push((f.local_ns, f.frame.to_string())),
                Err(RecordingError::BadLine { .. }) => bad += 1,
                Err(e) => panic!("{e}"),
            }
        }
        (frames, bad)
    }

    #[test]
    fn reads_the_real_capture() {
        let path = Path::new(CAPTURE);
        assert!(path.exists(), "missing test data {CAPTURE}");
        let (frames, bad) = read_all(path);
        assert_eq!((frames.len(), bad), (55, 0), "46 l2Book + 9 trades frames");
        assert!(frames.windows(2).all(|w| w[0].0 <= w[1].0), "receive times in order");
        assert!(frames[0].1.starts_with("{\"channel\":\"l2Book\""));
    }

    #[test]
    fn round_trips_in_every_compression_and_reports_bad_lines() {
        let dir = std::env::temp_dir().join(format!("hq-rec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["r.txt", "r.gz", "r.zst"] {
            let path = dir.join(name);
            let mut w = RecordingWriter::create(&path).unwrap();
            w.write_frame(1, r#"{"channel":"pong"}"#).unwrap();
            w.write_frame(2, r#"{"channel":"trades","data":[]}"#).unwrap();
            assert!(w.write_frame(3, "a\nb").is_err(), "newline refused");
            assert_eq!(w.finish().unwrap(), 2);
            let (frames, bad) = read_all(&path);
            assert_eq!(
                frames,
                vec![(1, r#"{"channel":"pong"}"#.to_string()), (2, r#"{"channel":"trades","data":[]}"#.to_string())]
            );
            assert_eq!(bad, 0, "{name}");
        }
        let plain = dir.join("bad.txt");
        std::fs::write(&plain, "no-timestamp\n12 \nx {}\n5 {\"channel\":\"pong\"}\n").unwrap();
        let (frames, bad) = read_all(&plain);
        assert_eq!((frames.len(), bad), (1, 3));
        assert!(matches!(RecordingReader::open(&dir.join("absent.gz")), Err(RecordingError::Io { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
