//! Server settings, from flags or `OVERCAST_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How to run the server.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "overcast-server",
    version,
    about = "The Overcast control plane"
)]
pub struct Config {
    /// Address to serve the API on.
    #[arg(long, env = "OVERCAST_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory for the embedded database and the operator token.
    #[arg(long, env = "OVERCAST_DATA_DIR", default_value = "overcast-data")]
    pub data_dir: PathBuf,
    /// Database URL: `postgres://...` for PostgreSQL; otherwise a SQLite file
    /// (default: `<data-dir>/overcast.db`).
    #[arg(long, env = "OVERCAST_DATABASE")]
    pub database: Option<String>,
    /// Database connections kept in the pool (default: two per CPU core).
    #[arg(long, env = "OVERCAST_DB_POOL_SIZE", default_value_t = overcast_db::default_pool_size())]
    pub db_pool_size: u32,
    /// Address to serve the internal (gRPC) API that hosts dial.
    #[arg(
        long,
        env = "OVERCAST_INTERNAL_LISTEN",
        default_value = "127.0.0.1:8081"
    )]
    pub internal_listen: SocketAddr,
    /// The address other replicas of the control plane reach this one's
    /// internal API at (default: `--internal-listen`'s, or 127.0.0.1 if
    /// that is unspecified).
    #[arg(long, env = "OVERCAST_ADVERTISE_ADDRESS")]
    pub advertise_address: Option<std::net::IpAddr>,
    /// Seconds a replica counts as alive after it last renewed its lease
    /// (it renews four times a lease): how long after a replica dies
    /// before the others take over its workflows and singletons.
    #[arg(long, env = "OVERCAST_REPLICA_LEASE_SECONDS", default_value_t = 3.0,
          value_parser = lease_seconds)]
    pub replica_lease_seconds: f64,
    /// The networks hosts dial the internal API from (CIDRs, comma
    /// separated): connections from anywhere else are closed before TLS.
    /// Empty: any address that reaches `--internal-listen`.
    #[arg(long, env = "OVERCAST_CLUSTER_NETWORK", value_delimiter = ',')]
    pub cluster_network: Vec<ipnet::IpNet>,
    /// The load balancers and reverse proxies in front of the API (CIDRs,
    /// comma separated). A request from one of them is taken to come from
    /// the last address in its `X-Forwarded-For` that is not one of them:
    /// what failed logins are counted against and sessions record. Empty:
    /// `X-Forwarded-For` is ignored, and every request comes from its
    /// socket's address.
    #[arg(long, env = "OVERCAST_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Seconds without a heartbeat before a host is `down` and its HA
    /// instances are restarted elsewhere (`suspect` after half of it).
    #[arg(long, env = "OVERCAST_HOST_DETECTION_SECONDS", default_value_t = 5.0,
          value_parser = detection_seconds)]
    pub host_detection_seconds: f64,
    /// Seconds a host's client certificate for the internal API is valid
    /// (default 30 days); hosts renew theirs after two thirds of it.
    #[arg(long, env = "OVERCAST_HOST_CERTIFICATE_SECONDS", default_value_t = 2_592_000,
          value_parser = clap::value_parser!(u64).range(6..=31_536_000))]
    pub host_certificate_seconds: u64,
    /// vCPUs placed per host CPU.
    #[arg(long, env = "OVERCAST_CPU_ALLOCATION_RATIO", default_value_t = 4.0)]
    pub cpu_allocation_ratio: f64,
    /// All-in-one: also run a local `overcast-hostd` (state under
    /// `<data-dir>/host`) and register the system images built by
    /// `cargo xtask images`.
    #[arg(long, env = "OVERCAST_ALL_IN_ONE")]
    pub all_in_one: bool,
    /// All-in-one: where the system image bundles are (`tiny`, `debian-12`).
    #[arg(long, env = "OVERCAST_IMAGES_DIR", default_value = "target/images")]
    pub images_dir: PathBuf,
    /// The built web console (`clients/console/dist`), served at `/`.
    /// Without it, `/` answers 404 and the API and `/docs` are unchanged.
    #[arg(long, env = "OVERCAST_CONSOLE_DIR")]
    pub console_dir: Option<PathBuf>,
    /// All-in-one: the local host's accelerator (`auto`, `kvm` or `tcg`).
    #[arg(long, env = "OVERCAST_ACCELERATOR", default_value = "auto")]
    pub accelerator: String,
    /// A Ceph cluster for `replicated` drives: its `ceph.conf` (the
    /// monitors, and the keyring unless `--ceph-keyring`). Without it,
    /// drives are `local` only.
    #[arg(long, env = "OVERCAST_CEPH_CONF")]
    pub ceph_conf: Option<PathBuf>,
    /// The cephx user the server acts as: it makes Overcast's pools, the
    /// images and each host's own user, so it needs the caps for that
    /// (`admin`, or the user the README's "An existing Ceph cluster" makes).
    #[arg(long, env = "OVERCAST_CEPH_USER", default_value = "admin")]
    pub ceph_user: String,
    /// That user's keyring, if `ceph.conf` does not say where it is.
    #[arg(long, env = "OVERCAST_CEPH_KEYRING")]
    pub ceph_keyring: Option<PathBuf>,
    /// Seconds between readings of the storage cluster's health (each is
    /// three commands to the monitors and the manager).
    #[arg(long, env = "OVERCAST_STORAGE_HEALTH_SECONDS", default_value_t = 5.0,
          value_parser = health_seconds)]
    pub storage_health_seconds: f64,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do instead of serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Offline administration of the server's database (same `--data-dir`
    /// and `--database`); the server need not be running.
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Admin {
    /// Mint a new operator token and write it 0600 to
    /// `<data-dir>/operator.token`, as at first start: the way back in
    /// after every operator token was lost.
    OperatorToken,
}

/// A number of seconds within `range`, `what` named in the refusal.
fn seconds_within(
    s: &str,
    range: std::ops::RangeInclusive<f64>,
    what: &str,
) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{what} is {} to {} seconds",
            range.start(),
            range.end()
        ))
    }
}

/// At least a second (hosts heartbeat every second), at most an hour.
fn detection_seconds(s: &str) -> Result<f64, String> {
    seconds_within(s, 1.0..=3600.0, "the detection time")
}

fn lease_seconds(s: &str) -> Result<f64, String> {
    seconds_within(s, 1.0..=60.0, "the lease")
}

fn health_seconds(s: &str) -> Result<f64, String> {
    seconds_within(s, 0.1..=3600.0, "the interval")
}

impl Config {
    /// Settings for a server on `data_dir` with the defaults otherwise.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: "127.0.0.1:8080".parse().expect("valid address"),
            data_dir: data_dir.into(),
            database: None,
            db_pool_size: overcast_db::default_pool_size(),
            internal_listen: "127.0.0.1:8081".parse().expect("valid address"),
            advertise_address: None,
            replica_lease_seconds: 3.0,
            host_detection_seconds: 5.0,
            host_certificate_seconds: 2_592_000,
            cluster_network: Vec::new(),
            trusted_proxies: Vec::new(),
            cpu_allocation_ratio: 4.0,
            all_in_one: false,
            images_dir: "target/images".into(),
            console_dir: None,
            accelerator: "auto".into(),
            ceph_conf: None,
            ceph_user: "admin".into(),
            ceph_keyring: None,
            storage_health_seconds: 5.0,
            command: None,
        }
    }

    pub fn database_url(&self) -> String {
        self.database.clone().unwrap_or_else(|| {
            self.data_dir
                .join("overcast.db")
                .to_string_lossy()
                .into_owned()
        })
    }
}
