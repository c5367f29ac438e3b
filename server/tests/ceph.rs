//! Replicated drives on the cluster harness with Ceph (needs root, the Ceph
//! packages `cargo xtask setup` installs, and what `cluster.rs` needs):
//! three hosts, each with a monitor and a BlueStore OSD inside its
//! namespaces and cgroup. A replicated drive's copies land on three
//! different hosts; an instance on one host writes sequence numbers to it;
//! another host is killed, its OSD is seen down and the guest's writes go
//! on without a failed one; revived, every placement group is clean again
//! and every acknowledged number is on the drive. Then the instance's own
//! host is killed: it is blocklisted, the instance restarts elsewhere with
//! every acknowledged number, and back, the host is let in again. Deleting
//! drives removes their images; `down` leaves nothing.

use std::time::{Duration, Instant};

use overcast_testkit::Api;
use overcast_testkit::cluster::{Cluster, ClusterConfig};
use serde_json::json;

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

/// The sequence numbers the guest acknowledged on its console (after its
/// last boot's read-back).
fn numbers(log: &str) -> Vec<u64> {
    let since = log.rfind("OVERCAST-SEQ-FOUND").unwrap_or(0);
    log[since..]
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
    let info = rbd(&cluster, &["info", "--format", "json", &image]).expect("the drive's image");
    assert!(info.contains("\"size\":67108864"), "{info}");
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

    // Revived, the host's monitor and OSD rejoin and every placement
    // group is clean again.
    cluster.start_host(1).unwrap();
    let back = Instant::now();
    cluster.wait_ceph_clean(Duration::from_secs(120)).unwrap();
    eprintln!(
        "active+clean {:.1} s after the host came back",
        back.elapsed().as_secs_f64()
    );

    // Every acknowledged number is on the drive: after a reboot the guest
    // reads back at least the highest one, and none was skipped.
    let log_before = api.serial(&id, &t.rw).await;
    let (first, last) = acked(&log_before);
    let gaps = gaps(&log_before);
    assert!(
        gaps.is_empty(),
        "writes the guest did not see acknowledged: {gaps:?}"
    );
    assert!(first <= 1 && last > before_kill, "{first}..{last}");
    let r = api
        .post(&format!("/v1/instances/{id}/reboot"), &t.rw, json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    api.wait_ready(&id, &t.rw, 2).await;
    let found = found_at_boot(&api.serial(&id, &t.rw).await);
    assert!(found >= last, "acknowledged {last}, found only {found}");
    drop(log);

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

    // Deleting the instance takes its boot drive's image with it; the data
    // drive goes when deleted.
    api.post(&format!("/v1/instances/{id}/stop"), &t.rw, json!({}))
        .await;
    api.wait_state(&format!("/v1/instances/{id}"), &t.rw, "stopped")
        .await;
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
    let info = rbd(&cluster, &["info", "--format", "json", &image]).unwrap();
    assert!(info.contains("\"size\":134217728"), "{info}");
    let r = api.delete(&format!("/v1/drives/{data_id}"), &t.rw).await;
    assert!(r.status.is_success(), "{}", r.body);
    api.wait_gone(&format!("/v1/drives/{data_id}"), &t.rw).await;
    for pool in ["overcast-r2", "overcast-r3"] {
        let left = rbd(&cluster, &["ls", pool]).unwrap();
        assert_eq!(left.trim(), "", "images left in {pool}");
    }

    let probe = Cluster::load(&cluster.dir).unwrap();
    cluster.down().unwrap();
    assert_eq!(probe.leftovers(), Vec::<String>::new());
}
