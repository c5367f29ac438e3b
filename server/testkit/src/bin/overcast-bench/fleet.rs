//! `overcast-bench fleet`: simulated hosts heartbeating every second into
//! three `overcast-server` replicas on one PostgreSQL, the host count
//! raised step by step: each replica's CPU, and the database's write
//! transactions and updated rows per second per thousand hosts. Target: a
//! replica under half a core at 10,000 hosts.
//!
//! The simulated hosts run in this process, on the same two cores as the
//! replicas and PostgreSQL: the figures are each process's own CPU.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use diesel::prelude::*;
use overcast_testkit::sim::{SimConfig, SimHost};
use overcast_testkit::{ReplicaProcess, shared_cluster};
use serde_json::json;

/// Host counts measured, cumulatively.
const STEPS: [usize; 4] = [1_000, 2_500, 5_000, 10_000];
/// Enrollments in flight at once.
const ENROLLING: usize = 32;
const MEASURE: Duration = Duration::from_secs(20);
/// A step whose hosts take longer than this to enroll has saturated the
/// machine (simulated hosts, replicas and PostgreSQL share its cores).
const ENROLL_LIMIT: Duration = Duration::from_secs(180);

/// CPU seconds a process has used (user + system).
fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let after = stat.rsplit_once(')').context("a /proc stat line")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / 100.0)
}

/// CPU seconds used by every `postgres` process now running.
fn postgres_cpu_seconds() -> f64 {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    procs
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(|pid| cpu_seconds(pid).ok())
        .sum()
}

/// The database's committed transactions and rows inserted or updated.
fn db_counters(url: &str) -> Result<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Counters {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        commits: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        rows: i64,
    }
    let mut c = diesel::PgConnection::establish(url)?;
    let n: Counters = diesel::sql_query(
        "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) \
         AS commits, \
         (SELECT COALESCE(SUM(n_tup_upd + n_tup_ins), 0)::BIGINT FROM pg_stat_user_tables) AS rows",
    )
    .get_result(&mut c)?;
    Ok((n.commits, n.rows))
}

pub fn bench(rt: &tokio::runtime::Runtime) -> Result<()> {
    let database = shared_cluster().create_database()?;
    let first = ReplicaProcess::start(&database, None, &[]);
    let token = first.api.operator_token.clone();
    let replicas = [
        first,
        ReplicaProcess::start(&database, Some(&token), &[]),
        ReplicaProcess::start(&database, Some(&token), &[]),
    ];
    let ca = std::fs::read_to_string(replicas[0].data.0.join("cluster-ca.pem"))?;
    let internals: Vec<_> = replicas.iter().map(|r| r.internal).collect();
    let api = replicas[0].api.clone();
    println!(
        "== {} replicas, simulated hosts heartbeating every second ==",
        replicas.len()
    );
    println!(
        "{:>7}  {:>22}  {:>12}  {:>10}  {:>10}  {:>16}  {:>14}",
        "hosts",
        "replica CPU (cores)",
        "enrolled in",
        "sims CPU",
        "pg CPU",
        "commits/s /1000",
        "rows/s /1000"
    );
    rt.block_on(async {
        let mut sims: Vec<SimHost> = Vec::new();
        let mut worst_at_10k = None;
        for target in STEPS {
            let started = Instant::now();
            while sims.len() < target {
                if started.elapsed() > ENROLL_LIMIT {
                    break;
                }
                let batch = (target - sims.len()).min(ENROLLING);
                let base = sims.len();
                let joins = (0..batch).map(|k| {
                    let (api, token, ca, internals) =
                        (api.clone(), token.clone(), ca.clone(), internals.clone());
                    async move {
                        let i = base + k;
                        let name = format!("fleet-{i}");
                        let enrollment = api
                            .create("/v1/host-enrollments", &token, json!({"description": name}))
                            .await;
                        let mut config = SimConfig::new(&name);
                        config.heartbeat = Duration::from_secs(1);
                        let home = internals[i % internals.len()];
                        config.also = internals.iter().copied().filter(|a| *a != home).collect();
                        SimHost::start(
                            home,
                            &ca,
                            enrollment["token"].as_str().unwrap_or_default(),
                            config,
                        )
                        .await
                    }
                });
                for sim in futures::future::join_all(joins).await {
                    sims.push(sim?);
                }
            }
            let enrolled = started.elapsed();
            if sims.len() < target {
                println!(
                    "saturated while enrolling: {} of {target} hosts after {:.0} s; larger steps \
                     are not measured on this machine",
                    sims.len(),
                    enrolled.as_secs_f64()
                );
                break;
            }
            // Let every host settle into its beat.
            tokio::time::sleep(Duration::from_secs(5)).await;
            let before: Vec<f64> = replicas
                .iter()
                .map(|r| cpu_seconds(r.child.id()))
                .collect::<Result<_>>()?;
            let (c0, r0) = db_counters(&database)?;
            let (sims0, pg0) = (cpu_seconds(std::process::id())?, postgres_cpu_seconds());
            let t0 = Instant::now();
            tokio::time::sleep(MEASURE).await;
            let elapsed = t0.elapsed().as_secs_f64();
            let (c1, r1) = db_counters(&database)?;
            let sims = (cpu_seconds(std::process::id())? - sims0) / elapsed;
            let pg = (postgres_cpu_seconds() - pg0) / elapsed;
            let cores: Vec<f64> = replicas
                .iter()
                .zip(&before)
                .map(|(r, b)| Ok((cpu_seconds(r.child.id())? - b) / elapsed))
                .collect::<Result<_>>()?;
            let per_k = |d: i64| d as f64 / elapsed / (target as f64 / 1000.0);
            let shown: Vec<String> = cores.iter().map(|c| format!("{c:.2}")).collect();
            println!(
                "{target:>7}  {:>22}  {:>11.1}s  {sims:>10.2}  {pg:>10.2}  {:>16.1}  {:>14.1}",
                shown.join(" "),
                enrolled.as_secs_f64(),
                per_k(c1 - c0),
                per_k(r1 - r0)
            );
            if target == 10_000 {
                worst_at_10k = cores.iter().copied().reduce(f64::max);
            }
            // Each host's beat time is one row a second: fewer means the
            // machine no longer keeps up (hosts or replicas starved), and
            // a larger step would measure the starvation.
            if per_k(r1 - r0) < 900.0 {
                println!(
                    "saturated at {target} hosts: fewer than 90% of the heartbeats were \
                     recorded; larger steps are not measured on this machine"
                );
                break;
            }
        }
        match worst_at_10k {
            Some(worst) => println!(
                "busiest replica at 10,000 hosts: {worst:.2} cores (target < 0.5): {}",
                super::verdict(worst < 0.5)
            ),
            None => println!(
                "10,000 hosts not reached on this machine: target (< 0.5 core) NOT MEASURED"
            ),
        }
        anyhow::Ok(())
    })?;
    Ok(())
}
