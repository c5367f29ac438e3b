//! The HTTP layer: the router, its middleware, and the OpenAPI document that
//! is generated from the same route registrations (a route can only be added
//! through `OpenApiRouter::routes`, so none goes undocumented).

mod console;
mod drives;
pub mod extract;
mod hosts;
pub mod idempotency;
mod images;
mod instances;
mod ips;
pub mod metrics;
mod people;
mod snapshots;
mod spec;
mod storage;
mod system;
mod tenancy;

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::state::App;
use overcast_types::ApiError;
use overcast_types::error::REQUEST_ID;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// How long create and delete of a drive, and delete of an instance, wait
/// for their host work before answering (it goes on after).
pub const QUICK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn api_router() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(spec::base())
        .merge(system::routes())
        .merge(tenancy::routes())
        .merge(people::routes())
        .merge(hosts::routes())
        .merge(ips::pool_routes())
        .merge(images::routes())
        .merge(drives::routes())
        .merge(snapshots::routes())
        .merge(storage::routes())
        .merge(ips::address_routes())
        .merge(instances::routes())
}

/// The OpenAPI document of the public API, as committed in `api-spec/openapi.json`.
pub fn openapi() -> &'static OpenApi {
    static DOC: OnceLock<OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, mut doc) = api_router().split_for_parts();
        spec::finish(&mut doc);
        doc
    })
}

/// The whole HTTP service, buildable without a socket; with
/// `console`, the built web console is served at `/`; `trusted_proxies`:
/// whose `X-Forwarded-For` names the client.
pub fn router(
    app: App,
    console: Option<std::path::PathBuf>,
    trusted_proxies: &[ipnet::IpNet],
) -> Router {
    let edge = Arc::new(Edge {
        metrics: metrics::HttpMetrics::default(),
        trusted_proxies: trusted_proxies.into(),
    });
    let (api, _) = api_router().split_for_parts();
    api.merge(SwaggerUi::new("/docs").config(Config::new(["/openapi.json"])))
        .fallback(move |req: Request| console::serve(console.clone(), req))
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not accept that method",
            )
        })
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            (app.clone(), edge),
            request_context,
        ))
        .with_state(app)
}

/// What the HTTP layer keeps beside the app for every request: its metrics,
/// and the load balancers and reverse proxies whose `X-Forwarded-For` is
/// believed (`--trusted-proxies`). A request extension, set by
/// [`request_context`].
pub struct Edge {
    pub metrics: metrics::HttpMetrics,
    pub trusted_proxies: Box<[ipnet::IpNet]>,
}

/// The target of the access log's lines, one per request (filter them with
/// `OVERCAST_LOG=info,overcast_server::access=debug`, say).
const ACCESS_LOG: &str = "overcast_server::access";

/// A read that took at least this long is logged at INFO.
const SLOW_READ: std::time::Duration = std::time::Duration::from_millis(500);

/// The one middleware, around each route (so that the route's template is
/// known): give every request an id (the client's `x-request-id` if it is
/// sane) for error bodies and the log, hand it the [`Edge`], run it through
/// its idempotency key if it has one, count and time it by route, log it, and
/// echo the id. One layer rather than one for each of these, because each
/// layer costs every request a clone and a boxed future.
///
/// Every request is logged: at INFO when it could change something (any
/// method but GET and HEAD), failed, or was slow; a quick successful read at
/// DEBUG. Reads are most of the traffic and change nothing, and a line for
/// each at INFO cost about a tenth of the server's throughput in `bench api`.
async fn request_context(
    State((app, edge)): State<(App, Arc<Edge>)>,
    mut req: Request,
    next: Next,
) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let header = HeaderValue::from_str(&id).expect("request ids are visible ASCII");
    req.headers_mut().insert(REQUEST_ID_HEADER, header.clone());
    let method = req.method().clone();
    let uri = req.uri().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    req.extensions_mut().insert(edge.clone());
    let start = Instant::now();
    let mut response = REQUEST_ID
        .scope(id.clone(), idempotency::idempotency(app, req, next))
        .await;
    let latency = start.elapsed();
    let status = response.status();
    edge.metrics
        .record(&method, route.as_ref(), status, latency);
    macro_rules! access {
        ($level:ident) => {
            tracing::$level!(
                target: ACCESS_LOG,
                request_id = %id,
                %method,
                path = %uri.path(),
                status = status.as_u16(),
                latency_us = latency.as_micros() as u64,
                "request"
            )
        };
    }
    let read = matches!(method, Method::GET | Method::HEAD);
    if read && !status.is_client_error() && !status.is_server_error() && latency < SLOW_READ {
        access!(debug);
    } else {
        access!(info);
    }
    response.headers_mut().insert(REQUEST_ID_HEADER, header);
    response
}
