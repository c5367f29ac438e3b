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

/// The hosts whose libvirt runs instance `id`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_hosts_ha_instance_restarts_elsewhere_and_the_others_fail_saying_why() {
    let cluster = Cluster::start(ClusterConfig::new(3)).await.expect(
        "the cluster harness starts (root, iproute2, freezer cgroup, `cargo xtask images`)",
    );
    let api = &cluster.api;
    let t = api.tenant("acme").await;
    let q = "?project=main";
    let (a, b, c) = (0, 1, 2);
    // The HA instance's boot drive on B (A and C draining)...
    cluster.set_host_state(a, "draining").await.unwrap();
    cluster.set_host_state(c, "draining").await.unwrap();
    api.create(
        &format!("/v1/drives{q}"),
        &t.rw,
        json!({"name": "ha-boot", "size_bytes": 67108864, "image": "tiny"}),
    )
    .await;
    api.create(
        &format!("/v1/drives{q}"),
        &t.rw,
        json!({"name": "ha-data", "size_bytes": 33554432}),
    )
    .await;
    // ...another's on C (A and B draining)...
    cluster.set_host_state(b, "draining").await.unwrap();
    cluster.set_host_state(c, "active").await.unwrap();
    let stranded_boot = api
        .create(
            &format!("/v1/drives{q}"),
            &t.rw,
            json!({"name": "stranded-boot", "size_bytes": 67108864, "image": "tiny"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // ...and four instances on A (B and C draining): one HA with its
    // drives on B, writing sequence numbers to its data drive; one HA with
    // its drive on A; one with policy `none`; one HA with its drive on C,
    // which dies with A.
    cluster.set_host_state(a, "active").await.unwrap();
    cluster.set_host_state(c, "draining").await.unwrap();
    let mut ids = std::collections::HashMap::new();
    for (name, body) in [
        (
            "ha",
            json!({"name": "ha", "vcpus": 1, "memory_mib": 256, "boot_drive": "ha-boot",
                   "drives": ["ha-data"], "user_data": "#overcast-sequence vdb\n"}),
        ),
        (
            "local",
            json!({"name": "local", "vcpus": 1, "memory_mib": 256, "image": "tiny"}),
        ),
        (
            "none",
            json!({"name": "none", "vcpus": 1, "memory_mib": 256, "image": "tiny",
                   "ha_policy": "none"}),
        ),
        (
            "stranded",
            json!({"name": "stranded", "vcpus": 1, "memory_mib": 256,
                   "boot_drive": "stranded-boot"}),
        ),
    ] {
        let vm = api.create(&format!("/v1/instances{q}"), &t.rw, body).await;
        ids.insert(name, vm["id"].as_str().unwrap().to_string());
    }
    cluster.set_host_state(b, "active").await.unwrap();
    cluster.set_host_state(c, "active").await.unwrap();
    for id in ids.values() {
        api.wait_state(&format!("/v1/instances/{id}"), &t.rw, "running")
            .await;
        api.wait_ready(id, &t.rw, 1).await;
    }
    assert_eq!(cluster.running_on(&ids["ha"]), vec![a]);
    // The guest acknowledges sequence numbers: wait for a few.
    let acked = |log: &str| {
        log.lines()
            .filter_map(|l| l.trim().strip_prefix("OVERCAST-SEQ "))
            .filter_map(|n| n.trim().parse::<u64>().ok())
            .max()
            .unwrap_or(0)
    };
    let started = std::time::Instant::now();
    while acked(&api.serial(&ids["ha"], &t.rw).await) < 10 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no sequence numbers"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let data = api.get(&format!("/v1/drives/ha-data{q}"), &t.rw).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let old_chap = target_of(&cluster, &data);

    // Kill A, and C with it. The HA instance runs again on B, once; polled
    // all along, it never runs on two hosts at once.
    let killed = std::time::Instant::now();
    cluster.kill(a).unwrap();
    cluster.kill(c).unwrap();
    let ha = format!("/v1/instances/{}", ids["ha"]);
    loop {
        let on = cluster.running_on(&ids["ha"]);
        assert!(on.len() <= 1, "the instance runs on hosts {on:?} at once");
        let view = api.get(&ha, &t.rw).await.body;
        if view["state"] == "running" && on.len() == 1 {
            assert_eq!(on[0], b, "the only host left");
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(90),
            "not restarted in 90 s: {view}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (ready, _) = api.wait_ready(&ids["ha"], &t.rw, 1).await;
    let restarted = killed.elapsed();
    assert!(
        ready.contains("vda:64M") && ready.contains("vdb:32M"),
        "{ready}"
    );
    // Every number acknowledged on A's console before the kill is on the
    // drive: the restarted guest reads back at least the highest.
    let a_log = std::fs::read_to_string(
        cluster.hosts[a]
            .state_dir
            .join(format!("instances/{}/serial.log", ids["ha"])),
    )
    .unwrap();
    let before_kill = acked(&a_log);
    let found: u64 = api
        .serial(&ids["ha"], &t.rw)
        .await
        .lines()
        .find_map(|l| l.trim().strip_prefix("OVERCAST-SEQ-FOUND "))
        .expect("the restarted guest reads its drive back")
        .trim()
        .parse()
        .unwrap();
    assert!(before_kill >= 10);
    assert!(
        found >= before_kill,
        "acknowledged {before_kill} before the kill, found only {found} after"
    );
    eprintln!("sequence: {before_kill} acknowledged before the kill, {found} found after");

    // The fence renewed the data drive's CHAP secret: from the new host
    // (in the target's ACL), no CHAP and the old secret are refused, the
    // new one logs in.
    let new_host = cluster.running_on(&ids["ha"])[0];
    let chap = target_of(&cluster, &data);
    assert_ne!(chap.secret, old_chap.secret, "the fence renews the secret");
    let refused = login_from(&cluster, new_host, &chap, None).unwrap_err();
    assert!(refused.contains("Authentication failure"), "{refused}");
    let refused = login_from(&cluster, new_host, &chap, Some(&old_chap)).unwrap_err();
    assert!(refused.contains("Authentication failure"), "{refused}");
    login_from(&cluster, new_host, &chap, Some(&chap)).expect("the new secret logs in");

    // The others failed, and their last event says why.
    let rw = &t.rw;
    let last_event = |id: String| async move {
        let events = api
            .get(&format!("/v1/events?resource_id={id}"), rw)
            .await
            .body;
        events["items"].as_array().unwrap().last().unwrap().clone()
    };
    for (name, why) in [
        ("local", "lived only on host host-1"),
        ("none", "HA policy is `none`"),
    ] {
        let view = api
            .get(&format!("/v1/instances/{}", ids[name]), &t.rw)
            .await
            .body;
        assert_eq!(view["state"], "failed", "{name}: {view}");
        let event = last_event(ids[name].clone()).await;
        assert_eq!(event["action"], "instance.failed", "{name}: {event}");
        assert!(
            event["message"].as_str().unwrap().contains(why),
            "{name}: {event}"
        );
    }
    if let Some(drive) = last_event(ids["local"].clone()).await["message"].as_str() {
        assert!(drive.contains("local-boot"), "the drive is named: {drive}");
    }
    // The drive on C cannot be fenced: its instance is not restarted, and
    // the reason names the drive and its host (found before the failover
    // began, or by the fence that could not reach it).
    let started = std::time::Instant::now();
    let stranded = loop {
        let view = api
            .get(&format!("/v1/instances/{}", ids["stranded"]), &t.rw)
            .await
            .body;
        if view["state"] == "failed" {
            break view;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "stranded: {view}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let event = last_event(ids["stranded"].clone()).await;
    let message = event["message"].as_str().unwrap_or_default();
    assert_eq!(event["action"], "instance.failed", "{event}");
    assert!(
        message.contains(&stranded_boot)
            && message.contains("stranded-boot")
            && message.contains("host-3"),
        "{stranded}: {message}"
    );
    eprintln!("the unfenceable drive: {message}");
    assert!(cluster.running_on(&ids["stranded"]).is_empty());
    // Detection, fencing, placement and restart are events, timed.
    let events = api
        .get(&format!("/v1/events?resource_id={}", ids["ha"]), &t.rw)
        .await
        .body;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for want in [
        "instance.restarting",
        "instance.fenced",
        "instance.placed",
        "instance.restarted",
    ] {
        assert!(actions.contains(&want), "{want} in {actions:?}");
    }
    let op = api.operator_token.clone();
    let host_events = api
        .get(
            &format!(
                "/v1/events?resource_id={}",
                api.get("/v1/hosts/host-1", &op).await.body["id"]
                    .as_str()
                    .unwrap()
            ),
            &op,
        )
        .await
        .body;
    eprintln!("host-1 events: {host_events}");
    eprintln!("failover events: {events}");
    eprintln!("from the kill to the guest's readiness marker: {restarted:?}");
    let host = api.get("/v1/hosts/host-1", &op).await.body;
    assert_eq!(host["state"], "down", "{host}");

    // A comes back: it runs nothing that now runs elsewhere.
    cluster.start_host(a).unwrap();
    cluster
        .wait_host_state(a, "active", Duration::from_secs(30))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(cluster.running_on(&ids["ha"]).len(), 1);
    assert!(cluster.running_on(&ids["local"]).is_empty());
    assert!(cluster.running_on(&ids["none"]).is_empty());
}

/// Where a drive's target is and what it admits, read from the server's
/// database (the API never shows CHAP secrets).
#[derive(Debug, Clone)]
struct Target {
    portal: String,
    iqn: String,
    user: String,
    secret: String,
}

fn target_of(cluster: &Cluster, drive: &str) -> Target {
    use diesel::prelude::*;
    use overcast_db::schema::{drives, hosts};
    let path = cluster.dir.join("server/overcast.db");
    let mut c = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let (user, secret, address, port): (String, String, String, i32) = drives::table
        .inner_join(hosts::table.on(drives::host_id.eq(hosts::id.nullable())))
        .filter(drives::id.eq(drive))
        .select((
            drives::chap_user,
            drives::chap_secret,
            hosts::address,
            hosts::iscsi_port,
        ))
        .first(&mut c)
        .unwrap();
    Target {
        portal: format!("{address}:{port}"),
        // hostd's naming of a drive's target.
        iqn: format!("iqn.2026-11.dev.overcast:drive-{drive}"),
        user,
        secret,
    }
}

/// Log in to `target` from host `i`'s network namespace (QEMU's libiscsi,
/// as a guest would), with `chap`'s credentials or none.
fn login_from(
    cluster: &Cluster,
    i: usize,
    target: &Target,
    chap: Option<&Target>,
) -> Result<(), String> {
    let auth = chap.map_or(String::new(), |c| format!("{}%{}@", c.user, c.secret));
    let out = std::process::Command::new("ip")
        .args(["netns", "exec", &cluster.hosts[i].netns, "qemu-img", "info"])
        .arg(format!("iscsi://{auth}{}/{}/1", target.portal, target.iqn))
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Polls every host's libvirt in the background and remembers any moment
/// an instance ran on two hosts at once.
struct TwiceWatch {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<(usize, Vec<String>)>>,
}

impl TwiceWatch {
    fn start(cluster: &Cluster, id: &str) -> TwiceWatch {
        let hosts = cluster.hosts.clone();
        let id = id.to_string();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut polls = 0;
            let mut twice = Vec::new();
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let on: Vec<&str> = hosts
                    .iter()
                    .filter(|h| h.runs(&id))
                    .map(|h| h.name.as_str())
                    .collect();
                if on.len() > 1 {
                    twice.push(on.join(" and "));
                }
                polls += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            (polls, twice)
        });
        TwiceWatch {
            stop,
            thread: Some(thread),
        }
    }

    /// How many polls were made; fails if any saw the instance twice.
    fn finish(mut self) -> usize {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (polls, twice) = self.thread.take().unwrap().join().unwrap();
        assert!(twice.is_empty(), "the instance ran twice: on {twice:?}");
        polls
    }
}

/// Wait until instance `id` is `running` in the API and in the libvirt of
/// exactly one host other than `not`; that host.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frozen_cut_off_and_failover_through_a_server_restart_never_run_twice() {
    let mut cluster = Cluster::start(ClusterConfig::new(3)).await.expect(
        "the cluster harness starts (root, iproute2, freezer cgroup, `cargo xtask images`)",
    );
    let api = cluster.api.clone();
    let t = api.tenant("acme").await;
    let (a, b, c) = (0, 1, 2);
    let id = cluster.ha_instance_across_hosts(&t.rw).await.unwrap();
    assert_eq!(cluster.running_on(&id), vec![a]);
    let watch = TwiceWatch::start(&cluster, &id);

    // Freeze A: the instance runs on C. Thawed, A's QEMU has lost its
    // iSCSI connection for good (B admits only C), and A's domain goes.
    cluster.freeze(a).unwrap();
    let now_on = cluster.wait_moved(&t.rw, &id, a).await;
    assert_eq!(now_on, c);
    api.wait_ready(&id, &t.rw, 1).await;
    cluster.thaw(a).unwrap();
    cluster
        .wait_host_state(a, "active", Duration::from_secs(30))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    while cluster.hosts[a].runs(&id) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "A still runs it"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let connected = cluster.hosts[b].iscsi_connections();
    assert_eq!(
        connected,
        vec![cluster.hosts[c].address.clone()],
        "only C is connected to B's target"
    );

    // Cut C's link: C stops its guest itself, and the instance runs once,
    // on A; C rejoins clean when the link returns.
    cluster.cut(c).unwrap();
    let now_on = cluster.wait_moved(&t.rw, &id, c).await;
    assert_eq!(now_on, a);
    let log = std::fs::read_to_string(cluster.hosts[c].dir.join("hostd.log")).unwrap();
    assert!(log.contains("self-fence"), "C fenced itself:\n{log}");
    cluster.restore(c).unwrap();
    cluster
        .wait_host_state(c, "active", Duration::from_secs(30))
        .await
        .unwrap();
    assert!(!cluster.hosts[c].runs(&id));
    api.wait_ready(&id, &t.rw, 1).await;

    // Kill A, and the server as soon as the failover has begun: the
    // restarted server finishes it, once.
    let restarts = |events: serde_json::Value| {
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "instance.restarted")
            .count()
    };
    let events_path = format!("/v1/events?resource_id={id}");
    let before = restarts(api.get(&events_path, &t.rw).await.body);
    cluster.kill(a).unwrap();
    api.wait_state_within(
        &format!("/v1/instances/{id}"),
        &t.rw,
        "restarting",
        Duration::from_secs(30),
    )
    .await;
    cluster.kill_server();
    cluster.restart_server().await.unwrap();
    let now_on = cluster.wait_moved(&t.rw, &id, a).await;
    assert_eq!(now_on, c);
    api.wait_ready(&id, &t.rw, 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = restarts(api.get(&events_path, &t.rw).await.body);
    assert_eq!(after, before + 1, "the failover finished exactly once");
    let polls = watch.finish();
    eprintln!("libvirt polled {polls} times on every host; never twice");
}

/// How a client dials the internal API in the security test.
struct Dial {
    url: String,
    ca: String,
    /// A client certificate and key, PEM.
    identity: Option<(String, String)>,
}

impl Dial {
    /// Open a session as a host would, with `secret` as the credential:
    /// Ok if the server accepts it, else what refused it.
    async fn session(&self, secret: &str) -> Result<(), String> {
        use overcast_internal_api::v1::{HostMessage, host_agent_client::HostAgentClient};
        let mut endpoint = tonic::transport::Endpoint::from_shared(self.url.clone())
            .unwrap()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(5));
        if self.url.starts_with("https://") {
            endpoint = endpoint
                .tls_config(overcast_internal_api::tls::client_config(
                    &self.ca,
                    self.identity
                        .as_ref()
                        .map(|(c, k)| (c.as_str(), k.as_str())),
                ))
                .map_err(|e| format!("tls config: {e}"))?;
        }
        let channel = endpoint
            .connect()
            .await
            .map_err(|e| format!("connect: {e:?}"))?;
        let mut request = tonic::Request::new(futures::stream::iter(Vec::<HostMessage>::new()));
        request.metadata_mut().insert(
            overcast_internal_api::AUTHORIZATION,
            format!("Bearer {secret}").parse().unwrap(),
        );
        HostAgentClient::new(channel)
            .session(request)
            .await
            .map(|_| ())
            .map_err(|s| format!("{:?}: {}", s.code(), s.message()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_cluster_hosts_with_their_own_certificates_reach_the_internal_api() {
    let mut config = ClusterConfig::new(2);
    // Hosts renew at two thirds of it: every 8 s.
    config.certificate_seconds = Some(12);
    let cluster = Cluster::start(config).await.expect(
        "the cluster harness starts (root, iproute2, freezer cgroup, `cargo xtask images`)",
    );
    let ca = std::fs::read_to_string(cluster.cluster_ca_path()).unwrap();
    // hostd saves what enrollment gave it just after the server records it.
    let creds = |i: usize| -> serde_json::Value {
        let path = cluster.hosts[i].state_dir.join("credentials.json");
        let started = std::time::Instant::now();
        loop {
            if let Ok(bytes) = std::fs::read(&path) {
                return serde_json::from_slice(&bytes).unwrap();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{path:?} missing"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let (one, two) = (creds(0), creds(1));
    let field = |c: &serde_json::Value, k: &str| c[k].as_str().unwrap().to_string();
    let (cert1, key1, secret1) = (
        field(&one, "certificate_pem"),
        field(&one, "key_pem"),
        field(&one, "host_secret"),
    );
    let (key2, secret2) = (field(&two, "key_pem"), field(&two, "host_secret"));
    let url = cluster.internal_url();
    let dial = |identity: Option<(&str, &str)>| Dial {
        url: url.clone(),
        ca: ca.clone(),
        identity: identity.map(|(c, k)| (c.to_string(), k.to_string())),
    };

    // The host's own certificate and credential: accepted (the control).
    let own = dial(Some((&cert1, &key1)));
    own.session(&secret1)
        .await
        .expect("a host's own certificate");

    // Plaintext: the TLS listener does not speak it.
    let plain = Dial {
        url: url.replace("https://", "http://"),
        ca: ca.clone(),
        identity: None,
    };
    let e = plain.session(&secret1).await.unwrap_err();
    eprintln!("plaintext: {e}");
    assert!(
        !e.contains("Unauthenticated") && !e.contains("PermissionDenied"),
        "not even a gRPC answer: {e}"
    );
    // Not even with a valid enrollment token: no host is enrolled.
    let op = cluster.api.operator_token.clone();
    let token = cluster
        .api
        .create("/v1/host-enrollments", &op, serde_json::json!({}))
        .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut client = overcast_internal_api::v1::host_agent_client::HostAgentClient::new(
        tonic::transport::Endpoint::from_shared(plain.url.clone())
            .unwrap()
            .connect()
            .await
            .unwrap(),
    );
    let enrolled = client
        .enroll(overcast_internal_api::v1::EnrollRequest {
            enrollment_token: token,
            name: "plain".into(),
            address: "10.213.0.99".into(),
            iscsi_port: 3260,
            capacity: Some(overcast_internal_api::v1::Capacity {
                cpus: 1,
                memory_mib: 1024,
                storage_bytes: 1 << 30,
                storage_free_bytes: 1 << 30,
            }),
            csr_pem: overcast_internal_api::tls::host_key("plain")
                .unwrap()
                .csr_pem,
        })
        .await;
    assert!(enrolled.is_err(), "enrolled in plaintext");
    let hosts = cluster.api.get("/v1/hosts", &op).await.body;
    assert_eq!(hosts["items"].as_array().unwrap().len(), 2, "{hosts}");

    // No client certificate: refused, whatever the credential.
    let e = dial(None).session(&secret1).await.unwrap_err();
    assert!(e.starts_with("Unauthenticated"), "{e}");
    assert!(e.contains("client certificate is required"), "{e}");

    // Host 1's certificate with host 2's credential: refused.
    let e = own.session(&secret2).await.unwrap_err();
    assert!(e.starts_with("PermissionDenied"), "{e}");

    // Host 1's certificate without its key (host 2's): no handshake.
    let e = dial(Some((&cert1, &key2)))
        .session(&secret1)
        .await
        .unwrap_err();
    eprintln!("another host's key: {e}");
    assert!(
        !e.contains("Unauthenticated") && !e.contains("PermissionDenied"),
        "refused before any call: {e}"
    );

    // A certificate from another CA, even naming host 1: no handshake.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, field(&one, "host_id").as_str());
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let forged = params.self_signed(&key).unwrap().pem();
    let e = dial(Some((&forged, &key.serialize_pem())))
        .session(&secret1)
        .await
        .unwrap_err();
    assert!(
        !e.contains("Unauthenticated") && !e.contains("PermissionDenied"),
        "refused before any call: {e}"
    );

    // Rotation: host 1 renews its certificate by itself; once it uses the
    // new one, the old one is refused, and host 1 stays active.
    let started = std::time::Instant::now();
    loop {
        if own
            .session(&secret1)
            .await
            .is_err_and(|e| e.starts_with("Unauthenticated"))
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the old certificate is still accepted"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let renewed = creds(0);
    assert_ne!(
        field(&renewed, "certificate_pem"),
        cert1,
        "a new certificate"
    );
    assert_ne!(field(&renewed, "key_pem"), key1, "for a new key");
    dial(Some((
        &field(&renewed, "certificate_pem"),
        &field(&renewed, "key_pem"),
    )))
    .session(&secret1)
    .await
    .expect("the renewed certificate");
    cluster
        .wait_host_state(0, "active", Duration::from_secs(10))
        .await
        .unwrap();
    let log = std::fs::read_to_string(cluster.hosts[0].dir.join("hostd.log")).unwrap();
    assert!(log.contains("host certificate renewed"), "hostd renewed it");

    // From outside the cluster network, with host 2's valid certificate
    // and credential: the connection is closed before TLS. The hosts'
    // iSCSI portals are not reachable from there either.
    let outsider = cluster.add_outsider().unwrap();
    let two_now = creds(1);
    let stolen = dial(Some((
        &field(&two_now, "certificate_pem"),
        &field(&two_now, "key_pem"),
    )));
    let from_outside = overcast_testkit::cluster::in_netns(&outsider, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(stolen.session(&secret2))
    })
    .unwrap();
    let e = from_outside.unwrap_err();
    eprintln!("from outside the cluster network: {e}");
    assert!(
        !e.contains("Unauthenticated") && !e.contains("PermissionDenied"),
        "closed before any call: {e}"
    );
    stolen
        .session(&secret2)
        .await
        .expect("the same credentials from the cluster network");
    let portal = format!(
        "{}:{}",
        cluster.hosts[1].address,
        cluster
            .api
            .get("/v1/hosts/host-2", &cluster.api.operator_token)
            .await
            .body["iscsi_port"]
    );
    let portal: std::net::SocketAddr = portal.parse().unwrap();
    let connect = || std::net::TcpStream::connect_timeout(&portal, Duration::from_secs(3));
    connect().expect("the portal answers on the cluster network");
    let outside = overcast_testkit::cluster::in_netns(&outsider, connect).unwrap();
    assert!(outside.is_err(), "a portal answered the outsider");
    let server_log = std::fs::read_to_string(cluster.dir.join("server.log")).unwrap();
    assert!(
        server_log.contains("from outside the cluster network closed"),
        "the server closed it"
    );
    // Down removes the outsider too.
    let probe = Cluster::load(&cluster.dir).unwrap();
    cluster.down().unwrap();
    assert_eq!(probe.leftovers(), Vec::<String>::new());
}
