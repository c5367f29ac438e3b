//! Replica failover, the first part of `overcast-bench fleet`: three
//! `overcast-server` replicas (release builds, default lease and detection)
//! on one PostgreSQL and a simulated host that knows all three. The replica
//! holding the host's session is killed (SIGKILL) and a stop, then a start,
//! is sent through a surviving replica at once: the figure is the time from
//! the kill to the instance reaching the state the command asked for.
//! Twice, so the host moves twice. Target: under 5 s.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use diesel::prelude::*;
use overcast_db::schema::{host_sessions, replicas};
use overcast_testkit::sim::{SimConfig, SimHost};
use overcast_testkit::{ReplicaProcess, shared_cluster};
use serde_json::json;

/// Which of `procs` the session directory says holds `host`'s session.
fn holder(database: &str, procs: &[Option<ReplicaProcess>], host: &str) -> Result<Option<usize>> {
    let mut c = diesel::PgConnection::establish(database)?;
    let name: Option<String> = host_sessions::table
        .inner_join(replicas::table.on(replicas::id.eq(host_sessions::replica_id)))
        .filter(host_sessions::host_id.eq(host))
        .select(replicas::name)
        .first(&mut c)
        .optional()?;
    Ok(name.and_then(|name| {
        procs
            .iter()
            .position(|p| p.as_ref().is_some_and(|p| p.api.base.ends_with(&name)))
    }))
}

pub fn bench(rt: &tokio::runtime::Runtime) -> Result<()> {
    let database = shared_cluster().create_database()?;
    let first = ReplicaProcess::start(&database, None, &[]);
    let token = first.api.operator_token.clone();
    let mut procs = vec![
        Some(first),
        Some(ReplicaProcess::start(&database, Some(&token), &[])),
        Some(ReplicaProcess::start(&database, Some(&token), &[])),
    ];
    let internals: Vec<_> = procs.iter().flatten().map(|p| p.internal).collect();
    let ca = std::fs::read_to_string(
        procs[0]
            .as_ref()
            .context("replica 0")?
            .data
            .0
            .join("cluster-ca.pem"),
    )?;
    println!("== replica failover: 3 replicas, kill -9 of the session holder ==");
    rt.block_on(async {
        let api = procs[0].as_ref().context("replica 0")?.api.clone();
        api.register_tiny().await?;
        let enrollment = api
            .create("/v1/host-enrollments", &token, json!({"description": "sim"}))
            .await;
        let mut config = SimConfig::new("sim");
        config.also = internals[1..].to_vec();
        let sim = SimHost::start(
            internals[0],
            &ca,
            enrollment["token"].as_str().unwrap_or_default(),
            config,
        )
        .await?;
        api.wait_for_host().await?;
        let a = api.tenant("bench").await;
        let vm = api
            .create(
                "/v1/instances?project=main",
                &a.rw,
                json!({"name": "vm", "vcpus": 1, "memory_mib": 256, "image": "tiny"}),
            )
            .await;
        let path = format!("/v1/instances/{}", vm["id"].as_str().context("an id")?);
        api.wait_state_within(&path, &a.rw, "running", Duration::from_secs(60))
            .await;
        let mut figures = Vec::new();
        for (action, state) in [("stop", "stopped"), ("start", "running")] {
            let victim = holder(&database, &procs, &sim.host_id)?
                .context("no replica holds the host's session")?;
            let survivor = procs
                .iter()
                .enumerate()
                .find(|(i, p)| *i != victim && p.is_some())
                .and_then(|(_, p)| p.as_ref())
                .context("no replica left")?
                .api
                .clone();
            procs[victim].as_mut().context("the holder")?.kill();
            let killed = Instant::now();
            procs[victim] = None;
            loop {
                let r = survivor
                    .post(&format!("{path}/{action}"), &a.rw, json!({}))
                    .await;
                if r.status.is_success() {
                    break;
                }
                if killed.elapsed() > Duration::from_secs(60) {
                    bail!("{action} refused for 60 s: {} {}", r.status, r.body);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            loop {
                let r = survivor.get(&path, &a.rw).await;
                if r.body["state"] == state {
                    break;
                }
                if killed.elapsed() > Duration::from_secs(60) {
                    bail!("not {state} 60 s after the kill: {}", r.body);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let took = killed.elapsed().as_secs_f64();
            let now_on = holder(&database, &procs, &sim.host_id)?;
            println!(
                "killed replica {victim} (the host's session): {action} done {took:.2} s later \
                 through another replica; the session is now on replica {now_on:?}"
            );
            figures.push(took);
        }
        let worst = figures.iter().copied().fold(0.0, f64::max);
        println!(
            "replica failover: worst {worst:.2} s from kill -9 to the next command done (target < 5 s): {}",
            super::verdict(worst < 5.0)
        );
        anyhow::Ok(())
    })
}
