//! IP pools (the operator's address ranges) and the IP addresses projects
//! allocate from them.

use std::collections::HashSet;
use std::net::Ipv4Addr;

use diesel::prelude::*;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, list_by_name, now_micros, save_row};
use overcast_types::ids::*;
use overcast_types::params::{IdentityUpdate, IpAddressCreate, IpPoolCreate};
use overcast_types::{ApiError, ApiResult, NameOrId, Page, PageRequest};

use super::{
    Actor, Ctx, ProjectScope, apply_identity, check_generation, global_lookup, global_subject,
    project_of, project_scoped_lookup, record_event, subject, validate_description, validate_name,
};

global_lookup!(lookup_ip_pool, ip_pools, IpPoolRow, "IP pool");

project_scoped_lookup!(
    lookup_ip_address,
    fetch_ip_address,
    ip_addresses,
    IpAddressRow,
    "IP address"
);

list_by_name!(
    list_ip_addresses_in,
    ip_addresses,
    IpAddressRow,
    project_id,
    ProjectId
);

/// The most addresses one pool may span.
pub const MAX_POOL_SIZE: u32 = 1 << 16;

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
        id: IpPoolId::new(),
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
        return Err(ApiError::insufficient(
            "pool_exhausted",
            format!("IP pool \"{}\" has no free address", pool.name),
        ));
    };
    let now = now_micros();
    let row = IpAddressRow {
        id: IpAddressId::new(),
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
    apply_identity(&mut row.name, &mut row.description, p)?;
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
