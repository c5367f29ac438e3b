//! `overcast-bench placement`: the control plane at fleet scale, on one
//! PostgreSQL holding 10,000 hosts and 100,000 instances (each with its boot
//! drive) in one project.
//!
//! - Placement decisions per second at 32 concurrent creates: each is the
//!   server's own placement (`app::placement::place_instance`, its view of
//!   the fleet and the per-host lock) and the insert of the placed
//!   instance, one transaction, on a pool the size the server uses. Beside
//!   it, pgbench's simple-update TPS on the same PostgreSQL, and Nomad's
//!   C1M figure (about 3,750 placements/s). Target: 5,000/s. Afterwards no
//!   host may hold more than it has.
//! - `GET /v1/instances?limit=100` p99 through a release `overcast-server`
//!   over the same database (the first page and a page 50,000 names in),
//!   and that server's RSS. Targets: p99 at most 20 ms, RSS at most 150 MB.
//!
//! The hosts are rows, not simulated hosts (10,000 live ones saturate this
//! machine, see `fleet`): their heartbeat time is set an hour ahead, so the
//! server's detector takes them for live hosts.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use diesel::prelude::*;
use overcast_db::models::{DriveRow, HostRow, InstanceRow};
use overcast_db::{Database, schema};
use overcast_server::app::placement::{PlacementPolicy, place_instance};
use overcast_testkit::{ReplicaProcess, shared_cluster};
use overcast_types::ids::*;
use overcast_types::states::{DriveState, HostState, InstanceState};

const HOSTS: usize = 10_000;
const INSTANCES: usize = 100_000;
const CONCURRENT: usize = 32;
const PHASE: Duration = Duration::from_secs(10);
/// Rows per INSERT (PostgreSQL takes at most 65,535 parameters).
const BATCH: usize = 2_000;

fn host_row(i: usize, now: i64) -> HostRow {
    HostRow {
        id: HostId::new(),
        name: format!("rack{:03}-host{:02}", i / 40, i % 40),
        description: String::new(),
        address: format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256),
        cpus: 64,
        memory_mib: 256 * 1024,
        storage_bytes: 8 << 40,
        state: HostState::Active,
        time_created: now,
        time_modified: now,
        generation: 1,
        secret_hash: None,
        iscsi_port: 3260,
        storage_free_bytes: 8 << 40,
        // An hour ahead: the detector sees a live host.
        time_heartbeat: Some(now + 3_600_000_000),
        time_state_changed: now,
        cert_fingerprint: None,
        next_cert_fingerprint: None,
        storage_fenced: false,
    }
}

fn instance_row(name: String, project: &ProjectId, account: &AccountId, now: i64) -> InstanceRow {
    InstanceRow {
        id: InstanceId::new(),
        project_id: project.clone(),
        account_id: account.clone(),
        name,
        description: String::new(),
        vcpus: 2,
        memory_mib: 2048,
        ssh_key_ids: "[]".into(),
        user_data: String::new(),
        ha_policy: overcast_types::params::HaPolicy::Restart,
        avoid_instances: "[]".into(),
        state: InstanceState::Running,
        host_id: None,
        time_created: now,
        time_modified: now,
        generation: 1,
    }
}

fn boot_drive(vm: &InstanceRow) -> DriveRow {
    DriveRow {
        id: DriveId::new(),
        project_id: vm.project_id.clone(),
        account_id: vm.account_id.clone(),
        name: format!("{}-boot", vm.name),
        description: String::new(),
        size_bytes: 10 << 30,
        image_id: None,
        replicas: 1,
        avoid_drives: "[]".into(),
        avoid_instances: "[]".into(),
        state: DriveState::Attached,
        instance_id: Some(vm.id.clone()),
        slot: Some(0),
        time_created: vm.time_created,
        time_modified: vm.time_created,
        generation: 1,
        host_id: vm.host_id.clone(),
        delete_with_instance: true,
        chap_user: String::new(),
        chap_secret: String::new(),
        storage_class: Default::default(),
        snapshot_id: None,
    }
}

/// Percentile `p` (0-100) of sorted latencies, in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p / 100.0).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// Resident and peak resident memory of a process, in MB.
fn rss_mb(pid: u32) -> Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb = |key: &str| -> Result<f64> {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<f64>().ok())
            .with_context(|| format!("no {key} in /proc/{pid}/status"))
    };
    Ok((kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
}

pub fn bench(rt: &tokio::runtime::Runtime) -> Result<()> {
    let cluster = shared_cluster();
    let database = cluster.create_database()?;
    // The tenant through the API, from a replica stopped before the hosts
    // exist.
    let (account, rw, operator) = {
        let mut first = ReplicaProcess::start(&database, None, &[]);
        let tenant = rt.block_on(first.api.tenant("scale"));
        first.kill();
        (
            AccountId::try_from(tenant.account_id)?,
            tenant.rw,
            first.api.operator_token.clone(),
        )
    };
    let mut c = diesel::PgConnection::establish(&database)?;
    let project: ProjectId = schema::projects::table
        .filter(schema::projects::account_id.eq(&account))
        .filter(schema::projects::name.eq("main"))
        .select(schema::projects::id)
        .first(&mut c)?;

    println!("seeding {HOSTS} hosts and {INSTANCES} instances with their boot drives...");
    let seeded = Instant::now();
    let now = overcast_db::now_micros();
    let hosts: Vec<HostRow> = (0..HOSTS).map(|i| host_row(i, now)).collect();
    for chunk in hosts.chunks(BATCH) {
        diesel::insert_into(schema::hosts::table)
            .values(chunk)
            .execute(&mut c)?;
    }
    for start in (0..INSTANCES).step_by(BATCH) {
        let vms: Vec<InstanceRow> = (start..(start + BATCH).min(INSTANCES))
            .map(|i| {
                let mut vm = instance_row(format!("vm-{i:06}"), &project, &account, now);
                vm.host_id = Some(hosts[i % HOSTS].id.clone());
                vm
            })
            .collect();
        let drives: Vec<DriveRow> = vms.iter().map(boot_drive).collect();
        diesel::insert_into(schema::instances::table)
            .values(&vms)
            .execute(&mut c)?;
        diesel::insert_into(schema::drives::table)
            .values(&drives)
            .execute(&mut c)?;
    }
    diesel::sql_query("ANALYZE").execute(&mut c)?;
    println!("seeded in {:.1} s", seeded.elapsed().as_secs_f64());

    // pgbench beside it, on the same server.
    {
        use diesel::connection::SimpleConnection;
        let mut admin = diesel::PgConnection::establish(&cluster.url("postgres"))?;
        admin.batch_execute("CREATE DATABASE bench")?;
    }
    super::pgbench(cluster, &["-i", "-q", "-s", "10"])?;
    let clients = CONCURRENT.to_string();
    let secs = PHASE.as_secs().to_string();
    let update_tps = super::pgbench_tps(
        cluster,
        &[
            "-c", &clients, "-j", "2", "-T", &secs, "-M", "prepared", "-N",
        ],
    )?;

    let (decisions, latencies, first_view) =
        rt.block_on(place_many(&database, &project, &account))?;
    let overcommitted: i64 = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM hosts h WHERE \
         (SELECT COALESCE(SUM(memory_mib), 0) FROM instances WHERE host_id = h.id) > h.memory_mib \
         OR (SELECT COALESCE(SUM(vcpus), 0) FROM instances WHERE host_id = h.id) > h.cpus * 4",
    )
    .get_result::<Count>(&mut c)?
    .n;
    let spread: i64 = diesel::sql_query(
        "SELECT COUNT(DISTINCT host_id) AS n FROM instances WHERE name LIKE 'placed-%'",
    )
    .get_result::<Count>(&mut c)?
    .n;

    // The list, through a release server over the same database.
    let server = ReplicaProcess::start(&database, Some(&operator), &[]);
    let first = "/v1/instances?project=main&limit=100".to_string();
    let (deep, walked) = rt.block_on(walk(&server.api, &rw, &first, 500))?;
    let wrk_api = super::Api {
        base: server.api.base.clone(),
        token: rw.clone(),
        drive_id: String::new(),
    };
    let first_page = super::wrk(&wrk_api, "GET", &first)?;
    let deep_page = super::wrk(&wrk_api, "GET", &deep)?;
    let (rss, peak) = rss_mb(server.child.id())?;

    let rate = decisions as f64 / PHASE.as_secs_f64();
    let p99 = percentile(&latencies, 99.0);
    println!();
    println!(
        "== cargo xtask bench placement: {HOSTS} hosts, {INSTANCES} instances, \
         {CONCURRENT} concurrent, same machine =="
    );
    println!("first read of the fleet view: {first_view:.0} ms");
    println!(
        "{:<44} {:>10.0} tps",
        "pgbench -N (simple update)", update_tps
    );
    println!(
        "{:<44} {rate:>10.0} /s   p50 {:.2} ms  p99 {p99:.2} ms",
        "placement decisions (place + insert)",
        percentile(&latencies, 50.0)
    );
    println!("{:<44} {:>10.0} /s", "Nomad C1M (published)", 3750.0);
    println!(
        "placements / pgbench -N = {:.2}x; {} hosts took the {decisions} placed; \
         hosts over capacity: {overcommitted}",
        rate / update_tps,
        spread
    );
    println!(
        "placement rate {rate:.0}/s (target >= 5000/s): {}",
        super::verdict(rate >= 5000.0)
    );
    println!("500 pages walked one after another in {walked:.1} s");
    for (label, f) in [("first page", &first_page), ("page 501", &deep_page)] {
        println!(
            "GET /v1/instances?limit=100 ({label}): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms \
             (target <= 20 ms), {} errors: {}",
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.errors,
            super::verdict(f.p99_ms <= 20.0 && f.errors == 0)
        );
    }
    println!(
        "server RSS after the lists: {rss:.0} MB, peak {peak:.0} MB (target <= 150 MB): {}",
        super::verdict(peak <= 150.0)
    );
    if overcommitted > 0 {
        bail!("{overcommitted} hosts hold more than they have");
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `CONCURRENT` tasks placing instances for `PHASE`: how many were placed,
/// each one's latency (sorted), and the first view read in ms.
async fn place_many(
    database: &str,
    project: &ProjectId,
    account: &AccountId,
) -> Result<(usize, Vec<Duration>, f64)> {
    let url = database.to_string();
    // The pool a server would have (`--db-pool-size`, or its environment
    // variable, as the list's server reads it).
    let pool = std::env::var("OVERCAST_DB_POOL_SIZE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(overcast_db::default_pool_size);
    let db = tokio::task::spawn_blocking(move || Database::connect(&url, pool)).await??;
    let policy = PlacementPolicy::default();
    let place = |name: String| {
        let (policy, vm) = (
            policy.clone(),
            instance_row(name, project, account, overcast_db::now_micros()),
        );
        db.write(move |c| {
            let mut vm = vm;
            vm.host_id = Some(place_instance(c, &policy, &vm, None, None)?);
            diesel::insert_into(schema::instances::table)
                .values(&vm)
                .execute(c)?;
            Ok(())
        })
    };
    let t = Instant::now();
    place("placed-first".into()).await?;
    let first_view = t.elapsed().as_secs_f64() * 1000.0;
    let deadline = Instant::now() + PHASE;
    let tasks = (0..CONCURRENT).map(|k| {
        let place = &place;
        async move {
            let mut mine = Vec::new();
            let mut n = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                place(format!("placed-{k}-{n}")).await?;
                mine.push(t.elapsed());
                n += 1;
            }
            anyhow::Ok(mine)
        }
    });
    let mut all = Vec::new();
    for r in futures::future::join_all(tasks).await {
        all.extend(r?);
    }
    all.sort();
    Ok((all.len(), all, first_view))
}

/// Follow `pages` next-page tokens from `first`: the path of the page
/// reached, and the seconds taken.
async fn walk(
    api: &overcast_testkit::Api,
    token: &str,
    first: &str,
    pages: usize,
) -> Result<(String, f64)> {
    let t = Instant::now();
    let mut path = first.to_string();
    for _ in 0..pages {
        let r = api.get(&path, token).await;
        if r.status != 200 || r.body["items"].as_array().map(Vec::len) != Some(100) {
            bail!("{path}: {} {}", r.status, r.body);
        }
        let next = r.body["next_page"]
            .as_str()
            .with_context(|| format!("no next_page: {}", r.body))?;
        path = format!("{first}&page_token={next}");
    }
    Ok((path, t.elapsed().as_secs_f64()))
}
