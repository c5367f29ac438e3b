//! Instances: composition from drives and IPs, the quick form, and the
//! lifecycle state machine.

use std::collections::HashMap;

use diesel::prelude::*;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, list_by_name, now_micros, save_row, to_json_list};
use overcast_types::ids::*;
use overcast_types::params::{
    DriveAttachment, InstanceCreate, InstanceResize, InstanceUpdate, IpAttachment,
};
use overcast_types::states::{DriveState, InstanceState};
use overcast_types::{ApiError, ApiResult, NameOrId, Page, PageRequest};

use super::drives::{insert_drive, lookup_drive};
use super::ips::lookup_ip_address;
use super::plans::{Plan, PlanKind, Step};
use super::tenancy::lookup_ssh_key;
use super::{
    Actor, Ctx, Launched, ProjectScope, apply_identity, check_generation, in_project, project_of,
    project_scoped_lookup, record_event, resolve_ids_in_project, subject, validate_name,
    validate_size,
};

project_scoped_lookup!(
    lookup_instance,
    fetch_instance,
    instances,
    InstanceRow,
    "instance"
);

list_by_name!(
    list_instances_in,
    instances,
    InstanceRow,
    project_id,
    ProjectId
);

pub const MAX_USER_DATA: usize = 64 * 1024;

pub const MAX_DRIVES: usize = 16;

/// An instance with the drives (by slot) and IP addresses composed into it.
pub struct InstanceParts {
    pub row: InstanceRow,
    pub drive_ids: Vec<DriveId>,
    pub ip_ids: Vec<IpAddressId>,
}

/// Something a client asks an instance to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Stop,
    Reboot,
    /// Resize, attach and detach: allowed only while stopped.
    Reconfigure,
    Delete,
}

impl Action {
    /// The workflow an action records (reconfigurations record none).
    fn plan_kind(self) -> PlanKind {
        match self {
            Action::Start => PlanKind::InstanceStart,
            Action::Stop => PlanKind::InstanceStop,
            Action::Delete => PlanKind::InstanceDelete,
            Action::Reboot => PlanKind::InstanceReboot,
            Action::Reconfigure => PlanKind::InstanceResize,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Reboot => "reboot",
            Action::Reconfigure => "reconfigure",
            Action::Delete => "delete",
        }
    }
}

/// The state an action moves an instance to, or why it cannot. `placed`
/// says whether a host holds the instance: one that no host holds has
/// nothing to stop, so stopping it completes at once.
pub fn transition(
    state: InstanceState,
    action: Action,
    placed: bool,
) -> Result<InstanceState, String> {
    use InstanceState::*;
    let next = match (action, state) {
        (Action::Start, Stopped | Failed) => Some(Starting),
        (Action::Stop, Running | Starting | Rebooting) if placed => Some(Stopping),
        (Action::Stop, Starting | Failed) if !placed => Some(Stopped),
        (Action::Reboot, Running) => Some(Rebooting),
        (Action::Reconfigure, Stopped) => Some(Stopped),
        (Action::Delete, Stopped | Failed) => Some(Deleting),
        _ => None,
    };
    next.ok_or_else(|| format!("cannot {} an instance that is {}", action.verb(), state))
}

fn apply(row: &mut InstanceRow, action: Action) -> ApiResult<()> {
    let next = transition(row.state, action, row.host_id.is_some())
        .map_err(|m| ApiError::conflict("invalid_state", m))?;
    row.state = next;
    Ok(())
}

/// Load the drives and IPs composed into each of `rows`, in two queries.
pub fn with_parts(conn: &mut DbConn, rows: Vec<InstanceRow>) -> ApiResult<Vec<InstanceParts>> {
    let ids: Vec<InstanceId> = rows.iter().map(|r| r.id.clone()).collect();
    let drives = attached_drives(&ids).load(conn)?;
    let ips = attached_ips(&ids).load(conn)?;
    Ok(assemble(rows, drives, ips))
}

/// The drives attached to these instances, in slot order.
#[diesel::dsl::auto_type(no_type_alias)]
fn attached_drives<'a>(ids: &'a [InstanceId]) -> _ {
    drives::table
        .filter(drives::instance_id.eq_any(ids))
        .order((drives::instance_id.asc(), drives::slot.asc()))
        .select((drives::instance_id, drives::id))
}

/// The addresses attached to these instances, in address order.
#[diesel::dsl::auto_type(no_type_alias)]
fn attached_ips<'a>(ids: &'a [InstanceId]) -> _ {
    ip_addresses::table
        .filter(ip_addresses::instance_id.eq_any(ids))
        .order((ip_addresses::instance_id.asc(), ip_addresses::address.asc()))
        .select((ip_addresses::instance_id, ip_addresses::id))
}

/// Each instance with the drives and addresses attached to it.
fn assemble(
    rows: Vec<InstanceRow>,
    drives: Vec<(Option<InstanceId>, DriveId)>,
    ips: Vec<(Option<InstanceId>, IpAddressId)>,
) -> Vec<InstanceParts> {
    let (mut drive_map, mut ip_map) = (by_instance(drives), by_instance(ips));
    rows.into_iter()
        .map(|row| InstanceParts {
            drive_ids: drive_map.remove(&row.id).unwrap_or_default(),
            ip_ids: ip_map.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect()
}

/// (instance, item) pairs as each instance's items, in the pairs' order.
fn by_instance<T>(pairs: Vec<(Option<InstanceId>, T)>) -> HashMap<InstanceId, Vec<T>> {
    let mut map: HashMap<InstanceId, Vec<T>> = HashMap::new();
    for (instance, item) in pairs {
        if let Some(instance) = instance {
            map.entry(instance).or_default().push(item);
        }
    }
    map
}

fn one_with_parts(conn: &mut DbConn, row: InstanceRow) -> ApiResult<InstanceParts> {
    Ok(only(with_parts(conn, vec![row])?))
}

/// The parts of the one instance they were made for.
fn only(mut parts: Vec<InstanceParts>) -> InstanceParts {
    parts.pop().expect("one row in, one out")
}

/// An instance with its parts on one of PostgreSQL's pipelined reads: the
/// row, then its drives and addresses sent together (`None` when the
/// blocking `instance_get` must answer, as for the generated lookups).
pub async fn fetch_instance_parts(
    conn: &diesel_async::AsyncPgConnection,
    actor: &Actor,
    sel: &NameOrId,
    scope: &ProjectScope,
) -> QueryResult<Option<ApiResult<InstanceParts>>> {
    let row = match fetch_instance(conn, actor, sel, scope).await? {
        Some(Ok(row)) => row,
        Some(Err(e)) => return Ok(Some(Err(e))),
        None => return Ok(None),
    };
    let ids = [row.id.clone()];
    let (mut for_drives, mut for_ips) = (conn, conn);
    let (drives, ips) = futures::try_join!(
        diesel_async::RunQueryDsl::load(attached_drives(&ids), &mut for_drives),
        diesel_async::RunQueryDsl::load(attached_ips(&ids), &mut for_ips),
    )?;
    Ok(Some(Ok(only(assemble(vec![row], drives, ips)))))
}

fn validate_shape(vcpus: Option<u32>, memory_mib: Option<u64>) -> ApiResult<()> {
    if let Some(v) = vcpus
        && !(1..=64).contains(&v)
    {
        return Err(ApiError::invalid("vcpus", "must be between 1 and 64"));
    }
    if let Some(m) = memory_mib
        && !(128..=1_048_576).contains(&m)
    {
        return Err(ApiError::invalid(
            "memory_mib",
            "must be between 128 MiB and 1 TiB (1048576 MiB)",
        ));
    }
    Ok(())
}

/// Attach a drive row to an instance at a slot.
fn attach_drive_row(
    conn: &mut DbConn,
    drive: &mut DriveRow,
    instance_id: &InstanceId,
    slot: i32,
) -> ApiResult<()> {
    let usable = [DriveState::Available, DriveState::Creating].map(|s| s);
    if drive.instance_id.is_some() || !usable.contains(&drive.state) {
        return Err(ApiError::conflict(
            "in_use",
            format!(
                "drive \"{}\" is not available (it is {})",
                drive.name, drive.state
            ),
        ));
    }
    drive.instance_id = Some(instance_id.clone());
    drive.slot = Some(slot);
    if drive.state == DriveState::Available {
        drive.state = DriveState::Attached;
    }
    save_row!(conn, drives, *drive)
}

fn attach_ip_row(
    conn: &mut DbConn,
    ip: &mut IpAddressRow,
    instance_id: &InstanceId,
) -> ApiResult<()> {
    if ip.instance_id.is_some() {
        return Err(ApiError::conflict(
            "in_use",
            format!("IP address \"{}\" is attached to another instance", ip.name),
        ));
    }
    ip.instance_id = Some(instance_id.clone());
    save_row!(conn, ip_addresses, *ip)
}

pub fn instance_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    scope: &ProjectScope,
    p: InstanceCreate,
) -> ApiResult<Launched<InstanceParts>> {
    validate_name("name", &p.name)?;
    super::validate_description(&p.description)?;
    validate_shape(Some(p.vcpus), Some(p.memory_mib))?;
    if p.user_data.len() > MAX_USER_DATA {
        return Err(ApiError::invalid("user_data", "at most 64 KiB"));
    }
    if p.drives.len() + 1 > MAX_DRIVES {
        return Err(ApiError::invalid(
            "drives",
            format!("an instance has at most {MAX_DRIVES} drives"),
        ));
    }
    if let Some(size) = p.boot_drive_size_bytes {
        validate_size("boot_drive_size_bytes", size)?;
    }
    let project = project_of(conn, &ctx.actor, scope)?;
    let inside = in_project(&project);
    let actor = ctx.actor.clone();
    let account = NameOrId::id(&project.account_id);
    let ssh_key_ids = resolve_ids_in_project(conn, "ssh_keys", &p.ssh_keys, |c, s| {
        Ok(lookup_ssh_key(c, &actor, s, Some(&account))?.id)
    })?;
    let avoid_instances =
        resolve_ids_in_project(conn, "avoid_instances", &p.avoid_instances, |c, s| {
            Ok(lookup_instance(c, &actor, s, &inside)?.id)
        })?;
    let mut extra_drives = Vec::new();
    for (i, sel) in p.drives.iter().enumerate() {
        let at = format!("drives[{i}]");
        let drive = lookup_drive(conn, &actor, &NameOrId::parse(&at, sel)?, &inside)
            .map_err(|e| e.with_field(at))?;
        extra_drives.push(drive);
    }
    let mut ips = Vec::new();
    for (i, sel) in p.ip_addresses.iter().enumerate() {
        let at = format!("ip_addresses[{i}]");
        let ip = lookup_ip_address(conn, &actor, &NameOrId::parse(&at, sel)?, &inside)
            .map_err(|e| e.with_field(at))?;
        ips.push(ip);
    }
    let now = now_micros();
    let mut row = InstanceRow {
        id: InstanceId::new(),
        project_id: project.id.clone(),
        account_id: project.account_id.clone(),
        name: p.name.clone(),
        description: p.description,
        vcpus: p.vcpus as i32,
        memory_mib: p.memory_mib as i64,
        ssh_key_ids: to_json_list(&ssh_key_ids),
        user_data: p.user_data,
        ha_policy: p.ha_policy,
        avoid_instances: to_json_list(&avoid_instances),
        state: InstanceState::Creating,
        host_id: None,
        time_created: now,
        time_modified: now,
        generation: 1,
    };
    diesel::insert_into(instances::table)
        .values(&row)
        .execute(conn)?;
    let mut boot = match (&p.boot_drive, &p.image) {
        (Some(sel), None) => {
            if p.boot_drive_storage_class.is_some() {
                return Err(ApiError::invalid(
                    "boot_drive_storage_class",
                    "only the quick form (image) makes a boot drive; a composed boot drive \
                     already has its storage class",
                ));
            }
            if p.boot_drive_delete_with_instance.is_some() {
                return Err(ApiError::invalid(
                    "boot_drive_delete_with_instance",
                    "only the quick form (image) makes a boot drive to delete with the \
                     instance; a composed boot drive is always kept",
                ));
            }
            let boot = lookup_drive(conn, &actor, &NameOrId::parse("boot_drive", sel)?, &inside)
                .map_err(|e| e.with_field("boot_drive"))?;
            row.host_id = Some(super::placement::place_instance(
                conn,
                &ctx.placement,
                &row,
                boot.host_id.as_ref(),
                None,
            )?);
            boot
        }
        (None, Some(image)) => {
            row.host_id = Some(super::placement::place_instance(
                conn,
                &ctx.placement,
                &row,
                None,
                None,
            )?);
            let image_sel = NameOrId::parse("image", image)?;
            let min = super::images::image_get(conn, &actor, &image_sel, Some(&account))
                .map_err(|e| e.with_field("image"))?
                .min_size_bytes as u64;
            let size = p
                .boot_drive_size_bytes
                .unwrap_or(min.div_ceil(super::MIB) * super::MIB);
            let boot_name = format!("{}-boot", p.name.chars().take(58).collect::<String>());
            insert_drive(
                conn,
                ctx,
                &project,
                boot_name,
                format!("boot drive of instance {}", p.name),
                size,
                Some(&image_sel),
                None,
                (p.boot_drive_storage_class.unwrap_or_default(), None),
                Vec::new(),
                Vec::new(),
                row.host_id.as_ref(),
            )
            .map_err(|e| {
                if e.field.as_deref() == Some("size_bytes") {
                    e.with_field("boot_drive_size_bytes")
                } else {
                    e
                }
            })
            .map(|mut drive| {
                drive.delete_with_instance = p.boot_drive_delete_with_instance.unwrap_or(true);
                drive
            })?
        }
        _ => {
            return Err(ApiError::invalid(
                "boot_drive",
                "give exactly one of boot_drive (compose) or image (quick form)",
            ));
        }
    };
    attach_drive_row(conn, &mut boot, &row.id, 0).map_err(|e| e.with_field("boot_drive"))?;
    if boot.image_id.is_none() {
        // Instances boot the kernel of their boot drive's image.
        return Err(ApiError::invalid(
            "boot_drive",
            format!(
                "drive \"{}\" was not made from an image, so it cannot boot an instance",
                boot.name
            ),
        ));
    }
    for (i, drive) in extra_drives.iter_mut().enumerate() {
        attach_drive_row(conn, drive, &row.id, i as i32 + 1)
            .map_err(|e| e.with_field(format!("drives[{i}]")))?;
    }
    for (i, ip) in ips.iter_mut().enumerate() {
        attach_ip_row(conn, ip, &row.id).map_err(|e| e.with_field(format!("ip_addresses[{i}]")))?;
    }
    row.state = InstanceState::Creating;
    save_row!(conn, instances, row)?;
    record_event(
        conn,
        ctx,
        "create",
        subject("instance", &row.id, &row.name, &row.account_id),
    )?;
    let final_state = if p.start {
        InstanceState::Running
    } else {
        InstanceState::Stopped
    };
    let plan = power_plan(conn, &row.id, final_state)?;
    let id = super::plans::insert(conn, ctx, PlanKind::InstanceCreate, &row.id, &plan)?;
    Ok(Launched::with(one_with_parts(conn, row)?, id))
}

/// Make every drive of the instance (ACLs admitting its host), then define
/// the domain running or stopped, then record the state reached.
/// Ensure the drives, then the domain in `state`; `failed` on unwinding.
pub(super) fn power_plan(
    conn: &mut DbConn,
    instance: &InstanceId,
    state: InstanceState,
) -> ApiResult<Plan> {
    let mut plan = Plan::new();
    let drive_ids: Vec<DriveId> = drives::table
        .filter(drives::instance_id.eq(instance))
        .order(drives::slot.asc())
        .select(drives::id)
        .load(conn)?;
    for drive in drive_ids {
        plan = plan
            .then(Step::EnsureDrive {
                drive: drive.clone(),
            })
            .then(Step::DriveReady { drive });
    }
    let instance = instance.clone();
    let running = state == InstanceState::Running;
    let ensure = Step::EnsureInstance {
        instance: instance.clone(),
        running,
    };
    plan = if running {
        plan.then_undoable(
            ensure,
            Step::RemoveInstance {
                instance: instance.clone(),
            },
        )
    } else {
        plan.then(ensure)
    };
    Ok(plan
        .then(Step::SetInstanceState {
            instance: instance.clone(),
            state,
        })
        .on_unwind(Step::SetInstanceState {
            instance,
            state: InstanceState::Failed,
        }))
}

pub fn instance_get(
    conn: &mut DbConn,
    actor: &Actor,
    sel: &NameOrId,
    scope: &ProjectScope,
) -> ApiResult<InstanceParts> {
    let row = lookup_instance(conn, actor, sel, scope)?;
    one_with_parts(conn, row)
}

pub fn instance_list(
    conn: &mut DbConn,
    actor: &Actor,
    scope: &ProjectScope,
    page: &PageRequest,
) -> ApiResult<Page<InstanceParts>> {
    let project = project_of(conn, actor, scope)?;
    let page = list_instances_in(conn, &project.id, page)?;
    let items = with_parts(conn, page.items)?;
    Ok(Page {
        items,
        next_page: page.next_page,
    })
}

pub fn instance_update(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
    p: InstanceUpdate,
    if_match: Option<i64>,
) -> ApiResult<InstanceParts> {
    let mut row = lookup_instance(conn, &ctx.actor, sel, scope)?;
    check_generation(if_match, row.generation)?;
    apply_identity(
        &mut row.name,
        &mut row.description,
        overcast_types::params::IdentityUpdate {
            name: p.name,
            description: p.description,
        },
    )?;
    if let Some(ha) = p.ha_policy {
        row.ha_policy = ha;
    }
    save_row!(conn, instances, row)?;
    record_event(
        conn,
        ctx,
        "update",
        subject("instance", &row.id, &row.name, &row.account_id),
    )?;
    one_with_parts(conn, row)
}

/// Start, stop or reboot.
pub fn instance_action(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
    action: Action,
) -> ApiResult<Launched<InstanceParts>> {
    let mut row = lookup_instance(conn, &ctx.actor, sel, scope)?;
    apply(&mut row, action)?;
    if action == Action::Start {
        let restoring: Vec<String> = drives::table
            .filter(drives::instance_id.eq(&row.id))
            .filter(drives::state.eq(DriveState::Restoring))
            .select(drives::name)
            .load(conn)?;
        if !restoring.is_empty() {
            return Err(ApiError::conflict(
                "busy",
                format!(
                    "drive(s) {} are being rolled back; start the instance once they are attached",
                    restoring.join(", ")
                ),
            ));
        }
    }
    if row.host_id.is_none() {
        row.host_id = Some(super::placement::place_instance(
            conn,
            &ctx.placement,
            &row,
            None,
            None,
        )?);
    }
    save_row!(conn, instances, row)?;
    record_event(
        conn,
        ctx,
        action.verb(),
        subject("instance", &row.id, &row.name, &row.account_id),
    )?;
    let plan = match action {
        Action::Start => power_plan(conn, &row.id, InstanceState::Running)?,
        Action::Stop => power_plan(conn, &row.id, InstanceState::Stopped)?,
        _ => Plan::new()
            .then(Step::RebootInstance {
                instance: row.id.clone(),
            })
            .then(Step::SetInstanceState {
                instance: row.id.clone(),
                state: InstanceState::Running,
            })
            .on_unwind(Step::SetInstanceState {
                instance: row.id.clone(),
                state: InstanceState::Failed,
            }),
    };
    let id = super::plans::insert(conn, ctx, action.plan_kind(), &row.id, &plan)?;
    Ok(Launched::with(one_with_parts(conn, row)?, id))
}

pub fn instance_resize(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
    p: InstanceResize,
    if_match: Option<i64>,
) -> ApiResult<Launched<InstanceParts>> {
    validate_shape(p.vcpus, p.memory_mib)?;
    let mut row = lookup_instance(conn, &ctx.actor, sel, scope)?;
    check_generation(if_match, row.generation)?;
    apply(&mut row, Action::Reconfigure)?;
    let old = row.clone();
    if let Some(v) = p.vcpus {
        row.vcpus = v as i32;
    }
    if let Some(m) = p.memory_mib {
        row.memory_mib = m as i64;
    }
    if let Some(host) = &row.host_id {
        super::placement::fits_after_resize(
            conn,
            &ctx.placement,
            host,
            &old,
            row.vcpus,
            row.memory_mib,
        )?;
    }
    save_row!(conn, instances, row)?;
    record_event(
        conn,
        ctx,
        "resize",
        subject("instance", &row.id, &row.name, &row.account_id),
    )?;
    let plan = power_plan(conn, &row.id, InstanceState::Stopped)?;
    let id = super::plans::insert(conn, ctx, PlanKind::InstanceResize, &row.id, &plan)?;
    Ok(Launched::with(one_with_parts(conn, row)?, id))
}

/// Attach (`attach = true`) or detach a drive of the same project.
pub fn instance_drive(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
    p: DriveAttachment,
    attach: bool,
) -> ApiResult<InstanceParts> {
    let mut row = lookup_instance(conn, &ctx.actor, sel, scope)?;
    apply(&mut row, Action::Reconfigure)?;
    let inside = in_project(&lookup_project_of(conn, &row)?);
    let mut drive = lookup_drive(
        conn,
        &ctx.actor,
        &NameOrId::parse("drive", &p.drive)?,
        &inside,
    )
    .map_err(|e| e.with_field("drive"))?;
    if attach {
        let slots: Vec<Option<i32>> = drives::table
            .filter(drives::instance_id.eq(&row.id))
            .select(drives::slot)
            .load(conn)?;
        if slots.len() >= MAX_DRIVES {
            return Err(ApiError::conflict(
                "too_many_drives",
                format!("an instance has at most {MAX_DRIVES} drives"),
            ));
        }
        let next = slots.into_iter().flatten().max().map_or(0, |s| s + 1);
        attach_drive_row(conn, &mut drive, &row.id, next).map_err(|e| e.with_field("drive"))?;
    } else {
        if drive.instance_id.as_deref() != Some(row.id.as_str()) {
            return Err(ApiError::conflict(
                "not_attached",
                format!("drive \"{}\" is not attached to this instance", drive.name),
            )
            .with_field("drive"));
        }
        if drive.slot == Some(0) {
            return Err(ApiError::conflict(
                "boot_drive",
                "the boot drive cannot be detached; delete the instance instead",
            )
            .with_field("drive"));
        }
        drive.instance_id = None;
        drive.slot = None;
        drive.state = DriveState::Available;
        save_row!(conn, drives, drive)?;
    }
    save_row!(conn, instances, row)?;
    record_event(
        conn,
        ctx,
        if attach {
            "attach_drive"
        } else {
            "detach_drive"
        },
        subject("instance", &row.id, &row.name, &row.account_id),
    )?;
    one_with_parts(conn, row)
}

fn lookup_project_of(conn: &mut DbConn, row: &InstanceRow) -> ApiResult<ProjectRow> {
    Ok(projects::table
        .find(&row.project_id)
        .select(ProjectRow::as_select())
        .first(conn)?)
}

/// Attach (`attach = true`) or detach an IP address of the same project.
pub fn instance_ip(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
    p: IpAttachment,
    attach: bool,
) -> ApiResult<InstanceParts> {
    let mut row = lookup_instance(conn, &ctx.actor, sel, scope)?;
    apply(&mut row, Action::Reconfigure)?;
    let inside = in_project(&lookup_project_of(conn, &row)?);
    let mut ip = lookup_ip_address(
        conn,
        &ctx.actor,
        &NameOrId::parse("ip_address", &p.ip_address)?,
        &inside,
    )
    .map_err(|e| e.with_field("ip_address"))?;
    if attach {
        attach_ip_row(conn, &mut ip, &row.id).map_err(|e| e.with_field("ip_address"))?;
    } else {
        if ip.instance_id.as_deref() != Some(row.id.as_str()) {
            return Err(ApiError::conflict(
                "not_attached",
                format!(
                    "IP address \"{}\" is not attached to this instance",
                    ip.name
                ),
            )
            .with_field("ip_address"));
        }
        ip.instance_id = None;
        save_row!(conn, ip_addresses, ip)?;
    }
    save_row!(conn, instances, row)?;
    record_event(
        conn,
        ctx,
        if attach { "attach_ip" } else { "detach_ip" },
        subject("instance", &row.id, &row.name, &row.account_id),
    )?;
    one_with_parts(conn, row)
}

/// Delete a stopped instance: its domain goes first, then the drives that
/// go with it (the quick form's boot drive, unless the create said
/// otherwise), then the record. Its other drives and its IPs are detached
/// and kept.
pub fn instance_delete(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    scope: &ProjectScope,
) -> ApiResult<Launched<()>> {
    let mut row = lookup_instance(conn, &ctx.actor, sel, scope)?;
    apply(&mut row, Action::Delete)?;
    let with_it: Vec<DriveRow> = drives::table
        .filter(drives::instance_id.eq(&row.id))
        .filter(drives::delete_with_instance.eq(true))
        .select(DriveRow::as_select())
        .load(conn)?;
    for drive in &with_it {
        super::drives::refuse_with_snapshots(conn, drive)?;
    }
    record_event(
        conn,
        ctx,
        "delete",
        subject("instance", &row.id, &row.name, &row.account_id),
    )?;
    let going: Vec<DriveId> = drives::table
        .filter(drives::instance_id.eq(&row.id))
        .filter(drives::delete_with_instance.eq(true))
        .order(drives::slot.asc())
        .select(DriveRow::as_select())
        .load(conn)?
        .into_iter()
        .filter(super::drives::stored)
        .map(|d| d.id)
        .collect();
    if row.host_id.is_none() && going.is_empty() {
        super::commands::forget_instance(conn, &row.id)?;
        return Ok(Launched::now(()));
    }
    save_row!(conn, instances, row)?;
    // `deleting` keeps reconciliation from re-creating their files between
    // their removal and the removal of their rows.
    diesel::update(drives::table.filter(drives::id.eq_any(&going)))
        .set((
            drives::state.eq(DriveState::Deleting),
            drives::generation.eq(drives::generation + 1),
            drives::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    let mut plan = Plan::new().then(Step::RemoveInstance {
        instance: row.id.clone(),
    });
    for drive in going {
        plan = plan.then(Step::RemoveDrive { drive });
    }
    let plan = plan
        .then(Step::ForgetInstance {
            instance: row.id.clone(),
        })
        .on_unwind(Step::SetInstanceState {
            instance: row.id.clone(),
            state: InstanceState::Failed,
        });
    let id = super::plans::insert(conn, ctx, PlanKind::InstanceDelete, &row.id, &plan)?;
    Ok(Launched::with((), id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use InstanceState::*;

    #[test]
    fn lifecycle_transitions() {
        assert_eq!(transition(Stopped, Action::Start, false), Ok(Starting));
        assert_eq!(transition(Running, Action::Stop, true), Ok(Stopping));
        assert_eq!(transition(Starting, Action::Stop, false), Ok(Stopped));
        assert_eq!(transition(Running, Action::Reboot, true), Ok(Rebooting));
        assert_eq!(transition(Stopped, Action::Reconfigure, false), Ok(Stopped));
        assert_eq!(transition(Stopped, Action::Delete, false), Ok(Deleting));
        assert!(transition(Running, Action::Reconfigure, true).is_err());
        assert!(transition(Running, Action::Delete, true).is_err());
        assert!(transition(Stopped, Action::Reboot, false).is_err());
        assert!(transition(Running, Action::Start, true).is_err());
        let err = transition(Running, Action::Delete, true).unwrap_err();
        assert_eq!(err, "cannot delete an instance that is running");
    }
}
