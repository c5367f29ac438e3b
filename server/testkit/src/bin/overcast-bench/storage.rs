//! `overcast-bench storage`: the replicated storage class against the
//! local one and the raw disk, all in one run on the 3-host harness with
//! Ceph (every OSD's file on this machine's one disk):
//! - writes through QEMU's own block drivers (`qemu-img bench -w`, cache
//!   `none` as guests use): the raw file, a local drive's path (tgtd and
//!   QEMU's libiscsi), and RBD images of 2 and 3 copies (QEMU's librbd).
//!   Every copy lands on the same disk, so the limit for N copies is the
//!   raw disk's throughput / N; the target for sequential writes is half
//!   of that. Both sides are measured in steady state: the raw file after
//!   a run that allocates its blocks, the OSDs on files written in full
//!   before BlueStore was made on them (as a block device would be);
//! - making a `debian-12` boot drive: a copy (local) against a
//!   copy-on-write clone of the imported base (replicated);
//! - recovery: a host's return to every placement group clean, after a
//!   1 GiB drive had 30% written while it was away, and the guest's write
//!   latency at rest and while recovery runs;
//! - failover of an HA instance whose drives are all replicated: kill its
//!   host, time to readiness elsewhere, p50 and max over 5 trials.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use overcast_testkit::cluster::{Cluster, ClusterConfig, bin_dir};
use overcast_testkit::images_dir;
use serde_json::json;

const MIB: u64 = 1 << 20;

/// The workload the sequential-write target is judged on.
const SEQUENTIAL_TARGET: usize = 1;

/// One workload: label, request size, offset step, requests, queue depth.
/// The sequential target is judged at QD16, as a guest streaming writes
/// keeps many in flight.
struct Workload {
    label: &'static str,
    size: u64,
    step: u64,
    count: u32,
    depth: u32,
}

const WORKLOADS: [Workload; 4] = [
    Workload {
        label: "sequential 4 MiB QD1",
        size: 4 * MIB,
        step: 4 * MIB,
        count: 64,
        depth: 1,
    },
    Workload {
        label: "sequential 4 MiB QD16",
        size: 4 * MIB,
        step: 4 * MIB,
        count: 192,
        depth: 16,
    },
    // Scattered: each write 254 pages past the last, wrapping at the end
    // (qemu-img bench has no random pattern; this defeats merging and
    // readahead as random offsets do).
    Workload {
        label: "scattered 4 KiB QD1",
        size: 4096,
        step: 1_040_384,
        count: 1500,
        depth: 1,
    },
    Workload {
        label: "scattered 4 KiB QD16",
        size: 4096,
        step: 1_040_384,
        count: 6000,
        depth: 16,
    },
];

/// Seconds one `qemu-img bench -w` run's writes take, as qemu-img times
/// them: from the first request to the last completion, without starting
/// the process and opening the target (about 60 ms for the raw file, more
/// for an RBD image's cluster connection, and a fifth of a 0.25 s run).
fn write_bench(target: &str, w: &Workload) -> Result<f64> {
    let out = Command::new("qemu-img")
        .args(["bench", "-w", "-f", "raw", "-t", "none"])
        .args(["-s", &w.size.to_string(), "-S", &w.step.to_string()])
        .args(["-c", &w.count.to_string(), "-d", &w.depth.to_string()])
        .arg(target)
        .output()
        .context("running qemu-img (qemu-utils and qemu-block-extra: `cargo xtask setup`)")?;
    if !out.status.success() {
        bail!(
            "qemu-img bench -w {target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("Run completed in ")?
                .strip_suffix(" seconds.")
        })
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("qemu-img bench -w {target}: no run time in {stdout:?}"))
}

/// MiB/s for sequential workloads, IOPS otherwise: the median of three
/// runs after one that fills (first writes allocate; steady state is
/// what a guest lives in).
fn figure(target: &str, w: &Workload) -> Result<f64> {
    write_bench(target, w)?;
    let mut runs = (0..3)
        .map(|_| write_bench(target, w))
        .collect::<Result<Vec<f64>>>()?;
    runs.sort_by(f64::total_cmp);
    let per_second = w.count as f64 / runs[1];
    Ok(if w.size >= MIB {
        per_second * (w.size / MIB) as f64
    } else {
        per_second
    })
}

fn rbd(cluster: &Cluster, args: &[&str]) -> Result<String> {
    let out = Command::new("rbd")
        .arg("-c")
        .arg(cluster.ceph_conf())
        .args(args)
        .output()?;
    if !out.status.success() {
        bail!("rbd {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The throughput table: raw file, local (tgt + libiscsi), 2 and 3 copies.
fn throughput(cluster: &Cluster, dir: &Path) -> Result<()> {
    const SIZE: u64 = 1024 * MIB;
    let file = dir.join("raw.img");
    let local = dir.join("local.img");
    for f in [&file, &local] {
        std::fs::File::create(f)?.set_len(SIZE)?;
    }
    let mut daemons = overcast_hostd::daemons::HostDaemons::start(&dir.join("daemons"))?;
    let drive = uuid::Uuid::new_v4();
    let chap = overcast_hostd::tgt::Chap {
        user: "oc-bench".into(),
        secret: "bench-secret-0123456789".into(),
    };
    let export = daemons
        .tgt
        .ensure_export(&drive, &local, &["127.0.0.1".to_string()], &chap)?;
    let iscsi = format!(
        "iscsi://{}%{}@127.0.0.1:{}/{}/1",
        chap.user, chap.secret, daemons.portal_port, export.iqn
    );
    let conf = cluster.ceph_conf().display().to_string();
    let mut targets = vec![
        ("raw file".to_string(), file.display().to_string(), 1.0),
        ("local (iSCSI)".to_string(), iscsi, 1.0),
    ];
    for copies in [2, 3] {
        let spec = format!("overcast-r{copies}/bench-{copies}");
        rbd(cluster, &["create", "--size", "1024", &spec])?;
        targets.push((
            format!("replicated x{copies}"),
            format!("rbd:{spec}:conf={conf}:id=admin"),
            copies as f64,
        ));
    }
    let mut table: Vec<Vec<f64>> = Vec::new();
    for (label, target, _) in &targets {
        let mut row = Vec::new();
        for w in &WORKLOADS {
            let f = figure(target, w)?;
            eprintln!("{label}: {} {f:.0}", w.label);
            row.push(f);
        }
        table.push(row);
    }
    daemons.tgt.remove_export(&drive)?;
    daemons.stop();
    for copies in [2, 3] {
        rbd(
            cluster,
            &[
                "rm",
                "--no-progress",
                &format!("overcast-r{copies}/bench-{copies}"),
            ],
        )?;
    }
    println!();
    println!(
        "== writes through QEMU's block drivers (qemu-img bench -w, cache none), median of 3, \
         one disk under every copy =="
    );
    for (i, w) in WORKLOADS.iter().enumerate() {
        let unit = if w.size >= MIB { "MiB/s" } else { "IOPS" };
        let raw = table[0][i];
        println!("{}:", w.label);
        for (row, (label, _, copies)) in table.iter().zip(&targets) {
            let limit = raw / copies;
            let ratio = row[i] / limit;
            let target = if i == SEQUENTIAL_TARGET && *copies > 1.0 {
                format!(
                    "   of raw/{copies:.0}: {ratio:.2} (target >= 0.5): {}",
                    super::verdict(ratio >= 0.5)
                )
            } else {
                format!("   of raw/{copies:.0}: {ratio:.2}")
            };
            println!("  {label:<16} {:>9.0} {unit}{target}", row[i]);
        }
    }
    Ok(())
}

/// Wait until the drive is `available`; how long it took.
async fn made_in(cluster: &Cluster, token: &str, body: serde_json::Value) -> Result<(String, f64)> {
    let api = &cluster.api;
    let started = Instant::now();
    let d = api.create("/v1/drives?project=main", token, body).await;
    let id = d["id"].as_str().context("a drive id")?.to_string();
    api.wait_state(&format!("/v1/drives/{id}"), token, "available")
        .await;
    Ok((id, started.elapsed().as_secs_f64()))
}

/// Copy (local) against clone (replicated) of a `debian-12` boot drive.
async fn creation(cluster: &Cluster, token: &str) -> Result<()> {
    let api = &cluster.api;
    let debian = images_dir()
        .join("debian-12")
        .canonicalize()
        .context("the debian-12 image (`cargo xtask images`)")?;
    api.create(
        "/v1/images",
        &api.operator_token,
        json!({"name": "debian-12", "os_family": "debian", "architecture": "x86_64",
               "boot_mode": "direct_kernel", "min_size_bytes": 2147483648_u64,
               "source_url": format!("file://{}", debian.display()), "system": true}),
    )
    .await;
    let size = 4 * 1024 * MIB;
    let mut local = Vec::new();
    let mut clones = Vec::new();
    let mut made = Vec::new();
    let (first, import) = made_in(
        cluster,
        token,
        json!({"name": "deb-r0", "size_bytes": size, "image": "debian-12",
               "storage_class": "replicated"}),
    )
    .await?;
    made.push(first);
    for i in 1..=3 {
        let (id, s) = made_in(
            cluster,
            token,
            json!({"name": format!("deb-l{i}"), "size_bytes": size, "image": "debian-12"}),
        )
        .await?;
        local.push(s);
        made.push(id);
        let (id, s) = made_in(
            cluster,
            token,
            json!({"name": format!("deb-r{i}"), "size_bytes": size, "image": "debian-12",
                   "storage_class": "replicated"}),
        )
        .await?;
        clones.push(s);
        made.push(id);
    }
    for id in made {
        api.delete(&format!("/v1/drives/{id}"), token).await;
        api.wait_gone(&format!("/v1/drives/{id}"), token).await;
    }
    local.sort_by(f64::total_cmp);
    clones.sort_by(f64::total_cmp);
    println!();
    println!(
        "== a debian-12 boot drive (4 GiB, 2 GiB image), API call to `available`, median of 3 =="
    );
    println!("  local (copy on its host)          {:>7.2} s", local[1]);
    println!("  replicated (copy-on-write clone)  {:>7.2} s", clones[1]);
    println!("  replicated, first (import + clone) {:>6.2} s", import);
    println!(
        "  clone / copy = {:.3} (target: the same time whatever the image's size)",
        clones[1] / local[1]
    );
    Ok(())
}

/// The guest's acknowledged writes per second over `window`.
async fn write_rate(log: &Path, window: Duration) -> f64 {
    let count = |log: &Path| {
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .matches("OVERCAST-SEQ ")
            .count()
    };
    let before = count(log);
    let started = Instant::now();
    tokio::time::sleep(window).await;
    (count(log) - before) as f64 / started.elapsed().as_secs_f64()
}

/// A host's return to every placement group clean after 30% of a 1 GiB
/// drive was written while it was away; the guest's write latency at rest
/// and during the recovery.
async fn recovery(cluster: &Cluster, token: &str, guest: &str, on: usize) -> Result<()> {
    let api = &cluster.api;
    let (drive, _) = made_in(
        cluster,
        token,
        json!({"name": "rec", "size_bytes": 1024 * MIB, "storage_class": "replicated"}),
    )
    .await?;
    let log = cluster.hosts[on]
        .state_dir
        .join(format!("instances/{guest}/serial.log"));
    let rest = write_rate(&log, Duration::from_secs(10)).await;
    let away = (on + 1) % cluster.hosts.len();
    cluster.kill(away)?;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let spec = format!("overcast-r3/drive-{drive}");
    let conf = cluster.ceph_conf().display().to_string();
    write_bench(
        &format!("rbd:{spec}:conf={conf}:id=admin"),
        &Workload {
            label: "fill",
            size: 4 * MIB,
            step: 4 * MIB,
            count: 77,
            depth: 4,
        },
    )?;
    let degraded = write_rate(&log, Duration::from_secs(5)).await;
    cluster.start_host(away)?;
    let back = Instant::now();
    let during = tokio::spawn({
        let log = log.clone();
        async move { write_rate(&log, Duration::from_secs(8)).await }
    });
    cluster.wait_ceph_clean(Duration::from_secs(300))?;
    let clean = back.elapsed().as_secs_f64();
    let during = during.await?;
    api.delete(&format!("/v1/drives/{drive}"), token).await;
    cluster
        .wait_host_state(away, "active", Duration::from_secs(60))
        .await?;
    let ms = |rate: f64| {
        if rate > 0.0 {
            1000.0 / rate
        } else {
            f64::INFINITY
        }
    };
    println!();
    println!("== recovery: 308 MiB of a 1 GiB drive written while a host was away ==");
    println!("  host back to every placement group active+clean: {clean:.1} s");
    println!(
        "  the guest's write (4 KiB + fsync) latency: at rest {:.1} ms, one copy missing {:.1} ms, \
         during the recovery's first 8 s {:.1} ms (x{:.2} of at rest)",
        ms(rest),
        ms(degraded),
        ms(during),
        ms(during) / ms(rest)
    );
    Ok(())
}

async fn run(cluster: &mut Cluster) -> Result<()> {
    let dir = cluster.dir.join("bench");
    std::fs::create_dir_all(&dir)?;
    let api = cluster.api.clone();
    let t = api.tenant("bench").await;
    // The server makes its pools with the first replicated drive.
    let (first, _) = made_in(
        cluster,
        &t.rw,
        json!({"name": "first", "size_bytes": MIB, "storage_class": "replicated"}),
    )
    .await?;
    api.delete(&format!("/v1/drives/{first}"), &t.rw).await;
    throughput(cluster, &dir)?;
    creation(cluster, &t.rw).await?;

    // The sequence guest on replicated drives only, on host 1.
    cluster.set_host_state(1, "draining").await?;
    cluster.set_host_state(2, "draining").await?;
    api.create(
        "/v1/drives?project=main",
        &t.rw,
        json!({"name": "seq-data", "size_bytes": 67108864, "storage_class": "replicated"}),
    )
    .await;
    let vm = api
        .create(
            "/v1/instances?project=main",
            &t.rw,
            json!({"name": "seq", "vcpus": 1, "memory_mib": 256, "image": "tiny",
                   "boot_drive_storage_class": "replicated", "drives": ["seq-data"],
                   "user_data": "#overcast-sequence vdb\n"}),
        )
        .await;
    cluster.set_host_state(1, "active").await?;
    cluster.set_host_state(2, "active").await?;
    let id = vm["id"].as_str().context("an instance id")?.to_string();
    api.wait_ready(&id, &t.rw, 1).await;
    recovery(cluster, &t.rw, &id, 0).await?;

    println!();
    println!(
        "== failover of an HA instance on replicated drives: kill its host, {} trials ==",
        super::failover::TRIALS
    );
    let rows = super::failover::kill_trials(cluster, &id, &t.rw).await?;
    let (p50, max) = super::failover::print_stages(&rows);
    println!(
        "total p50 {p50:.2} s, max {max:.2} s (target < 20 s): {}",
        super::verdict(max < 20.0)
    );
    Ok(())
}

pub fn bench(rt: &tokio::runtime::Runtime) -> Result<()> {
    rt.block_on(async {
        let mut config = ClusterConfig::new(3);
        config.bins = bin_dir();
        config.ceph = true;
        // Steady state, as the raw file's fill run gives it: BlueStore
        // writing over written blocks, as on a block device.
        config.osd_files_written = true;
        let mut cluster = Cluster::start(config).await?;
        let result = run(&mut cluster).await;
        if result.is_err() && std::env::var_os("OVERCAST_KEEP_CLUSTER").is_some() {
            eprintln!("kept for inspection: {}", cluster.dir.display());
            cluster.detach();
            return result;
        }
        cluster.down()?;
        result
    })
}
