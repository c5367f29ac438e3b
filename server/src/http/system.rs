//! Handlers: health, metrics, and the OpenAPI document itself.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::App;
use overcast_db::Backend;
use overcast_types::{ApiError, ApiResult};

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(livez))
        .routes(routes!(metrics))
        .routes(routes!(openapi_document))
}

/// Health of the server and its database.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: String,
}

/// Check readiness
///
/// For load balancers: 200 when this server can take requests, its
/// database reachable and every migration it needs applied; 503 otherwise.
#[utoipa::path(get, path = "/healthz", operation_id = "healthz", tag = "system",
    responses((status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready: the database is unreachable or not migrated", body = overcast_types::ErrorBody)))]
async fn healthz(State(app): State<App>) -> ApiResult<axum::Json<Health>> {
    let current = app.db.migrations_current().await.map_err(|e| {
        ApiError::unavailable(
            "database_unavailable",
            format!("the database cannot be read: {}", e.message),
        )
    })?;
    if !current {
        return Err(ApiError::unavailable(
            "migrations_pending",
            "the database lacks migrations this server needs",
        ));
    }
    Ok(axum::Json(Health {
        status: "ok".into(),
        database: match app.db.backend() {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
    }))
}

/// This server process is alive.
#[derive(Serialize, ToSchema)]
pub struct Liveness {
    #[schema(example = "ok")]
    pub status: String,
}

/// Check liveness
///
/// 200 while the process serves requests, whatever its database's state:
/// for a supervisor deciding whether to restart it (readiness is
/// `/healthz`).
#[utoipa::path(get, path = "/livez", operation_id = "livez", tag = "system",
    responses((status = 200, description = "Alive", body = Liveness)))]
async fn livez() -> axum::Json<Liveness> {
    axum::Json(Liveness {
        status: "ok".into(),
    })
}

/// Read metrics
///
/// Prometheus text exposition: request counts and latency by route, method
/// and status; on a server with Ceph, the storage cluster's health,
/// capacity, daemons, each pool's replication state and the replicated
/// drives short of copies (`overcast_storage_*`).
#[utoipa::path(get, path = "/metrics", operation_id = "metrics", tag = "system",
    responses((status = 200, description = "Prometheus metrics", content_type = "text/plain",
        body = String, example = "overcast_http_requests_total{method=\"GET\",route=\"/v1/drives\",status=\"200\"} 3")))]
async fn metrics(
    State(app): State<App>,
    axum::Extension(edge): axum::Extension<std::sync::Arc<super::Edge>>,
) -> impl IntoResponse {
    if app.storage.is_some() {
        let observed = app.storage_health();
        let health = observed.as_ref().map(|(h, _)| h);
        let degraded = match super::storage::replicated_drives(&app, health).await {
            Ok((_, count, _)) => Some(count),
            Err(e) => {
                tracing::warn!(error = %e.message, "cannot count degraded drives");
                None
            }
        };
        edge.metrics.observe_storage(health, degraded);
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        edge.metrics.render(),
    )
}

/// Fetch this OpenAPI document
#[utoipa::path(get, path = "/openapi.json", operation_id = "openapi_document", tag = "system",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object,
        example = json!({"openapi": "3.1.0"}))))]
async fn openapi_document() -> impl IntoResponse {
    axum::Json(super::openapi())
}
