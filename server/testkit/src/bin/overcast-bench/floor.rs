//! The floors of `bench api`: the least any Rust server on axum can do
//! for one primary-key read, so that the API's figure can be read against
//! what its driver allows on this machine, not only against pgbench.
//!
//! Both floors answer `GET /` with one row of `pgbench_accounts` as JSON,
//! and nothing else: no token, no log, no metrics.
//! - *async*: tokio-postgres, a prepared statement, requests pipelined over
//!   a fixed set of connections (what an async driver allows);
//! - *sync*: diesel's `PgConnection` from an r2d2 pool, one query per
//!   blocking task (the driver and pool the server uses today).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use axum::{Json, Router, extract::State, routing::get};
use diesel::prelude::*;
use serde_json::{Value, json};

/// How many connections each floor holds, as the server's pool does.
const CONNECTIONS: usize = 8;
/// The rows pgbench's scale 10 holds.
const ACCOUNTS: usize = 1_000_000;

const SELECT: &str = "SELECT aid, bid, abalance, filler FROM pgbench_accounts WHERE aid = $1";

/// A floor server: where it listens, and the runtime it runs on.
pub struct Floor {
    pub base: String,
    rt: tokio::runtime::Runtime,
}

impl Floor {
    pub fn stop(self) {
        self.rt.shutdown_background();
    }
}

fn next_aid(counter: &AtomicUsize) -> (usize, i32) {
    let n = counter.fetch_add(1, Ordering::Relaxed);
    (n, (n % ACCOUNTS) as i32 + 1)
}

struct AsyncState {
    clients: Vec<(tokio_postgres::Client, tokio_postgres::Statement)>,
    counter: AtomicUsize,
}

async fn async_read(State(s): State<Arc<AsyncState>>) -> Json<Value> {
    let (n, aid) = next_aid(&s.counter);
    let (client, statement) = &s.clients[n % s.clients.len()];
    let row = client
        .query_one(statement, &[&aid])
        .await
        .expect("the floor's read");
    Json(json!({
        "aid": row.get::<_, i32>(0),
        "bid": row.get::<_, i32>(1),
        "abalance": row.get::<_, i32>(2),
        "filler": row.get::<_, String>(3),
    }))
}

#[derive(QueryableByName)]
struct Account {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    aid: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    bid: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    abalance: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    filler: String,
}

type SyncPool = diesel::r2d2::Pool<diesel::r2d2::ConnectionManager<PgConnection>>;

struct SyncState {
    pool: SyncPool,
    counter: AtomicUsize,
}

async fn sync_read(State(s): State<Arc<SyncState>>) -> Json<Value> {
    let (_, aid) = next_aid(&s.counter);
    let pool = s.pool.clone();
    let a = tokio::task::spawn_blocking(move || {
        let mut c = pool.get().expect("a pooled connection");
        diesel::sql_query(SELECT)
            .bind::<diesel::sql_types::Integer, _>(aid)
            .get_result::<Account>(&mut c)
            .expect("the floor's read")
    })
    .await
    .expect("the blocking read");
    Json(json!({"aid": a.aid, "bid": a.bid, "abalance": a.abalance, "filler": a.filler}))
}

/// Serve `router` on 127.0.0.1 from a runtime of its own with two
/// workers, as the server runs.
fn serve(rt: tokio::runtime::Runtime, router: Router) -> Result<Floor> {
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let base = format!("http://{}", listener.local_addr()?);
    rt.spawn(async move { axum::serve(listener, router).await });
    Ok(Floor { base, rt })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// The async floor on the database at `url` (key=value or URL form).
pub fn start_async(url: &str) -> Result<Floor> {
    let rt = runtime()?;
    let clients = rt.block_on(async {
        let mut clients = Vec::new();
        for _ in 0..CONNECTIONS {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .context("the async floor's connection")?;
            tokio::spawn(connection);
            let statement = client.prepare(SELECT).await?;
            clients.push((client, statement));
        }
        anyhow::Ok(clients)
    })?;
    let state = Arc::new(AsyncState {
        clients,
        counter: AtomicUsize::new(0),
    });
    serve(
        rt,
        Router::new().route("/", get(async_read)).with_state(state),
    )
}

/// The sync floor on the database at `url`.
pub fn start_sync(url: &str) -> Result<Floor> {
    let pool = diesel::r2d2::Pool::builder()
        .max_size(CONNECTIONS as u32)
        .test_on_check_out(false)
        .build(diesel::r2d2::ConnectionManager::<PgConnection>::new(url))
        .context("the sync floor's pool")?;
    let state = Arc::new(SyncState {
        pool,
        counter: AtomicUsize::new(0),
    });
    serve(
        runtime()?,
        Router::new().route("/", get(sync_read)).with_state(state),
    )
}
