//! Hosts as the server sees them: enrollment with one-use tokens, host
//! credentials, heartbeats, and placement of instances and drives.

use std::collections::HashSet;

use diesel::prelude::*;

use super::{Ctx, json_list, record_event, validate_description, validate_name};
use crate::db::models::*;
use crate::db::schema::*;
use crate::db::{DbConn, new_id, now_micros};
use crate::error::{ApiError, ApiResult};
use crate::params::{HostEnrollmentCreate, HostState};
use crate::views::enum_str;

use super::auth::{generate_secret, hash_secret};

/// A host that has sent no heartbeat for this long is `down`.
pub const HEARTBEAT_TIMEOUT_MICROS: i64 = 5_000_000;

/// How placement counts capacity.
#[derive(Debug, Clone, Copy)]
pub struct PlacementPolicy {
    /// vCPUs placed per host CPU.
    pub cpu_allocation_ratio: f64,
}

impl Default for PlacementPolicy {
    fn default() -> Self {
        Self {
            cpu_allocation_ratio: 4.0,
        }
    }
}

pub fn host_enrollment_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    p: HostEnrollmentCreate,
) -> ApiResult<(HostEnrollmentRow, String)> {
    ctx.actor.require_operator()?;
    validate_description(&p.description)?;
    if !(60..=604_800).contains(&p.ttl_seconds) {
        return Err(ApiError::invalid(
            "ttl_seconds",
            "must be between 60 (a minute) and 604800 (a week)",
        ));
    }
    let (row, secret) = issue_enrollment(conn, p)?;
    record_event(
        conn,
        ctx,
        "create",
        super::Subject {
            resource_type: "host_enrollment",
            id: &row.id,
            name: &row.id,
            account_id: None,
            partner_id: None,
        },
    )?;
    Ok((row, secret))
}

/// Store a new enrollment token (checked by the caller).
pub fn issue_enrollment(
    conn: &mut DbConn,
    p: HostEnrollmentCreate,
) -> ApiResult<(HostEnrollmentRow, String)> {
    let (secret, hash) = generate_secret();
    let now = now_micros();
    let row = HostEnrollmentRow {
        id: new_id(),
        description: p.description,
        secret_hash: hash,
        time_created: now,
        time_expires: now + i64::from(p.ttl_seconds) * 1_000_000,
        time_used: None,
        host_id: None,
    };
    diesel::insert_into(host_enrollments::table)
        .values(&row)
        .execute(conn)?;
    Ok((row, secret))
}

/// What a host says about itself when it enrolls or heartbeats.
#[derive(Debug, Clone, Copy)]
pub struct Capacity {
    pub cpus: u32,
    pub memory_mib: u64,
    pub storage_bytes: u64,
    pub storage_free_bytes: u64,
}

/// Why the internal API refuses a host's request.
#[derive(Debug, thiserror::Error)]
pub enum HostRefusal {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Denied(String),
    #[error("{0}")]
    Internal(String),
}

impl From<ApiError> for HostRefusal {
    fn from(e: ApiError) -> Self {
        if e.status.is_client_error() {
            HostRefusal::Invalid(e.message)
        } else {
            HostRefusal::Internal(e.message)
        }
    }
}

impl From<diesel::result::Error> for HostRefusal {
    fn from(e: diesel::result::Error) -> Self {
        HostRefusal::Internal(e.to_string())
    }
}

fn validate_capacity(c: &Capacity) -> Result<(), HostRefusal> {
    if c.cpus == 0 || c.memory_mib == 0 || c.storage_bytes == 0 {
        return Err(HostRefusal::Invalid(
            "capacity must report cpus, memory and storage".into(),
        ));
    }
    if c.storage_free_bytes > c.storage_bytes
        || c.storage_bytes > i64::MAX as u64
        || c.memory_mib > i64::MAX as u64
    {
        return Err(HostRefusal::Invalid("capacity is inconsistent".into()));
    }
    Ok(())
}

/// Spend an enrollment token: make the host and return it with its secret.
pub fn enroll(
    conn: &mut DbConn,
    token: &str,
    name: &str,
    address: &str,
    iscsi_port: u32,
    capacity: Capacity,
) -> Result<(HostRow, String), HostRefusal> {
    let now = now_micros();
    let enrollment: Option<HostEnrollmentRow> = host_enrollments::table
        .filter(host_enrollments::secret_hash.eq(hash_secret(token.trim())))
        .select(HostEnrollmentRow::as_select())
        .first(conn)
        .optional()?;
    let Some(mut enrollment) = enrollment else {
        return Err(HostRefusal::Denied("unknown enrollment token".into()));
    };
    if enrollment.time_used.is_some() {
        return Err(HostRefusal::Denied(
            "this enrollment token was already used".into(),
        ));
    }
    if enrollment.time_expires < now {
        return Err(HostRefusal::Denied("this enrollment token expired".into()));
    }
    validate_name("name", name)?;
    if address.is_empty() || address.len() > 255 || address.contains(char::is_whitespace) {
        return Err(HostRefusal::Invalid(
            "address must be a host name or IP address".into(),
        ));
    }
    let port = u16::try_from(iscsi_port)
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| HostRefusal::Invalid("iscsi_port must be a TCP port".into()))?;
    validate_capacity(&capacity)?;
    let taken: i64 = hosts::table
        .filter(hosts::name.eq(name))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(HostRefusal::Invalid(format!(
            "a host named \"{name}\" exists; remove it first"
        )));
    }
    let (secret, hash) = generate_secret();
    let row = HostRow {
        id: new_id(),
        name: name.to_string(),
        description: enrollment.description.clone(),
        address: address.to_string(),
        cpus: capacity.cpus as i32,
        memory_mib: capacity.memory_mib as i64,
        storage_bytes: capacity.storage_bytes as i64,
        state: enum_str(&HostState::Active),
        time_created: now,
        time_modified: now,
        generation: 1,
        secret_hash: Some(hash),
        iscsi_port: i32::from(port),
        storage_free_bytes: capacity.storage_free_bytes as i64,
        time_heartbeat: Some(now),
    };
    diesel::insert_into(hosts::table)
        .values(&row)
        .execute(conn)?;
    enrollment.time_used = Some(now);
    enrollment.host_id = Some(row.id.clone());
    diesel::update(host_enrollments::table.find(&enrollment.id))
        .set(&enrollment)
        .execute(conn)?;
    Ok((row, secret))
}

/// The host a credential belongs to.
pub fn authenticate_host(conn: &mut DbConn, secret: &str) -> Result<HostRow, HostRefusal> {
    hosts::table
        .filter(hosts::secret_hash.eq(hash_secret(secret.trim())))
        .select(HostRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| HostRefusal::Denied("unknown host credential".into()))
}

/// Record a heartbeat: capacity, portal, and `down` hosts come back.
pub fn heartbeat(
    conn: &mut DbConn,
    host_id: &str,
    capacity: Capacity,
    iscsi_port: u32,
) -> Result<HostRow, HostRefusal> {
    validate_capacity(&capacity)?;
    let port = u16::try_from(iscsi_port)
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| HostRefusal::Invalid("iscsi_port must be a TCP port".into()))?;
    let mut row: HostRow = hosts::table
        .find(host_id)
        .select(HostRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| HostRefusal::Denied("this host was removed".into()))?;
    let changed = row.cpus != capacity.cpus as i32
        || row.memory_mib != capacity.memory_mib as i64
        || row.storage_bytes != capacity.storage_bytes as i64
        || row.iscsi_port != i32::from(port)
        || row.state == enum_str(&HostState::Down);
    row.cpus = capacity.cpus as i32;
    row.memory_mib = capacity.memory_mib as i64;
    row.storage_bytes = capacity.storage_bytes as i64;
    row.storage_free_bytes = capacity.storage_free_bytes as i64;
    row.iscsi_port = i32::from(port);
    row.time_heartbeat = Some(now_micros());
    if row.state == enum_str(&HostState::Down) {
        row.state = enum_str(&HostState::Active);
    }
    if changed {
        row.generation += 1;
        row.time_modified = now_micros();
    }
    diesel::update(hosts::table.find(host_id))
        .set(&row)
        .execute(conn)?;
    Ok(row)
}

/// Mark `down` every active or draining host whose last heartbeat is too old.
pub fn mark_silent_hosts_down(conn: &mut DbConn) -> ApiResult<usize> {
    let cutoff = now_micros() - HEARTBEAT_TIMEOUT_MICROS;
    Ok(diesel::update(
        hosts::table
            .filter(hosts::state.eq(enum_str(&HostState::Active)))
            .filter(hosts::time_heartbeat.lt(cutoff)),
    )
    .set((
        hosts::state.eq(enum_str(&HostState::Down)),
        hosts::generation.eq(hosts::generation + 1),
        hosts::time_modified.eq(now_micros()),
    ))
    .execute(conn)?)
}

/// A host that can take new work, with what it has left.
#[derive(Debug, Clone)]
struct Candidate {
    host: HostRow,
    free_vcpus: f64,
    free_memory_mib: i64,
    free_storage: i64,
}

fn candidates(conn: &mut DbConn, policy: PlacementPolicy) -> ApiResult<Vec<Candidate>> {
    let cutoff = now_micros() - HEARTBEAT_TIMEOUT_MICROS;
    let hosts: Vec<HostRow> = hosts::table
        .filter(hosts::state.eq(enum_str(&HostState::Active)))
        .filter(hosts::time_heartbeat.ge(cutoff))
        .order(hosts::name.asc())
        .select(HostRow::as_select())
        .load(conn)?;
    let mut out = Vec::new();
    for host in hosts {
        let placed: Vec<(i32, i64)> = instances::table
            .filter(instances::host_id.eq(&host.id))
            .select((instances::vcpus, instances::memory_mib))
            .load(conn)?;
        let vcpus: i64 = placed.iter().map(|(v, _)| i64::from(*v)).sum();
        let memory: i64 = placed.iter().map(|(_, m)| *m).sum();
        let storage: i64 = drives::table
            .filter(drives::host_id.eq(&host.id))
            .select(drives::size_bytes)
            .load::<i64>(conn)?
            .into_iter()
            .sum();
        out.push(Candidate {
            free_vcpus: f64::from(host.cpus) * policy.cpu_allocation_ratio - vcpus as f64,
            free_memory_mib: host.memory_mib - memory,
            free_storage: host.storage_bytes - storage,
            host,
        });
    }
    Ok(out)
}

fn insufficient(what: String) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::INSUFFICIENT_STORAGE,
        "insufficient_capacity",
        what,
    )
}

/// Hosts that hold any of `drive_ids` or run any of `instance_ids`.
fn hosts_of(
    conn: &mut DbConn,
    drive_ids: &[String],
    instance_ids: &[String],
) -> ApiResult<HashSet<String>> {
    let mut set: HashSet<String> = drives::table
        .filter(drives::id.eq_any(drive_ids))
        .select(drives::host_id)
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    set.extend(
        instances::table
            .filter(instances::id.eq_any(instance_ids))
            .select(instances::host_id)
            .load::<Option<String>>(conn)?
            .into_iter()
            .flatten(),
    );
    Ok(set)
}

/// Choose a host for a drive: one with room for `size_bytes`, avoiding the
/// hosts of `avoid_drives` and `avoid_instances`; the one with the most
/// room left wins (`prefer` first, if it fits). 507 when none fits, saying what ran out.
pub fn place_drive(
    conn: &mut DbConn,
    policy: PlacementPolicy,
    size_bytes: i64,
    avoid_drives: &[String],
    avoid_instances: &[String],
    prefer: Option<&str>,
) -> ApiResult<String> {
    let avoid = hosts_of(conn, avoid_drives, avoid_instances)?;
    let all = candidates(conn, policy)?;
    if all.is_empty() {
        return Err(insufficient("no host is up to hold the drive".into()));
    }
    let allowed: Vec<&Candidate> = all.iter().filter(|c| !avoid.contains(&c.host.id)).collect();
    if allowed.is_empty() {
        return Err(insufficient(
            "every host that is up is excluded by the avoid hints".into(),
        ));
    }
    allowed
        .iter()
        .filter(|c| c.free_storage >= size_bytes)
        .max_by_key(|c| (prefer == Some(c.host.id.as_str()), c.free_storage))
        .map(|c| c.host.id.clone())
        .ok_or_else(|| {
            let most = allowed.iter().map(|c| c.free_storage).max().unwrap_or(0);
            insufficient(format!(
                "storage ran out: the drive needs {size_bytes} bytes, the roomiest host has {most} unallocated"
            ))
        })
}

/// Choose a host for an instance: free vCPUs and memory, not the host of
/// any instance in `avoid_instances`, preferring the host that holds its
/// boot drive, then the one with the most free memory. 507 when none fits.
pub fn place_instance(
    conn: &mut DbConn,
    policy: PlacementPolicy,
    instance: &InstanceRow,
    boot_drive_host: Option<&str>,
) -> ApiResult<String> {
    let avoid = hosts_of(conn, &[], &json_list(&instance.avoid_instances))?;
    let all = candidates(conn, policy)?;
    if all.is_empty() {
        return Err(insufficient("no host is up to run the instance".into()));
    }
    let allowed: Vec<&Candidate> = all.iter().filter(|c| !avoid.contains(&c.host.id)).collect();
    if allowed.is_empty() {
        return Err(insufficient(
            "every host that is up is excluded by avoid_instances".into(),
        ));
    }
    let cpu_fit: Vec<&&Candidate> = allowed
        .iter()
        .filter(|c| c.free_vcpus >= f64::from(instance.vcpus))
        .collect();
    if cpu_fit.is_empty() {
        return Err(insufficient(format!(
            "vCPUs ran out: the instance needs {}, no host has that many free",
            instance.vcpus
        )));
    }
    cpu_fit
        .iter()
        .filter(|c| c.free_memory_mib >= instance.memory_mib)
        .max_by_key(|c| {
            (
                boot_drive_host == Some(c.host.id.as_str()),
                c.free_memory_mib,
            )
        })
        .map(|c| c.host.id.clone())
        .ok_or_else(|| {
            let most = cpu_fit.iter().map(|c| c.free_memory_mib).max().unwrap_or(0);
            insufficient(format!(
                "memory ran out: the instance needs {} MiB, the host with the most has {most} MiB free",
                instance.memory_mib
            ))
        })
}

/// Whether `host_id` still fits the instance after a resize (its own
/// current allocation excluded).
pub fn fits_after_resize(
    conn: &mut DbConn,
    policy: PlacementPolicy,
    host_id: &str,
    old: &InstanceRow,
    vcpus: i32,
    memory_mib: i64,
) -> ApiResult<()> {
    let Some(c) = candidates(conn, policy)?
        .into_iter()
        .find(|c| c.host.id == host_id)
    else {
        return Err(insufficient("the instance's host is not up".into()));
    };
    if c.free_vcpus + f64::from(old.vcpus) < f64::from(vcpus) {
        return Err(insufficient(format!(
            "vCPUs ran out on the instance's host: {vcpus} do not fit"
        )));
    }
    if c.free_memory_mib + old.memory_mib < memory_mib {
        return Err(insufficient(format!(
            "memory ran out on the instance's host: {memory_mib} MiB do not fit"
        )));
    }
    Ok(())
}
