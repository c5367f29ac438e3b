//! PostgreSQL's pipelined reads: a few connections, each shared by every
//! read in flight on it (diesel-async over tokio-postgres), for the reads
//! that need no transaction (a resource by id).
//!
//! The blocking path hands each query to a blocking thread and back; on
//! two cores those hand-offs cost more than the query (`bench api`: GET by
//! id 18 k/s on the blocking path, 28 k/s pipelined). Here a read is sent
//! from the request's own task, and reads sent together on one connection
//! travel together.
//!
//! This path is only ever a faster way to the same answer: a read that
//! cannot be had here (no connection yet, a failed connect, an error on
//! the connection) is run on the blocking path, which answers or reports
//! the error as every other read does. Its connections are read-only.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::result::QueryResult;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

/// How long a connect may take before the read goes the blocking way.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// After a failed connect, how long reads go the blocking way before the
/// next attempt (a database that is down is not dialled per request).
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The connections, each in a slot that is empty until first used and
/// again after an error on it.
pub(crate) struct Reads {
    url: String,
    slots: Vec<Mutex<Option<Arc<AsyncPgConnection>>>>,
    next: AtomicUsize,
    failed_at: Mutex<Option<Instant>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Reads {
    pub(crate) fn new(url: String, connections: u32) -> Self {
        Self {
            url,
            slots: (0..connections.max(1)).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
            failed_at: Mutex::new(None),
        }
    }

    /// The next connection in turn, dialled if its slot is empty.
    pub(crate) async fn get(self: &Arc<Self>) -> Option<Pipelined> {
        let slot = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        if let Some(conn) = locked(&self.slots[slot]).clone() {
            return Some(self.handle(conn, slot));
        }
        if locked(&self.failed_at).is_some_and(|at| at.elapsed() < RETRY_AFTER) {
            return None;
        }
        match tokio::time::timeout(CONNECT_TIMEOUT, self.connect()).await {
            Ok(Ok(conn)) => {
                // Two reads may both have dialled for an empty slot: the
                // first kept is used, the other closes.
                *locked(&self.failed_at) = None;
                let conn = locked(&self.slots[slot])
                    .get_or_insert(Arc::new(conn))
                    .clone();
                Some(self.handle(conn, slot))
            }
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no answer in {CONNECT_TIMEOUT:?}"),
                };
                // Said once per outage, not at every retry.
                if locked(&self.failed_at).replace(Instant::now()).is_none() {
                    tracing::warn!(
                        error = %why,
                        "pipelined reads: cannot connect; reads take the blocking pool meanwhile"
                    );
                }
                None
            }
        }
    }

    async fn connect(&self) -> QueryResult<AsyncPgConnection> {
        let mut conn = AsyncPgConnection::establish(&self.url).await.map_err(|e| {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UnableToSendCommand,
                Box::new(e.to_string()),
            )
        })?;
        conn.batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            .await?;
        Ok(conn)
    }

    fn handle(self: &Arc<Self>, conn: Arc<AsyncPgConnection>, slot: usize) -> Pipelined {
        Pipelined {
            conn,
            slot,
            reads: self.clone(),
        }
    }
}

/// One read's hold on a shared connection.
pub(crate) struct Pipelined {
    conn: Arc<AsyncPgConnection>,
    slot: usize,
    reads: Arc<Reads>,
}

impl Pipelined {
    /// The connection to run the read on.
    pub(crate) fn conn(&self) -> &AsyncPgConnection {
        &self.conn
    }

    /// What the read found, or `None` when it failed: the connection
    /// leaves its slot (an error on a shared connection is rare, and a
    /// fresh one is the safe answer), and the caller runs the read on the
    /// blocking path.
    pub(crate) fn outcome<T>(self, result: QueryResult<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                tracing::debug!(error = %e, "pipelined read failed; the blocking path answers");
                let mut slot = locked(&self.reads.slots[self.slot]);
                if slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, &self.conn)) {
                    *slot = None;
                }
                None
            }
        }
    }
}
