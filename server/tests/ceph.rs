//! Ceph on the cluster harness (needs root, the Ceph packages `cargo xtask
//! setup` installs, and what `cluster.rs` needs): three hosts, each with a
//! monitor and a BlueStore OSD inside its namespaces and cgroup. Replicas
//! land on three different hosts; a killed host's OSD is seen down and
//! writes go on; revived, every placement group is clean again; `down`
//! leaves nothing.

use std::time::{Duration, Instant};

use overcast_testkit::cluster::{Cluster, ClusterConfig};

/// `qemu-io` on an RBD image as the admin, as QEMU opens a guest's disk.
fn qemu_io(cluster: &Cluster, image: &str, command: &str) -> Result<String, String> {
    let out = std::process::Command::new("qemu-io")
        .args(["-f", "raw", "-c", command])
        .arg(format!(
            "rbd:{image}:id=admin:conf={}",
            cluster.ceph_conf().display()
        ))
        .output()
        .expect("qemu-io runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ceph_replicates_across_hosts_and_survives_a_dead_one() {
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

    // A pool of three copies: an object's acting set is three hosts' OSDs.
    cluster
        .ceph(&["osd", "pool", "create", "probe", "16", "16"])
        .unwrap();
    cluster
        .ceph(&["osd", "pool", "set", "probe", "size", "3"])
        .unwrap();
    let conf = cluster.ceph_conf();
    let rbd = |args: &[&str]| {
        let mut all = vec!["-c", conf.to_str().unwrap()];
        all.extend(args);
        let out = std::process::Command::new("rbd")
            .args(&all)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "rbd {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    rbd(&["pool", "init", "probe"]);
    rbd(&["create", "--size", "64M", "probe/disk"]);
    qemu_io(&cluster, "probe/disk", "write -P 0x5a 0 1M").expect("a first write");
    let map = cluster
        .ceph(&["osd", "map", "probe", "rbd_header.x"])
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
    cluster.wait_ceph_clean(Duration::from_secs(60)).unwrap();

    // Kill host 2: its OSD is marked down within the grace (6 s) and
    // writes go on with two copies.
    let killed = Instant::now();
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
    qemu_io(&cluster, "probe/disk", "write -P 0x6b 1M 1M").expect("writes go on");
    let read = qemu_io(&cluster, "probe/disk", "read -P 0x5a 0 1M").unwrap();
    assert!(read.contains("read 1048576/1048576"), "{read}");

    // Revived, the host's monitor and OSD rejoin and every placement
    // group is clean again, with the data intact.
    cluster.start_host(1).unwrap();
    let back = Instant::now();
    cluster.wait_ceph_clean(Duration::from_secs(120)).unwrap();
    eprintln!(
        "active+clean {:.1} s after the host came back",
        back.elapsed().as_secs_f64()
    );
    let read = qemu_io(&cluster, "probe/disk", "read -P 0x6b 1M 1M").unwrap();
    assert!(read.contains("read 1048576/1048576"), "{read}");

    let probe = Cluster::load(&cluster.dir).unwrap();
    cluster.down().unwrap();
    assert_eq!(probe.leftovers(), Vec::<String>::new());
}
