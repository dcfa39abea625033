//! The frames the mock server replays: a recording file (read by [`RecordingReader`], the
//! format of `../shared/data`) or frames handed over in memory.
//!
//! Each frame keeps its raw text, so a replayed frame is byte for byte the recorded one, and
//! its offset from the recording's first frame, so every subscription replays the one
//! timeline (books and trades keep their recorded interleaving). Channel and coin are read
//! once here; the server only compares strings. A coin is renamed (a BTC capture served as
//! `hyna:HYPE`) by rewriting the frame once, when a subscription starts.

use std::io;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::venues::recording::{RecordingError, RecordingReader};

/// Offset (ns) from one pass over a recording to the next when looping, when the
/// recording has a single frame and so no inter-frame gap to repeat.
const SINGLE_FRAME_LOOP_PERIOD_NS: u64 = 1_000_000_000;
/// The shortest loop period (ns): a recording whose frames share one timestamp still
/// advances its clock from one pass to the next.
const MIN_LOOP_PERIOD_NS: u64 = 1_000_000;

/// One server frame as the mock holds it.
#[derive(Debug, Clone)]
pub struct MockFrame {
    /// Local receive time as recorded, ns since the Unix epoch.
    pub local_ns: u64,
    /// Replay offset from the recording's first frame, ns; never decreases along the recording.
    pub offset_ns: u64,
    /// The frame's `channel`.
    pub channel: String,
    /// `data.coin`, or the first trade's `coin` for `trades` frames; `None` for channels without one.
    pub coin: Option<String>,
    /// The raw frame, sent as it was recorded.
    pub text: Utf8Bytes,
}

/// An immutable, cheaply cloned sequence of frames in recorded order.
#[derive(Debug, Clone)]
pub struct MockRecording {
    frames: Arc<[MockFrame]>,
}

impl MockRecording {
    /// Reads a whole recording file (`.gz`, `.zst` or plain). A missing file or any malformed
    /// line is an error that names it: fixtures fail loudly, never half-load.
    pub fn from_file(path: impl AsRef<Path>) -> io::Result<Self> {
        let mut reader = RecordingReader::open(path.as_ref()).map_err(into_io)?;
        let mut frames = Vec::new();
        while let Some(frame) = reader.next_frame() {
            let frame = frame.map_err(into_io)?;
            frames.push((frame.local_ns, frame.frame.to_owned()));
        }
        Self::from_frames(frames)
    }

    /// Frames given in memory as `(local_ns, json)`, in the order they are to be replayed.
    /// Each must be a JSON object with a string `channel`.
    pub fn from_frames<S: Into<String>>(frames: impl IntoIterator<Item = (u64, S)>) -> io::Result<Self> {
        let mut parsed: Vec<MockFrame> = Vec::new();
        let mut first_ns = None;
        let mut last_offset_ns = 0;
        for (index, (local_ns, json)) in frames.into_iter().enumerate() {
            let json: String = json.into();
            let value: Value = serde_json::from_str(&json).map_err(|err| invalid(index + 1, &err.to_string()))?;
            let channel = value
                .get("channel")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(index + 1, "frame has no string `channel`"))?
                .to_owned();
            let first = *first_ns.get_or_insert(local_ns);
            last_offset_ns = last_offset_ns.max(local_ns.saturating_sub(first));
            parsed.push(MockFrame {
                local_ns,
                offset_ns: last_offset_ns,
                channel,
                coin: frame_coin(&value).map(str::to_owned),
                text: Utf8Bytes::from(json),
            });
        }
        Ok(Self { frames: parsed.into() })
    }

    pub fn frames(&self) -> &[MockFrame] {
        &self.frames
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// How far one looping pass moves the replay clock: the recorded span plus one mean
    /// inter-frame gap, so the last frame of a pass and the first of the next stay apart.
    pub(super) fn loop_period_ns(&self) -> u64 {
        let span_ns = self.frames.last().map_or(0, |frame| frame.offset_ns);
        let gap_ns = match self.frames.len() {
            0 | 1 => SINGLE_FRAME_LOOP_PERIOD_NS,
            n => span_ns / (n as u64 - 1),
        };
        (span_ns + gap_ns).max(MIN_LOOP_PERIOD_NS)
    }

    /// The frames of `channel` (and of `recorded_coin`, when given) as a subscription replays
    /// them: `(offset_ns, text)`, with the coin renamed to `served_coin` where that differs.
    pub(super) fn select(
        &self,
        channel: &str,
        recorded_coin: Option<&str>,
        served_coin: Option<&str>,
    ) -> Arc<[StreamFrame]> {
        let rename = match (recorded_coin, served_coin) {
            (Some(recorded), Some(served)) if recorded != served => Some((recorded, served)),
            _ => None,
        };
        self.frames
            .iter()
            .filter(|frame| frame.channel == channel)
            .filter(|frame| recorded_coin.is_none() || frame.coin.as_deref() == recorded_coin)
            .map(|frame| StreamFrame {
                offset_ns: frame.offset_ns,
                text: match rename {
                    Some((from, to)) => rename_coin(&frame.text, from, to).unwrap_or_else(|| frame.text.clone()),
                    None => frame.text.clone(),
                },
            })
            .collect()
    }
}

/// A frame as one subscription sends it.
#[derive(Debug, Clone)]
pub(super) struct StreamFrame {
    pub offset_ns: u64,
    pub text: Utf8Bytes,
}

fn invalid(frame: usize, what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("recording frame {frame}: {what}"))
}

fn into_io(err: RecordingError) -> io::Error {
    let kind = match &err {
        RecordingError::Io { source, .. } => source.kind(),
        RecordingError::BadLine { .. } => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, err.to_string())
}

/// `data.coin`, or `data[0].coin` for channels whose data is an array (`trades`).
fn frame_coin(frame: &Value) -> Option<&str> {
    let data = frame.get("data")?;
    let holder = match data {
        Value::Array(items) => items.first()?,
        other => other,
    };
    holder.get("coin").and_then(Value::as_str)
}

/// The frame with every `coin` equal to `from` in `data` (or in each item of an array `data`)
/// set to `to`; `None` if the text is not a JSON object.
fn rename_coin(text: &str, from: &str, to: &str) -> Option<Utf8Bytes> {
    let mut frame: Value = serde_json::from_str(text).ok()?;
    let data = frame.get_mut("data")?;
    let rename = |holder: &mut Value| {
        if let Some(coin) = holder.get_mut("coin") {
            if coin.as_str() == Some(from) {
                *coin = Value::String(to.to_owned());
            }
        }
    };
    match data {
        Value::Array(items) => items.iter_mut().for_each(rename),
        other => rename(other),
    }
    serde_json::to_string(&frame).ok().map(Utf8Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_from_the_first_frame_and_never_decrease() {
        let rec = MockRecording::from_frames([
            (1_000, r#"{"channel":"l2Book","data":{"coin":"BTC"}}"#),
            (3_000, r#"{"channel":"trades","data":[{"coin":"BTC"}]}"#),
            (2_000, r#"{"channel":"allMids","data":{"mids":{}}}"#),
        ])
        .unwrap();
        let seen: Vec<_> = rec.frames().iter().map(|f| (f.offset_ns, f.channel.as_str(), f.coin.as_deref())).collect();
        assert_eq!(seen, [(0, "l2Book", Some("BTC")), (2_000, "trades", Some("BTC")), (2_000, "allMids", None)]);
        assert_eq!(rec.loop_period_ns(), MIN_LOOP_PERIOD_NS);
    }

    #[test]
    fn malformed_frames_are_errors_that_name_the_frame() {
        let err = MockRecording::from_frames([(1, r#"{"channel":"pong"}"#), (2, "{\"data\":1}")]).unwrap_err();
        assert!(err.to_string().contains("frame 2"), "{err}");
        assert!(MockRecording::from_frames([(1, "not json")]).is_err());
        let missing = MockRecording::from_file("/nonexistent/recording.gz").unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn select_filters_by_channel_and_coin_and_renames() {
        let rec = MockRecording::from_frames([
            (0, r#"{"channel":"trades","data":[{"coin":"BTC","tid":1},{"coin":"BTC","tid":2}]}"#),
            (1, r#"{"channel":"trades","data":[{"coin":"ETH","tid":3}]}"#),
            (2, r#"{"channel":"l2Book","data":{"coin":"BTC"}}"#),
        ])
        .unwrap();
        let served = rec.select("trades", Some("BTC"), Some("hyna:HYPE"));
        assert_eq!(served.len(), 1);
        assert_eq!(
            served[0].text.as_str(),
            r#"{"channel":"trades","data":[{"coin":"hyna:HYPE","tid":1},{"coin":"hyna:HYPE","tid":2}]}"#
        );
        let book = rec.select("l2Book", Some("BTC"), Some("BTC"));
        assert_eq!(book[0].text.as_str(), rec.frames()[2].text.as_str());
        assert!(rec.select("bbo", Some("BTC"), Some("BTC")).is_empty());
    }
}
