//! Extractors that turn every kind of bad input into the one error shape:
//! JSON bodies (content type, syntax, unknown fields, with the field path),
//! query strings, path selectors, the caller's identity, and `If-Match`.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::{Ctx, ProjectScope, auth, people};
use crate::state::App;
use overcast_types::ApiError;
use overcast_types::error::current_request_id;
use overcast_types::{NameOrId, PageRequest};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
    )
}

/// A JSON request body.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::bad_request("invalid_body", format!("could not read the body: {e}"))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserialize JSON, reporting the path of the field that failed.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let mut path = err.path().to_string();
        let inner = err.into_inner();
        // serde reports a missing field at its parent; name the field itself.
        if let Some(missing) = inner
            .to_string()
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            path = if path == "." {
                missing.to_string()
            } else {
                format!("{path}.{missing}")
            };
        }
        let code = if inner.is_syntax() || inner.is_eof() {
            "malformed_json"
        } else {
            "invalid_request"
        };
        let e = ApiError::bad_request(code, format!("invalid body: {inner}"));
        if path == "." || code == "malformed_json" {
            e
        } else {
            e.with_field(path)
        }
    })
}

/// A query string.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                let e = ApiError::bad_request(
                    "invalid_query",
                    format!("invalid query string: {}", err.into_inner()),
                );
                if path == "." { e } else { e.with_field(path) }
            })
    }
}

/// Generates the documentation of a name-or-id path parameter, once: the
/// handlers list the struct in `params(...)` and extract the value with
/// [`Selector`]. The spec's pattern and lengths are added in `spec.rs`.
macro_rules! name_or_id_path {
    ($($ty:ident, $param:ident, $doc:literal, $example:literal;)+) => {
        $(
            #[derive(utoipa::IntoParams)]
            #[into_params(parameter_in = Path)]
            #[allow(dead_code)]
            pub struct $ty {
                #[doc = $doc]
                #[param(example = $example)]
                $param: String,
            }
        )+
    };
}

name_or_id_path! {
    AccountPath, account, "Name or id of the account", "acme";
    DrivePath, drive, "Name (with ?project=) or id of the drive", "data";
    HostPath, host, "Name or id of the host", "host-01";
    ImagePath, image, "Name or id of the image", "debian-12";
    InstancePath, instance, "Name (with ?project=) or id of the instance", "web-1";
    IpAddressPath, ip_address, "Name (with ?project=) or id of the IP address", "web-1-public";
    PartnerPath, partner, "Name or id of the partner", "cloudco";
    PoolPath, pool, "Name or id of the IP pool", "public";
    ProjectPath, project, "Name or id of the project", "web";
    SnapshotPath, snapshot, "Name (with ?project=) or id of the snapshot", "data-before-upgrade";
    SshKeyPath, ssh_key, "Name or id of the SSH key", "laptop";
    UserPath, user, "Name or id of the user", "alice";
}

/// A single path parameter that names a resource by name or id.
pub struct Selector(pub NameOrId);

impl<S: Send + Sync> FromRequestParts<S> for Selector {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| ApiError::bad_request("invalid_path", e.body_text()))?;
        NameOrId::parse("path", &raw).map(Selector)
    }
}

/// The value of the cookie `name` in a request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// The credential a request carries, for keying what is remembered per
/// caller (idempotency): its `Authorization` header, or its session cookie.
pub fn credential(headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        return Some(auth.to_str().unwrap_or_default().to_string());
    }
    cookie(headers, people::SESSION_COOKIE).map(|s| format!("cookie {s}"))
}

/// The socket's peer address, and the trusted proxies.
fn peer_and_proxies(
    extensions: &axum::http::Extensions,
) -> Option<(std::net::IpAddr, &[ipnet::IpNet])> {
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())?;
    let trusted = extensions
        .get::<std::sync::Arc<super::Edge>>()
        .map(|e| &e.trusted_proxies[..])
        .unwrap_or_default();
    Some((peer, trusted))
}

/// Whether the client reached the load balancer over HTTPS: a trusted
/// proxy says so in `X-Forwarded-Proto`; from anyone else the header is
/// not believed.
pub fn forwarded_https(extensions: &axum::http::Extensions, headers: &HeaderMap) -> bool {
    let Some((peer, trusted)) = peer_and_proxies(extensions) else {
        return false;
    };
    trusted.iter().any(|n| n.contains(&peer))
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The client's address: the socket's, or behind trusted proxies the one
/// they say they forward for ([`forwarded_client`]).
pub fn client_address(parts: &Parts) -> String {
    let Some((peer, trusted)) = peer_and_proxies(&parts.extensions) else {
        return "unknown".into();
    };
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    forwarded_client(peer, &forwarded.join(","), trusted).to_string()
}

/// Who a request is from, given its socket's address `peer` and its
/// `X-Forwarded-For` list: `peer` unless it is a trusted proxy; otherwise
/// the list read from the right (each proxy appends who it heard from)
/// up to the first address that is not a trusted proxy. Entries a proxy
/// would not write (no address) end the walk at the last trusted hop, so
/// a client cannot choose the address it is counted under.
pub fn forwarded_client(
    peer: std::net::IpAddr,
    forwarded_for: &str,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |a: &std::net::IpAddr| trusted.iter().any(|n| n.contains(a));
    let mut client = peer;
    if !is_trusted(&client) {
        return client;
    }
    for entry in forwarded_for
        .rsplit(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some(hop) = parse_hop(entry) else {
            break;
        };
        client = hop;
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(entry: &str) -> Option<std::net::IpAddr> {
    entry
        .parse()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// Refuse a change made with a session cookie unless it comes from a page
/// of this origin (`Origin`) and carries the session's CSRF token.
fn check_csrf(parts: &Parts, csrf_token: &str) -> Result<(), ApiError> {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok());
    let same_origin = origin.is_some_and(|o| {
        o.strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"))
            .is_some_and(|h| !host.is_empty() && h == host)
    });
    if !same_origin {
        return Err(ApiError::forbidden(
            "a change made with a session cookie must come from the console's own origin \
             (the Origin header must name this host)",
        ));
    }
    let sent = parts
        .headers
        .get(people::CSRF_HEADER)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    use subtle::ConstantTimeEq;
    if sent.is_empty() || !bool::from(sent.ct_eq(csrf_token.as_bytes())) {
        return Err(ApiError::forbidden(
            "a change made with a session cookie needs the session's csrf_token in X-CSRF-Token",
        ));
    }
    Ok(())
}

/// The actor of a request that carries a session cookie and no token.
async fn session_actor(parts: &Parts, app: &App, secret: &str) -> Result<auth::Actor, ApiError> {
    let hash = auth::hash_secret(secret);
    let live = app
        .db
        .read(move |c| people::session_actor(c, &hash))
        .await?;
    check_csrf(parts, &live.csrf_token)?;
    if live.stale
        && let Some(user) = live.actor.user.clone()
    {
        app.db
            .write(move |c| people::session_touch(c, &user.session_id))
            .await?;
    }
    Ok(live.actor)
}

impl FromRequestParts<App> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or("invalid"));
        if authorization.is_none()
            && let Some(secret) = cookie(&parts.headers, people::SESSION_COOKIE)
        {
            let actor = session_actor(parts, app, secret).await?;
            return ctx_for(parts, app, actor);
        }
        let hash = auth::bearer_hash(authorization)?;
        let actor = match app.tokens.get(&hash) {
            Some(actor) => actor,
            None => {
                let (key, epoch) = (hash.clone(), app.tokens.epoch());
                let (actor, expires) = app.db.read(move |c| auth::token_actor(c, &key)).await?;
                app.tokens.put(hash, actor.clone(), expires, epoch);
                actor
            }
        };
        ctx_for(parts, app, actor)
    }
}

fn ctx_for(parts: &Parts, app: &App, actor: auth::Actor) -> Result<Ctx, ApiError> {
    if actor.is_read_only() && !matches!(parts.method, Method::GET | Method::HEAD) {
        return Err(ApiError::forbidden(
            "this token or role is read-only; changes need a read-write one",
        ));
    }
    Ok(Ctx {
        actor,
        request_id: current_request_id(),
        placement: app.placement.clone(),
        replicated_storage: app.storage.is_some(),
    })
}

/// The generation named by `If-Match`, if the header is present.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let text = value.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(IfMatch(None));
        }
        let inner = text.strip_prefix("W/").unwrap_or(text);
        inner
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .and_then(|t| t.parse::<i64>().ok())
            .map(|g| IfMatch(Some(g)))
            .ok_or_else(|| {
                ApiError::bad_request("invalid_if_match", "If-Match must be an ETag this API sent")
                    .with_field("If-Match")
            })
    }
}

/// `?project=&account=` of a project-scoped request.
impl<S: Send + Sync> FromRequestParts<S> for ProjectScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(q) =
            ApiQuery::<overcast_types::params::ProjectSelector>::from_request_parts(parts, state)
                .await?;
        project_scope(q.project.as_deref(), q.account.as_deref())
    }
}

/// The selectors and page of a project-scoped list: `?project=&account=`,
/// which a page token may carry instead, and `?limit=&page_token=`.
pub struct ProjectList {
    pub scope: ProjectScope,
    pub page: PageRequest,
}

impl<S: Send + Sync> FromRequestParts<S> for ProjectList {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(q) =
            ApiQuery::<overcast_types::params::ProjectListParams>::from_request_parts(parts, state)
                .await?;
        let page = page(
            q.limit,
            q.page_token.as_deref(),
            &[
                ("project", q.project.as_deref()),
                ("account", q.account.as_deref()),
            ],
        )?;
        let scope = project_scope(page.param("project"), page.param("account"))?;
        Ok(ProjectList { scope, page })
    }
}

/// Build a page request from list parameters and the listing's selectors.
pub fn page(
    limit: Option<u32>,
    token: Option<&str>,
    query: &[(&str, Option<&str>)],
) -> Result<PageRequest, ApiError> {
    PageRequest::parse(limit, token, query)
}

/// Parse an optional selector from a query parameter.
pub fn selector(field: &str, value: Option<&str>) -> Result<Option<NameOrId>, ApiError> {
    value.map(|v| NameOrId::parse(field, v)).transpose()
}

/// Parse `?project=&account=`.
pub fn project_scope(
    project: Option<&str>,
    account: Option<&str>,
) -> Result<ProjectScope, ApiError> {
    Ok(ProjectScope {
        project: selector("project", project)?,
        account: selector("account", account)?,
    })
}

/// A JSON response carrying the resource's ETag.
pub fn tagged<T: Serialize>(status: StatusCode, generation: i64, body: T) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{generation}\"")) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn only_trusted_proxies_say_who_the_client_is() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let from = |peer: &str, xff: &str| forwarded_client(ip(peer), xff, &trusted);
        // A client that is no proxy cannot name another address.
        assert_eq!(from("198.51.100.7", "203.0.113.9"), ip("198.51.100.7"));
        // Behind the load balancer: the address it heard from.
        assert_eq!(from("10.0.0.1", "203.0.113.9"), ip("203.0.113.9"));
        // Through two proxies; what the client wrote on the left is not
        // believed.
        assert_eq!(
            from("10.0.0.1", "192.0.2.66, 203.0.113.9, 10.0.0.2"),
            ip("203.0.113.9")
        );
        assert_eq!(from("10.0.0.1", "[2001:db8::1]:4711"), ip("2001:db8::1"));
        assert_eq!(from("10.0.0.1", "203.0.113.9:4711"), ip("203.0.113.9"));
        // Nothing forwarded, or nothing a proxy would write: the proxy.
        assert_eq!(from("10.0.0.1", ""), ip("10.0.0.1"));
        assert_eq!(from("10.0.0.1", "unknown"), ip("10.0.0.1"));
        assert_eq!(from("10.0.0.1", "203.0.113.9, junk"), ip("10.0.0.1"));
        // Only proxies all the way: the farthest.
        assert_eq!(from("10.0.0.1", "10.9.9.9, 10.0.0.2"), ip("10.9.9.9"));
        // No trusted proxies (the default): the socket's address.
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), "203.0.113.9", &[]),
            ip("10.0.0.1")
        );
    }
}
