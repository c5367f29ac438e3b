//! The server's side of the internal gRPC API: enrollment, the session each
//! hostd keeps open (heartbeats in, commands out), the registry that sends
//! a command to a host and awaits its result, reconciliation of each
//! heartbeat's inventory (planned in `app::reconcile`). Silent hosts are
//! found by `App::watch_hosts` (`app::failover`).
//!
//! With several replicas of the server, each host holds its session with
//! one of them; the session directory (`app::replicas`) says which. A
//! command for a host whose session another replica holds is relayed to
//! that replica (the internal API's `Replica` service), which sends it on
//! and returns the result.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use overcast_db::Database;
use overcast_db::models::*;
use overcast_internal_api::v1::{
    self as api, CommandResult, EnrollRequest, EnrollResponse, ErrorKind, HostMessage, RelayReply,
    RelayRequest, ServerMessage, host_agent_server::HostAgent, host_message::Body,
    replica_client::ReplicaClient, replica_server::Replica, server_message::Command as Cmd,
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
use crate::app::replicas;
use crate::storage::Storage;

/// How long a command waits for a host that is between sessions.
pub const RECONNECT_GRACE: Duration = Duration::from_secs(5);

/// Heartbeat times are written to this grain (microseconds), so a flush
/// is a few statements.
const BEAT_GRAIN: i64 = 50_000;

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

/// How replicas reach and trust each other.
struct Peering {
    ca_pem: String,
    /// The bearer replicas present to each other.
    secret: String,
}

/// Connected hosts, by host id; and the way to the hosts whose sessions
/// other replicas hold.
#[derive(Default)]
pub struct Sessions {
    sessions: std::sync::Mutex<HashMap<HostId, Arc<Session>>>,
    next: AtomicU64,
    /// This replica's id, as the session directory names it.
    replica: String,
    db: Option<Database>,
    peering: std::sync::OnceLock<Peering>,
    /// A channel to each peer replica, by replica id.
    peers: std::sync::Mutex<HashMap<String, ReplicaClient<tonic::transport::Channel>>>,
    /// Hosts whose heartbeats said nothing new since the last flush, with
    /// the time of the latest (`flush_beats` writes them).
    beats: std::sync::Mutex<HashMap<HostId, i64>>,
    /// Hosts whose beats were written but whose row says they are not
    /// serving (found `suspect` or `down` meanwhile, or removed): their
    /// next heartbeat goes the whole way, as news.
    stale: std::sync::Mutex<std::collections::HashSet<HostId>>,
    /// The Ceph cluster, if any: it gives each host the cephx user its
    /// commands for replicated drives need.
    storage: Option<Arc<dyn Storage>>,
    /// Hosts whose blocklist entry is being lifted.
    unfencing: Arc<std::sync::Mutex<std::collections::HashSet<HostId>>>,
}

impl Sessions {
    pub fn new(storage: Option<Arc<dyn Storage>>, db: Database, replica: String) -> Self {
        Self {
            storage,
            db: Some(db),
            replica,
            ..Self::default()
        }
    }

    /// This replica's id.
    pub fn replica(&self) -> &str {
        &self.replica
    }

    /// Let commands be relayed to and from peer replicas, who trust the
    /// cluster CA and share its key.
    pub fn enable_peering(&self, ca: &Ca) {
        let _ = self.peering.set(Peering {
            ca_pem: ca.cert_pem.clone(),
            secret: ca.replica_secret(),
        });
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

    /// Send `command` to the host and await its result: on this
    /// replica's session with it, or relayed to the replica holding one.
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
        // A host between two sessions (it redials within a second or two,
        // maybe to another replica) gets a moment to come back before it
        // counts as unreachable.
        let deadline = tokio::time::Instant::now() + RECONNECT_GRACE;
        let mut last = format!("host {host_id} is not connected");
        loop {
            if let Some(session) = self.local(host_id) {
                return outcome(send(&session, command, &self.next).await?);
            }
            match self.holder(host_id).await {
                Ok(Some(peer)) if peer.id != self.replica => {
                    match self.relay(&peer, host_id, command.clone()).await {
                        Ok(Some(result)) => return outcome(result),
                        Ok(None) => {
                            last = format!(
                                "replica {} no longer holds host {host_id}'s session",
                                peer.id
                            )
                        }
                        Err(e) => last = format!("replica {} unreachable: {e}", peer.id),
                    }
                }
                Ok(_) => {}
                Err(e) => last = format!("the session directory: {}", e.message),
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(CallError::Unreachable(last));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Mend the session directory for this replica's sessions (see
    /// `replicas::reassert_sessions`).
    pub async fn reassert_directory(&self) -> Result<usize, ApiError> {
        let Some(db) = &self.db else {
            return Ok(0);
        };
        let local: Vec<(HostId, i64)> = self
            .sessions
            .lock()
            .expect("sessions")
            .iter()
            .map(|(h, s)| (h.clone(), s.epoch as i64))
            .collect();
        if local.is_empty() {
            return Ok(0);
        }
        let replica = self.replica.clone();
        db.write(move |c| replicas::reassert_sessions(c, &replica, &local))
            .await
    }

    /// A heartbeat that said nothing new, at `at`: written with the others
    /// at the next flush.
    fn beat(&self, host: &HostId, at: i64) {
        self.beats.lock().expect("beats").insert(host.clone(), at);
    }

    /// Write the times of the heartbeats counted since the last flush, in
    /// one transaction: hosts are grouped by their latest beat's time,
    /// rounded down to 50 ms, one statement per group (a
    /// handful, whatever the number of hosts).
    pub async fn flush_beats(&self) -> Result<usize, ApiError> {
        let beats: Vec<(HostId, i64)> = self.beats.lock().expect("beats").drain().collect();
        let Some(db) = &self.db else {
            return Ok(0);
        };
        if beats.is_empty() {
            return Ok(0);
        }
        let n = beats.len();
        let mut groups: HashMap<i64, Vec<HostId>> = HashMap::new();
        for (host, at) in beats {
            groups.entry(at - at % BEAT_GRAIN).or_default().push(host);
        }
        let written = db
            .write({
                let groups = groups.clone();
                move |c| {
                    let mut stale = Vec::new();
                    for (at, hosts) in &groups {
                        fleet::beats_seen(c, hosts, *at)?;
                        stale.extend(fleet::not_serving(c, hosts)?);
                    }
                    Ok(stale)
                }
            })
            .await;
        if let Ok(stale) = &written {
            self.stale
                .lock()
                .expect("stale")
                .extend(stale.iter().cloned());
        }
        if let Err(e) = written {
            // Kept for the next flush, unless a newer beat came meanwhile.
            let mut beats = self.beats.lock().expect("beats");
            for (at, hosts) in groups {
                for host in hosts {
                    beats.entry(host).or_insert(at);
                }
            }
            return Err(e);
        }
        Ok(n)
    }

    /// Drop session `epoch` of the host, unless a newer one replaced it.
    fn forget(&self, host_id: &HostId, epoch: u64) {
        let mut map = self.sessions.lock().expect("sessions");
        if map.get(host_id).is_some_and(|s| s.epoch == epoch) {
            map.remove(host_id);
            self.stale.lock().expect("stale").remove(host_id);
        }
    }

    fn local(&self, host_id: &HostId) -> Option<Arc<Session>> {
        self.sessions
            .lock()
            .expect("sessions")
            .get(host_id)
            .cloned()
    }

    /// The live replica the directory says holds the host's session.
    async fn holder(&self, host_id: &HostId) -> Result<Option<replicas::Peer>, ApiError> {
        let Some(db) = &self.db else {
            return Ok(None);
        };
        let host = host_id.clone();
        db.read(move |c| replicas::session_holder(c, &host)).await
    }

    /// Relay `command` to `peer`; `None` if it no longer holds the session.
    async fn relay(
        &self,
        peer: &replicas::Peer,
        host_id: &HostId,
        command: Cmd,
    ) -> Result<Option<CommandResult>, String> {
        let peering = self
            .peering
            .get()
            .ok_or("this replica cannot reach its peers yet")?;
        let client = {
            let mut peers = self.peers.lock().expect("peers");
            match peers.get(&peer.id) {
                Some(c) => c.clone(),
                None => {
                    let channel =
                        tonic::transport::Endpoint::from_shared(peer.internal_url.clone())
                            .map_err(|e| e.to_string())?
                            .tls_config(overcast_internal_api::tls::client_config(
                                &peering.ca_pem,
                                None,
                            ))
                            .map_err(|e| e.to_string())?
                            .connect_timeout(Duration::from_secs(1))
                            .timeout(COMMAND_TIMEOUT + Duration::from_secs(5))
                            .connect_lazy();
                    let client = ReplicaClient::new(channel);
                    peers.insert(peer.id.clone(), client.clone());
                    client
                }
            }
        };
        let mut request = tonic::Request::new(RelayRequest {
            host_id: host_id.to_string(),
            message: Some(ServerMessage {
                command_id: 0,
                command: Some(command),
                heartbeat_ack: None,
            }),
        });
        let bearer = format!("Bearer {}", peering.secret)
            .parse()
            .map_err(|_| "an invalid peer secret")?;
        request
            .metadata_mut()
            .insert(overcast_internal_api::AUTHORIZATION, bearer);
        let reply = client.clone().relay(request).await;
        match reply {
            Ok(r) => {
                let r = r.into_inner();
                Ok(if r.not_here { None } else { r.result })
            }
            Err(status) => {
                // A new channel next time: the peer may have restarted.
                self.peers.lock().expect("peers").remove(&peer.id);
                Err(status.message().to_string())
            }
        }
    }
}

/// Send `command` on a session and await the host's result.
async fn send(
    session: &Session,
    command: Cmd,
    next: &AtomicU64,
) -> Result<CommandResult, CallError> {
    let id = next.fetch_add(1, Ordering::Relaxed) + 1;
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
    match tokio::time::timeout(COMMAND_TIMEOUT, rx).await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(_)) => Err(CallError::Unreachable("the session closed".into())),
        Err(_) => {
            session.pending.lock().await.remove(&id);
            Err(CallError::Unreachable(format!(
                "no answer within {COMMAND_TIMEOUT:?}"
            )))
        }
    }
}

/// A host's result as the caller sees it.
fn outcome(result: CommandResult) -> Result<Option<api::SerialChunk>, CallError> {
    if result.error.is_empty() {
        Ok(result.serial)
    } else {
        Err(CallError::Refused {
            kind: result.error_kind(),
            message: result.error,
        })
    }
}

/// The internal API's `Replica` service: commands peers relay to the hosts
/// whose sessions this replica holds.
pub struct RelayService {
    sessions: Arc<Sessions>,
}

impl RelayService {
    pub fn new(sessions: Arc<Sessions>) -> Self {
        Self { sessions }
    }
}

#[tonic::async_trait]
impl Replica for RelayService {
    async fn relay(&self, request: Request<RelayRequest>) -> Result<Response<RelayReply>, Status> {
        let expected = self
            .sessions
            .peering
            .get()
            .map(|p| format!("Bearer {}", p.secret));
        let given = request
            .metadata()
            .get(overcast_internal_api::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        {
            use sha2::Digest;
            let hash = |s: &Option<String>| s.as_ref().map(|s| sha2::Sha256::digest(s.as_bytes()));
            if expected.is_none() || hash(&expected) != hash(&given) {
                tracing::warn!(peer = ?request.remote_addr(), "relay without the replicas' secret refused");
                return Err(Status::unauthenticated(
                    "not a replica of this control plane",
                ));
            }
        }
        let r = request.into_inner();
        let host: HostId = r
            .host_id
            .parse()
            .map_err(|_| Status::invalid_argument("host_id is not a host id"))?;
        let Some(command) = r.message.and_then(|m| m.command) else {
            return Err(Status::invalid_argument("no command to relay"));
        };
        let Some(session) = self.sessions.local(&host) else {
            return Ok(Response::new(RelayReply {
                not_here: true,
                result: None,
            }));
        };
        match send(&session, command, &self.sessions.next).await {
            Ok(result) => Ok(Response::new(RelayReply {
                not_here: false,
                result: Some(result),
            })),
            // The session closed under the command: the caller asks the
            // directory again.
            Err(_) => Ok(Response::new(RelayReply {
                not_here: true,
                result: None,
            })),
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
        // The directory says this replica holds it now; a session the
        // directory cannot record is refused (the host redials).
        let (id, replica, epoch) = (
            host.id.clone(),
            sessions.replica.clone(),
            session.epoch as i64,
        );
        if let Err(e) = self
            .db
            .write(move |c| replicas::session_opened(c, &id, &replica, epoch))
            .await
        {
            sessions.forget(&host.id, session.epoch);
            return Err(Status::unavailable(format!(
                "cannot record the session: {}",
                e.message
            )));
        }
        tracing::info!(host = %host.name, "host session open");
        let db = self.db.clone();
        let sessions = self.sessions.clone();
        let detection = self.detection;
        let detection_ms = u32::try_from(detection.as_millis()).unwrap_or(u32::MAX);
        let mut inbound = request.into_inner();
        tokio::spawn(async move {
            let mut planned = None;
            let mut last_beat = None;
            let outcome: Result<(), Status> = async {
                while let Some(msg) = inbound.message().await? {
                    match msg.body {
                        Some(Body::Heartbeat(hb)) => {
                            let beat = Beat { quiet: &mut planned, last: &mut last_beat, detection };
                            on_heartbeat(&db, &sessions, &host, hb, beat).await?;
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
            sessions.forget(&host.id, session.epoch);
            let (id, replica, epoch) = (
                host.id.clone(),
                sessions.replica.clone(),
                session.epoch as i64,
            );
            if let Err(e) = db
                .write(move |c| replicas::session_closed(c, &id, &replica, epoch))
                .await
            {
                tracing::warn!(host = %host.name, error = %e.message, "cannot record a closed session");
            }
            tracing::info!(host = %host.name, "host session closed");
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

/// How often a session plans reconciliation while its host reports the
/// same inventory and there was nothing to do: the database side may have
/// drifted (a row settled, a workflow ended). Any change in the inventory
/// is planned at once, and so is a session's first heartbeat.
const REPLAN_EVERY: Duration = Duration::from_secs(5);

/// What a session's host last said when the database agreed and there was
/// nothing to reconcile: its inventory, capacity and portal, and when.
type Quiet = Option<(Inventory, Capacity, u32, tokio::time::Instant)>;

/// What a session remembers from one heartbeat to the next.
struct Beat<'a> {
    quiet: &'a mut Quiet,
    /// When the previous heartbeat arrived.
    last: &'a mut Option<tokio::time::Instant>,
    detection: Duration,
}

async fn on_heartbeat(
    db: &Database,
    sessions: &Arc<Sessions>,
    host: &HostRow,
    hb: api::Heartbeat,
    beat: Beat<'_>,
) -> Result<(), Status> {
    let Beat {
        quiet,
        last,
        detection,
    } = beat;
    let arrived = overcast_db::now_micros();
    // After a gap of a quarter of the detection time the database may
    // have found the host `suspect`: this heartbeat reads its row (and
    // brings it back at once), whatever it says.
    let now = tokio::time::Instant::now();
    let gap = last.replace(now).is_none_or(|l| now - l >= detection / 4);
    let capacity = capacity(hb.capacity).map_err(refusal_status)?;
    let inventory =
        Inventory::from_report(hb.inventory.unwrap_or_default()).map_err(refusal_status)?;
    let port = hb.iscsi_port;
    // Nothing to plan if the host says what it said when there was nothing
    // to do, a moment ago.
    let skip = quiet
        .as_ref()
        .is_some_and(|(last, _, _, at)| *last == inventory && at.elapsed() < REPLAN_EVERY);
    // Nor anything to read, if its capacity is what the database had then
    // and no flush since found it not serving: the beat is only counted.
    let stale = sessions.stale.lock().expect("stale").remove(&host.id);
    if skip
        && !stale
        && !gap
        && quiet
            .as_ref()
            .is_some_and(|(_, c, p, _)| fleet::same_capacity((&capacity, port), (c, *p)))
    {
        sessions.beat(&host.id, arrived);
        return Ok(());
    }
    // One read: is there news, and what is there to reconcile. A
    // heartbeat with nothing new is written with the others' later.
    let (id, inv) = (host.id.clone(), inventory.clone());
    let read = db
        .read(
            move |c| match fleet::heartbeat_is_news(c, &id, &capacity, port) {
                Ok(false) if skip => Ok(Ok(Some((Vec::new(), None)))),
                Ok(false) => plan_unfence(c, &id, &inv, arrived).map(|p| Ok(Some(p))),
                Ok(true) => Ok(Ok(None)),
                Err(refused) => Ok(Err(refused)),
            },
        )
        .await
        .map_err(|e| Status::internal(e.message))?
        .map_err(refusal_status)?;
    let (plan, unfence) = match read {
        Some(planned) => {
            sessions.beat(&host.id, arrived);
            planned
        }
        None => {
            // News: one transaction records the heartbeat, then plans
            // what to reconcile; with nothing left to, a host fenced from
            // the storage can be let back.
            let (id, inv) = (host.id.clone(), inventory.clone());
            db.write(move |c| match fleet::heartbeat(c, &id, capacity, port) {
                Ok(_) => plan_unfence(c, &id, &inv, arrived).map(Ok),
                Err(refused) => Ok(Err(refused)),
            })
            .await
            .map_err(|e| Status::internal(e.message))?
            .map_err(refusal_status)?
        }
    };
    match quiet {
        // Nothing was planned: only the capacity the database agreed with
        // is new.
        Some((_, c, p, _)) if skip => (*c, *p) = (capacity, port),
        _ => {
            *quiet = (plan.is_empty() && unfence.is_none())
                .then(|| (inventory, capacity, port, tokio::time::Instant::now()));
        }
    }
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

/// What to reconcile on a host after its heartbeat, and, with nothing to,
/// the address to lift its storage fence from if it is fenced.
type Planned = (Vec<(String, Cmd)>, Option<String>);

fn plan_unfence(
    c: &mut overcast_db::DbConn,
    host_id: &HostId,
    inventory: &Inventory,
    arrived: i64,
) -> overcast_types::ApiResult<Planned> {
    let plan = reconcile::plan_reconciliation(c, host_id, inventory, arrived)?;
    let unfence = if plan.is_empty() {
        failover::ready_to_unfence(c, host_id)?
    } else {
        None
    };
    Ok((plan, unfence))
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
