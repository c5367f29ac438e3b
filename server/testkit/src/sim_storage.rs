//! A simulated storage cluster for the API suites, as simulated hosts
//! stand in for hostd: it keeps RBD-like images and snapshots in memory,
//! with the same idempotency and refusals as the Ceph implementation, and
//! a health a test can set. What only Ceph can prove (copies, fencing,
//! recovery) is proven on the real cluster (`tests/ceph.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use overcast_internal_api::v1 as api;
use overcast_server::app::commands::{BaseSource, StorageOp, VolumeSource, pool_name};
use overcast_server::storage::{
    ClusterHealth, PgStat, PoolHealth, RbdImage, RbdParent, Storage, StorageError, rjenkins,
};
use overcast_types::ids::{HostId, ImageId};
use overcast_types::views::ReplicationState;

#[derive(Debug, Default, Clone)]
struct Image {
    size: u64,
    snapshots: BTreeSet<String>,
    /// What it was made from: `clone:<parent>` or `copy:<snapshot>`.
    origin: Option<String>,
}

/// The simulated cluster: images by `pool/name`.
#[derive(Default)]
pub struct SimStorage {
    images: Mutex<BTreeMap<String, Image>>,
    blocklist: Mutex<BTreeSet<String>>,
    /// Each pool's placement groups and whether every OSD is up, as a
    /// test sets them (default: 32 groups, all clean).
    pools: Mutex<BTreeMap<String, (Vec<PgStat>, bool)>>,
}

/// A simulated image's RBD id: a function of its name.
fn sim_image_id(spec: &str) -> String {
    format!("{:08x}", rjenkins(spec.as_bytes()))
}

/// Object copies each simulated placement group holds.
const PG_COPIES: u64 = 10_000;

impl SimStorage {
    /// Every image as `pool/name`, with its snapshots' names.
    pub fn images(&self) -> BTreeMap<String, Vec<String>> {
        self.images
            .lock()
            .expect("images")
            .iter()
            .map(|(k, v)| (k.clone(), v.snapshots.iter().cloned().collect()))
            .collect()
    }

    /// The size of an image, if it exists.
    pub fn size(&self, spec: &str) -> Option<u64> {
        self.images
            .lock()
            .expect("images")
            .get(spec)
            .map(|i| i.size)
    }

    /// What an image was made from (`clone:<parent>` or `copy:<snapshot>`).
    pub fn origin(&self, spec: &str) -> Option<String> {
        self.images
            .lock()
            .expect("images")
            .get(spec)
            .and_then(|i| i.origin.clone())
    }

    pub fn blocklisted(&self) -> BTreeSet<String> {
        self.blocklist.lock().expect("blocklist").clone()
    }

    /// The RBD id of image `spec` (`pool/name`), as `rbd ls --long` gives
    /// it, if the image exists.
    pub fn image_id(&self, spec: &str) -> Option<String> {
        self.size(spec).map(|_| sim_image_id(spec))
    }

    /// From the next reading on, give `pool` `pg_num` placement groups,
    /// those of `unclean` in the state given with that share of their
    /// object copies missing, the others active and clean; `all_osds_up`
    /// as the OSD map would say.
    pub fn set_pgs(
        &self,
        pool: &str,
        pg_num: u32,
        unclean: &[(u32, &str, f64)],
        all_osds_up: bool,
    ) {
        let pgs = (0..pg_num)
            .map(|seed| {
                let (state, ratio) = unclean
                    .iter()
                    .find(|(s, _, _)| *s == seed)
                    .map_or(("active+clean", 0.0), |(_, state, ratio)| (*state, *ratio));
                PgStat {
                    seed,
                    state: state.to_string(),
                    objects: PG_COPIES / 2,
                    object_copies: PG_COPIES,
                    objects_degraded: (ratio * PG_COPIES as f64).round() as u64,
                    bytes: 0,
                }
            })
            .collect();
        self.pools
            .lock()
            .expect("pools")
            .insert(pool.to_string(), (pgs, all_osds_up));
    }

    fn with_image<T>(
        &self,
        spec: &str,
        f: impl FnOnce(&mut Image) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut images = self.images.lock().expect("images");
        match images.get_mut(spec) {
            Some(image) => f(image),
            None => Err(StorageError::Permanent(format!(
                "rbd: error opening image {spec}: (2) No such file or directory"
            ))),
        }
    }

    /// Make the image's base (`overcast-r3/image-<id>@base`); false if the
    /// bundle has no disk (never, here: every simulated image has one).
    fn ensure_base(
        &self,
        base: &overcast_server::app::commands::ImageBase,
    ) -> Result<String, StorageError> {
        let spec = format!("{}/image-{}", pool_name(3), base.image);
        let snap = format!("{spec}@base");
        if self
            .images
            .lock()
            .expect("images")
            .get(&spec)
            .is_some_and(|i| i.snapshots.contains("base"))
        {
            return Ok(snap);
        }
        let (size, origin) = match &base.from {
            BaseSource::Bundle(source) => (1 << 30, format!("bundle:{source}")),
            BaseSource::Snapshot(Some(s)) => {
                let size = self.with_image(&s.volume.spec(), |i| {
                    if i.snapshots.contains(&s.name) {
                        Ok(i.size)
                    } else {
                        Err(StorageError::Permanent(format!(
                            "snapshot {} not found: (2) No such file or directory",
                            s.spec()
                        )))
                    }
                })?;
                (size, format!("copy:{}", s.spec()))
            }
            BaseSource::Snapshot(None) => {
                return Err(StorageError::Permanent(format!(
                    "image {} has no base, and the snapshot it was made from is gone",
                    base.image
                )));
            }
        };
        self.images.lock().expect("images").insert(
            spec,
            Image {
                size,
                snapshots: ["base".to_string()].into(),
                origin: Some(origin),
            },
        );
        Ok(snap)
    }
}

#[async_trait::async_trait]
impl Storage for SimStorage {
    async fn apply(&self, op: &StorageOp) -> Result<(), StorageError> {
        match op {
            StorageOp::EnsureVolume {
                volume,
                size_bytes,
                source,
            } => {
                let spec = volume.spec();
                if self.size(&spec).is_none() {
                    let (size, origin) = match source {
                        None => (*size_bytes, None),
                        Some(VolumeSource::Image(base)) => {
                            let parent = self.ensure_base(base)?;
                            let size = self.size(parent.trim_end_matches("@base")).unwrap_or(0);
                            (size, Some(format!("clone:{parent}")))
                        }
                        Some(VolumeSource::Snapshot(s)) => {
                            let size = self.with_image(&s.volume.spec(), |i| {
                                if i.snapshots.contains(&s.name) {
                                    Ok(i.size)
                                } else {
                                    Err(StorageError::Permanent(format!(
                                        "{}: (2) No such file or directory",
                                        s.spec()
                                    )))
                                }
                            })?;
                            (size, Some(format!("copy:{}", s.spec())))
                        }
                    };
                    self.images.lock().expect("images").insert(
                        spec.clone(),
                        Image {
                            size,
                            snapshots: BTreeSet::new(),
                            origin,
                        },
                    );
                }
                self.with_image(&spec, |i| {
                    i.size = i.size.max(*size_bytes);
                    Ok(())
                })
            }
            StorageOp::RemoveVolume { volume } => {
                self.images.lock().expect("images").remove(&volume.spec());
                Ok(())
            }
            StorageOp::EnsureSnapshot { snapshot } => {
                self.with_image(&snapshot.volume.spec(), |i| {
                    i.snapshots.insert(snapshot.name.clone());
                    Ok(())
                })
            }
            StorageOp::RemoveSnapshot { snapshot } => {
                match self.with_image(&snapshot.volume.spec(), |i| {
                    i.snapshots.remove(&snapshot.name);
                    Ok(())
                }) {
                    Err(StorageError::Permanent(_)) => Ok(()),
                    other => other,
                }
            }
            StorageOp::Rollback { snapshot } => self.with_image(&snapshot.volume.spec(), |i| {
                if i.snapshots.contains(&snapshot.name) {
                    Ok(())
                } else {
                    Err(StorageError::Permanent(format!(
                        "{}: (2) No such file or directory",
                        snapshot.spec()
                    )))
                }
            }),
            StorageOp::EnsureImageBase { base } => self.ensure_base(base).map(|_| ()),
            StorageOp::Blocklist { address } => {
                self.blocklist
                    .lock()
                    .expect("blocklist")
                    .insert(address.clone());
                Ok(())
            }
            StorageOp::Unblock { address } => {
                self.blocklist.lock().expect("blocklist").remove(address);
                Ok(())
            }
            StorageOp::RemoveImageBase { image } => {
                let spec = format!("{}/image-{image}", pool_name(3));
                let mut images = self.images.lock().expect("images");
                let parent = Some(format!("clone:{spec}@base"));
                if images.values().any(|i| i.origin == parent) {
                    return Err(StorageError::Transient(format!(
                        "rbd snap unprotect {spec}@base: (16) Device or resource busy"
                    )));
                }
                images.remove(&spec);
                Ok(())
            }
            StorageOp::BreakLocks { .. } | StorageOp::MarkHostDown { .. } => Ok(()),
        }
    }

    async fn image_bases(&self) -> Result<Vec<ImageId>, StorageError> {
        let prefix = format!("{}/image-", pool_name(3));
        Ok(self
            .images
            .lock()
            .expect("images")
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix)?.parse().ok())
            .collect())
    }

    async fn host_client(&self, host: &HostId) -> Result<api::CephClient, StorageError> {
        Ok(api::CephClient {
            user: format!("overcast-host-{host}"),
            key: "QVFCc2ltdWxhdGVka2V5AAAAAAAAAAAAAAAAAAAAAA==".into(),
            monitors: vec!["127.0.0.1:6789".into()],
        })
    }

    async fn health(&self) -> Result<ClusterHealth, StorageError> {
        let set = self.pools.lock().expect("pools").clone();
        let images = self.images.lock().expect("images").clone();
        let mut all_up = true;
        let pools: Vec<PoolHealth> = [2u8, 3]
            .into_iter()
            .map(|replicas| {
                let name = pool_name(i32::from(replicas));
                let (pgs, up) = set.get(&name).cloned().unwrap_or_else(|| {
                    let clean = (0..32).map(|seed| PgStat {
                        seed,
                        state: "active+clean".into(),
                        ..PgStat::default()
                    });
                    (clean.collect(), true)
                });
                all_up &= up;
                let mut pool = PoolHealth::from_pgs(&name, replicas, &pgs, up);
                if !pool.unclean.is_empty() {
                    let prefix = format!("{name}/");
                    pool.images = images
                        .iter()
                        .filter_map(|(spec, image)| {
                            let name = spec.strip_prefix(&prefix)?;
                            let parent = image
                                .origin
                                .as_deref()
                                .and_then(|o| o.strip_prefix("clone:"))
                                .and_then(|o| o.strip_suffix("@base"))
                                .and_then(|parent| {
                                    Some(RbdParent {
                                        id: sim_image_id(parent),
                                        size_bytes: images.get(parent)?.size,
                                    })
                                });
                            let image = RbdImage {
                                id: sim_image_id(spec),
                                parent,
                            };
                            Some((name.to_string(), image))
                        })
                        .collect();
                }
                pool
            })
            .collect();
        let healthy = pools.iter().all(|p| p.state == ReplicationState::Healthy);
        Ok(ClusterHealth {
            status: if healthy { "HEALTH_OK" } else { "HEALTH_WARN" }.into(),
            checks: if healthy {
                Vec::new()
            } else {
                vec!["PG_DEGRADED: Degraded data redundancy (simulated)".into()]
            },
            total_bytes: 3 << 40,
            used_bytes: 0,
            available_bytes: 3 << 40,
            osds: 3,
            osds_up: if all_up { 3 } else { 2 },
            osds_in: 3,
            pools,
        })
    }
}
