//! Overcast's database: the schema, typed rows, one portable set of
//! migrations, the connection type over SQLite and PostgreSQL, the
//! blocking-pool bridge async code calls through, PostgreSQL's pipelined
//! reads, and the data helpers every resource shares (keyset lists,
//! compare-and-swap saves, JSON list columns, rows to views). It knows
//! nothing of requests, authorization or hosts.

pub mod models;
mod pipelined;
pub mod schema;
pub mod views;

pub use overcast_types::{ApiError, ApiResult};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, ManageConnection, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
/// What only PostgreSQL has (functions), applied after [`MIGRATIONS`] and
/// recorded in the same table. Each is named with a version of its own
/// (`_v1`), so that a release that changes one keeps the previous
/// release's working during a rolling upgrade.
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations-postgres");

/// One connection type for both backends. Queries are written once against
/// it; diesel dispatches to the backend underneath.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which backend a database URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// How long a SQLite connection waits for a lock another holds before
/// failing with "database is locked": every connection, pooled or not.
const SQLITE_BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 10000;";

#[derive(Debug)]
struct SessionSettings;

impl CustomizeConnection<Pooled, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut Pooled) -> Result<(), diesel::r2d2::Error> {
        match &mut conn.conn {
            DbConn::Sqlite(c) => c.batch_execute(SQLITE_BUSY_TIMEOUT).and_then(|()| {
                c.batch_execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
            }),
            // What placement's per-host locks rely on (each statement reads
            // what was committed when it began), whatever the database's
            // default.
            DbConn::Pg(c) => c.batch_execute(
                "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
            ),
        }
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// A pooled connection, and whether work on it found it dead.
struct Pooled {
    conn: DbConn,
    lost: bool,
}

/// diesel's connection manager, which also drops the connections found
/// dead. The pool does not test a connection before handing it out (a
/// `SELECT 1` was a second round trip for every one-query read); a dead
/// one is found by the work that uses it instead: a read is retried on
/// another connection, and so is a write whose `BEGIN` found it dead.
struct Manager(ConnectionManager<DbConn>);

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        self.0.connect().map(|conn| Pooled { conn, lost: false })
    }

    fn is_valid(&self, c: &mut Pooled) -> Result<(), Self::Error> {
        self.0.is_valid(&mut c.conn)
    }

    fn has_broken(&self, c: &mut Pooled) -> bool {
        c.lost || self.0.has_broken(&mut c.conn)
    }
}

/// A pool of connections plus, for SQLite, the lock that makes writers take
/// turns (SQLite has one writer at a time; taking turns here avoids
/// `SQLITE_BUSY` on lock upgrades inside transactions).
///
/// Requests queue for a connection on an async FIFO semaphore with one
/// permit per connection, not inside the pool: blocked threads waiting on
/// the pool's condition variable are woken in no particular order, which
/// gave a p99 of ~1 s under load where the semaphore gives ~6 ms.
#[derive(Clone)]
pub struct Database {
    pool: Pool<Manager>,
    backend: Backend,
    sqlite_writer: Arc<Mutex<()>>,
    permits: Arc<tokio::sync::Semaphore>,
    /// PostgreSQL's pipelined reads (none on SQLite).
    pipelined: Option<Arc<pipelined::Reads>>,
}

/// Connections per server: about two per core keeps the database busy
/// without the tail latency of oversubscribing the CPUs.
pub fn default_pool_size() -> u32 {
    std::thread::available_parallelism().map_or(4, |n| (n.get() as u32 * 2).max(2))
}

/// Pipelined read connections: one per core, at most the pool's size. Each
/// carries every read in flight on it, so fewer connections send more
/// queries per round trip and per system call; `bench api` on two cores
/// served 31-32k GETs a second on one or two, 26-28k on four or eight, and
/// later, with less in front of it, 34-40k on two against 31-32k on eight.
fn pipelined_connections(pool_size: u32) -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
    cores.min(pool_size).max(1)
}

impl Database {
    /// Connect, apply pending migrations and build the pool.
    pub fn connect(url: &str, pool_size: u32) -> anyhow::Result<Self> {
        let backend = Backend::of_url(url);
        let url = url.strip_prefix("sqlite://").unwrap_or(url).to_string();
        match backend {
            Backend::Postgres => {
                let mut conn = diesel::PgConnection::establish(&url)?;
                // Replicas starting together migrate one at a time (the
                // lock ends with the connection if this one dies).
                conn.batch_execute("SELECT pg_advisory_lock(7962737761)")?;
                let migrated = match conn.run_pending_migrations(MIGRATIONS) {
                    Ok(_) => conn.run_pending_migrations(PG_MIGRATIONS).map(|_| ()),
                    Err(e) => Err(e),
                }
                .map_err(|e| anyhow::anyhow!("migrations: {e}"));
                conn.batch_execute("SELECT pg_advisory_unlock(7962737761)")?;
                migrated?;
            }
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(&url)?;
                // Wait for a lock another connection holds (the last writes
                // of a server that just stopped, `admin operator-token`)
                // rather than fail at once with "database is locked".
                conn.batch_execute(SQLITE_BUSY_TIMEOUT)?;
                conn.batch_execute("PRAGMA journal_mode = WAL;")?;
                conn.run_pending_migrations(MIGRATIONS)
                    .map_err(|e| anyhow::anyhow!("migrations: {e}"))?;
            }
        }
        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_timeout(Duration::from_secs(10))
            .test_on_check_out(false)
            .connection_customizer(Box::new(SessionSettings))
            .build(Manager(ConnectionManager::new(url.clone())))?;
        Ok(Self {
            pool,
            backend,
            sqlite_writer: Arc::new(Mutex::new(())),
            permits: Arc::new(tokio::sync::Semaphore::new(pool_size as usize)),
            pipelined: (backend == Backend::Postgres).then(|| {
                Arc::new(pipelined::Reads::new(
                    url.clone(),
                    pipelined_connections(pool_size),
                ))
            }),
        })
    }

    /// A read by id: `pipelined` on one of PostgreSQL's pipelined reads
    /// (`pipelined.rs`) when one can be had and it gives an answer
    /// (`Some`), otherwise `blocking` on the blocking pool. The two must
    /// give the same answer; the first is only faster.
    pub async fn read_by_id<A, T, P, F>(&self, args: A, pipelined: P, blocking: F) -> ApiResult<T>
    where
        A: Send + 'static,
        T: Send + 'static,
        P: AsyncFnOnce(&diesel_async::AsyncPgConnection, &A) -> QueryResult<Option<ApiResult<T>>>,
        F: Fn(&mut DbConn, &A) -> ApiResult<T> + Send + 'static,
    {
        if let Some(slot) = &self.pipelined
            && let Some(read) = pipelined::Reads::get(slot).await
        {
            let found = pipelined(read.conn(), &args).await;
            if let Some(Some(answer)) = read.outcome(found) {
                return answer;
            }
        }
        self.read(move |c| blocking(c, &args)).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether every migration this build carries has been applied (a
    /// database migrated further, by a newer release, also counts: the
    /// migrations of one release keep the previous release working).
    pub async fn migrations_current(&self) -> ApiResult<bool> {
        use diesel::migration::MigrationSource;
        let sources: &[&EmbeddedMigrations] = match self.backend {
            Backend::Postgres => &[&MIGRATIONS, &PG_MIGRATIONS],
            Backend::Sqlite => &[&MIGRATIONS],
        };
        let mut latest = String::new();
        for source in sources {
            let versions = MigrationSource::<diesel::pg::Pg>::migrations(*source)
                .map_err(|e| ApiError::internal(format!("the embedded migrations: {e}")))?;
            for m in versions {
                latest = latest.max(m.name().version().to_string());
            }
        }
        self.read(move |c| {
            #[derive(QueryableByName)]
            struct Applied {
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
                version: Option<String>,
            }
            let applied: Applied =
                diesel::sql_query("SELECT MAX(version) AS version FROM __diesel_schema_migrations")
                    .get_result(c)?;
            Ok(applied.version.is_some_and(|v| v >= latest))
        })
        .await
    }

    /// Run read-only work on a pooled connection, off the async threads.
    /// Work that finds its connection dead runs again on another (every
    /// pooled connection may be dead after the database restarted).
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&mut DbConn) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            on_live(&pool, |c| f(c)).map(|(value, _)| value)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Run work in one transaction. On error nothing of it is kept.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let lock = (self.backend == Backend::Sqlite).then(|| self.sqlite_writer.clone());
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let _turn = lock
                .as_ref()
                .map(|l| l.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
            let mut pooled = begun(&pool)?;
            let done = run_and_end(&mut pooled.conn, f);
            if let Err(e) = &done
                && e.is_connection_lost()
            {
                pooled.lost = true;
            }
            done
        })
        .await
        .map_err(ApiError::internal)?
    }
}

/// Microseconds since the Unix epoch, the unit every time column uses.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// Run `f` on a pooled connection, and again on the next while it finds
/// its connection dead (a dead one leaves the pool; after the database
/// restarted, every pooled one may be): what it gave, and the connection.
fn on_live<T>(
    pool: &Pool<Manager>,
    mut f: impl FnMut(&mut DbConn) -> ApiResult<T>,
) -> ApiResult<(T, diesel::r2d2::PooledConnection<Manager>)> {
    let mut tries = pool.max_size() + 1;
    loop {
        let mut pooled = pool.get().map_err(pool_error)?;
        match f(&mut pooled.conn) {
            Ok(value) => return Ok((value, pooled)),
            Err(e) => {
                tries -= 1;
                if !e.is_connection_lost() || tries == 0 {
                    pooled.lost = e.is_connection_lost();
                    return Err(e);
                }
                pooled.lost = true;
            }
        }
    }
}

/// A connection with a transaction begun on it. One whose `BEGIN` finds it
/// dead (nothing ran on it) is replaced. Once begun, a write that loses
/// its connection is not run again: it may or may not have committed.
fn begun(pool: &Pool<Manager>) -> ApiResult<diesel::r2d2::PooledConnection<Manager>> {
    use diesel::connection::TransactionManager;
    on_live(pool, |c| Ok(Transactions::begin_transaction(c)?)).map(|((), pooled)| pooled)
}

type Transactions = <DbConn as Connection>::TransactionManager;

/// Run `f` in the transaction begun on `conn`: commit what it did, or roll
/// it back if it failed (what diesel's `Connection::transaction` does
/// after its `BEGIN`).
fn run_and_end<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> ApiResult<T>) -> ApiResult<T> {
    use diesel::connection::TransactionManager;
    match f(conn) {
        Ok(value) => Transactions::commit_transaction(conn)
            .map(|()| value)
            .map_err(ApiError::from),
        Err(e) => match Transactions::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(e),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

fn pool_error(err: diesel::r2d2::PoolError) -> ApiError {
    ApiError::internal(format!("database pool: {err}"))
}

/// Parse a JSON list column (ids of avoid hints, SSH keys).
pub fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Parse a JSON list column of typed ids (entries that do not parse are skipped).
pub fn json_ids<T: std::str::FromStr>(text: &str) -> Vec<T> {
    json_list(text)
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Render a JSON list column.
pub fn to_json_list<T: AsRef<str>>(items: &[T]) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&items).expect("list serializes")
}

/// Generates a keyset-paginated list, ordered by name, of the rows of
/// `$table` whose `$column` equals a value.
#[macro_export]
macro_rules! list_by_name {
    ($fn:ident, $table:ident, $row:ty, $column:ident, $key:ty) => {
        pub fn $fn(
            conn: &mut $crate::DbConn,
            value: &$key,
            page: &overcast_types::PageRequest,
        ) -> overcast_types::ApiResult<overcast_types::Page<$row>> {
            use diesel::prelude::*;
            use $crate::schema::$table;
            let mut query = $table::table
                .filter($table::$column.eq(value))
                .select(<$row>::as_select())
                .order($table::name.asc())
                .limit(page.fetch())
                .into_boxed();
            if let Some(after) = &page.after {
                query = query.filter($table::name.gt(after));
            }
            Ok(page.finish(query.load(conn)?, |r| r.name.clone()))
        }
    };
}

/// Write back a changed row if nobody changed it since it was read: the
/// compare-and-swap on `generation` that makes concurrent updates safe.
/// Bumps `generation` and `time_modified`.
#[macro_export]
macro_rules! save_row {
    ($conn:expr, $table:ident, $row:expr) => {{
        use diesel::prelude::*;
        use $crate::schema::$table;
        let row = &mut $row;
        let read_generation = row.generation;
        row.generation += 1;
        row.time_modified = $crate::now_micros();
        let changed = diesel::update($table::table.find(row.id.clone()))
            .filter($table::generation.eq(read_generation))
            .set(&*row)
            .execute($conn)?;
        if changed == 0 {
            Err(overcast_types::ApiError::precondition_failed(
                "the resource changed while this request was updating it; read it again and retry",
            ))
        } else {
            Ok(())
        }
    }};
}
