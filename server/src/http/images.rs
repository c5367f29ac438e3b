//! Handlers: OS images.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiQuery, ImagePath, Selector, page, selector, tagged};
use crate::app::{self, Ctx};
use crate::state::App;
use overcast_types::ApiResult;
use overcast_types::params::*;
use overcast_types::views::*;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(image_list, image_create))
        .routes(routes!(image_get, image_delete))
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
        .read(move |c| app::images::image_list(c, &ctx.actor, account.as_ref(), &page))
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
        .write(move |c| app::images::image_create(c, &ctx, account.as_ref(), body))
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
    params(ImagePath, AccountSelector),
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
        .read(move |c| app::images::image_get(c, &ctx.actor, &sel, account.as_ref()))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Image::from(row)))
}

/// Delete an image
///
/// System images are deleted by operators only. No drive may still name it as its source.
#[utoipa::path(delete, path = "/v1/images/{image}", operation_id = "image_delete", tag = "images",
    params(ImagePath, AccountSelector),
    responses((status = 204, description = "Deleted")))]
async fn image_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<StatusCode> {
    let account = selector("account", q.account.as_deref())?;
    app.db
        .write(move |c| app::images::image_delete(c, &ctx, &sel, account.as_ref()))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
