//! Drives: allocated on their own, made on a host by a workflow, grown
//! live, composed into instances later.

use std::collections::HashMap;

use diesel::prelude::*;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, list_by_name, now_micros, save_row, to_json_list};
use overcast_types::ids::*;
use overcast_types::params::{DriveCreate, DriveUpdate, IdentityUpdate, StorageClass};
use overcast_types::states::DriveState;
use overcast_types::{ApiError, ApiResult, NameOrId, Page, PageRequest};

use super::plans::{Plan, PlanKind, Step};
use super::{
    Actor, Ctx, Launched, ProjectScope, apply_identity, check_generation, in_project, project_of,
    project_scoped_lookup, record_event, resolve_ids_in_project, subject, validate_description,
    validate_name, validate_size,
};

project_scoped_lookup!(lookup_drive, fetch_drive, drives, DriveRow, "drive");

list_by_name!(list_drives_in, drives, DriveRow, project_id, ProjectId);

/// Insert a drive row after the checks every drive creation shares.
#[allow(clippy::too_many_arguments)]
pub fn insert_drive(
    conn: &mut DbConn,
    ctx: &Ctx,
    project: &ProjectRow,
    name: String,
    description: String,
    size_bytes: u64,
    image: Option<&NameOrId>,
    snapshot: Option<&SnapshotRow>,
    (storage_class, replicas): (StorageClass, Option<u8>),
    avoid_drives: Vec<DriveId>,
    avoid_instances: Vec<InstanceId>,
    prefer_host: Option<&HostId>,
) -> ApiResult<DriveRow> {
    validate_name("name", &name)?;
    validate_description(&description)?;
    validate_size("size_bytes", size_bytes)?;
    let replicas = storage(ctx, storage_class, replicas)?;
    let image_id = match image {
        None => None,
        Some(sel) => {
            let account = NameOrId::id(&project.account_id);
            let image = super::images::image_get(conn, &ctx.actor, sel, Some(&account))
                .map_err(|e| e.with_field("image"))?;
            if size_bytes < image.min_size_bytes as u64 {
                return Err(ApiError::invalid(
                    "size_bytes",
                    format!(
                        "image \"{}\" needs at least {} bytes",
                        image.name, image.min_size_bytes
                    ),
                ));
            }
            if image.snapshot_id.is_some() && storage_class == StorageClass::Local {
                return Err(ApiError::conflict(
                    "storage_class_unsupported",
                    format!(
                        "image \"{}\" was made from a snapshot and is kept in Ceph: ask for \
                         storage_class `replicated`",
                        image.name
                    ),
                )
                .with_field("storage_class"));
            }
            Some(image.id)
        }
    };
    // A drive made from a snapshot boots as its source drive did.
    let image_id = match snapshot {
        Some(snapshot) => drives::table
            .find(&snapshot.drive_id)
            .select(drives::image_id)
            .first::<Option<ImageId>>(conn)?,
        None => image_id,
    };
    // A replicated drive is Ceph's to place, on as many hosts as copies.
    let host = match storage_class {
        StorageClass::Local => Some(super::placement::place_drive(
            conn,
            &ctx.placement,
            size_bytes as i64,
            &avoid_drives,
            &avoid_instances,
            prefer_host,
        )?),
        StorageClass::Replicated => None,
    };
    let now = now_micros();
    let row = DriveRow {
        id: DriveId::new(),
        project_id: project.id.clone(),
        account_id: project.account_id.clone(),
        name,
        description,
        size_bytes: size_bytes as i64,
        image_id,
        replicas: i32::from(replicas),
        avoid_drives: to_json_list(&avoid_drives),
        avoid_instances: to_json_list(&avoid_instances),
        // `available` once its host has made it.
        state: DriveState::Creating,
        instance_id: None,
        slot: None,
        time_created: now,
        time_modified: now,
        generation: 1,
        host_id: host,
        delete_with_instance: false,
        chap_user: String::new(),
        chap_secret: String::new(),
        storage_class,
        snapshot_id: snapshot.map(|s| s.id.clone()),
    };
    let (chap_user, chap_secret) = new_chap();
    let row = DriveRow {
        chap_user,
        chap_secret,
        ..row
    };
    diesel::insert_into(drives::table)
        .values(&row)
        .execute(conn)?;
    record_event(
        conn,
        ctx,
        "create",
        subject("drive", &row.id, &row.name, &row.account_id),
    )?;
    Ok(row)
}

/// The number of copies a drive of `class` keeps: `local` drives one,
/// `replicated` ones 2 or 3 (default 3), and only on a server with Ceph.
fn storage(ctx: &Ctx, class: StorageClass, replicas: Option<u8>) -> ApiResult<u8> {
    match (class, replicas) {
        (StorageClass::Local, None | Some(1)) => Ok(1),
        (StorageClass::Local, Some(_)) => Err(ApiError::invalid(
            "replicas",
            "a local drive has one copy; for 2 or 3 copies on different hosts, \
             ask for storage_class `replicated`",
        )),
        (StorageClass::Replicated, _) if !ctx.replicated_storage => Err(ApiError::unprocessable(
            "storage_class_unavailable",
            "this cloud has no Ceph cluster for replicated drives (the server runs without \
             --ceph-conf); use storage_class `local`",
        )
        .with_field("storage_class")),
        (StorageClass::Replicated, None) => Ok(3),
        (StorageClass::Replicated, Some(n @ (2 | 3))) => Ok(n),
        (StorageClass::Replicated, Some(_)) => Err(ApiError::invalid(
            "replicas",
            "a replicated drive keeps 2 or 3 copies",
        )),
    }
}

pub fn drive_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    scope: &ProjectScope,
    p: DriveCreate,
) -> ApiResult<Launched<DriveRow>> {
    validate_name("name", &p.name)?;
    let project = project_of(conn, &ctx.actor, scope)?;
    let inside = in_project(&project);
    let actor = ctx.actor.clone();
    let avoid_drives = resolve_ids_in_project(conn, "avoid_drives", &p.avoid_drives, |c, s| {
        Ok(lookup_drive(c, &actor, s, &inside)?.id)
    })?;
    let avoid_instances =
        resolve_ids_in_project(conn, "avoid_instances", &p.avoid_instances, |c, s| {
            Ok(super::instances::lookup_instance(c, &actor, s, &inside)?.id)
        })?;
    let image = p
        .image
        .as_deref()
        .map(|s| NameOrId::parse("image", s))
        .transpose()?;
    let snapshot = match p.snapshot.as_deref() {
        None => None,
        Some(_) if image.is_some() => {
            return Err(ApiError::invalid(
                "snapshot",
                "a drive starts from an image or from a snapshot, not both",
            ));
        }
        Some(s) => Some(super::snapshots::source_snapshot(
            conn,
            ctx,
            &project,
            &NameOrId::parse("snapshot", s)?,
            (p.storage_class, p.size_bytes),
        )?),
    };
    let row = insert_drive(
        conn,
        ctx,
        &project,
        p.name,
        p.description,
        p.size_bytes,
        image.as_ref(),
        snapshot.as_ref(),
        (p.storage_class, p.replicas),
        avoid_drives,
        avoid_instances,
        None,
    )?;
    let plan = make_drive_plan(&row.id);
    let id = super::plans::insert(conn, ctx, PlanKind::DriveCreate, &row.id, &plan)?;
    Ok(Launched::with(row, id))
}

/// Make (or grow) the drive on its host; undone by removing it there.
fn make_drive_plan(drive: &DriveId) -> Plan {
    let drive = drive.clone();
    Plan::new()
        .then_undoable(
            Step::EnsureDrive {
                drive: drive.clone(),
            },
            Step::RemoveDrive {
                drive: drive.clone(),
            },
        )
        .then(Step::DriveReady {
            drive: drive.clone(),
        })
        .on_unwind(Step::DriveFailed { drive })
}

pub fn drive_list(
    conn: &mut DbConn,
    actor: &Actor,
    scope: &ProjectScope,
    page: &PageRequest,
) -> ApiResult<Page<DriveRow>> {
    let project = project_of(conn, actor, scope)?;
    list_drives_in(conn, &project.id, page)
}

pub fn drive_update(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
    p: DriveUpdate,
    if_match: Option<i64>,
) -> ApiResult<Launched<DriveRow>> {
    let mut row = lookup_drive(conn, &ctx.actor, sel, scope)?;
    check_generation(if_match, row.generation)?;
    apply_identity(
        &mut row.name,
        &mut row.description,
        IdentityUpdate {
            name: p.name,
            description: p.description,
        },
    )?;
    let mut grow = false;
    if let Some(size) = p.size_bytes {
        validate_size("size_bytes", size)?;
        if (size as i64) < row.size_bytes {
            return Err(ApiError::invalid(
                "size_bytes",
                format!(
                    "drives can grow but never shrink: {size} is below the current {}",
                    row.size_bytes
                ),
            ));
        }
        if row.state == DriveState::Deleting {
            return Err(ApiError::conflict(
                "invalid_state",
                "the drive is being deleted",
            ));
        }
        grow = size as i64 > row.size_bytes;
        // A local drive grows on its host's storage: the room is checked as
        // placement checks it (Ceph keeps its own limits for replicated).
        if let Some(host) = row.host_id.as_ref().filter(|_| grow) {
            super::placement::fits_after_grow(
                conn,
                &ctx.placement,
                host,
                size as i64 - row.size_bytes,
            )?;
        }
        row.size_bytes = size as i64;
    }
    save_row!(conn, drives, row)?;
    record_event(
        conn,
        ctx,
        "update",
        subject("drive", &row.id, &row.name, &row.account_id),
    )?;
    if grow && stored(&row) {
        // A grow that fails for good leaves the file's size unknown: the
        // drive is marked failed rather than shown as grown.
        let plan = Plan::new()
            .then(Step::EnsureDrive {
                drive: row.id.clone(),
            })
            .then(Step::DriveReady {
                drive: row.id.clone(),
            })
            .on_unwind(Step::DriveFailed {
                drive: row.id.clone(),
            });
        let id = super::plans::insert(conn, ctx, PlanKind::DriveGrow, &row.id, &plan)?;
        return Ok(Launched::with(row, id));
    }
    Ok(Launched::now(row))
}

pub fn drive_delete(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
) -> ApiResult<Launched<()>> {
    let mut row = lookup_drive(conn, &ctx.actor, sel, scope)?;
    if row.instance_id.is_some() {
        return Err(ApiError::conflict(
            "in_use",
            format!(
                "drive \"{}\" is attached to an instance; detach it first",
                row.name
            ),
        ));
    }
    refuse_with_snapshots(conn, &row)?;
    record_event(
        conn,
        ctx,
        "delete",
        subject("drive", &row.id, &row.name, &row.account_id),
    )?;
    if !stored(&row) {
        diesel::delete(drives::table.find(&row.id)).execute(conn)?;
        return Ok(Launched::now(()));
    }
    row.state = DriveState::Deleting;
    save_row!(conn, drives, row)?;
    // The export and the file go first; the record goes once they are gone.
    let plan = Plan::new()
        .then(Step::RemoveDrive {
            drive: row.id.clone(),
        })
        .then(Step::ForgetDrive {
            drive: row.id.clone(),
        })
        .on_unwind(Step::DriveFailed {
            drive: row.id.clone(),
        });
    let id = super::plans::insert(conn, ctx, PlanKind::DriveDelete, &row.id, &plan)?;
    Ok(Launched::with((), id))
}

/// A drive with snapshots is not deleted: they live in its image, and go
/// first (409 naming them).
pub fn refuse_with_snapshots(conn: &mut DbConn, row: &DriveRow) -> ApiResult<()> {
    let names = super::snapshots::of_drive(conn, &row.id)?;
    if names.is_empty() {
        return Ok(());
    }
    Err(ApiError::conflict(
        "has_snapshots",
        format!(
            "drive \"{}\" has snapshots ({}); delete them first",
            row.name,
            names.join(", ")
        ),
    ))
}

/// The drives' views, their snapshots' sizes counted in.
pub fn views(
    conn: &mut DbConn,
    rows: Vec<DriveRow>,
) -> ApiResult<Vec<overcast_types::views::Drive>> {
    let ids: Vec<DriveId> = rows
        .iter()
        .filter(|r| r.storage_class == StorageClass::Replicated)
        .map(|r| r.id.clone())
        .collect();
    let sizes = if ids.is_empty() {
        Default::default()
    } else {
        super::snapshots::sizes(conn, &ids)?
    };
    Ok(views_sized(rows, &sizes))
}

/// Whether any of these drives can have snapshots: only replicated drives
/// do (a local one's are refused), so the views of local drives need no
/// read.
pub fn have_snapshots(rows: &[DriveRow]) -> bool {
    rows.iter()
        .any(|r| r.storage_class == StorageClass::Replicated)
}

/// The drives' views, given the size of each one's snapshots.
pub fn views_sized(
    rows: Vec<DriveRow>,
    sizes: &std::collections::HashMap<DriveId, u64>,
) -> Vec<overcast_types::views::Drive> {
    rows.into_iter()
        .map(|row| {
            let snapshots = sizes.get(&row.id).copied().unwrap_or(0);
            let mut view = overcast_types::views::Drive::from(row);
            view.snapshots_size_bytes = snapshots;
            view.total_size_bytes = view.size_bytes + snapshots;
            view
        })
        .collect()
}

/// Whether the drive's data is kept anywhere: on its host, or in Ceph.
pub fn stored(row: &DriveRow) -> bool {
    row.host_id.is_some() || row.storage_class == StorageClass::Replicated
}

/// A fresh CHAP user and secret for a drive's target: 24 random
/// alphanumerics (about 143 bits), and a user name that changes with it.
pub fn new_chap() -> (String, String) {
    use rand::Rng;
    let pick = |n: usize| -> String {
        rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(n)
            .map(char::from)
            .collect()
    };
    (format!("oc-{}", pick(12).to_lowercase()), pick(24))
}

/// Give its CHAP credentials to every drive that has none (made before
/// targets used CHAP); the next export of each carries them.
pub fn backfill_chap(conn: &mut DbConn) -> ApiResult<usize> {
    let ids: Vec<DriveId> = drives::table
        .filter(drives::chap_secret.eq(""))
        .select(drives::id)
        .load(conn)?;
    for id in &ids {
        rotate_chap(conn, id)?;
    }
    Ok(ids.len())
}

/// Renew a drive's CHAP credentials. Its serving host remakes the target
/// with them at the next export, which also drops every session the old
/// ones opened: part of the fence of a lost host.
pub fn rotate_chap(conn: &mut DbConn, drive: &DriveId) -> ApiResult<()> {
    let (user, secret) = new_chap();
    // A new generation: a command built with the old credentials is stale.
    diesel::update(drives::table.find(drive))
        .set((
            drives::chap_user.eq(user),
            drives::chap_secret.eq(secret),
            drives::generation.eq(drives::generation + 1),
            drives::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A replicated drive as its health needs it: id, copies and size.
pub type ReplicatedDrive = (DriveId, i32, i64);

/// Replicated drives by number of copies (each number is one pool), and
/// those in a pool of `unhealthy` copies, by id.
pub fn replicated_by_pool(
    conn: &mut DbConn,
    unhealthy: &[i32],
) -> ApiResult<(HashMap<i32, u64>, Vec<ReplicatedDrive>)> {
    let counts: Vec<(i32, i64)> = drives::table
        .filter(drives::storage_class.eq(StorageClass::Replicated))
        .group_by(drives::replicas)
        .select((drives::replicas, diesel::dsl::count_star()))
        .load(conn)?;
    let in_unhealthy = drives::table
        .filter(drives::storage_class.eq(StorageClass::Replicated))
        .filter(drives::replicas.eq_any(unhealthy))
        .order(drives::id.asc())
        .select((drives::id, drives::replicas, drives::size_bytes))
        .load(conn)?;
    Ok((
        counts.into_iter().map(|(r, n)| (r, n as u64)).collect(),
        in_unhealthy,
    ))
}
