//! The web console's files: a single-page app, so every path outside the
//! API that names no file gets `index.html`, under a strict
//! Content-Security-Policy (nothing inline, nothing from elsewhere but
//! brand images over HTTPS).

use std::path::PathBuf;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use overcast_types::ApiError;

/// The console's policy: its own scripts, styles and API only; images
/// also from HTTPS (brand logos live on the partner's site); no frames,
/// no plugins, no inline code.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' https: data:; connect-src 'self'; font-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Whether the browser will honour Cross-Origin-Opener-Policy for this
/// request: only on a trustworthy origin (HTTPS, as a trusted TLS proxy in
/// front reports it, or loopback). Elsewhere browsers ignore it with an error in
/// the console, so it is not sent.
fn trustworthy(req: &Request) -> bool {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    if super::extract::forwarded_https(req.extensions(), req.headers()) {
        return true;
    }
    let host = header("host");
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(name, "localhost" | "[::1]") || name.starts_with("127.")
}

fn no_route() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "no_such_route", "no such route").into_response()
}

/// Answer a request no API route took: the console's file, its
/// `index.html`, or the API's 404 (for `/v1/...`, or with no console).
pub async fn serve(console: Option<PathBuf>, req: Request) -> Response {
    let path = req.uri().path();
    let isolate = trustworthy(&req);
    let Some(dir) = console.filter(|_| !(path == "/v1" || path.starts_with("/v1/"))) else {
        return no_route();
    };
    // Vite names what it builds under /assets/ by content hash.
    let hashed = path.starts_with("/assets/");
    let index = dir.join("index.html");
    let files = ServeDir::new(&dir).fallback(ServeFile::new(&index));
    let mut response = match files.oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if isolate {
        headers.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }
    // Hashed assets never change; anything else is checked each time.
    let immutable = hashed && response.status().is_success();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    response
}
