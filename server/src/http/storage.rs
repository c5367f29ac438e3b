//! Handlers: the replicated storage cluster (operators).

use std::collections::HashMap;

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::{self, Ctx};
use crate::state::App;
use crate::storage::ClusterHealth;
use overcast_types::ApiResult;
use overcast_types::ids::DriveId;
use overcast_types::views::*;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(storage_status))
}

/// Read the storage cluster's health
///
/// Ceph's verdict and checks, capacity, storage daemons, each of
/// Overcast's pools (replication state and what it holds), and the
/// replicated drives some of whose objects lack copies. Read by the server
/// every 5 seconds; `time_observed` says when.
#[utoipa::path(get, path = "/v1/system/storage", operation_id = "storage_status", tag = "storage",
    responses((status = 200, description = "The storage cluster", body = StorageStatus)),
    extensions(("x-overcast-role" = json!("operator"))))]
async fn storage_status(State(app): State<App>, ctx: Ctx) -> ApiResult<axum::Json<StorageStatus>> {
    ctx.actor.require_operator()?;
    let observed = app.storage_health();
    let (by_pool, degraded_drive_count, first) =
        replicated_drives(&app, observed.as_ref().map(|(h, _)| h)).await?;
    let configured = app.storage.is_some();
    let mut status = match &observed {
        Some((health, at)) => view(health, *at),
        None => StorageStatus {
            health: if configured {
                StorageHealth::Unreachable
            } else {
                StorageHealth::NotConfigured
            },
            checks: Vec::new(),
            total_bytes: 0,
            used_bytes: 0,
            available_bytes: 0,
            osds: 0,
            osds_up: 0,
            osds_in: 0,
            pools: Vec::new(),
            degraded_drive_count: 0,
            degraded_drives: Vec::new(),
            time_observed: None,
        },
    };
    for pool in &mut status.pools {
        pool.drives = by_pool.get(&i32::from(pool.replicas)).copied().unwrap_or(0);
    }
    status.degraded_drive_count = degraded_drive_count;
    status.degraded_drives = first.iter().map(|d| d.uuid()).collect();
    Ok(axum::Json(status))
}

/// Replicated drives by number of copies, and how many of them are not
/// `healthy` by `health` (their own objects' groups), with the first 100.
pub(super) async fn replicated_drives(
    app: &App,
    health: Option<&ClusterHealth>,
) -> ApiResult<(HashMap<i32, u64>, u64, Vec<DriveId>)> {
    let unhealthy: Vec<i32> = health
        .iter()
        .flat_map(|h| &h.pools)
        .filter(|p| p.state != ReplicationState::Healthy)
        .map(|p| i32::from(p.replicas))
        .collect();
    let (by_pool, in_unhealthy) = app
        .db
        .read(move |c| app::drives::replicated_by_pool(c, &unhealthy))
        .await?;
    let (count, first) = match health {
        // Drives only in a pool that is not clean: mapped to their groups
        // off the runtime's threads.
        Some(health) if !in_unhealthy.is_empty() => {
            let health = health.clone();
            tokio::task::spawn_blocking(move || {
                crate::storage::degraded_drives(&health, &in_unhealthy)
            })
            .await
            .map_err(overcast_types::ApiError::internal)?
        }
        _ => (0, Vec::new()),
    };
    Ok((by_pool, count, first))
}

fn view(h: &ClusterHealth, at: i64) -> StorageStatus {
    StorageStatus {
        health: match h.status.as_str() {
            "HEALTH_OK" => StorageHealth::Ok,
            "HEALTH_WARN" => StorageHealth::Warn,
            _ => StorageHealth::Error,
        },
        checks: h.checks.clone(),
        total_bytes: h.total_bytes,
        used_bytes: h.used_bytes,
        available_bytes: h.available_bytes,
        osds: h.osds,
        osds_up: h.osds_up,
        osds_in: h.osds_in,
        pools: h
            .pools
            .iter()
            .map(|p| StoragePool {
                id: crate::storage::pool_id(&p.name),
                name: p.name.clone(),
                replicas: p.replicas,
                state: p.state,
                degraded_ratio: p.degraded_ratio,
                recovery_progress: p.recovery_progress,
                objects: p.objects,
                stored_bytes: p.stored_bytes,
                drives: 0,
            })
            .collect(),
        degraded_drive_count: 0,
        degraded_drives: Vec::new(),
        time_observed: Some(overcast_db::views::time(at)),
    }
}
