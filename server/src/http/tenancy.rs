//! Handlers: partners, accounts, users, tokens, projects, SSH keys, events.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{
    AccountPath, ApiJson, ApiQuery, IfMatch, PartnerPath, ProjectPath, Selector, SshKeyPath,
    UserPath, page, selector, tagged,
};
use crate::app::{Ctx, brands, tenancy};
use crate::state::App;
use overcast_types::ApiResult;
use overcast_types::params::*;
use overcast_types::views::*;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(partner_list, partner_create))
        .routes(routes!(partner_get, partner_update, partner_delete))
        .routes(routes!(brand_get, brand_update))
        .routes(routes!(account_list, account_create))
        .routes(routes!(account_get, account_update, account_delete))
        .routes(routes!(user_list, user_create))
        .routes(routes!(user_get, user_delete))
        .routes(routes!(token_list, token_create))
        .routes(routes!(token_revoke))
        .routes(routes!(project_list, project_create))
        .routes(routes!(project_get, project_update, project_delete))
        .routes(routes!(ssh_key_list, ssh_key_create))
        .routes(routes!(ssh_key_get, ssh_key_delete))
        .routes(routes!(event_list))
}

/// List partners
///
/// Operators see every partner; partner admins see their own.
#[utoipa::path(get, path = "/v1/partners", operation_id = "partner_list", tag = "partners",
    params(PageParams), responses((status = 200, description = "A page of partners", body = PartnerPage)))]
async fn partner_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<axum::Json<PartnerPage>> {
    let page = page(q.limit, q.page_token.as_deref(), &[])?;
    let rows = app
        .db
        .read(move |c| tenancy::partner_list(c, &ctx.actor, &page))
        .await?;
    Ok(axum::Json(rows.map(Partner::from).into()))
}

/// Create a partner
///
/// Operators only. A partner is a white-label reseller with its own brand.
#[utoipa::path(post, path = "/v1/partners", operation_id = "partner_create", tag = "partners",
    request_body = PartnerCreate,
    responses((status = 201, description = "The new partner", body = Partner)),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn partner_create(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<PartnerCreate>,
) -> ApiResult<Response> {
    let row = app
        .db
        .write(move |c| tenancy::partner_create(c, &ctx, body))
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        Partner::from(row),
    ))
}

/// Fetch a partner
#[utoipa::path(get, path = "/v1/partners/{partner}", operation_id = "partner_get", tag = "partners",
    params(PartnerPath),
    responses((status = 200, description = "The partner", body = Partner)))]
async fn partner_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<Response> {
    let row = app
        .db
        .read(move |c| tenancy::partner_get(c, &ctx.actor, &sel))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Partner::from(row)))
}

/// Update a partner
///
/// Operators may change everything; a partner's admins may change its description and brand.
#[utoipa::path(put, path = "/v1/partners/{partner}", operation_id = "partner_update", tag = "partners",
    params(PartnerPath),
    request_body = PartnerUpdate,
    responses((status = 200, description = "The updated partner", body = Partner)))]
async fn partner_update(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<PartnerUpdate>,
) -> ApiResult<Response> {
    let row = app
        .db
        .write(move |c| tenancy::partner_update(c, &ctx, &sel, body, if_match))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Partner::from(row)))
}

/// Fetch the brand for this host
///
/// Needs no credentials: a console calls it before anyone logs in, to
/// show the right brand from the first paint. The brand is the partner's
/// that lists the request's `Host` among its `host_names`, or else the
/// operator's own.
#[utoipa::path(get, path = "/v1/brand", operation_id = "brand_get", tag = "partners",
    responses((status = 200, description = "The brand", body = BrandInfo)))]
async fn brand_get(State(app): State<App>, headers: axum::http::HeaderMap) -> ApiResult<Response> {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let info = app
        .db
        .read(move |c| brands::brand_for_host(c, &host))
        .await?;
    let mut response = axum::Json(info).into_response();
    // Brands change rarely; a minute of caching spares a query per page load.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=60"),
    );
    response.headers_mut().insert(
        axum::http::header::VARY,
        axum::http::HeaderValue::from_static("Host"),
    );
    Ok(response)
}

/// Set the operator's brand
///
/// What the console shows on every host name no partner holds. Operators only.
#[utoipa::path(put, path = "/v1/brand", operation_id = "brand_update", tag = "partners",
    request_body = Brand,
    responses((status = 200, description = "The operator's brand", body = BrandInfo)),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn brand_update(
    State(app): State<App>,
    ctx: Ctx,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<Brand>,
) -> ApiResult<Response> {
    let (brand, generation) = app
        .db
        .write(move |c| brands::operator_brand_update(c, &ctx, body.clone(), if_match))
        .await?;
    let info = BrandInfo {
        partner_id: None,
        warnings: brand.contrast_warnings(),
        brand,
    };
    Ok(tagged(StatusCode::OK, generation, info))
}

/// Delete a partner
///
/// Operators only. The partner must own no accounts.
#[utoipa::path(delete, path = "/v1/partners/{partner}", operation_id = "partner_delete", tag = "partners",
    params(PartnerPath),
    responses((status = 204, description = "Deleted")),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn partner_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<StatusCode> {
    app.write_revoking(move |c| tenancy::partner_delete(c, &ctx, &sel))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List accounts
///
/// Operators see every account, partner admins their partner's, account tokens their own.
#[utoipa::path(get, path = "/v1/accounts", operation_id = "account_list", tag = "accounts",
    params(PageParams), responses((status = 200, description = "A page of accounts", body = AccountPage)))]
async fn account_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<axum::Json<AccountPage>> {
    let page = page(q.limit, q.page_token.as_deref(), &[])?;
    let rows = app
        .db
        .read(move |c| tenancy::account_list(c, &ctx.actor, &page))
        .await?;
    Ok(axum::Json(rows.map(Account::from).into()))
}

/// Create an account
///
/// Operators and partner admins. A partner admin's accounts belong to its partner.
#[utoipa::path(post, path = "/v1/accounts", operation_id = "account_create", tag = "accounts",
    request_body = AccountCreate,
    responses((status = 201, description = "The new account", body = Account)))]
async fn account_create(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<AccountCreate>,
) -> ApiResult<Response> {
    let row = app
        .db
        .write(move |c| tenancy::account_create(c, &ctx, body))
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        Account::from(row),
    ))
}

/// Fetch an account
#[utoipa::path(get, path = "/v1/accounts/{account}", operation_id = "account_get", tag = "accounts",
    params(AccountPath),
    responses((status = 200, description = "The account", body = Account)))]
async fn account_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<Response> {
    let row = app
        .db
        .read(move |c| tenancy::account_get(c, &ctx.actor, &sel))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Account::from(row)))
}

/// Update an account
///
/// Rename it, describe it, or (its partner's admins and the operator)
/// suspend or resume it.
#[utoipa::path(put, path = "/v1/accounts/{account}", operation_id = "account_update", tag = "accounts",
    params(AccountPath),
    request_body = AccountUpdate,
    responses((status = 200, description = "The updated account", body = Account)))]
async fn account_update(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<AccountUpdate>,
) -> ApiResult<Response> {
    // A suspension takes effect on cached tokens too, on every replica.
    let row = app
        .write_revoking(move |c| tenancy::account_update(c, &ctx, &sel, body, if_match))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Account::from(row)))
}

/// Delete an account
///
/// Operators and the owning partner's admins. The account must have no projects;
/// its users, tokens, SSH keys and images go with it.
#[utoipa::path(delete, path = "/v1/accounts/{account}", operation_id = "account_delete", tag = "accounts",
    params(AccountPath),
    responses((status = 204, description = "Deleted")))]
async fn account_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<StatusCode> {
    app.write_revoking(move |c| tenancy::account_delete(c, &ctx, &sel))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List users
///
/// The users of an account. Staff (operator and partner admin tokens and
/// logins) naming no account get the staff they may see instead: a
/// partner's admins, or for the operator every partner admin and operator.
#[utoipa::path(get, path = "/v1/users", operation_id = "user_list", tag = "users",
    params(AccountListParams), responses((status = 200, description = "A page of users", body = UserPage)))]
async fn user_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AccountListParams>,
) -> ApiResult<axum::Json<UserPage>> {
    let page = page(
        q.limit,
        q.page_token.as_deref(),
        &[("account", q.account.as_deref())],
    )?;
    let account = selector("account", page.param("account"))?;
    let rows = app
        .db
        .read(move |c| tenancy::user_list(c, &ctx.actor, account.as_ref(), &page))
        .await?;
    Ok(axum::Json(rows.map(User::from).into()))
}

/// Create a user
#[utoipa::path(post, path = "/v1/users", operation_id = "user_create", tag = "users",
    params(AccountSelector), request_body = UserCreate,
    responses((status = 201, description = "The new user", body = User)))]
async fn user_create(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AccountSelector>,
    ApiJson(body): ApiJson<UserCreate>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let row = app
        .db
        .write(move |c| tenancy::user_create(c, &ctx, account.as_ref(), body))
        .await?;
    Ok(tagged(StatusCode::CREATED, row.generation, User::from(row)))
}

/// Fetch a user
#[utoipa::path(get, path = "/v1/users/{user}", operation_id = "user_get", tag = "users",
    params(UserPath, AccountSelector),
    responses((status = 200, description = "The user", body = User)))]
async fn user_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let row = app
        .db
        .read(move |c| tenancy::lookup_user(c, &ctx.actor, &sel, account.as_ref()))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, User::from(row)))
}

/// Delete a user
#[utoipa::path(delete, path = "/v1/users/{user}", operation_id = "user_delete", tag = "users",
    params(UserPath, AccountSelector),
    responses((status = 204, description = "Deleted")))]
async fn user_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<StatusCode> {
    let account = selector("account", q.account.as_deref())?;
    app.db
        .write(move |c| tenancy::user_delete(c, &ctx, &sel, account.as_ref()))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List API tokens
///
/// Live tokens of the named account, or of the caller's own level. Secrets are never listed.
#[utoipa::path(get, path = "/v1/tokens", operation_id = "token_list", tag = "tokens",
    params(AccountListParams), responses((status = 200, description = "A page of tokens", body = TokenPage)))]
async fn token_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AccountListParams>,
) -> ApiResult<axum::Json<TokenPage>> {
    let page = page(
        q.limit,
        q.page_token.as_deref(),
        &[("account", q.account.as_deref())],
    )?;
    let account = selector("account", page.param("account"))?;
    let rows = app
        .db
        .read(move |c| tenancy::token_list(c, &ctx.actor, account.as_ref(), &page))
        .await?;
    Ok(axum::Json(rows.map(Token::from).into()))
}

/// Create an API token
///
/// The secret is in this response only. A token can grant at most what its creator has.
#[utoipa::path(post, path = "/v1/tokens", operation_id = "token_create", tag = "tokens",
    request_body = TokenCreate,
    responses((status = 201, description = "The new token with its secret", body = TokenCreated)))]
async fn token_create(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<TokenCreate>,
) -> ApiResult<(StatusCode, axum::Json<TokenCreated>)> {
    let new = app
        .db
        .write(move |c| tenancy::token_create(c, &ctx, body))
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(TokenCreated {
            token: new.row.into(),
            secret: new.secret,
        }),
    ))
}

/// Revoke an API token
///
/// The token stops working at once.
#[utoipa::path(delete, path = "/v1/tokens/{token}", operation_id = "token_revoke", tag = "tokens",
    params(("token" = uuid::Uuid, Path, description = "Id of the token", example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6d")),
    responses((status = 204, description = "Revoked")))]
async fn token_revoke(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<StatusCode> {
    let id = match sel {
        crate::app::NameOrId::Id(id) => id,
        crate::app::NameOrId::Name(n) => {
            return Err(overcast_types::ApiError::not_found("token", n));
        }
    };
    app.write_revoking(move |c| tenancy::token_revoke(c, &ctx, &id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List projects
#[utoipa::path(get, path = "/v1/projects", operation_id = "project_list", tag = "projects",
    params(AccountListParams), responses((status = 200, description = "A page of projects", body = ProjectPage)))]
async fn project_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AccountListParams>,
) -> ApiResult<axum::Json<ProjectPage>> {
    let page = page(
        q.limit,
        q.page_token.as_deref(),
        &[("account", q.account.as_deref())],
    )?;
    let account = selector("account", page.param("account"))?;
    let rows = app
        .db
        .read(move |c| tenancy::project_list(c, &ctx.actor, account.as_ref(), &page))
        .await?;
    Ok(axum::Json(rows.map(Project::from).into()))
}

/// Create a project
#[utoipa::path(post, path = "/v1/projects", operation_id = "project_create", tag = "projects",
    params(AccountSelector), request_body = ProjectCreate,
    responses((status = 201, description = "The new project", body = Project)))]
async fn project_create(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AccountSelector>,
    ApiJson(body): ApiJson<ProjectCreate>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let row = app
        .db
        .write(move |c| tenancy::project_create(c, &ctx, account.as_ref(), body))
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        Project::from(row),
    ))
}

/// Fetch a project
#[utoipa::path(get, path = "/v1/projects/{project}", operation_id = "project_get", tag = "projects",
    params(ProjectPath, AccountSelector),
    responses((status = 200, description = "The project", body = Project)))]
async fn project_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let row = app
        .db
        .read_by_id(
            (ctx.actor, sel, account),
            async |c, (actor, sel, account)| {
                tenancy::fetch_project(c, actor, sel, account.as_ref()).await
            },
            |c, (actor, sel, account)| tenancy::lookup_project(c, actor, sel, account.as_ref()),
        )
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Project::from(row)))
}

/// Update a project
#[utoipa::path(put, path = "/v1/projects/{project}", operation_id = "project_update", tag = "projects",
    params(ProjectPath, AccountSelector),
    request_body = IdentityUpdate,
    responses((status = 200, description = "The updated project", body = Project)))]
async fn project_update(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<IdentityUpdate>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let row = app
        .db
        .write(move |c| tenancy::project_update(c, &ctx, &sel, account.as_ref(), body, if_match))
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, Project::from(row)))
}

/// Delete a project
///
/// The project must hold no instances, drives or IP addresses.
#[utoipa::path(delete, path = "/v1/projects/{project}", operation_id = "project_delete", tag = "projects",
    params(ProjectPath, AccountSelector),
    responses((status = 204, description = "Deleted")))]
async fn project_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<StatusCode> {
    let account = selector("account", q.account.as_deref())?;
    app.db
        .write(move |c| tenancy::project_delete(c, &ctx, &sel, account.as_ref()))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List SSH keys
#[utoipa::path(get, path = "/v1/ssh-keys", operation_id = "ssh_key_list", tag = "ssh-keys",
    params(AccountListParams), responses((status = 200, description = "A page of SSH keys", body = SshKeyPage)))]
async fn ssh_key_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AccountListParams>,
) -> ApiResult<axum::Json<SshKeyPage>> {
    let page = page(
        q.limit,
        q.page_token.as_deref(),
        &[("account", q.account.as_deref())],
    )?;
    let account = selector("account", page.param("account"))?;
    let rows = app
        .db
        .read(move |c| tenancy::ssh_key_list(c, &ctx.actor, account.as_ref(), &page))
        .await?;
    Ok(axum::Json(rows.map(SshKey::from).into()))
}

/// Add an SSH key
#[utoipa::path(post, path = "/v1/ssh-keys", operation_id = "ssh_key_create", tag = "ssh-keys",
    params(AccountSelector), request_body = SshKeyCreate,
    responses((status = 201, description = "The new SSH key", body = SshKey)))]
async fn ssh_key_create(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AccountSelector>,
    ApiJson(body): ApiJson<SshKeyCreate>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let row = app
        .db
        .write(move |c| tenancy::ssh_key_create(c, &ctx, account.as_ref(), body))
        .await?;
    Ok(tagged(
        StatusCode::CREATED,
        row.generation,
        SshKey::from(row),
    ))
}

/// Fetch an SSH key
#[utoipa::path(get, path = "/v1/ssh-keys/{ssh_key}", operation_id = "ssh_key_get", tag = "ssh-keys",
    params(SshKeyPath, AccountSelector),
    responses((status = 200, description = "The SSH key", body = SshKey)))]
async fn ssh_key_get(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let row = app
        .db
        .read_by_id(
            (ctx.actor, sel, account),
            async |c, (actor, sel, account)| {
                tenancy::fetch_ssh_key(c, actor, sel, account.as_ref()).await
            },
            |c, (actor, sel, account)| tenancy::lookup_ssh_key(c, actor, sel, account.as_ref()),
        )
        .await?;
    Ok(tagged(StatusCode::OK, row.generation, SshKey::from(row)))
}

/// Delete an SSH key
#[utoipa::path(delete, path = "/v1/ssh-keys/{ssh_key}", operation_id = "ssh_key_delete", tag = "ssh-keys",
    params(SshKeyPath, AccountSelector),
    responses((status = 204, description = "Deleted")))]
async fn ssh_key_delete(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<StatusCode> {
    let account = selector("account", q.account.as_deref())?;
    app.db
        .write(move |c| tenancy::ssh_key_delete(c, &ctx, &sel, account.as_ref()))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List audit events
///
/// Every mutation: who (token or user), what, when, and the request id,
/// oldest first unless `order=newest_first`, filtered by resource, kind of
/// resource or action. Tenants see the events of their own accounts.
#[utoipa::path(get, path = "/v1/events", operation_id = "event_list", tag = "events",
    params(EventListParams), responses((status = 200, description = "A page of events", body = EventPage)))]
async fn event_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<EventListParams>,
) -> ApiResult<axum::Json<EventPage>> {
    let resource = q.resource_id.map(|id| id.to_string());
    let page = page(
        q.limit,
        q.page_token.as_deref(),
        &[
            ("account", q.account.as_deref()),
            ("resource_id", resource.as_deref()),
            ("resource_type", q.resource_type.as_deref()),
            ("action", q.action.as_deref()),
            ("order", q.order.map(EventOrder::as_str)),
        ],
    )?;
    let account = selector("account", page.param("account"))?;
    let filter = tenancy::EventFilter {
        resource_id: page.param("resource_id").map(str::to_owned),
        resource_type: page.param("resource_type").map(str::to_owned),
        action: page.param("action").map(str::to_owned),
        newest_first: page.param("order") == Some(EventOrder::NewestFirst.as_str()),
    };
    let rows = app
        .db
        .read(move |c| tenancy::event_list(c, &ctx.actor, account.as_ref(), &filter, &page))
        .await?;
    Ok(axum::Json(rows.map(Event::from).into()))
}
