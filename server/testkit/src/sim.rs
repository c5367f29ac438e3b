//! A simulated host: it enrolls through the real internal gRPC API, keeps
//! a session open, heartbeats an in-memory inventory, and answers every
//! command the way `overcast-hostd` does (idempotent ensures, generation
//! checks, removals of what is not there succeed), so the server cannot
//! tell it from a real host. Tests choose, per kind of command, to let it
//! succeed, fail, answer late, or never answer. Thousands can run in one
//! process: each is one task and one HTTP/2 connection.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use overcast_internal_api::v1::{
    Capacity, CommandResult, DomainReport, DriveReport, EnrollRequest, ErrorKind, Heartbeat,
    HostMessage, Inventory, SerialChunk, disk::Source, host_agent_client::HostAgentClient,
    host_message::Body, server_message::Command,
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Channel, Endpoint};

/// The kinds of command a host answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    EnsureDrive,
    RemoveDrive,
    EnsureInstance,
    RemoveInstance,
    RebootInstance,
    ReadSerial,
}

impl CommandKind {
    fn of(command: &Command) -> Self {
        match command {
            Command::EnsureDrive(_) => CommandKind::EnsureDrive,
            Command::RemoveDrive(_) => CommandKind::RemoveDrive,
            Command::EnsureInstance(_) => CommandKind::EnsureInstance,
            Command::RemoveInstance(_) => CommandKind::RemoveInstance,
            Command::RebootInstance(_) => CommandKind::RebootInstance,
            Command::ReadSerial(_) => CommandKind::ReadSerial,
        }
    }
}

/// How the host answers a kind of command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behavior {
    /// Carry it out and say so (the default).
    Succeed,
    /// Change nothing and answer with this failure.
    Fail(String),
    /// Carry it out, then answer after this long.
    Delay(Duration),
    /// Never answer (the command is not carried out).
    NeverAnswer,
}

/// A drive as the simulated host holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimDrive {
    pub size_bytes: u64,
    pub initiators: Vec<String>,
    /// The CHAP user its target admits (new with every new secret).
    pub chap_user: String,
}

/// A domain as the simulated host holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimDomain {
    pub hostname: String,
    pub running: bool,
    pub vcpus: u32,
    pub memory_mib: u64,
    /// Drive ids of its disks, in order.
    pub disks: Vec<String>,
    pub boots: u32,
}

#[derive(Default)]
struct State {
    drives: BTreeMap<String, SimDrive>,
    domains: BTreeMap<String, SimDomain>,
    /// Newest generation applied per object; older commands are stale.
    generations: HashMap<String, u64>,
    behaviors: HashMap<CommandKind, Behavior>,
    /// Every command received, in order (kind, object id).
    log: Vec<(CommandKind, String)>,
}

/// What a simulated host says about itself.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub name: String,
    pub address: String,
    pub cpus: u32,
    pub memory_mib: u64,
    pub storage_bytes: u64,
    pub heartbeat: Duration,
    /// Further replicas' internal APIs: a lost session is redialled to the
    /// next, as hostd does with several `--server`s.
    pub also: Vec<SocketAddr>,
}

impl SimConfig {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            address: "127.0.0.1".into(),
            cpus: 16,
            memory_mib: 64 * 1024,
            storage_bytes: 4 << 40,
            heartbeat: Duration::from_millis(500),
            also: Vec::new(),
        }
    }
}

/// A running simulated host. Dropping it ends its session (the server
/// then sees the host go silent).
pub struct SimHost {
    pub config: SimConfig,
    pub host_id: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SimHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How a simulated host reaches the server: over TLS with its own client
/// certificate, as hostd does.
#[derive(Clone)]
struct Link {
    /// The server it enrolled with, then `SimConfig::also`.
    servers: Vec<SocketAddr>,
    ca_pem: String,
    certificate_pem: String,
    key_pem: String,
}

async fn channel(
    server: SocketAddr,
    ca_pem: &str,
    identity: Option<(&str, &str)>,
) -> Result<Channel> {
    Ok(Endpoint::from_shared(format!("https://{server}"))?
        .tls_config(overcast_internal_api::tls::client_config(ca_pem, identity))?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .connect()
        .await?)
}

impl SimHost {
    /// Enroll with `enrollment_token` at the server's internal API and
    /// open a session.
    pub async fn start(
        server: SocketAddr,
        ca_pem: &str,
        enrollment_token: &str,
        config: SimConfig,
    ) -> Result<SimHost> {
        let key = overcast_internal_api::tls::host_key(&config.name)?;
        let mut client = HostAgentClient::new(channel(server, ca_pem, None).await?);
        let reply = client
            .enroll(EnrollRequest {
                enrollment_token: enrollment_token.to_string(),
                name: config.name.clone(),
                address: config.address.clone(),
                iscsi_port: 3260,
                capacity: Some(capacity(&config, 0)),
                csr_pem: key.csr_pem,
            })
            .await
            .context("enrolling the simulated host")?
            .into_inner();
        let mut servers = vec![server];
        servers.extend(&config.also);
        let link = Link {
            servers,
            ca_pem: reply.ca_pem,
            certificate_pem: reply.certificate_pem,
            key_pem: key.key_pem,
        };
        let state = Arc::new(Mutex::new(State::default()));
        let task = tokio::spawn(keep_session(
            link,
            reply.host_secret,
            config.clone(),
            state.clone(),
        ));
        Ok(SimHost {
            config,
            host_id: reply.host_id,
            state,
            task,
        })
    }

    /// Answer commands of `kind` this way from now on.
    pub fn set_behavior(&self, kind: CommandKind, behavior: Behavior) {
        self.state
            .lock()
            .expect("sim state")
            .behaviors
            .insert(kind, behavior);
    }

    /// The drives it holds, by id.
    pub fn drives(&self) -> BTreeMap<String, SimDrive> {
        self.state.lock().expect("sim state").drives.clone()
    }

    /// The domains it holds, by instance id.
    pub fn domains(&self) -> BTreeMap<String, SimDomain> {
        self.state.lock().expect("sim state").domains.clone()
    }

    /// Every command it received, in order.
    pub fn log(&self) -> Vec<(CommandKind, String)> {
        self.state.lock().expect("sim state").log.clone()
    }

    /// Make a drive appear (or vanish) behind the server's back, as a
    /// failed disk or an operator's stray file would.
    pub fn tamper(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, SimDrive>, &mut BTreeMap<String, SimDomain>),
    ) {
        let mut s = self.state.lock().expect("sim state");
        let State {
            drives, domains, ..
        } = &mut *s;
        change(drives, domains);
    }
}

fn capacity(config: &SimConfig, used: u64) -> Capacity {
    Capacity {
        cpus: config.cpus,
        memory_mib: config.memory_mib,
        storage_bytes: config.storage_bytes,
        storage_free_bytes: config.storage_bytes.saturating_sub(used),
    }
}

fn heartbeat(config: &SimConfig, state: &Mutex<State>) -> HostMessage {
    let s = state.lock().expect("sim state");
    let used = s.drives.values().map(|d| d.size_bytes).sum();
    HostMessage {
        body: Some(Body::Heartbeat(Heartbeat {
            capacity: Some(capacity(config, used)),
            inventory: Some(Inventory {
                domains: s
                    .domains
                    .iter()
                    .map(|(id, d)| DomainReport {
                        instance_id: id.clone(),
                        running: d.running,
                    })
                    .collect(),
                drives: s
                    .drives
                    .iter()
                    .map(|(id, d)| DriveReport {
                        drive_id: id.clone(),
                        size_bytes: d.size_bytes,
                        exported: true,
                    })
                    .collect(),
            }),
            iscsi_port: 3260,
        })),
    }
}

/// Keep a session open, redialling as hostd does.
async fn keep_session(link: Link, secret: String, config: SimConfig, state: Arc<Mutex<State>>) {
    for server in link.servers.iter().cycle() {
        if let Err(e) = session(*server, &link, &secret, &config, &state).await {
            tracing::debug!(host = %config.name, error = %format!("{e:#}"), "simulated host session lost");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn session(
    server: SocketAddr,
    link: &Link,
    secret: &str,
    config: &SimConfig,
    state: &Arc<Mutex<State>>,
) -> Result<()> {
    let mut client = HostAgentClient::new(
        channel(
            server,
            &link.ca_pem,
            Some((&link.certificate_pem, &link.key_pem)),
        )
        .await?,
    );
    let (tx, rx) = mpsc::channel::<HostMessage>(256);
    tx.send(heartbeat(config, state)).await?;
    let mut request = tonic::Request::new(ReceiverStream::new(rx));
    request.metadata_mut().insert(
        overcast_internal_api::AUTHORIZATION,
        format!("Bearer {secret}").parse()?,
    );
    let mut inbound = client.session(request).await?.into_inner();
    // Aborted however this session ends, also when its task is aborted.
    let _beats = AbortOnDrop({
        let (tx, config, state) = (tx.clone(), config.clone(), state.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(config.heartbeat).await;
                if tx.send(heartbeat(&config, &state)).await.is_err() {
                    return;
                }
            }
        })
    });
    while let Some(msg) = inbound.message().await? {
        if msg.heartbeat_ack.is_some() {
            continue;
        }
        let Some(command) = msg.command else {
            bail!("a command message without a command");
        };
        let (tx, state) = (tx.clone(), state.clone());
        tokio::spawn(async move {
            let behavior = {
                let mut s = state.lock().expect("sim state");
                let kind = CommandKind::of(&command);
                s.log.push((kind, object_of(&command)));
                s.behaviors.get(&kind).cloned().unwrap_or(Behavior::Succeed)
            };
            let mut result = CommandResult {
                command_id: msg.command_id,
                ..Default::default()
            };
            match behavior {
                Behavior::NeverAnswer => return,
                Behavior::Fail(message) => {
                    result.error = message;
                    result.set_error_kind(ErrorKind::Failed);
                }
                Behavior::Succeed | Behavior::Delay(_) => {
                    apply(&state, command, &mut result);
                    if let Behavior::Delay(d) = behavior {
                        tokio::time::sleep(d).await;
                    }
                }
            }
            let _ = tx
                .send(HostMessage {
                    body: Some(Body::Result(result)),
                })
                .await;
        });
    }
    Ok(())
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn object_of(command: &Command) -> String {
    match command {
        Command::EnsureDrive(c) => c.drive_id.clone(),
        Command::RemoveDrive(c) => c.drive_id.clone(),
        Command::EnsureInstance(c) => c.instance_id.clone(),
        Command::RemoveInstance(c) => c.instance_id.clone(),
        Command::RebootInstance(c) => c.instance_id.clone(),
        Command::ReadSerial(c) => c.instance_id.clone(),
    }
}

fn refuse(result: &mut CommandResult, kind: ErrorKind, message: String) {
    result.error = message;
    result.set_error_kind(kind);
}

/// Carry out a command on the in-memory host, as hostd would.
fn apply(state: &Mutex<State>, command: Command, result: &mut CommandResult) {
    let mut s = state.lock().expect("sim state");
    let object = object_of(&command);
    if uuid::Uuid::parse_str(&object).is_err() {
        return refuse(
            result,
            ErrorKind::Invalid,
            format!("`{object}` is not a UUID"),
        );
    }
    let generation = match &command {
        Command::EnsureDrive(c) => Some(c.generation),
        Command::RemoveDrive(c) => Some(c.generation),
        Command::EnsureInstance(c) => Some(c.generation),
        Command::RemoveInstance(c) => Some(c.generation),
        Command::RebootInstance(c) => Some(c.generation),
        Command::ReadSerial(_) => None,
    };
    if let Some(g) = generation {
        let applied = s.generations.get(&object).copied().unwrap_or(0);
        if g < applied {
            return refuse(
                result,
                ErrorKind::Stale,
                format!("generation {g} is older than the applied {applied}"),
            );
        }
        s.generations.insert(object.clone(), g);
    }
    match command {
        Command::EnsureDrive(c) if c.chap_user.is_empty() || c.chap_secret.len() < 12 => {
            refuse(
                result,
                ErrorKind::Invalid,
                "CHAP credentials are required".into(),
            );
        }
        Command::EnsureInstance(c)
            if c.disks.iter().any(|d| match &d.source {
                Some(Source::Iscsi(d)) => d.chap_user.is_empty() || d.chap_secret.is_empty(),
                Some(Source::Rbd(_)) => c.ceph.as_ref().is_none_or(|c| c.key.is_empty()),
                None => true,
            }) =>
        {
            refuse(
                result,
                ErrorKind::Invalid,
                "every disk needs its CHAP credentials".into(),
            );
        }
        Command::EnsureDrive(c) => {
            let size = s
                .drives
                .get(&c.drive_id)
                .map_or(c.size_bytes, |d| d.size_bytes.max(c.size_bytes));
            s.drives.insert(
                c.drive_id,
                SimDrive {
                    size_bytes: size,
                    initiators: c.initiators,
                    chap_user: c.chap_user,
                },
            );
        }
        Command::RemoveDrive(c) => {
            s.drives.remove(&c.drive_id);
        }
        Command::EnsureInstance(c) => {
            let running = c.power() == overcast_internal_api::v1::Power::Running;
            let boots = s.domains.get(&c.instance_id).map_or(0, |d| d.boots);
            let was_running = s.domains.get(&c.instance_id).is_some_and(|d| d.running);
            s.domains.insert(
                c.instance_id,
                SimDomain {
                    hostname: c.hostname,
                    running,
                    vcpus: c.vcpus,
                    memory_mib: c.memory_mib,
                    disks: c.disks.iter().map(|d| d.drive_id().to_string()).collect(),
                    boots: boots + u32::from(running && !was_running),
                },
            );
        }
        Command::RemoveInstance(c) => {
            s.domains.remove(&c.instance_id);
        }
        Command::RebootInstance(c) => match s.domains.get_mut(&c.instance_id) {
            Some(d) if d.running => d.boots += 1,
            _ => refuse(result, ErrorKind::NotFound, "no running domain".into()),
        },
        Command::ReadSerial(c) => match s.domains.get(&c.instance_id) {
            Some(d) => {
                let text = format!(
                    "OVERCAST-READY hostname={} boots={} (simulated)\n",
                    d.hostname, d.boots
                );
                let bytes = text.as_bytes();
                let start = (c.offset as usize).min(bytes.len());
                let end = (start + c.max_bytes as usize).min(bytes.len());
                result.serial = Some(SerialChunk {
                    data: bytes[start..end].to_vec(),
                    next_offset: end as u64,
                    size: bytes.len() as u64,
                });
            }
            None => refuse(result, ErrorKind::NotFound, "no such domain".into()),
        },
    }
}
