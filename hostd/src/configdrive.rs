//! The NoCloud config drive (cloud-init's `cidata` layout: `meta-data`,
//! `user-data`, `network-config`) as an ISO 9660 image, written by
//! genisoimage from files: no loop mounts, no root needed.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// A static IPv4 address for the instance's first interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// `10.0.0.5/24`.
    pub address_cidr: String,
    pub gateway: Option<String>,
}

/// What an instance learns at first boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDrive {
    pub instance_id: uuid::Uuid,
    /// A DNS label (the API validates instance names as such).
    pub hostname: String,
    /// OpenSSH public key lines (the API validates them).
    pub ssh_keys: Vec<String>,
    pub network: Option<Network>,
    /// cloud-init user-data, passed through as given.
    pub user_data: String,
}

fn single_line(what: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.contains(['\n', '\r']) {
        bail!("{what} must be one non-empty line");
    }
    Ok(())
}

impl ConfigDrive {
    pub fn meta_data(&self) -> Result<String> {
        single_line("hostname", &self.hostname)?;
        let mut out = format!(
            "instance-id: {}\nlocal-hostname: {}\n",
            self.instance_id, self.hostname
        );
        if !self.ssh_keys.is_empty() {
            out.push_str("public-keys:\n");
            for key in &self.ssh_keys {
                single_line("an SSH key", key)?;
                out.push_str(&format!("  - {key}\n"));
            }
        }
        Ok(out)
    }

    /// Network config version 2, or `None` for DHCP.
    pub fn network_config(&self) -> Option<String> {
        let net = self.network.as_ref()?;
        let mut out = format!(
            "version: 2\nethernets:\n  eth0:\n    match:\n      name: \"e*\"\n    addresses: [{}]\n",
            net.address_cidr
        );
        if let Some(gw) = &net.gateway {
            out.push_str(&format!("    gateway4: {gw}\n"));
        }
        Some(out)
    }

    /// Write the drive to `iso`.
    pub fn write_iso(&self, iso: &Path) -> Result<()> {
        let dir = iso.with_extension("cidata.d");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("meta-data"), self.meta_data()?)?;
        std::fs::write(dir.join("user-data"), &self.user_data)?;
        let mut files = vec!["user-data", "meta-data"];
        if let Some(net) = self.network_config() {
            std::fs::write(dir.join("network-config"), net)?;
            files.push("network-config");
        }
        let out = Command::new("genisoimage")
            .current_dir(&dir)
            .args(["-quiet", "-volid", "cidata", "-joliet", "-rock", "-output"])
            .arg(iso)
            .args(&files)
            .output()
            .context("running genisoimage (install it with `cargo xtask setup`)")?;
        let _ = std::fs::remove_dir_all(&dir);
        if !out.status.success() {
            bail!(
                "genisoimage failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drive() -> ConfigDrive {
        ConfigDrive {
            instance_id: uuid::Uuid::nil(),
            hostname: "web-1".into(),
            ssh_keys: vec!["ssh-ed25519 AAAA me@laptop".into()],
            network: Some(Network {
                address_cidr: "10.0.0.5/24".into(),
                gateway: Some("10.0.0.1".into()),
            }),
            user_data: "#cloud-config\n".into(),
        }
    }

    #[test]
    fn nocloud_files() {
        let d = drive();
        assert_eq!(
            d.meta_data().unwrap(),
            "instance-id: 00000000-0000-0000-0000-000000000000\nlocal-hostname: web-1\n\
             public-keys:\n  - ssh-ed25519 AAAA me@laptop\n"
        );
        let net = d.network_config().unwrap();
        assert!(net.contains("addresses: [10.0.0.5/24]"));
        assert!(net.contains("gateway4: 10.0.0.1"));
    }

    #[test]
    fn refuses_multi_line_values() {
        let mut d = drive();
        d.ssh_keys.push("ssh-ed25519 AAAA\ninjected: true".into());
        assert!(d.meta_data().is_err());
    }
}
