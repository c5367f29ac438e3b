//! A simulated storage cluster for the API suites, as simulated hosts
//! stand in for hostd: it keeps RBD-like images and snapshots in memory,
//! with the same idempotency and refusals as the Ceph implementation, and
//! a health a test can set. What only Ceph can prove (copies, fencing,
//! recovery) is proven on the real cluster (`tests/ceph.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use overcast_internal_api::v1 as api;
use overcast_server::app::commands::{BaseSource, StorageOp, VolumeSource, pool_name};
use overcast_server::storage::{ClusterHealth, PoolHealth, Storage, StorageError};
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
    /// Each pool's state, as a test sets it (default `healthy`).
    pool_states: Mutex<BTreeMap<String, (ReplicationState, f64, f64)>>,
}

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

    /// Report `pool` in `state` from the next reading on.
    pub fn set_pool_state(
        &self,
        pool: &str,
        state: ReplicationState,
        degraded: f64,
        progress: f64,
    ) {
        self.pool_states
            .lock()
            .expect("pool states")
            .insert(pool.to_string(), (state, degraded, progress));
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
        let states = self.pool_states.lock().expect("pool states").clone();
        let pools: Vec<PoolHealth> = [2u8, 3]
            .into_iter()
            .map(|replicas| {
                let name = pool_name(i32::from(replicas));
                let (state, degraded_ratio, recovery_progress) = states
                    .get(&name)
                    .copied()
                    .unwrap_or((ReplicationState::Healthy, 0.0, 1.0));
                PoolHealth {
                    name,
                    replicas,
                    state,
                    degraded_ratio,
                    recovery_progress,
                    objects: 0,
                    stored_bytes: 0,
                }
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
            osds_up: 3,
            osds_in: 3,
            pools,
        })
    }
}
