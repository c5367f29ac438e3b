//! The simulated-host harness at the scale the cluster work needs: a
//! thousand hosts enroll over the real internal API, heartbeat, and the
//! server places work among them.

use std::time::{Duration, Instant};

use overcast_testkit::sim::SimConfig;
use overcast_testkit::{Backend, TestServer};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_simulated_hosts_enroll_heartbeat_and_take_work() {
    const HOSTS: usize = 1000;
    let mut t = TestServer::start(Backend::Postgres).await.unwrap();
    let started = Instant::now();
    for i in 2..=HOSTS {
        let mut config = SimConfig::new(&format!("sim-{i}"));
        // hostd's own heartbeat (the server counts a heartbeat that says
        // nothing new in memory and writes them in batches).
        config.heartbeat = Duration::from_secs(1);
        t.add_sim_host(config).await.unwrap();
    }
    let enrolled = started.elapsed();
    // Every host is active: each keeps its session and heartbeats.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let mut active = 0;
    let mut token: Option<String> = None;
    loop {
        let path = match &token {
            Some(tok) => format!("/v1/hosts?limit=1000&page_token={tok}"),
            None => "/v1/hosts?limit=1000".into(),
        };
        let r = t.get(&path, &t.operator_token).await;
        assert_eq!(r.status, 200, "{}", r.body);
        active += r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["state"] == "active")
            .count();
        match r.body["next_page"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(active, HOSTS, "every simulated host stays active");
    // Work is placed among them and reaches the chosen host.
    let a = t.tenant("acme").await;
    let placed = Instant::now();
    for i in 0..5 {
        t.create(
            "/v1/instances?project=main",
            &a.rw,
            json!({"name": format!("vm-{i}"), "vcpus": 1, "memory_mib": 256, "image": "tiny"}),
        )
        .await;
    }
    for i in 0..5 {
        let vm = t
            .wait_state(
                &format!("/v1/instances/vm-{i}?project=main"),
                &a.rw,
                "running",
            )
            .await;
        let host = vm["host_id"].as_str().unwrap();
        let sim = t.sims.iter().find(|s| s.host_id == host).unwrap();
        assert!(sim.domains().contains_key(vm["id"].as_str().unwrap()));
    }
    eprintln!(
        "{HOSTS} simulated hosts enrolled in {enrolled:?}; 5 instances placed and running in {:?}",
        placed.elapsed()
    );
    t.stop().await;
}
