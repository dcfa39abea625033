//! `hyperquote record`: writes live Hyperliquid market data to a recording file, one frame
//! a line as `<local receive ns> <frame>` (the format of `../shared/data`; gzip or zstd by
//! the file's extension). The WebSocket client hands each frame over a channel to the
//! writing thread, so disk I/O never delays the socket and the receive stamps stay true.

use actors::venues::hyperliquid::ws_client::{WsClient, WsClientConfig, WsCountersSnapshot, WsInput};
use actors::venues::recording::{RecordingError, RecordingWriter};
use crossbeam_channel::{bounded, RecvTimeoutError};
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Frames buffered between the socket thread and the writer before frames are dropped.
const BUFFERED_FRAMES: usize = 65_536;
/// How often the writer looks at the stop flag and the deadline while no frame arrives.
const POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, Serialize)]
pub struct RecordSummary {
    pub frames_written: u64,
    /// Frames lost because the writer fell behind by a whole buffer (should stay 0).
    pub frames_dropped: u64,
    pub connection: WsCountersSnapshot,
    pub elapsed_s: f64,
}

/// Records `coins` from `url` into `out` until `duration` passes or `stop` is set.
pub fn record(
    url: &str,
    coins: &[String],
    out: &Path,
    duration: Duration,
    stop: &AtomicBool,
) -> Result<RecordSummary, RecordingError> {
    let mut writer = RecordingWriter::create(out)?;
    let (tx, rx) = bounded::<(u64, String)>(BUFFERED_FRAMES);
    let dropped = Arc::new(AtomicU64::new(0));
    let lost = dropped.clone();
    let config = WsClientConfig::market_data(url, coins);
    let sink = move |input: WsInput<'_>| match input {
        WsInput::Frame { local_ns, text } => {
            if tx.try_send((local_ns, text.to_string())).is_err() {
                lost.fetch_add(1, Ordering::Relaxed);
            }
        }
        WsInput::Event(event) => tracing::info!(?event, "recorder connection"),
    };
    let started = Instant::now();
    let client = WsClient::start(config, sink)
        .map_err(|source| RecordingError::Io { path: "websocket client thread".into(), source })?;
    let deadline = started + duration;
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
        match rx.recv_timeout(POLL.min(deadline.saturating_duration_since(Instant::now()))) {
            Ok((local_ns, frame)) => writer.write_frame(local_ns, &frame)?,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let connection = client.stop();
    while let Ok((local_ns, frame)) = rx.try_recv() {
        writer.write_frame(local_ns, &frame)?;
    }
    let frames_written = writer.finish()?;
    Ok(RecordSummary {
        frames_written,
        frames_dropped: dropped.load(Ordering::Relaxed),
        connection,
        elapsed_s: started.elapsed().as_secs_f64(),
    })
}
