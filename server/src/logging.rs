//! The server's log: one line per event (text, or JSON with
//! `OVERCAST_LOG_FORMAT=json`), filtered by `OVERCAST_LOG` (default `info`).
//!
//! Lines are formatted on the thread that logs them and written by a
//! thread of their own (`tracing-appender`), which writes whatever has
//! queued up in one system call. Every request logs a line, and writing
//! each one to standard output from the request's thread cost about a
//! tenth of the server's CPU under load. Nothing is dropped: a logger that
//! gets ahead of the writer waits for it.

use std::io::Write;

use tracing_subscriber::EnvFilter;

/// Keeps the writer thread; dropping it writes out what is queued.
#[must_use = "the log is written out when this is dropped"]
pub struct LogGuard {
    _writer: tracing_appender::non_blocking::WorkerGuard,
}

/// Send the process's log to `out`; `ansi` for colour on a terminal.
pub fn init<W: Write + Send + 'static>(out: W, ansi: bool) -> LogGuard {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("overcast-log")
        .finish(std::io::BufWriter::new(out));
    let filter = EnvFilter::try_from_env("OVERCAST_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer);
    if std::env::var("OVERCAST_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
    LogGuard { _writer: guard }
}
