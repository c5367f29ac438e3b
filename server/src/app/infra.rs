//! What the operator provides: hosts, IP pools and images.

use std::net::Ipv4Addr;

use diesel::prelude::*;

use super::{
    Actor, Ctx, NameOrId, Page, PageRequest, Subject, check_generation, global_lookup,
    record_event, resolve_account, save_row, validate_description, validate_name,
};
use crate::db::models::*;
use crate::db::schema::*;
use crate::db::{DbConn, new_id, now_micros};
use crate::error::{ApiError, ApiResult};
use crate::params::{HostUpdate, ImageCreate, IpPoolCreate};
use crate::views::enum_str;

global_lookup!(lookup_host, hosts, HostRow, "host");
global_lookup!(lookup_ip_pool, ip_pools, IpPoolRow, "IP pool");

/// The most addresses one pool may span.
pub const MAX_POOL_SIZE: u32 = 1 << 16;
/// Sizes are stored as signed 64-bit integers; 64 TiB is far above any drive
/// or host we expect and far below that limit.
pub const MAX_BYTES: u64 = 64 << 40;

fn global_subject<'a>(resource_type: &'static str, id: &'a str, name: &'a str) -> Subject<'a> {
    Subject {
        resource_type,
        id,
        name,
        account_id: None,
        partner_id: None,
    }
}

pub fn host_list(conn: &mut DbConn, actor: &Actor, page: &PageRequest) -> ApiResult<Page<HostRow>> {
    actor.require_operator()?;
    let mut query = hosts::table
        .select(HostRow::as_select())
        .order(hosts::name.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(hosts::name.gt(after));
    }
    Ok(page.finish(query.load(conn)?, |r| r.name.clone()))
}

pub fn host_get(conn: &mut DbConn, actor: &Actor, sel: &NameOrId) -> ApiResult<HostRow> {
    actor.require_operator()?;
    lookup_host(conn, sel)
}

pub fn host_update(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    p: HostUpdate,
    if_match: Option<i64>,
) -> ApiResult<HostRow> {
    let mut row = host_get(conn, &ctx.actor, sel)?;
    check_generation(if_match, row.generation)?;
    if let Some(description) = p.description {
        validate_description(&description)?;
        row.description = description;
    }
    if let Some(state) = p.state {
        row.state = enum_str(&state);
    }
    save_row!(conn, hosts, row)?;
    record_event(
        conn,
        ctx,
        "update",
        global_subject("host", &row.id, &row.name),
    )?;
    Ok(row)
}

pub fn host_delete(conn: &mut DbConn, ctx: &Ctx, sel: &NameOrId) -> ApiResult<()> {
    let row = host_get(conn, &ctx.actor, sel)?;
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

fn parse_ipv4(field: &str, s: &str) -> ApiResult<Ipv4Addr> {
    s.parse()
        .map_err(|_| ApiError::invalid(field, format!("\"{s}\" is not an IPv4 address")))
}

/// Check a pool's range: inside one subnet with its gateway, not too large,
/// the gateway outside the range.
pub fn validate_pool_range(p: &IpPoolCreate) -> ApiResult<()> {
    let first = u32::from(parse_ipv4("first_address", &p.first_address)?);
    let last = u32::from(parse_ipv4("last_address", &p.last_address)?);
    let gateway = u32::from(parse_ipv4("gateway", &p.gateway)?);
    if !(8..=30).contains(&p.prefix_len) {
        return Err(ApiError::invalid("prefix_len", "must be between 8 and 30"));
    }
    if first > last {
        return Err(ApiError::invalid(
            "last_address",
            "must not be below first_address",
        ));
    }
    if last - first >= MAX_POOL_SIZE {
        return Err(ApiError::invalid(
            "last_address",
            format!("a pool spans at most {MAX_POOL_SIZE} addresses"),
        ));
    }
    let mask = u32::MAX << (32 - p.prefix_len);
    if first & mask != last & mask || gateway & mask != first & mask {
        return Err(ApiError::invalid(
            "gateway",
            "the range and the gateway must lie in one subnet of prefix_len",
        ));
    }
    if (first..=last).contains(&gateway) {
        return Err(ApiError::invalid(
            "gateway",
            "the gateway must lie outside the range",
        ));
    }
    Ok(())
}

pub fn ip_pool_create(conn: &mut DbConn, ctx: &Ctx, p: IpPoolCreate) -> ApiResult<IpPoolRow> {
    ctx.actor.require_operator()?;
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    validate_pool_range(&p)?;
    let now = now_micros();
    let row = IpPoolRow {
        id: new_id(),
        name: p.name,
        description: p.description,
        first_address: p.first_address,
        last_address: p.last_address,
        prefix_len: i32::from(p.prefix_len),
        gateway: p.gateway,
        time_created: now,
        time_modified: now,
        generation: 1,
    };
    diesel::insert_into(ip_pools::table)
        .values(&row)
        .execute(conn)?;
    record_event(
        conn,
        ctx,
        "create",
        global_subject("ip_pool", &row.id, &row.name),
    )?;
    Ok(row)
}

/// Pools are visible to every tenant (they allocate from them); only the
/// operator changes them.
pub fn ip_pool_list(conn: &mut DbConn, page: &PageRequest) -> ApiResult<Page<IpPoolRow>> {
    let mut query = ip_pools::table
        .select(IpPoolRow::as_select())
        .order(ip_pools::name.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(ip_pools::name.gt(after));
    }
    Ok(page.finish(query.load(conn)?, |r| r.name.clone()))
}

pub fn ip_pool_delete(conn: &mut DbConn, ctx: &Ctx, sel: &NameOrId) -> ApiResult<()> {
    ctx.actor.require_operator()?;
    let row = lookup_ip_pool(conn, sel)?;
    let used: i64 = ip_addresses::table
        .filter(ip_addresses::pool_id.eq(&row.id))
        .count()
        .get_result(conn)?;
    if used > 0 {
        return Err(ApiError::conflict(
            "not_empty",
            format!(
                "IP pool \"{}\" still has {used} allocated address(es)",
                row.name
            ),
        ));
    }
    diesel::delete(ip_pools::table.find(&row.id)).execute(conn)?;
    record_event(
        conn,
        ctx,
        "delete",
        global_subject("ip_pool", &row.id, &row.name),
    )?;
    Ok(())
}

pub const SYSTEM_SCOPE: &str = "system";

fn image_subject(row: &ImageRow) -> Subject<'_> {
    Subject {
        resource_type: "image",
        id: &row.id,
        name: &row.name,
        account_id: (row.scope != SYSTEM_SCOPE).then_some(row.scope.as_str()),
        partner_id: None,
    }
}

pub fn image_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    account: Option<&NameOrId>,
    p: ImageCreate,
) -> ApiResult<ImageRow> {
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    if p.os_family.is_empty()
        || p.os_family.len() > 32
        || !p
            .os_family
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Err(ApiError::invalid(
            "os_family",
            "must be 1 to 32 lower-case letters and digits",
        ));
    }
    if p.min_size_bytes == 0 || p.min_size_bytes > MAX_BYTES {
        return Err(ApiError::invalid(
            "min_size_bytes",
            "must be between 1 byte and 64 TiB",
        ));
    }
    let source_ok = ["http://", "https://", "file:///"]
        .iter()
        .any(|s| p.source_url.starts_with(s))
        && p.source_url.len() <= 2048
        && !p.source_url.contains(char::is_whitespace);
    if !source_ok {
        return Err(ApiError::invalid(
            "source_url",
            "must be an http(s):// or file:/// URL of at most 2048 characters",
        ));
    }
    // A named account is resolved first, so naming one the caller cannot
    // see is a 404 whatever else is wrong.
    let owner = if account.is_some() || !p.system {
        Some(resolve_account(conn, &ctx.actor, account)?.id)
    } else {
        None
    };
    let scope = if p.system {
        ctx.actor.require_operator()?;
        SYSTEM_SCOPE.to_string()
    } else {
        owner.expect("resolved above")
    };
    let now = now_micros();
    let row = ImageRow {
        id: new_id(),
        scope,
        name: p.name,
        description: p.description,
        os_family: p.os_family,
        architecture: enum_str(&p.architecture),
        boot_mode: enum_str(&p.boot_mode),
        min_size_bytes: p.min_size_bytes as i64,
        source_url: p.source_url,
        time_created: now,
        time_modified: now,
        generation: 1,
    };
    diesel::insert_into(images::table)
        .values(&row)
        .execute(conn)?;
    record_event(conn, ctx, "create", image_subject(&row))?;
    Ok(row)
}

/// Whether the actor sees an image: system images are public.
fn sees_image(conn: &mut DbConn, actor: &Actor, row: &ImageRow) -> ApiResult<bool> {
    Ok(row.scope == SYSTEM_SCOPE || actor.sees_account_id(conn, &row.scope)?)
}

/// An image by id, or by name: the account's own image of that name first,
/// then the system image.
pub fn image_get(
    conn: &mut DbConn,
    actor: &Actor,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<ImageRow> {
    let row = match sel {
        NameOrId::Id(id) => images::table
            .find(id)
            .select(ImageRow::as_select())
            .first(conn)
            .optional()?,
        NameOrId::Name(name) => {
            let own_scope = match (account, &actor.account_id) {
                (None, None) => None,
                _ => Some(resolve_account(conn, actor, account)?.id),
            };
            let mut found: Vec<ImageRow> = images::table
                .filter(images::name.eq(name))
                .filter(
                    images::scope
                        .eq(SYSTEM_SCOPE)
                        .or(images::scope.eq(own_scope.clone().unwrap_or_default())),
                )
                .select(ImageRow::as_select())
                .load(conn)?;
            found.sort_by_key(|r| r.scope == SYSTEM_SCOPE);
            found.into_iter().next()
        }
    };
    match row {
        Some(r) if sees_image(conn, actor, &r)? => Ok(r),
        _ => Err(ApiError::not_found("image", sel)),
    }
}

/// System images plus the account's own, by name.
pub fn image_list(
    conn: &mut DbConn,
    actor: &Actor,
    account: Option<&NameOrId>,
    page: &PageRequest,
) -> ApiResult<Page<ImageRow>> {
    let own_scope = match (account, &actor.account_id) {
        (None, None) => String::new(),
        _ => resolve_account(conn, actor, account)?.id,
    };
    // Sorted by (name, scope) so a system image and an account image of the
    // same name both appear, in a stable order.
    let mut query = images::table
        .filter(
            images::scope
                .eq(SYSTEM_SCOPE)
                .or(images::scope.eq(own_scope)),
        )
        .select(ImageRow::as_select())
        .order((images::name.asc(), images::scope.asc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        let (name, scope) = after.split_once('/').unwrap_or((after.as_str(), ""));
        query = query.filter(
            images::name.gt(name.to_string()).or(images::name
                .eq(name.to_string())
                .and(images::scope.gt(scope.to_string()))),
        );
    }
    Ok(page.finish(query.load(conn)?, |r| format!("{}/{}", r.name, r.scope)))
}

pub fn image_delete(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<()> {
    let row = image_get(conn, &ctx.actor, sel, account)?;
    if row.scope == SYSTEM_SCOPE {
        ctx.actor.require_operator()?;
    }
    let used: i64 = drives::table
        .filter(drives::image_id.eq(&row.id))
        .count()
        .get_result(conn)?;
    if used > 0 {
        return Err(ApiError::conflict(
            "in_use",
            format!("image \"{}\" is the source of {used} drive(s)", row.name),
        ));
    }
    diesel::delete(images::table.find(&row.id)).execute(conn)?;
    record_event(conn, ctx, "delete", image_subject(&row))?;
    Ok(())
}

/// Register (or point at a new build of) a system image bundle: the
/// all-in-one mode's built-in OS templates.
pub fn register_system_image(
    conn: &mut DbConn,
    name: &str,
    description: &str,
    source_url: &str,
    min_size_bytes: u64,
) -> ApiResult<()> {
    let now = now_micros();
    let existing: Option<ImageRow> = images::table
        .filter(images::scope.eq("system"))
        .filter(images::name.eq(name))
        .select(ImageRow::as_select())
        .first(conn)
        .optional()?;
    match existing {
        Some(mut row) => {
            if row.source_url != source_url || row.min_size_bytes != min_size_bytes as i64 {
                row.source_url = source_url.to_string();
                row.min_size_bytes = min_size_bytes as i64;
                save_row!(conn, images, row)?;
            }
        }
        None => {
            diesel::insert_into(images::table)
                .values(&ImageRow {
                    id: new_id(),
                    scope: "system".into(),
                    name: name.to_string(),
                    description: description.to_string(),
                    os_family: "linux".into(),
                    architecture: enum_str(&crate::params::Architecture::X86_64),
                    boot_mode: enum_str(&crate::params::BootMode::DirectKernel),
                    min_size_bytes: min_size_bytes as i64,
                    source_url: source_url.to_string(),
                    time_created: now,
                    time_modified: now,
                    generation: 1,
                })
                .execute(conn)?;
        }
    }
    Ok(())
}
