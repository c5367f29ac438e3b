//! Instances as libvirt domains, through the `virt` crate. Domains are named
//! `instance-<id>`; anything else in the libvirtd is not ours.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use base64::Engine as _;
use virt::connect::Connect;

use crate::domain::InstanceSpec;

/// The libvirt name of an instance's domain.
pub fn domain_name(instance: &uuid::Uuid) -> String {
    format!("instance-{instance}")
}

/// The usage id of the libvirt secret holding the CHAP password with which
/// `instance` logs in to `drive`'s target.
pub fn secret_usage(instance: &uuid::Uuid, drive: &uuid::Uuid) -> String {
    format!("overcast-{instance}-{drive}")
}

/// The usage id of the libvirt secret holding the key of the cephx user
/// with which `instance` opens its replicated drives.
pub fn ceph_secret_usage(instance: &uuid::Uuid) -> String {
    format!("overcast-{instance}-ceph")
}

/// A libvirt secret a domain's disks log in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// An iSCSI CHAP password.
    Iscsi { usage: String, password: String },
    /// A cephx key (as Ceph prints it, base64).
    Ceph { usage: String, key: String },
}

impl Secret {
    fn usage(&self) -> &str {
        match self {
            Secret::Iscsi { usage, .. } | Secret::Ceph { usage, .. } => usage,
        }
    }
}

/// libvirt's `VIR_SECRET_USAGE_TYPE_CEPH` and `..._ISCSI`.
const USAGE_CEPH: i32 = 2;
const USAGE_ISCSI: i32 = 3;

/// A domain as libvirt reports it, for the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainState {
    pub name: String,
    pub uuid: String,
    pub running: bool,
}

impl DomainState {
    /// The instance this domain runs, if it is one of ours.
    pub fn instance_id(&self) -> Option<uuid::Uuid> {
        self.name.strip_prefix("instance-")?.parse().ok()
    }
}

pub struct Libvirt {
    conn: Connect,
}

impl Libvirt {
    pub fn connect(uri: &str) -> Result<Self> {
        // Errors come back as values; libvirt's default handler would also
        // print each one, including the expected "domain not found".
        virt::error::clear_error_callback();
        Ok(Self {
            conn: Connect::open(Some(uri)).with_context(|| format!("connecting to {uri}"))?,
        })
    }

    /// Define the instance (or redefine it) and make sure it runs.
    pub fn ensure_running(&self, spec: &InstanceSpec) -> Result<()> {
        let dom = self
            .conn
            .define_domain_xml(&spec.to_xml())
            .with_context(|| format!("defining {}", spec.name))?;
        if !dom.is_active()? {
            dom.create()
                .with_context(|| format!("starting {}", spec.name))?;
        }
        Ok(())
    }

    /// Define the instance (or redefine it) and make sure it is stopped:
    /// an ACPI shutdown first, then a hard stop after `grace`.
    pub fn ensure_stopped(&self, spec: &InstanceSpec, grace: Duration) -> Result<()> {
        let dom = self
            .conn
            .define_domain_xml(&spec.to_xml())
            .with_context(|| format!("defining {}", spec.name))?;
        if dom.is_active()? {
            let _ = dom.shutdown();
            let start = Instant::now();
            while dom.is_active()? && start.elapsed() < grace {
                std::thread::sleep(Duration::from_millis(100));
            }
            if dom.is_active()? {
                dom.destroy()
                    .with_context(|| format!("stopping {}", spec.name))?;
            }
        }
        Ok(())
    }

    /// Make the instance's secrets exactly `secrets`. They are ephemeral
    /// and private: kept in libvirtd's memory only, and never read back
    /// through its API.
    pub fn ensure_secrets(&self, instance: &uuid::Uuid, secrets: &[Secret]) -> Result<()> {
        for s in secrets {
            let usage = s.usage();
            let (kind, element, value) = match s {
                Secret::Iscsi { password, .. } => {
                    (USAGE_ISCSI, "target", password.as_bytes().to_vec())
                }
                // libvirt keeps a Ceph secret's raw bytes and gives QEMU
                // them base64-encoded, which is how Ceph prints a key.
                Secret::Ceph { key, .. } => (
                    USAGE_CEPH,
                    "name",
                    base64::engine::general_purpose::STANDARD
                        .decode(key.trim())
                        .context("the cephx key is not base64")?,
                ),
            };
            let type_name = if kind == USAGE_CEPH { "ceph" } else { "iscsi" };
            let secret = match self.conn.lookup_secret_by_usage(kind, usage) {
                Ok(s) => s,
                Err(_) => self
                    .conn
                    .define_secret_xml(
                        &format!(
                            "<secret ephemeral='yes' private='yes'><usage type='{type_name}'><{element}>{usage}</{element}></usage></secret>"
                        ),
                        0,
                    )
                    .with_context(|| format!("defining the secret {usage}"))?,
            };
            secret
                .set_value(&value, 0)
                .with_context(|| format!("setting the secret {usage}"))?;
        }
        self.forget_secrets(instance, secrets)
    }

    /// Undefine the instance's secrets other than `keep`.
    pub fn forget_secrets(&self, instance: &uuid::Uuid, keep: &[Secret]) -> Result<()> {
        let prefix = format!("overcast-{instance}-");
        for secret in self.conn.list_all_secrets(0)? {
            // Read from the XML: virt 0.5's `Secret::usage_id` frees a
            // string libvirt still owns (a double free).
            let xml = secret.xml_desc(0)?;
            let usage = ["target", "name"]
                .iter()
                .find_map(|e| {
                    xml.split_once(&format!("<{e}>"))
                        .and_then(|(_, rest)| rest.split_once(&format!("</{e}>")))
                })
                .map_or("", |(usage, _)| usage)
                .to_string();
            if usage.starts_with(&prefix) && !keep.iter().any(|s| s.usage() == usage) {
                secret
                    .undefine()
                    .with_context(|| format!("undefining the secret {usage}"))?;
            }
        }
        Ok(())
    }

    /// Whether the domain exists and runs.
    pub fn running(&self, name: &str) -> Result<Option<bool>> {
        match self.conn.lookup_domain_by_name(name) {
            Ok(dom) => Ok(Some(dom.is_active()?)),
            Err(_) => Ok(None),
        }
    }

    /// A hard reset of a running domain (guests need no ACPI support).
    pub fn reset(&self, name: &str) -> Result<()> {
        let dom = self
            .conn
            .lookup_domain_by_name(name)
            .with_context(|| format!("{name} is not defined"))?;
        dom.reset().with_context(|| format!("resetting {name}"))?;
        Ok(())
    }

    /// Stop (hard) a domain, keeping its definition; whether it ran.
    pub fn destroy(&self, name: &str) -> Result<bool> {
        if let Ok(dom) = self.conn.lookup_domain_by_name(name)
            && dom.is_active()?
        {
            dom.destroy()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Stop (hard) and forget an instance; nothing if it is not there.
    pub fn remove(&self, name: &str) -> Result<()> {
        if let Ok(dom) = self.conn.lookup_domain_by_name(name) {
            if dom.is_active()? {
                dom.destroy()?;
            }
            dom.undefine()?;
        }
        Ok(())
    }

    /// Every domain, running or not.
    pub fn inventory(&self) -> Result<Vec<DomainState>> {
        self.conn
            .list_all_domains(0)?
            .into_iter()
            .map(|d| {
                Ok(DomainState {
                    name: d.name()?,
                    uuid: d.uuid_string()?,
                    running: d.is_active()?,
                })
            })
            .collect()
    }
}
