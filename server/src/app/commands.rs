//! Host commands built from what the database says, and the database
//! effects of workflow steps. The workflow engine and reconciliation call
//! these; they never talk to a host themselves.

use diesel::prelude::*;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, json_list, now_micros};
use overcast_internal_api::v1::{self as api, server_message::Command as Cmd};
use overcast_types::ids::*;
use overcast_types::params::StorageClass;
use overcast_types::states::{DriveState, HostState, InstanceState, SnapshotState};
use overcast_types::{ApiError, ApiResult};

use super::placement::PlacementPolicy;
use super::plans::Step;

/// What a step that reaches outside the database does: a command to a
/// host, or an operation on the replicated storage (Ceph).
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Host(HostId, Box<Cmd>),
    Storage(StorageOp),
}

/// An idempotent operation on the Ceph cluster that holds replicated
/// drives, carried out by the server (`storage/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageOp {
    /// Make the drive's RBD image exist, at least `size_bytes` large:
    /// blank, a copy-on-write clone of an image's base snapshot, or a copy
    /// of a snapshot.
    EnsureVolume {
        volume: Volume,
        size_bytes: u64,
        source: Option<VolumeSource>,
    },
    /// Remove the image and its snapshots.
    RemoveVolume { volume: Volume },
    /// Take the snapshot (crash-consistent: RBD orders it among the writes).
    EnsureSnapshot { snapshot: SnapRef },
    /// Remove the snapshot.
    RemoveSnapshot { snapshot: SnapRef },
    /// Roll the image back to the snapshot (nobody may have it open).
    Rollback { snapshot: SnapRef },
    /// Make an image's base exist (see [`ImageBase`]).
    EnsureImageBase { base: ImageBase },
    /// Remove the base of an image that is deleted: its protected snapshot
    /// and the image under it (busy, so left, while a clone still has it).
    RemoveImageBase { image: ImageId },
    /// Blocklist every Ceph client of the host at `address`.
    Blocklist { address: String },
    /// Lift that blocklist entry.
    Unblock { address: String },
    /// Break every lock on these images, all at once.
    BreakLocks { volumes: Vec<Volume> },
    /// Mark the OSDs under the CRUSH host of this name down (a host found
    /// down; none if the cluster has no such host).
    MarkHostDown { host: String },
}

/// Where a new replicated drive's data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeSource {
    /// A copy-on-write clone of the image's base snapshot.
    Image(ImageBase),
    /// A full copy of a snapshot: the new drive does not depend on it.
    Snapshot(SnapRef),
}

/// Where a replicated drive lives: `<pool>/<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub pool: String,
    pub name: String,
}

impl Volume {
    /// The pool of a drive of `replicas` copies, and its image's name.
    pub fn of(drive: &DriveId, replicas: i32) -> Self {
        Self {
            pool: pool_name(replicas),
            name: format!("drive-{drive}"),
        }
    }

    pub fn spec(&self) -> String {
        format!("{}/{}", self.pool, self.name)
    }
}

/// A snapshot of a drive's image: `<pool>/<image>@snap-<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapRef {
    pub volume: Volume,
    pub name: String,
}

impl SnapRef {
    pub fn of(volume: Volume, snapshot: &SnapshotId) -> Self {
        Self {
            volume,
            name: format!("snap-{snapshot}"),
        }
    }

    pub fn spec(&self) -> String {
        format!("{}@{}", self.volume.spec(), self.name)
    }
}

/// Overcast's pool of `replicas` copies.
pub fn pool_name(replicas: i32) -> String {
    format!("overcast-r{replicas}")
}

/// An OS image held once in the 3-copy pool as a protected snapshot
/// (`overcast-r3/image-<id>@base`), the parent of every replicated boot
/// drive made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBase {
    pub image: ImageId,
    pub from: BaseSource,
}

/// What an image's base is made from, the first time it is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseSource {
    /// The image bundle (`file:///dir`) whose `disk.raw` is imported.
    Bundle(String),
    /// A drive's snapshot, copied (an image made from a snapshot); `None`
    /// once the snapshot is gone (its removal made the base first).
    Snapshot(Option<SnapRef>),
}

/// What a step does outside the database, as the database says now;
/// `None` when there is nothing to do (the subject has no host, or is gone
/// and so has nothing to remove).
pub fn command(conn: &mut DbConn, step: &Step) -> ApiResult<Option<Command>> {
    Ok(match step {
        Step::EnsureDrive { drive } => Some(ensure_drive(conn, drive)?),
        Step::RemoveDrive { drive } => drives::table
            .find(drive)
            .select((
                drives::host_id,
                drives::generation,
                drives::storage_class,
                drives::replicas,
            ))
            .first::<(Option<HostId>, i64, StorageClass, i32)>(conn)
            .optional()?
            .and_then(|(host, generation, class, replicas)| match class {
                StorageClass::Replicated => Some(Command::Storage(StorageOp::RemoveVolume {
                    volume: Volume::of(drive, replicas),
                })),
                StorageClass::Local => Some(Command::Host(
                    host?,
                    Box::new(Cmd::RemoveDrive(api::RemoveDrive {
                        drive_id: drive.to_string(),
                        generation: generation as u64,
                    })),
                )),
            }),
        Step::FenceStorage { host } => Some(Command::Storage(StorageOp::Blocklist {
            address: hosts::table.find(host).select(hosts::address).first(conn)?,
        })),
        Step::BreakLocks { drive } => drives::table
            .find(drive)
            .select((drives::storage_class, drives::replicas))
            .first::<(StorageClass, i32)>(conn)
            .optional()?
            .filter(|(class, _)| *class == StorageClass::Replicated)
            .map(|(_, replicas)| {
                Command::Storage(StorageOp::BreakLocks {
                    volumes: vec![Volume::of(drive, replicas)],
                })
            }),
        Step::BreakInstanceLocks { instance } => {
            let volumes: Vec<Volume> = drives::table
                .filter(drives::instance_id.eq(instance))
                .filter(drives::storage_class.eq(StorageClass::Replicated))
                .order(drives::slot.asc())
                .select((drives::id, drives::replicas))
                .load::<(DriveId, i32)>(conn)?
                .iter()
                .map(|(id, replicas)| Volume::of(id, *replicas))
                .collect();
            (!volumes.is_empty()).then_some(Command::Storage(StorageOp::BreakLocks { volumes }))
        }
        Step::EnsureSnapshot { snapshot }
        | Step::RemoveSnapshot { snapshot }
        | Step::RollbackDrive { snapshot, .. } => snap_ref(conn, snapshot)?.map(|snapshot| {
            Command::Storage(match step {
                Step::EnsureSnapshot { .. } => StorageOp::EnsureSnapshot { snapshot },
                Step::RemoveSnapshot { .. } => StorageOp::RemoveSnapshot { snapshot },
                _ => StorageOp::Rollback { snapshot },
            })
        }),
        Step::EnsureImageBase { image } => Some(Command::Storage(StorageOp::EnsureImageBase {
            base: image_base(conn, image)?,
        })),
        Step::EnsureInstance { instance, running } => {
            let (host, cmd) = ensure_instance_command(conn, instance, *running)?;
            Some(Command::Host(host, Box::new(cmd)))
        }
        Step::RebootInstance { instance } | Step::RemoveInstance { instance } => {
            let found = instances::table
                .find(instance)
                .select((instances::host_id, instances::generation))
                .first::<(Option<HostId>, i64)>(conn)
                .optional()?;
            found.and_then(|(host, generation)| {
                let instance_id = instance.to_string();
                let generation = generation as u64;
                let cmd = if matches!(step, Step::RemoveInstance { .. }) {
                    Cmd::RemoveInstance(api::RemoveInstance {
                        instance_id,
                        generation,
                    })
                } else {
                    Cmd::RebootInstance(api::RebootInstance {
                        instance_id,
                        generation,
                    })
                };
                Some(Command::Host(host?, Box::new(cmd)))
            })
        }
        other => {
            return Err(ApiError::internal(format!(
                "{other:?} does not reach a host"
            )));
        }
    })
}

/// Apply a step that only changes the database.
pub fn apply_effect(conn: &mut DbConn, step: &Step, policy: &PlacementPolicy) -> ApiResult<()> {
    match step {
        Step::DriveReady { drive } => {
            let attached: Option<Option<InstanceId>> = drives::table
                .find(drive)
                .select(drives::instance_id)
                .first(conn)
                .optional()?;
            let state = match attached {
                Some(Some(_)) => DriveState::Attached,
                _ => DriveState::Available,
            };
            set_drive_state(conn, drive, state)
        }
        Step::DriveFailed { drive } => set_drive_state(conn, drive, DriveState::Failed),
        Step::ForgetDrive { drive } => {
            diesel::delete(drives::table.find(drive)).execute(conn)?;
            Ok(())
        }
        Step::SnapshotReady { snapshot } => {
            set_snapshot_state(conn, snapshot, SnapshotState::Available)
        }
        Step::SnapshotFailed { snapshot } => {
            set_snapshot_state(conn, snapshot, SnapshotState::Failed)
        }
        Step::ForgetSnapshot { snapshot } => {
            diesel::delete(snapshots::table.find(snapshot)).execute(conn)?;
            Ok(())
        }
        Step::SetInstanceState { instance, state } => set_instance_state(conn, instance, *state),
        Step::ForgetInstance { instance } => forget_instance(conn, instance),
        Step::Unplace { instance } => super::failover::unplace(conn, instance),
        Step::PlaceInstance {
            instance,
            lost_host,
        } => super::failover::place(conn, policy, instance, lost_host.as_ref()),
        Step::FailoverEvent {
            instance,
            lost_host,
            stage,
            down_at,
        } => super::failover::record_stage(conn, instance, lost_host, *stage, *down_at),
        other => Err(ApiError::internal(format!(
            "{other:?} is not a database step"
        ))),
    }
}

fn set_drive_state(conn: &mut DbConn, id: &DriveId, state: DriveState) -> ApiResult<()> {
    diesel::update(drives::table.find(id))
        .set((
            drives::state.eq(state),
            drives::generation.eq(drives::generation + 1),
            drives::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

fn set_snapshot_state(conn: &mut DbConn, id: &SnapshotId, state: SnapshotState) -> ApiResult<()> {
    diesel::update(snapshots::table.find(id))
        .set((
            snapshots::state.eq(state),
            snapshots::generation.eq(snapshots::generation + 1),
            snapshots::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Where a snapshot lives in Ceph; `None` once its row is gone.
fn snap_ref(conn: &mut DbConn, id: &SnapshotId) -> ApiResult<Option<SnapRef>> {
    let found: Option<(DriveId, i32)> = snapshots::table
        .inner_join(drives::table.on(snapshots::drive_id.eq(drives::id)))
        .filter(snapshots::id.eq(id))
        .select((drives::id, drives::replicas))
        .first(conn)
        .optional()?;
    Ok(found.map(|(drive, replicas)| SnapRef::of(Volume::of(&drive, replicas), id)))
}

/// What an image's base in Ceph is made from: its bundle's disk, or the
/// snapshot it was made from.
fn image_base(conn: &mut DbConn, id: &ImageId) -> ApiResult<ImageBase> {
    let (source, snapshot): (String, Option<SnapshotId>) = images::table
        .find(id)
        .select((images::source_url, images::snapshot_id))
        .first(conn)?;
    let from = match snapshot {
        Some(snapshot) => BaseSource::Snapshot(snap_ref(conn, &snapshot)?),
        None => BaseSource::Bundle(source),
    };
    Ok(ImageBase {
        image: id.clone(),
        from,
    })
}

fn image_source(conn: &mut DbConn, image_id: &Option<ImageId>) -> ApiResult<String> {
    Ok(match image_id {
        Some(id) => images::table
            .find(id)
            .select(images::source_url)
            .first::<String>(conn)
            .optional()?
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// What makes a drive as the database says: a local drive's command to its
/// host, or a replicated drive's storage operation.
fn ensure_drive(conn: &mut DbConn, drive_id: &DriveId) -> ApiResult<Command> {
    let drive: DriveRow = drives::table
        .find(drive_id)
        .select(DriveRow::as_select())
        .first(conn)?;
    if drive.storage_class == StorageClass::Replicated {
        // The source matters only while the image is not made yet; a
        // snapshot cannot go while a drive is being made from it.
        let source = match (&drive.snapshot_id, &drive.image_id) {
            (Some(snapshot), _) => snap_ref(conn, snapshot)?.map(VolumeSource::Snapshot),
            (None, Some(image)) => Some(VolumeSource::Image(image_base(conn, image)?)),
            (None, None) => None,
        };
        return Ok(Command::Storage(StorageOp::EnsureVolume {
            volume: Volume::of(&drive.id, drive.replicas),
            size_bytes: drive.size_bytes as u64,
            source,
        }));
    }
    let (host, cmd) = ensure_drive_command(conn, drive_id)?;
    Ok(Command::Host(host, Box::new(cmd)))
}

/// The host of a local drive and the command that makes it as the database
/// says: its ACL admits the host of the instance that has it, if any.
pub fn ensure_drive_command(conn: &mut DbConn, drive_id: &DriveId) -> ApiResult<(HostId, Cmd)> {
    let drive: DriveRow = drives::table
        .find(drive_id)
        .select(DriveRow::as_select())
        .first(conn)?;
    let host = drive
        .host_id
        .clone()
        .ok_or_else(|| ApiError::internal(format!("drive {drive_id} has no host")))?;
    let mut initiators = Vec::new();
    if let Some(instance) = &drive.instance_id {
        let address: Option<String> = instances::table
            .inner_join(hosts::table.on(instances::host_id.eq(hosts::id.nullable())))
            .filter(instances::id.eq(instance))
            .select(hosts::address)
            .first(conn)
            .optional()?;
        initiators.extend(address);
    }
    let image_source = image_source(conn, &drive.image_id)?;
    Ok((
        host,
        Cmd::EnsureDrive(api::EnsureDrive {
            drive_id: drive.id.into(),
            generation: drive.generation as u64,
            size_bytes: drive.size_bytes as u64,
            image_source,
            initiators,
            chap_user: drive.chap_user,
            chap_secret: drive.chap_secret,
        }),
    ))
}

/// The host of an instance and the command that defines it as the
/// database says, running or stopped.
pub fn ensure_instance_command(
    conn: &mut DbConn,
    instance_id: &InstanceId,
    running: bool,
) -> ApiResult<(HostId, Cmd)> {
    let row: InstanceRow = instances::table
        .find(instance_id)
        .select(InstanceRow::as_select())
        .first(conn)?;
    let host = row
        .host_id
        .clone()
        .ok_or_else(|| ApiError::internal(format!("instance {instance_id} has no host")))?;
    let drives: Vec<(DriveRow, Option<HostRow>)> = drives::table
        .left_join(hosts::table.on(drives::host_id.eq(hosts::id.nullable())))
        .filter(drives::instance_id.eq(instance_id))
        .order(drives::slot.asc())
        .select((DriveRow::as_select(), Option::<HostRow>::as_select()))
        .load(conn)?;
    let boot_image = drives.first().and_then(|(d, _)| d.image_id.clone());
    let image_source = image_source(conn, &boot_image)?;
    let ssh_keys: Vec<String> = ssh_keys::table
        .filter(ssh_keys::id.eq_any(json_list(&row.ssh_key_ids)))
        .order(ssh_keys::name.asc())
        .select(ssh_keys::public_key)
        .load(conn)?;
    let ip: Option<(String, i32, String)> = ip_addresses::table
        .inner_join(ip_pools::table.on(ip_addresses::pool_id.eq(ip_pools::id)))
        .filter(ip_addresses::instance_id.eq(instance_id))
        .order(ip_addresses::address.asc())
        .select((
            ip_addresses::address,
            ip_pools::prefix_len,
            ip_pools::gateway,
        ))
        .first(conn)
        .optional()?;
    let mut cmd = api::EnsureInstance {
        instance_id: row.id.to_string(),
        generation: row.generation as u64,
        hostname: row.name.clone(),
        vcpus: row.vcpus as u32,
        memory_mib: row.memory_mib as u64,
        image_source,
        disks: drives
            .iter()
            .map(|(d, h)| disk(d, h.as_ref()))
            .collect::<ApiResult<_>>()?,
        ssh_keys,
        user_data: row.user_data.clone(),
        ..Default::default()
    };
    if let Some((address, prefix, gateway)) = ip {
        cmd.address_cidr = format!("{address}/{prefix}");
        cmd.gateway = gateway;
    }
    cmd.set_power(if running {
        api::Power::Running
    } else {
        api::Power::Stopped
    });
    Ok((host, Cmd::EnsureInstance(cmd)))
}

/// How the instance's host attaches a drive: a local drive from its host's
/// iSCSI portal, a replicated one straight from Ceph.
fn disk(d: &DriveRow, host: Option<&HostRow>) -> ApiResult<api::Disk> {
    use api::disk::Source;
    let source = match (d.storage_class, host) {
        (StorageClass::Replicated, _) => {
            let volume = Volume::of(&d.id, d.replicas);
            Source::Rbd(api::RbdDisk {
                drive_id: d.id.to_string(),
                pool: volume.pool,
                image: volume.name,
            })
        }
        (StorageClass::Local, Some(h)) => Source::Iscsi(api::IscsiDisk {
            drive_id: d.id.to_string(),
            portal_host: h.address.clone(),
            portal_port: h.iscsi_port as u32,
            chap_user: d.chap_user.clone(),
            chap_secret: d.chap_secret.clone(),
        }),
        (StorageClass::Local, None) => {
            return Err(ApiError::internal(format!(
                "local drive {} has no host",
                d.id
            )));
        }
    };
    Ok(api::Disk {
        source: Some(source),
    })
}

pub fn set_instance_state(
    conn: &mut DbConn,
    id: &InstanceId,
    state: InstanceState,
) -> ApiResult<()> {
    diesel::update(instances::table.find(id))
        .set((
            instances::state.eq(state),
            instances::generation.eq(instances::generation + 1),
            instances::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Detach an instance's drives and IPs (they are kept) and remove its row.
pub fn forget_instance(conn: &mut DbConn, id: &InstanceId) -> ApiResult<()> {
    // Drives that go with the instance (their files were removed by the
    // steps before this one); the others are detached and kept.
    diesel::delete(
        drives::table
            .filter(drives::instance_id.eq(id))
            .filter(drives::delete_with_instance.eq(true)),
    )
    .execute(conn)?;
    diesel::update(drives::table.filter(drives::instance_id.eq(id)))
        .set((
            drives::instance_id.eq(None::<InstanceId>),
            drives::slot.eq(None::<i32>),
            drives::state.eq(DriveState::Available),
            drives::generation.eq(drives::generation + 1),
            drives::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    diesel::update(ip_addresses::table.filter(ip_addresses::instance_id.eq(id)))
        .set((
            ip_addresses::instance_id.eq(None::<InstanceId>),
            ip_addresses::generation.eq(ip_addresses::generation + 1),
            ip_addresses::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    diesel::delete(instances::table.find(id)).execute(conn)?;
    Ok(())
}

/// What a host command is about: a drive or an instance, by id.
pub fn subject_of(command: &Cmd) -> (&'static str, String) {
    match command {
        Cmd::EnsureDrive(c) => ("drive", c.drive_id.clone()),
        Cmd::RemoveDrive(c) => ("drive", c.drive_id.clone()),
        Cmd::EnsureInstance(c) => ("instance", c.instance_id.clone()),
        Cmd::RemoveInstance(c) => ("instance", c.instance_id.clone()),
        Cmd::RebootInstance(c) => ("instance", c.instance_id.clone()),
        Cmd::ReadSerial(c) => ("instance", c.instance_id.clone()),
    }
}

/// If `host` is `down`: why a command about `subject` cannot be done,
/// naming both (`drive data (<id>): its host host-3 is down`).
pub fn down_host(
    conn: &mut DbConn,
    host: &HostId,
    (kind, id): (&'static str, String),
) -> ApiResult<Option<String>> {
    let Some(host_name) = hosts::table
        .find(host)
        .filter(hosts::state.eq(HostState::Down))
        .select(hosts::name)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let name: Option<String> = if kind == "drive" {
        drives::table
            .filter(drives::id.eq(&id))
            .select(drives::name)
            .first(conn)
            .optional()?
    } else {
        instances::table
            .filter(instances::id.eq(&id))
            .select(instances::name)
            .first(conn)
            .optional()?
    };
    let name = name.unwrap_or_default();
    Ok(Some(format!(
        "{kind} {name} ({id}): its host {host_name} is down"
    )))
}
