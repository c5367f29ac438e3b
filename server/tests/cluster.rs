//! The cluster harness on real binaries (needs root, iproute2, cgroup v1's
//! freezer, QEMU, libvirtd, tgtd and the `tiny` image): three hosts, each
//! in its own network and mount namespaces and cgroup, on their own
//! addresses. An instance boots on one host from drives another host
//! serves over iSCSI across the cluster network; a host that is frozen,
//! cut off or killed goes `down` and comes back `active`; taking the
//! cluster down leaves nothing behind.

use std::time::Duration;

use overcast_testkit::cluster::{Cluster, ClusterConfig};
use serde_json::json;

const DETECT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_on_their_own_addresses_die_freeze_lose_their_link_and_return() {
    let cluster = Cluster::start(ClusterConfig::new(3)).await.expect(
        "the cluster harness starts (root, iproute2, freezer cgroup, `cargo xtask images`)",
    );
    let api = &cluster.api;
    let op = api.operator_token.clone();

    // Each host enrolled with its own address.
    let hosts = api.get("/v1/hosts", &op).await.body;
    let mut addresses: Vec<String> = hosts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["address"].as_str().unwrap().to_string())
        .collect();
    addresses.sort();
    let mut want: Vec<String> = cluster.hosts.iter().map(|h| h.address.clone()).collect();
    want.sort();
    assert_eq!(addresses, want);
    let host_of = |id: &serde_json::Value| {
        let items = hosts["items"].as_array().unwrap();
        let h = items.iter().find(|h| h["id"] == *id).unwrap();
        cluster
            .hosts
            .iter()
            .position(|c| c.name == h["name"].as_str().unwrap())
            .unwrap()
    };

    // An instance on one host, its data drive served by another.
    let t = api.tenant("acme").await;
    let q = "?project=main";
    let boot = api
        .create(
            &format!("/v1/drives{q}"),
            &t.rw,
            json!({"name": "boot", "size_bytes": 67108864, "image": "tiny"}),
        )
        .await;
    let data = api
        .create(
            &format!("/v1/drives{q}"),
            &t.rw,
            json!({"name": "data", "size_bytes": 33554432, "avoid_drives": ["boot"]}),
        )
        .await;
    let (a, b) = (host_of(&boot["host_id"]), host_of(&data["host_id"]));
    assert_ne!(a, b, "the data drive is on another host");
    let vm = api
        .create(
            &format!("/v1/instances{q}"),
            &t.rw,
            json!({"name": "vm", "vcpus": 1, "memory_mib": 256, "boot_drive": "boot",
                   "drives": ["data"]}),
        )
        .await;
    assert_eq!(host_of(&vm["host_id"]), a);
    let id = vm["id"].as_str().unwrap().to_string();
    api.wait_state(&format!("/v1/instances/{id}"), &t.rw, "running")
        .await;
    let (ready, _) = api.wait_ready(&id, &t.rw, 1).await;
    assert!(
        ready.contains("vda:64M") && ready.contains("vdb:32M"),
        "both drives reach the guest: {ready}"
    );
    // The guest runs on A; B's tgtd serves its drive on B's address only.
    let domain = format!("instance-{id}");
    assert!(
        cluster
            .look(a)
            .domains
            .iter()
            .any(|(n, s)| *n == domain && s == "running"),
        "{:?}",
        cluster.look(a)
    );
    assert_eq!(cluster.look(b).targets, 1, "{:?}", cluster.look(b));
    let listening = std::process::Command::new("ip")
        .args(["netns", "exec", &cluster.hosts[b].netns, "ss", "-Hltn"])
        .output()
        .unwrap();
    let listening = String::from_utf8_lossy(&listening.stdout);
    let locals: Vec<&str> = listening
        .lines()
        .filter_map(|l| l.split_whitespace().nth(3))
        .collect();
    assert!(
        !locals.is_empty()
            && locals
                .iter()
                .all(|l| l.starts_with(&format!("{}:", cluster.hosts[b].address))),
        "B listens on its cluster address only: {listening}"
    );

    // The third host: frozen, cut off and killed, it goes down; thawed,
    // reconnected and restarted, it comes back.
    let c = 3 - a - b;
    cluster.freeze(c).unwrap();
    cluster.wait_host_state(c, "down", DETECT).await.unwrap();
    cluster.thaw(c).unwrap();
    cluster.wait_host_state(c, "active", DETECT).await.unwrap();
    cluster.cut(c).unwrap();
    cluster.wait_host_state(c, "down", DETECT).await.unwrap();
    cluster.restore(c).unwrap();
    cluster.wait_host_state(c, "active", DETECT).await.unwrap();
    cluster.kill(c).unwrap();
    assert!(cluster.pids(c).is_empty(), "every process of the host died");
    cluster.wait_host_state(c, "down", DETECT).await.unwrap();
    cluster.start_host(c).unwrap();
    cluster.wait_host_state(c, "active", DETECT).await.unwrap();
    // The instance ran on through all of it.
    let now = api.get(&format!("/v1/instances/{id}"), &t.rw).await;
    assert_eq!(now.body["state"], "running");

    // Down leaves nothing: no namespace, link, cgroup, process or file.
    let probe = Cluster::load(&cluster.dir).unwrap();
    cluster.down().unwrap();
    assert_eq!(probe.leftovers(), Vec::<String>::new());
}
