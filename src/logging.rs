//! Logging: `tracing` through a non-blocking writer, so no actor thread ever waits on the
//! terminal or a file. Lines go to stderr (stdout is kept for `--json`), as text or JSON.

use crate::config::{LogFormat, LoggingSection};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Keep the guard alive until exit: dropping it flushes.
/// Returns `None` if a subscriber was already installed (tests run several engines).
pub fn init(section: &LoggingSection) -> Option<WorkerGuard> {
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    let filter = EnvFilter::try_new(&section.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_writer(writer).with_env_filter(filter);
    let installed = match section.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.ok().map(|()| guard)
}
