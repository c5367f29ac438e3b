//! Handlers: drives.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, DrivePath, IfMatch, ProjectList, Selector, tagged};
use crate::app::{self, Ctx};
use crate::state::App;
use crate::storage::ClusterHealth;
use overcast_db::models::DriveRow;
use overcast_types::ids::DriveId;
use overcast_types::params::*;
use overcast_types::views::*;
use overcast_types::{ApiResult, Page};

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(drive_list, drive_create))
        .routes(routes!(drive_get, drive_update, drive_delete))
        .routes(routes!(drive_rollback))
}

/// The drives' views: snapshots counted in (`app`), and a replicated
/// drive's replication as the storage cluster was last read.
pub(super) async fn views(app: &App, rows: Vec<DriveRow>) -> ApiResult<Vec<Drive>> {
    let views = if app::drives::have_snapshots(&rows) {
        app.db
            .read(move |c| app::drives::views(c, rows.clone()))
            .await?
    } else {
        app::drives::views_sized(rows, &Default::default())
    };
    replication(app, views).await
}

/// The drives' views with their replication (see [`with_health`]).
async fn replication(app: &App, views: Vec<Drive>) -> ApiResult<Vec<Drive>> {
    let Some(observed) = app.storage_health() else {
        return Ok(views);
    };
    if observed.0.pools.iter().all(|p| p.unclean.is_empty()) {
        return Ok(with_health(&observed, views));
    }
    // Mapping each object of each drive to its group takes a while for
    // big drives: not on the runtime's threads.
    tokio::task::spawn_blocking(move || with_health(&observed, views))
        .await
        .map_err(overcast_types::ApiError::internal)
}

/// Each replicated drive's `replication`: from the placement groups its
/// objects fall in, as last read (`health`, and when); its pool's when its
/// image's id is not known (a pool that is not clean, and an image listing
/// that failed).
fn with_health((health, at): &(ClusterHealth, i64), mut views: Vec<Drive>) -> Vec<Drive> {
    for view in &mut views {
        if view.storage_class != StorageClass::Replicated {
            continue;
        }
        let id = DriveId::from(view.identity.id);
        view.replication = health
            .drive(&id, i32::from(view.replicas), view.size_bytes)
            .map(|own| Replication {
                state: own.state,
                degraded_ratio: own.degraded_ratio,
                recovery_progress: own.recovery_progress,
                time_observed: overcast_db::views::time(*at),
            });
    }
    views
}

async fn view(app: &App, row: DriveRow) -> ApiResult<Drive> {
    Ok(views(app, vec![row]).await?.remove(0))
}

/// List drives in a project
#[utoipa::path(get, path = "/v1/drives", operation_id = "drive_list", tag = "drives",
    params(ProjectListParams), responses((status = 200, description = "A page of drives", body = DrivePage)))]
async fn drive_list(
    State(app): State<App>,
    ctx: Ctx,
    ProjectList { scope, page }: ProjectList,
) -> ApiResult<axum::Json<DrivePage>> {
    let rows = app
        .db
        .read(move |c| app::drives::drive_list(c, &ctx.actor, &scope, &page))
        .await?;
    let items = views(&app, rows.items).await?;
    Ok(axum::Json(
        Page {
            items,
            next_page: rows.next_page,
        }
        .into(),
    ))
}

/// Create a drive
///
/// A blank drive, or a copy of an image. Placement honours `avoid_drives` and `avoid_instances`.
#[utoipa::path(post, path = "/v1/drives", operation_id = "drive_create", tag = "drives",
    params(ProjectSelector), request_body = DriveCreate,
    responses((status = 201, description = "The new drive", body = Drive)))]
async fn drive_create(
    State(app): State<App>,
    ctx: Ctx,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<DriveCreate>,
) -> ApiResult<Response> {
    let actor = ctx.actor.clone();
    let launched = app
        .db
        .write(move |c| app::drives::drive_create(c, &ctx, &scope, body))
        .await?;
    let id = launched.value.id.clone();
    app.launch_and_wait(launched, super::QUICK_WAIT).await;
    let row = reload_drive(&app, actor, id).await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        view(&app, row).await?,
    ))
}

async fn reload_drive(app: &App, actor: app::Actor, id: DriveId) -> ApiResult<DriveRow> {
    app.db
        .read(move |c| {
            app::drives::lookup_drive(
                c,
                &actor,
                &overcast_types::NameOrId::id(&id),
                &app::ProjectScope::default(),
            )
        })
        .await
}

/// Fetch a drive
#[utoipa::path(get, path = "/v1/drives/{drive}", operation_id = "drive_get", tag = "drives",
    params(DrivePath, ProjectSelector),
    responses((status = 200, description = "The drive", body = Drive)))]
async fn drive_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<Response> {
    let row = app
        .db
        .read_by_id(
            (ctx.actor, sel, scope),
            async |c, (actor, sel, scope)| app::drives::fetch_drive(c, actor, sel, scope).await,
            |c, (actor, sel, scope)| app::drives::lookup_drive(c, actor, sel, scope),
        )
        .await?;
    Ok(tagged(
        StatusCode::OK,
        row.generation,
        view(&app, row).await?,
    ))
}

/// Update a drive
///
/// Rename it, or grow it (live). A drive never shrinks. A local drive
/// grows on its host's storage: 507 when the host has not that much
/// unallocated.
#[utoipa::path(put, path = "/v1/drives/{drive}", operation_id = "drive_update", tag = "drives",
    params(DrivePath, ProjectSelector),
    request_body = DriveUpdate,
    responses((status = 200, description = "The updated drive", body = Drive)))]
async fn drive_update(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<DriveUpdate>,
) -> ApiResult<Response> {
    let actor = ctx.actor.clone();
    let launched = app
        .db
        .write(move |c| app::drives::drive_update(c, &ctx, &sel, &scope, body, if_match))
        .await?;
    let id = launched.value.id.clone();
    app.launch_and_wait(launched, super::QUICK_WAIT).await;
    let row = reload_drive(&app, actor, id).await?;
    Ok(tagged(
        StatusCode::OK,
        row.generation,
        view(&app, row).await?,
    ))
}

/// Delete a drive
///
/// The drive must not be attached.
#[utoipa::path(delete, path = "/v1/drives/{drive}", operation_id = "drive_delete", tag = "drives",
    params(DrivePath, ProjectSelector),
    responses((status = 204, description = "Deleted")))]
async fn drive_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<StatusCode> {
    let launched = app
        .db
        .write(move |c| app::drives::drive_delete(c, &ctx, &sel, &scope))
        .await?;
    app.launch_and_wait(launched, super::QUICK_WAIT).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Roll a drive back to a snapshot
///
/// The drive must be detached, or attached to a stopped instance. It is
/// `restoring` until done; what was written since the snapshot is lost.
/// `local` drives have no snapshots (409 `storage_class_unsupported`).
#[utoipa::path(post, path = "/v1/drives/{drive}/rollback", operation_id = "drive_rollback", tag = "drives",
    params(DrivePath, ProjectSelector), request_body = DriveRollback,
    responses((status = 202, description = "Rolling back (`restoring`)", body = Drive)))]
async fn drive_rollback(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<DriveRollback>,
) -> ApiResult<Response> {
    let actor = ctx.actor.clone();
    let launched = app
        .db
        .write(move |c| app::snapshots::drive_rollback(c, &ctx, &sel, &scope, body))
        .await?;
    let id = launched.value.id.clone();
    app.launch_and_wait(launched, super::QUICK_WAIT).await;
    let row = reload_drive(&app, actor, id).await?;
    Ok(tagged(
        StatusCode::ACCEPTED,
        row.generation,
        view(&app, row).await?,
    ))
}
