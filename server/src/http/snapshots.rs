//! Handlers: snapshots of drives, and images made from them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ProjectList, Selector, SnapshotPath, tagged};
use crate::app::{self, Ctx};
use crate::state::App;
use overcast_types::ApiResult;
use overcast_types::params::*;
use overcast_types::views::*;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(snapshot_list, snapshot_create))
        .routes(routes!(snapshot_get, snapshot_delete))
        .routes(routes!(snapshot_image_create))
}

/// List snapshots in a project
#[utoipa::path(get, path = "/v1/snapshots", operation_id = "snapshot_list", tag = "snapshots",
    params(ProjectListParams), responses((status = 200, description = "A page of snapshots", body = SnapshotPage)))]
async fn snapshot_list(
    State(app): State<App>,
    ctx: Ctx,
    ProjectList { scope, page }: ProjectList,
) -> ApiResult<axum::Json<SnapshotPage>> {
    let rows = app
        .db
        .read(move |c| app::snapshots::snapshot_list(c, &ctx, &scope, &page))
        .await?;
    Ok(axum::Json(rows.map(Snapshot::from).into()))
}

/// Snapshot a drive
///
/// A crash-consistent point-in-time copy of a `replicated` drive, attached
/// or not; `local` drives answer 409 `storage_class_unsupported`. It counts
/// toward the drive's `total_size_bytes` until deleted.
#[utoipa::path(post, path = "/v1/snapshots", operation_id = "snapshot_create", tag = "snapshots",
    params(ProjectSelector), request_body = SnapshotCreate,
    responses((status = 201, description = "The new snapshot", body = Snapshot)))]
async fn snapshot_create(
    State(app): State<App>,
    ctx: Ctx,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<SnapshotCreate>,
) -> ApiResult<Response> {
    let actor = ctx.actor.clone();
    let launched = app
        .db
        .write(move |c| app::snapshots::snapshot_create(c, &ctx, &scope, body))
        .await?;
    let id = launched.value.id.clone();
    app.launch_and_wait(launched, super::QUICK_WAIT).await;
    let row = reload(&app, actor, id).await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        Snapshot::from(row),
    ))
}

async fn reload(
    app: &App,
    actor: app::Actor,
    id: overcast_types::ids::SnapshotId,
) -> ApiResult<overcast_db::models::SnapshotRow> {
    app.db
        .read(move |c| {
            app::snapshots::lookup_snapshot(
                c,
                &actor,
                &overcast_types::NameOrId::id(&id),
                &app::ProjectScope::default(),
            )
        })
        .await
}

/// Fetch a snapshot
#[utoipa::path(get, path = "/v1/snapshots/{snapshot}", operation_id = "snapshot_get", tag = "snapshots",
    params(SnapshotPath, ProjectSelector),
    responses((status = 200, description = "The snapshot", body = Snapshot)))]
async fn snapshot_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<Response> {
    let row = app
        .db
        .read_by_id(
            (ctx.actor, sel, scope),
            async |c, (actor, sel, scope)| {
                app::snapshots::fetch_snapshot(c, actor, sel, scope).await
            },
            |c, (actor, sel, scope)| app::snapshots::lookup_snapshot(c, actor, sel, scope),
        )
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Snapshot::from(row)))
}

/// Delete a snapshot
///
/// Drives and images made from it keep their data.
#[utoipa::path(delete, path = "/v1/snapshots/{snapshot}", operation_id = "snapshot_delete", tag = "snapshots",
    params(SnapshotPath, ProjectSelector),
    responses((status = 204, description = "Deleted")))]
async fn snapshot_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
) -> ApiResult<StatusCode> {
    let launched = app
        .db
        .write(move |c| app::snapshots::snapshot_delete(c, &ctx, &sel, &scope))
        .await?;
    app.launch_and_wait(launched, super::QUICK_WAIT).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Make an image from a snapshot
///
/// An image of the snapshot's account that boots like the image its drive
/// was made from, with the snapshot's data. Boot drives made from it are
/// copy-on-write clones, and must be `replicated`.
#[utoipa::path(post, path = "/v1/snapshots/{snapshot}/image", operation_id = "snapshot_image_create", tag = "snapshots",
    params(SnapshotPath, ProjectSelector), request_body = SnapshotImageCreate,
    responses((status = 201, description = "The new image", body = Image)))]
async fn snapshot_image_create(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    scope: app::ProjectScope,
    ApiJson(body): ApiJson<SnapshotImageCreate>,
) -> ApiResult<Response> {
    let row = app
        .db
        .write(move |c| app::snapshots::snapshot_image_create(c, &ctx, &sel, &scope, body))
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        Image::from(row),
    ))
}
