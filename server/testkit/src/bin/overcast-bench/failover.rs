//! `overcast-bench failover`: on a 3-host cluster (the harness of
//! `cargo xtask cluster`), kill the host of an HA instance and time until
//! the guest's readiness marker appears on another host, over several
//! trials. Each trial is split by the failover's own events: detection
//! (kill -> `host.down`), fencing (-> `instance.fenced`), placement (->
//! `instance.placed`) and boot (-> the marker in the new host's serial
//! log). The baseline, run on the same machine right after: a raw `virsh
//! create` of the very domain hostd defined, to its marker.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use overcast_testkit::cluster::{Cluster, ClusterConfig, bin_dir};

pub const TRIALS: usize = 5;

fn readies(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches("OVERCAST-READY")
        .count()
}

/// A serial log's readiness markers and its file (inode, length).
fn log_state(log: &Path) -> (usize, u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let (ino, len) = std::fs::metadata(log)
        .map(|m| (m.ino(), m.len()))
        .unwrap_or((0, 0));
    (readies(log), ino, len)
}

/// Whether a marker appeared since `before`: one more, or any in a log
/// that a new boot started afresh (another file, or a shorter one).
fn marker_since(log: &Path, before: (usize, u64, u64)) -> bool {
    let (count, ino, len) = log_state(log);
    count > before.0 || (count > 0 && (ino != before.1 || len < before.2))
}

fn serial_log(cluster: &Cluster, host: usize, id: &str) -> std::path::PathBuf {
    cluster.hosts[host]
        .state_dir
        .join("instances")
        .join(id)
        .join("serial.log")
}

/// The time of the newest event `action` about `resource`.
async fn event_time(cluster: &Cluster, token: &str, resource: &str, action: &str) -> Result<f64> {
    let events = cluster
        .api
        .get(
            &format!("/v1/events?resource_id={resource}&limit=1000"),
            token,
        )
        .await
        .body;
    let time = events["items"]
        .as_array()
        .context("events")?
        .iter()
        .rev()
        .find(|e| e["action"] == action)
        .and_then(|e| e["time"].as_str())
        .with_context(|| format!("no {action} event for {resource}"))?
        .parse::<DateTime<Utc>>()?;
    Ok(time.timestamp_micros() as f64 / 1e6)
}

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs_f64()
}

fn p50_max(values: &[f64]) -> (f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[v.len() - 1])
}

/// Kill the host of HA instance `id` [`TRIALS`] times, bringing it back
/// after each: per trial, detection, fencing, placement, boot and total
/// (seconds), each printed.
pub async fn kill_trials(cluster: &mut Cluster, id: &str, token: &str) -> Result<Vec<[f64; 5]>> {
    let api = cluster.api.clone();
    let op = api.operator_token.clone();
    let mut rows: Vec<[f64; 5]> = Vec::new();
    for trial in 1..=TRIALS {
        let view = api.get(&format!("/v1/instances/{id}"), token).await.body;
        let host_id = view["host_id"].as_str().context("a host")?;
        let host = api.get(&format!("/v1/hosts/{host_id}"), &op).await.body;
        let victim = cluster
            .hosts
            .iter()
            .position(|h| Some(h.name.as_str()) == host["name"].as_str())
            .context("the instance's host in the cluster")?;
        let before: Vec<(usize, u64, u64)> = (0..cluster.hosts.len())
            .map(|h| log_state(&serial_log(cluster, h, id)))
            .collect();
        let killed_at = now_s();
        let killed = Instant::now();
        cluster.kill(victim)?;
        let (ready_on, ready_at) = loop {
            if let Some(h) = (0..cluster.hosts.len())
                .find(|&h| h != victim && marker_since(&serial_log(cluster, h, id), before[h]))
            {
                break (h, now_s());
            }
            if killed.elapsed() > Duration::from_secs(120) {
                let view = api.get(&format!("/v1/instances/{id}"), token).await.body;
                let events = api
                    .get(&format!("/v1/events?resource_id={id}&limit=1000"), token)
                    .await
                    .body;
                bail!(
                    "trial {trial}: no readiness marker on another host in 120 s: {view}\n{events}"
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        let host_resource = host["id"].as_str().context("a host id")?;
        let down = event_time(cluster, &op, host_resource, "host.down").await?;
        let fenced = event_time(cluster, token, id, "instance.fenced").await?;
        let placed = event_time(cluster, token, id, "instance.placed").await?;
        let row = [
            down - killed_at,
            fenced - down,
            placed - fenced,
            ready_at - placed,
            ready_at - killed_at,
        ];
        println!(
            "trial {trial}: {} -> {}: detection {:.2} s, fencing {:.3} s, placement {:.3} s, boot {:.2} s, total {:.2} s",
            cluster.hosts[victim].name,
            cluster.hosts[ready_on].name,
            row[0],
            row[1],
            row[2],
            row[3],
            row[4]
        );
        rows.push(row);
        cluster.start_host(victim)?;
        cluster
            .wait_host_state(victim, "active", Duration::from_secs(60))
            .await?;
        // Each trial starts from a healthy cluster: with Ceph, once the
        // host's OSD has caught up (a kill during that recovery is a
        // second failure, which blocks I/O below two copies).
        if cluster.ceph {
            cluster.wait_ceph_clean(Duration::from_secs(180))?;
        }
    }

    Ok(rows)
}

/// Print each stage's p50 and max over the trials; the total's.
pub fn print_stages(rows: &[[f64; 5]]) -> (f64, f64) {
    let column = |i: usize| rows.iter().map(|r| r[i]).collect::<Vec<f64>>();
    for (i, name) in ["detection", "fencing", "placement", "boot", "total"]
        .iter()
        .enumerate()
    {
        let (p50, max) = p50_max(&column(i));
        println!("{name:<10} p50 {p50:>7.3} s   max {max:>7.3} s");
    }
    p50_max(&column(4))
}

async fn run(cluster: &mut Cluster) -> Result<()> {
    let api = cluster.api.clone();
    let op = api.operator_token.clone();
    let t = api.tenant("bench").await;
    let id = cluster.ha_instance_across_hosts(&t.rw).await?;
    let rows = kill_trials(cluster, &id, &t.rw).await?;

    // The baseline: the same domain, booted raw on the host that now runs
    // it, with the instance stopped (the raw copy uses its drives).
    let view = api.get(&format!("/v1/instances/{id}"), &t.rw).await.body;
    let host = api
        .get(
            &format!("/v1/hosts/{}", view["host_id"].as_str().unwrap_or_default()),
            &op,
        )
        .await
        .body;
    let on = cluster
        .hosts
        .iter()
        .position(|h| Some(h.name.as_str()) == host["name"].as_str())
        .context("the instance's host")?;
    let uri = format!(
        "qemu:///system?socket={}",
        cluster.hosts[on]
            .state_dir
            .join("daemons/run/libvirt-sock")
            .display()
    );
    let virsh = |args: &[&str]| -> Result<String> {
        let out = Command::new("virsh")
            .args(["-c", &uri])
            .args(args)
            .output()?;
        if !out.status.success() {
            bail!("virsh {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let xml = virsh(&["dumpxml", &format!("instance-{id}")])?;
    let path = format!("/v1/instances/{id}");
    api.post(&format!("{path}/stop"), &t.rw, serde_json::json!({}))
        .await;
    api.wait_state(&path, &t.rw, "stopped").await;
    let scratch = cluster.dir.join("raw");
    std::fs::create_dir_all(&scratch)?;
    let mut raw = Vec::new();
    for i in 0..TRIALS {
        let log = scratch.join(format!("raw-{i}.log"));
        let def: String = xml
            .lines()
            .filter(|l| !l.trim_start().starts_with("<uuid>"))
            .map(|l| {
                if l.trim_start().starts_with("<name>") {
                    format!("  <name>rawboot-{i}</name>\n")
                } else {
                    format!(
                        "{}\n",
                        l.replace(
                            &serial_log(cluster, on, &id).display().to_string(),
                            &log.display().to_string()
                        )
                    )
                }
            })
            .collect();
        let file = scratch.join(format!("raw-{i}.xml"));
        std::fs::write(&file, def)?;
        let started = Instant::now();
        virsh(&["create", &file.display().to_string()])?;
        while readies(&log) == 0 {
            if started.elapsed() > Duration::from_secs(120) {
                bail!("the raw boot never got ready");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        raw.push(started.elapsed().as_secs_f64());
        virsh(&["destroy", &format!("rawboot-{i}")])?;
    }

    let column = |i: usize| rows.iter().map(|r| r[i]).collect::<Vec<f64>>();
    println!();
    println!("== cargo xtask bench failover: 3 hosts, tiny under TCG, {TRIALS} host kills ==");
    print_stages(&rows);
    let (raw_p50, raw_max) = p50_max(&raw);
    println!(
        "{:<10} p50 {raw_p50:>7.3} s   max {raw_max:>7.3} s",
        "raw boot"
    );
    let (total_p50, total_max) = p50_max(&column(4));
    let (boot_p50, _) = p50_max(&column(3));
    println!(
        "boot in a failover / raw virsh create boot (p50) = {:.3}; total p50 {total_p50:.2} s, max {total_max:.2} s (target < 20 s): {}",
        boot_p50 / raw_p50,
        super::verdict(total_max < 20.0)
    );
    Ok(())
}

pub fn bench(rt: &tokio::runtime::Runtime) -> Result<()> {
    rt.block_on(async {
        let mut config = ClusterConfig::new(3);
        config.bins = bin_dir();
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
