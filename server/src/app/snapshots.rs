//! Snapshots of replicated drives, rolling a drive back to one, and images
//! made from one. Each is an RBD snapshot of the drive's image
//! (`<pool>/drive-<id>@snap-<snapshot id>`), so a `local` drive, a file on
//! one host, has none: asking for one is a 409 naming the class.

use diesel::prelude::*;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, list_by_name, now_micros, save_row};
use overcast_types::ids::*;
use overcast_types::params::{DriveRollback, SnapshotCreate, SnapshotImageCreate, StorageClass};
use overcast_types::states::{DriveState, InstanceState, SnapshotState};
use overcast_types::{ApiError, ApiResult, NameOrId, Page, PageRequest};

use super::plans::{Plan, PlanKind, Step};
use super::{
    Ctx, Launched, ProjectScope, in_project, project_of, project_scoped_lookup, record_event,
    subject, validate_description, validate_name,
};

project_scoped_lookup!(
    lookup_snapshot,
    fetch_snapshot,
    snapshots,
    SnapshotRow,
    "snapshot"
);

list_by_name!(
    list_snapshots_in,
    snapshots,
    SnapshotRow,
    project_id,
    ProjectId
);

/// A snapshot that is not `available` (being made or deleted, or failed)
/// cannot be used: 409 saying which state it is in.
fn available(snapshot: &SnapshotRow) -> ApiResult<()> {
    if snapshot.state == SnapshotState::Available {
        return Ok(());
    }
    Err(ApiError::conflict(
        "invalid_state",
        format!(
            "snapshot \"{}\" is {}",
            snapshot.name,
            snapshot.state.as_str()
        ),
    ))
}

/// The 409 for asking a `local` drive for what only RBD gives.
fn local_unsupported(drive: &DriveRow, what: &str) -> ApiError {
    ApiError::conflict(
        "storage_class_unsupported",
        format!(
            "drive \"{}\" is storage_class `local` (a file on one host): {what} needs a \
             `replicated` drive",
            drive.name
        ),
    )
}

pub fn snapshot_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    scope: &ProjectScope,
    p: SnapshotCreate,
) -> ApiResult<Launched<SnapshotRow>> {
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    let project = project_of(conn, &ctx.actor, scope)?;
    let selector = NameOrId::parse("drive", &p.drive)?;
    let drive = super::drives::lookup_drive(conn, &ctx.actor, &selector, &in_project(&project))
        .map_err(|e| e.with_field("drive"))?;
    if drive.storage_class == StorageClass::Local {
        return Err(local_unsupported(&drive, "a snapshot").with_field("drive"));
    }
    if !drive.state.is_ready() {
        return Err(ApiError::conflict(
            "invalid_state",
            format!(
                "drive \"{}\" is {}; snapshots are taken of available or attached drives",
                drive.name,
                drive.state.as_str()
            ),
        )
        .with_field("drive"));
    }
    let now = now_micros();
    let row = SnapshotRow {
        id: SnapshotId::new(),
        project_id: project.id.clone(),
        account_id: project.account_id.clone(),
        drive_id: drive.id.clone(),
        name: p.name,
        description: p.description,
        size_bytes: drive.size_bytes,
        state: SnapshotState::Creating,
        time_created: now,
        time_modified: now,
        generation: 1,
    };
    diesel::insert_into(snapshots::table)
        .values(&row)
        .execute(conn)?;
    record_event(
        conn,
        ctx,
        "create",
        subject("snapshot", &row.id, &row.name, &row.account_id),
    )?;
    let id = row.id.clone();
    let plan = Plan::new()
        .then_undoable(
            Step::EnsureSnapshot {
                snapshot: id.clone(),
            },
            Step::RemoveSnapshot {
                snapshot: id.clone(),
            },
        )
        .then(Step::SnapshotReady {
            snapshot: id.clone(),
        })
        .on_unwind(Step::SnapshotFailed {
            snapshot: id.clone(),
        });
    let workflow = super::plans::insert(conn, ctx, PlanKind::SnapshotCreate, &id, &plan)?;
    Ok(Launched::with(row, workflow))
}

pub fn snapshot_list(
    conn: &mut DbConn,
    ctx: &Ctx,
    scope: &ProjectScope,
    page: &PageRequest,
) -> ApiResult<Page<SnapshotRow>> {
    let project = project_of(conn, &ctx.actor, scope)?;
    list_snapshots_in(conn, &project.id, page)
}

pub fn snapshot_delete(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
) -> ApiResult<Launched<()>> {
    let mut row = lookup_snapshot(conn, &ctx.actor, sel, scope)?;
    let copying: Vec<String> = drives::table
        .filter(drives::snapshot_id.eq(&row.id))
        .filter(drives::state.eq(DriveState::Creating))
        .select(drives::name)
        .load(conn)?;
    if !copying.is_empty() {
        return Err(ApiError::conflict(
            "in_use",
            format!(
                "drive(s) {} are being made from snapshot \"{}\"; retry once they are available",
                copying.join(", "),
                row.name
            ),
        ));
    }
    let rolling: i64 = workflows::table
        .filter(workflows::state.eq(overcast_types::states::WorkflowState::Running))
        .filter(workflows::subject_id.eq(row.drive_id.as_str()))
        .filter(workflows::kind.eq(PlanKind::DriveRollback.as_str()))
        .count()
        .get_result(conn)?;
    if rolling > 0 {
        return Err(ApiError::conflict(
            "busy",
            "its drive is being rolled back; retry when that ends",
        ));
    }
    record_event(
        conn,
        ctx,
        "delete",
        subject("snapshot", &row.id, &row.name, &row.account_id),
    )?;
    row.state = SnapshotState::Deleting;
    save_row!(conn, snapshots, row)?;
    // Images made from it get their own copy first: they outlive it.
    let images_from: Vec<ImageId> = images::table
        .filter(images::snapshot_id.eq(&row.id))
        .select(images::id)
        .load(conn)?;
    let mut plan = Plan::new();
    for image in images_from {
        plan = plan.then(Step::EnsureImageBase { image });
    }
    let plan = plan
        .then(Step::RemoveSnapshot {
            snapshot: row.id.clone(),
        })
        .then(Step::ForgetSnapshot {
            snapshot: row.id.clone(),
        })
        .on_unwind(Step::SnapshotFailed {
            snapshot: row.id.clone(),
        });
    let workflow = super::plans::insert(conn, ctx, PlanKind::SnapshotDelete, &row.id, &plan)?;
    Ok(Launched::with((), workflow))
}

/// Roll a drive back to one of its snapshots: the drive must be detached,
/// or attached to a stopped instance (nothing may have it open). It is
/// `restoring` meanwhile, and its instance cannot start.
pub fn drive_rollback(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
    p: DriveRollback,
) -> ApiResult<Launched<DriveRow>> {
    let mut drive = super::drives::lookup_drive(conn, &ctx.actor, sel, scope)?;
    if drive.storage_class == StorageClass::Local {
        return Err(local_unsupported(&drive, "a rollback"));
    }
    let selector = NameOrId::parse("snapshot", &p.snapshot)?;
    let project = project_of(
        conn,
        &ctx.actor,
        &ProjectScope {
            project: Some(NameOrId::id(&drive.project_id)),
            account: None,
        },
    )?;
    let snapshot = lookup_snapshot(conn, &ctx.actor, &selector, &in_project(&project))
        .map_err(|e| e.with_field("snapshot"))?;
    if snapshot.drive_id != drive.id {
        return Err(ApiError::invalid(
            "snapshot",
            format!(
                "snapshot \"{}\" is not a snapshot of drive \"{}\"",
                snapshot.name, drive.name
            ),
        ));
    }
    available(&snapshot).map_err(|e| e.with_field("snapshot"))?;
    if let Some(instance) = &drive.instance_id {
        let (name, state): (String, InstanceState) = instances::table
            .find(instance)
            .select((instances::name, instances::state))
            .first(conn)?;
        if state != InstanceState::Stopped {
            return Err(ApiError::conflict(
                "invalid_state",
                format!(
                    "drive \"{}\" is attached to instance \"{name}\", which is {}; stop it first",
                    drive.name,
                    state.as_str()
                ),
            ));
        }
    } else if drive.state != DriveState::Available {
        return Err(ApiError::conflict(
            "invalid_state",
            format!("drive \"{}\" is {}", drive.name, drive.state.as_str()),
        ));
    }
    drive.state = DriveState::Restoring;
    save_row!(conn, drives, drive)?;
    record_event(
        conn,
        ctx,
        "rollback",
        subject("drive", &drive.id, &drive.name, &drive.account_id),
    )?;
    // A rollback cut short leaves the drive's data unknown: it is marked
    // failed rather than shown as either version.
    let plan = Plan::new()
        .then(Step::RollbackDrive {
            drive: drive.id.clone(),
            snapshot: snapshot.id.clone(),
        })
        // RBD takes the image back to the snapshot's size; a drive grown
        // since grows again (never shrinks), the new space reading zeroes.
        .then(Step::EnsureDrive {
            drive: drive.id.clone(),
        })
        .then(Step::DriveReady {
            drive: drive.id.clone(),
        })
        .on_unwind(Step::DriveFailed {
            drive: drive.id.clone(),
        });
    let workflow = super::plans::insert(conn, ctx, PlanKind::DriveRollback, &drive.id, &plan)?;
    Ok(Launched::with(drive, workflow))
}

/// Make an image of the account from a snapshot of a drive that was made
/// from an image: it boots as that image does (its kernel, OS family and
/// boot mode) from the snapshot's data. Its base is copied from the
/// snapshot when the first drive is made from it, or when the snapshot is
/// deleted, whichever comes first.
pub fn snapshot_image_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
    p: SnapshotImageCreate,
) -> ApiResult<ImageRow> {
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    let snapshot = lookup_snapshot(conn, &ctx.actor, sel, scope)?;
    available(&snapshot)?;
    let drive: DriveRow = drives::table
        .find(&snapshot.drive_id)
        .select(DriveRow::as_select())
        .first(conn)?;
    let Some(parent) = &drive.image_id else {
        return Err(ApiError::unprocessable(
            "not_bootable",
            format!(
                "drive \"{}\" was not made from an image, so nothing says how to boot an \
                 image of it",
                drive.name
            ),
        ));
    };
    let parent: ImageRow = images::table
        .find(parent)
        .select(ImageRow::as_select())
        .first(conn)?;
    let scope_name = snapshot.account_id.to_string();
    let now = now_micros();
    let row = ImageRow {
        id: ImageId::new(),
        scope: scope_name,
        name: p.name,
        description: p.description,
        os_family: parent.os_family,
        architecture: parent.architecture,
        boot_mode: parent.boot_mode,
        min_size_bytes: snapshot.size_bytes,
        // The bundle it boots with (kernel, initrd, command line).
        source_url: parent.source_url,
        time_created: now,
        time_modified: now,
        generation: 1,
        snapshot_id: Some(snapshot.id.clone()),
    };
    diesel::insert_into(images::table)
        .values(&row)
        .execute(conn)?;
    record_event(
        conn,
        ctx,
        "create",
        super::Subject {
            resource_type: "image",
            id: &row.id,
            name: &row.name,
            account_id: Some(snapshot.account_id.clone()),
            partner_id: None,
        },
    )?;
    Ok(row)
}

/// The snapshot a new drive's data is copied from: available, in the
/// project, and the new drive replicated and at least its size.
pub fn source_snapshot(
    conn: &mut DbConn,
    ctx: &Ctx,
    project: &ProjectRow,
    selector: &NameOrId,
    (class, size_bytes): (StorageClass, u64),
) -> ApiResult<SnapshotRow> {
    let snapshot = lookup_snapshot(conn, &ctx.actor, selector, &in_project(project))
        .map_err(|e| e.with_field("snapshot"))?;
    if class == StorageClass::Local {
        return Err(ApiError::conflict(
            "storage_class_unsupported",
            "a drive made from a snapshot is kept in Ceph beside it: ask for storage_class \
             `replicated`",
        )
        .with_field("storage_class"));
    }
    available(&snapshot).map_err(|e| e.with_field("snapshot"))?;
    if (size_bytes as i64) < snapshot.size_bytes {
        return Err(ApiError::invalid(
            "size_bytes",
            format!(
                "snapshot \"{}\" needs at least {} bytes",
                snapshot.name, snapshot.size_bytes
            ),
        ));
    }
    Ok(snapshot)
}

/// The sum of each drive's snapshots' sizes, for the drives given.
pub fn sizes(
    conn: &mut DbConn,
    drives: &[DriveId],
) -> ApiResult<std::collections::HashMap<DriveId, u64>> {
    let rows: Vec<(DriveId, i64)> = snapshots::table
        .filter(snapshots::drive_id.eq_any(drives))
        .select((snapshots::drive_id, snapshots::size_bytes))
        .load(conn)?;
    let mut out = std::collections::HashMap::new();
    for (drive, size) in rows {
        *out.entry(drive).or_insert(0) += size as u64;
    }
    Ok(out)
}

/// The names of a drive's snapshots (they must go before it does).
pub fn of_drive(conn: &mut DbConn, drive: &DriveId) -> ApiResult<Vec<String>> {
    Ok(snapshots::table
        .filter(snapshots::drive_id.eq(drive))
        .order(snapshots::name.asc())
        .select(snapshots::name)
        .load(conn)?)
}
