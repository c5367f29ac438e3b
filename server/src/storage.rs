//! Replicated storage: the control path to the Ceph cluster that holds
//! `replicated` drives as RBD images.
//!
//! It runs on the server, which alone holds a key able to create pools and
//! users (the admin key, or one an operator gives it); no host does. Each
//! host's QEMU opens its instances' images as that host's own cephx user,
//! whose caps reach Overcast's pools only (`profile rbd`); the key travels
//! in `EnsureInstance` and lives in an ephemeral libvirt secret.
//!
//! There is no maintained librbd crate, so image operations drive the `rbd`
//! CLI (`--format json` where there is output to read): each call costs a
//! process and a session (about 60 ms), small beside what the operations
//! themselves take. Monitor and manager commands (health, pools, users,
//! blocklist, OSDs) go over one long-lived librados session instead
//! (`overcast-rados`): the `ceph` CLI costs 0.3 s of CPU a call, and health is
//! read every few seconds.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use overcast_internal_api::v1 as api;
use overcast_rados::{Daemon, Rados};
use overcast_types::ids::{DriveId, HostId, ImageId};
use overcast_types::views::ReplicationState;
use serde_json::{Value, json};
use tokio::process::Command;

use crate::app::commands::{
    BaseSource, ImageBase, SnapRef, StorageOp, Volume, VolumeSource, pool_name,
};
use crate::app::drives::ReplicatedDrive;

/// What holds replicated drives: Ceph in production, a simulation in the
/// API tests (as simulated hosts stand in for hostd there).
#[async_trait::async_trait]
pub trait Storage: Send + Sync {
    /// Carry out an operation; each is idempotent.
    async fn apply(&self, op: &StorageOp) -> Result<(), StorageError>;
    /// The cephx user a host's QEMU opens replicated drives as.
    async fn host_client(&self, host: &HostId) -> Result<api::CephClient, StorageError>;
    /// How the cluster and Overcast's pools stand now.
    async fn health(&self) -> Result<ClusterHealth, StorageError>;
    /// The images whose base is in the cluster (see `EnsureImageBase`).
    async fn image_bases(&self) -> Result<Vec<ImageId>, StorageError>;
}

/// The storage cluster as last read.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterHealth {
    /// Ceph's own verdict: `HEALTH_OK`, `HEALTH_WARN` or `HEALTH_ERR`.
    pub status: String,
    /// Ceph's health checks, as `CODE: message`.
    pub checks: Vec<String>,
    pub total_bytes: u64,
    pub used_bytes: u64,
    pub available_bytes: u64,
    pub osds: u32,
    pub osds_up: u32,
    pub osds_in: u32,
    pub pools: Vec<PoolHealth>,
}

/// One of Overcast's pools.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolHealth {
    pub name: String,
    pub replicas: u8,
    pub state: ReplicationState,
    /// Missing object copies over all object copies.
    pub degraded_ratio: f64,
    /// Placement groups holding every copy over all of them.
    pub recovery_progress: f64,
    pub objects: u64,
    pub stored_bytes: u64,
    /// How many placement groups the pool has.
    pub pg_num: u32,
    /// The groups not active and clean, by seed (the `N` of `pool.N`).
    pub unclean: BTreeMap<u32, UncleanPg>,
    /// RBD images by name, read while a group is unclean.
    pub images: BTreeMap<String, RbdImage>,
}

/// What a drive's health needs to know of its RBD image.
#[derive(Debug, Clone, PartialEq)]
pub struct RbdImage {
    /// Its id: its data objects are `rbd_data.<id>.<object number>`.
    pub id: String,
    /// For a clone, the image it reads its unwritten objects from.
    pub parent: Option<RbdParent>,
}

/// The parent of a clone, in the same pool: its id, and the size of the
/// snapshot the clone was made from (the objects a clone can read
/// through to).
#[derive(Debug, Clone, PartialEq)]
pub struct RbdParent {
    pub id: String,
    pub size_bytes: u64,
}

/// A placement group that is not active and clean.
#[derive(Debug, Clone, PartialEq)]
pub struct UncleanPg {
    /// Its missing copies are being made again (see [`PoolHealth::from_pgs`]).
    pub recovering: bool,
    /// Missing object copies over all of its object copies.
    pub degraded_ratio: f64,
}

/// One RBD image's replication, from the placement groups its objects
/// fall in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeHealth {
    pub state: ReplicationState,
    /// The share of its object copies missing: each object counts with
    /// its group's share.
    pub degraded_ratio: f64,
    /// The share of its objects whose group holds every copy.
    pub recovery_progress: f64,
}

/// RBD's object size: Overcast makes images with the default (4 MiB), and
/// clones keep their parent's.
pub const RBD_OBJECT_BYTES: u64 = 4 << 20;

/// Ceph's object-name hash, `ceph_str_hash_rjenkins` (Bob Jenkins'
/// 1996 hash), the first step from an object's name to its placement
/// group. Written here because no maintained crate has it; `tests/ceph.rs`
/// checks [`object_pg`] against `ceph osd map` on a live cluster.
pub fn rjenkins(key: &[u8]) -> u32 {
    fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
        *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 13);
        *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 8);
        *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 13);
        *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 12);
        *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 16);
        *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 5);
        *a = a.wrapping_sub(*b).wrapping_sub(*c) ^ (*c >> 3);
        *b = b.wrapping_sub(*c).wrapping_sub(*a) ^ (*a << 10);
        *c = c.wrapping_sub(*a).wrapping_sub(*b) ^ (*b >> 15);
    }
    let word = |k: &[u8]| u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
    let (mut a, mut b, mut c) = (0x9e37_79b9_u32, 0x9e37_79b9_u32, 0_u32);
    let mut k = key;
    while k.len() >= 12 {
        a = a.wrapping_add(word(&k[0..4]));
        b = b.wrapping_add(word(&k[4..8]));
        c = c.wrapping_add(word(&k[8..12]));
        mix(&mut a, &mut b, &mut c);
        k = &k[12..];
    }
    // The tail: up to 11 bytes, little-endian into a, b and the top three
    // bytes of c (its lowest byte takes the length).
    c = c.wrapping_add(key.len() as u32);
    for (i, &byte) in k.iter().enumerate() {
        let byte = u32::from(byte);
        match i {
            0..=3 => a = a.wrapping_add(byte << (8 * i)),
            4..=7 => b = b.wrapping_add(byte << (8 * (i - 4))),
            _ => c = c.wrapping_add(byte << (8 * (i - 7))),
        }
    }
    mix(&mut a, &mut b, &mut c);
    c
}

/// The placement group (its seed) of object `name` in a pool of `pg_num`
/// groups: the name's hash folded onto the groups as Ceph's
/// `ceph_stable_mod` does, so that growing `pg_num` splits groups in place.
pub fn object_pg(name: &str, pg_num: u32) -> u32 {
    let x = rjenkins(name.as_bytes());
    let mask = pg_num.max(1).next_power_of_two() - 1;
    if x & mask < pg_num {
        x & mask
    } else {
        x & (mask >> 1)
    }
}

/// Of `drives` (id, copies, size), those not `healthy` by their own
/// objects' placement groups (their pool's state when their image's id is
/// unknown): how many, and the first 100.
pub fn degraded_drives(health: &ClusterHealth, drives: &[ReplicatedDrive]) -> (u64, Vec<DriveId>) {
    let mut count = 0;
    let mut first = Vec::new();
    for (id, replicas, size) in drives {
        if health.drive_is_whole(id, *replicas, *size as u64) == Some(false) {
            count += 1;
            if first.len() < 100 {
                first.push(id.clone());
            }
        }
    }
    (count, first)
}

impl ClusterHealth {
    /// The pool drive `id` with `replicas` copies is in, and its image's
    /// name there.
    fn pool_of(&self, id: &DriveId, replicas: i32) -> Option<(&PoolHealth, String)> {
        let volume = Volume::of(id, replicas);
        let pool = self.pools.iter().find(|p| p.name == volume.pool)?;
        Some((pool, volume.name))
    }

    /// How drive `id` (`replicas` copies, `size_bytes`) stands: by its own
    /// objects' groups, or its pool's figures when its image's id is not
    /// known; `None` when its pool was not read.
    pub fn drive(&self, id: &DriveId, replicas: i32, size_bytes: u64) -> Option<VolumeHealth> {
        let (pool, name) = self.pool_of(id, replicas)?;
        Some(pool.volume(&name, size_bytes).unwrap_or(VolumeHealth {
            state: pool.state,
            degraded_ratio: pool.degraded_ratio,
            recovery_progress: pool.recovery_progress,
        }))
    }

    /// Whether drive `id` has every copy, as [`ClusterHealth::drive`]
    /// says, stopping at its first object in an unclean group.
    pub fn drive_is_whole(&self, id: &DriveId, replicas: i32, size_bytes: u64) -> Option<bool> {
        let (pool, name) = self.pool_of(id, replicas)?;
        Some(
            pool.volume_is_whole(&name, size_bytes)
                .unwrap_or(pool.state == ReplicationState::Healthy),
        )
    }
}

/// The images of `pool` from `rbd ls --long --format json`: each image's
/// entry has its id and, for a clone, its parent (`pool`, `image`,
/// `snapshot`); each snapshot has an entry of its own, with its size.
/// A parent in another pool is left out (Overcast clones within a pool).
fn images_listed(pool: &str, listing: &Value) -> Images {
    let entries = listing.as_array().map(Vec::as_slice).unwrap_or_default();
    let heads: BTreeMap<String, String> = entries
        .iter()
        .filter(|i| i.get("snapshot").is_none())
        .map(|i| (str_of(&i["image"]), str_of(&i["id"])))
        .collect();
    let snapshot_size = |image: &str, snapshot: &str| {
        entries.iter().find_map(|i| {
            (i["image"] == image && i["snapshot"] == snapshot).then(|| i["size"].as_u64())?
        })
    };
    entries
        .iter()
        .filter(|i| i.get("snapshot").is_none())
        .map(|i| {
            let parent = i.get("parent").filter(|p| p["pool"] == pool).and_then(|p| {
                let image = p["image"].as_str()?;
                Some(RbdParent {
                    id: heads.get(image)?.clone(),
                    size_bytes: snapshot_size(image, p["snapshot"].as_str()?)?,
                })
            });
            let image = RbdImage {
                id: str_of(&i["id"]),
                parent,
            };
            (str_of(&i["image"]), image)
        })
        .collect()
}

/// A pool's stable id (a name-based UUID), what its events name.
pub fn pool_id(name: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("overcast:storage-pool:{name}").as_bytes(),
    )
}

impl PoolHealth {
    /// A pool's health from its placement groups' states and object
    /// counts, and whether every OSD is up: `healthy` when every group is
    /// active and clean; `recovering` while any is copying objects back,
    /// or while every OSD is up again (the groups' own states reach the
    /// manager every few seconds, so a short recovery may never show in
    /// them); `degraded` otherwise: copies are missing and there is
    /// nowhere to make them.
    pub fn from_pgs(name: &str, replicas: u8, pgs: &[PgStat], all_osds_up: bool) -> Self {
        let clean = pgs.iter().filter(|p| p.is_clean()).count();
        let copies: u64 = pgs.iter().map(|p| p.object_copies).sum();
        let degraded: u64 = pgs.iter().map(|p| p.objects_degraded).sum();
        let recovering = all_osds_up || pgs.iter().any(PgStat::is_recovering);
        let state = if clean == pgs.len() {
            ReplicationState::Healthy
        } else if recovering {
            ReplicationState::Recovering
        } else {
            ReplicationState::Degraded
        };
        Self {
            name: name.to_string(),
            replicas,
            state,
            degraded_ratio: if copies == 0 {
                0.0
            } else {
                degraded as f64 / copies as f64
            },
            recovery_progress: if pgs.is_empty() {
                1.0
            } else {
                clean as f64 / pgs.len() as f64
            },
            objects: pgs.iter().map(|p| p.objects).sum(),
            stored_bytes: pgs.iter().map(|p| p.bytes).sum(),
            pg_num: pgs.len() as u32,
            unclean: pgs
                .iter()
                .filter(|p| !p.is_clean())
                .map(|p| {
                    let pg = UncleanPg {
                        recovering: all_osds_up || p.is_recovering(),
                        degraded_ratio: if p.object_copies == 0 {
                            0.0
                        } else {
                            p.objects_degraded as f64 / p.object_copies as f64
                        },
                    };
                    (p.seed, pg)
                })
                .collect(),
            images: BTreeMap::new(),
        }
    }

    /// How image `name` of `size_bytes` stands, from the groups each of
    /// its objects falls in; `None` when the pool is not clean and the
    /// image's id was not read. Every object the image can have counts,
    /// written or not: a group that would take an unwritten object's
    /// first write is as short of copies as for one already there. A
    /// clone's object also counts its parent's object of the same number
    /// (what it reads until it writes there).
    pub fn volume(&self, name: &str, size_bytes: u64) -> Option<VolumeHealth> {
        if self.unclean.is_empty() {
            return Some(VolumeHealth {
                state: ReplicationState::Healthy,
                degraded_ratio: 0.0,
                recovery_progress: 1.0,
            });
        }
        let (mut objects, mut unclean, mut missing, mut recovering) = (0_u64, 0_u64, 0.0, false);
        for pg in self.object_groups(name, size_bytes)? {
            objects += 1;
            if let Some(pg) = pg {
                unclean += 1;
                missing += pg.degraded_ratio;
                recovering |= pg.recovering;
            }
        }
        Some(VolumeHealth {
            state: match (unclean, recovering) {
                (0, _) => ReplicationState::Healthy,
                (_, true) => ReplicationState::Recovering,
                (_, false) => ReplicationState::Degraded,
            },
            degraded_ratio: missing / objects as f64,
            recovery_progress: 1.0 - unclean as f64 / objects as f64,
        })
    }

    /// Whether image `name` of `size_bytes` has every copy: as
    /// [`PoolHealth::volume`], stopping at its first object in an unclean
    /// group.
    pub fn volume_is_whole(&self, name: &str, size_bytes: u64) -> Option<bool> {
        if self.unclean.is_empty() {
            return Some(true);
        }
        Some(self.object_groups(name, size_bytes)?.all(|pg| pg.is_none()))
    }

    /// For each object image `name` of `size_bytes` can have, its group if
    /// that is unclean, or else, for a clone, its parent's object's group
    /// if that is; `None` when the image's id was not read.
    fn object_groups(
        &self,
        name: &str,
        size_bytes: u64,
    ) -> Option<impl Iterator<Item = Option<&UncleanPg>>> {
        let image = self.images.get(name)?;
        let through = image.parent.as_ref().map_or(0, |p| {
            p.size_bytes.min(size_bytes).div_ceil(RBD_OBJECT_BYTES)
        });
        let mut object = String::new();
        let mut group = move |id: &str, n: u64| {
            object.clear();
            let _ = write!(object, "rbd_data.{id}.{n:016x}");
            self.unclean.get(&object_pg(&object, self.pg_num))
        };
        Some(
            (0..size_bytes.div_ceil(RBD_OBJECT_BYTES).max(1)).map(move |n| {
                group(&image.id, n).or_else(|| match &image.parent {
                    Some(parent) if n < through => group(&parent.id, n),
                    _ => None,
                })
            }),
        )
    }
}

/// What [`PoolHealth`] reads of one placement group.
#[derive(Debug, Clone, Default)]
pub struct PgStat {
    /// The `N` of its id `pool.N` (hexadecimal there).
    pub seed: u32,
    pub state: String,
    pub objects: u64,
    pub object_copies: u64,
    pub objects_degraded: u64,
    pub bytes: u64,
}

impl PgStat {
    fn is_clean(&self) -> bool {
        // `active+clean`, perhaps with `+scrubbing` or `+snaptrim` after.
        let mut parts = self.state.split('+');
        parts.next() == Some("active")
            && parts.next() == Some("clean")
            && !self.state.contains("degraded")
            && !self.state.contains("undersized")
    }

    fn is_recovering(&self) -> bool {
        ["recover", "backfill"]
            .iter()
            .any(|s| self.state.contains(s))
    }
}

/// Copy the host's Ceph user into an `EnsureInstance` with RBD disks.
pub async fn complete(
    storage: &dyn Storage,
    host: &HostId,
    command: &mut api::server_message::Command,
) -> Result<(), StorageError> {
    let api::server_message::Command::EnsureInstance(c) = command else {
        return Ok(());
    };
    let rbd = c
        .disks
        .iter()
        .any(|d| matches!(d.source, Some(api::disk::Source::Rbd(_))));
    if rbd && c.ceph.is_none() {
        c.ceph = Some(storage.host_client(host).await?);
    }
    Ok(())
}

/// The pool every image base is imported into (3 copies); clones in the
/// 2-copy pool read their parent from it.
const IMAGE_POOL_REPLICAS: i32 = 3;

/// How long a blocklist entry lasts; the server renews it every minute
/// while the host is fenced, so a server that stops renewing (gone for
/// good) does not fence a host for ever.
pub const BLOCKLIST_SECONDS: u64 = 600;

/// Placement groups per pool: enough to spread a pool over a few dozen
/// OSDs; the autoscaler (or an operator) grows them with the cluster.
const PG_NUM: u32 = 32;

/// Why a storage operation did not happen.
#[derive(Debug)]
pub enum StorageError {
    /// Worth trying again: the cluster is unreachable, busy or the
    /// resource is still in use.
    Transient(String),
    /// Trying again will not help.
    Permanent(String),
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::Transient(m) | StorageError::Permanent(m) => f.write_str(m),
        }
    }
}

/// The Ceph cluster, as the server reaches it.
pub struct Ceph {
    conf: PathBuf,
    /// The cephx user (`admin`, or another with the caps to make pools and
    /// users), its keyring found through `conf` unless given.
    user: String,
    keyring: Option<PathBuf>,
    /// Monitor and manager commands, as the same user.
    rados: Arc<Rados>,
    pools: tokio::sync::OnceCell<()>,
    clients: tokio::sync::Mutex<HashMap<HostId, api::CephClient>>,
    imports: tokio::sync::Mutex<()>,
    /// Each pool's images by name, as last listed, and when it was last
    /// listed (or tried).
    images: std::sync::Mutex<HashMap<String, (Images, Instant)>>,
}

/// RBD images by name.
type Images = BTreeMap<String, RbdImage>;

/// How often a pool's image ids are listed while it is not clean.
const IMAGE_IDS_EVERY: Duration = Duration::from_secs(30);

impl Ceph {
    pub fn new(conf: PathBuf, user: String, keyring: Option<PathBuf>) -> Self {
        Self {
            rados: Arc::new(Rados::new(conf.clone(), user.clone(), keyring.clone())),
            conf,
            user,
            keyring,
            pools: tokio::sync::OnceCell::new(),
            clients: tokio::sync::Mutex::default(),
            imports: tokio::sync::Mutex::default(),
            images: std::sync::Mutex::default(),
        }
    }

    /// Run `program` (`rbd`) as the server's user; its stdout.
    async fn run(&self, program: &str, args: &[&str]) -> Result<String, StorageError> {
        self.run_within(program, args, Duration::from_secs(120))
            .await
    }

    /// [`Ceph::run`], given up after `timeout`.
    async fn run_within(
        &self,
        program: &str,
        args: &[&str],
        timeout: Duration,
    ) -> Result<String, StorageError> {
        let mut command = Command::new(program);
        command
            .arg("--conf")
            .arg(&self.conf)
            .args(["--id", &self.user]);
        if let Some(keyring) = &self.keyring {
            command.arg("--keyring").arg(keyring);
        }
        command.args(args).kill_on_drop(true);
        // No call waits for ever: a cluster that lost its quorum answers
        // nothing, and the step is tried again.
        let output = tokio::time::timeout(timeout, command.output())
            .await
            .map_err(|_| StorageError::Transient(format!("{program} {args:?}: timed out")))?
            .map_err(|e| StorageError::Permanent(format!("cannot run {program}: {e}")))?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        let message = format!("{program} {}: {stderr}", args.join(" "));
        Err(if transient(&stderr) {
            StorageError::Transient(message)
        } else {
            StorageError::Permanent(message)
        })
    }

    /// A monitor command whose output is not needed.
    async fn mon(&self, command: Value) -> Result<(), StorageError> {
        self.ceph(Daemon::Mon, command).await.map(|_| ())
    }

    /// A monitor or manager command over the librados session, on a
    /// blocking thread; its output and status line.
    async fn ceph(
        &self,
        daemon: Daemon,
        command: Value,
    ) -> Result<(Vec<u8>, String), StorageError> {
        let rados = self.rados.clone();
        let call = tokio::task::spawn_blocking(move || rados.command(daemon, &command));
        // librados gives up by itself; this guards against a call that
        // never returns at all.
        match tokio::time::timeout(overcast_rados::COMMAND_TIMEOUT * 2, call).await {
            Ok(Ok(result)) => result.map_err(|e| {
                if e.is_transient() {
                    StorageError::Transient(e.message)
                } else {
                    StorageError::Permanent(e.message)
                }
            }),
            Ok(Err(e)) => Err(StorageError::Permanent(format!("librados call: {e}"))),
            Err(_) => Err(StorageError::Transient("ceph: no answer".into())),
        }
    }

    async fn ceph_json(&self, daemon: Daemon, mut command: Value) -> Result<Value, StorageError> {
        command["format"] = "json".into();
        let (out, _) = self.ceph(daemon, command.clone()).await?;
        serde_json::from_slice(&out).map_err(|e| {
            StorageError::Permanent(format!(
                "ceph {}: {e}: {}",
                command["prefix"],
                String::from_utf8_lossy(&out)
            ))
        })
    }

    async fn json(&self, program: &str, args: &[&str]) -> Result<Value, StorageError> {
        let mut all = vec!["--format", "json"];
        all.extend(args);
        let out = self.run(program, &all).await?;
        serde_json::from_str(&out)
            .map_err(|e| StorageError::Permanent(format!("{program} {args:?}: {e}: {out}")))
    }

    /// Make Overcast's pools exist, once per server run: `overcast-r2` and
    /// `overcast-r3`, of 2 and 3 copies. Both have `min_size` 2, so no
    /// write is acknowledged before two hosts hold it: a 3-copy pool goes
    /// on writing through the loss of one host, a 2-copy pool pauses
    /// writes until the missing copy is back (never one copy alone, which
    /// the next loss would take with it).
    pub async fn ensure_pools(&self) -> Result<(), StorageError> {
        self.pools
            .get_or_try_init(|| async {
                for replicas in [2, 3] {
                    let pool = pool_name(replicas);
                    self.mon(json!({"prefix": "osd pool create", "pool": pool,
                        "pg_num": PG_NUM, "pgp_num": PG_NUM, "pool_type": "replicated"}))
                        .await?;
                    for (var, val) in [("size", replicas.to_string()), ("min_size", "2".into())] {
                        self.mon(json!({"prefix": "osd pool set", "pool": pool,
                            "var": var, "val": val}))
                            .await?;
                    }
                    self.run("rbd", &["pool", "init", &pool]).await?;
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    /// Blocklist every Ceph client at `address` (any port, any nonce) for
    /// [`BLOCKLIST_SECONDS`]: the monitors tell every OSD, which then
    /// refuse its requests and drop its watches. The server renews the
    /// entry while the host is fenced.
    async fn blocklist(&self, address: &str) -> Result<(), StorageError> {
        let entity = format!("{address}:0/0");
        self.mon(json!({"prefix": "osd blocklist", "blocklistop": "add",
            "addr": entity, "expire": BLOCKLIST_SECONDS as f64}))
            .await
    }

    /// Lift the blocklist entry of `address`.
    async fn unblock(&self, address: &str) -> Result<(), StorageError> {
        let entity = format!("{address}:0/0");
        // An address not listed is answered with success.
        self.mon(json!({"prefix": "osd blocklist", "blocklistop": "rm", "addr": entity}))
            .await
    }

    async fn ensure_snapshot(&self, snapshot: &SnapRef) -> Result<(), StorageError> {
        let spec = snapshot.spec();
        match self
            .run("rbd", &["snap", "create", "--no-progress", &spec])
            .await
        {
            Err(StorageError::Permanent(m)) if m.contains("(17)") => Ok(()),
            other => other.map(|_| ()),
        }
    }

    async fn remove_snapshot(&self, snapshot: &SnapRef) -> Result<(), StorageError> {
        let spec = snapshot.spec();
        match self
            .run("rbd", &["snap", "rm", "--no-progress", &spec])
            .await
        {
            Err(StorageError::Permanent(m)) if not_found(&m) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Roll back: the image must have no watcher (no QEMU has it open).
    async fn rollback(&self, snapshot: &SnapRef) -> Result<(), StorageError> {
        let spec = snapshot.spec();
        self.run("rbd", &["snap", "rollback", "--no-progress", &spec])
            .await
            .map(|_| ())
    }

    /// Mark every OSD under CRUSH host `host` down. A hyperconverged
    /// host's CRUSH host is named as its Overcast host; an external
    /// cluster has none of that name, and nothing is done.
    async fn mark_host_down(&self, host: &str) -> Result<(), StorageError> {
        let ids = match self
            .ceph_json(Daemon::Mon, json!({"prefix": "osd ls-tree", "name": host}))
            .await
        {
            Ok(ids) => ids,
            // No CRUSH host of that name (an external cluster). Not
            // `not_found`: a missing librados or ceph.conf says that too.
            Err(StorageError::Permanent(m)) if m.contains("does not exist") => {
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let ids: Vec<String> = ids
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .map(|id| id.to_string())
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        self.mon(json!({"prefix": "osd down", "ids": ids})).await
    }

    /// Break every lock on the image: after a blocklist, the fenced
    /// client's exclusive lock would otherwise wait for its watch to time
    /// out before the new host's QEMU could take it.
    async fn break_locks(&self, volume: &Volume) -> Result<(), StorageError> {
        let spec = volume.spec();
        let locks = match self.json("rbd", &["lock", "ls", &spec]).await {
            Ok(locks) => locks,
            Err(StorageError::Permanent(m)) if not_found(&m) => return Ok(()),
            Err(e) => return Err(e),
        };
        // A list of {id, locker, address}, or (older releases) an object
        // of them keyed by id.
        let entries: Vec<(String, String)> = match &locks {
            Value::Array(list) => list
                .iter()
                .map(|l| (str_of(&l["id"]), str_of(&l["locker"])))
                .collect(),
            Value::Object(map) => map
                .iter()
                .map(|(id, l)| (id.clone(), str_of(&l["locker"])))
                .collect(),
            _ => Vec::new(),
        };
        for (id, locker) in entries {
            match self.run("rbd", &["lock", "rm", &spec, &id, &locker]).await {
                Err(StorageError::Permanent(m)) if not_found(&m) => {}
                other => {
                    other?;
                }
            }
        }
        Ok(())
    }

    /// The image's size, if it exists.
    async fn size(&self, spec: &str) -> Result<Option<u64>, StorageError> {
        match self.json("rbd", &["info", spec]).await {
            Ok(info) => Ok(Some(info["size"].as_u64().unwrap_or(0))),
            Err(StorageError::Permanent(m)) if not_found(&m) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn ensure_volume(
        &self,
        volume: &Volume,
        size_bytes: u64,
        source: Option<&VolumeSource>,
    ) -> Result<(), StorageError> {
        let spec = volume.spec();
        let size = match self.size(&spec).await? {
            Some(size) => size,
            None => {
                let made = match source {
                    Some(VolumeSource::Image(base)) => match self.ensure_base(base).await? {
                        Some(parent) => self.run("rbd", &["clone", &parent, &spec]).await,
                        None => self.create(&spec, size_bytes).await,
                    },
                    Some(VolumeSource::Snapshot(snapshot)) => {
                        self.copy(&snapshot.spec(), &spec).await
                    }
                    None => self.create(&spec, size_bytes).await,
                };
                match made {
                    Ok(_) => {}
                    // Made by an earlier try whose answer was lost.
                    Err(StorageError::Permanent(m)) if m.contains("exists") => {}
                    Err(e) => return Err(e),
                }
                self.size(&spec).await?.unwrap_or(0)
            }
        };
        if size < size_bytes {
            let mib = (size_bytes >> 20).to_string();
            self.run("rbd", &["resize", "--size", &mib, &spec]).await?;
        }
        Ok(())
    }

    /// A full, independent copy of `from` (an image or a snapshot) as
    /// `to`. A copy cut short is removed and made again.
    async fn copy(&self, from: &str, to: &str) -> Result<String, StorageError> {
        if self.size(to).await?.is_some() {
            self.run("rbd", &["rm", "--no-progress", to]).await?;
        }
        self.run("rbd", &["cp", "--no-progress", from, to]).await
    }

    async fn create(&self, spec: &str, size_bytes: u64) -> Result<String, StorageError> {
        let mib = (size_bytes >> 20).max(1).to_string();
        self.run("rbd", &["create", "--size", &mib, spec]).await
    }

    /// The protected snapshot clones of `base` are made from
    /// (`overcast-r3/image-<id>@base`), made the first time: imported from
    /// the bundle's `disk.raw`, or copied from a snapshot. `None` if the
    /// bundle has no disk (the drive is then blank).
    async fn ensure_base(&self, base: &ImageBase) -> Result<Option<String>, StorageError> {
        let pool = pool_name(IMAGE_POOL_REPLICAS);
        let name = image_volume(&base.image);
        let snap = format!("{pool}/{name}@base");
        // One at a time: two drives of one new image import it once.
        let _one = self.imports.lock().await;
        if self.size(&snap).await?.is_some() {
            return Ok(Some(snap));
        }
        let spec = format!("{pool}/{name}");
        match &base.from {
            BaseSource::Bundle(source) => {
                let dir = source.strip_prefix("file://").ok_or_else(|| {
                    StorageError::Permanent(format!("image source {source} is not file://"))
                })?;
                let disk = PathBuf::from(dir).join("disk.raw");
                if !disk.exists() {
                    return Ok(None);
                }
                // An import cut short left a partial image without its
                // snapshot.
                if self.size(&spec).await?.is_some() {
                    self.run("rbd", &["rm", "--no-progress", &spec]).await?;
                }
                let path = disk.to_string_lossy().into_owned();
                self.run("rbd", &["import", "--no-progress", &path, &spec])
                    .await?;
            }
            BaseSource::Snapshot(Some(snapshot)) => {
                self.copy(&snapshot.spec(), &spec).await?;
            }
            BaseSource::Snapshot(None) => {
                return Err(StorageError::Permanent(format!(
                    "image {} has no base, and the snapshot it was made from is gone",
                    base.image
                )));
            }
        }
        self.run("rbd", &["snap", "create", "--no-progress", &snap])
            .await?;
        self.run("rbd", &["snap", "protect", &snap]).await?;
        Ok(Some(snap))
    }

    /// Unprotect the base snapshot (a clone of it makes this fail busy, and
    /// the base stays), then remove it and the image.
    async fn remove_base(&self, image: &ImageId) -> Result<(), StorageError> {
        let volume = Volume {
            pool: pool_name(IMAGE_POOL_REPLICAS),
            name: image_volume(image),
        };
        let snap = format!("{}@base", volume.spec());
        match self.run("rbd", &["snap", "unprotect", &snap]).await {
            Ok(_) => {}
            // Gone already, or unprotected by an earlier try cut short.
            Err(StorageError::Permanent(m)) if not_found(&m) || m.contains("(22)") => {}
            Err(e) => return Err(e),
        }
        self.remove_volume(&volume).await
    }

    async fn remove_volume(&self, volume: &Volume) -> Result<(), StorageError> {
        let spec = volume.spec();
        let steps: [&[&str]; 2] = [
            &["snap", "purge", "--no-progress", &spec],
            &["rm", "--no-progress", &spec],
        ];
        for args in steps {
            match self.run("rbd", args).await {
                Ok(_) => {}
                Err(StorageError::Permanent(m)) if not_found(&m) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The monitors' addresses (`ip:port`, the v1 protocol QEMU's librbd
    /// speaks by default).
    async fn monitors(&self) -> Result<Vec<String>, StorageError> {
        let dump = self
            .ceph_json(Daemon::Mon, json!({"prefix": "mon dump"}))
            .await?;
        let mut out = Vec::new();
        for mon in dump["mons"].as_array().into_iter().flatten() {
            let addrs = mon["public_addrs"]["addrvec"].as_array();
            let v1 = addrs
                .into_iter()
                .flatten()
                .find(|a| a["type"] == "v1")
                .and_then(|a| a["addr"].as_str());
            if let Some(addr) = v1 {
                out.push(addr.to_string());
            }
        }
        if out.is_empty() {
            return Err(StorageError::Transient(format!("no monitor in {dump}")));
        }
        Ok(out)
    }

    /// A pool's images by name, listed at most every 30 seconds (in
    /// between, the last listing serves; a drive made meanwhile shows its
    /// pool's figures until the next). Read only while a group is unclean,
    /// when a listing opens every image of a cluster short of copies, and
    /// may hang on a group that cannot serve reads: it is given 10 seconds.
    async fn images(&self, pool: &str) -> Images {
        let due = self
            .images
            .lock()
            .expect("image ids")
            .get(pool)
            .is_none_or(|(_, at)| at.elapsed() >= IMAGE_IDS_EVERY);
        if due {
            let listed = self
                .run_within(
                    "rbd",
                    &["ls", "--long", "--format", "json", pool],
                    Duration::from_secs(10),
                )
                .await
                .and_then(|out| {
                    serde_json::from_str::<Value>(&out)
                        .map_err(|e| StorageError::Permanent(format!("rbd ls: {e}")))
                });
            let mut known = self.images.lock().expect("images");
            let (images, at) = known
                .entry(pool.to_string())
                .or_insert_with(|| (Images::new(), Instant::now()));
            *at = Instant::now();
            match listed {
                Ok(listing) => *images = images_listed(pool, &listing),
                Err(e) => tracing::warn!(error = %e, pool, "cannot list the pool's images"),
            }
        }
        let known = self.images.lock().expect("images");
        known
            .get(pool)
            .map(|(ids, _)| ids.clone())
            .unwrap_or_default()
    }

    /// A pool's placement groups.
    async fn pool_pgs(&self, pool: &str) -> Result<Vec<PgStat>, StorageError> {
        let listing = self
            .ceph_json(
                Daemon::Mgr,
                json!({"prefix": "pg ls-by-pool", "poolstr": pool}),
            )
            .await?;
        // `{pg_ready, pg_stats: [...]}`, or (older releases) the list alone.
        let pgs = listing
            .get("pg_stats")
            .unwrap_or(&listing)
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok(pgs
            .iter()
            .map(|pg| {
                let sum = &pg["stat_sum"];
                let n = |k: &str| sum[k].as_u64().unwrap_or(0);
                let pgid = str_of(&pg["pgid"]);
                PgStat {
                    seed: pgid
                        .split_once('.')
                        .and_then(|(_, seed)| u32::from_str_radix(seed, 16).ok())
                        .unwrap_or_default(),
                    state: str_of(&pg["state"]),
                    objects: n("num_objects"),
                    object_copies: n("num_object_copies"),
                    objects_degraded: n("num_objects_degraded"),
                    bytes: n("num_bytes"),
                }
            })
            .collect())
    }
}

#[async_trait::async_trait]
impl Storage for Ceph {
    async fn apply(&self, op: &StorageOp) -> Result<(), StorageError> {
        self.ensure_pools().await?;
        match op {
            StorageOp::EnsureVolume {
                volume,
                size_bytes,
                source,
            } => {
                self.ensure_volume(volume, *size_bytes, source.as_ref())
                    .await
            }
            StorageOp::RemoveVolume { volume } => self.remove_volume(volume).await,
            StorageOp::EnsureSnapshot { snapshot } => self.ensure_snapshot(snapshot).await,
            StorageOp::RemoveSnapshot { snapshot } => self.remove_snapshot(snapshot).await,
            StorageOp::Rollback { snapshot } => self.rollback(snapshot).await,
            StorageOp::EnsureImageBase { base } => self.ensure_base(base).await.map(|_| ()),
            StorageOp::RemoveImageBase { image } => self.remove_base(image).await,
            StorageOp::Blocklist { address } => self.blocklist(address).await,
            StorageOp::Unblock { address } => self.unblock(address).await,
            StorageOp::BreakLocks { volumes } => {
                futures::future::try_join_all(volumes.iter().map(|v| self.break_locks(v)))
                    .await
                    .map(|_| ())
            }
            StorageOp::MarkHostDown { host } => self.mark_host_down(host).await,
        }
    }

    /// The cephx user a host's QEMU opens replicated drives as, made the
    /// first time: `client.overcast-host-<id>`, with `profile rbd` on
    /// Overcast's pools and nothing else.
    async fn host_client(&self, host: &HostId) -> Result<api::CephClient, StorageError> {
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(host) {
            return Ok(c.clone());
        }
        self.ensure_pools().await?;
        let user = format!("overcast-host-{host}");
        let osd_caps = format!(
            "profile rbd pool={}, profile rbd pool={}",
            pool_name(2),
            pool_name(3)
        );
        let (key, _) = self
            .ceph(
                Daemon::Mon,
                json!({"prefix": "auth get-or-create-key", "entity": format!("client.{user}"),
                       "caps": ["mon", "profile rbd", "osd", osd_caps]}),
            )
            .await?;
        let key = String::from_utf8_lossy(&key).trim().to_string();
        let client = api::CephClient {
            user,
            key,
            monitors: self.monitors().await?,
        };
        clients.insert(host.clone(), client.clone());
        Ok(client)
    }

    /// One `status` from the monitors, and each pool's placement groups
    /// from the manager, the three at once.
    async fn image_bases(&self) -> Result<Vec<ImageId>, StorageError> {
        self.ensure_pools().await?;
        let pool = pool_name(IMAGE_POOL_REPLICAS);
        let names = self.json("rbd", &["ls", &pool]).await?;
        Ok(names
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str()?.strip_prefix("image-")?.parse().ok())
            .collect())
    }

    async fn health(&self) -> Result<ClusterHealth, StorageError> {
        self.ensure_pools().await?;
        let (r2, r3) = (pool_name(2), pool_name(3));
        let (status, pgs2, pgs3) = tokio::join!(
            self.ceph_json(Daemon::Mon, json!({"prefix": "status"})),
            self.pool_pgs(&r2),
            self.pool_pgs(&r3)
        );
        let (status, pgs2, pgs3) = (status?, pgs2?, pgs3?);
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        let mut checks: Vec<String> = status["health"]["checks"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(code, check)| format!("{code}: {}", str_of(&check["summary"]["message"])))
            .collect();
        checks.sort();
        let pgmap = &status["pgmap"];
        let osdmap = &status["osdmap"];
        let all_up = n(&osdmap["num_up_osds"]) == n(&osdmap["num_osds"]);
        let mut pools = vec![
            PoolHealth::from_pgs(&r2, 2, &pgs2, all_up),
            PoolHealth::from_pgs(&r3, 3, &pgs3, all_up),
        ];
        for pool in pools.iter_mut().filter(|p| !p.unclean.is_empty()) {
            pool.images = self.images(&pool.name).await;
        }
        Ok(ClusterHealth {
            status: str_of(&status["health"]["status"]),
            checks,
            total_bytes: n(&pgmap["bytes_total"]),
            used_bytes: n(&pgmap["bytes_used"]),
            available_bytes: n(&pgmap["bytes_avail"]),
            osds: n(&osdmap["num_osds"]) as u32,
            osds_up: n(&osdmap["num_up_osds"]) as u32,
            osds_in: n(&osdmap["num_in_osds"]) as u32,
            pools,
        })
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The image an OS image's base is imported as.
fn image_volume(image: &ImageId) -> String {
    format!("image-{image}")
}

fn not_found(message: &str) -> bool {
    message.contains("No such file or directory") || message.contains("(2)")
}

/// Errors worth retrying: no answer from the cluster, or an image still
/// open somewhere (a QEMU that is closing).
fn transient(stderr: &str) -> bool {
    [
        "timed out",
        "Connection refused",
        "still has watchers",
        "(16) Device or resource busy",
        "(110)",
        "(108)",
        "(11) Resource temporarily unavailable",
    ]
    .iter()
    .any(|m| stderr.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ceph osd map` on a live Ceph 16.2 cluster, pool of 12 groups:
    /// each object's hash and group.
    #[test]
    fn objects_fall_in_the_placement_groups_ceph_computes() {
        for (name, hash, pg) in [
            ("a", 0x29ee_c818, 0x8),
            ("abcdefghijkl", 0x0b1b_3ea5, 0x5),
            ("abcdefghijklm", 0x3122_b031, 0x1),
            ("rbd_header.11e41319bcbc", 0x514a_6164, 0x4),
            ("rbd_data.1263b0392ee3.0000000000000000", 0xc4b2_21ab, 0xb),
            // 15 is past the 12 groups: folded onto 7.
            ("rbd_data.1263b0392ee3.00000000000000ff", 0x4489_416f, 0x7),
        ] {
            assert_eq!(rjenkins(name.as_bytes()), hash, "{name}");
            assert_eq!(object_pg(name, 12), pg, "{name}");
        }
    }

    #[test]
    fn a_volume_stands_as_the_groups_of_its_objects() {
        let objects = |id: &str, n: u64| -> Vec<u32> {
            (0..n)
                .map(|i| object_pg(&format!("rbd_data.{id}.{i:016x}"), 256))
                .collect()
        };
        let (a, b) = (objects("aaaa", 8), objects("bbbb", 8));
        // The groups of `a` but not of `b` are short of a copy.
        let only_a: Vec<u32> = a.iter().filter(|p| !b.contains(p)).copied().collect();
        assert!(!only_a.is_empty());
        let pgs: Vec<PgStat> = (0..256)
            .map(|seed| {
                let unclean = only_a.contains(&seed);
                PgStat {
                    seed,
                    state: if unclean {
                        "active+undersized+degraded"
                    } else {
                        "active+clean"
                    }
                    .into(),
                    objects: 10,
                    object_copies: 30,
                    objects_degraded: if unclean { 10 } else { 0 },
                    bytes: 0,
                }
            })
            .collect();
        let mut pool = PoolHealth::from_pgs("p", 3, &pgs, false);
        assert_eq!(pool.state, ReplicationState::Degraded);
        assert_eq!(pool.volume("a", 32 << 20), None, "no id read: unknown");
        pool.images = [("a", "aaaa"), ("b", "bbbb")]
            .map(|(n, id)| {
                let image = RbdImage {
                    id: id.to_string(),
                    parent: None,
                };
                (n.to_string(), image)
            })
            .into();
        let hit = a.iter().filter(|p| only_a.contains(p)).count() as f64;
        let va = pool.volume("a", 32 << 20).unwrap();
        assert_eq!(va.state, ReplicationState::Degraded);
        assert!((va.recovery_progress - (1.0 - hit / 8.0)).abs() < 1e-12);
        assert!((va.degraded_ratio - hit / 8.0 / 3.0).abs() < 1e-12);
        assert_eq!(pool.volume_is_whole("a", 32 << 20), Some(false));
        assert_eq!(pool.volume_is_whole("b", 32 << 20), Some(true));
        assert_eq!(pool.volume_is_whole("c", 32 << 20), None, "no id");
        let vb = pool.volume("b", 32 << 20).unwrap();
        assert_eq!(
            (vb.state, vb.degraded_ratio, vb.recovery_progress),
            (ReplicationState::Healthy, 0.0, 1.0)
        );
        // Every OSD up again: the groups are recovering.
        let pool = PoolHealth {
            images: pool.images.clone(),
            ..PoolHealth::from_pgs("p", 3, &pgs, true)
        };
        assert_eq!(
            pool.volume("a", 32 << 20).unwrap().state,
            ReplicationState::Recovering
        );
        // A clean pool answers without ids.
        let clean = PoolHealth::from_pgs("p", 3, &pgs[..0], false);
        assert_eq!(
            clean.volume("x", 1 << 30).unwrap().state,
            ReplicationState::Healthy
        );
    }

    #[test]
    fn a_clone_stands_as_its_objects_and_its_parent_s() {
        // `rbd ls --long --format json` on Pacific, a clone of a 16 MiB
        // snapshot and its parent (and a parent in another pool).
        let listing = json!([
            {"image": "base", "id": "pppp", "size": 16_777_216, "format": 2},
            {"image": "base", "id": "pppp", "snapshot": "base", "snapshot_id": 4,
             "size": 16_777_216, "format": 2, "protected": "true"},
            {"image": "kid", "id": "kkkk", "size": 33_554_432, "format": 2,
             "parent": {"pool": "p", "pool_namespace": "", "image": "base",
                        "snapshot": "base"}},
            {"image": "stranger", "id": "ssss", "size": 4_194_304, "format": 2,
             "parent": {"pool": "q", "pool_namespace": "", "image": "base",
                        "snapshot": "base"}},
        ]);
        let images = images_listed("p", &listing);
        assert_eq!(images.len(), 3, "{images:?}");
        assert_eq!(
            images["kid"].parent,
            Some(RbdParent {
                id: "pppp".into(),
                size_bytes: 16 << 20
            })
        );
        assert_eq!(images["base"].parent, None);
        assert_eq!(images["stranger"].parent, None, "another pool's");

        // Only groups of the parent's objects 0-3 that none of the clone's
        // own objects fall in are short of copies: the clone (8 objects,
        // the first 4 read through) is degraded by those alone.
        let pg_of = |id: &str, n: u64| object_pg(&format!("rbd_data.{id}.{n:016x}"), 256);
        let own: Vec<u32> = (0..8).map(|n| pg_of("kkkk", n)).collect();
        let parent_only: Vec<u32> = (0..4)
            .map(|n| pg_of("pppp", n))
            .filter(|pg| !own.contains(pg))
            .collect();
        assert!(!parent_only.is_empty());
        let pgs: Vec<PgStat> = (0..256)
            .map(|seed| PgStat {
                seed,
                state: if parent_only.contains(&seed) {
                    "active+undersized+degraded"
                } else {
                    "active+clean"
                }
                .into(),
                objects: 1,
                object_copies: 3,
                objects_degraded: u64::from(parent_only.contains(&seed)),
                bytes: 0,
            })
            .collect();
        let pool = PoolHealth {
            images,
            ..PoolHealth::from_pgs("p", 3, &pgs, false)
        };
        let through = (0..4)
            .filter(|&n| parent_only.contains(&pg_of("pppp", n)))
            .count() as f64;
        let kid = pool.volume("kid", 32 << 20).unwrap();
        assert_eq!(kid.state, ReplicationState::Degraded);
        assert!((kid.recovery_progress - (1.0 - through / 8.0)).abs() < 1e-12);
        assert_eq!(pool.volume_is_whole("kid", 32 << 20), Some(false));
        // Past the parent's 16 MiB the clone reads nothing through: the
        // parent's objects 4-7 do not count, however their groups stand.
        let far: Vec<u32> = (4..16)
            .map(|n| pg_of("pppp", n))
            .filter(|pg| !own.contains(pg) && !parent_only.contains(pg))
            .collect();
        let pool = PoolHealth {
            images: pool.images.clone(),
            ..PoolHealth::from_pgs(
                "p",
                3,
                &pgs.iter()
                    .map(|p| PgStat {
                        state: if far.contains(&p.seed) {
                            "active+undersized+degraded".into()
                        } else {
                            "active+clean".into()
                        },
                        ..p.clone()
                    })
                    .collect::<Vec<_>>(),
                false,
            )
        };
        assert!(!far.is_empty());
        assert_eq!(pool.volume_is_whole("kid", 32 << 20), Some(true));
    }

    fn pg(state: &str, copies: u64, degraded: u64) -> PgStat {
        PgStat {
            seed: 0,
            state: state.into(),
            objects: copies / 3,
            object_copies: copies,
            objects_degraded: degraded,
            bytes: 0,
        }
    }

    #[test]
    fn a_pool_is_healthy_degraded_or_recovering() {
        let clean = [
            pg("active+clean", 30, 0),
            pg("active+clean+scrubbing", 30, 0),
        ];
        let h = PoolHealth::from_pgs("p", 3, &clean, true);
        assert_eq!(h.state, ReplicationState::Healthy);
        assert_eq!((h.degraded_ratio, h.recovery_progress), (0.0, 1.0));

        let down = [
            pg("active+undersized+degraded", 30, 10),
            pg("active+clean", 30, 0),
        ];
        let h = PoolHealth::from_pgs("p", 3, &down, false);
        assert_eq!(h.state, ReplicationState::Degraded);
        assert!((h.degraded_ratio - 10.0 / 60.0).abs() < 1e-9);
        assert_eq!(h.recovery_progress, 0.5);
        // An undersized group holding no object is not clean either.
        let empty = [pg("active+undersized", 0, 0)];
        let h = PoolHealth::from_pgs("p", 3, &empty, false);
        assert_eq!(
            (h.state, h.degraded_ratio),
            (ReplicationState::Degraded, 0.0)
        );

        // Every OSD back: the missing copies are being made again, even
        // before the groups' states say so.
        let h = PoolHealth::from_pgs("p", 3, &down, true);
        assert_eq!(h.state, ReplicationState::Recovering);
        let busy = [
            pg("active+recovering+degraded", 30, 5),
            pg("active+clean", 30, 0),
        ];
        let h = PoolHealth::from_pgs("p", 3, &busy, false);
        assert_eq!(h.state, ReplicationState::Recovering);
    }
}
