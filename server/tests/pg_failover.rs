//! PostgreSQL's own HA, as the README documents it: a primary and a hot
//! standby streaming synchronously, the server given both addresses with
//! `target_session_attrs=read-write`. The primary dies, the standby is
//! promoted, and the server carries on by itself: no acknowledged write is
//! lost.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use overcast_testkit::{Backend, Hosts, PgPair, TestServer};
use serde_json::json;

/// The body of a 1 MiB drive's create.
fn drive(name: &str) -> serde_json::Value {
    json!({"name": name, "size_bytes": 1 << 20})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promoted_standby_carries_on_with_every_acknowledged_write() {
    let pair = tokio::task::spawn_blocking(PgPair::start)
        .await
        .unwrap()
        .expect("a primary and a standby");
    let url = pair.url("overcast");
    {
        let primary = pair.primary.url("postgres");
        tokio::task::spawn_blocking(move || {
            let mut c = diesel::PgConnection::establish(&primary).unwrap();
            c.batch_execute("CREATE DATABASE overcast").unwrap();
        })
        .await
        .unwrap();
    }
    let t = TestServer::start_configured(Backend::Postgres, Hosts::Simulated(1), |c| {
        c.database = Some(url.clone());
    })
    .await
    .unwrap();
    let a = t.tenant("acme").await;

    // Every write acknowledged before the primary dies.
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        let d = t
            .create("/v1/drives?project=main", &a.rw, drive(&format!("d{i}")))
            .await;
        acknowledged.push(d["id"].as_str().unwrap().to_string());
    }
    pair.kill_primary().unwrap();
    let killed = Instant::now();
    pair.promote_standby().unwrap();
    let promoted = killed.elapsed();

    // The server finds the new primary by itself; writes resume.
    let resumed = loop {
        let r = t
            .post("/v1/drives?project=main", &a.rw, drive("after"))
            .await;
        if r.status == 201 {
            break killed.elapsed();
        }
        assert!(
            killed.elapsed() < Duration::from_secs(30),
            "no write accepted 30 s after the failover: {} {}",
            r.status,
            r.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "primary killed, standby promoted in {:.2} s, writes accepted again {:.2} s after the kill",
        promoted.as_secs_f64(),
        resumed.as_secs_f64()
    );
    for id in &acknowledged {
        let r = t.get(&format!("/v1/drives/{id}"), &a.rw).await;
        assert_eq!(r.status, 200, "acknowledged drive {id} lost: {}", r.body);
    }
    let r = t
        .call(reqwest::Method::GET, "/healthz", None, None, &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    t.stop().await;
}

/// Every pooled connection dies at once, as when PostgreSQL restarts: the
/// pool does not test connections before handing them out, so the next
/// read and the next write meet dead ones, and are answered all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_died_under_the_pool_cost_no_request_an_error() {
    let t = TestServer::start(Backend::Postgres).await.unwrap();
    let a = t.tenant("acme").await;
    let d = t
        .create("/v1/drives?project=main", &a.rw, drive("before"))
        .await;
    // A read by id first, so that the pipelined reads have connections
    // to lose as well.
    let id = d["id"].as_str().unwrap();
    assert_eq!(t.get(&format!("/v1/drives/{id}"), &a.rw).await.status, 200);
    let url = t.database.clone().expect("a PostgreSQL database");
    let killed = tokio::task::spawn_blocking(move || {
        #[derive(QueryableByName)]
        struct Killed {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut c = diesel::PgConnection::establish(&url).unwrap();
        let k: Killed = diesel::sql_query(
            "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .get_result(&mut c)
        .unwrap();
        k.n
    })
    .await
    .unwrap();
    assert!(
        killed >= 8,
        "the server's pool of 8 was not all there: {killed}"
    );
    for _ in 0..3 {
        let r = t.get(&format!("/v1/drives/{id}"), &a.rw).await;
        assert_eq!(
            r.status, 200,
            "a read after the connections died: {}",
            r.body
        );
    }
    let r = t
        .post("/v1/drives?project=main", &a.rw, drive("after"))
        .await;
    assert_eq!(
        r.status, 201,
        "a write after the connections died: {}",
        r.body
    );
    t.stop().await;
}
