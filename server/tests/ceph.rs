//! Replicated drives on the cluster harness with Ceph (needs root, the Ceph
//! packages `cargo xtask setup` installs, and what `cluster.rs` needs):
//! three hosts, each with a monitor and a BlueStore OSD inside its
//! namespaces and cgroup. One scenario, in order, on a guest that writes
//! sequence numbers to a `replicas: 3` drive (every host's libvirt polled:
//! the instance never runs twice):
//! - copies land on three hosts; another host is killed: the guest's
//!   writes go on without a failed one, the drive shows `degraded`, then
//!   `recovering` and `healthy` once the host is back (pool events too),
//!   and every acknowledged number is on the drive;
//! - a copy-holding host's link is cut: writes stall no longer than the
//!   heartbeat grace + 2 s;
//! - two of three hosts die: no write is acknowledged until one is back;
//! - the instance's own host is killed: it is blocklisted, the instance
//!   restarts elsewhere with every acknowledged number (RPO 0), and back,
//!   the host is let in again; frozen instead, its thawed guest gets no
//!   write through;
//! - snapshots: write A, snapshot, write B, roll back, read A; a drive made
//!   from the snapshot holds A; a drive grows;
//! - `debian-12` boots from a copy-on-write clone of its imported base;
//! - deleting drives removes their images; `down` leaves nothing.

use std::time::{Duration, Instant};

use overcast_server::storage::object_pg;
use overcast_testkit::Api;
use overcast_testkit::cluster::{Cluster, ClusterConfig};
use serde_json::{Value, json};

/// `rbd` as the admin; its stdout, or its stderr.
fn rbd(cluster: &Cluster, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("rbd")
        .arg("-c")
        .arg(cluster.ceph_conf())
        .args(args)
        .output()
        .expect("rbd runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The console without the kernel's messages. The kernel writes to the
/// serial port directly, not through the guest's tty, so a message (an RCU
/// stall warning when the host starves the TCG guest, say) can land in the
/// middle of a line the guest's shell is printing: `OVERCAST-SEQ 24[ 61.5]
/// rcu: ...` then `97`. Each message is a `[seconds.micros] ` timestamp up to
/// its newline; taking them out rejoins what the shell printed.
fn without_kernel_messages(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut rest = log;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let stamp = tail.find(']').map(|end| tail[..end].trim_start());
        let is_stamp = stamp.is_some_and(|t| {
            t.split_once('.').is_some_and(|(s, us)| {
                !s.is_empty()
                    && s.bytes().all(|b| b.is_ascii_digit())
                    && us.len() == 6
                    && us.bytes().all(|b| b.is_ascii_digit())
            })
        });
        if is_stamp {
            rest = tail.find('\n').map_or("", |nl| &tail[nl + 1..]);
        } else {
            out.push('[');
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// The sequence numbers the guest acknowledged on its console (after its
/// last boot's read-back). Only whole lines count: QEMU's UART writes the
/// console file a character at a time, so a read while the guest prints
/// can end in `OVERCAST-SEQ 503` of what becomes `OVERCAST-SEQ 5031`, and
/// 5030 followed by 503 would read as a gap.
fn numbers(log: &str) -> Vec<u64> {
    let log = without_kernel_messages(log);
    let whole = &log[..log.rfind('\n').map_or(0, |end| end + 1)];
    let since = whole.rfind("OVERCAST-SEQ-FOUND").unwrap_or(0);
    whole[since..]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("OVERCAST-SEQ "))
        .filter_map(|n| n.trim().parse::<u64>().ok())
        .collect()
}

/// The highest number the guest found on its drive at its last boot.
fn found_at_boot(log: &str) -> u64 {
    log.lines()
        .filter_map(|l| l.trim().strip_prefix("OVERCAST-SEQ-FOUND "))
        .next_back()
        .expect("the guest reads its drive back at boot")
        .trim()
        .parse()
        .unwrap()
}

/// The lowest and highest acknowledged number.
fn acked(log: &str) -> (u64, u64) {
    let n = numbers(log);
    (
        n.iter().copied().min().unwrap_or(0),
        n.iter().copied().max().unwrap_or(0),
    )
}

/// Numbers the guest skipped: each one a write that failed.
fn gaps(log: &str) -> Vec<u64> {
    let n = numbers(log);
    n.windows(2)
        .filter(|w| w[1] != w[0] + 1)
        .map(|w| w[0] + 1)
        .collect()
}

/// The console's lines from just before number `n` to just after it, as
/// they were, for a failure to show what the guest printed.
fn console_around(log: &str, n: u64) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let before = format!("OVERCAST-SEQ {}", n - 1);
    let at = lines
        .iter()
        .rposition(|l| l.trim() == before)
        .unwrap_or(lines.len().saturating_sub(10));
    lines[at.saturating_sub(2)..(at + 12).min(lines.len())].join("\n")
}

/// Fail with `what`, the skipped numbers and the console around the first,
/// if the guest skipped any.
fn assert_no_gaps(log: &str, what: &str) {
    let skipped = gaps(log);
    assert!(
        skipped.is_empty(),
        "{what}: {skipped:?}; the console around the first:\n{}",
        console_around(log, skipped[0])
    );
}

/// Wait (60 s at most) until the guest has acknowledged `n`; the highest.
async fn wait_acked(api: &Api, id: &str, token: &str, n: u64) -> u64 {
    let started = Instant::now();
    loop {
        let (_, last) = acked(&api.serial(id, token).await);
        if last >= n {
            return last;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the guest acknowledged {last}, not {n}, in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// `rbd info` of image `spec` (`pool/name`).
fn image_info(cluster: &Cluster, spec: &str) -> Value {
    let out = rbd(cluster, &["info", "--format", "json", spec])
        .unwrap_or_else(|e| panic!("rbd info {spec}: {e}"));
    serde_json::from_str(&out).unwrap()
}

/// A drive's replication as its view shows it: state and degraded share.
async fn replication(api: &Api, token: &str, drive: &str) -> (String, f64) {
    let d = api.get(&format!("/v1/drives/{drive}"), token).await.body;
    (
        d["replication"]["state"]
            .as_str()
            .unwrap_or("absent")
            .to_string(),
        d["replication"]["degraded_ratio"].as_f64().unwrap_or(0.0),
    )
}

/// Wait until the drive's view shows `state` (and `check` holds); how long.
async fn wait_replication(
    api: &Api,
    token: &str,
    drive: &str,
    state: &str,
    check: impl Fn(f64) -> bool,
    timeout: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        let (now, ratio) = replication(api, token, drive).await;
        if now == state && check(ratio) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < timeout,
            "drive {drive} is {now} (degraded {ratio}), not {state}, after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Watch the guest's console file for `window`: the longest time no new
/// number was acknowledged, and the highest acknowledged.
async fn longest_stall(log: &std::path::Path, window: Duration) -> (Duration, u64) {
    let started = Instant::now();
    let mut last = acked(&std::fs::read_to_string(log).unwrap_or_default()).1;
    let mut since = Instant::now();
    let mut longest = Duration::ZERO;
    while started.elapsed() < window {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = acked(&std::fs::read_to_string(log).unwrap_or_default()).1;
        if now > last {
            last = now;
            since = Instant::now();
        }
        longest = longest.max(since.elapsed());
    }
    (longest, last)
}

/// The highest sequence number on an RBD image (its first MiB), read as
/// the admin.
fn highest_on(cluster: &Cluster, spec: &str) -> u64 {
    use std::io::Read;
    let mut child = std::process::Command::new("rbd")
        .arg("-c")
        .arg(cluster.ceph_conf())
        .args(["export", "--no-progress", spec, "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("rbd runs");
    let mut head = vec![0u8; 1 << 20];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut head)
        .expect("the image's first MiB");
    let _ = child.kill();
    let _ = child.wait();
    String::from_utf8_lossy(&head)
        .split(['\0', '\n'])
        .filter_map(|l| l.strip_prefix("seq "))
        .filter_map(|n| n.trim().parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}

/// Wait for the next boot's read-back after `before` was the console; the
/// console then.
async fn wait_boot(api: &Api, id: &str, token: &str, before: &str) -> String {
    let boots = |log: &str| log.matches("OVERCAST-SEQ-FOUND").count();
    let started = Instant::now();
    loop {
        let log = api.serial(id, token).await;
        // The console file is kept across a stop (the count grows) or
        // started afresh (it is shorter than before).
        if boots(&log) > 0
            && (boots(&log) > boots(before) || log.len() < before.len())
            && log.contains("OVERCAST-READY")
        {
            return log;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{id} did not boot again:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Pool events' actions, oldest first.
async fn pool_events(api: &Api, pool_id: &str) -> Vec<String> {
    let events = api
        .get(
            &format!("/v1/events?resource_id={pool_id}&limit=1000"),
            &api.operator_token,
        )
        .await
        .body;
    events["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicated_drives_survive_a_dead_host_without_a_failed_write() {
    let mut config = ClusterConfig::new(3);
    config.ceph = true;
    let started = Instant::now();
    let cluster = Cluster::start(config).await.expect(
        "the cluster harness with Ceph starts (root, the ceph packages from `cargo xtask setup`)",
    );
    eprintln!(
        "cluster with Ceph up in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Each OSD sits under its own host in CRUSH: no two replicas share one.
    let tree = cluster.ceph(&["osd", "tree"]).unwrap();
    let hosts: Vec<(String, usize)> = tree["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "host")
        .map(|n| {
            (
                n["name"].as_str().unwrap().to_string(),
                n["children"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    let mut names: Vec<&str> = hosts.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    assert_eq!(names, ["host-1", "host-2", "host-3"], "{tree}");
    assert!(hosts.iter().all(|(_, osds)| *osds == 1), "{tree}");
    // Hot spots are Ceph's balancer's to move: it is on, moving placement
    // groups by upmap entries.
    let balancer = cluster.ceph(&["balancer", "status"]).unwrap();
    assert_eq!(balancer["active"], true, "{balancer}");
    assert_eq!(balancer["mode"], "upmap", "{balancer}");

    // A replicated drive of three copies, and an instance on host 1 whose
    // boot and data drives are both replicated. The guest writes sequence
    // numbers to its data drive (vdb).
    let api = &cluster.api;
    let t = api.tenant("acme").await;
    let q = "?project=main";
    let data = api
        .create(
            &format!("/v1/drives{q}"),
            &t.rw,
            json!({"name": "data", "size_bytes": 67108864, "storage_class": "replicated"}),
        )
        .await;
    assert_eq!(data["storage_class"], "replicated", "{data}");
    assert_eq!(data["replicas"], 3, "{data}");
    assert!(data["host_id"].is_null(), "Ceph places it: {data}");
    let data_id = data["id"].as_str().unwrap().to_string();
    api.wait_state(&format!("/v1/drives/{data_id}"), &t.rw, "available")
        .await;
    let image = format!("overcast-r3/drive-{data_id}");
    let info = image_info(&cluster, &image);
    assert_eq!(info["size"], 67108864, "{info}");
    let pool = cluster
        .ceph(&["osd", "pool", "get", "overcast-r3", "all"])
        .unwrap();
    assert_eq!(pool["size"], 3, "{pool}");
    assert_eq!(
        pool["min_size"], 2,
        "no write acknowledged by one copy: {pool}"
    );
    // An object of the pool lands on three different hosts' OSDs.
    let map = cluster
        .ceph(&["osd", "map", "overcast-r3", &format!("rbd_data.{data_id}")])
        .unwrap();
    let mut acting: Vec<u64> = map["acting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_u64().unwrap())
        .collect();
    acting.sort();
    acting.dedup();
    assert_eq!(acting.len(), 3, "three distinct OSDs: {map}");

    cluster.set_host_state(1, "draining").await.unwrap();
    cluster.set_host_state(2, "draining").await.unwrap();
    let vm = api
        .create(
            &format!("/v1/instances{q}"),
            &t.rw,
            json!({"name": "seq", "vcpus": 1, "memory_mib": 256, "image": "tiny",
                   "boot_drive_storage_class": "replicated", "drives": ["data"],
                   "user_data": "#overcast-sequence vdb\n"}),
        )
        .await;
    cluster.set_host_state(1, "active").await.unwrap();
    cluster.set_host_state(2, "active").await.unwrap();
    let id = vm["id"].as_str().unwrap().to_string();
    api.wait_state(&format!("/v1/instances/{id}"), &t.rw, "running")
        .await;
    let (ready, _) = api.wait_ready(&id, &t.rw, 1).await;
    assert!(
        ready.contains("vda:64M") && ready.contains("vdb:64M"),
        "both replicated drives reach the guest: {ready}"
    );
    assert!(cluster.hosts[0].runs(&id), "on host 1");
    let boot = api
        .get(&format!("/v1/drives/seq-boot{q}"), &t.rw)
        .await
        .body;
    assert_eq!(boot["storage_class"], "replicated", "{boot}");
    let log = api.serial(&id, &t.rw).await;
    wait_acked(api, &id, &t.rw, 10).await;

    // Kill host 2, which holds an OSD but not the instance: its OSD is
    // marked down within the grace (6 s), and the guest's writes go on
    // with two copies, every one acknowledged (no gap in the numbers).
    let killed = Instant::now();
    let before_kill = acked(&api.serial(&id, &t.rw).await).1;
    cluster.kill(1).unwrap();
    let osd = cluster.osd_id(1).unwrap();
    loop {
        let tree = cluster.ceph(&["osd", "tree"]).unwrap();
        let down = tree["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["name"] == format!("osd.{osd}") && n["status"] == "down");
        if down {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(30),
            "osd.{osd} not seen down: {tree}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!(
        "osd.{osd} seen down {:.1} s after the kill",
        killed.elapsed().as_secs_f64()
    );
    let during = wait_acked(api, &id, &t.rw, before_kill + 20).await;
    eprintln!(
        "the guest went from {before_kill} to {during} acknowledged writes in {:.1} s \
         with host 2 dead",
        killed.elapsed().as_secs_f64()
    );
    // The drive shows it: `degraded`, with the share of copies missing.
    let seen = wait_replication(
        api,
        &t.rw,
        &data_id,
        "degraded",
        |ratio| ratio > 0.0,
        Duration::from_secs(60),
    )
    .await;
    eprintln!(
        "the drive shows degraded {:.1} s after the OSD was seen down: {:?}",
        seen.as_secs_f64(),
        replication(api, &t.rw, &data_id).await
    );
    // The server finds the drive's objects' placement groups as Ceph does.
    let info = image_info(&cluster, &format!("overcast-r3/drive-{data_id}"));
    let rbd_id = info["id"].as_str().unwrap();
    for n in [0_u64, 1, 2, 15] {
        let object = format!("rbd_data.{rbd_id}.{n:016x}");
        let map = cluster
            .ceph(&["osd", "map", "overcast-r3", &object])
            .unwrap();
        assert_eq!(
            map["pgid"].as_str().unwrap(),
            format!("{}.{:x}", map["pool_id"], object_pg(&object, 32)),
            "{map}"
        );
    }
    // 256 MiB more written while a copy is missing (on another drive of
    // the pool), for recovery to copy back.
    let filler = api
        .create(
            &format!("/v1/drives{q}"),
            &t.rw,
            json!({"name": "filler", "size_bytes": 1073741824, "storage_class": "replicated"}),
        )
        .await;
    let filler_id = filler["id"].as_str().unwrap().to_string();
    api.wait_state(&format!("/v1/drives/{filler_id}"), &t.rw, "available")
        .await;
    let wrote = Instant::now();
    rbd(
        &cluster,
        &[
            "bench",
            "--io-type",
            "write",
            "--io-size",
            "4M",
            "--io-total",
            "256M",
            "--io-pattern",
            "seq",
            &format!("overcast-r3/drive-{filler_id}"),
        ],
    )
    .unwrap();
    eprintln!(
        "256 MiB written with one copy missing in {:.1} s",
        wrote.elapsed().as_secs_f64()
    );

    // Revived, the host's monitor and OSD rejoin, the drive shows
    // `recovering`, then `healthy` once every placement group is clean.
    cluster.start_host(1).unwrap();
    let back = Instant::now();
    let recovering = wait_replication(
        api,
        &t.rw,
        &data_id,
        "recovering",
        |_| true,
        Duration::from_secs(60),
    )
    .await;
    cluster.wait_ceph_clean(Duration::from_secs(120)).unwrap();
    let clean = back.elapsed();
    let healthy = wait_replication(
        api,
        &t.rw,
        &data_id,
        "healthy",
        |ratio| ratio == 0.0,
        Duration::from_secs(30),
    )
    .await;
    eprintln!(
        "back: recovering after {:.1} s, active+clean after {:.1} s, healthy in the view \
         {:.1} s later",
        recovering.as_secs_f64(),
        clean.as_secs_f64(),
        healthy.as_secs_f64()
    );
    // Ceph's own verdict follows the groups' states: the monitors learn
    // them from the manager's digest (every 5 s by default), and the server
    // reads the verdict every few seconds, so it may say `warn` a little
    // longer than the groups say clean.
    let verdict = Instant::now();
    let status = loop {
        let status = api
            .get("/v1/system/storage", &api.operator_token)
            .await
            .body;
        if status["health"] == "ok" {
            break status;
        }
        assert!(
            verdict.elapsed() < Duration::from_secs(20),
            "Ceph's health still not ok 20 s after every group was clean: {status}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    eprintln!(
        "Ceph's verdict ok {:.1} s after the drive showed healthy",
        verdict.elapsed().as_secs_f64()
    );
    // Each change is an event of the pool, in order.
    assert_eq!(status["osds_up"], 3, "{status}");
    assert!(status["total_bytes"].as_u64().unwrap() > 0, "{status}");
    let r3 = status["pools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "overcast-r3")
        .unwrap()
        .clone();
    assert!(r3["stored_bytes"].as_u64().unwrap() >= 256 << 20, "{r3}");
    let actions = pool_events(api, r3["id"].as_str().unwrap()).await;
    let tail: Vec<&str> = actions
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        [
            "storage_pool.degraded",
            "storage_pool.recovering",
            "storage_pool.healthy"
        ],
        "{actions:?}"
    );
    let r = api.delete(&format!("/v1/drives/{filler_id}"), &t.rw).await;
    assert!(r.status.is_success(), "{}", r.body);

    // Every acknowledged number is on the drive: after a reboot the guest
    // reads back at least the highest one, and none was skipped.
    let log_before = api.serial(&id, &t.rw).await;
    let (first, last) = acked(&log_before);
    assert_no_gaps(&log_before, "writes the guest did not see acknowledged");
    assert!(first <= 1 && last > before_kill, "{first}..{last}");
    let r = api
        .post(&format!("/v1/instances/{id}/reboot"), &t.rw, json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    api.wait_ready(&id, &t.rw, 2).await;
    let found = found_at_boot(&api.serial(&id, &t.rw).await);
    assert!(found >= last, "acknowledged {last}, found only {found}");
    drop(log);

    // Cut a copy-holding host's link (not the instance's): the guest's
    // writes stall until its OSD is marked down (by the server, which
    // finds the host down in 5 s, or by Ceph's heartbeat grace, 6 s),
    // then go on with two copies: no longer than the grace + 2 s. The host
    // cut is the one whose OSD is the primary of the object the guest
    // writes, when that is not the instance's own: its client must then
    // learn the new map to send its writes elsewhere.
    let console = cluster.hosts[0]
        .state_dir
        .join(format!("instances/{id}/serial.log"));
    let info = image_info(&cluster, &format!("overcast-r3/drive-{data_id}"));
    let object = format!(
        "{}.0000000000000000",
        info["block_name_prefix"].as_str().unwrap()
    );
    let map = cluster
        .ceph(&["osd", "map", "overcast-r3", &object])
        .unwrap();
    let primary = map["acting_primary"].to_string();
    let cut = (1..3)
        .find(|&i| cluster.osd_id(i).as_deref() == Some(primary.as_str()))
        .unwrap_or(1);
    eprintln!(
        "the guest writes {object}, primary osd.{primary}: cutting host {}",
        cut + 1
    );
    wait_acked(api, &id, &t.rw, found + 10).await;
    let cut_at = std::process::Command::new("date")
        .arg("+%T.%N")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    cluster.cut(cut).unwrap();
    let (stall, after_cut) = longest_stall(&console, Duration::from_secs(20)).await;
    eprintln!(
        "cut host {} at {cut_at}: the longest stall of the guest's writes was {:.1} s (grace 6 s)",
        cut + 1,
        stall.as_secs_f64()
    );
    // Who marked it down when (the server, or Ceph's heartbeats), as the
    // monitors' logs say.
    for entry in std::fs::read_dir(cluster.ceph_dir().join("log"))
        .unwrap()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.contains("mon") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text
            .lines()
            .filter(|l| l.contains(" failed (root=") || l.contains("\"prefix\": \"osd down\""))
        {
            eprintln!("  {name}: {}", line.chars().take(220).collect::<String>());
        }
    }
    // And what the server did about it.
    let server_log = std::fs::read_to_string(cluster.dir.join("server.log")).unwrap_or_default();
    for line in server_log
        .lines()
        .filter(|l| l.contains("OSDs marked down") || l.contains("cannot mark its OSDs"))
    {
        eprintln!("  server: {}", line.chars().take(220).collect::<String>());
    }
    assert!(
        stall <= Duration::from_secs(8),
        "writes stalled {stall:?}, more than the grace (6 s) + 2 s"
    );
    cluster.restore(cut).unwrap();
    cluster.wait_ceph_clean(Duration::from_secs(120)).unwrap();
    assert_no_gaps(&std::fs::read_to_string(&console).unwrap(), "failed writes");
    assert!(after_cut > found + 10);

    // Kill two of the three hosts (not the instance's): one copy is left,
    // fewer than min_size, so no write is acknowledged (it could be lost
    // with the last copy) until one host is back; then the guest goes on.
    for i in [1, 2] {
        cluster
            .wait_host_state(i, "active", Duration::from_secs(60))
            .await
            .unwrap();
    }
    cluster.kill(1).unwrap();
    cluster.kill(2).unwrap();
    let killed = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let blocked_at = acked(&std::fs::read_to_string(&console).unwrap()).1;
    tokio::time::sleep(Duration::from_secs(15)).await;
    let still = acked(&std::fs::read_to_string(&console).unwrap()).1;
    assert_eq!(
        still, blocked_at,
        "writes were acknowledged with two of three hosts dead"
    );
    cluster.start_host(1).unwrap();
    let back = Instant::now();
    let resumed = wait_acked(api, &id, &t.rw, still + 5).await;
    eprintln!(
        "two of three hosts dead: no write acknowledged for {:.1} s; one back, writes \
         resumed {:.1} s later (at {resumed})",
        killed.elapsed().as_secs_f64() - back.elapsed().as_secs_f64(),
        back.elapsed().as_secs_f64()
    );
    cluster.start_host(2).unwrap();
    cluster.wait_ceph_clean(Duration::from_secs(120)).unwrap();
    for i in [1, 2] {
        cluster
            .wait_host_state(i, "active", Duration::from_secs(60))
            .await
            .unwrap();
    }
    let log_now = std::fs::read_to_string(&console).unwrap();
    assert_no_gaps(&log_now, "failed writes");
    let found = acked(&log_now).1;

    // Kill host 1, which runs the instance and holds an OSD: the instance
    // runs again on another host, from the same replicated drives, once
    // (every host's libvirt polled all along), with every number
    // acknowledged before the kill on its drive (RPO = 0). The lost host
    // is blocklisted before the restart.
    wait_acked(api, &id, &t.rw, found + 10).await;
    let killed = Instant::now();
    cluster.kill(0).unwrap();
    let new_host = cluster.wait_moved(&t.rw, &id, 0).await;
    api.wait_ready(&id, &t.rw, 1).await;
    eprintln!(
        "restarted on host {} and ready {:.1} s after the kill",
        new_host + 1,
        killed.elapsed().as_secs_f64()
    );
    let old_log = std::fs::read_to_string(
        cluster.hosts[0]
            .state_dir
            .join(format!("instances/{id}/serial.log")),
    )
    .unwrap();
    let before_kill = acked(&old_log).1;
    let found_after = found_at_boot(&api.serial(&id, &t.rw).await);
    assert!(
        found_after >= before_kill,
        "acknowledged {before_kill} before the kill, found only {found_after} after"
    );
    let address = &cluster.hosts[0].address;
    // (Pacific prints two JSON documents here: its plain output is read.)
    let blocklisted = |cluster: &Cluster| {
        let out = std::process::Command::new("ceph")
            .arg("-c")
            .arg(cluster.ceph_conf())
            .args(["osd", "blocklist", "ls"])
            .output()
            .expect("ceph runs");
        String::from_utf8_lossy(&out.stdout).contains(&format!("{address}:0/0"))
    };
    let events = api
        .get(&format!("/v1/events?resource_id={id}"), &t.rw)
        .await
        .body;
    for e in events["items"].as_array().into_iter().flatten() {
        eprintln!("event {}: {}", e["action"], e["message"]);
    }
    assert!(blocklisted(&cluster), "host 1 is blocklisted");
    wait_acked(api, &id, &t.rw, 5).await;

    // Back, host 1 rejoins clean and its blocklist entry goes.
    cluster.start_host(0).unwrap();
    cluster
        .wait_host_state(0, "active", Duration::from_secs(60))
        .await
        .unwrap();
    let back = Instant::now();
    while blocklisted(&cluster) {
        assert!(
            back.elapsed() < Duration::from_secs(60),
            "host 1 is still blocklisted a minute after it came back"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(!cluster.hosts[0].runs(&id));
    cluster.wait_ceph_clean(Duration::from_secs(120)).unwrap();

    // Freeze the instance's host instead, and thaw it once the instance
    // runs elsewhere: its QEMU wakes up blocklisted, so not one more write
    // of its is acknowledged, and the drive holds what the new instance
    // wrote, every number acknowledged before the freeze included.
    let frozen = new_host;
    wait_acked(api, &id, &t.rw, 10).await;
    cluster.freeze(frozen).unwrap();
    let frozen_log_path = cluster.hosts[frozen]
        .state_dir
        .join(format!("instances/{id}/serial.log"));
    let at_freeze = std::fs::read_to_string(&frozen_log_path).unwrap();
    let moved = cluster.wait_moved(&t.rw, &id, frozen).await;
    api.wait_ready(&id, &t.rw, 1).await;
    cluster.thaw(frozen).unwrap();
    let thawed = Instant::now();
    let found_new = found_at_boot(&api.serial(&id, &t.rw).await);
    assert!(
        found_new >= acked(&at_freeze).1,
        "acknowledged {} before the freeze, found only {found_new}",
        acked(&at_freeze).1
    );
    // The thawed host rejoins: its stale domain goes, and so does its
    // blocklist entry; meanwhile its guest acknowledged nothing more (its
    // console is read all along, until the domain and its log go).
    let frozen_address = cluster.hosts[frozen].address.clone();
    let mut after_thaw = at_freeze.clone();
    loop {
        if let Ok(log) = std::fs::read_to_string(&frozen_log_path)
            && log.len() > after_thaw.len()
        {
            after_thaw = log;
        }
        let out = std::process::Command::new("ceph")
            .arg("-c")
            .arg(cluster.ceph_conf())
            .args(["osd", "blocklist", "ls"])
            .output()
            .expect("ceph runs");
        let listed =
            String::from_utf8_lossy(&out.stdout).contains(&format!("{frozen_address}:0/0"));
        let state = api
            .get(
                &format!("/v1/hosts/{}", cluster.hosts[frozen].name),
                &api.operator_token,
            )
            .await
            .body["state"]
            .clone();
        if !listed && state == "active" {
            break;
        }
        assert!(
            thawed.elapsed() < Duration::from_secs(60),
            "the thawed host is {state} and blocklisted ({listed}) after a minute"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!cluster.hosts[frozen].runs(&id), "its stale domain is gone");
    // A number the thawed guest prints was acknowledged before the fence
    // if the freeze fell between its write and its print: then it is on
    // the drive the new instance read. One it had acknowledged after the
    // fence would not be.
    let late = numbers(&after_thaw[at_freeze.len()..]);
    assert!(
        late.iter().all(|n| *n <= found_new),
        "the fenced guest had writes acknowledged after the thaw that the new instance did \
         not find (it found {found_new}): {late:?}"
    );
    assert_eq!(cluster.running_on(&id), vec![moved]);
    eprintln!(
        "froze host {}, restarted on host {}; thawed, its guest printed {late:?}, all \
         written before the fence",
        frozen + 1,
        moved + 1
    );

    // Snapshots: the data drive holds A (the numbers up to `a`) when its
    // snapshot is taken; the guest then writes B; rolled back, the drive
    // holds A again, and so does a drive made from the snapshot.
    let stop = || async {
        api.post(&format!("/v1/instances/{id}/stop"), &t.rw, json!({}))
            .await;
        api.wait_state(&format!("/v1/instances/{id}"), &t.rw, "stopped")
            .await;
    };
    let start = || async {
        let before = api.serial(&id, &t.rw).await;
        let r = api
            .post(&format!("/v1/instances/{id}/start"), &t.rw, json!({}))
            .await;
        assert!(r.status.is_success(), "{}", r.body);
        wait_boot(api, &id, &t.rw, &before).await
    };
    stop().await;
    let a = highest_on(&cluster, &image);
    let snap = api
        .create(
            &format!("/v1/snapshots{q}"),
            &t.rw,
            json!({"name": "a", "drive": data_id}),
        )
        .await;
    assert_eq!(snap["state"], "available", "{snap}");
    let snap_id = snap["id"].as_str().unwrap().to_string();
    let snaps = rbd(&cluster, &["snap", "ls", &image]).unwrap();
    assert!(snaps.contains(&format!("snap-{snap_id}")), "{snaps}");
    assert_eq!(found_at_boot(&start().await), a, "the guest reads A");
    wait_acked(api, &id, &t.rw, a + 20).await;
    stop().await;
    let b = highest_on(&cluster, &image);
    assert!(b >= a + 20, "B was written: {a} then {b}");
    let r = api
        .post(
            &format!("/v1/drives/{data_id}/rollback"),
            &t.rw,
            json!({"snapshot": snap_id}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    api.wait_state(&format!("/v1/drives/{data_id}"), &t.rw, "attached")
        .await;
    assert_eq!(highest_on(&cluster, &image), a, "rolled back to A");
    assert_eq!(
        found_at_boot(&start().await),
        a,
        "the guest reads A after the rollback"
    );
    let copy = api
        .create(
            &format!("/v1/drives{q}"),
            &t.rw,
            json!({"name": "from-a", "size_bytes": 67108864, "snapshot": "a",
                   "storage_class": "replicated", "replicas": 2}),
        )
        .await;
    let copy_id = copy["id"].as_str().unwrap().to_string();
    api.wait_state(&format!("/v1/drives/{copy_id}"), &t.rw, "available")
        .await;
    assert_eq!(
        highest_on(&cluster, &format!("overcast-r2/drive-{copy_id}")),
        a,
        "the drive made from the snapshot holds A"
    );
    let d = api.get(&format!("/v1/drives/{data_id}"), &t.rw).await.body;
    assert_eq!(d["snapshots_size_bytes"], 67108864, "{d}");
    let r = api.delete(&format!("/v1/snapshots/{snap_id}"), &t.rw).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let snaps = rbd(&cluster, &["snap", "ls", &image]).unwrap();
    assert!(!snaps.contains(&format!("snap-{snap_id}")), "{snaps}");
    assert_eq!(
        highest_on(&cluster, &format!("overcast-r2/drive-{copy_id}")),
        a,
        "the copy outlives the snapshot"
    );
    let r = api.delete(&format!("/v1/drives/{copy_id}"), &t.rw).await;
    assert!(r.status.is_success(), "{}", r.body);

    // Deleting the instance takes its boot drive's image with it; the data
    // drive goes when deleted.
    stop().await;
    let r = api.delete(&format!("/v1/instances/{id}"), &t.rw).await;
    assert!(r.status.is_success(), "{}", r.body);
    api.wait_gone(&format!("/v1/instances/{id}"), &t.rw).await;
    // A replicated drive grows as a local one does: its image is resized.
    let r = api
        .put(
            &format!("/v1/drives/{data_id}"),
            &t.rw,
            json!({"size_bytes": 134217728}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    api.wait_state(&format!("/v1/drives/{data_id}"), &t.rw, "available")
        .await;
    let info = image_info(&cluster, &image);
    assert_eq!(info["size"], 134217728, "{info}");
    let r = api.delete(&format!("/v1/drives/{data_id}"), &t.rw).await;
    assert!(r.status.is_success(), "{}", r.body);
    api.wait_gone(&format!("/v1/drives/{data_id}"), &t.rw).await;

    // A boot drive cloned from `debian-12` boots. The image is imported
    // into the pool once, as a protected snapshot; every boot drive after
    // that is a copy-on-write clone, made in the same time whatever the
    // image's size.
    let debian = overcast_testkit::images_dir()
        .join("debian-12")
        .canonicalize()
        .expect("the debian-12 image (`cargo xtask images`)");
    api.create(
        "/v1/images",
        &api.operator_token,
        json!({"name": "debian-12", "os_family": "debian", "architecture": "x86_64",
               "boot_mode": "direct_kernel", "min_size_bytes": 2147483648_u64,
               "source_url": format!("file://{}", debian.display()), "system": true}),
    )
    .await;
    let mut made = Vec::new();
    for name in ["deb-boot", "deb-2"] {
        let started = Instant::now();
        let d = api
            .create(
                &format!("/v1/drives{q}"),
                &t.rw,
                json!({"name": name, "size_bytes": 4294967296_u64, "image": "debian-12",
                       "storage_class": "replicated"}),
            )
            .await;
        let drive = d["id"].as_str().unwrap().to_string();
        api.wait_state(&format!("/v1/drives/{drive}"), &t.rw, "available")
            .await;
        made.push((drive, started.elapsed()));
    }
    eprintln!(
        "debian-12 boot drives: the first (import + clone) in {:.1} s, the second (clone) \
         in {:.1} s",
        made[0].1.as_secs_f64(),
        made[1].1.as_secs_f64()
    );
    let info = rbd(
        &cluster,
        &["info", &format!("overcast-r3/drive-{}", made[1].0)],
    )
    .unwrap();
    assert!(
        info.contains("parent: overcast-r3/image-") && info.contains("@base"),
        "a copy-on-write clone of the image's base: {info}"
    );
    let deb = api
        .create(
            &format!("/v1/instances{q}"),
            &t.rw,
            json!({"name": "deb", "vcpus": 1, "memory_mib": 1024, "boot_drive": "deb-boot"}),
        )
        .await;
    let deb_id = deb["id"].as_str().unwrap().to_string();
    let booting = Instant::now();
    loop {
        // systemd's welcome: the kernel mounted its root from the clone
        // and switched to it.
        let log = api.serial(&deb_id, &t.rw).await;
        if log.contains("Debian GNU/Linux 12") {
            break;
        }
        assert!(
            booting.elapsed() < Duration::from_secs(600),
            "debian-12 on a replicated clone did not reach systemd in 600 s:\n{log}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    eprintln!(
        "debian-12 on a replicated clone in systemd {:.1} s after the create",
        booting.elapsed().as_secs_f64()
    );
    api.post(&format!("/v1/instances/{deb_id}/stop"), &t.rw, json!({}))
        .await;
    api.wait_state(&format!("/v1/instances/{deb_id}"), &t.rw, "stopped")
        .await;
    let r = api.delete(&format!("/v1/instances/{deb_id}"), &t.rw).await;
    assert!(r.status.is_success(), "{}", r.body);
    api.wait_gone(&format!("/v1/instances/{deb_id}"), &t.rw)
        .await;
    for (drive, _) in &made {
        let r = api.delete(&format!("/v1/drives/{drive}"), &t.rw).await;
        assert!(r.status.is_success(), "{}", r.body);
        api.wait_gone(&format!("/v1/drives/{drive}"), &t.rw).await;
    }

    // No drive's image is left; what is left is the base of an image that
    // is still registered (debian-12's).
    for pool in ["overcast-r2", "overcast-r3"] {
        let left = rbd(&cluster, &["ls", pool]).unwrap();
        let drives: Vec<&str> = left.lines().filter(|l| l.starts_with("drive-")).collect();
        assert!(drives.is_empty(), "drive images left in {pool}: {drives:?}");
        assert!(
            left.lines().all(|l| l.starts_with("image-")),
            "in {pool}: {left}"
        );
    }
    // Deleting debian-12 takes its base (a protected snapshot) from the
    // cluster at the next sweep.
    let debian_base = format!(
        "image-{}",
        api.get("/v1/images/debian-12", &api.operator_token)
            .await
            .body["id"]
            .as_str()
            .unwrap()
    );
    assert!(
        rbd(&cluster, &["ls", "overcast-r3"])
            .unwrap()
            .contains(&debian_base)
    );
    let r = api
        .delete("/v1/images/debian-12", &api.operator_token)
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let deleted = Instant::now();
    while rbd(&cluster, &["ls", "overcast-r3"])
        .unwrap()
        .contains(&debian_base)
    {
        assert!(
            deleted.elapsed() < Duration::from_secs(90),
            "{debian_base} is still in overcast-r3 90 s after the image's deletion"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    let probe = Cluster::load(&cluster.dir).unwrap();
    cluster.down().unwrap();
    assert_eq!(probe.leftovers(), Vec::<String>::new());
}

#[test]
fn a_kernel_message_inside_a_line_hides_no_number() {
    let log = "OVERCAST-SEQ-FOUND 0\r\nOVERCAST-SEQ 1\r\nOVERCAST-SEQ 2[   61.512345] rcu: \
               INFO: rcu_sched self-detected stall on CPU\r\n[   61.512400] \t(t=2100 \
               jiffies)\r\n\r\n[ok] OVERCAST-SEQ 9\r\nOVERCAST-SEQ 3\r\nOVERCAST-SEQ 5\r\n";
    assert_eq!(numbers(log), [1, 2, 3, 5]);
    assert_eq!(gaps(log), [4]);
    assert!(without_kernel_messages(log).contains("[ok] OVERCAST-SEQ 9"));
}

#[test]
fn a_line_still_being_printed_is_no_number() {
    let log = "OVERCAST-SEQ-FOUND 0\r\nOVERCAST-SEQ 5029\r\nOVERCAST-SEQ 5030\r\nOVERCAST-SEQ 503";
    assert_eq!(numbers(log), [5029, 5030]);
    assert_eq!(gaps(log), Vec::<u64>::new());
    assert_eq!(numbers(&format!("{log}1\r\n")), [5029, 5030, 5031]);
}
