//! Several replicas of the control plane on one PostgreSQL database: any
//! replica serves any request, including those that reach a host whose
//! session another replica holds; SQLite refuses a second server.
//!
//! The simulated hosts hold their sessions with the first replica, so
//! everything done through the other two is relayed.

use std::time::Duration;

use overcast_server::{Config, Server};
use overcast_testkit::{Api, Backend, Hosts, TempDir, TestServer};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_replica_serves_every_request() {
    let t = TestServer::start_with(Backend::Postgres, Hosts::Simulated(2))
        .await
        .unwrap();
    let b = t.add_replica().await.unwrap();
    let c = t.add_replica().await.unwrap();
    let apis: [&Api; 3] = [&t.api, &b.api, &c.api];
    let a = t.tenant("acme").await;

    // Each replica sees the others alive.
    let alive = t
        .server
        .app
        .db
        .read(overcast_server::app::replicas::alive)
        .await
        .unwrap();
    assert_eq!(alive.len(), 3, "{alive:?}");

    for i in 0..3 {
        let (at, next, last) = (apis[i], apis[(i + 1) % 3], apis[(i + 2) % 3]);
        let vm = at
            .create(
                "/v1/instances?project=main",
                &a.rw,
                json!({"name": format!("vm-{i}"), "vcpus": 1, "memory_mib": 256, "image": "tiny"}),
            )
            .await;
        let id = vm["id"].as_str().unwrap().to_string();
        let path = format!("/v1/instances/{id}");
        next.wait_state_within(&path, &a.rw, "running", Duration::from_secs(30))
            .await;
        // The console through every replica.
        for api in apis {
            let log = api.serial(&id, &a.rw).await;
            assert!(!log.is_empty(), "replica {i}: an empty console");
        }
        act(next, &path, "stop", &a.rw, last, "stopped").await;
        act(last, &path, "start", &a.rw, at, "running").await;
        act(at, &path, "stop", &a.rw, next, "stopped").await;
        let r = at.delete(&path, &a.rw).await;
        assert!(
            r.status.is_success(),
            "delete through replica {i}: {}",
            r.body
        );
        next.wait_gone(&path, &a.rw).await;
    }

    // One idempotency key sent to two replicas makes one drive.
    let body = json!({"name": "data", "size_bytes": 1 << 26});
    let key = [("idempotency-key", "one-drive")];
    let first = t
        .api
        .call(
            reqwest::Method::POST,
            "/v1/drives?project=main",
            Some(&a.rw),
            Some(&body),
            &key,
        )
        .await;
    let second = b
        .api
        .call(
            reqwest::Method::POST,
            "/v1/drives?project=main",
            Some(&a.rw),
            Some(&body),
            &key,
        )
        .await;
    assert!(first.status.is_success(), "{}", first.body);
    assert_eq!(first.status, second.status, "{}", second.body);
    assert_eq!(first.body["id"], second.body["id"]);
    let drives = c.api.get("/v1/drives?project=main", &a.rw).await;
    assert_eq!(
        drives.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        drives.body
    );

    // Exactly one replica holds each singleton.
    let holders: Vec<bool> = [&t.server, &b.server, &c.server]
        .iter()
        .map(|s| s.app.replica.holds(overcast_server::state::HOST_WATCH))
        .collect();
    assert_eq!(holders.iter().filter(|h| **h).count(), 1, "{holders:?}");

    c.server.stop().await.unwrap();
    b.server.stop().await.unwrap();
    t.stop().await;
}

/// `POST <path>/<action>` through one replica, then wait for `state`
/// through another.
async fn act(through: &Api, path: &str, action: &str, token: &str, watch: &Api, state: &str) {
    let r = through
        .post(&format!("{path}/{action}"), token, json!({}))
        .await;
    assert!(
        r.status.is_success(),
        "{action} through {}: {}",
        through.base,
        r.body
    );
    watch
        .wait_state_within(path, token, state, Duration::from_secs(30))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_one_sqlite_file_is_refused() {
    let data = TempDir::new("overcast-sqlite-twice").unwrap();
    let config = |listen: &str| {
        let mut c = Config::new(&data.0);
        c.listen = listen.parse().unwrap();
        c.internal_listen = "127.0.0.1:0".parse().unwrap();
        c.replica_lease_seconds = 1.0;
        c
    };
    let first = Server::start(config("127.0.0.1:0")).await.unwrap();
    let second = Server::start(config("127.0.0.1:0")).await;
    let Err(e) = second else {
        panic!("a second server on the same SQLite file started");
    };
    let message = format!("{e:#}");
    assert!(
        message.contains("several servers need PostgreSQL"),
        "{message}"
    );
    first.stop().await.unwrap();
    // Once the first has stopped, a server starts on the file again.
    let again = Server::start(config("127.0.0.1:0")).await.unwrap();
    again.stop().await.unwrap();
}
