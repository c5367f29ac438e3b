//! Handlers: hosts and host enrollment.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiQuery, HostPath, IfMatch, Selector, page, tagged};
use crate::app::{self, Ctx};
use crate::state::App;
use overcast_db::views::host_view;
use overcast_types::ApiResult;
use overcast_types::params::*;
use overcast_types::views::*;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(host_list))
        .routes(routes!(host_enrollment_create))
        .routes(routes!(host_get, host_update, host_delete))
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
        .read(move |c| app::hosts::host_list(c, &ctx.actor, &page))
        .await?;
    Ok(axum::Json(rows.map(|(r, a)| host_view(r, a)).into()))
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
        .write(move |c| app::hosts::host_enrollment_create(c, &ctx, body))
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(overcast_db::views::host_enrollment_view(row, token)),
    ))
}

/// Fetch a host
#[utoipa::path(get, path = "/v1/hosts/{host}", operation_id = "host_get", tag = "hosts",
    params(HostPath),
    responses((status = 200, description = "The host", body = Host)),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn host_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<Response> {
    let row = app
        .db
        .read(move |c| app::hosts::host_get(c, &ctx.actor, &sel))
        .await?;
    Ok(tagged(
        StatusCode::OK,
        row.0.generation,
        host_view(row.0, row.1),
    ))
}

/// Update a host
///
/// Change its description, or drain it (`draining` takes nothing new).
#[utoipa::path(put, path = "/v1/hosts/{host}", operation_id = "host_update", tag = "hosts",
    params(HostPath),
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
        .write(move |c| app::hosts::host_update(c, &ctx, &sel, body, if_match))
        .await?;
    Ok(tagged(
        StatusCode::OK,
        row.0.generation,
        host_view(row.0, row.1),
    ))
}

/// Remove a host
///
/// The host must hold no instances.
#[utoipa::path(delete, path = "/v1/hosts/{host}", operation_id = "host_delete", tag = "hosts",
    params(HostPath),
    responses((status = 204, description = "Deleted")),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn host_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<StatusCode> {
    app.db
        .write(move |c| app::hosts::host_delete(c, &ctx, &sel))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
