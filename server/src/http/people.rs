//! Handlers: logging in and out, the caller (`/v1/me`), login sessions,
//! and invitation links.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{
    ApiJson, ApiQuery, Selector, UserPath, client_address, forwarded_https, page, selector,
};
use crate::app::{Ctx, brands, people, second_factor};
use crate::state::App;
use overcast_db::models::SessionRow;
use overcast_types::params::*;
use overcast_types::views::*;
use overcast_types::{ApiError, ApiResult};

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(session_login))
        .routes(routes!(session_logout))
        .routes(routes!(me_get))
        .routes(routes!(session_list))
        .routes(routes!(session_revoke))
        .routes(routes!(invitation_create))
        .routes(routes!(invitation_accept))
        .routes(routes!(totp_enroll))
        .routes(routes!(totp_confirm))
        .routes(routes!(totp_disable))
        .routes(routes!(user_totp_reset))
}

/// Where a request comes from: its address, browser, and the origin it
/// was made to (for links and the cookie's `Secure`).
pub struct Client {
    address: String,
    user_agent: String,
    host: String,
    secure: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let text = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let secure = forwarded_https(&parts.extensions, &parts.headers)
            || text(header::ORIGIN).starts_with("https://");
        Ok(Client {
            address: client_address(parts),
            user_agent: text(header::USER_AGENT),
            host: text(header::HOST),
            secure,
        })
    }
}

impl Client {
    fn origin(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}", self.host)
    }

    /// The `Set-Cookie` value for a session secret (or, with none, one
    /// that deletes the cookie).
    fn cookie(&self, secret: Option<&str>) -> HeaderValue {
        let (value, age) = match secret {
            Some(s) => (s, people::SESSION_ABSOLUTE_SECS),
            None => ("", 0),
        };
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={age}{secure}",
            people::SESSION_COOKIE
        ))
        .expect("session secrets are URL-safe base64")
    }
}

fn session_view(row: SessionRow, current: Option<&str>) -> Session {
    let time = |t: i64| chrono::DateTime::from_timestamp_micros(t).unwrap_or_default();
    Session {
        current: current == Some(row.id.as_str()),
        id: row.id.uuid(),
        user_id: row.user_id.uuid(),
        client: row.client,
        user_agent: row.user_agent,
        time_created: time(row.time_created),
        time_last_used: time(row.time_last_used),
        time_expires: time(row.time_expires),
    }
}

/// Log in
///
/// With an e-mail and a password. The answer sets the `overcast_session`
/// cookie (HttpOnly, SameSite=Lax) and carries the CSRF token that changes
/// made with the cookie must send. A wrong e-mail and a wrong password get
/// the same 401; repeated failures, per e-mail and per client address, get
/// a 429 with `Retry-After`.
#[utoipa::path(post, path = "/v1/login", operation_id = "session_login", tag = "sessions",
    request_body = LoginRequest,
    responses((status = 200, description = "Logged in; the session cookie is set", body = Login,
        headers(("Set-Cookie" = String, description = "overcast_session=...; Path=/; HttpOnly; SameSite=Lax")))))]
async fn session_login(
    State(app): State<App>,
    client: Client,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let subjects = people::failure_subjects(&body.email, &client.address);
    let email = body.email.clone();
    let checked = subjects.clone();
    let user = app
        .db
        .read(move |c| {
            people::check_failures(c, &checked)?;
            people::login_user(c, &email)
        })
        .await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = body.password;
    let ok =
        tokio::task::spawn_blocking(move || people::verify_password(&password, hash.as_deref()))
            .await
            .map_err(ApiError::internal)?;
    let Some(user) = user.filter(|_| ok) else {
        app.db
            .write(move |c| people::record_failure(c, &subjects))
            .await?;
        return Err(people::wrong_login());
    };
    let (address, agent) = (client.address.clone(), client.user_agent.clone());
    let (code, recovery) = (body.totp_code, body.recovery_code);
    let new = app
        .db
        .write(move |c| {
            people::login_second_half(
                c,
                user.clone(),
                code.as_deref(),
                recovery.as_deref(),
                &subjects,
                &address,
                &agent,
            )
        })
        .await??;
    let cookie = client.cookie(Some(&new.secret));
    let login = Login {
        session: session_view(new.row.clone(), Some(new.row.id.as_str())),
        csrf_token: new.row.csrf_token,
        user: User::from(new.user),
    };
    let mut response = (StatusCode::OK, axum::Json(login)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

/// Log out
///
/// Ends the session of the request's cookie and deletes the cookie.
#[utoipa::path(post, path = "/v1/logout", operation_id = "session_logout", tag = "sessions",
    responses((status = 204, description = "Logged out; the cookie is deleted")))]
async fn session_logout(State(app): State<App>, ctx: Ctx, client: Client) -> ApiResult<Response> {
    app.db.write(move |c| people::logout(c, &ctx.actor)).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, client.cookie(None));
    Ok(response)
}

/// Set up a second factor
///
/// A new TOTP secret for the logged-in user, and its `otpauth://` URL
/// (named after the brand of the host asked on). Nothing changes for logins
/// until a code from it is confirmed. 409 while a second factor is on.
#[utoipa::path(post, path = "/v1/me/totp", operation_id = "totp_enroll", tag = "sessions",
    responses((status = 200, description = "The secret to give an authenticator app", body = TotpEnrollment)))]
async fn totp_enroll(
    State(app): State<App>,
    ctx: Ctx,
    client: Client,
) -> ApiResult<axum::Json<TotpEnrollment>> {
    let (secret, otpauth_url) = app
        .db
        .write(move |c| {
            let issuer = brands::brand_for_host(c, &client.host)?.brand.display_name;
            second_factor::enroll(c, &ctx.actor, &issuer)
        })
        .await?;
    Ok(axum::Json(TotpEnrollment {
        secret,
        otpauth_url,
    }))
}

/// Turn the second factor on
///
/// Confirms the secret from `POST /v1/me/totp` with a code the app shows.
/// From then on a login needs a code too. The answer holds ten recovery
/// codes, shown this once.
#[utoipa::path(post, path = "/v1/me/totp/confirm", operation_id = "totp_confirm", tag = "sessions",
    request_body = TotpCode,
    responses((status = 200, description = "The recovery codes", body = RecoveryCodes)))]
async fn totp_confirm(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<TotpCode>,
) -> ApiResult<axum::Json<RecoveryCodes>> {
    let codes = app
        .db
        .write(move |c| second_factor::confirm(c, &ctx.actor, &body.code))
        .await?;
    Ok(axum::Json(RecoveryCodes { codes }))
}

/// Turn the second factor off
///
/// With a current code or a recovery code.
#[utoipa::path(post, path = "/v1/me/totp/disable", operation_id = "totp_disable", tag = "sessions",
    request_body = TotpCode,
    responses((status = 204, description = "Off: logins need the password only")))]
async fn totp_disable(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(body): ApiJson<TotpCode>,
) -> ApiResult<StatusCode> {
    app.db
        .write(move |c| second_factor::disable(c, &ctx.actor, &body.code))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Fetch the caller
///
/// Who the request acts as: its scope, its account or partner, and its
/// user when it carries a session.
#[utoipa::path(get, path = "/v1/me", operation_id = "me_get", tag = "sessions",
    responses((status = 200, description = "The caller", body = Me)))]
async fn me_get(State(app): State<App>, ctx: Ctx) -> ApiResult<axum::Json<Me>> {
    let actor = ctx.actor.clone();
    let user = match &actor.user {
        Some(u) => {
            let id = u.user_id.clone();
            Some(
                app.db
                    .read(move |c| {
                        use diesel::prelude::*;
                        use overcast_db::schema::users;
                        Ok(users::table
                            .find(&id)
                            .select(overcast_db::models::UserRow::as_select())
                            .first(c)?)
                    })
                    .await?,
            )
        }
        None => None,
    };
    Ok(axum::Json(Me {
        scope: actor.scope,
        partner_id: actor.partner_id.as_ref().map(Into::into),
        account_id: actor.account_id.as_ref().map(Into::into),
        token_id: actor.token_id.as_ref().map(Into::into),
        user: user.map(User::from),
        csrf_token: actor.user.as_ref().map(|u| u.csrf_token.clone()),
    }))
}

/// List your sessions
///
/// The live login sessions of the logged-in user, oldest first.
#[utoipa::path(get, path = "/v1/sessions", operation_id = "session_list", tag = "sessions",
    params(PageParams),
    responses((status = 200, description = "A page of sessions", body = SessionPage)))]
async fn session_list(
    State(app): State<App>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<axum::Json<SessionPage>> {
    let page = page(q.limit, q.page_token.as_deref(), &[])?;
    let current = ctx.actor.user.as_ref().map(|u| u.session_id.to_string());
    let rows = app
        .db
        .read(move |c| people::session_list(c, &ctx.actor, &page))
        .await?;
    Ok(axum::Json(
        rows.map(|r| session_view(r, current.as_deref())).into(),
    ))
}

/// End one of your sessions
///
/// Logs that session out at once (another browser, say).
#[utoipa::path(delete, path = "/v1/sessions/{session}", operation_id = "session_revoke", tag = "sessions",
    params(("session" = uuid::Uuid, Path, description = "Id of the session", example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a71")),
    responses((status = 204, description = "Ended")))]
async fn session_revoke(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
) -> ApiResult<StatusCode> {
    let id = sel.to_string();
    app.db
        .write(move |c| people::session_revoke(c, &ctx.actor, &id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Create an invitation link
///
/// A one-use link that lets the user set a password: an invitation when
/// the user has none, a reset when they have one (using it ends their
/// sessions). There is no outgoing e-mail: pass the link on. A new link
/// replaces the user's unused one. Needs an account admin.
#[utoipa::path(post, path = "/v1/users/{user}/invitations", operation_id = "invitation_create", tag = "users",
    params(UserPath, AccountSelector),
    responses((status = 201, description = "The link; its secret is shown once", body = Invitation)))]
async fn invitation_create(
    State(app): State<App>,
    ctx: Ctx,
    client: Client,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<Response> {
    let account = selector("account", q.account.as_deref())?;
    let (row, secret) = app
        .db
        .write(move |c| people::invitation_create(c, &ctx, &sel, account.as_ref()))
        .await?;
    let view = Invitation {
        id: row.id.uuid(),
        user_id: row.user_id.uuid(),
        kind: row.kind,
        url: format!("{}/invitation#{secret}", client.origin()),
        secret,
        time_expires: chrono::DateTime::from_timestamp_micros(row.time_expires).unwrap_or_default(),
    };
    Ok((StatusCode::CREATED, axum::Json(view)).into_response())
}

/// Accept an invitation
///
/// Set a password with an invitation or reset link's secret. Needs no
/// credentials: the secret is one. The link then stops working.
#[utoipa::path(post, path = "/v1/invitations/accept", operation_id = "invitation_accept", tag = "sessions",
    request_body = InvitationAccept,
    responses((status = 204, description = "The password is set; log in with it")))]
async fn invitation_accept(
    State(app): State<App>,
    ApiJson(body): ApiJson<InvitationAccept>,
) -> ApiResult<StatusCode> {
    people::validate_password(&body.password)?;
    let password = body.password;
    let hash = tokio::task::spawn_blocking(move || people::hash_password(&password))
        .await
        .map_err(ApiError::internal)??;
    let secret = body.secret;
    app.db
        .write(move |c| people::invitation_accept(c, &secret, hash.clone()))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turn off a user's second factor
///
/// For a user who lost their authenticator and their recovery codes: their
/// next login needs the password only, and they can set a new second
/// factor. Needs an account admin (or the account's partner, or the
/// operator); it is recorded in the audit log.
#[utoipa::path(delete, path = "/v1/users/{user}/totp", operation_id = "user_totp_reset", tag = "users",
    params(UserPath, AccountSelector),
    responses((status = 204, description = "Off: the user logs in with the password only")))]
async fn user_totp_reset(
    State(app): State<App>,
    ctx: Ctx,
    Selector(sel): Selector,
    ApiQuery(q): ApiQuery<AccountSelector>,
) -> ApiResult<StatusCode> {
    let account = selector("account", q.account.as_deref())?;
    app.db
        .write(move |c| second_factor::reset(c, &ctx, &sel, account.as_ref()))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
