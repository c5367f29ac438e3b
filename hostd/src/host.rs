//! What one host does for the server: it carries out the internal API's
//! commands against libvirt, tgt and the drive store, and reports its
//! capacity and an inventory of what it actually has. Every command is
//! idempotent and carries a generation; one older than a generation already
//! applied to the same object is refused as stale.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use overcast_internal_api::v1::{
    self as api, CommandResult, ErrorKind, disk::Source, server_message::Command as Cmd,
};

use crate::configdrive::{ConfigDrive, Network};
use crate::daemons::HostDaemons;
use crate::domain::{Accelerator, DirectKernel, Disk, DiskAuth, InstanceSpec, IscsiDisk, RbdDisk};
use crate::drives::DriveStore;
use crate::libvirt::{Libvirt, Secret, ceph_secret_usage, domain_name, secret_usage};
use crate::tgt::{Chap, drive_iqn};

/// The Ceph client settings of the host's guests, in its state directory.
const CEPH_CLIENT_FILE: &str = "ceph-client.conf";

/// How a host runs; see `overcast-hostd --help`.
#[derive(Debug, Clone)]
pub struct HostSettings {
    pub state_dir: PathBuf,
    pub accelerator: Accelerator,
    pub bridge: Option<String>,
    /// How long a stop waits for an ACPI shutdown before a hard stop.
    pub stop_grace: Duration,
    /// System libvirtd and tgtd to use instead of private ones.
    pub system_daemons: Option<SystemDaemons>,
    /// The host's cluster address: a private tgtd's iSCSI portal listens
    /// on it.
    pub address: String,
}

/// Where the system's libvirtd and tgtd are (production hosts).
#[derive(Debug, Clone)]
pub struct SystemDaemons {
    pub libvirt_uri: String,
    pub tgt_control_port: u16,
    pub iscsi_port: u16,
}

/// Why a command failed, as the internal API reports it.
#[derive(Debug)]
pub struct Refusal {
    pub kind: ErrorKind,
    pub message: String,
}

impl Refusal {
    fn invalid(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Invalid,
            message: message.into(),
        }
    }
}

impl From<anyhow::Error> for Refusal {
    fn from(e: anyhow::Error) -> Self {
        Self {
            kind: ErrorKind::Failed,
            message: format!("{e:#}"),
        }
    }
}

/// Generations applied per object, kept in a file so a restarted hostd
/// still refuses stale commands.
struct Generations {
    path: PathBuf,
    applied: HashMap<String, u64>,
}

impl Generations {
    fn load(path: PathBuf) -> Result<Self> {
        let applied = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("reading {}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashMap::new(),
            Err(e) => return Err(e.into()),
        };
        Ok(Self { path, applied })
    }

    fn check(&self, id: &str, generation: u64) -> Result<(), Refusal> {
        if generation == 0 {
            return Err(Refusal::invalid("generation must be at least 1"));
        }
        match self.applied.get(id) {
            Some(&seen) if generation < seen => Err(Refusal {
                kind: ErrorKind::Stale,
                message: format!("generation {generation} of {id} is older than {seen}"),
            }),
            _ => Ok(()),
        }
    }

    fn record(&mut self, id: &str, generation: u64) -> Result<()> {
        self.applied.insert(id.to_string(), generation);
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(&self.applied)?)?;
        std::fs::rename(&tmp, &self.path)?;
        Ok(())
    }
}

pub struct Host {
    pub settings: HostSettings,
    pub daemons: HostDaemons,
    pub drives: DriveStore,
    libvirt: Libvirt,
    generations: Mutex<Generations>,
    /// One lock per object, so two commands on it never interleave.
    locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Held while this hostd runs: one hostd per state directory.
    _lock: Option<std::fs::File>,
}

/// Lock the state directory for this process, or say who holds it.
fn lock_state_dir(dir: &Path) -> Result<std::fs::File> {
    use std::io::Write;
    let path = dir.join("hostd.lock");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)?;
    if rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_err() {
        let holder = std::fs::read_to_string(&path).unwrap_or_default();
        bail!(
            "another hostd (pid {}) runs on {}",
            holder.trim(),
            dir.display()
        );
    }
    file.set_len(0)?;
    write!(file, "{}", std::process::id())?;
    Ok(file)
}

fn parse_id(what: &str, id: &str) -> Result<uuid::Uuid, Refusal> {
    id.parse()
        .map_err(|_| Refusal::invalid(format!("{what} `{id}` is not a UUID")))
}

/// An image bundle: a directory with `vmlinuz`, `initrd.img`, an optional
/// `cmdline` and an optional `disk.raw` (the boot drive's content).
fn image_dir(source: &str) -> Result<PathBuf, Refusal> {
    let path = source
        .strip_prefix("file://")
        .ok_or_else(|| Refusal::invalid(format!("image source `{source}` is not a file:// URL")))?;
    let dir = PathBuf::from(path);
    if !dir.join("vmlinuz").is_file() {
        return Err(Refusal {
            kind: ErrorKind::NotFound,
            message: format!("image {} has no vmlinuz on this host", dir.display()),
        });
    }
    Ok(dir)
}

impl Host {
    /// Open the host for serving: one hostd per state directory.
    pub fn open(settings: HostSettings) -> Result<Host> {
        std::fs::create_dir_all(&settings.state_dir)?;
        let lock = lock_state_dir(&settings.state_dir)?;
        Self::open_inner(settings, Some(lock))
    }

    fn open_inner(settings: HostSettings, lock: Option<std::fs::File>) -> Result<Host> {
        let daemons = match &settings.system_daemons {
            Some(d) => HostDaemons::system(d.libvirt_uri.clone(), d.tgt_control_port, d.iscsi_port),
            None => {
                HostDaemons::start_or_adopt(&settings.state_dir.join("daemons"), &settings.address)?
            }
        };
        let drives = DriveStore::new(settings.state_dir.join("drives"))?;
        std::fs::create_dir_all(settings.state_dir.join("instances"))?;
        // Whole or not at all: a QEMU starting now may be reading it.
        let conf = settings.state_dir.join(CEPH_CLIENT_FILE);
        let partial = conf.with_extension("conf.partial");
        std::fs::write(&partial, crate::domain::CEPH_CLIENT_CONF)?;
        std::fs::rename(&partial, &conf)?;
        let libvirt = Libvirt::connect(&daemons.libvirt_uri)?;
        let generations = Generations::load(settings.state_dir.join("generations.json"))?;
        if let Some(bridge) = &settings.bridge {
            ensure_bridge(bridge)?;
            // Remembered so that `teardown` removes it.
            std::fs::write(settings.state_dir.join("bridge"), bridge)?;
        }
        Ok(Host {
            settings,
            daemons,
            drives,
            libvirt,
            generations: Mutex::new(generations),
            locks: Mutex::new(HashMap::new()),
            _lock: lock,
        })
    }

    /// Stop the hostd that runs on `settings.state_dir` (if any), then every
    /// guest, export and daemon of the host, and its bridge.
    pub fn teardown_dir(mut settings: HostSettings) -> Result<()> {
        if settings.bridge.is_none() {
            settings.bridge = std::fs::read_to_string(settings.state_dir.join("bridge"))
                .ok()
                .map(|b| b.trim().to_string())
                .filter(|b| !b.is_empty());
        }
        let pid =
            std::fs::read_to_string(settings.state_dir.join("hostd.lock")).unwrap_or_default();
        if let Ok(pid) = pid.trim().parse::<u32>()
            && pid != std::process::id()
            && std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.starts_with("overcast-hostd"))
        {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
        Self::open_inner(settings, None)?.teardown();
        Ok(())
    }

    fn instance_dir(&self, id: &uuid::Uuid) -> PathBuf {
        self.settings
            .state_dir
            .join("instances")
            .join(id.to_string())
    }

    pub fn serial_log(&self, id: &uuid::Uuid) -> PathBuf {
        self.instance_dir(id).join("serial.log")
    }

    /// CPUs, memory and storage of this host.
    pub fn capacity(&self) -> Result<api::Capacity> {
        let meminfo = std::fs::read_to_string("/proc/meminfo")?;
        let memory_kib: u64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no MemTotal in /proc/meminfo")?;
        let fs = rustix::fs::statvfs(&self.drives.dir)?;
        Ok(api::Capacity {
            cpus: std::thread::available_parallelism()?.get() as u32,
            memory_mib: memory_kib / 1024,
            storage_bytes: fs.f_blocks * fs.f_frsize,
            storage_free_bytes: fs.f_bavail * fs.f_frsize,
        })
    }

    /// What this host actually has: our domains, drive files and exports.
    pub fn inventory(&self) -> Result<api::Inventory> {
        let domains = self
            .libvirt
            .inventory()?
            .into_iter()
            .filter_map(|d| {
                Some(api::DomainReport {
                    instance_id: d.instance_id()?.to_string(),
                    running: d.running,
                })
            })
            .collect();
        let exported: Vec<String> = self
            .daemons
            .tgt
            .exports()?
            .into_iter()
            .map(|e| e.iqn)
            .collect();
        let mut drives: Vec<api::DriveReport> = Vec::new();
        for id in self.drives.inventory()? {
            drives.push(api::DriveReport {
                drive_id: id.to_string(),
                size_bytes: std::fs::metadata(self.drives.path(&id))
                    .map(|m| m.len())
                    .unwrap_or(0),
                exported: exported.contains(&drive_iqn(&id)),
            });
        }
        // An export whose file is gone is still something to clean up.
        for iqn in &exported {
            if let Some(id) = iqn.strip_prefix("iqn.2026-11.dev.overcast:drive-")
                && !drives.iter().any(|d| d.drive_id == id)
            {
                drives.push(api::DriveReport {
                    drive_id: id.to_string(),
                    size_bytes: 0,
                    exported: true,
                });
            }
        }
        Ok(api::Inventory { domains, drives })
    }

    fn lock(&self, id: &str) -> Arc<Mutex<()>> {
        self.locks
            .lock()
            .expect("lock map")
            .entry(id.to_string())
            .or_default()
            .clone()
    }

    /// Carry out one command (blocking) and say how it went.
    pub fn execute(&self, command_id: u64, command: Option<Cmd>) -> CommandResult {
        let mut result = CommandResult {
            command_id,
            ..Default::default()
        };
        match self.dispatch(command) {
            Ok(serial) => result.serial = serial,
            Err(r) => {
                tracing::warn!(command_id, kind = ?r.kind, error = %r.message, "command refused or failed");
                result.error = r.message;
                result.set_error_kind(r.kind);
            }
        }
        result
    }

    fn dispatch(&self, command: Option<Cmd>) -> Result<Option<api::SerialChunk>, Refusal> {
        let command = command.ok_or_else(|| Refusal::invalid("the message carries no command"))?;
        let (id, generation) = match &command {
            Cmd::EnsureDrive(c) => (c.drive_id.clone(), c.generation),
            Cmd::RemoveDrive(c) => (c.drive_id.clone(), c.generation),
            Cmd::EnsureInstance(c) => (c.instance_id.clone(), c.generation),
            Cmd::RemoveInstance(c) => (c.instance_id.clone(), c.generation),
            Cmd::RebootInstance(c) => (c.instance_id.clone(), c.generation),
            Cmd::ReadSerial(c) => {
                let id = parse_id("instance_id", &c.instance_id)?;
                return Ok(Some(self.read_serial(&id, c.offset, c.max_bytes)?));
            }
        };
        let uuid = parse_id("object id", &id)?;
        let lock = self.lock(&id);
        let _held = lock.lock().expect("object lock");
        self.generations
            .lock()
            .expect("generations")
            .check(&id, generation)?;
        match command {
            Cmd::EnsureDrive(c) => self.ensure_drive(&uuid, &c)?,
            Cmd::RemoveDrive(_) => self.drives.delete(&uuid, &self.daemons.tgt)?,
            Cmd::EnsureInstance(c) => self.ensure_instance(&uuid, &c)?,
            Cmd::RemoveInstance(_) => self.remove_instance(&uuid)?,
            Cmd::RebootInstance(_) => self.libvirt.reset(&domain_name(&uuid))?,
            Cmd::ReadSerial(_) => unreachable!("handled above"),
        }
        self.generations
            .lock()
            .expect("generations")
            .record(&id, generation)?;
        Ok(None)
    }

    fn ensure_drive(&self, id: &uuid::Uuid, c: &api::EnsureDrive) -> Result<(), Refusal> {
        if c.size_bytes == 0 {
            return Err(Refusal::invalid("size_bytes must be positive"));
        }
        let image = if c.image_source.is_empty() {
            None
        } else {
            Some(image_dir(&c.image_source)?.join("disk.raw")).filter(|p| p.exists())
        };
        let path = self.drives.ensure(id, c.size_bytes, image.as_deref())?;
        if std::fs::metadata(&path).map_err(anyhow::Error::from)?.len() < c.size_bytes {
            self.drives.grow(id, c.size_bytes)?;
        }
        let chap = Chap {
            user: c.chap_user.clone(),
            secret: c.chap_secret.clone(),
        };
        if chap.user.is_empty() || chap.secret.len() < 12 {
            return Err(Refusal::invalid(
                "chap_user and a chap_secret of 12 characters or more are required",
            ));
        }
        self.daemons
            .tgt
            .ensure_export(id, &path, &c.initiators, &chap)?;
        Ok(())
    }

    fn spec(&self, id: &uuid::Uuid, c: &api::EnsureInstance) -> Result<InstanceSpec, Refusal> {
        if c.vcpus == 0 || c.memory_mib < 64 {
            return Err(Refusal::invalid("vcpus and memory_mib must be positive"));
        }
        if c.disks.is_empty() {
            return Err(Refusal::invalid("an instance needs a boot drive"));
        }
        let image = image_dir(&c.image_source)?;
        let cmdline = std::fs::read_to_string(image.join("cmdline"))
            .unwrap_or_else(|_| "console=ttyS0".into())
            .trim()
            .to_string();
        let mut disks = Vec::new();
        for d in &c.disks {
            disks.push(match &d.source {
                Some(Source::Iscsi(d)) => {
                    let drive = parse_id("drive_id", &d.drive_id)?;
                    let port = u16::try_from(d.portal_port)
                        .ok()
                        .filter(|p| *p != 0)
                        .ok_or_else(|| Refusal::invalid("portal_port must be a TCP port"))?;
                    if d.chap_user.is_empty() || d.chap_secret.is_empty() {
                        return Err(Refusal::invalid(
                            "every disk needs its chap_user and chap_secret",
                        ));
                    }
                    Disk::Iscsi(IscsiDisk {
                        host: d.portal_host.clone(),
                        port,
                        iqn: drive_iqn(&drive),
                        lun: 1,
                        chap: Some(DiskAuth {
                            user: d.chap_user.clone(),
                            secret_usage: secret_usage(id, &drive),
                        }),
                    })
                }
                Some(Source::Rbd(d)) => {
                    parse_id("drive_id", &d.drive_id)?;
                    let ceph = ceph_client(c)?;
                    if d.pool.is_empty() || d.image.is_empty() {
                        return Err(Refusal::invalid("an RBD disk needs its pool and image"));
                    }
                    let monitors = ceph
                        .monitors
                        .iter()
                        .map(|m| {
                            let (host, port) = m.rsplit_once(':').unwrap_or((m, "6789"));
                            let port = port.parse().map_err(|_| {
                                Refusal::invalid(format!("monitor {m} is not address:port"))
                            })?;
                            Ok((host.to_string(), port))
                        })
                        .collect::<Result<_, Refusal>>()?;
                    Disk::Rbd(RbdDisk {
                        pool: d.pool.clone(),
                        image: d.image.clone(),
                        monitors,
                        user: ceph.user.clone(),
                        secret_usage: ceph_secret_usage(id),
                        config: self.settings.state_dir.join(CEPH_CLIENT_FILE),
                    })
                }
                None => return Err(Refusal::invalid("a disk needs its source")),
            });
        }
        let dir = self.instance_dir(id);
        std::fs::create_dir_all(&dir).map_err(anyhow::Error::from)?;
        Ok(InstanceSpec {
            uuid: *id,
            name: domain_name(id),
            vcpus: c.vcpus,
            memory_mib: c.memory_mib,
            accelerator: self.settings.accelerator,
            boot: DirectKernel {
                kernel: image.join("vmlinuz"),
                initrd: image.join("initrd.img"),
                cmdline,
            },
            disks,
            config_drive: Some(dir.join("cidata.iso")),
            serial_log: dir.join("serial.log"),
            bridge: self.settings.bridge.clone(),
        })
    }

    fn ensure_instance(&self, id: &uuid::Uuid, c: &api::EnsureInstance) -> Result<(), Refusal> {
        let spec = self.spec(id, c)?;
        let mut secrets = Vec::new();
        for d in &c.disks {
            match &d.source {
                Some(Source::Iscsi(d)) => secrets.push(Secret::Iscsi {
                    usage: secret_usage(id, &parse_id("drive_id", &d.drive_id)?),
                    password: d.chap_secret.clone(),
                }),
                Some(Source::Rbd(_)) => {
                    let usage = ceph_secret_usage(id);
                    if !secrets.iter().any(|s| matches!(s, Secret::Ceph { .. })) {
                        secrets.push(Secret::Ceph {
                            usage,
                            key: ceph_client(c)?.key.clone(),
                        });
                    }
                }
                None => {}
            }
        }
        self.libvirt.ensure_secrets(id, &secrets)?;
        let running = self.libvirt.running(&spec.name)? == Some(true);
        match c.power() {
            api::Power::Running => {
                if !running {
                    // The config drive is rebuilt at each boot from the
                    // current settings; a running guest keeps its own.
                    self.config_drive(id, c)?
                        .write_iso(spec.config_drive.as_deref().expect("set above"))?;
                    self.libvirt.ensure_running(&spec)?;
                }
            }
            api::Power::Stopped => {
                if !spec.config_drive.as_deref().is_some_and(Path::exists) {
                    self.config_drive(id, c)?
                        .write_iso(spec.config_drive.as_deref().expect("set above"))?;
                }
                self.libvirt
                    .ensure_stopped(&spec, self.settings.stop_grace)?
            }
            api::Power::Unspecified => return Err(Refusal::invalid("power must be given")),
        }
        Ok(())
    }

    fn config_drive(
        &self,
        id: &uuid::Uuid,
        c: &api::EnsureInstance,
    ) -> Result<ConfigDrive, Refusal> {
        Ok(ConfigDrive {
            instance_id: *id,
            hostname: c.hostname.clone(),
            ssh_keys: c.ssh_keys.clone(),
            network: (!c.address_cidr.is_empty()).then(|| Network {
                address_cidr: c.address_cidr.clone(),
                gateway: (!c.gateway.is_empty()).then(|| c.gateway.clone()),
            }),
            user_data: c.user_data.clone(),
        })
    }

    fn remove_instance(&self, id: &uuid::Uuid) -> Result<(), Refusal> {
        self.libvirt.remove(&domain_name(id))?;
        self.libvirt.forget_secrets(id, &[])?;
        match std::fs::remove_dir_all(self.instance_dir(id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(anyhow::Error::from(e).into())
            }
            _ => Ok(()),
        }
    }

    fn read_serial(
        &self,
        id: &uuid::Uuid,
        offset: u64,
        max: u32,
    ) -> Result<api::SerialChunk, Refusal> {
        use std::io::{Read, Seek, SeekFrom};
        let path = self.serial_log(id);
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Refusal {
                    kind: ErrorKind::NotFound,
                    message: format!("instance {id} has no serial log on this host"),
                });
            }
            Err(e) => return Err(anyhow::Error::from(e).into()),
        };
        let size = file.metadata().map_err(anyhow::Error::from)?.len();
        let start = offset.min(size);
        file.seek(SeekFrom::Start(start))
            .map_err(anyhow::Error::from)?;
        let mut data = Vec::new();
        file.take(u64::from(max.clamp(1, 1 << 20)))
            .read_to_end(&mut data)
            .map_err(anyhow::Error::from)?;
        Ok(api::SerialChunk {
            next_offset: start + data.len() as u64,
            data,
            size,
        })
    }

    /// Stop (hard) every running guest of ours, keeping its definition:
    /// the self-fence of a host cut off from the server. Each is stopped
    /// under its instance's lock, so no command starts it meanwhile; one
    /// that cannot be stopped does not keep the others running. Returns
    /// how many were stopped.
    pub fn stop_all_guests(&self) -> Result<usize> {
        let mut stopped = 0;
        let mut failed = Vec::new();
        for d in self.libvirt.inventory()? {
            let Some(id) = d.instance_id() else { continue };
            let lock = self.lock(&id.to_string());
            let _held = lock.lock().expect("object lock");
            match self.libvirt.destroy(&d.name) {
                Ok(true) => stopped += 1,
                Ok(false) => {}
                Err(e) => failed.push(format!("{}: {e:#}", d.name)),
            }
        }
        if failed.is_empty() {
            Ok(stopped)
        } else {
            bail!("could not stop {}", failed.join("; "))
        }
    }

    /// Stop every guest, export and daemon of this host and remove its
    /// bridge: the end of an all-in-one or test host.
    pub fn teardown(mut self) {
        self.daemons.stop();
        if let Some(bridge) = &self.settings.bridge {
            let _ = std::process::Command::new("ip")
                .args(["link", "delete", bridge])
                .status();
        }
    }
}

/// Create the bridge (up, no address) if it does not exist.
fn ensure_bridge(name: &str) -> Result<()> {
    let exists = std::process::Command::new("ip")
        .args(["link", "show", name])
        .output()
        .context("running ip (install iproute2)")?
        .status
        .success();
    if !exists {
        let out = std::process::Command::new("ip")
            .args(["link", "add", name, "type", "bridge"])
            .output()?;
        if !out.status.success() {
            bail!(
                "creating bridge {name}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    std::process::Command::new("ip")
        .args(["link", "set", name, "up"])
        .status()?;
    Ok(())
}

/// The host's Ceph client an instance with RBD disks needs.
fn ceph_client(c: &api::EnsureInstance) -> Result<&api::CephClient, Refusal> {
    c.ceph
        .as_ref()
        .filter(|c| !c.user.is_empty() && !c.key.is_empty() && !c.monitors.is_empty())
        .ok_or_else(|| Refusal::invalid("an RBD disk needs the host's Ceph user, key and monitors"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_generations_are_refused_across_restarts() {
        let dir = std::env::temp_dir().join(format!("overcast-gen-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("generations.json");
        let mut g = Generations::load(path.clone()).unwrap();
        g.check("a", 3).unwrap();
        g.record("a", 3).unwrap();
        g.check("a", 3)
            .expect("the same generation again is a retry");
        g.check("a", 4).unwrap();
        let g = Generations::load(path).unwrap();
        let stale = g.check("a", 2).unwrap_err();
        assert_eq!(stale.kind, ErrorKind::Stale);
        assert_eq!(g.check("b", 0).unwrap_err().kind, ErrorKind::Invalid);
        g.check("b", 1).expect("an object seen for the first time");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn image_sources_are_file_bundles() {
        assert_eq!(
            image_dir("https://x/y").unwrap_err().kind,
            ErrorKind::Invalid
        );
        assert_eq!(
            image_dir("file:///nonexistent-bundle").unwrap_err().kind,
            ErrorKind::NotFound
        );
    }
}
