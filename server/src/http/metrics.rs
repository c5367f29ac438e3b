//! Prometheus metrics: the HTTP API's request count and latency by route,
//! method and status, and the replicated storage cluster as last read.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{Method, StatusCode};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    pub pool: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolStateLabels {
    pub pool: String,
    pub state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;
type FloatGauge = Gauge<f64, std::sync::atomic::AtomicU64>;

/// The storage cluster's gauges, set from the last reading at each scrape.
#[derive(Default)]
struct StorageGauges {
    /// 1 when the cluster could be read, 0 otherwise.
    up: Gauge,
    /// 0 `HEALTH_OK`, 1 `HEALTH_WARN`, 2 `HEALTH_ERR`.
    health: Gauge,
    bytes: Family<KindLabels, Gauge>,
    osds: Family<KindLabels, Gauge>,
    pool_state: Family<PoolStateLabels, Gauge>,
    pool_degraded: Family<PoolLabels, FloatGauge>,
    pool_recovery: Family<PoolLabels, FloatGauge>,
    pool_objects: Family<PoolLabels, Gauge>,
    pool_stored: Family<PoolLabels, Gauge>,
    /// Replicated drives some of whose objects lack copies.
    degraded_drives: Gauge,
}

/// The metrics and the registry that renders them.
pub struct HttpMetrics {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    latency: LatencyFamily,
    storage: StorageGauges,
}

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
    ])
}

impl Default for HttpMetrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("overcast");
        let requests = Family::<RouteLabels, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_requests",
            "HTTP requests served, by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency, by route, method and status",
            latency.clone(),
        );
        let storage = StorageGauges::default();
        let g = &storage;
        registry.register(
            "storage_up",
            "Whether the storage cluster could be read at its last reading",
            g.up.clone(),
        );
        registry.register(
            "storage_health",
            "Ceph's verdict: 0 HEALTH_OK, 1 HEALTH_WARN, 2 HEALTH_ERR",
            g.health.clone(),
        );
        registry.register(
            "storage_bytes",
            "Storage capacity in bytes, by kind (total, used, available)",
            g.bytes.clone(),
        );
        registry.register(
            "storage_osds",
            "Storage daemons, by kind (total, up, in)",
            g.osds.clone(),
        );
        registry.register(
            "storage_pool_state",
            "1 for the replication state each pool is in",
            g.pool_state.clone(),
        );
        registry.register(
            "storage_pool_degraded_ratio",
            "The share of a pool's object copies that are missing",
            g.pool_degraded.clone(),
        );
        registry.register(
            "storage_pool_recovery_progress",
            "The share of a pool's placement groups that hold every copy",
            g.pool_recovery.clone(),
        );
        registry.register(
            "storage_pool_objects",
            "Objects in a pool",
            g.pool_objects.clone(),
        );
        registry.register(
            "storage_pool_stored_bytes",
            "Bytes stored in a pool (one copy)",
            g.pool_stored.clone(),
        );
        registry.register(
            "storage_degraded_drives",
            "Replicated drives some of whose objects lack copies",
            g.degraded_drives.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            storage,
        }
    }
}

impl HttpMetrics {
    /// Set the storage gauges from the last reading (none: unreachable,
    /// or no storage cluster).
    /// `degraded_drives`: how many replicated drives are not `healthy`
    /// (none: they could not be counted).
    pub fn observe_storage(
        &self,
        health: Option<&crate::storage::ClusterHealth>,
        degraded_drives: Option<u64>,
    ) {
        use overcast_types::views::ReplicationState;
        let g = &self.storage;
        let Some(h) = health else {
            g.up.set(0);
            return;
        };
        g.up.set(1);
        if let Some(n) = degraded_drives {
            g.degraded_drives.set(n as i64);
        }
        g.health.set(match h.status.as_str() {
            "HEALTH_OK" => 0,
            "HEALTH_WARN" => 1,
            _ => 2,
        });
        let kind = |k: &str| KindLabels { kind: k.into() };
        for (k, v) in [
            ("total", h.total_bytes),
            ("used", h.used_bytes),
            ("available", h.available_bytes),
        ] {
            g.bytes.get_or_create(&kind(k)).set(v as i64);
        }
        for (k, v) in [("total", h.osds), ("up", h.osds_up), ("in", h.osds_in)] {
            g.osds.get_or_create(&kind(k)).set(i64::from(v));
        }
        for p in &h.pools {
            let pool = PoolLabels {
                pool: p.name.clone(),
            };
            for state in [
                ReplicationState::Healthy,
                ReplicationState::Degraded,
                ReplicationState::Recovering,
            ] {
                let labels = PoolStateLabels {
                    pool: p.name.clone(),
                    state: state.as_str().into(),
                };
                g.pool_state
                    .get_or_create(&labels)
                    .set(i64::from(p.state == state));
            }
            g.pool_degraded.get_or_create(&pool).set(p.degraded_ratio);
            g.pool_recovery
                .get_or_create(&pool)
                .set(p.recovery_progress);
            g.pool_objects.get_or_create(&pool).set(p.objects as i64);
            g.pool_stored
                .get_or_create(&pool)
                .set(p.stored_bytes as i64);
        }
    }

    /// Count and time one request by its route template (`None`: no route
    /// matched).
    pub fn record(
        &self,
        method: &Method,
        route: Option<&MatchedPath>,
        status: StatusCode,
        latency: Duration,
    ) {
        let labels = RouteLabels {
            method: method.as_str().to_string(),
            route: route.map_or("unmatched", MatchedPath::as_str).to_string(),
            status: status.as_u16(),
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&labels)
            .observe(latency.as_secs_f64());
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}
