//! Handlers: IP pools and IP addresses.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{
    ApiJson, ApiQuery, IfMatch, IpAddressPath, PoolPath, ProjectList, Selector, page, tagged,
};
use crate::app::{self, Ctx};
use crate::state::App;
use overcast_types::ApiResult;
use overcast_types::params::*;
use overcast_types::views::*;

/// IP pools (operator).
pub fn pool_routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(ip_pool_list, ip_pool_create))
        .routes(routes!(ip_pool_get, ip_pool_delete))
}

/// IP addresses (projects).
pub fn address_routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(ip_address_list, ip_address_create))
        .routes(routes!(
            ip_address_get,
            ip_address_update,
            ip_address_release
        ))
}

/// List IP addresses in a project
#[utoipa::path(get, path = "/v1/ip-addresses", operation_id = "ip_address_list", tag = "ip-addresses",
    params(ProjectListParams), responses((status = 200, description = "A page of IP addresses", body = IpAddressPage)))]
async fn ip_address_list(
    State(app): State<App>,
    ctx: Ctx,
    ProjectList { scope, page }: ProjectList,
) -> ApiResult<axum::Json<IpAddressPage>> {
    let rows = app
        .db
        .read(move |c| app::ips::ip_address_list(c, &ctx.actor, &scope, &page))
        .await?;
    Ok(axum::Json(rows.map(IpAddress::from).into()))
}

/// Allocate an IP address
///
/// Takes the lowest free address of the pool. 507 when the pool is full.
#[utoipa::path(post, path = "/v1/ip-addresses", operation_id = "ip_address_create", tag = "ip-addresses",
    params(ProjectSelector), request_body = IpAddressCreate,
    responses((status = 201, description = "The new IP address", body = IpAddress)))]
async fn ip_address_create(
    State(app): State<App>,
    ctx: Ctx,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<IpAddressCreate>,
) -> ApiResult<Response> {
    let row = app
        .db
        .write(move |c| app::ips::ip_address_create(c, &ctx, &scope, body))
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        IpAddress::from(row),
    ))
}

/// Fetch an IP address
#[utoipa::path(get, path = "/v1/ip-addresses/{ip_address}", operation_id = "ip_address_get", tag = "ip-addresses",
    params(IpAddressPath, ProjectSelector),
    responses((status = 200, description = "The IP address", body = IpAddress)))]
async fn ip_address_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<Response> {
    let row = app
        .db
        .read_by_id(
            (ctx.actor, sel, scope),
            async |c, (actor, sel, scope)| app::ips::fetch_ip_address(c, actor, sel, scope).await,
            |c, (actor, sel, scope)| app::ips::lookup_ip_address(c, actor, sel, scope),
        )
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, IpAddress::from(row)))
}

/// Update an IP address
#[utoipa::path(put, path = "/v1/ip-addresses/{ip_address}", operation_id = "ip_address_update", tag = "ip-addresses",
    params(IpAddressPath, ProjectSelector),
    request_body = IdentityUpdate,
    responses((status = 200, description = "The updated IP address", body = IpAddress)))]
async fn ip_address_update(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<IdentityUpdate>,
) -> ApiResult<Response> {
    let row = app
        .db
        .write(move |c| app::ips::ip_address_update(c, &ctx, &sel, &scope, body, if_match))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, IpAddress::from(row)))
}

/// Release an IP address
///
/// The address must not be attached. It returns to its pool.
#[utoipa::path(delete, path = "/v1/ip-addresses/{ip_address}", operation_id = "ip_address_release", tag = "ip-addresses",
    params(IpAddressPath, ProjectSelector),
    responses((status = 204, description = "Released")))]
async fn ip_address_release(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<StatusCode> {
    app.db
        .write(move |c| app::ips::ip_address_release(c, &ctx, &sel, &scope))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List IP pools
///
/// Every tenant sees the pools it can allocate addresses from.
#[utoipa::path(get, path = "/v1/ip-pools", operation_id = "ip_pool_list", tag = "ip-pools",
    params(PageParams), responses((status = 200, description = "A page of IP pools", body = IpPoolPage)))]
async fn ip_pool_list(
    State(app): State<App>,
    _ctx: Ctx,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<axum::Json<IpPoolPage>> {
    let page = page(q.limit, q.page_token.as_deref(), &[])?;
    let rows = app
        .db
        .read(move |c| app::ips::ip_pool_list(c, &page))
        .await?;
    Ok(axum::Json(rows.map(IpPool::from).into()))
}

/// Create an IP pool
#[utoipa::path(post, path = "/v1/ip-pools", operation_id = "ip_pool_create", tag = "ip-pools",
    request_body = IpPoolCreate,
    responses((status = 201, description = "The new IP pool", body = IpPool)),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn ip_pool_create(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<IpPoolCreate>,
) -> ApiResult<Response> {
    let row = app
        .db
        .write(move |c| app::ips::ip_pool_create(c, &ctx, body))
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        IpPool::from(row),
    ))
}

/// Fetch an IP pool
#[utoipa::path(get, path = "/v1/ip-pools/{pool}", operation_id = "ip_pool_get", tag = "ip-pools",
    params(PoolPath),
    responses((status = 200, description = "The IP pool", body = IpPool)))]
async fn ip_pool_get(
    State(app): State<App>,
    _ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<Response> {
    let row = app
        .db
        .read(move |c| app::ips::lookup_ip_pool(c, &sel))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, IpPool::from(row)))
}

/// Delete an IP pool
///
/// The pool must have no allocated addresses.
#[utoipa::path(delete, path = "/v1/ip-pools/{pool}", operation_id = "ip_pool_delete", tag = "ip-pools",
    params(PoolPath),
    responses((status = 204, description = "Deleted")),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn ip_pool_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<StatusCode> {
    app.db
        .write(move |c| app::ips::ip_pool_delete(c, &ctx, &sel))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
