//! Handlers: hosts, IP pools, images.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiQuery, IfMatch, Selector, page, selector, tagged};
use crate::app::{App, Ctx, fleet, infra};
use crate::error::ApiResult;
use crate::params::*;
use crate::views::*;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(host_list))
        .routes(routes!(host_enrollment_create))
        .routes(routes!(host_get, host_update, host_delete))
        .routes(routes!(ip_pool_list, ip_pool_create))
        .routes(routes!(ip_pool_get, ip_pool_delete))
        .routes(routes!(image_list, image_create))
        .routes(routes!(image_get, image_delete))
}

/// List hosts
#[utoipa::path(get, path = "/v1/hosts", operation_id = "host_list", tag = "hosts",
    params(PageParams), responses((status = 200, description = "A page of hosts", body = HostPage)),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn host_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<axum::Json<HostPage>> {
    let page = page(q.limit, q.page_token.as_deref(), &[])?;
    let rows = app
        .db
        .read(move |c| infra::host_list(c, &ctx.actor, &page))
        .await?;
    Ok(axum::Json(rows.map(Host::from).into()))
}

/// Create a host enrollment token
///
/// A one-use token, shown once, that `overcast-hostd` trades for a host
/// identity on its first start. The host reports its own capacity.
#[utoipa::path(post, path = "/v1/host-enrollments", operation_id = "host_enrollment_create", tag = "hosts",
    request_body = HostEnrollmentCreate,
    responses((status = 201, description = "The new enrollment token", body = HostEnrollment)),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn host_enrollment_create(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<HostEnrollmentCreate>,
) -> ApiResult<(StatusCode, axum::Json<HostEnrollment>)> {
    let (row, token) = app
        .db
        .write(move |c| fleet::host_enrollment_create(c, &ctx, body))
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(HostEnrollment::new(row, token)),
    ))
}

/// Fetch a host
#[utoipa::path(get, path = "/v1/hosts/{host}", operation_id = "host_get", tag = "hosts",
    params(("host" = String, Path, description = "Name or id of the host", example = "host-01")),
    responses((status = 200, description = "The host", body = Host)),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn host_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<Response> {
    let row = app
        .db
        .read(move |c| infra::host_get(c, &ctx.actor, &sel))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Host::from(row)))
}

/// Update a host
///
/// Change its description, or drain it (`draining` takes nothing new).
#[utoipa::path(put, path = "/v1/hosts/{host}", operation_id = "host_update", tag = "hosts",
    params(("host" = String, Path, description = "Name or id of the host", example = "host-01")),
    request_body = HostUpdate,
    responses((status = 200, description = "The updated host", body = Host)),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn host_update(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<HostUpdate>,
) -> ApiResult<Response> {
    let row = app
        .db
        .write(move |c| infra::host_update(c, &ctx, &sel, body, if_match))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Host::from(row)))
}

/// Remove a host
///
/// The host must hold no instances.
#[utoipa::path(delete, path = "/v1/hosts/{host}", operation_id = "host_delete", tag = "hosts",
    params(("host" = String, Path, description = "Name or id of the host", example = "host-01")),
    responses((status = 204, description = "Deleted")),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn host_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<StatusCode> {
    app.db
        .write(move |c| infra::host_delete(c, &ctx, &sel))
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
    let rows = app.db.read(move |c| infra::ip_pool_list(c, &page)).await?;
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
        .write(move |c| infra::ip_pool_create(c, &ctx, body))
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        IpPool::from(row),
    ))
}

/// Fetch an IP pool
#[utoipa::path(get, path = "/v1/ip-pools/{pool}", operation_id = "ip_pool_get", tag = "ip-pools",
    params(("pool" = String, Path, description = "Name or id of the IP pool", example = "public")),
    responses((status = 200, description = "The IP pool", body = IpPool)))]
async fn ip_pool_get(
    State(app): State<App>,
    _ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<Response> {
    let row = app.db.read(move |c| infra::lookup_ip_pool(c, &sel)).await?;
    Ok(tagged(StatusCode::OK, row.generation, IpPool::from(row)))
}

/// Delete an IP pool
///
/// The pool must have no allocated addresses.
#[utoipa::path(delete, path = "/v1/ip-pools/{pool}", operation_id = "ip_pool_delete", tag = "ip-pools",
    params(("pool" = String, Path, description = "Name or id of the IP pool", example = "public")),
    responses((status = 204, description = "Deleted")),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn ip_pool_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<StatusCode> {
    app.db
        .write(move |c| infra::ip_pool_delete(c, &ctx, &sel))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List images
///
/// System images plus the account's own.
#[utoipa::path(get, path = "/v1/images", operation_id = "image_list", tag = "images",
    params(AccountListParams), responses((status = 200, description = "A page of images", body = ImagePage)))]
async fn image_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AccountListParams>,
) -> ApiResult<axum::Json<ImagePage>> {
    let page = page(
        q.limit,
        q.page_token.as_deref(),
        &[("account", q.account.as_deref())],
    )?;
    let account = selector("account", page.param("account"))?;
    let rows = app
        .db
        .read(move |c| infra::image_list(c, &ctx.actor, account.as_ref(), &page))
        .await?;
    Ok(axum::Json(rows.map(Image::from).into()))
}

/// Register an image
///
/// `system: true` makes a system-wide image (operators only); otherwise the image
/// belongs to the account.
#[utoipa::path(post, path = "/v1/images", operation_id = "image_create", tag = "images",
    params(AccountSelector), request_body = ImageCreate,
    responses((status = 201, description = "The new image", body = Image)))]
async fn image_create(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AccountSelector>,
    ApiJson(body): ApiJson<ImageCreate>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let row = app
        .db
        .write(move |c| infra::image_create(c, &ctx, account.as_ref(), body))
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        Image::from(row),
    ))
}

/// Fetch an image
///
/// By name, the account's own image comes before a system image of the same name.
#[utoipa::path(get, path = "/v1/images/{image}", operation_id = "image_get", tag = "images",
    params(("image" = String, Path, description = "Name or id of the image", example = "debian-12"), AccountSelector),
    responses((status = 200, description = "The image", body = Image)))]
async fn image_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let row = app
        .db
        .read(move |c| infra::image_get(c, &ctx.actor, &sel, account.as_ref()))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Image::from(row)))
}

/// Delete an image
///
/// System images are deleted by operators only. No drive may still name it as its source.
#[utoipa::path(delete, path = "/v1/images/{image}", operation_id = "image_delete", tag = "images",
    params(("image" = String, Path, description = "Name or id of the image", example = "debian-12"), AccountSelector),
    responses((status = 204, description = "Deleted")))]
async fn image_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<StatusCode> {
    let account = selector("account", q.account.as_deref())?;
    app.db
        .write(move |c| infra::image_delete(c, &ctx, &sel, account.as_ref()))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
