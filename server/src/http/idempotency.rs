//! `Idempotency-Key` on POST: the first response to a key is stored; the
//! same key with the same request replays it, with a different request is a
//! 422, and while the first is still running is a 409. A request with a
//! key runs to its end even if its client goes away, so the retry finds
//! its answer.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::extract::{MAX_BODY_BYTES, too_large};
use crate::app::auth::hash_secret;
use crate::app::replicas;
use crate::state::App;
use overcast_db::models::IdempotencyKeyRow;
use overcast_db::now_micros;
use overcast_db::schema::idempotency_keys;
use overcast_types::{ApiError, ApiResult};

pub const HEADER: &str = "idempotency-key";
/// How long a stored response is replayed.
pub const RETENTION_MICROS: i64 = 24 * 3600 * 1_000_000;

enum Claim {
    /// First use of the key: run the request.
    New,
    /// Replay this stored response.
    Replay(i32, String),
}

/// Run `req`: a POST with an `Idempotency-Key` and credentials through the
/// key's claim (first use runs it, a repeat replays the stored response);
/// anything else as it is.
pub async fn idempotency(app: App, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER).cloned() else {
        return next.run(req).await;
    };
    // Without credentials the handler answers 401; nothing to remember.
    let Some(auth) = super::extract::credential(req.headers()) else {
        return next.run(req).await;
    };
    match run(app, key, auth, req, next).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn run(
    app: App,
    key: HeaderValue,
    auth: String,
    req: Request,
    next: Next,
) -> ApiResult<Response> {
    let key = key
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )
            .with_field("Idempotency-Key")
        })?
        .to_string();
    let principal = hash_secret(&auth);
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())?;
    let mut hasher = Sha256::new();
    hasher.update(parts.uri.to_string().as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    let request_hash = format!("{:x}", hasher.finalize());

    // From here on the request runs to its end, claim, handler and stored
    // answer, even if the client goes away meanwhile (dropping this
    // future): otherwise a claim could be left in flight, and the retry be
    // refused, for a day. It keeps the request's id and span.
    let request_id = overcast_types::error::current_request_id();
    let run = overcast_types::error::REQUEST_ID.scope(
        request_id,
        claim_and_answer(app, principal, key, request_hash, parts, bytes, next),
    );
    tokio::spawn(tracing::Instrument::instrument(
        run,
        tracing::Span::current(),
    ))
    .await
    .map_err(ApiError::internal)?
}

/// Claim the key, then replay its stored answer or run the request.
async fn claim_and_answer(
    app: App,
    principal: String,
    key: String,
    request_hash: String,
    parts: axum::http::request::Parts,
    bytes: axum::body::Bytes,
    next: Next,
) -> ApiResult<Response> {
    let claim = {
        let (principal, key, request_hash) = (principal.clone(), key.clone(), request_hash.clone());
        let me = app.replica.id.clone();
        app.db
            .write(move |conn| {
                let now = now_micros();
                diesel::delete(
                    idempotency_keys::table
                        .filter(idempotency_keys::time_created.lt(now - RETENTION_MICROS)),
                )
                .execute(conn)?;
                let existing: Option<IdempotencyKeyRow> = idempotency_keys::table
                    .find((&principal, &key))
                    .select(IdempotencyKeyRow::as_select())
                    .first(conn)
                    .optional()?;
                match existing {
                    Some(row) if row.request_hash != request_hash => Err(ApiError::unprocessable(
                        "idempotency_key_reused",
                        "this Idempotency-Key was used for a different request",
                    )),
                    Some(IdempotencyKeyRow {
                        status: Some(status),
                        body: Some(body),
                        ..
                    }) => Ok(Claim::Replay(status, body)),
                    Some(row) => match row.replica_id {
                        Some(owner)
                            if row.time_created < now - ABANDONED_AFTER_MICROS
                                && !replicas::is_alive(conn, &owner)? =>
                        {
                            take_over(conn, &row.principal, &row.idem_key, &owner, &me)
                        }
                        _ => Err(in_flight()),
                    },
                    None => {
                        diesel::insert_into(idempotency_keys::table)
                            .values(&IdempotencyKeyRow {
                                principal,
                                idem_key: key,
                                request_hash,
                                status: None,
                                body: None,
                                time_created: now,
                                replica_id: Some(me),
                            })
                            .execute(conn)
                            .map_err(|e| match ApiError::from(e) {
                                e if e.code == "already_exists" => in_flight(),
                                e => e,
                            })?;
                        Ok(Claim::New)
                    }
                }
            })
            .await?
    };
    if let Claim::Replay(status, body) = claim {
        let mut response = (
            StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK),
            body,
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(response);
    }

    answer(app, principal, key, parts, bytes, next).await
}

/// Run the claimed request and store its answer for the key.
async fn answer(
    app: App,
    principal: String,
    key: String,
    parts: axum::http::request::Parts,
    bytes: axum::body::Bytes,
    next: Next,
) -> ApiResult<Response> {
    // A handler that panics stored nothing: its claim goes, so the retry
    // runs again instead of being refused for a day.
    let ran = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(
        next.run(Request::from_parts(parts, Body::from(bytes))),
    ))
    .await;
    let response = match ran {
        Ok(response) => response,
        Err(_) => ApiError::internal("the request's handler failed").into_response(),
    };
    let status = response.status();
    let (resp_parts, resp_body) = response.into_parts();
    let resp_bytes = axum::body::to_bytes(resp_body, usize::MAX)
        .await
        .map_err(ApiError::internal)?;
    let stored = String::from_utf8(resp_bytes.to_vec()).ok();
    let me = app.replica.id.clone();
    app.db
        .write(move |conn| {
            // Only while the claim is still this replica's: one taken over
            // meanwhile is the new owner's to answer.
            let row = idempotency_keys::table
                .find((&principal, &key))
                .filter(idempotency_keys::replica_id.eq(me));
            match stored {
                // Server failures are not remembered: the client may retry.
                Some(body) if !status.is_server_error() => {
                    diesel::update(row)
                        .set((
                            idempotency_keys::status.eq(Some(i32::from(status.as_u16()))),
                            idempotency_keys::body.eq(Some(body)),
                        ))
                        .execute(conn)?;
                }
                _ => {
                    diesel::delete(row).execute(conn)?;
                }
            }
            Ok(())
        })
        .await?;
    Ok(Response::from_parts(resp_parts, Body::from(resp_bytes)))
}

/// A claim is abandoned once its replica's lease has run out and it is at
/// least this old: a replica whose lease lapsed under load but which still
/// runs the request has had time to answer.
const ABANDONED_AFTER_MICROS: i64 = 10_000_000;

/// Take over a claim whose replica died before it stored a response: the
/// request runs again here (compare-and-swap on the owner, so one retry
/// wins; the old owner's late store or delete then changes nothing). The
/// dead replica may have committed the change and died before storing its
/// response; that window, between the handler's commit and the store just
/// after, is the one case the retry repeats a change.
fn take_over(
    conn: &mut overcast_db::DbConn,
    principal: &str,
    key: &str,
    dead: &str,
    me: &str,
) -> ApiResult<Claim> {
    let taken = diesel::update(
        idempotency_keys::table
            .find((principal, key))
            .filter(idempotency_keys::replica_id.eq(dead))
            .filter(idempotency_keys::status.is_null()),
    )
    .set((
        idempotency_keys::replica_id.eq(me),
        idempotency_keys::time_created.eq(now_micros()),
    ))
    .execute(conn)?;
    if taken == 1 {
        tracing::warn!(
            dead,
            "an idempotency key claimed by a dead replica is run again"
        );
        Ok(Claim::New)
    } else {
        Err(in_flight())
    }
}

fn in_flight() -> ApiError {
    ApiError::conflict(
        "idempotency_key_in_flight",
        "a request with this Idempotency-Key is still being processed",
    )
}
