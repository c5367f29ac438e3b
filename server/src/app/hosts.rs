//! Hosts as the server sees them: the operator's view (list, drain,
//! delete), enrollment with one-use tokens, host credentials and heartbeats.

use diesel::prelude::*;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::views::Allocated;
use overcast_db::{DbConn, now_micros, save_row};
use overcast_types::ids::*;
use overcast_types::params::{HostEnrollmentCreate, HostUpdate};
use overcast_types::states::HostState;
use overcast_types::{ApiError, ApiResult, NameOrId, Page, PageRequest};

use std::collections::HashMap;
use std::time::Duration;

use super::auth::{generate_secret, hash_secret};
use super::pki::{Ca, Issued};
use super::{
    Actor, Ctx, check_generation, global_lookup, global_subject, record_event,
    validate_description, validate_name,
};

global_lookup!(lookup_host, hosts, HostRow, "host");

pub fn host_list(
    conn: &mut DbConn,
    actor: &Actor,
    page: &PageRequest,
) -> ApiResult<Page<(HostRow, Allocated)>> {
    actor.require_operator()?;
    let mut query = hosts::table
        .select(HostRow::as_select())
        .order(hosts::name.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(hosts::name.gt(after));
    }
    let rows: Vec<HostRow> = query.load(conn)?;
    let mut used = allocated(conn, rows.iter().map(|r| r.id.clone()).collect())?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let a = used.remove(&r.id).unwrap_or_default();
            (r, a)
        })
        .collect();
    Ok(page.finish(rows, |(r, _)| r.name.clone()))
}

pub fn host_get(
    conn: &mut DbConn,
    actor: &Actor,
    sel: &NameOrId,
) -> ApiResult<(HostRow, Allocated)> {
    let row = operator_lookup(conn, actor, sel)?;
    with_use(conn, row)
}

fn operator_lookup(conn: &mut DbConn, actor: &Actor, sel: &NameOrId) -> ApiResult<HostRow> {
    actor.require_operator()?;
    lookup_host(conn, sel)
}

/// A host with what is placed on it, for the operator's view.
fn with_use(conn: &mut DbConn, row: HostRow) -> ApiResult<(HostRow, Allocated)> {
    let a = allocated(conn, vec![row.id.clone()])?
        .remove(&row.id)
        .unwrap_or_default();
    Ok((row, a))
}

/// What is placed on each of `hosts`: the sums placement counts (see
/// `placement::ALL_FREE`), in two grouped queries over the host indexes.
fn allocated(conn: &mut DbConn, hosts: Vec<HostId>) -> ApiResult<HashMap<HostId, Allocated>> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    let mut out: HashMap<HostId, Allocated> = HashMap::new();
    let placed: Vec<(Option<HostId>, i64, i64)> = instances::table
        .filter(instances::host_id.eq_any(&hosts))
        .group_by(instances::host_id)
        .select((
            instances::host_id,
            sql::<BigInt>("CAST(SUM(vcpus) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(memory_mib) AS BIGINT)"),
        ))
        .load(conn)?;
    for (host, vcpus, memory_mib) in placed {
        let a = out.entry(host.expect("filtered on host")).or_default();
        a.vcpus = vcpus;
        a.memory_mib = memory_mib;
    }
    let stored: Vec<(Option<HostId>, i64)> = drives::table
        .filter(drives::host_id.eq_any(&hosts))
        .group_by(drives::host_id)
        .select((
            drives::host_id,
            sql::<BigInt>("CAST(SUM(size_bytes) AS BIGINT)"),
        ))
        .load(conn)?;
    for (host, bytes) in stored {
        out.entry(host.expect("filtered on host"))
            .or_default()
            .storage_bytes = bytes;
    }
    Ok(out)
}

pub fn host_update(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    p: HostUpdate,
    if_match: Option<i64>,
) -> ApiResult<(HostRow, Allocated)> {
    let mut row = operator_lookup(conn, &ctx.actor, sel)?;
    check_generation(if_match, row.generation)?;
    if let Some(description) = p.description {
        validate_description(&description)?;
        row.description = description;
    }
    if let Some(state) = p.state {
        if !matches!(state, HostState::Active | HostState::Draining) {
            return Err(ApiError::invalid(
                "state",
                "an operator sets `active` or `draining`; `suspect` and `down` follow heartbeats",
            ));
        }
        if matches!(row.state, HostState::Suspect | HostState::Down) {
            return Err(ApiError::conflict(
                "host_unreachable",
                format!(
                    "host \"{}\" is {}: its state follows its heartbeats until it reports in",
                    row.name, row.state
                ),
            ));
        }
        if state != row.state {
            row.state = state;
            row.time_state_changed = now_micros();
        }
    }
    save_row!(conn, hosts, row)?;
    record_event(
        conn,
        ctx,
        "update",
        global_subject("host", &row.id, &row.name),
    )?;
    with_use(conn, row)
}

pub fn host_delete(conn: &mut DbConn, ctx: &Ctx, sel: &NameOrId) -> ApiResult<()> {
    let row = operator_lookup(conn, &ctx.actor, sel)?;
    let placed: i64 = instances::table
        .filter(instances::host_id.eq(&row.id))
        .count()
        .get_result(conn)?;
    let drives_held: i64 = drives::table
        .filter(drives::host_id.eq(&row.id))
        .count()
        .get_result(conn)?;
    if placed > 0 || drives_held > 0 {
        return Err(ApiError::conflict(
            "not_empty",
            format!(
                "host \"{}\" still holds {placed} instance(s) and {drives_held} drive(s)",
                row.name
            ),
        ));
    }
    diesel::update(host_enrollments::table.filter(host_enrollments::host_id.eq(&row.id)))
        .set(host_enrollments::host_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(hosts::table.find(&row.id)).execute(conn)?;
    record_event(
        conn,
        ctx,
        "delete",
        global_subject("host", &row.id, &row.name),
    )?;
    Ok(())
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
        id: HostEnrollmentId::new(),
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
    /// Known, but not allowed.
    #[error("{0}")]
    Denied(String),
    /// Not known: no such credential or certificate.
    #[error("{0}")]
    Unknown(String),
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
    certificate: (&Ca, &str, Duration),
) -> Result<(HostRow, String, Issued), HostRefusal> {
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
    let mut row = HostRow {
        id: HostId::new(),
        name: name.to_string(),
        description: enrollment.description.clone(),
        address: address.to_string(),
        cpus: capacity.cpus as i32,
        memory_mib: capacity.memory_mib as i64,
        storage_bytes: capacity.storage_bytes as i64,
        state: HostState::Active,
        time_created: now,
        time_modified: now,
        time_state_changed: now,
        generation: 1,
        secret_hash: Some(hash),
        iscsi_port: i32::from(port),
        storage_free_bytes: capacity.storage_free_bytes as i64,
        time_heartbeat: Some(now),
        cert_fingerprint: None,
        next_cert_fingerprint: None,
        storage_fenced: false,
    };
    let (ca, csr_pem, lifetime) = certificate;
    let issued = ca.issue_host(&row, csr_pem, lifetime)?;
    row.cert_fingerprint = Some(issued.fingerprint.clone());
    diesel::insert_into(hosts::table)
        .values(&row)
        .execute(conn)?;
    enrollment.time_used = Some(now);
    enrollment.host_id = Some(row.id.clone());
    diesel::update(host_enrollments::table.find(&enrollment.id))
        .set(&enrollment)
        .execute(conn)?;
    Ok((row, secret, issued))
}

/// The host a credential belongs to.
pub fn authenticate_host(conn: &mut DbConn, secret: &str) -> Result<HostRow, HostRefusal> {
    hosts::table
        .filter(hosts::secret_hash.eq(hash_secret(secret.trim())))
        .select(HostRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| HostRefusal::Unknown("unknown host credential".into()))
}

/// Whether a heartbeat says something the database must hear now: the
/// host is coming back from `suspect` or `down`, or its capacity or portal
/// changed (free storage by 1% of the whole or more). A heartbeat that says
/// nothing new is only counted in memory, and its time written in a batch
/// with the others' (`beats_seen`): no write transaction per host per beat.
pub fn heartbeat_is_news(
    conn: &mut DbConn,
    host_id: &str,
    capacity: &Capacity,
    iscsi_port: u32,
) -> Result<bool, HostRefusal> {
    validate_capacity(capacity)?;
    let row: HostRow = hosts::table
        .find(host_id)
        .select(HostRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| HostRefusal::Denied("this host was removed".into()))?;
    let free_moved = (row.storage_free_bytes - capacity.storage_free_bytes as i64).unsigned_abs()
        >= capacity.storage_bytes / 100;
    Ok(matches!(row.state, HostState::Suspect | HostState::Down)
        || row.time_heartbeat.is_none()
        || capacity_differs(&row, capacity, iscsi_port)
        || free_moved)
}

/// Whether two heartbeats say the same about the host's capacity: the same
/// size and portal, free storage within 1% of the whole.
pub fn same_capacity(a: (&Capacity, u32), b: (&Capacity, u32)) -> bool {
    let ((a, pa), (b, pb)) = (a, b);
    a.cpus == b.cpus
        && a.memory_mib == b.memory_mib
        && a.storage_bytes == b.storage_bytes
        && pa == pb
        && a.storage_free_bytes.abs_diff(b.storage_free_bytes) < b.storage_bytes / 100
}

/// Of `hosts`, those not `active` or `draining` (found `suspect` or `down`,
/// or removed): their next heartbeat is news.
pub fn not_serving(conn: &mut DbConn, hosts: &[HostId]) -> ApiResult<Vec<HostId>> {
    let mut serving = std::collections::HashSet::new();
    for chunk in hosts.chunks(1000) {
        let ids: Vec<HostId> = hosts::table
            .filter(hosts::id.eq_any(chunk))
            .filter(hosts::state.eq_any([HostState::Active, HostState::Draining]))
            .select(hosts::id)
            .load(conn)?;
        serving.extend(ids);
    }
    Ok(hosts
        .iter()
        .filter(|h| !serving.contains(*h))
        .cloned()
        .collect())
}

/// Whether the host's recorded size or portal differs from what it says.
fn capacity_differs(row: &HostRow, capacity: &Capacity, iscsi_port: u32) -> bool {
    row.cpus != capacity.cpus as i32
        || row.memory_mib != capacity.memory_mib as i64
        || row.storage_bytes != capacity.storage_bytes as i64
        || row.iscsi_port as u32 != iscsi_port
}

/// Record that each of `hosts` sent a heartbeat at `at` or later (one
/// statement per thousand hosts, in id order; a newer time already there
/// stays).
pub fn beats_seen(conn: &mut DbConn, hosts: &[HostId], at: i64) -> ApiResult<()> {
    let mut hosts = hosts.to_vec();
    hosts.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    for chunk in hosts.chunks(1000) {
        diesel::update(
            hosts::table
                .filter(hosts::id.eq_any(chunk))
                .filter(hosts::time_heartbeat.lt(at)),
        )
        .set(hosts::time_heartbeat.eq(at))
        .execute(conn)?;
    }
    Ok(())
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
    // The write is a compare-and-swap on the generation, which failure
    // detection also bumps: a host found down in between is read again
    // (and comes back), never written over.
    loop {
        let mut row: HostRow = hosts::table
            .find(host_id)
            .select(HostRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| HostRefusal::Denied("this host was removed".into()))?;
        let read = row.generation;
        let back = matches!(row.state, HostState::Suspect | HostState::Down);
        let changed = capacity_differs(&row, &capacity, u32::from(port)) || back;
        row.cpus = capacity.cpus as i32;
        row.memory_mib = capacity.memory_mib as i64;
        row.storage_bytes = capacity.storage_bytes as i64;
        row.storage_free_bytes = capacity.storage_free_bytes as i64;
        row.iscsi_port = i32::from(port);
        let now = now_micros();
        row.time_heartbeat = Some(now);
        let message = format!(
            "heartbeats resumed after {:.1} s `{}`",
            (now - row.time_state_changed) as f64 / 1e6,
            row.state
        );
        if back {
            row.state = HostState::Active;
            row.time_state_changed = now;
        }
        if changed {
            row.generation += 1;
            row.time_modified = now;
        }
        let written = diesel::update(
            hosts::table
                .find(host_id)
                .filter(hosts::generation.eq(read)),
        )
        .set(&row)
        .execute(conn)?;
        if written == 0 {
            continue;
        }
        if back {
            super::record_system_event(
                conn,
                "active",
                global_subject("host", &row.id, &row.name),
                message,
            )?;
        }
        return Ok(row);
    }
}
