//! Drives and IP addresses: allocated on their own, composed into instances later.

use std::collections::HashSet;
use std::net::Ipv4Addr;

use diesel::prelude::*;

use super::Launched;
use super::infra::{MAX_BYTES, image_get, lookup_ip_pool};
use super::{
    Actor, Ctx, NameOrId, Page, PageRequest, ProjectScope, Subject, check_generation, list_by_name,
    project_scoped_lookup, record_event, resolve_project, save_row, to_json_list,
    validate_description, validate_name,
};
use crate::db::models::*;
use crate::db::schema::*;
use crate::db::{DbConn, new_id, now_micros};
use crate::error::{ApiError, ApiResult};
use crate::params::{DriveCreate, DriveUpdate, IdentityUpdate, IpAddressCreate};
use crate::views::{DriveState, enum_str};
use crate::workflow::{self, Plan, Step};

project_scoped_lookup!(lookup_drive, drives, DriveRow, "drive");
project_scoped_lookup!(lookup_ip_address, ip_addresses, IpAddressRow, "IP address");
list_by_name!(list_drives_in, drives, DriveRow, project_id);
list_by_name!(list_ip_addresses_in, ip_addresses, IpAddressRow, project_id);

pub const MIB: u64 = 1 << 20;

/// Drive sizes are whole MiB, from 1 MiB to 64 TiB.
pub fn validate_size(field: &str, size: u64) -> ApiResult<()> {
    if !(MIB..=MAX_BYTES).contains(&size) || !size.is_multiple_of(MIB) {
        return Err(ApiError::invalid(
            field,
            format!("must be a multiple of 1 MiB between 1 MiB and 64 TiB, not {size}"),
        ));
    }
    Ok(())
}

pub fn subject<'a>(
    resource_type: &'static str,
    id: &'a str,
    name: &'a str,
    account_id: &'a str,
) -> Subject<'a> {
    Subject {
        resource_type,
        id,
        name,
        account_id: Some(account_id),
        partner_id: None,
    }
}

/// Resolve a list of selectors to ids inside one project; `field` names the
/// list in errors (`avoid_drives[2]`).
pub fn resolve_ids_in_project<F>(
    conn: &mut DbConn,
    field: &str,
    selectors: &[String],
    mut lookup: F,
) -> ApiResult<Vec<String>>
where
    F: FnMut(&mut DbConn, &NameOrId) -> ApiResult<String>,
{
    if selectors.len() > 64 {
        return Err(ApiError::invalid(field, "at most 64 entries"));
    }
    let mut ids = Vec::with_capacity(selectors.len());
    for (i, sel) in selectors.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let parsed = NameOrId::parse(&at, sel)?;
        let id = lookup(conn, &parsed).map_err(|e| e.with_field(at.clone()))?;
        if ids.contains(&id) {
            return Err(ApiError::invalid(at, "listed twice"));
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Scope that names things inside one known project.
pub fn in_project(project: &ProjectRow) -> ProjectScope {
    ProjectScope {
        project: Some(NameOrId::Id(project.id.clone())),
        account: None,
    }
}

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
    replicas: u8,
    avoid_drives: Vec<String>,
    avoid_instances: Vec<String>,
    prefer_host: Option<&str>,
) -> ApiResult<DriveRow> {
    validate_name("name", &name)?;
    validate_description(&description)?;
    validate_size("size_bytes", size_bytes)?;
    if !(1..=3).contains(&replicas) {
        return Err(ApiError::invalid("replicas", "must be 1, 2 or 3"));
    }
    let image_id = match image {
        None => None,
        Some(sel) => {
            let account = NameOrId::Id(project.account_id.clone());
            let image = image_get(conn, &ctx.actor, sel, Some(&account))
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
            Some(image.id)
        }
    };
    let host = super::fleet::place_drive(
        conn,
        ctx.placement,
        size_bytes as i64,
        &avoid_drives,
        &avoid_instances,
        prefer_host,
    )?;
    let now = now_micros();
    let row = DriveRow {
        id: new_id(),
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
        state: enum_str(&DriveState::Creating),
        instance_id: None,
        slot: None,
        time_created: now,
        time_modified: now,
        generation: 1,
        host_id: Some(host),
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
            Ok(super::compute::lookup_instance(c, &actor, s, &inside)?.id)
        })?;
    let image = p
        .image
        .as_deref()
        .map(|s| NameOrId::parse("image", s))
        .transpose()?;
    let row = insert_drive(
        conn,
        ctx,
        &project,
        p.name,
        p.description,
        p.size_bytes,
        image.as_ref(),
        p.replicas,
        avoid_drives,
        avoid_instances,
        None,
    )?;
    let plan = make_drive_plan(&row.id);
    let id = workflow::insert(conn, "drive_create", &row.id, &plan)?;
    Ok(Launched::with(row, id))
}

/// Make (or grow) the drive on its host; undone by removing it there.
fn make_drive_plan(drive: &str) -> Plan {
    let drive = drive.to_string();
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

/// The project a create or list addresses (`?project=` is required).
pub fn project_of(conn: &mut DbConn, actor: &Actor, scope: &ProjectScope) -> ApiResult<ProjectRow> {
    let Some(project) = &scope.project else {
        return Err(ApiError::invalid("project", "?project= is required"));
    };
    resolve_project(conn, actor, project, scope.account.as_ref())
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
    super::tenancy::apply_identity(
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
        if row.state == enum_str(&DriveState::Deleting) {
            return Err(ApiError::conflict(
                "invalid_state",
                "the drive is being deleted",
            ));
        }
        grow = size as i64 > row.size_bytes;
        row.size_bytes = size as i64;
    }
    save_row!(conn, drives, row)?;
    record_event(
        conn,
        ctx,
        "update",
        subject("drive", &row.id, &row.name, &row.account_id),
    )?;
    if grow && row.host_id.is_some() {
        let plan = Plan::new()
            .then(Step::EnsureDrive {
                drive: row.id.clone(),
            })
            .then(Step::DriveReady {
                drive: row.id.clone(),
            });
        let id = workflow::insert(conn, "drive_grow", &row.id, &plan)?;
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
    record_event(
        conn,
        ctx,
        "delete",
        subject("drive", &row.id, &row.name, &row.account_id),
    )?;
    if row.host_id.is_none() {
        diesel::delete(drives::table.find(&row.id)).execute(conn)?;
        return Ok(Launched::now(()));
    }
    row.state = enum_str(&DriveState::Deleting);
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
    let id = workflow::insert(conn, "drive_delete", &row.id, &plan)?;
    Ok(Launched::with((), id))
}

/// The lowest free address of a pool, or `None` when it is full.
pub fn first_free_address(pool: &IpPoolRow, taken: &HashSet<String>) -> Option<Ipv4Addr> {
    let first = u32::from(pool.first_address.parse::<Ipv4Addr>().ok()?);
    let last = u32::from(pool.last_address.parse::<Ipv4Addr>().ok()?);
    (first..=last)
        .map(Ipv4Addr::from)
        .find(|a| !taken.contains(&a.to_string()))
}

pub fn ip_address_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    scope: &ProjectScope,
    p: IpAddressCreate,
) -> ApiResult<IpAddressRow> {
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    let project = project_of(conn, &ctx.actor, scope)?;
    let pool = lookup_ip_pool(conn, &NameOrId::parse("pool", &p.pool)?)
        .map_err(|e| e.with_field("pool"))?;
    // A no-op write on the pool row: on PostgreSQL it locks the row, so
    // allocators of one pool take turns and never pick the same address.
    diesel::update(ip_pools::table.find(&pool.id))
        .set(ip_pools::generation.eq(ip_pools::generation))
        .execute(conn)?;
    let taken: HashSet<String> = ip_addresses::table
        .filter(ip_addresses::pool_id.eq(&pool.id))
        .select(ip_addresses::address)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let Some(address) = first_free_address(&pool, &taken) else {
        return Err(ApiError::new(
            axum::http::StatusCode::INSUFFICIENT_STORAGE,
            "pool_exhausted",
            format!("IP pool \"{}\" has no free address", pool.name),
        ));
    };
    let now = now_micros();
    let row = IpAddressRow {
        id: new_id(),
        project_id: project.id,
        account_id: project.account_id,
        pool_id: pool.id,
        name: p.name,
        description: p.description,
        address: address.to_string(),
        instance_id: None,
        time_created: now,
        time_modified: now,
        generation: 1,
    };
    diesel::insert_into(ip_addresses::table)
        .values(&row)
        .execute(conn)?;
    record_event(
        conn,
        ctx,
        "allocate",
        subject("ip_address", &row.id, &row.name, &row.account_id),
    )?;
    Ok(row)
}

pub fn ip_address_list(
    conn: &mut DbConn,
    actor: &Actor,
    scope: &ProjectScope,
    page: &PageRequest,
) -> ApiResult<Page<IpAddressRow>> {
    let project = project_of(conn, actor, scope)?;
    list_ip_addresses_in(conn, &project.id, page)
}

pub fn ip_address_update(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
    p: IdentityUpdate,
    if_match: Option<i64>,
) -> ApiResult<IpAddressRow> {
    let mut row = lookup_ip_address(conn, &ctx.actor, sel, scope)?;
    check_generation(if_match, row.generation)?;
    super::tenancy::apply_identity(&mut row.name, &mut row.description, p)?;
    save_row!(conn, ip_addresses, row)?;
    record_event(
        conn,
        ctx,
        "update",
        subject("ip_address", &row.id, &row.name, &row.account_id),
    )?;
    Ok(row)
}

pub fn ip_address_release(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
) -> ApiResult<()> {
    let row = lookup_ip_address(conn, &ctx.actor, sel, scope)?;
    if row.instance_id.is_some() {
        return Err(ApiError::conflict(
            "in_use",
            format!(
                "IP address \"{}\" is attached to an instance; detach it first",
                row.name
            ),
        ));
    }
    diesel::delete(ip_addresses::table.find(&row.id)).execute(conn)?;
    record_event(
        conn,
        ctx,
        "release",
        subject("ip_address", &row.id, &row.name, &row.account_id),
    )?;
    Ok(())
}
