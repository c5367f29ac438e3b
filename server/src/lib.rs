//! Overcast's control plane: the public REST API (axum + utoipa), the
//! internal gRPC API hosts dial (tonic), persisted workflows, and the
//! resource model, stored with diesel in SQLite or PostgreSQL.
//!
//! Layers, outside in, each importing only the ones after it: [`http`]
//! (handlers, extractors, the spec) → [`state`] (the runtime [`App`]) →
//! [`workflow`] (the engine) → [`hosts`] (sessions, reconciliation) →
//! [`app`] (every operation, as plain functions over a connection) →
//! `overcast-db` → `overcast-types`. [`Server`] wires them to sockets.

pub mod allinone;
pub mod app;
pub mod config;
pub mod hosts;
pub mod http;
pub mod logging;
pub mod state;
pub mod storage;
pub mod workflow;

pub use config::{Admin, Command, Config};
pub use http::openapi;

use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::oneshot;

use overcast_db::Database;
use overcast_types::ApiError;

pub use crate::state::App;

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    /// Where the internal (gRPC) API for hosts listens.
    pub internal_addr: SocketAddr,
    pub app: App,
    /// Where the operator token was written at first start.
    pub operator_token_path: PathBuf,
    /// The all-in-one mode's local host.
    pub local_host: Option<allinone::LocalHost>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// On SQLite, the lock that makes this the file's only server.
    _sqlite_lock: Option<std::fs::File>,
}

/// One server per SQLite file: an exclusive lock on `<file>.lock`, taken
/// before the migrations and released by the kernel however the server
/// ends. Several servers (replicas) need PostgreSQL.
fn lock_sqlite(url: &str) -> anyhow::Result<std::fs::File> {
    let path = format!("{}.lock", url.strip_prefix("sqlite://").unwrap_or(url));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {path}"))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another server is running on this SQLite database ({path} is locked): several \
             servers need PostgreSQL (--database postgres://...)"
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("locking {path}")),
    }
}

impl Server {
    /// Open the database (applying migrations), make the operator token on
    /// first start, bind, and serve in the background.
    pub async fn start(config: Config) -> anyhow::Result<Server> {
        let storage = config.ceph_conf.clone().map(|conf| {
            Arc::new(storage::Ceph::new(
                conf,
                config.ceph_user.clone(),
                config.ceph_keyring.clone(),
            )) as Arc<dyn storage::Storage>
        });
        Self::start_with_storage(config, storage).await
    }

    /// Start with `storage` holding replicated drives (none: no
    /// `replicated` class): the API tests pass a simulated one.
    pub async fn start_with_storage(
        config: Config,
        storage: Option<Arc<dyn storage::Storage>>,
    ) -> anyhow::Result<Server> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
        let url = config.database_url();
        // Held until this server is dropped; before the migrations.
        let sqlite_lock = match overcast_db::Backend::of_url(&url) {
            overcast_db::Backend::Sqlite => Some(lock_sqlite(&url)?),
            overcast_db::Backend::Postgres => None,
        };
        let pool_size = config.db_pool_size;
        let db = tokio::task::spawn_blocking(move || Database::connect(&url, pool_size)).await??;
        if !(config.cpu_allocation_ratio > 0.0 && config.cpu_allocation_ratio <= 64.0) {
            anyhow::bail!("--cpu-allocation-ratio must be above 0 and at most 64");
        }
        let app = App::new(
            db,
            app::placement::PlacementPolicy::new(config.cpu_allocation_ratio),
            storage,
            state::Replica::new(std::time::Duration::from_secs_f64(
                config.replica_lease_seconds,
            )),
        );
        let operator_token_path = config.data_dir.join("operator.token");
        let path = operator_token_path.clone();
        let created = app
            .db
            .write(move |conn| {
                let secret = app::tenancy::bootstrap_operator_token(conn)?;
                if let Some(secret) = &secret {
                    // Written inside the transaction: if the file cannot be
                    // written, the token is not kept either.
                    write_secret_file(&path, secret).map_err(ApiError::internal)?;
                }
                Ok(secret.is_some())
            })
            .await
            .map_err(|e| anyhow::anyhow!("bootstrapping the operator token: {e}"))?;
        if created {
            tracing::info!(path = %operator_token_path.display(), "wrote a new operator token");
        }
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        // Before hosts can connect: every command carries CHAP credentials.
        let backfilled = app
            .db
            .write(app::drives::backfill_chap)
            .await
            .map_err(|e| anyhow::anyhow!("giving drives CHAP secrets: {e}"))?;
        if backfilled > 0 {
            tracing::info!(drives = backfilled, "gave drives their CHAP secrets");
        }
        let internal = tokio::net::TcpListener::bind(config.internal_listen)
            .await
            .with_context(|| format!("binding {}", config.internal_listen))?;
        let internal_addr = internal.local_addr()?;
        let ca = match app.db.write(app::pki::cluster_ca).await {
            Ok(ca) => Ok(ca),
            // Another server created it at the same moment: read theirs.
            Err(_) => app.db.write(app::pki::cluster_ca).await,
        }
        .map_err(|e| anyhow::anyhow!("the cluster CA: {e}"))?;
        let ca_path = config.data_dir.join(CLUSTER_CA_FILE);
        write_public_file(&ca_path, &ca.cert_pem)
            .with_context(|| format!("writing {}", ca_path.display()))?;
        app.sessions.enable_peering(&ca);
        let (cert, key) = ca
            .server_identity(internal_addr.ip())
            .map_err(|e| anyhow::anyhow!("the server's certificate: {e}"))?;
        // Client certificates are optional at the handshake only because
        // Enroll is made without one; every other call requires one.
        overcast_internal_api::tls::use_aws_lc();
        let tls = tonic::transport::ServerTlsConfig::new()
            .identity(tonic::transport::Identity::from_pem(cert, key))
            .client_ca_root(tonic::transport::Certificate::from_pem(&ca.cert_pem))
            .client_auth_optional(true);
        let agent = overcast_internal_api::v1::host_agent_server::HostAgentServer::new(
            hosts::AgentService::new(
                app.db.clone(),
                app.sessions.clone(),
                std::time::Duration::from_secs_f64(config.host_detection_seconds),
                ca,
                std::time::Duration::from_secs(config.host_certificate_seconds),
            ),
        );
        let relay = overcast_internal_api::v1::replica_server::ReplicaServer::new(
            hosts::RelayService::new(app.sessions.clone()),
        );
        let (internal_tx, internal_rx) = oneshot::channel::<()>();
        let internal_task = tokio::spawn(
            tonic::transport::Server::builder()
                .tls_config(tls)?
                .add_service(agent)
                .add_service(relay)
                .serve_with_incoming_shutdown(
                    only_from(
                        tokio_stream::wrappers::TcpListenerStream::new(internal),
                        config.cluster_network.clone(),
                    ),
                    async {
                        let _ = internal_rx.await;
                    },
                ),
        );
        let advertised = config.advertise_address.unwrap_or_else(|| {
            let ip = internal_addr.ip();
            if ip.is_unspecified() {
                if app.db.backend() == overcast_db::Backend::Postgres {
                    tracing::warn!(
                        "--internal-listen is unspecified and no --advertise-address given: \
                         other replicas will try to relay to 127.0.0.1"
                    );
                }
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                ip
            }
        });
        let internal_url = format!(
            "https://{}",
            SocketAddr::new(advertised, internal_addr.port())
        );
        join_replicas(&app, &addr.to_string(), &internal_url).await?;
        let caches_task = tokio::spawn(app.clone().watch_caches());
        let beats_task = tokio::spawn(
            app.clone().watch_beats(
                std::time::Duration::from_secs_f64(config.host_detection_seconds / 20.0)
                    .min(std::time::Duration::from_millis(250)),
            ),
        );
        let replica_task = tokio::spawn(
            app.clone()
                .serve_as_replica(addr.to_string(), internal_url.clone()),
        );
        let resumed = app
            .workflows
            .take_over_orphans()
            .await
            .map_err(|e| anyhow::anyhow!("resuming workflows: {e}"))?;
        if resumed > 0 {
            tracing::info!(resumed, "resumed unfinished workflows");
        }
        // After the resume, so a failover the watcher records is launched
        // once, by the watcher.
        let watcher = tokio::spawn(app.clone().watch_hosts(std::time::Duration::from_secs_f64(
            config.host_detection_seconds,
        )));
        let storage_watcher = tokio::spawn(app.clone().watch_storage(
            std::time::Duration::from_secs_f64(config.storage_health_seconds),
        ));
        let local_host = if config.all_in_one {
            Some(allinone::start(&app, &config, internal_addr).await?)
        } else {
            None
        };
        let router = http::router(
            app.clone(),
            config.console_dir.clone(),
            &config.trusted_proxies,
        );
        let sessions = app.sessions.clone();
        let retiring = app.clone();
        let task = tokio::spawn(async move {
            let served = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
            let _ = internal_tx.send(());
            watcher.abort();
            storage_watcher.abort();
            replica_task.abort();
            caches_task.abort();
            beats_task.abort();
            // Host sessions are endless streams: end them, and give the
            // gRPC server a moment to close before it is dropped.
            sessions.close_all();
            // Steps under way finish before the others may take over.
            retiring
                .workflows
                .drain(std::time::Duration::from_secs(10))
                .await;
            retiring.retire().await;
            let abort = internal_task.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(2), internal_task)
                .await
                .is_err()
            {
                abort.abort();
            }
            served
        });
        tracing::info!(%addr, %internal_addr, "serving the Overcast API");
        Ok(Server {
            addr,
            internal_addr,
            local_host,
            app,
            operator_token_path,
            shutdown: Some(tx),
            task,
            _sqlite_lock: sqlite_lock,
        })
    }

    /// Stop accepting requests and finish those in flight.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(host) = &mut self.local_host {
            host.stop().await;
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await??;
        Ok(())
    }

    /// Serve until the task ends (it ends only on error or shutdown).
    pub async fn wait(mut self) -> anyhow::Result<()> {
        (&mut self.task).await??;
        Ok(())
    }
}

/// Record this server as a replica of the control plane.
async fn join_replicas(app: &App, name: &str, url: &str) -> anyhow::Result<()> {
    let lease = app.replica.lease;
    let (id, n, u) = (app.replica.id.clone(), name.to_string(), url.to_string());
    let micros = lease.as_micros() as i64;
    let started = tokio::time::Instant::now();
    app.db
        .write(move |c| app::replicas::renew(c, &id, &n, &u, micros))
        .await
        .map_err(|e| anyhow::anyhow!("registering this replica: {e}"))?;
    app.workflows.renewed(started + lease - lease / 5);
    tracing::info!(replica = %app.replica.id, %url, "joined the control plane");
    Ok(())
}

/// `overcast-server admin operator-token`: mint an operator token in the
/// database and write it 0600 to `<data-dir>/operator.token`. The token is
/// kept only if the file was written; the audit log records it.
pub async fn admin_operator_token(config: &Config) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
    let url = config.database_url();
    let db = tokio::task::spawn_blocking(move || Database::connect(&url, 1)).await??;
    let path = config.data_dir.join("operator.token");
    let file = path.clone();
    db.write(move |conn| {
        let (id, secret) = app::tenancy::mint_operator_token(
            conn,
            "operator token made by `admin operator-token`",
        )?;
        let ctx = app::Ctx {
            actor: app::Actor {
                token_id: Some(id.clone()),
                user: None,
                scope: overcast_types::TokenScope::Operator,
                partner_id: None,
                account_id: None,
            },
            request_id: format!("admin-{}", uuid::Uuid::now_v7()),
            placement: app::placement::PlacementPolicy::default(),
            replicated_storage: false,
        };
        app::record_event(
            conn,
            &ctx,
            "create",
            app::Subject {
                resource_type: "token",
                id: &id,
                name: "operator",
                account_id: None,
                partner_id: None,
            },
        )?;
        write_secret_file(&file, &secret).map_err(ApiError::internal)
    })
    .await
    .map_err(|e| anyhow::anyhow!("minting an operator token: {e}"))?;
    Ok(path)
}

fn write_secret_file(path: &std::path::Path, secret: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    writeln!(file, "{secret}")?;
    file.sync_all()
}

/// Where in the data directory the server writes the cluster CA's
/// certificate, which every host is given to trust (`overcast-hostd run
/// --server-ca`).
pub const CLUSTER_CA_FILE: &str = "cluster-ca.pem";

/// Write a public file whole (a temporary file renamed over it).
fn write_public_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// The connections from `networks` (all, if none is given); the others are
/// closed as they arrive.
fn only_from(
    incoming: tokio_stream::wrappers::TcpListenerStream,
    networks: Vec<ipnet::IpNet>,
) -> impl futures::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    use futures::StreamExt;
    incoming.filter(move |conn| {
        let admitted = match conn {
            Ok(stream) => match stream.peer_addr() {
                Ok(peer) => {
                    let ip = peer.ip().to_canonical();
                    let ok = networks.is_empty() || networks.iter().any(|n| n.contains(&ip));
                    if !ok {
                        tracing::warn!(%peer, "internal API connection from outside the cluster network closed");
                    }
                    ok
                }
                Err(_) => false,
            },
            Err(_) => true,
        };
        std::future::ready(admitted)
    })
}
