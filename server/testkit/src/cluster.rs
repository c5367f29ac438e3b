//! A cluster on one machine: an `overcast-server` and N hosts, each fully
//! separate, as `cargo xtask cluster up` and the cluster tests start them.
//!
//! Each host gets:
//! - its own network namespace (`oc<id>h<i>`), joined to the cluster
//!   bridge (`oc<id>br`, `10.213.<x>.1/24`, the server's side) by a veth
//!   pair, with its own address `10.213.<x>.<10+i>`;
//! - its own mount namespace, with a private `/var/run/tgtd` (hostd gives
//!   its libvirtd private libvirt directories inside it);
//! - its own freezer cgroup (`overcast-<id>-h<i>`), which every process of
//!   the host joins, so the host can be frozen or killed as a whole;
//! - its own hostd, which starts its own libvirtd, virtlogd and tgtd (iSCSI
//!   portal on the host's address) and enrolls with a token from the API.
//!
//! The harness kills a host (every process in its cgroup), freezes and
//! thaws it, cuts and restores its link, and brings a killed host back.
//! [`Cluster::down`] removes every namespace, link, cgroup, process and
//! file it made. Only loopback and the cluster's own subnet are addressed.
//! The cluster's description is kept in `<dir>/cluster.json`, so another
//! process (`cargo xtask cluster down`) can take it down.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::{Api, HostView, free_port, images_dir, look_at_host_in};

const FREEZER: &str = "/sys/fs/cgroup/freezer";

mod ceph;

/// One host of the cluster.
#[derive(Debug, Clone)]
pub struct ClusterHost {
    pub name: String,
    /// Its address on the cluster network.
    pub address: String,
    /// Its network namespace.
    pub netns: String,
    /// The root side of its veth pair (on the cluster bridge).
    pub veth: String,
    /// Its freezer cgroup.
    pub cgroup: PathBuf,
    /// hostd's state directory.
    pub state_dir: PathBuf,
    /// Its files: the log, the enrollment token, the private tgtd run dir.
    pub dir: PathBuf,
}

/// A server and its hosts. Dropping it takes the cluster down, unless
/// [`Cluster::detach`] was called.
pub struct Cluster {
    pub id: String,
    pub dir: PathBuf,
    /// `10.213.<x>`: the cluster's /24.
    pub subnet: String,
    pub bridge: String,
    pub api: Api,
    pub api_port: u16,
    pub internal_port: u16,
    pub hosts: Vec<ClusterHost>,
    bins: PathBuf,
    server_pid: Option<u32>,
    heartbeat: f64,
    certificate_seconds: Option<u64>,
    /// Whether a Ceph cluster runs on the hosts (`ceph.rs`).
    pub ceph: bool,
    /// The Ceph manager's process (beside the server).
    ceph_mgr_pid: Option<u32>,
    detached: bool,
}

/// How to start a cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    pub hosts: usize,
    /// Where its files go (created; removed by `down`).
    pub dir: PathBuf,
    /// Where `overcast-server` and `overcast-hostd` are.
    pub bins: PathBuf,
    /// Seconds between heartbeats.
    pub heartbeat: f64,
    /// How long host certificates are valid (the server's default if
    /// none): short, to see them rotate.
    pub certificate_seconds: Option<u64>,
    /// Also run Ceph: a monitor per host (one for fewer than three), an
    /// OSD per host, a manager beside the server.
    pub ceph: bool,
    /// Write each OSD's file in full before BlueStore is made on it, as a
    /// benchmark wants (see `Cluster::bootstrap_ceph`); tests leave the
    /// files sparse.
    pub osd_files_written: bool,
}

impl ClusterConfig {
    /// `hosts` hosts in a fresh temporary directory, binaries next to the
    /// running executable (a test's or `overcast-cluster`'s).
    pub fn new(hosts: usize) -> ClusterConfig {
        let dir = std::env::temp_dir().join(format!("overcast-cluster-{}", uuid::Uuid::new_v4()));
        ClusterConfig {
            hosts,
            dir,
            bins: bin_dir(),
            heartbeat: 1.0,
            certificate_seconds: None,
            ceph: false,
            osd_files_written: false,
        }
    }
}

/// The directory of the workspace's binaries: the running executable's,
/// or its parent for a test binary in `deps/`.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the current executable");
    let dir = exe.parent().expect("a directory").to_path_buf();
    if dir.ends_with("deps") {
        dir.parent().expect("target/<profile>").to_path_buf()
    } else {
        dir
    }
}

/// Run a command; its failure is an error carrying its stderr.
fn run(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program} (needs root and iproute2)"))?;
    if !out.status.success() {
        bail!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) -> Result<()> {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > timeout {
            bail!("{what}: not within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// The processes of a cgroup.
fn cgroup_pids(cgroup: &Path) -> Vec<u32> {
    std::fs::read_to_string(cgroup.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Each task of a cgroup with its state letter (`R`, `S`, `D`...) and name,
/// for an error message.
fn task_states(cgroup: &Path) -> String {
    cgroup_pids(cgroup)
        .iter()
        .map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // "pid (comm) state ...": the name may hold spaces, so split at
            // the last parenthesis.
            let (name, rest) = stat.rsplit_once(')').unwrap_or(("", ""));
            let name = name.split_once('(').map_or("?", |(_, n)| n);
            let state = rest.split_whitespace().next().unwrap_or("?");
            format!("{pid} {name} {state}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Run `f` on a thread inside the network namespace `netns` (a name under
/// `/run/netns`): what it connects to, it connects to from there.
pub fn in_netns<T: Send>(netns: &str, f: impl FnOnce() -> T + Send) -> Result<T> {
    let file = std::fs::File::open(Path::new("/run/netns").join(netns))
        .with_context(|| format!("no network namespace {netns}"))?;
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                rustix::thread::move_into_link_name_space(
                    std::os::fd::AsFd::as_fd(&file),
                    Some(rustix::thread::LinkNameSpaceType::Network),
                )
                .with_context(|| format!("entering {netns}"))?;
                Ok(f())
            })
            .join()
            .map_err(|_| anyhow::anyhow!("the thread in {netns} panicked"))?
    })
}

/// A /24 in 10.213.0.0/16 that no interface of this machine uses.
fn free_subnet() -> Result<String> {
    let addresses = run("ip", &["-o", "-4", "addr", "show"])?;
    let seed = (std::process::id() as usize) ^ (uuid::Uuid::new_v4().as_u128() as usize);
    for k in 0..254 {
        let x = (seed + k) % 254 + 1;
        let subnet = format!("10.213.{x}");
        if !addresses.contains(&format!("{subnet}.")) {
            return Ok(subnet);
        }
    }
    bail!("every 10.213.x.0/24 is in use")
}

impl Cluster {
    /// Start the server and `config.hosts` hosts, and wait until every
    /// host is enrolled and `active`. The `tiny` image is registered.
    pub async fn start(config: ClusterConfig) -> Result<Cluster> {
        for bin in ["overcast-server", "overcast-hostd"] {
            if !config.bins.join(bin).exists() {
                bail!(
                    "{} is missing: build it with `cargo build -p {}`",
                    config.bins.join(bin).display(),
                    if bin == "overcast-server" {
                        "overcast-server"
                    } else {
                        "overcast-hostd"
                    }
                );
            }
        }
        if !Path::new(FREEZER).is_dir() {
            bail!("{FREEZER} is missing: the harness needs cgroup v1's freezer");
        }
        if !images_dir().join("tiny/vmlinuz").exists() {
            bail!("the tiny image is missing: run `cargo xtask images`");
        }
        std::fs::create_dir_all(&config.dir)?;
        let dir = config.dir.canonicalize()?;
        let id = format!("{:04x}", uuid::Uuid::new_v4().as_u128() as u16);
        let subnet = free_subnet()?;
        let bridge = format!("oc{id}br");
        let mut cluster = Cluster {
            id: id.clone(),
            dir: dir.clone(),
            subnet: subnet.clone(),
            bridge: bridge.clone(),
            api: Api::new(String::new(), String::new())?,
            api_port: free_port()?,
            internal_port: free_port()?,
            hosts: Vec::new(),
            bins: config.bins.clone(),
            server_pid: None,
            heartbeat: config.heartbeat,
            certificate_seconds: config.certificate_seconds,
            ceph: config.ceph,
            ceph_mgr_pid: None,
            detached: false,
        };
        for i in 1..=config.hosts {
            let hdir = dir.join(format!("host-{i}"));
            cluster.hosts.push(ClusterHost {
                name: format!("host-{i}"),
                address: format!("{subnet}.{}", 10 + i),
                netns: format!("oc{id}h{i}"),
                veth: format!("oc{id}v{i}"),
                cgroup: Path::new(FREEZER).join(format!("overcast-{id}-h{i}")),
                state_dir: hdir.join("state"),
                dir: hdir,
            });
        }
        // Saved before anything is made, so `down` finds whatever was.
        cluster.save()?;
        run("ip", &["link", "add", &bridge, "type", "bridge"])?;
        run(
            "ip",
            &["addr", "add", &format!("{subnet}.1/24"), "dev", &bridge],
        )?;
        run("ip", &["link", "set", &bridge, "up"])?;
        for host in &cluster.hosts {
            host.plumb(&bridge)?;
            std::fs::create_dir_all(&host.dir)?;
            std::fs::create_dir_all(&host.cgroup)
                .with_context(|| format!("creating {}", host.cgroup.display()))?;
        }
        if cluster.ceph {
            cluster.bootstrap_ceph(config.osd_files_written)?;
        }
        cluster.start_server()?;
        let token_path = dir.join("server/operator.token");
        let token = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                if let Ok(t) = std::fs::read_to_string(&token_path)
                    && !t.trim().is_empty()
                {
                    return t.trim().to_string();
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .context("the server wrote no operator token in 30 s (see server.log)")?;
        cluster.api = Api::new(format!("http://127.0.0.1:{}", cluster.api_port), token)?;
        cluster.wait_for_api().await?;
        let tiny = images_dir().join("tiny").canonicalize()?;
        let disk = std::fs::metadata(tiny.join("disk.raw"))
            .map(|m| m.len())
            .unwrap_or(0);
        let min = disk.max(64 << 20).div_ceil(1 << 20) << 20;
        let op = cluster.api.operator_token.clone();
        cluster
            .api
            .create(
                "/v1/images",
                &op,
                json!({"name": "tiny", "os_family": "linux", "architecture": "x86_64",
                       "boot_mode": "direct_kernel", "min_size_bytes": min,
                       "source_url": format!("file://{}", tiny.display()), "system": true}),
            )
            .await;
        for i in 0..cluster.hosts.len() {
            let enrollment = cluster
                .api
                .create(
                    "/v1/host-enrollments",
                    &op,
                    json!({"description": cluster.hosts[i].name}),
                )
                .await;
            let token = enrollment["token"]
                .as_str()
                .context("an enrollment token")?;
            std::fs::create_dir_all(&cluster.hosts[i].dir)?;
            std::fs::write(cluster.hosts[i].dir.join("enroll.token"), token)?;
            cluster.start_host(i)?;
        }
        for i in 0..cluster.hosts.len() {
            cluster
                .wait_host_state(i, "active", Duration::from_secs(90))
                .await?;
        }
        Ok(cluster)
    }

    /// Keep the cluster running after this value drops (`xtask cluster up`).
    pub fn detach(mut self) {
        self.detached = true;
    }

    /// The cluster described in `<dir>/cluster.json`.
    pub fn load(dir: &Path) -> Result<Cluster> {
        let saved: Value = serde_json::from_slice(
            &std::fs::read(dir.join("cluster.json"))
                .with_context(|| format!("no cluster in {}", dir.display()))?,
        )?;
        let s = |k: &str| saved[k].as_str().unwrap_or_default().to_string();
        let hosts = saved["hosts"]
            .as_array()
            .context("hosts")?
            .iter()
            .map(|h| {
                let s = |k: &str| h[k].as_str().unwrap_or_default().to_string();
                ClusterHost {
                    name: s("name"),
                    address: s("address"),
                    netns: s("netns"),
                    veth: s("veth"),
                    cgroup: s("cgroup").into(),
                    state_dir: s("state_dir").into(),
                    dir: s("dir").into(),
                }
            })
            .collect();
        let token = std::fs::read_to_string(dir.join("server/operator.token")).unwrap_or_default();
        let api_port = saved["api_port"].as_u64().unwrap_or_default() as u16;
        Ok(Cluster {
            id: s("id"),
            dir: dir.to_path_buf(),
            subnet: s("subnet"),
            bridge: s("bridge"),
            api: Api::new(
                format!("http://127.0.0.1:{api_port}"),
                token.trim().to_string(),
            )?,
            api_port,
            internal_port: saved["internal_port"].as_u64().unwrap_or_default() as u16,
            hosts,
            bins: s("bins").into(),
            server_pid: saved["server_pid"].as_u64().map(|p| p as u32),
            heartbeat: saved["heartbeat"].as_f64().unwrap_or(1.0),
            certificate_seconds: saved["certificate_seconds"].as_u64(),
            ceph: saved["ceph"].as_bool().unwrap_or(false),
            ceph_mgr_pid: saved["ceph_mgr_pid"].as_u64().map(|p| p as u32),
            detached: true,
        })
    }

    fn save(&self) -> Result<()> {
        let hosts: Vec<Value> = self
            .hosts
            .iter()
            .map(|h| {
                json!({"name": h.name, "address": h.address, "netns": h.netns, "veth": h.veth,
                       "cgroup": h.cgroup, "state_dir": h.state_dir, "dir": h.dir})
            })
            .collect();
        let saved = json!({
            "id": self.id, "subnet": self.subnet, "bridge": self.bridge,
            "api_port": self.api_port, "internal_port": self.internal_port,
            "bins": self.bins, "server_pid": self.server_pid, "heartbeat": self.heartbeat,
            "certificate_seconds": self.certificate_seconds, "hosts": hosts,
            "ceph": self.ceph, "ceph_mgr_pid": self.ceph_mgr_pid,
        });
        std::fs::write(
            self.dir.join("cluster.json"),
            serde_json::to_vec_pretty(&saved)?,
        )?;
        Ok(())
    }

    /// The server's internal (gRPC) address, on the cluster bridge.
    pub fn internal_url(&self) -> String {
        format!("https://{}.1:{}", self.subnet, self.internal_port)
    }

    /// The cluster CA's certificate, which the server writes at start.
    pub fn cluster_ca_path(&self) -> PathBuf {
        self.dir
            .join("server")
            .join(overcast_server::CLUSTER_CA_FILE)
    }

    fn start_server(&mut self) -> Result<()> {
        let data = self.dir.join("server");
        std::fs::create_dir_all(&data)?;
        let log = std::fs::File::create(self.dir.join("server.log"))?;
        let mut command = Command::new(self.bins.join("overcast-server"));
        if let Some(seconds) = self.certificate_seconds {
            command.args(["--host-certificate-seconds", &seconds.to_string()]);
        }
        if self.ceph {
            // Not as the admin: as a user with the caps the README gives
            // an operator's existing cluster. The health is read every 2 s
            // (5 by default), so that a recovery of a few seconds shows in
            // the drives' views.
            command
                .arg("--ceph-conf")
                .arg(self.ceph_conf())
                .args([
                    "--ceph-user",
                    ceph::SERVER_USER.trim_start_matches("client."),
                ])
                .arg("--ceph-keyring")
                .arg(self.ceph_server_keyring())
                .args(["--storage-health-seconds", "2"]);
        }
        let child = command
            .arg("--data-dir")
            .arg(&data)
            .args(["--cluster-network", &format!("{}.0/24", self.subnet)])
            .args(["--listen", &format!("127.0.0.1:{}", self.api_port)])
            .args([
                "--internal-listen",
                &format!("{}.1:{}", self.subnet, self.internal_port),
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            // Not in the caller's process group: a ^C to `xtask cluster
            // up` must not take the cluster with it.
            .process_group(0)
            .spawn()
            .context("starting overcast-server")?;
        self.server_pid = Some(child.id());
        self.save()
    }

    /// Kill the server (SIGKILL).
    pub fn kill_server(&mut self) {
        // The recorded pid, if it still is our server (not a reused pid).
        let ours = |pid: &u32| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "overcast-server")
        };
        if let Some(pid) = self.server_pid.take().filter(ours) {
            // Its process group (it leads one): the `ceph` and `rbd` calls
            // it has under way go with it.
            let _ = Command::new("kill")
                .args(["-9", "--", &format!("-{pid}")])
                .status();
            let _ = wait_until("the server to exit", Duration::from_secs(10), || {
                !pid_running(pid)
            });
        }
    }

    /// Start the server again on the same database and ports.
    pub async fn restart_server(&mut self) -> Result<()> {
        self.kill_server();
        self.start_server()?;
        self.wait_for_api().await
    }

    async fn wait_for_api(&self) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Ok(r) = self
                .api
                .http
                .get(format!("{}/healthz", self.api.base))
                .send()
                .await
                && r.status().is_success()
            {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(30) {
                let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(30).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                bail!(
                    "the server did not answer in 30 s; the end of its log:\n{}",
                    tail.join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Start host `i`'s hostd in its namespaces and cgroup (enrolling on
    /// its first start; a killed host comes back the same way).
    pub fn start_host(&self, i: usize) -> Result<()> {
        let host = &self.hosts[i];
        std::fs::create_dir_all(&host.cgroup)
            .with_context(|| format!("creating {}", host.cgroup.display()))?;
        std::fs::create_dir_all(host.dir.join("tgtd-run"))?;
        std::fs::create_dir_all("/var/run/tgtd")?;
        let hostd = self.bins.join("overcast-hostd");
        let mut args = format!(
            "run --server {} --state-dir {} --name {} --address {} --accelerator tcg \
             --bridge ocguest --heartbeat {}",
            self.internal_url(),
            host.state_dir.display(),
            host.name,
            host.address,
            self.heartbeat,
        );
        let token = host.dir.join("enroll.token");
        if token.exists() {
            args.push_str(&format!(
                " --enrollment-token-file {} --server-ca {}",
                token.display(),
                self.cluster_ca_path().display()
            ));
        }
        let inner = format!(
            "mount --bind {} /var/run/tgtd && exec {} {args}",
            host.dir.join("tgtd-run").display(),
            hostd.display()
        );
        if self.ceph {
            self.start_ceph_daemons(i)?;
        }
        self.spawn_in_host(
            i,
            &format!("unshare -m --propagation private sh -c '{inner}'"),
            &host.dir.join("hostd.log"),
        )
    }

    /// Run `command` inside host `i`: in its network namespace and its
    /// cgroup, which the outer shell joins before anything else runs, so
    /// every process of the host (hostd, libvirtd, QEMU, tgtd, Ceph's
    /// daemons) is in it. Its output goes to `log`.
    fn spawn_in_host(&self, i: usize, command: &str, log: &Path) -> Result<()> {
        let host = &self.hosts[i];
        let script = format!(
            "echo $$ > {}/cgroup.procs && exec ip netns exec {} {command}",
            host.cgroup.display(),
            host.netns
        );
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        Command::new("sh")
            .args(["-c", &script])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {command} on {}", host.name))?;
        Ok(())
    }

    /// Wait until the API shows host `i` in `state`.
    pub async fn wait_host_state(&self, i: usize, state: &str, timeout: Duration) -> Result<Value> {
        let started = Instant::now();
        let name = &self.hosts[i].name;
        loop {
            let r = self
                .api
                .get(&format!("/v1/hosts/{name}"), &self.api.operator_token)
                .await;
            if r.body["state"] == state {
                return Ok(r.body);
            }
            if started.elapsed() > timeout {
                bail!(
                    "{name} is not `{state}` after {timeout:?}: {} (see {})",
                    r.body,
                    self.hosts[i].dir.join("hostd.log").display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Set host `i` `active` or `draining` (as the operator).
    pub async fn set_host_state(&self, i: usize, state: &str) -> Result<()> {
        let r = self
            .api
            .put(
                &format!("/v1/hosts/{}", self.hosts[i].name),
                &self.api.operator_token,
                json!({ "state": state }),
            )
            .await;
        if r.status != 200 {
            bail!("setting {} {state}: {}", self.hosts[i].name, r.body);
        }
        Ok(())
    }

    /// An HA instance `ha` (project `main` of `token`'s account) on host 0
    /// whose boot drive `ha-boot` is on host 1, beside a stopped `pin`
    /// instance on host 1 that `ha` avoids: failovers move it between
    /// hosts 0 and 2 while host 1 keeps serving its drive. Its id, once it
    /// runs and its guest is ready.
    pub async fn ha_instance_across_hosts(&self, token: &str) -> Result<String> {
        let q = "?project=main";
        self.set_host_state(0, "draining").await?;
        self.set_host_state(2, "draining").await?;
        self.api
            .create(
                &format!("/v1/drives{q}"),
                token,
                json!({"name": "ha-boot", "size_bytes": 67108864, "image": "tiny"}),
            )
            .await;
        self.api
            .create(
                &format!("/v1/instances{q}"),
                token,
                json!({"name": "pin", "vcpus": 1, "memory_mib": 128, "image": "tiny",
                       "start": false}),
            )
            .await;
        self.set_host_state(0, "active").await?;
        self.set_host_state(1, "draining").await?;
        let vm = self
            .api
            .create(
                &format!("/v1/instances{q}"),
                token,
                json!({"name": "ha", "vcpus": 1, "memory_mib": 256, "boot_drive": "ha-boot",
                       "avoid_instances": ["pin"]}),
            )
            .await;
        self.set_host_state(1, "active").await?;
        self.set_host_state(2, "active").await?;
        let id = vm["id"].as_str().context("an instance id")?.to_string();
        self.api
            .wait_state(&format!("/v1/instances/{id}"), token, "running")
            .await;
        self.api.wait_ready(&id, token, 1).await;
        Ok(id)
    }

    /// The hosts whose libvirt runs instance `id` (a frozen host's guests
    /// count as not running).
    pub fn running_on(&self, id: &str) -> Vec<usize> {
        (0..self.hosts.len())
            .filter(|&i| self.hosts[i].runs(id))
            .collect()
    }

    /// Wait (90 s at most) until instance `id` is `running` on exactly one
    /// host other than `not`, and return it; it never runs on two hosts
    /// at once meanwhile.
    pub async fn wait_moved(&self, token: &str, id: &str, not: usize) -> usize {
        let started = Instant::now();
        loop {
            let view = self
                .api
                .get(&format!("/v1/instances/{id}"), token)
                .await
                .body;
            let on = self.running_on(id);
            assert!(on.len() <= 1, "instance {id} runs on hosts {on:?} at once");
            if view["state"] == "running" && on.len() == 1 && on[0] != not {
                return on[0];
            }
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "not restarted away from {} in 90 s: {view} on {on:?}",
                self.hosts[not].name
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every process of host `i`.
    pub fn pids(&self, i: usize) -> Vec<u32> {
        self.hosts[i].pids()
    }

    /// Freeze every process of host `i` (cgroup freezer). A task in
    /// uninterruptible sleep (an OSD waiting on a slow disk) holds the
    /// cgroup in `FREEZING` until its I/O ends, so this waits up to 60 s
    /// and then names the tasks that did not stop.
    pub fn freeze(&self, i: usize) -> Result<()> {
        let cgroup = &self.hosts[i].cgroup;
        std::fs::write(cgroup.join("freezer.state"), "FROZEN")?;
        wait_until("the host to freeze", Duration::from_secs(60), || {
            std::fs::read_to_string(cgroup.join("freezer.state"))
                .is_ok_and(|s| s.trim() == "FROZEN")
        })
        .with_context(|| format!("tasks not frozen: {}", task_states(cgroup)))
    }

    /// Thaw host `i`.
    pub fn thaw(&self, i: usize) -> Result<()> {
        std::fs::write(self.hosts[i].cgroup.join("freezer.state"), "THAWED")?;
        Ok(())
    }

    /// Kill every process of host `i` at once, as a power loss would: its
    /// guests die with it; its files stay.
    ///
    /// The cgroup is frozen first so that nothing forks or reacts while it
    /// dies, but the kill does not wait for the freeze to finish: a task in
    /// uninterruptible sleep takes SIGKILL when its I/O ends. Any task that
    /// appears meanwhile is killed on the next pass.
    pub fn kill(&self, i: usize) -> Result<()> {
        let cgroup = &self.hosts[i].cgroup;
        if !cgroup.exists() {
            return Ok(());
        }
        std::fs::write(cgroup.join("freezer.state"), "FROZEN")?;
        let _ = wait_until("the host to freeze", Duration::from_secs(2), || {
            std::fs::read_to_string(cgroup.join("freezer.state"))
                .is_ok_and(|s| s.trim() == "FROZEN")
        });
        let kill_all = || {
            for pid in cgroup_pids(cgroup) {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
        };
        kill_all();
        self.thaw(i)?;
        let mut passes = 0u32;
        wait_until(
            "the host's processes to die",
            Duration::from_secs(30),
            || {
                passes += 1;
                if passes.is_multiple_of(25) {
                    kill_all();
                }
                cgroup_pids(cgroup).is_empty()
            },
        )
        .with_context(|| format!("tasks left: {}", task_states(cgroup)))
    }

    /// Cut host `i`'s link: packets are dropped, no connection is reset.
    pub fn cut(&self, i: usize) -> Result<()> {
        run("ip", &["link", "set", &self.hosts[i].veth, "down"])?;
        Ok(())
    }

    /// Restore host `i`'s link.
    pub fn restore(&self, i: usize) -> Result<()> {
        run("ip", &["link", "set", &self.hosts[i].veth, "up"])?;
        Ok(())
    }

    /// What host `i` has: its domains, targets and drive files.
    pub fn look(&self, i: usize) -> HostView {
        self.hosts[i].look()
    }

    /// The outsider's network namespace and the root side of its link.
    fn outsider_names(&self) -> (String, String) {
        (format!("oc{}out", self.id), format!("oc{}o", self.id))
    }

    /// A network namespace outside the cluster network, as the rest of a
    /// data centre would be: its own /30 (`10.214.<x>.2`), with a route to
    /// the cluster's /24 through this machine. Returns its name; taking the
    /// cluster down removes it.
    pub fn add_outsider(&self) -> Result<String> {
        let (netns, link) = self.outsider_names();
        let x = self.subnet.rsplit('.').next().unwrap_or("1");
        let peer = format!("{link}p");
        run("ip", &["netns", "add", &netns])?;
        run(
            "ip",
            &["link", "add", &link, "type", "veth", "peer", "name", &peer],
        )?;
        run(
            "ip",
            &["addr", "add", &format!("10.214.{x}.1/30"), "dev", &link],
        )?;
        run("ip", &["link", "set", &link, "up"])?;
        run("ip", &["link", "set", &peer, "netns", &netns])?;
        let ns = |args: &[&str]| {
            let mut all = vec!["-n", netns.as_str()];
            all.extend(args);
            run("ip", &all)
        };
        ns(&["link", "set", &peer, "name", "eth0"])?;
        ns(&["addr", "add", &format!("10.214.{x}.2/30"), "dev", "eth0"])?;
        ns(&["link", "set", "eth0", "up"])?;
        ns(&["link", "set", "lo", "up"])?;
        ns(&[
            "route",
            "add",
            &format!("{}.0/24", self.subnet),
            "via",
            &format!("10.214.{x}.1"),
        ])?;
        Ok(netns)
    }

    /// Take everything down: processes, cgroups, namespaces, links, files.
    pub fn down(mut self) -> Result<()> {
        self.detached = true;
        self.teardown()
    }

    fn teardown(&mut self) -> Result<()> {
        let mut problems = Vec::new();
        self.kill_server();
        self.kill_ceph_mgr();
        for i in 0..self.hosts.len() {
            if let Err(e) = self.kill(i) {
                problems.push(format!("{}: {e:#}", self.hosts[i].name));
            }
            let host = &self.hosts[i];
            if host.cgroup.exists() && std::fs::remove_dir(&host.cgroup).is_err() {
                problems.push(format!("{} remains", host.cgroup.display()));
            }
            if Path::new("/run/netns").join(&host.netns).exists() {
                let _ = run("ip", &["netns", "del", &host.netns]);
            }
            if link_exists(&host.veth) {
                let _ = run("ip", &["link", "del", &host.veth]);
            }
        }
        if link_exists(&self.bridge) {
            let _ = run("ip", &["link", "del", &self.bridge]);
        }
        let (netns, link) = self.outsider_names();
        if Path::new("/run/netns").join(&netns).exists() {
            let _ = run("ip", &["netns", "del", &netns]);
        }
        if link_exists(&link) {
            let _ = run("ip", &["link", "del", &link]);
        }
        if self.dir.exists() && std::fs::remove_dir_all(&self.dir).is_err() {
            problems.push(format!("{} remains", self.dir.display()));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("taking the cluster down: {}", problems.join("; "))
        }
    }

    /// Anything of this cluster still on the machine, for a leak check.
    pub fn leftovers(&self) -> Vec<String> {
        let mut left = Vec::new();
        for h in &self.hosts {
            if Path::new("/run/netns").join(&h.netns).exists() {
                left.push(format!("namespace {}", h.netns));
            }
            if link_exists(&h.veth) {
                left.push(format!("link {}", h.veth));
            }
            if h.cgroup.exists() {
                left.push(format!("cgroup {}", h.cgroup.display()));
            }
        }
        if link_exists(&self.bridge) {
            left.push(format!("link {}", self.bridge));
        }
        let (netns, link) = self.outsider_names();
        if Path::new("/run/netns").join(&netns).exists() {
            left.push(format!("namespace {netns}"));
        }
        if link_exists(&link) {
            left.push(format!("link {link}"));
        }
        if self.dir.exists() {
            left.push(format!("directory {}", self.dir.display()));
        }
        // Any process still running a binary or a file of the cluster.
        let needle = self.dir.display().to_string();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains(&needle) {
                left.push(format!(
                    "process {}: {cmdline}",
                    entry.file_name().to_string_lossy()
                ));
            }
        }
        left
    }
}

impl ClusterHost {
    /// Its processes.
    pub fn pids(&self) -> Vec<u32> {
        cgroup_pids(&self.cgroup)
    }

    /// Whether it is frozen (its libvirtd cannot answer then).
    pub fn frozen(&self) -> bool {
        std::fs::read_to_string(self.cgroup.join("freezer.state"))
            .is_ok_and(|s| s.trim() != "THAWED")
    }

    /// What it has: its domains, targets and drive files.
    pub fn look(&self) -> HostView {
        let pid = self.pids().first().copied();
        look_at_host_in(&self.state_dir, pid)
    }

    /// Whether its libvirt runs the domain of instance `id` (a dead or
    /// frozen host runs nothing).
    pub fn runs(&self, id: &str) -> bool {
        let domain = format!("instance-{id}");
        !self.pids().is_empty()
            && !self.frozen()
            && self
                .look()
                .domains
                .iter()
                .any(|(n, s)| *n == domain && s == "running")
    }

    /// The addresses connected to its tgtd's targets.
    pub fn iscsi_connections(&self) -> Vec<String> {
        let Some(pid) = self.pids().first().copied() else {
            return Vec::new();
        };
        let record: Value = std::fs::read(self.state_dir.join("daemons/daemons.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        let out = Command::new("nsenter")
            .args(["-t", &pid.to_string(), "-m", "--", "tgtadm"])
            .args(["-C", &record["control_port"].to_string(), "--lld", "iscsi"])
            .args(["--op", "show", "--mode", "target"])
            .output();
        out.map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| l.trim().strip_prefix("IP Address: "))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
    }

    /// Its namespace, veth pair and address.
    fn plumb(&self, bridge: &str) -> Result<()> {
        let peer = format!("{}p", self.veth);
        run("ip", &["netns", "add", &self.netns])?;
        run(
            "ip",
            &[
                "link", "add", &self.veth, "type", "veth", "peer", "name", &peer,
            ],
        )?;
        run("ip", &["link", "set", &self.veth, "master", bridge])?;
        run("ip", &["link", "set", &self.veth, "up"])?;
        run("ip", &["link", "set", &peer, "netns", &self.netns])?;
        let ns = |args: &[&str]| {
            let mut all = vec!["-n", self.netns.as_str()];
            all.extend(args);
            run("ip", &all)
        };
        ns(&["link", "set", &peer, "name", "eth0"])?;
        ns(&[
            "addr",
            "add",
            &format!("{}/24", self.address),
            "dev",
            "eth0",
        ])?;
        ns(&["link", "set", "eth0", "up"])?;
        ns(&["link", "set", "lo", "up"])?;
        Ok(())
    }
}

fn link_exists(name: &str) -> bool {
    Command::new("ip")
        .args(["link", "show", name])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn pid_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| !s.contains(") Z ") && !s.contains(") X "))
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.detached
            && let Err(e) = self.teardown()
        {
            eprintln!("{e:#}");
        }
    }
}
