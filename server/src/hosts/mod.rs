//! The server's side of the internal gRPC API: enrollment, the session each
//! hostd keeps open (heartbeats in, commands out), the registry that sends
//! a command to a host and awaits its result, reconciliation of each
//! heartbeat's inventory (planned in `app::reconcile`). Silent hosts are
//! found by `App::watch_hosts` (`app::failover`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use overcast_db::Database;
use overcast_db::models::*;
use overcast_internal_api::v1::{
    self as api, CommandResult, EnrollRequest, EnrollResponse, ErrorKind, HostMessage,
    ServerMessage, host_agent_server::HostAgent, host_message::Body,
    server_message::Command as Cmd,
};
use overcast_types::ApiError;
use overcast_types::ids::*;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::app::commands::StorageOp;
use crate::app::failover;
use crate::app::hosts::{self as fleet, Capacity, HostRefusal};
use crate::app::pki::{self, Ca};
use crate::app::reconcile::{self, Inventory};
use crate::storage::Storage;

/// How long a command waits for a host that is between sessions.
pub const RECONNECT_GRACE: Duration = Duration::from_secs(5);

/// How long the server waits for a host to carry out one command.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a command did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// The host is not connected or did not answer: worth retrying.
    #[error("host unreachable: {0}")]
    Unreachable(String),
    /// The host refused or failed the command.
    #[error("host refused ({kind:?}): {message}")]
    Refused { kind: ErrorKind, message: String },
    /// The command needs the host's Ceph user, which could not be had now:
    /// worth retrying.
    #[error("no Ceph user for the host: {0}")]
    Storage(String),
}

struct Session {
    epoch: u64,
    tx: mpsc::Sender<Result<ServerMessage, Status>>,
    pending: Mutex<HashMap<u64, oneshot::Sender<CommandResult>>>,
}

/// Connected hosts, by host id.
#[derive(Default)]
pub struct Sessions {
    sessions: std::sync::Mutex<HashMap<HostId, Arc<Session>>>,
    next: AtomicU64,
    /// The Ceph cluster, if any: it gives each host the cephx user its
    /// commands for replicated drives need.
    storage: Option<Arc<dyn Storage>>,
    /// Hosts whose blocklist entry is being lifted.
    unfencing: Arc<std::sync::Mutex<std::collections::HashSet<HostId>>>,
}

impl Sessions {
    pub fn new(storage: Option<Arc<dyn Storage>>) -> Self {
        Self {
            storage,
            ..Self::default()
        }
    }

    /// End every session (the server is stopping); hosts redial.
    pub fn close_all(&self) {
        let all: Vec<Arc<Session>> = self
            .sessions
            .lock()
            .expect("sessions")
            .drain()
            .map(|(_, s)| s)
            .collect();
        for session in all {
            let _ = session
                .tx
                .try_send(Err(Status::unavailable("the server is stopping")));
        }
    }

    /// Lift the blocklist entry of a host that is back and clean, in the
    /// background (once at a time per host), then record it lifted.
    fn unfence(&self, db: &Database, host: &HostId, address: String) {
        let Some(ceph) = self.storage.clone() else {
            return;
        };
        if !self
            .unfencing
            .lock()
            .expect("unfencing")
            .insert(host.clone())
        {
            return;
        }
        let (db, host, unfencing) = (db.clone(), host.clone(), self.unfencing.clone());
        tokio::spawn(async move {
            let op = StorageOp::Unblock {
                address: address.clone(),
            };
            match ceph.apply(&op).await {
                Ok(()) => {
                    let id = host.clone();
                    match db.write(move |c| failover::unfenced(c, &id)).await {
                        Ok(()) => tracing::info!(%host, %address, "blocklist entry lifted"),
                        Err(e) => {
                            tracing::warn!(%host, error = %e.message, "cannot record an unfence")
                        }
                    }
                }
                Err(e) => tracing::warn!(%host, error = %e, "cannot lift a blocklist entry"),
            }
            unfencing.lock().expect("unfencing").remove(&host);
        });
    }

    pub fn connected(&self, host_id: &HostId) -> bool {
        self.sessions
            .lock()
            .expect("sessions")
            .contains_key(host_id)
    }

    /// Send `command` to the host and await its result.
    pub async fn call(
        &self,
        host_id: &HostId,
        mut command: Cmd,
    ) -> Result<Option<api::SerialChunk>, CallError> {
        if let Some(ceph) = &self.storage {
            crate::storage::complete(ceph.as_ref(), host_id, &mut command)
                .await
                .map_err(|e| CallError::Storage(e.to_string()))?;
        }
        // A host between two sessions (it redials within a second or two)
        // gets a moment to come back before it counts as unreachable.
        let deadline = tokio::time::Instant::now() + RECONNECT_GRACE;
        let session = loop {
            let found = self
                .sessions
                .lock()
                .expect("sessions")
                .get(host_id)
                .cloned();
            match found {
                Some(s) => break s,
                None if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                None => {
                    return Err(CallError::Unreachable(format!(
                        "host {host_id} is not connected"
                    )));
                }
            }
        };
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = oneshot::channel();
        session.pending.lock().await.insert(id, tx);
        let sent = session
            .tx
            .send(Ok(ServerMessage {
                command_id: id,
                command: Some(command),
                heartbeat_ack: None,
            }))
            .await;
        if sent.is_err() {
            session.pending.lock().await.remove(&id);
            return Err(CallError::Unreachable("the session closed".into()));
        }
        let result = match tokio::time::timeout(COMMAND_TIMEOUT, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => return Err(CallError::Unreachable("the session closed".into())),
            Err(_) => {
                session.pending.lock().await.remove(&id);
                return Err(CallError::Unreachable(format!(
                    "no answer within {COMMAND_TIMEOUT:?}"
                )));
            }
        };
        if result.error.is_empty() {
            Ok(result.serial)
        } else {
            Err(CallError::Refused {
                kind: result.error_kind(),
                message: result.error,
            })
        }
    }
}

/// The gRPC service the hosts dial (over TLS: `Server::start` sets it up).
pub struct AgentService {
    db: Database,
    sessions: Arc<Sessions>,
    /// The detection time, told to hosts in every heartbeat's ack.
    detection: Duration,
    /// Signs host certificates.
    ca: Ca,
    /// How long a host certificate is valid.
    certificate_lifetime: Duration,
}

impl AgentService {
    pub fn new(
        db: Database,
        sessions: Arc<Sessions>,
        detection: Duration,
        ca: Ca,
        certificate_lifetime: Duration,
    ) -> Self {
        Self {
            db,
            sessions,
            detection,
            ca,
            certificate_lifetime,
        }
    }

    /// The host making this call: its client certificate and its
    /// credential (`authorization: Bearer`) must both name it. Only then
    /// does a renewed certificate become the host's current one.
    async fn caller<T>(&self, request: &Request<T>) -> Result<HostRow, Status> {
        let peer = request.remote_addr();
        let Some(certificate) = request.peer_certs().and_then(|c| c.first().cloned()) else {
            tracing::warn!(?peer, "call without a client certificate refused");
            return Err(Status::unauthenticated(
                "a host client certificate is required",
            ));
        };
        let Some(secret) = request
            .metadata()
            .get(overcast_internal_api::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string)
        else {
            tracing::warn!(?peer, "call without a host credential refused");
            return Err(Status::unauthenticated("a host credential is required"));
        };
        let print = pki::fingerprint(&certificate);
        self.db
            .write(move |c| Ok(pki::authenticate(c, &print, &secret)))
            .await
            .map_err(|e| Status::internal(e.message))?
            .map_err(|e| {
                tracing::warn!(?peer, error = %e, "host call refused");
                refusal_status(e)
            })
    }
}

fn refusal_status(e: HostRefusal) -> Status {
    match e {
        HostRefusal::Invalid(m) => Status::invalid_argument(m),
        HostRefusal::Denied(m) => Status::permission_denied(m),
        HostRefusal::Unknown(m) => Status::unauthenticated(m),
        HostRefusal::Internal(m) => Status::internal(m),
    }
}

fn capacity(c: Option<api::Capacity>) -> Result<Capacity, HostRefusal> {
    let c = c.ok_or_else(|| HostRefusal::Invalid("capacity is missing".into()))?;
    Ok(Capacity {
        cpus: c.cpus,
        memory_mib: c.memory_mib,
        storage_bytes: c.storage_bytes,
        storage_free_bytes: c.storage_free_bytes,
    })
}

#[tonic::async_trait]
impl HostAgent for AgentService {
    async fn enroll(
        &self,
        request: Request<EnrollRequest>,
    ) -> Result<Response<EnrollResponse>, Status> {
        let peer = request.remote_addr();
        let r = request.into_inner();
        let (ca, lifetime) = (self.ca.clone(), self.certificate_lifetime);
        let result = async {
            let capacity = capacity(r.capacity)?;
            self.db
                .write(move |c| {
                    Ok(fleet::enroll(
                        c,
                        &r.enrollment_token,
                        &r.name,
                        &r.address,
                        r.iscsi_port,
                        capacity,
                        (&ca, &r.csr_pem, lifetime),
                    ))
                })
                .await
                .map_err(HostRefusal::from)?
        }
        .await;
        match result {
            Ok((host, secret, issued)) => {
                tracing::info!(host = %host.name, host_id = %host.id, "host enrolled");
                Ok(Response::new(EnrollResponse {
                    host_id: host.id.into(),
                    host_secret: secret,
                    certificate_pem: issued.pem,
                    ca_pem: self.ca.cert_pem.clone(),
                    certificate_expires: issued.expires,
                }))
            }
            Err(e) => {
                tracing::warn!(?peer, error = %e, "enrollment refused");
                Err(refusal_status(e))
            }
        }
    }

    async fn renew_certificate(
        &self,
        request: Request<api::RenewRequest>,
    ) -> Result<Response<api::RenewResponse>, Status> {
        let host = self.caller(&request).await?;
        let csr = request.into_inner().csr_pem;
        let (ca, lifetime) = (self.ca.clone(), self.certificate_lifetime);
        let name = host.name.clone();
        let issued = self
            .db
            .write(move |c| Ok(pki::renew(c, &ca, &host, &csr, lifetime)))
            .await
            .map_err(|e| Status::internal(e.message))?
            .map_err(refusal_status)?;
        tracing::info!(host = %name, "host certificate renewed");
        Ok(Response::new(api::RenewResponse {
            certificate_pem: issued.pem,
            certificate_expires: issued.expires,
        }))
    }

    type SessionStream = ReceiverStream<Result<ServerMessage, Status>>;

    async fn session(
        &self,
        request: Request<Streaming<HostMessage>>,
    ) -> Result<Response<Self::SessionStream>, Status> {
        let host = self.caller(&request).await?;
        let (tx, rx) = mpsc::channel(256);
        let sessions = &self.sessions;
        let session = Arc::new(Session {
            epoch: sessions.next.fetch_add(1, Ordering::Relaxed),
            tx,
            pending: Mutex::new(HashMap::new()),
        });
        let replaced = sessions
            .sessions
            .lock()
            .expect("sessions")
            .insert(host.id.clone(), session.clone());
        if let Some(old) = replaced {
            // The newest session wins; the old one is told to go.
            let _ = old.tx.try_send(Err(Status::aborted(
                "replaced by a newer session of this host",
            )));
        }
        tracing::info!(host = %host.name, "host session open");
        let db = self.db.clone();
        let sessions = self.sessions.clone();
        let detection_ms = u32::try_from(self.detection.as_millis()).unwrap_or(u32::MAX);
        let mut inbound = request.into_inner();
        tokio::spawn(async move {
            let outcome: Result<(), Status> = async {
                while let Some(msg) = inbound.message().await? {
                    match msg.body {
                        Some(Body::Heartbeat(hb)) => {
                            on_heartbeat(&db, &sessions, &host, hb).await?;
                            let ack = ServerMessage {
                                command_id: 0,
                                command: None,
                                heartbeat_ack: Some(api::HeartbeatAck { detection_ms }),
                            };
                            if session.tx.send(Ok(ack)).await.is_err() {
                                break;
                            }
                        }
                        Some(Body::Result(result)) => {
                            if let Some(waiter) = session.pending.lock().await.remove(&result.command_id) {
                                let _ = waiter.send(result);
                            } else {
                                tracing::warn!(host = %host.name, command_id = result.command_id, "result for no pending command ignored");
                            }
                        }
                        None => return Err(Status::invalid_argument("a message without a body")),
                    }
                }
                Ok(())
            }
            .await;
            if let Err(status) = &outcome {
                tracing::warn!(host = %host.name, error = %status.message(), "host session ended with an error");
                let _ = session.tx.send(Err(status.clone())).await;
            }
            let mut map = sessions.sessions.lock().expect("sessions");
            if map.get(&host.id).is_some_and(|s| s.epoch == session.epoch) {
                map.remove(&host.id);
            }
            tracing::info!(host = %host.name, "host session closed");
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

async fn on_heartbeat(
    db: &Database,
    sessions: &Arc<Sessions>,
    host: &HostRow,
    hb: api::Heartbeat,
) -> Result<(), Status> {
    let arrived = overcast_db::now_micros();
    let capacity = capacity(hb.capacity).map_err(refusal_status)?;
    let inventory =
        Inventory::from_report(hb.inventory.unwrap_or_default()).map_err(refusal_status)?;
    let host_id = host.id.clone();
    let port = hb.iscsi_port;
    // One transaction: record the heartbeat, then plan what to reconcile;
    // with nothing left to, a host fenced from the storage can be let back.
    let (plan, unfence) = db
        .write(
            move |c| match fleet::heartbeat(c, &host_id, capacity, port) {
                Ok(_) => {
                    let plan = reconcile::plan_reconciliation(c, &host_id, &inventory, arrived)?;
                    let unfence = if plan.is_empty() {
                        failover::ready_to_unfence(c, &host_id)?
                    } else {
                        None
                    };
                    Ok(Ok((plan, unfence)))
                }
                Err(refused) => Ok(Err(refused)),
            },
        )
        .await
        .map_err(|e| Status::internal(e.message))?
        .map_err(refusal_status)?;
    if let Some(address) = unfence {
        sessions.unfence(db, &host.id, address);
    }
    if !plan.is_empty() {
        let sessions = sessions.clone();
        let host = host.clone();
        tokio::spawn(async move {
            for (what, command) in plan {
                tracing::info!(host = %host.name, %what, "reconciling");
                if let Err(e) = sessions.call(&host.id, command).await {
                    tracing::warn!(host = %host.name, %what, error = %e, "reconciliation step failed");
                }
            }
        });
    }
    Ok(())
}

/// Read a chunk of the instance's serial log from its host.
pub async fn read_serial(
    sessions: &Sessions,
    row: &InstanceRow,
    offset: u64,
    max_bytes: u32,
) -> Result<api::SerialChunk, ApiError> {
    let Some(host) = &row.host_id else {
        return Err(ApiError::conflict(
            "not_placed",
            "the instance has no host yet, so no console",
        ));
    };
    let empty = api::SerialChunk::default();
    match sessions
        .call(
            host,
            Cmd::ReadSerial(api::ReadSerial {
                instance_id: row.id.to_string(),
                offset,
                max_bytes,
            }),
        )
        .await
    {
        Ok(chunk) => Ok(chunk.unwrap_or(empty)),
        // Not booted yet: an empty log.
        Err(CallError::Refused {
            kind: ErrorKind::NotFound,
            ..
        }) => Ok(empty),
        Err(e) => Err(ApiError::unavailable(
            "host_unavailable",
            format!("the instance's host cannot be reached: {e}"),
        )),
    }
}
