//! Test and benchmark support for Overcast: a throwaway PostgreSQL cluster
//! that the tests start themselves (initdb + pg_ctl on a free port), an
//! in-process server on a fresh database with an HTTP client around it,
//! and simulated hosts ([`sim`]) that speak the real internal API.

pub mod cluster;
pub mod sim;
pub mod sim_storage;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::Value;

pub use overcast_server::{Config, Server, openapi as openapi_document};

/// Which database a test server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A PostgreSQL cluster owned by this process. A watchdog process stops it
/// and removes its files when this process exits, however it exits.
pub struct PgCluster {
    pub port: u16,
    pub dir: PathBuf,
    pub bin: PathBuf,
}

/// The directory of the newest installed PostgreSQL server binaries.
pub fn pg_bindir() -> Result<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL server binaries are missing: no /usr/lib/postgresql (run `cargo xtask setup`)")?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found
        .pop()
        .context("no initdb/pg_ctl under /usr/lib/postgresql/*/bin (run `cargo xtask setup`)")
}

/// A TCP port that was free a moment ago.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Run a PostgreSQL tool, as the `postgres` user when we are root (initdb
/// refuses to run as root).
fn pg_command(bin: &Path, tool: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    }
}

fn run(mut cmd: Command, what: &str) -> Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("{what}: could not run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// A directory for a cluster's files, owned by the user PostgreSQL runs as.
fn pg_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("overcast-pg-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    if is_root() {
        run(
            {
                let mut c = Command::new("chown");
                c.arg("postgres:postgres").arg(&dir);
                c
            },
            "chown of the cluster directory",
        )?;
    }
    Ok(dir)
}

/// Start the cluster in `<dir>/data` on `port` with `settings` (`-c`
/// options), and a watchdog that stops it and removes `dir` when this
/// process exits, however it exits.
fn pg_start(bin: &Path, dir: &Path, port: u16, settings: &str) -> Result<()> {
    let data = dir.join("data");
    let mut ctl = pg_command(bin, "pg_ctl");
    ctl.arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(dir.join("log"))
        .arg("-o")
        .arg(format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400 {settings}",
            dir.display()
        ))
        .args(["-w", "start"]);
    run(ctl, "pg_ctl start")?;
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
         {runas}{ctl} -D {data} stop -m immediate >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        runas = if is_root() {
            "runuser -u postgres -- "
        } else {
            ""
        },
        ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("setsid")
        .args(["sh", "-c", &stop])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("starting the PostgreSQL watchdog")?;
    Ok(())
}

fn pg_initdb(bin: &Path, dir: &Path) -> Result<()> {
    let mut initdb = pg_command(bin, "initdb");
    initdb.arg("-D").arg(dir.join("data")).args([
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--no-sync",
    ]);
    run(initdb, "initdb")
}

impl PgCluster {
    /// initdb a new cluster in a temporary directory and start it on a free
    /// port, tuned for tests (no fsync: a crash of the machine loses it).
    pub fn start() -> Result<PgCluster> {
        Self::start_with("-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    }

    /// initdb a new cluster and start it on a free port with `settings`
    /// (`-c` options).
    fn start_with(settings: &str) -> Result<PgCluster> {
        let bin = pg_bindir()?;
        let dir = pg_dir()?;
        pg_initdb(&bin, &dir)?;
        let port = free_port()?;
        pg_start(&bin, &dir, port, settings)?;
        Ok(PgCluster { port, dir, bin })
    }

    /// The URL of a database in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Create a new, empty database and return its URL.
    pub fn create_database(&self) -> Result<String> {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::PgConnection::establish(&self.url("postgres"))
            .context("connecting to the test cluster")?;
        conn.batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(self.url(&name))
    }
}

/// A PostgreSQL primary with a hot standby that streams from it
/// synchronously (`synchronous_standby_names = '*'`: a commit returns once
/// the standby has it), the setup the README documents for control-plane
/// HA. Servers connect with both addresses and
/// `target_session_attrs=read-write`, so after a promotion they find the
/// new primary by themselves.
pub struct PgPair {
    pub primary: PgCluster,
    pub standby: PgCluster,
}

impl PgPair {
    pub fn start() -> Result<PgPair> {
        let primary = PgCluster::start_with(
            "-c wal_level=replica -c max_wal_senders=4 -c synchronous_commit=on \
             -c synchronous_standby_names='*'",
        )?;
        let (bin, port) = (primary.bin.clone(), primary.port);
        let sdir = pg_dir()?;
        let mut backup = pg_command(&bin, "pg_basebackup");
        backup
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
            .arg("-D")
            .arg(sdir.join("data"))
            .args(["-X", "stream", "-R", "--no-sync"]);
        run(backup, "pg_basebackup of the standby")?;
        let sport = free_port()?;
        pg_start(&bin, &sdir, sport, "-c hot_standby=on")?;
        Ok(PgPair {
            primary,
            standby: PgCluster {
                port: sport,
                dir: sdir,
                bin,
            },
        })
    }

    /// A database's URL naming both servers: whichever is the primary.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/{database}?target_session_attrs=read-write",
            self.primary.port, self.standby.port
        )
    }

    /// Stop the primary at once, as a crash would.
    pub fn kill_primary(&self) -> Result<()> {
        let mut ctl = pg_command(&self.primary.bin, "pg_ctl");
        ctl.arg("-D")
            .arg(self.primary.dir.join("data"))
            .args(["stop", "-m", "immediate"]);
        run(ctl, "pg_ctl stop of the primary")
    }

    /// Make the standby the primary.
    pub fn promote_standby(&self) -> Result<()> {
        let mut ctl = pg_command(&self.standby.bin, "pg_ctl");
        ctl.arg("-D")
            .arg(self.standby.dir.join("data"))
            .args(["-w", "promote"]);
        run(ctl, "pg_ctl promote of the standby")
    }
}

/// The one cluster shared by all tests of this process.
pub fn shared_cluster() -> &'static PgCluster {
    static CLUSTER: OnceLock<PgCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        PgCluster::start().unwrap_or_else(|e| {
            panic!("the PostgreSQL tests need a PostgreSQL server they can start: {e:#}")
        })
    })
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The `error_code` of an error body.
    pub fn code(&self) -> &str {
        self.body["error_code"].as_str().unwrap_or("")
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_string()
    }

    pub fn etag(&self) -> String {
        self.headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

/// A server started in-process on port 0 with a fresh database.
pub struct TestServer {
    pub server: Server,
    pub api: Api,
    pub backend: Backend,
    /// Simulated hosts (none when the server runs a real local host).
    pub sims: Vec<sim::SimHost>,
    /// The simulated storage cluster, if the server was given one.
    pub storage: Option<std::sync::Arc<sim_storage::SimStorage>>,
    /// The PostgreSQL database (none on SQLite), which replicas share.
    pub database: Option<String>,
    host: HostGuard,
    _data: TempDir,
}

/// An `overcast-server` process (the binary next to the running one), one
/// replica of the control plane, its output in a file.
pub struct ReplicaProcess {
    pub child: std::process::Child,
    pub api: Api,
    pub internal: std::net::SocketAddr,
    pub data: TempDir,
}

impl ReplicaProcess {
    /// Start a replica on `database` and wait until it serves; `token` is
    /// the operator token (the first replica writes it).
    pub fn start(database: &str, token: Option<&str>, args: &[&str]) -> ReplicaProcess {
        let data = TempDir::new("overcast-replica-process").unwrap();
        let (port, internal) = (free_port().unwrap(), free_port().unwrap());
        let log = std::fs::File::create(data.0.join("server.log")).unwrap();
        let child = std::process::Command::new(cluster::bin_dir().join("overcast-server"))
            .arg("--data-dir")
            .arg(&data.0)
            .args(["--database", database])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--internal-listen", &format!("127.0.0.1:{internal}")])
            .args(args)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the server binary starts");
        let started = std::time::Instant::now();
        while !std::fs::read_to_string(data.0.join("server.log"))
            .unwrap_or_default()
            .contains("Internal API:")
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "replica did not start: {}",
                std::fs::read_to_string(data.0.join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let token = match token {
            Some(t) => t.to_string(),
            None => std::fs::read_to_string(data.0.join("operator.token"))
                .unwrap()
                .trim()
                .to_string(),
        };
        ReplicaProcess {
            child,
            api: Api::new(format!("http://127.0.0.1:{port}"), token).unwrap(),
            internal: format!("127.0.0.1:{internal}").parse().unwrap(),
            data,
        }
    }

    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data.0.join("server.log")).unwrap_or_default()
    }
}

impl Drop for ReplicaProcess {
    /// Stop it; in a failing test, show its errors first (the log goes
    /// with its directory).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let errors: Vec<String> = self
                .log()
                .lines()
                .filter(|l| l.contains("ERROR"))
                .map(String::from)
                .collect();
            if !errors.is_empty() {
                eprintln!("replica {} logged:\n{}", self.api.base, errors.join("\n"));
            }
        }
    }
}

/// A further replica of a test server's control plane.
pub struct Replica {
    pub server: Server,
    pub api: Api,
    _data: TempDir,
}

/// Which hosts a test server gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hosts {
    /// This many simulated hosts (`sim-1`, `sim-2`, ...): no root, QEMU,
    /// libvirtd or tgtd needed.
    Simulated(usize),
    /// The all-in-one local host: a real hostd with its own libvirtd and
    /// tgtd, guests under TCG (needs root and the `tiny` image).
    Real,
}

/// The local host's daemon binary and state directory, torn down on drop
/// (a failed test still stops its guests and daemons).
pub struct HostGuard(Option<(PathBuf, PathBuf)>);

impl Drop for HostGuard {
    fn drop(&mut self) {
        if let Some((hostd, state)) = self.0.take() {
            teardown_host(&hostd, &state);
        }
    }
}

/// Stop everything a host started: guests, exports, daemons.
pub fn teardown_host(hostd: &Path, state: &Path) {
    let _ = Command::new(hostd)
        .arg("teardown")
        .arg("--state-dir")
        .arg(state)
        .output();
}

/// What a real host has, read with its own tools: its libvirt domains
/// (name, state), its tgt targets, and the files in its drive directory.
#[derive(Debug)]
pub struct HostView {
    pub domains: Vec<(String, String)>,
    pub targets: usize,
    pub drive_files: Vec<String>,
}

/// virsh against the private libvirtd of the host whose state is in `dir`;
/// its standard output.
pub fn virsh(dir: &Path, args: &[&str]) -> String {
    let socket = dir.join("daemons/run/libvirt-sock");
    let out = Command::new("virsh")
        .args(["-c", &format!("qemu:///system?socket={}", socket.display())])
        .args(args)
        .output()
        .expect("virsh runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Inspect the real host whose state directory is `dir`.
pub fn look_at_host(dir: &Path) -> HostView {
    look_at_host_in(dir, None)
}

/// Inspect the real host whose state directory is `dir`; its tgtd is
/// reached in the mount namespace of process `pid`, if given (a cluster
/// host's private `/var/run/tgtd`).
pub fn look_at_host_in(dir: &Path, pid: Option<u32>) -> HostView {
    let list = virsh(dir, &["list", "--all", "--name"]);
    let mut domains = Vec::new();
    for name in list.lines().filter(|l| !l.is_empty()) {
        let state = virsh(dir, &["domstate", name]);
        domains.push((name.to_string(), state.trim().to_string()));
    }
    let record: Value = std::fs::read(dir.join("daemons/daemons.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let mut show = match pid {
        Some(pid) => {
            let mut c = Command::new("nsenter");
            c.args(["-t", &pid.to_string(), "-m", "--", "tgtadm"]);
            c
        }
        None => Command::new("tgtadm"),
    };
    let show = show
        .args(["-C", &record["control_port"].to_string(), "--lld", "iscsi"])
        .args(["--op", "show", "--mode", "target"])
        .output()
        .expect("tgtadm runs");
    let targets = String::from_utf8_lossy(&show.stdout)
        .lines()
        .filter(|l| l.starts_with("Target "))
        .count();
    let drive_files = std::fs::read_dir(dir.join("drives"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    HostView {
        domains,
        targets,
        drive_files,
    }
}

/// A Terraform CLI configuration that takes Overcast's provider from
/// `provider_dir` (`dev_overrides`: no registry, no network).
pub fn terraform_cli_config(provider_dir: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/overcast/overcast\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
        provider_dir.display()
    )
}

/// Where `cargo xtask images` puts the system images.
pub fn images_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/images")
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What an in-process server logs at WARN and above goes to the test's
/// output, which the test runner shows when the test fails: a 500 in a
/// test names its cause (the error body only has a request id).
fn log_to_test_output() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_max_level(tracing::Level::WARN)
        .try_init();
}

impl TestServer {
    /// A server with one simulated host and the `tiny` system image.
    pub async fn start(backend: Backend) -> Result<TestServer> {
        Self::start_with(backend, Hosts::Simulated(1)).await
    }

    pub async fn start_with(backend: Backend, hosts: Hosts) -> Result<TestServer> {
        Self::start_configured(backend, hosts, |_| {}).await
    }

    /// A server with `n` simulated hosts and a simulated storage cluster
    /// for `replicated` drives (read every 0.2 s).
    pub async fn start_with_storage(backend: Backend, n: usize) -> Result<TestServer> {
        Self::start_with_storage_configured(backend, n, |_| {}).await
    }

    /// As [`TestServer::start_with_storage`], with settings `tweak` changes.
    pub async fn start_with_storage_configured(
        backend: Backend,
        n: usize,
        tweak: impl FnOnce(&mut Config),
    ) -> Result<TestServer> {
        let storage = std::sync::Arc::new(sim_storage::SimStorage::default());
        Self::start_full(
            backend,
            Hosts::Simulated(n),
            |c| {
                c.storage_health_seconds = 0.2;
                tweak(c);
            },
            Some(storage),
        )
        .await
    }

    /// A server whose settings `tweak` changes first.
    pub async fn start_configured(
        backend: Backend,
        hosts: Hosts,
        tweak: impl FnOnce(&mut Config),
    ) -> Result<TestServer> {
        Self::start_full(backend, hosts, tweak, None).await
    }

    async fn start_full(
        backend: Backend,
        hosts: Hosts,
        tweak: impl FnOnce(&mut Config),
        storage: Option<std::sync::Arc<sim_storage::SimStorage>>,
    ) -> Result<TestServer> {
        log_to_test_output();
        let data = TempDir::new("overcast-test")?;
        let mut config = Config::new(&data.0);
        config.listen = "127.0.0.1:0".parse()?;
        config.internal_listen = "127.0.0.1:0".parse()?;
        config.db_pool_size = 8;
        if hosts == Hosts::Real {
            config.all_in_one = true;
            config.accelerator = "tcg".into();
            config.images_dir = images_dir();
            anyhow::ensure!(
                config.images_dir.join("tiny/vmlinuz").exists(),
                "the tiny image is missing from {}: run `cargo xtask images`",
                config.images_dir.display()
            );
        }
        tweak(&mut config);
        if backend == Backend::Postgres && config.database.is_none() {
            config.database =
                Some(tokio::task::spawn_blocking(|| shared_cluster().create_database()).await??);
        }
        let database = config.database.clone();
        let server = match &storage {
            Some(s) => {
                let s: std::sync::Arc<dyn overcast_server::storage::Storage> = s.clone();
                Server::start_with_storage(config, Some(s)).await?
            }
            None => Server::start(config).await?,
        };
        let operator_token = std::fs::read_to_string(&server.operator_token_path)?
            .trim()
            .to_string();
        let host = server
            .local_host
            .as_ref()
            .map(|h| (h.hostd.clone(), h.state_dir.clone()));
        let mut t = TestServer {
            api: Api::new(format!("http://{}", server.addr), operator_token)?,
            server,
            backend,
            sims: Vec::new(),
            storage,
            database,
            host: HostGuard(host),
            _data: data,
        };
        if let Hosts::Simulated(n) = hosts {
            for i in 1..=n {
                t.add_sim_host(sim::SimConfig::new(&format!("sim-{i}")))
                    .await?;
            }
            t.register_tiny().await?;
        }
        t.wait_for_host().await?;
        Ok(t)
    }

    /// Another replica of the control plane on the same PostgreSQL
    /// database, in-process, with the operator token of this one.
    pub async fn add_replica(&self) -> Result<Replica> {
        let database = self
            .database
            .clone()
            .context("replicas need the PostgreSQL backend")?;
        let data = TempDir::new("overcast-replica")?;
        let mut config = Config::new(&data.0);
        config.listen = "127.0.0.1:0".parse()?;
        config.internal_listen = "127.0.0.1:0".parse()?;
        config.db_pool_size = 8;
        config.database = Some(database);
        let server = Server::start(config).await?;
        Ok(Replica {
            api: Api::new(
                format!("http://{}", server.addr),
                self.operator_token.clone(),
            )?,
            server,
            _data: data,
        })
    }

    /// Enroll one more simulated host and wait until it is active.
    /// The real local host's state directory (none with simulated hosts).
    pub fn host_dir(&self) -> Option<&Path> {
        self.host.0.as_ref().map(|(_, dir)| dir.as_path())
    }

    /// The cluster CA's certificate (PEM), which hosts trust the server by.
    pub fn cluster_ca(&self) -> Result<String> {
        let path = self._data.0.join(overcast_server::CLUSTER_CA_FILE);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    }

    pub async fn add_sim_host(&mut self, config: sim::SimConfig) -> Result<&sim::SimHost> {
        let enrollment = self
            .post(
                "/v1/host-enrollments",
                &self.operator_token,
                serde_json::json!({"description": format!("simulated {}", config.name)}),
            )
            .await;
        anyhow::ensure!(
            enrollment.status == StatusCode::CREATED,
            "enrollment token: {} {}",
            enrollment.status,
            enrollment.body
        );
        let token = enrollment.body["token"].as_str().unwrap_or_default();
        let sim = sim::SimHost::start(
            self.server.internal_addr,
            &self.cluster_ca()?,
            token,
            config,
        )
        .await?;
        self.sims.push(sim);
        Ok(self.sims.last().expect("just pushed"))
    }

    /// Stop the server and its local host (guests included).
    pub async fn stop(self) {
        let TestServer {
            server,
            mut host,
            sims,
            ..
        } = self;
        drop(sims);
        server.stop().await.expect("clean shutdown");
        if let Some((hostd, state)) = host.0.take() {
            tokio::task::spawn_blocking(move || teardown_host(&hostd, &state))
                .await
                .expect("teardown");
        }
    }
}

impl std::ops::Deref for TestServer {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

/// An HTTP client for a server, with the operator token.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub operator_token: String,
    pub http: reqwest::Client,
}

impl Api {
    /// The `tiny` system image as the all-in-one registers it; simulated
    /// hosts never read its bundle.
    pub async fn register_tiny(&self) -> Result<()> {
        let r = self
            .post(
                "/v1/images",
                &self.operator_token,
                serde_json::json!({
                    "name": "tiny", "description": "busybox test image",
                    "os_family": "linux", "architecture": "x86_64", "boot_mode": "direct_kernel",
                    "min_size_bytes": 64 << 20, "source_url": "file:///nonexistent/tiny",
                    "system": true,
                }),
            )
            .await;
        anyhow::ensure!(
            r.status == StatusCode::CREATED,
            "registering tiny: {} {}",
            r.status,
            r.body
        );
        Ok(())
    }

    pub fn new(base: String, operator_token: String) -> Result<Self> {
        Ok(Self {
            base,
            operator_token,
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()?,
        })
    }

    /// Poll `path` until its `state` is `state` (60 s at most).
    pub async fn wait_state(&self, path: &str, token: &str, state: &str) -> Value {
        self.wait_state_within(path, token, state, std::time::Duration::from_secs(60))
            .await
    }

    /// Poll `path` until its `state` is `state`, failing after `timeout`.
    pub async fn wait_state_within(
        &self,
        path: &str,
        token: &str,
        state: &str,
        timeout: std::time::Duration,
    ) -> Value {
        let started = std::time::Instant::now();
        loop {
            let r = self.get(path, token).await;
            if r.body["state"] == state {
                return r.body;
            }
            assert!(
                started.elapsed() < timeout,
                "{path} did not become {state} in {timeout:?}: {}",
                r.body
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Poll `path` until it is gone (404), 60 s at most.
    pub async fn wait_gone(&self, path: &str, token: &str) {
        let started = std::time::Instant::now();
        loop {
            let r = self.get(path, token).await;
            if r.status == 404 {
                return;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "{path} is still there after 60 s: {}",
                r.body
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// The whole serial log of an instance so far.
    pub async fn serial(&self, instance: &str, token: &str) -> String {
        let mut out = String::new();
        let mut offset = 0;
        loop {
            let r = self
                .get(
                    &format!("/v1/instances/{instance}/serial?offset={offset}"),
                    token,
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            let data = r.body["data"].as_str().unwrap();
            out.push_str(data);
            let next = r.body["next_offset"].as_u64().unwrap();
            if data.is_empty() || next >= r.body["size"].as_u64().unwrap() {
                return out;
            }
            offset = next;
        }
    }

    /// Wait (two minutes at most) for the `n`th readiness marker of the
    /// `tiny` guest on the console; returns it and the data line printed
    /// just before it.
    pub async fn wait_ready(&self, instance: &str, token: &str, n: usize) -> (String, String) {
        let started = std::time::Instant::now();
        loop {
            let log = self.serial(instance, token).await;
            let ready: Vec<&str> = log
                .lines()
                .filter(|l| l.starts_with("OVERCAST-READY"))
                .collect();
            let data: Vec<&str> = log
                .lines()
                .filter(|l| l.starts_with("OVERCAST-DATA"))
                .collect();
            if ready.len() >= n {
                return (
                    ready[n - 1].trim().to_string(),
                    data[n - 1].trim().to_string(),
                );
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(120),
                "boot {n} of {instance} never got ready:\n{log}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    /// Wait until the local host has enrolled and reported in.
    pub async fn wait_for_host(&self) -> Result<Value> {
        let started = std::time::Instant::now();
        loop {
            let r = self.get("/v1/hosts", &self.operator_token).await;
            if let Some(host) = r.body["items"]
                .as_array()
                .and_then(|a| a.iter().find(|h| h["state"] == "active"))
            {
                return Ok(host.clone());
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                bail!("the local host did not come up in 60 s: {}", r.body);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Send a request with a token (or none) and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("the server answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("a whole body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(&body), &[])
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(token), Some(&body), &[])
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None, &[])
            .await
    }

    /// Create something and insist it worked.
    pub async fn create(&self, path: &str, token: &str, body: Value) -> Value {
        let reply = self.post(path, token, body).await;
        assert!(
            reply.status.is_success(),
            "POST {path} failed: {} {}",
            reply.status,
            reply.body
        );
        reply.body
    }

    /// Make an account with a read-write and a read-only token, and a project.
    pub async fn tenant(&self, name: &str) -> Tenant {
        let op = self.operator_token.clone();
        let account = self
            .create("/v1/accounts", &op, serde_json::json!({ "name": name }))
            .await;
        let account_id = account["id"].as_str().unwrap().to_string();
        let rw = self
            .create(
                "/v1/tokens",
                &op,
                serde_json::json!({ "scope": "account_read_write", "account": account_id }),
            )
            .await["secret"]
            .as_str()
            .unwrap()
            .to_string();
        let ro = self
            .create(
                "/v1/tokens",
                &op,
                serde_json::json!({ "scope": "account_read_only", "account": account_id }),
            )
            .await["secret"]
            .as_str()
            .unwrap()
            .to_string();
        let project = self
            .create("/v1/projects", &rw, serde_json::json!({ "name": "main" }))
            .await;
        Tenant {
            account_id,
            rw,
            ro,
            project_id: project["id"].as_str().unwrap().to_string(),
        }
    }
}

/// An account with tokens and a project, for tests.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub account_id: String,
    pub rw: String,
    pub ro: String,
    pub project_id: String,
}

/// Run each named `async fn(Backend)` of a test file as two tests, one on
/// SQLite (`sqlite::<name>`) and one on a PostgreSQL the test starts
/// (`postgres::<name>`).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}
