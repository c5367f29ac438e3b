//! Instances as libvirt domains, through the `virt` crate.

use anyhow::{Context, Result};
use virt::connect::Connect;

use crate::domain::InstanceSpec;

/// A domain as libvirt reports it, for the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainState {
    pub name: String,
    pub uuid: String,
    pub running: bool,
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
