//! hostd's link to the server: enrollment (once, with the operator's
//! enrollment token; the host credential it returns is kept 0600 in the
//! state directory), then a session stream that carries heartbeats with
//! capacity and inventory up and commands down. A lost session is redialled
//! with backoff, to the next of the server's replicas when it has several;
//! commands run concurrently, one at a time per object. The
//! split-brain guard stops the guests of a host cut off from the server.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use overcast_internal_api::tls;
use overcast_internal_api::v1::{
    EnrollRequest, Heartbeat, HostMessage, RenewRequest, host_agent_client::HostAgentClient,
    host_message::Body,
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Channel, Endpoint};

use crate::host::Host;

#[derive(Debug, Clone)]
pub struct AgentSettings {
    /// The server's internal API, `https://host:port`: one address (a
    /// load-balanced name, say), or each replica's. A session that cannot
    /// be opened or is lost is redialled to the next.
    pub servers: Vec<String>,
    /// The cluster CA's certificate (PEM), needed to enroll.
    pub server_ca: Option<String>,
    pub name: String,
    /// Where other hosts reach this host's iSCSI portal.
    pub address: String,
    pub enrollment_token: Option<String>,
    pub heartbeat: Duration,
}

/// What enrollment gave this host, kept 0600 in the state directory: its
/// id, its credential, its TLS key and certificate, and the CA to trust the
/// server by.
#[derive(serde::Serialize, serde::Deserialize, Clone)]
struct Credentials {
    host_id: String,
    host_secret: String,
    key_pem: String,
    certificate_pem: String,
    ca_pem: String,
    /// Unix seconds: when the certificate was received, and when it ends.
    certificate_received: i64,
    certificate_expires: i64,
}

impl Credentials {
    /// Past two thirds of its life, the certificate is renewed.
    fn renewal_due(&self) -> bool {
        self.renewal_in().is_zero()
    }

    fn renewal_in(&self) -> Duration {
        let life = self.certificate_expires - self.certificate_received;
        let at = self.certificate_received + life * 2 / 3;
        Duration::from_secs(u64::try_from(at - unix_now()).unwrap_or(0))
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A channel to the server over TLS, trusting only the cluster CA, with
/// the host's client certificate once it has one.
async fn channel(server: &str, ca_pem: &str, identity: Option<(&str, &str)>) -> Result<Channel> {
    if !server.starts_with("https://") {
        bail!("the server URL must be https:// (the internal API is TLS only): {server}");
    }
    Ok(Endpoint::from_shared(server.to_string())
        .context("the server URL")?
        .tls_config(tls::client_config(ca_pem, identity))?
        .connect_timeout(Duration::from_secs(2))
        .tcp_nodelay(true)
        .connect()
        .await?)
}

fn save_credentials(path: &Path, creds: &Credentials) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(&serde_json::to_vec(creds)?)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn credentials_path(host: &Host) -> std::path::PathBuf {
    host.settings.state_dir.join("credentials.json")
}

/// The host credential: read from the state directory, or obtained by
/// enrolling (retried while the server is unreachable).
async fn credentials(host: &Host, settings: &AgentSettings) -> Result<Credentials> {
    let path = credentials_path(host);
    if let Ok(bytes) = std::fs::read(&path) {
        return serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "reading {} (a credential from before TLS: remove the host and enroll it again)",
                path.display()
            )
        });
    }
    let Some(token) = settings.enrollment_token.clone() else {
        bail!(
            "this host is not enrolled: give an enrollment token (`overcast host-enrollment create`)"
        );
    };
    let Some(ca_pem) = settings.server_ca.clone() else {
        bail!(
            "enrolling needs the cluster CA's certificate (--server-ca, the server's cluster-ca.pem)"
        );
    };
    let key = tls::host_key(&settings.name).context("making the host's key")?;
    for server in settings.servers.iter().cycle() {
        let attempt = async {
            let mut client = HostAgentClient::new(channel(server, &ca_pem, None).await?);
            let capacity = host.capacity()?;
            let reply = client
                .enroll(EnrollRequest {
                    enrollment_token: token.clone(),
                    name: settings.name.clone(),
                    address: settings.address.clone(),
                    iscsi_port: u32::from(host.daemons.portal_port),
                    capacity: Some(capacity),
                    csr_pem: key.csr_pem.clone(),
                })
                .await;
            anyhow::Ok(reply)
        };
        match attempt.await {
            Ok(Ok(reply)) => {
                let reply = reply.into_inner();
                let creds = Credentials {
                    host_id: reply.host_id,
                    host_secret: reply.host_secret,
                    key_pem: key.key_pem.clone(),
                    certificate_pem: reply.certificate_pem,
                    ca_pem: reply.ca_pem,
                    certificate_received: unix_now(),
                    certificate_expires: reply.certificate_expires,
                };
                save_credentials(&path, &creds)?;
                tracing::info!(host_id = %creds.host_id, "enrolled");
                return Ok(creds);
            }
            Ok(Err(status)) if status.code() != tonic::Code::Unavailable => {
                bail!("enrollment refused: {}", status.message());
            }
            Ok(Err(e)) => {
                tracing::info!(%server, error = %e, "server unavailable; retrying enrollment")
            }
            Err(e) => {
                tracing::info!(%server, error = %format!("{e:#}"), "cannot reach the server; retrying enrollment")
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    bail!("no server to enroll with (--server)")
}

/// Rotate the host's certificate: a new key, a certificate for it from
/// the server, saved before use (the server accepts the old one until the
/// new one is used).
async fn renew(
    host: &Host,
    client: &mut HostAgentClient<Channel>,
    creds: &mut Credentials,
) -> Result<()> {
    let key = tls::host_key(&creds.host_id).context("making the host's new key")?;
    let mut request = tonic::Request::new(RenewRequest {
        csr_pem: key.csr_pem,
    });
    request.metadata_mut().insert(
        overcast_internal_api::AUTHORIZATION,
        format!("Bearer {}", creds.host_secret).parse()?,
    );
    let reply = client.renew_certificate(request).await?.into_inner();
    let mut renewed = creds.clone();
    renewed.key_pem = key.key_pem;
    renewed.certificate_pem = reply.certificate_pem;
    renewed.certificate_received = unix_now();
    renewed.certificate_expires = reply.certificate_expires;
    save_credentials(&credentials_path(host), &renewed)?;
    *creds = renewed;
    tracing::info!("host certificate renewed");
    Ok(())
}

async fn heartbeat(host: &Arc<Host>) -> Result<HostMessage> {
    let host = host.clone();
    tokio::task::spawn_blocking(move || {
        Ok(HostMessage {
            body: Some(Body::Heartbeat(Heartbeat {
                capacity: Some(host.capacity()?),
                inventory: Some(host.inventory()?),
                iscsi_port: u32::from(host.daemons.portal_port),
            })),
        })
    })
    .await?
}

/// When the server last acknowledged a heartbeat, and what it said.
struct Contact {
    last_ack: Instant,
    /// The server's detection time (5 s until it says otherwise).
    detection: Duration,
    /// This hostd was stalled (frozen) since the last ack.
    stalled: bool,
    /// The guests were stopped since the last ack.
    fenced: bool,
}

/// Whether any of the server's addresses answers at all.
async fn any_server_reachable(servers: &[String]) -> bool {
    let mut probes = tokio::task::JoinSet::new();
    for server in servers {
        let server = server.clone();
        probes.spawn(async move { server_reachable(&server).await });
    }
    while let Some(up) = probes.join_next().await {
        if up.unwrap_or(false) {
            return true;
        }
    }
    false
}

/// Whether the server's address answers at all: a connection, or a
/// refusal (its process is down but the network is there), within 300 ms.
async fn server_reachable(server: &str) -> bool {
    let authority = server
        .split_once("://")
        .map_or(server, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    match tokio::time::timeout(
        Duration::from_millis(300),
        tokio::net::TcpStream::connect(authority),
    )
    .await
    {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => e.kind() == std::io::ErrorKind::ConnectionRefused,
        Err(_) => false,
    }
}

/// The split-brain guard. A host that has had no ack for most of the
/// detection time, and was frozen or cannot reach the server's address,
/// stops its guests before the server restarts them elsewhere (VMware
/// HA's isolation response). A host merely missing its server (the process
/// down, the network fine) keeps them.
async fn guard(host: Arc<Host>, servers: Vec<String>, contact: Arc<Mutex<Contact>>) {
    let mut last_tick = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = Instant::now();
        let gap = now - last_tick;
        last_tick = now;
        let (silent, detection, stalled) = {
            let mut c = contact.lock().expect("contact");
            if gap > c.detection / 2 {
                c.stalled = true;
            }
            if c.fenced {
                continue;
            }
            (now - c.last_ack, c.detection, c.stalled)
        };
        if silent < detection * 4 / 5 {
            continue;
        }
        if !stalled && any_server_reachable(&servers).await {
            continue;
        }
        let host = host.clone();
        let stopped = tokio::task::spawn_blocking(move || host.stop_all_guests()).await;
        match stopped {
            Ok(Ok(n)) => {
                tracing::warn!(
                    guests = n,
                    silent = ?silent,
                    stalled,
                    "no word from the server and isolated: guests stopped (self-fence)"
                );
                contact.lock().expect("contact").fenced = true;
            }
            // Not marked fenced: the next tick tries again.
            Ok(Err(e)) => tracing::error!(error = %format!("{e:#}"), "self-fence incomplete"),
            Err(e) => tracing::error!(error = %e, "self-fence incomplete"),
        }
    }
}

/// Serve the server until `shutdown` resolves or the credential is refused.
pub async fn run(
    host: Arc<Host>,
    settings: AgentSettings,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<()> {
    let contact = Arc::new(Mutex::new(Contact {
        last_ack: Instant::now(),
        detection: Duration::from_secs(5),
        stalled: false,
        fenced: false,
    }));
    let _guard = AbortOnDrop(tokio::spawn(guard(
        host.clone(),
        settings.servers.clone(),
        contact.clone(),
    )));
    let work = async {
        let mut creds = credentials(&host, &settings).await?;
        let mut backoff = Duration::from_millis(100);
        for server in settings.servers.iter().cycle() {
            let started = Instant::now();
            let result = session(&host, server, &settings, &mut creds, &contact).await;
            if started.elapsed() > Duration::from_secs(5) {
                // A session that lasted: redial at once.
                backoff = Duration::from_millis(100);
            }
            match result {
                Ok(()) => tracing::info!(%server, "session ended; redialling"),
                Err(e) => {
                    if let Some(status) = e.downcast_ref::<tonic::Status>()
                        && status.code() == tonic::Code::Unauthenticated
                    {
                        bail!(
                            "the server refused this host's credential: {}",
                            status.message()
                        );
                    }
                    tracing::info!(%server, error = %format!("{e:#}"), "session lost; redialling");
                }
            }
            // With several replicas, the pause before the next one is the
            // backoff divided among them.
            tokio::time::sleep(backoff / settings.servers.len() as u32).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
        bail!("no server to dial (--server)")
    };
    tokio::select! {
        r = work => r,
        () = shutdown => Ok(()),
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn session(
    host: &Arc<Host>,
    server: &str,
    settings: &AgentSettings,
    creds: &mut Credentials,
    contact: &Mutex<Contact>,
) -> Result<()> {
    let mut client = HostAgentClient::new(
        channel(
            server,
            &creds.ca_pem,
            Some((&creds.certificate_pem, &creds.key_pem)),
        )
        .await?,
    );
    if creds.renewal_due() {
        match renew(host, &mut client, creds).await {
            // The next session uses the new certificate.
            Ok(()) => return Ok(()),
            // The current one is still good: serve with it, and try again
            // at the next session.
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "cannot renew the host certificate")
            }
        }
    }
    if creds.certificate_expires < unix_now() {
        tracing::error!(
            expired = creds.certificate_expires,
            "the host certificate expired: the server refuses it; remove this host and enroll it again"
        );
    }
    let (tx, rx) = mpsc::channel::<HostMessage>(256);
    tx.send(heartbeat(host).await?).await?;
    let mut request = tonic::Request::new(ReceiverStream::new(rx));
    request.metadata_mut().insert(
        overcast_internal_api::AUTHORIZATION,
        format!("Bearer {}", creds.host_secret).parse()?,
    );
    let mut inbound = client.session(request).await?.into_inner();
    tracing::info!(host_id = %creds.host_id, "session open");
    let beats = {
        let (host, tx, every) = (host.clone(), tx.clone(), settings.heartbeat);
        tokio::spawn(async move {
            // Beats keep their rhythm however long the inventory takes (a
            // busy libvirtd or tgtd under load): the next one is due one
            // period after the last one began, not after it ended, so the
            // server's silence detection sees the period, not the sum.
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let began = Instant::now();
                let beat = heartbeat(&host).await;
                if began.elapsed() > every {
                    tracing::warn!(
                        took_ms = began.elapsed().as_millis() as u64,
                        "taking the inventory for a heartbeat took longer than the heartbeat period"
                    );
                }
                match beat {
                    Ok(m) => {
                        if tx.send(m).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "cannot take inventory"),
                }
            }
        })
    };
    let renewal = tokio::time::sleep(creds.renewal_in());
    tokio::pin!(renewal);
    let outcome = async {
        loop {
            let msg = tokio::select! {
                msg = inbound.message() => msg?,
                () = &mut renewal => {
                    tracing::info!("the certificate is due for renewal: ending the session");
                    break;
                }
            };
            let Some(msg) = msg else { break };
            if let Some(ack) = msg.heartbeat_ack {
                let mut c = contact.lock().expect("contact");
                c.last_ack = Instant::now();
                c.detection = Duration::from_millis(u64::from(ack.detection_ms.max(1000)));
                c.stalled = false;
                c.fenced = false;
                continue;
            }
            let (host, tx) = (host.clone(), tx.clone());
            tokio::spawn(async move {
                let id = msg.command_id;
                let result =
                    tokio::task::spawn_blocking(move || host.execute(id, msg.command)).await;
                if let Ok(result) = result {
                    let _ = tx
                        .send(HostMessage {
                            body: Some(Body::Result(result)),
                        })
                        .await;
                }
            });
        }
        anyhow::Ok(())
    }
    .await;
    beats.abort();
    outcome
}
