//! The path from an API call to a booted guest, end to end, on a real
//! all-in-one cloud: the `overcast-server` binary (SQLite) with its local
//! `overcast-hostd`, private libvirtd and tgtd, guests under QEMU's TCG.
//! Processes are killed for real (SIGKILL) to check recovery, and the host
//! is inspected directly (virsh, tgtadm, the drive directory) for leaks.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use overcast_internal_api::v1::{
    self as api, EnrollRequest, HostMessage, host_agent_client::HostAgentClient, host_message::Body,
};
use overcast_testkit::{Api, TempDir, free_port, images_dir, look_at_host, teardown_host, virsh};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(120);

/// An all-in-one server process on fixed ports, restartable on its data.
struct Cloud {
    data: PathBuf,
    port: u16,
    internal: u16,
    child: Option<Child>,
}

impl Cloud {
    fn start(data: &Path) -> Cloud {
        let mut c = Cloud {
            data: data.to_path_buf(),
            port: free_port().unwrap(),
            internal: free_port().unwrap(),
            child: None,
        };
        c.spawn();
        c
    }

    fn spawn(&mut self) {
        assert!(
            images_dir().join("tiny/vmlinuz").exists(),
            "the tiny image is missing: run `cargo xtask images`"
        );
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data.with_extension("server.log"))
            .unwrap();
        self.child = Some(
            Command::new(env!("CARGO_BIN_EXE_overcast-server"))
                .arg("--all-in-one")
                .args(["--accelerator", "tcg"])
                .arg("--data-dir")
                .arg(&self.data)
                .arg("--images-dir")
                .arg(images_dir())
                .args(["--listen", &format!("127.0.0.1:{}", self.port)])
                .args(["--internal-listen", &format!("127.0.0.1:{}", self.internal)])
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("overcast-server starts"),
        );
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    async fn api(&self) -> Api {
        let started = Instant::now();
        let token_path = self.data.join("operator.token");
        loop {
            if let Ok(token) = std::fs::read_to_string(&token_path) {
                let api = Api::new(
                    format!("http://127.0.0.1:{}", self.port),
                    token.trim().into(),
                )
                .unwrap();
                if api
                    .http
                    .get(format!("{}/healthz", api.base))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    return api;
                }
            }
            assert!(started.elapsed() < TIMEOUT, "the server did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn host_dir(&self) -> PathBuf {
        self.data.join("host")
    }
}

impl Drop for Cloud {
    fn drop(&mut self) {
        self.kill();
        let hostd =
            PathBuf::from(env!("CARGO_BIN_EXE_overcast-server")).with_file_name("overcast-hostd");
        teardown_host(&hostd, &self.host_dir());
    }
}

fn hostd_bin() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_overcast-server")).with_file_name("overcast-hostd");
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p overcast-hostd`",
        bin.display()
    );
    bin
}

async fn wait_state(api: &Api, path: &str, token: &str, state: &str) -> Value {
    api.wait_state_within(path, token, state, TIMEOUT).await
}

fn disk_word<'a>(data_line: &'a str, disk: &str) -> &'a str {
    data_line
        .split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{disk}=")))
        .unwrap_or("")
}

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@laptop";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_lifecycle_recovery_and_no_leaks() {
    let tmp = TempDir::new("overcast-e2e").unwrap();
    let mut cloud = Cloud::start(&tmp.0.join("data"));
    let api = cloud.api().await;
    api.wait_for_host().await.unwrap();
    let op = api.operator_token.clone();
    let t = api.tenant("acme").await;
    let q = "?project=main";
    api.create(
        "/v1/ip-pools",
        &op,
        json!({"name": "public", "first_address": "10.9.0.10",
        "last_address": "10.9.0.20", "prefix_len": 24, "gateway": "10.9.0.1"}),
    )
    .await;
    api.create(
        "/v1/ssh-keys",
        &t.rw,
        json!({"name": "laptop", "public_key": KEY}),
    )
    .await;
    api.create(
        &format!("/v1/ip-addresses{q}"),
        &t.rw,
        json!({"name": "web-ip", "pool": "public"}),
    )
    .await;
    let data = api
        .create(
            &format!("/v1/drives{q}"),
            &t.rw,
            json!({"name": "data", "size_bytes": 16777216}),
        )
        .await;
    assert_eq!(
        data["state"], "available",
        "a drive is made on the host before the reply"
    );
    // Drives made at the same time each get their own target.
    let made = futures::future::join_all((0..6).map(|i| {
        let (api, rw) = (&api, &t.rw);
        async move {
            api.post(
                &format!("/v1/drives{q}"),
                rw,
                json!({"name": format!("burst-{i}"), "size_bytes": 1048576}),
            )
            .await
        }
    }))
    .await;
    for r in &made {
        assert_eq!(
            (r.status.as_u16(), &r.body["state"]),
            (201, &json!("available")),
            "{}",
            r.body
        );
    }
    let removed = futures::future::join_all(made.iter().map(|r| {
        let (api, rw) = (&api, &t.rw);
        let id = r.body["id"].as_str().unwrap().to_string();
        async move { api.delete(&format!("/v1/drives/{id}"), rw).await.status }
    }))
    .await;
    assert!(removed.iter().all(|s| *s == 204), "{removed:?}");

    // Boot: the quick form plus a data drive, an IP and an SSH key.
    let web = api
        .create(
            &format!("/v1/instances{q}"),
            &t.rw,
            json!({
        "name": "web-1", "vcpus": 1, "memory_mib": 256, "image": "tiny",
        "drives": ["data"], "ip_addresses": ["web-ip"], "ssh_keys": ["laptop"],
        "user_data": "#overcast-write-once vdb\n"}),
        )
        .await;
    let id = web["id"].as_str().unwrap().to_string();
    let path = format!("/v1/instances/{id}");
    wait_state(&api, &path, &t.rw, "running").await;
    let (ready, data1) = api.wait_ready(&id, &t.rw, 1).await;
    assert_eq!(
        ready,
        "OVERCAST-READY hostname=web-1 address=10.9.0.10/24 ssh_keys=1 disks=vda:64M,vdb:16M,vdc:0M"
    );
    let written = disk_word(&data1, "vdb").to_string();
    assert!(
        written.starts_with("data-"),
        "the guest wrote its data drive: {data1}"
    );
    let view = look_at_host(&cloud.host_dir());
    assert_eq!(
        view.domains,
        vec![(format!("instance-{id}"), "running".to_string())]
    );
    assert_eq!(view.targets, 2);
    // Its virtio-net interface is on the host's bridge.
    let bridge = std::fs::read_to_string(cloud.host_dir().join("bridge")).unwrap();
    let ifaces = virsh(&cloud.host_dir(), &["domiflist", &format!("instance-{id}")]);
    assert!(
        ifaces.contains(bridge.trim()) && ifaces.contains("virtio"),
        "{ifaces}"
    );

    // Stop and start: the data written at the first boot is still there.
    let r = api.post(&format!("{path}/stop"), &t.rw, json!({})).await;
    assert_eq!(r.status, 202, "{}", r.body);
    wait_state(&api, &path, &t.rw, "stopped").await;
    assert_eq!(look_at_host(&cloud.host_dir()).domains[0].1, "shut off");
    api.post(&format!("{path}/start"), &t.rw, json!({})).await;
    wait_state(&api, &path, &t.rw, "running").await;
    let (_, data2) = api.wait_ready(&id, &t.rw, 2).await;
    assert_eq!(
        disk_word(&data2, "vdb"),
        written,
        "data survives a stop and start"
    );

    // Reboot: a third boot.
    let r = api.post(&format!("{path}/reboot"), &t.rw, json!({})).await;
    assert_eq!(r.body["state"], "rebooting", "{}", r.body);
    wait_state(&api, &path, &t.rw, "running").await;
    api.wait_ready(&id, &t.rw, 3).await;

    // Resize while stopped; the next boot has the new shape.
    api.post(&format!("{path}/stop"), &t.rw, json!({})).await;
    wait_state(&api, &path, &t.rw, "stopped").await;
    let r = api
        .post(
            &format!("{path}/resize"),
            &t.rw,
            json!({"vcpus": 2, "memory_mib": 384}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.body["vcpus"], &r.body["memory_mib"]),
        (200, &json!(2), &json!(384)),
        "{}",
        r.body
    );
    api.post(&format!("{path}/start"), &t.rw, json!({})).await;
    wait_state(&api, &path, &t.rw, "running").await;
    api.wait_ready(&id, &t.rw, 4).await;
    let xml = virsh(&cloud.host_dir(), &["dumpxml", &format!("instance-{id}")]);
    assert!(
        xml.contains(">2</vcpu>") && xml.contains("<memory unit='KiB'>393216</memory>"),
        "{xml}"
    );

    // Kill hostd: the guest keeps running. While it is down, its domain
    // disappears and a drive nobody knows appears; after a restart the host
    // reconciles: the domain is re-created, the stray drive removed.
    let hostd_pid = std::fs::read_to_string(cloud.host_dir().join("hostd.lock")).unwrap();
    Command::new("kill")
        .args(["-9", hostd_pid.trim()])
        .status()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        look_at_host(&cloud.host_dir()).domains[0].1,
        "running",
        "guests outlive hostd"
    );
    let stray = uuid::Uuid::new_v4();
    std::fs::write(
        cloud.host_dir().join(format!("drives/{stray}.raw")),
        b"stray",
    )
    .unwrap();
    virsh(&cloud.host_dir(), &["destroy", &format!("instance-{id}")]);
    virsh(&cloud.host_dir(), &["undefine", &format!("instance-{id}")]);
    let log = std::fs::File::create(tmp.0.join("hostd2.log")).unwrap();
    let mut hostd = Command::new(hostd_bin())
        .arg("run")
        .args(["--server", &format!("https://127.0.0.1:{}", cloud.internal)])
        .arg("--state-dir")
        .arg(cloud.host_dir())
        .args([
            "--name",
            "local",
            "--accelerator",
            "tcg",
            "--stop-grace",
            "3",
        ])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let v = look_at_host(&cloud.host_dir());
        if v.domains == vec![(format!("instance-{id}"), "running".to_string())]
            && !v.drive_files.contains(&format!("{stray}.raw"))
        {
            break;
        }
        assert!(
            started.elapsed() < TIMEOUT,
            "the host did not reconcile: {:?} {:?}",
            v.domains,
            v.drive_files
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    api.wait_ready(&id, &t.rw, 5).await;

    // Kill the server in the middle of provisioning: on restart the
    // workflow finishes.
    let r = api
        .post(
            &format!("/v1/instances{q}"),
            &t.rw,
            json!({"name": "web-2", "vcpus": 1,
        "memory_mib": 256, "image": "tiny"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id2 = r.body["id"].as_str().unwrap().to_string();
    cloud.kill();
    cloud.spawn();
    let api = cloud.api().await;
    wait_state(&api, &format!("/v1/instances/{id2}"), &t.rw, "running").await;
    let (ready, _) = api.wait_ready(&id2, &t.rw, 1).await;
    assert!(
        ready.starts_with("OVERCAST-READY hostname=web-2 "),
        "{ready}"
    );

    // Bad input to the internal API is refused and changes nothing.
    let hosts_before = api.get("/v1/hosts", &op).await.body;
    let creds: Value =
        serde_json::from_slice(&std::fs::read(cloud.host_dir().join("credentials.json")).unwrap())
            .unwrap();
    let ca = std::fs::read_to_string(cloud.data.join(overcast_server::CLUSTER_CA_FILE)).unwrap();
    let dial = |identity: Option<(&str, &str)>| {
        let endpoint = tonic::transport::Endpoint::from_shared(format!(
            "https://127.0.0.1:{}",
            cloud.internal
        ))
        .unwrap()
        .tls_config(overcast_internal_api::tls::client_config(&ca, identity))
        .unwrap();
        async move { HostAgentClient::new(endpoint.connect().await.unwrap()) }
    };
    let mut client = dial(None).await;
    let capacity = Some(api::Capacity {
        cpus: 1,
        memory_mib: 1024,
        storage_bytes: 1 << 30,
        storage_free_bytes: 1 << 29,
    });
    let e = client
        .enroll(EnrollRequest {
            enrollment_token: "oc_forged".into(),
            name: "evil".into(),
            address: "10.0.0.66".into(),
            iscsi_port: 3260,
            capacity,
            csr_pem: overcast_internal_api::tls::host_key("evil")
                .unwrap()
                .csr_pem,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::PermissionDenied, "{e}");
    let mut client = dial(Some((
        creds["certificate_pem"].as_str().unwrap(),
        creds["key_pem"].as_str().unwrap(),
    )))
    .await;
    let mut req = tonic::Request::new(futures::stream::iter(Vec::<HostMessage>::new()));
    req.metadata_mut()
        .insert("authorization", "Bearer oc_unknown_host".parse().unwrap());
    let e = client.session(req).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unauthenticated, "{e}");
    let malformed = HostMessage {
        body: Some(Body::Heartbeat(api::Heartbeat {
            capacity,
            iscsi_port: 3260,
            inventory: Some(api::Inventory {
                domains: vec![api::DomainReport {
                    instance_id: "not-a-uuid".into(),
                    running: true,
                }],
                drives: vec![],
            }),
        })),
    };
    let mut req = tonic::Request::new(futures::stream::iter(vec![malformed]));
    req.metadata_mut().insert(
        "authorization",
        format!("Bearer {}", creds["host_secret"].as_str().unwrap())
            .parse()
            .unwrap(),
    );
    let mut stream = client.session(req).await.unwrap().into_inner();
    let e = loop {
        match stream.message().await {
            Err(e) => break e,
            Ok(Some(_)) => continue,
            Ok(None) => panic!("a malformed heartbeat was accepted"),
        }
    };
    assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e}");
    let hosts_after = api.get("/v1/hosts", &op).await.body;
    assert_eq!(
        hosts_after["items"][0]["cpus"], hosts_before["items"][0]["cpus"],
        "the bogus capacity was not recorded"
    );
    assert_eq!(api.get(&path, &t.rw).await.body["state"], "running");

    // Delete both instances and every drive: nothing remains on the host.
    for instance in [&id, &id2] {
        let p = format!("/v1/instances/{instance}");
        api.post(&format!("{p}/stop"), &t.rw, json!({})).await;
        wait_state(&api, &p, &t.rw, "stopped").await;
        let r = api.delete(&p, &t.rw).await;
        assert_eq!(r.status, 204, "{}", r.body);
        assert_eq!(api.get(&p, &t.rw).await.status, 404);
    }
    let drives = api.get(&format!("/v1/drives{q}"), &t.rw).await.body;
    for d in drives["items"].as_array().unwrap() {
        let r = api
            .delete(&format!("/v1/drives/{}", d["id"].as_str().unwrap()), &t.rw)
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    let view = look_at_host(&cloud.host_dir());
    assert!(
        view.domains.is_empty(),
        "no domain remains: {:?}",
        view.domains
    );
    assert_eq!(view.targets, 0, "no tgt target remains");
    assert!(
        view.drive_files.is_empty(),
        "no drive file remains: {:?}",
        view.drive_files
    );
    let _ = hostd.kill();
    let _ = hostd.wait();
    drop(cloud);
    let gone = Command::new("ip")
        .args(["link", "show", bridge.trim()])
        .output()
        .unwrap();
    assert!(!gone.status.success(), "teardown removes the host's bridge");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debian_12_boots_and_cloud_init_applies_hostname_and_key() {
    assert!(
        images_dir().join("debian-12/disk.raw").exists(),
        "the debian-12 image is missing: run `cargo xtask images`"
    );
    let tmp = TempDir::new("overcast-debian").unwrap();
    let cloud = Cloud::start(&tmp.0.join("data"));
    let api = cloud.api().await;
    api.wait_for_host().await.unwrap();
    let t = api.tenant("acme").await;
    let q = "?project=main";
    api.create(
        "/v1/ssh-keys",
        &t.rw,
        json!({"name": "laptop", "public_key": KEY}),
    )
    .await;
    let vm = api
        .create(
            &format!("/v1/instances{q}"),
            &t.rw,
            json!({"name": "deb-1", "vcpus": 1, "memory_mib": 1024, "image": "debian-12",
                   "ssh_keys": ["laptop"]}),
        )
        .await;
    let id = vm["id"].as_str().unwrap().to_string();
    let started = Instant::now();
    let log = loop {
        let log = api.serial(&id, &t.rw).await;
        // cloud-init set the hostname (the login prompt shows it) and
        // installed the key (it prints the authorized keys' fingerprints).
        if log.contains("deb-1 login:") && log.contains("me@laptop") {
            break log;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "debian-12 did not finish cloud-init in 600 s:\n{log}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    assert!(log.contains("Authorized keys"), "{log}");
    eprintln!("debian-12 up after {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_placement_hints_and_iscsi_across_hosts() {
    let tmp = TempDir::new("overcast-two-hosts").unwrap();
    let cloud = Cloud::start(&tmp.0.join("data"));
    let api = cloud.api().await;
    api.wait_for_host().await.unwrap();
    let op = api.operator_token.clone();

    // A second host, enrolled with a token from the API; its own libvirtd,
    // tgtd (another portal) and bridge.
    let enrollment = api
        .create(
            "/v1/host-enrollments",
            &op,
            json!({"description": "second"}),
        )
        .await;
    let token_file = tmp.0.join("enroll.token");
    std::fs::write(&token_file, enrollment["token"].as_str().unwrap()).unwrap();
    let host2_dir = tmp.0.join("host2");
    let bridge = format!("ocbr2{:06x}", std::process::id() & 0xff_ffff);
    let log = std::fs::File::create(tmp.0.join("host2.log")).unwrap();
    let mut hostd = Command::new(hostd_bin())
        .arg("run")
        .args(["--server", &format!("https://127.0.0.1:{}", cloud.internal)])
        .arg("--state-dir")
        .arg(&host2_dir)
        .args([
            "--name",
            "host-2",
            "--accelerator",
            "tcg",
            "--bridge",
            &bridge,
        ])
        .arg("--enrollment-token-file")
        .arg(&token_file)
        .arg("--server-ca")
        .arg(cloud.data.join(overcast_server::CLUSTER_CA_FILE))
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let hosts = loop {
        let r = api.get("/v1/hosts", &op).await.body;
        let items = r["items"].as_array().unwrap().clone();
        if items.len() == 2 && items.iter().all(|h| h["state"] == "active") {
            break items;
        }
        assert!(started.elapsed() < TIMEOUT, "host-2 did not enroll: {r}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let r = api
        .post("/v1/host-enrollments", &op, json!({"ttl_seconds": 5}))
        .await;
    assert_eq!(
        r.status, 400,
        "a token must live at least a minute: {}",
        r.body
    );

    let t = api.tenant("acme").await;
    let q = "?project=main";
    let drive = |name: &str, avoid: Vec<&str>| json!({"name": name, "size_bytes": 67108864, "image": "tiny", "avoid_drives": avoid});
    // avoid_drives puts a drive on another host than the drives named.
    let d_b = api
        .create(&format!("/v1/drives{q}"), &t.rw, drive("d-b", vec![]))
        .await;
    let d_a = api
        .create(&format!("/v1/drives{q}"), &t.rw, drive("d-a", vec!["d-b"]))
        .await;
    assert_ne!(d_a["host_id"], d_b["host_id"], "avoid_drives honoured");
    let d_x = api
        .create(&format!("/v1/drives{q}"), &t.rw, drive("d-x", vec!["d-b"]))
        .await;
    assert_eq!(d_x["host_id"], d_a["host_id"]);
    // With nowhere else to go, the hint makes a 507.
    let r = api
        .post(
            &format!("/v1/drives{q}"),
            &t.rw,
            drive("d-z", vec!["d-a", "d-b"]),
        )
        .await;
    assert_eq!(r.status, 507, "{}", r.body);

    // An instance goes where its boot drive is...
    let i1 = api
        .create(
            &format!("/v1/instances{q}"),
            &t.rw,
            json!({"name": "i-1", "vcpus": 1, "memory_mib": 256, "boot_drive": "d-a", "start": false}),
        )
        .await;
    assert_eq!(
        i1["host_id"], d_a["host_id"],
        "the boot drive's host is preferred"
    );
    // ...unless avoid_instances says otherwise: then its boot drive is
    // served over iSCSI by the other host's tgtd, and it boots.
    let i2 = api
        .create(
            &format!("/v1/instances{q}"),
            &t.rw,
            json!({"name": "i-2", "vcpus": 1, "memory_mib": 256, "boot_drive": "d-x",
                   "avoid_instances": ["i-1"]}),
        )
        .await;
    assert_eq!(i2["host_id"], d_b["host_id"], "avoid_instances honoured");
    assert_ne!(i2["host_id"], d_x["host_id"]);
    let id2 = i2["id"].as_str().unwrap().to_string();
    wait_state(&api, &format!("/v1/instances/{id2}"), &t.rw, "running").await;
    let (ready, _) = api.wait_ready(&id2, &t.rw, 1).await;
    assert!(
        ready.contains("hostname=i-2") && ready.contains("vda:64M"),
        "{ready}"
    );
    assert_eq!(hosts.len(), 2);

    // Clean up both hosts through the API; nothing is left on host-2.
    let p = format!("/v1/instances/{id2}");
    api.post(&format!("{p}/stop"), &t.rw, json!({})).await;
    wait_state(&api, &p, &t.rw, "stopped").await;
    for i in ["i-1", "i-2"] {
        let r = api.delete(&format!("/v1/instances/{i}{q}"), &t.rw).await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    for d in ["d-a", "d-b", "d-x"] {
        let r = api.delete(&format!("/v1/drives/{d}{q}"), &t.rw).await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    let view = look_at_host(&host2_dir);
    assert!(view.domains.is_empty() && view.targets == 0 && view.drive_files.is_empty());
    let _ = hostd.kill();
    let _ = hostd.wait();
    teardown_host(&hostd_bin(), &host2_dir);
}
