//! Handlers: instances.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{
    ApiJson, ApiQuery, IfMatch, InstancePath, ProjectList, Selector, project_scope, tagged,
};
use crate::app::{self, Ctx};
use crate::state::App;
use overcast_db::views::instance_view;
use overcast_types::ApiResult;
use overcast_types::params::*;
use overcast_types::views::*;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(instance_list, instance_create))
        .routes(routes!(instance_get, instance_update, instance_delete))
        .routes(routes!(instance_start))
        .routes(routes!(instance_stop))
        .routes(routes!(instance_reboot))
        .routes(routes!(instance_resize))
        .routes(routes!(instance_serial))
        .routes(routes!(instance_drive_attach))
        .routes(routes!(instance_drive_detach))
        .routes(routes!(instance_ip_attach))
        .routes(routes!(instance_ip_detach))
}

fn instance_response(status: StatusCode, parts: app::instances::InstanceParts) -> Response {
    let generation = parts.row.generation;
    tagged(
        status,
        generation,
        instance_view(parts.row, &parts.drive_ids, &parts.ip_ids),
    )
}

/// List instances in a project
#[utoipa::path(get, path = "/v1/instances", operation_id = "instance_list", tag = "instances",
    params(ProjectListParams), responses((status = 200, description = "A page of instances", body = InstancePage)))]
async fn instance_list(
    State(app): State<App>,
    ctx: Ctx,
    ProjectList { scope, page }: ProjectList,
) -> ApiResult<axum::Json<InstancePage>> {
    let rows = app
        .db
        .read(move |c| app::instances::instance_list(c, &ctx.actor, &scope, &page))
        .await?;
    Ok(axum::Json(
        rows.map(|p| instance_view(p.row, &p.drive_ids, &p.ip_ids))
            .into(),
    ))
}

/// Create an instance
///
/// Compose it from a boot drive, extra drives and IP addresses allocated beforehand,
/// or use the quick form: `image` (and optionally `boot_drive_size_bytes`) makes the
/// boot drive, named `<instance>-boot`.
#[utoipa::path(post, path = "/v1/instances", operation_id = "instance_create", tag = "instances",
    params(ProjectSelector), request_body = InstanceCreate,
    responses((status = 201, description = "The new instance", body = Instance)))]
async fn instance_create(
    State(app): State<App>,
    ctx: Ctx,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<InstanceCreate>,
) -> ApiResult<Response> {
    let launched = app
        .db
        .write(move |c| app::instances::instance_create(c, &ctx, &scope, body))
        .await?;
    let parts = app.launch(launched);
    Ok(instance_response(StatusCode::CREATED, parts))
}

/// Fetch an instance
#[utoipa::path(get, path = "/v1/instances/{instance}", operation_id = "instance_get", tag = "instances",
    params(InstancePath, ProjectSelector),
    responses((status = 200, description = "The instance", body = Instance)))]
async fn instance_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<Response> {
    let parts = app
        .db
        .read_by_id(
            (ctx.actor, sel, scope),
            async |c, (actor, sel, scope)| {
                app::instances::fetch_instance_parts(c, actor, sel, scope).await
            },
            |c, (actor, sel, scope)| app::instances::instance_get(c, actor, sel, scope),
        )
        .await?;
    Ok(instance_response(StatusCode::OK, parts))
}

/// Update an instance
///
/// Rename it or change its HA policy, live.
#[utoipa::path(put, path = "/v1/instances/{instance}", operation_id = "instance_update", tag = "instances",
    params(InstancePath, ProjectSelector),
    request_body = InstanceUpdate,
    responses((status = 200, description = "The updated instance", body = Instance)))]
async fn instance_update(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<InstanceUpdate>,
) -> ApiResult<Response> {
    let parts = app
        .db
        .write(move |c| app::instances::instance_update(c, &ctx, &sel, &scope, body, if_match))
        .await?;
    Ok(instance_response(StatusCode::OK, parts))
}

/// Delete an instance
///
/// The instance must be stopped. A boot drive the quick form made goes with it (unless the
/// create set `boot_drive_delete_with_instance: false`); its other drives and its IP addresses
/// are detached and kept.
#[utoipa::path(delete, path = "/v1/instances/{instance}", operation_id = "instance_delete", tag = "instances",
    params(InstancePath, ProjectSelector),
    responses((status = 204, description = "Deleted")))]
async fn instance_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<StatusCode> {
    let launched = app
        .db
        .write(move |c| app::instances::instance_delete(c, &ctx, &sel, &scope))
        .await?;
    app.launch_and_wait(launched, super::QUICK_WAIT).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn act(
    app: App,
    ctx: Ctx,
    sel: overcast_types::NameOrId,
    scope: app::ProjectScope,
    action: app::instances::Action,
) -> ApiResult<Response> {
    let launched = app
        .db
        .write(move |c| app::instances::instance_action(c, &ctx, &sel, &scope, action))
        .await?;
    let parts = app.launch(launched);
    Ok(instance_response(StatusCode::ACCEPTED, parts))
}

/// Start an instance
///
/// Allowed while stopped or failed; the instance moves to `starting`.
#[utoipa::path(post, path = "/v1/instances/{instance}/start", operation_id = "instance_start", tag = "instances",
    params(InstancePath, ProjectSelector),
    responses((status = 202, description = "Starting", body = Instance)))]
async fn instance_start(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<Response> {
    act(app, ctx, sel, scope, app::instances::Action::Start).await
}

/// Stop an instance
///
/// Allowed while running, starting or rebooting.
#[utoipa::path(post, path = "/v1/instances/{instance}/stop", operation_id = "instance_stop", tag = "instances",
    params(InstancePath, ProjectSelector),
    responses((status = 202, description = "Stopping", body = Instance)))]
async fn instance_stop(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<Response> {
    act(app, ctx, sel, scope, app::instances::Action::Stop).await
}

/// Reboot an instance
///
/// Allowed while running.
#[utoipa::path(post, path = "/v1/instances/{instance}/reboot", operation_id = "instance_reboot", tag = "instances",
    params(InstancePath, ProjectSelector),
    responses((status = 202, description = "Rebooting", body = Instance)))]
async fn instance_reboot(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<Response> {
    act(app, ctx, sel, scope, app::instances::Action::Reboot).await
}

/// Read an instance's serial console log
///
/// The console output since the instance was made, from `offset` on. Poll
/// with the returned `next_offset` to follow it.
#[utoipa::path(get, path = "/v1/instances/{instance}/serial", operation_id = "instance_serial", tag = "instances",
    params(InstancePath, SerialParams),
    responses((status = 200, description = "A chunk of the console log", body = SerialOutput)))]
async fn instance_serial(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<SerialParams>,
) -> ApiResult<axum::Json<SerialOutput>> {
    let scope = project_scope(q.project.as_deref(), q.account.as_deref())?;
    let max = q.max_bytes.unwrap_or(65536);
    if !(1..=65536).contains(&max) {
        return Err(overcast_types::ApiError::invalid(
            "max_bytes",
            "must be between 1 and 65536",
        ));
    }
    let parts = app
        .db
        .read(move |c| app::instances::instance_get(c, &ctx.actor, &sel, &scope))
        .await?;
    let chunk =
        crate::hosts::read_serial(&app.sessions, &parts.row, q.offset.unwrap_or(0), max).await?;
    Ok(axum::Json(SerialOutput {
        data: String::from_utf8_lossy(&chunk.data).into_owned(),
        next_offset: chunk.next_offset,
        size: chunk.size,
    }))
}

/// Resize an instance
///
/// Change vcpus and memory. The instance must be stopped.
#[utoipa::path(post, path = "/v1/instances/{instance}/resize", operation_id = "instance_resize", tag = "instances",
    params(InstancePath, ProjectSelector),
    request_body = InstanceResize,
    responses((status = 200, description = "The resized instance", body = Instance)))]
async fn instance_resize(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<InstanceResize>,
) -> ApiResult<Response> {
    let actor = ctx.actor.clone();
    let launched = app
        .db
        .write(move |c| app::instances::instance_resize(c, &ctx, &sel, &scope, body, if_match))
        .await?;
    // Redefining a stopped domain is quick: answer once it is done.
    let id = overcast_types::NameOrId::id(&launched.value.row.id);
    app.launch_and_wait(launched, super::QUICK_WAIT).await;
    let parts = app
        .db
        .read(move |c| app::instances::instance_get(c, &actor, &id, &app::ProjectScope::default()))
        .await?;
    Ok(instance_response(StatusCode::OK, parts))
}

async fn drive_attachment(
    app: App,
    ctx: Ctx,
    sel: overcast_types::NameOrId,
    scope: app::ProjectScope,
    body: DriveAttachment,
    attach: bool,
) -> ApiResult<Response> {
    let parts = app
        .db
        .write(move |c| app::instances::instance_drive(c, &ctx, &sel, &scope, body, attach))
        .await?;
    Ok(instance_response(StatusCode::OK, parts))
}

/// Attach a drive
///
/// The instance must be stopped; the drive takes the next slot.
#[utoipa::path(post, path = "/v1/instances/{instance}/drives/attach", operation_id = "instance_drive_attach", tag = "instances",
    params(InstancePath, ProjectSelector),
    request_body = DriveAttachment,
    responses((status = 200, description = "The instance", body = Instance)))]
async fn instance_drive_attach(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<DriveAttachment>,
) -> ApiResult<Response> {
    drive_attachment(app, ctx, sel, scope, body, true).await
}

/// Detach a drive
///
/// The instance must be stopped. The boot drive cannot be detached.
#[utoipa::path(post, path = "/v1/instances/{instance}/drives/detach", operation_id = "instance_drive_detach", tag = "instances",
    params(InstancePath, ProjectSelector),
    request_body = DriveAttachment,
    responses((status = 200, description = "The instance", body = Instance)))]
async fn instance_drive_detach(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<DriveAttachment>,
) -> ApiResult<Response> {
    drive_attachment(app, ctx, sel, scope, body, false).await
}

async fn ip_attachment(
    app: App,
    ctx: Ctx,
    sel: overcast_types::NameOrId,
    scope: app::ProjectScope,
    body: IpAttachment,
    attach: bool,
) -> ApiResult<Response> {
    let parts = app
        .db
        .write(move |c| app::instances::instance_ip(c, &ctx, &sel, &scope, body, attach))
        .await?;
    Ok(instance_response(StatusCode::OK, parts))
}

/// Attach an IP address
///
/// The instance must be stopped.
#[utoipa::path(post, path = "/v1/instances/{instance}/ip-addresses/attach", operation_id = "instance_ip_attach", tag = "instances",
    params(InstancePath, ProjectSelector),
    request_body = IpAttachment,
    responses((status = 200, description = "The instance", body = Instance)))]
async fn instance_ip_attach(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<IpAttachment>,
) -> ApiResult<Response> {
    ip_attachment(app, ctx, sel, scope, body, true).await
}

/// Detach an IP address
///
/// The instance must be stopped.
#[utoipa::path(post, path = "/v1/instances/{instance}/ip-addresses/detach", operation_id = "instance_ip_detach", tag = "instances",
    params(InstancePath, ProjectSelector),
    request_body = IpAttachment,
    responses((status = 200, description = "The instance", body = Instance)))]
async fn instance_ip_detach(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<IpAttachment>,
) -> ApiResult<Response> {
    ip_attachment(app, ctx, sel, scope, body, false).await
}
