//! The server's log: one line per event (text, or JSON with
//! `OVERCAST_LOG_FORMAT=json`), filtered by `OVERCAST_LOG` (default `info`).
//!
//! Lines are formatted on the thread that logs them, appended to a shared
//! buffer, and written by a thread of their own in batches: it wakes when
//! the buffer stops being empty, lets lines gather for [`LINGER`], and
//! writes them all in one system call. Every request logs a line:
//! - writing each one to standard output from the request's thread cost
//!   about a tenth of the server's CPU under load;
//! - `tracing-appender`'s writer thread, which took lines one at a time
//!   from a channel, spun and yielded between lines (`sched_yield`), about
//!   8% of a two-core machine under load.
//!
//! Nothing is dropped: a logger that gets [`MAX_QUEUED`] bytes ahead of the
//! writer waits for it. The guard writes out what is queued when dropped.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How long the writer lets lines gather once the first has arrived: the
/// most a line waits, and at most 1 / LINGER writes a second.
const LINGER: Duration = Duration::from_millis(5);
/// How far loggers may get ahead of the writer before they wait.
const MAX_QUEUED: usize = 4 << 20;

#[derive(Default)]
struct Queue {
    lines: Vec<u8>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    /// The queue stopped being empty, or closed.
    filled: Condvar,
    /// The writer took the queue.
    drained: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A logger never panics holding the lock; if one did, the lines are
        // still worth writing.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Write batches to `out` until closed and empty.
    fn write_to(&self, mut out: impl Write) {
        let mut batch = Vec::new();
        loop {
            let mut queue = self.lock();
            while queue.lines.is_empty() && !queue.closed {
                queue = self.filled.wait(queue).unwrap_or_else(|p| p.into_inner());
            }
            if queue.lines.is_empty() {
                return;
            }
            if !queue.closed {
                drop(queue);
                std::thread::sleep(LINGER);
                queue = self.lock();
            }
            std::mem::swap(&mut batch, &mut queue.lines);
            drop(queue);
            self.drained.notify_all();
            // A log that cannot be written has nowhere to report it.
            let _ = out.write_all(&batch).and_then(|()| out.flush());
            batch.clear();
        }
    }
}

/// What the formatter writes each line to.
#[derive(Clone)]
struct Lines(Arc<Shared>);

impl Write for &Lines {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let shared = &self.0;
        let mut queue = shared.lock();
        while queue.lines.len() >= MAX_QUEUED && !queue.closed {
            queue = shared
                .drained
                .wait(queue)
                .unwrap_or_else(|p| p.into_inner());
        }
        let was_empty = queue.lines.is_empty();
        queue.lines.extend_from_slice(line);
        drop(queue);
        if was_empty {
            shared.filled.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Lines {
    type Writer = &'a Lines;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

/// Keeps the writer thread; dropping it writes out what is queued.
#[must_use = "the log is written out when this is dropped"]
pub struct LogGuard {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.filled.notify_one();
        self.shared.drained.notify_all();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Send the process's log to `out`; `ansi` for colour on a terminal.
pub fn init<W: Write + Send + 'static>(out: W, ansi: bool) -> LogGuard {
    let shared = Arc::new(Shared::default());
    let writer = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("overcast-log".into())
            .spawn(move || shared.write_to(out))
            .expect("spawning the log's writer thread")
    };
    let filter = EnvFilter::try_from_env("OVERCAST_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(Lines(shared.clone()));
    if std::env::var("OVERCAST_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
    LogGuard {
        shared,
        writer: Some(writer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output that keeps what it is given.
    #[derive(Clone, Default)]
    struct Kept(Arc<Mutex<Vec<u8>>>);

    impl Write for Kept {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_is_written_once_in_order_and_all_by_close() {
        let shared = Arc::new(Shared::default());
        let kept = Kept::default();
        let writer = {
            let (shared, kept) = (shared.clone(), kept.clone());
            std::thread::spawn(move || shared.write_to(kept))
        };
        let lines = Lines(shared.clone());
        let loggers: Vec<_> = (0..4)
            .map(|t| {
                let lines = lines.clone();
                std::thread::spawn(move || {
                    // As the formatter does: one whole line per write.
                    for i in 0..20_000 {
                        (&lines).write_all(format!("{t} {i}\n").as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for logger in loggers {
            logger.join().unwrap();
        }
        drop(LogGuard {
            shared,
            writer: Some(writer),
        });
        let text = String::from_utf8(kept.0.lock().unwrap().clone()).unwrap();
        let mut next = [0; 4];
        for line in text.lines() {
            let (t, i) = line.split_once(' ').unwrap();
            let (t, i): (usize, u32) = (t.parse().unwrap(), i.parse().unwrap());
            assert_eq!(i, next[t], "logger {t}'s lines out of order or lost");
            next[t] += 1;
        }
        assert_eq!(next, [20_000; 4], "every line written by close");
    }
}
