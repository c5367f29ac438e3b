//! Several replicas of the control plane on one PostgreSQL database: any
//! replica serves any request, including those that reach a host whose
//! session another replica holds; SQLite refuses a second server.
//!
//! The simulated hosts hold their sessions with the first replica, so
//! everything done through the other two is relayed.

use std::time::Duration;

use overcast_server::{Config, Server};
use overcast_testkit::{Api, Backend, Hosts, ReplicaProcess, TempDir, TestServer};
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
    let mut replies = Vec::new();
    for api in [&t.api, &b.api] {
        replies.push(
            api.call(
                reqwest::Method::POST,
                "/v1/drives?project=main",
                Some(&a.rw),
                Some(&body),
                &key,
            )
            .await,
        );
    }
    let (first, second) = (&replies[0], &replies[1]);
    assert!(first.status.is_success(), "{}", first.body);
    assert_eq!(first.status, second.status, "{}", second.body);
    assert_eq!(first.body["id"], second.body["id"]);
    // The same key sent to the three replicas at once: one of them runs
    // it; the others replay its answer or say it is still in flight, and a
    // retry afterwards replays it, wherever it lands.
    for k in 0..8 {
        let key = format!("race-{k}");
        let body = json!({"name": format!("race-{k}"), "size_bytes": 1 << 26});
        let replies =
            futures::future::join_all(apis.map(|api| post_drive(api, &a.rw, &body, &key))).await;
        let mut ids = std::collections::HashSet::new();
        for r in &replies {
            if r.status.is_success() {
                ids.insert(r.body["id"].as_str().unwrap().to_string());
            } else {
                assert_eq!(r.status, 409, "{}", r.body);
                assert_eq!(
                    r.body["error_code"], "idempotency_key_in_flight",
                    "{}",
                    r.body
                );
            }
        }
        assert!(ids.len() <= 1, "one key, several drives: {ids:?}");
        let again = post_drive(apis[k % 3], &a.rw, &body, &key).await;
        assert!(again.status.is_success(), "{}", again.body);
        let id = again.body["id"].as_str().unwrap().to_string();
        assert!(ids.is_empty() || ids.contains(&id), "{ids:?} then {id}");
    }

    // A key claimed by a replica that died before it answered is run again
    // by the retry, not refused as in flight for a day; one claimed by a
    // live replica is still in flight.
    let principal = overcast_server::app::auth::hash_secret(&format!("Bearer {}", a.rw));
    let body = json!({"name": "orphaned", "size_bytes": 1 << 26});
    let request_hash = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"/v1/drives?project=main\0");
        h.update(serde_json::to_vec(&body).unwrap());
        h.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    for (key, owner) in [
        ("orphaned", "a-replica-that-died".to_string()),
        ("held", b.server.app.replica.id.clone()),
    ] {
        let row = overcast_db::models::IdempotencyKeyRow {
            principal: principal.clone(),
            idem_key: key.into(),
            request_hash: request_hash.clone(),
            status: None,
            body: None,
            // Older than the 10 s a claim is given before it may be
            // abandoned.
            time_created: overcast_db::now_micros() - 11_000_000,
            replica_id: Some(owner),
        };
        t.server
            .app
            .db
            .write(move |c| {
                use diesel::RunQueryDsl;
                diesel::insert_into(overcast_db::schema::idempotency_keys::table)
                    .values(&row)
                    .execute(c)?;
                Ok(())
            })
            .await
            .unwrap();
    }
    for (key, expected) in [("orphaned", 201), ("held", 409)] {
        let r = post_drive(&c.api, &a.rw, &body, key).await;
        assert_eq!(r.status, expected, "key {key}: {}", r.body);
    }
    let drives = c.api.get("/v1/drives?project=main", &a.rw).await;
    assert_eq!(
        drives.body["items"].as_array().unwrap().len(),
        10,
        "{}",
        drives.body
    );

    // A token revoked on one replica is refused by the others within 1 s,
    // though they had it cached.
    let token = t
        .api
        .create(
            "/v1/tokens",
            &t.api.operator_token,
            json!({"scope": "account_read_only", "account": a.account_id}),
        )
        .await;
    let secret = token["secret"].as_str().unwrap().to_string();
    for api in [&b.api, &c.api] {
        assert_eq!(api.get("/v1/projects", &secret).await.status, 200);
    }
    let r = t
        .api
        .delete(
            &format!("/v1/tokens/{}", token["id"].as_str().unwrap()),
            &t.api.operator_token,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let revoked = std::time::Instant::now();
    for (name, api) in [("b", &b.api), ("c", &c.api)] {
        while api.get("/v1/projects", &secret).await.status != 401 {
            assert!(
                revoked.elapsed() < Duration::from_secs(1),
                "replica {name} still takes the revoked token after 1 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    println!(
        "a revoked token refused by every replica {:.0} ms after the revocation",
        revoked.elapsed().as_secs_f64() * 1000.0
    );

    // Concurrent creates through the three replicas never overcommit a
    // host: each simulated host has 64 GiB, so 6 instances of 10 GiB fit
    // on each and 12 of the 24 sent at once are placed, the rest told 507.
    let creates = (0..24).map(|i| {
        let api = apis[i % 3];
        let rw = a.rw.clone();
        async move {
            let body = json!({"name": format!("big-{i}"), "vcpus": 1, "memory_mib": 10240,
                              "image": "tiny"});
            api.call(
                reqwest::Method::POST,
                "/v1/instances?project=main",
                Some(&rw),
                Some(&body),
                &[],
            )
            .await
        }
    });
    let replies = futures::future::join_all(creates).await;
    let mut placed = 0;
    for r in &replies {
        if r.status.is_success() {
            placed += 1;
        } else {
            assert_eq!(r.status, 507, "{}", r.body);
            assert_eq!(r.body["error_code"], "insufficient_capacity", "{}", r.body);
        }
    }
    let per_host: Vec<(Option<String>, i64)> = t
        .server
        .app
        .db
        .read(|c| {
            use diesel::prelude::*;
            use overcast_db::schema::instances;
            Ok(instances::table
                .group_by(instances::host_id)
                .select((instances::host_id, diesel::dsl::count_star()))
                .load::<(Option<String>, i64)>(c)?)
        })
        .await
        .unwrap();
    assert_eq!(placed, 12, "placed {placed} of 24: {per_host:?}");
    assert!(
        per_host.iter().all(|(_, n)| *n == 6),
        "instances per host: {per_host:?}"
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

/// POST a drive with an idempotency key.
async fn post_drive(
    api: &Api,
    token: &str,
    body: &serde_json::Value,
    key: &str,
) -> overcast_testkit::Reply {
    api.call(
        reqwest::Method::POST,
        "/v1/drives?project=main",
        Some(token),
        Some(body),
        &[("idempotency-key", key)],
    )
    .await
}

/// The replica (by index) the directory says holds `host`'s session, or
/// that holds singleton `lease`.
async fn holder(
    db: &overcast_db::Database,
    procs: &[ReplicaProcess],
    sql_id: Holder,
) -> Option<usize> {
    use diesel::prelude::*;
    use overcast_db::schema::{host_sessions, leases, replicas};
    let replica: Option<String> = db
        .read(move |c| {
            Ok(match &sql_id {
                Holder::Session(host) => host_sessions::table
                    .filter(host_sessions::host_id.eq(host))
                    .select(host_sessions::replica_id)
                    .first::<String>(c)
                    .optional()?,
                Holder::Lease(name) => leases::table
                    .filter(leases::name.eq(name))
                    .filter(leases::time_expires.gt(overcast_db::now_micros()))
                    .select(leases::replica_id)
                    .first::<String>(c)
                    .optional()?,
            })
        })
        .await
        .unwrap();
    let replica = replica?;
    let name: String = db
        .read(move |c| {
            Ok(replicas::table
                .find(&replica)
                .select(replicas::name)
                .first::<String>(c)?)
        })
        .await
        .ok()?;
    procs.iter().position(|p| p.api.base.ends_with(&name))
}

enum Holder {
    Session(String),
    Lease(&'static str),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_a_replica_loses_nothing_and_runs_nothing_twice() {
    let database =
        tokio::task::spawn_blocking(|| overcast_testkit::shared_cluster().create_database())
            .await
            .unwrap()
            .unwrap();
    let db = {
        let url = database.clone();
        tokio::task::spawn_blocking(move || overcast_db::Database::connect(&url, 2))
            .await
            .unwrap()
            .unwrap()
    };
    // Short lease and detection, so the test takes seconds.
    let fast = [
        "--replica-lease-seconds",
        "2",
        "--host-detection-seconds",
        "2",
    ];
    let first = ReplicaProcess::start(&database, None, &fast);
    let token = first.api.operator_token.clone();
    let mut procs = vec![
        first,
        ReplicaProcess::start(&database, Some(&token), &fast),
        ReplicaProcess::start(&database, Some(&token), &fast),
    ];
    let ca = std::fs::read_to_string(procs[0].data.0.join("cluster-ca.pem")).unwrap();
    let api = procs[1].api.clone();
    api.register_tiny().await.unwrap();
    // Two simulated hosts, dialling replica 0 first, then 1 and 2.
    let mut sims = Vec::new();
    for name in ["sim-1", "sim-2"] {
        let enrollment = api
            .create("/v1/host-enrollments", &token, json!({"description": name}))
            .await;
        let mut config = overcast_testkit::sim::SimConfig::new(name);
        config.also = vec![procs[1].internal, procs[2].internal];
        sims.push(
            overcast_testkit::sim::SimHost::start(
                procs[0].internal,
                &ca,
                enrollment["token"].as_str().unwrap(),
                config,
            )
            .await
            .unwrap(),
        );
    }
    api.wait_for_host().await.unwrap();
    let a = api.tenant("acme").await;
    let hosts: Vec<String> = sims.iter().map(|s| s.host_id.clone()).collect();
    let host_of = |i: usize| hosts[i].clone();
    assert_eq!(
        holder(&db, &procs, Holder::Session(host_of(0))).await,
        Some(0),
        "the sessions start on replica 0"
    );

    // A create through replica 0, whose host answers slowly; replica 0 is
    // killed while the host carries it out.
    for sim in &sims {
        sim.set_behavior(
            overcast_testkit::sim::CommandKind::EnsureInstance,
            overcast_testkit::sim::Behavior::Delay(Duration::from_secs(2)),
        );
    }
    let vm = procs[0]
        .api
        .create(
            "/v1/instances?project=main",
            &a.rw,
            json!({"name": "vm", "vcpus": 1, "memory_mib": 256, "image": "tiny"}),
        )
        .await;
    let id = vm["id"].as_str().unwrap().to_string();
    let started = std::time::Instant::now();
    while !sims.iter().any(|s| {
        s.log()
            .iter()
            .any(|(k, _)| *k == overcast_testkit::sim::CommandKind::EnsureInstance)
    }) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no EnsureInstance sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    procs[0].kill();
    let killed = std::time::Instant::now();
    let path = format!("/v1/instances/{id}");
    let running = api
        .wait_state_within(&path, &a.rw, "running", Duration::from_secs(60))
        .await;
    println!(
        "killed the replica holding the sessions mid-create: running {:.1} s later",
        killed.elapsed().as_secs_f64()
    );
    // The hosts redialled another replica.
    for i in 0..2 {
        let at = holder(&db, &procs, Holder::Session(host_of(i))).await;
        assert!(matches!(at, Some(1 | 2)), "host {i}'s session is on {at:?}");
    }
    // Once on the hosts, once in the database: one domain, one boot drive,
    // one finished workflow.
    let host = running["host_id"].as_str().unwrap().to_string();
    let on = sims.iter().find(|s| s.host_id == host).unwrap();
    assert_eq!(on.domains().len(), 1, "{:?}", on.domains());
    assert_eq!(on.drives().len(), 1, "{:?}", on.drives());
    let other = sims.iter().find(|s| s.host_id != host).unwrap();
    assert!(other.domains().is_empty() && other.drives().is_empty());
    let flows: Vec<(String, String)> = {
        use diesel::prelude::*;
        use overcast_db::schema::workflows;
        let id = id.clone();
        db.read(move |c| {
            Ok(workflows::table
                .filter(workflows::subject_id.eq(&id))
                .select((workflows::kind, workflows::state))
                .load::<(String, String)>(c)?)
        })
        .await
        .unwrap()
    };
    assert_eq!(
        flows,
        vec![("instance_create".to_string(), "done".to_string())],
        "{flows:?}"
    );

    // An HA instance on sim-1 whose boot drive is on sim-2. Kill the
    // replica running the down-host detector, and sim-1 with it: another
    // replica takes the detector over, and the instance is failed over to
    // sim-2 exactly once.
    for sim in &sims {
        sim.set_behavior(
            overcast_testkit::sim::CommandKind::EnsureInstance,
            overcast_testkit::sim::Behavior::Succeed,
        );
    }
    let drain = |name: &'static str, state: &'static str| {
        let (api, token) = (api.clone(), token.clone());
        async move {
            let r = api
                .put(
                    &format!("/v1/hosts/{name}"),
                    &token,
                    json!({ "state": state }),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
    };
    drain("sim-1", "draining").await;
    let boot = api
        .create(
            "/v1/drives?project=main",
            &a.rw,
            json!({"name": "boot", "size_bytes": 67108864, "image": "tiny"}),
        )
        .await;
    api.wait_state(
        &format!("/v1/drives/{}", boot["id"].as_str().unwrap()),
        &a.rw,
        "available",
    )
    .await;
    drain("sim-1", "active").await;
    drain("sim-2", "draining").await;
    let ha = api
        .create(
            "/v1/instances?project=main",
            &a.rw,
            json!({"name": "ha", "vcpus": 1, "memory_mib": 256, "boot_drive": "boot",
                   "ha_policy": "restart"}),
        )
        .await;
    let ha_path = format!("/v1/instances/{}", ha["id"].as_str().unwrap());
    api.wait_state(&ha_path, &a.rw, "running").await;
    drain("sim-2", "active").await;
    assert_eq!(
        api.get(&ha_path, &a.rw).await.body["host_id"].as_str(),
        Some(host_of(0).as_str())
    );

    let detector = holder(&db, &procs, Holder::Lease("host-watch"))
        .await
        .expect("a replica holds host-watch");
    procs[detector].kill();
    drop(sims.remove(0));
    let handed = std::time::Instant::now();
    let survivor = (0..3)
        .find(|i| *i != detector && procs[*i].child.try_wait().unwrap().is_none())
        .unwrap();
    let api = procs[survivor].api.clone();
    loop {
        if let Some(i) = holder(&db, &procs, Holder::Lease("host-watch")).await
            && i == survivor
        {
            break;
        }
        assert!(
            handed.elapsed() < Duration::from_secs(10),
            "nobody took the detector over"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "the detector moved to replica {survivor} {:.1} s after its holder was killed",
        handed.elapsed().as_secs_f64()
    );
    loop {
        let r = api.get(&ha_path, &a.rw).await;
        if r.body["host_id"].as_str() == Some(host_of(1).as_str()) && r.body["state"] == "running" {
            break;
        }
        assert!(
            handed.elapsed() < Duration::from_secs(60),
            "not failed over: {}\n{}",
            r.body,
            procs[survivor].log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "its HA instance running on the other host {:.1} s after",
        handed.elapsed().as_secs_f64()
    );
    let ha_id = ha["id"].as_str().unwrap().to_string();
    let failovers: i64 = {
        use diesel::prelude::*;
        use overcast_db::schema::workflows;
        db.read(move |c| {
            Ok(workflows::table
                .filter(workflows::subject_id.eq(&ha_id))
                .filter(workflows::kind.eq("instance_failover"))
                .count()
                .get_result(c)?)
        })
        .await
        .unwrap()
    };
    assert_eq!(failovers, 1, "{}", procs[survivor].log());
}

/// PostgreSQL's placement attempt (`overcast_place_attempt_v1`, one round
/// trip) keeps the lock of a host it places on, and releases the lock of
/// one that turned out full: a transaction never holds the lock of a host
/// it did not take. A lock held elsewhere is `busy` (without waiting), and
/// a host no longer active is `gone`.
#[test]
fn a_placement_attempt_keeps_only_the_lock_of_the_host_it_takes() {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Bool, Double, Integer, Nullable, Text};
    use overcast_db::models::HostRow;
    use overcast_server::app::placement::LOCK_CLASS;
    use overcast_types::ids::HostId;
    use overcast_types::states::HostState;

    #[derive(QueryableByName)]
    struct Tried {
        #[diesel(sql_type = Text)]
        outcome: String,
        #[diesel(sql_type = Nullable<BigInt>)]
        used_memory_mib: Option<i64>,
    }
    #[derive(QueryableByName)]
    struct Got {
        #[diesel(sql_type = Bool)]
        got: bool,
    }
    let attempt = |c: &mut PgConnection, host: &HostId, memory_mib: i64| -> Tried {
        diesel::sql_query(
            "SELECT outcome, used_memory_mib \
             FROM overcast_place_attempt_v1($1, $2, false, 4.0, $3, $4, NULL)",
        )
        .bind::<Integer, _>(LOCK_CLASS)
        .bind::<Text, _>(host)
        .bind::<Double, _>(1.0)
        .bind::<BigInt, _>(memory_mib)
        .get_result(c)
        .unwrap()
    };
    let try_lock = |c: &mut PgConnection, host: &HostId| -> bool {
        diesel::sql_query("SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS got")
            .bind::<Integer, _>(LOCK_CLASS)
            .bind::<Text, _>(host)
            .get_result::<Got>(c)
            .unwrap()
            .got
    };

    let url = overcast_testkit::shared_cluster()
        .create_database()
        .unwrap();
    overcast_db::Database::connect(&url, 1).unwrap();
    let mut a = PgConnection::establish(&url).unwrap();
    let mut b = PgConnection::establish(&url).unwrap();
    let now = overcast_db::now_micros();
    let host = |name: &str, state: HostState| HostRow {
        id: HostId::new(),
        name: name.into(),
        description: String::new(),
        address: format!("10.0.0.{}", name.len()),
        cpus: 8,
        memory_mib: 16384,
        storage_bytes: 1 << 40,
        state,
        time_created: now,
        time_modified: now,
        generation: 1,
        secret_hash: None,
        iscsi_port: 3260,
        storage_free_bytes: 1 << 40,
        time_heartbeat: Some(now),
        time_state_changed: now,
        cert_fingerprint: None,
        next_cert_fingerprint: None,
        storage_fenced: false,
    };
    let (one, two, drained) = (
        host("one", HostState::Active),
        host("two", HostState::Active),
        host("drained", HostState::Draining),
    );
    for row in [&one, &two, &drained] {
        diesel::insert_into(overcast_db::schema::hosts::table)
            .values(row)
            .execute(&mut a)
            .unwrap();
    }

    a.transaction::<_, diesel::result::Error, _>(|a| {
        let full = attempt(a, &one.id, 32768);
        assert_eq!(full.outcome, "full");
        assert_eq!(full.used_memory_mib, Some(0), "it says what the host has");
        b.transaction::<_, diesel::result::Error, _>(|b| {
            assert!(try_lock(b, &one.id), "a full host's lock was kept");
            Ok(())
        })?;
        assert_eq!(attempt(a, &one.id, 1024).outcome, "fits");
        b.transaction::<_, diesel::result::Error, _>(|b| {
            assert!(
                !try_lock(b, &one.id),
                "the lock of the host taken was let go"
            );
            assert!(try_lock(b, &two.id));
            assert_eq!(attempt(a, &two.id, 1024).outcome, "busy");
            Ok(())
        })?;
        assert_eq!(attempt(a, &two.id, 1024).outcome, "fits");
        assert_eq!(attempt(a, &drained.id, 1024).outcome, "gone");
        Ok(())
    })
    .unwrap();
}
