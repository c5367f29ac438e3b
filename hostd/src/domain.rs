//! libvirt domain XML for an instance. Every drive is a network disk: a
//! local drive over iSCSI (`protocol='iscsi'`) from whichever host exports
//! it, this host included, so any drive can serve an instance on any host;
//! a replicated drive straight from Ceph (`protocol='rbd'`).

use std::fmt::Write;
use std::path::PathBuf;

/// KVM on hosts where it works; QEMU's TCG where nested KVM hangs guests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accelerator {
    Kvm,
    Tcg,
}

/// An iSCSI LUN exported by some host's tgtd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IscsiDisk {
    pub host: String,
    pub port: u16,
    pub iqn: String,
    pub lun: u32,
    pub chap: Option<DiskAuth>,
}

/// A replicated drive: an RBD image QEMU's librbd opens as this host's
/// cephx user, whose key is in the libvirt secret `secret_usage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RbdDisk {
    pub pool: String,
    pub image: String,
    /// `(address, port)` of each monitor.
    pub monitors: Vec<(String, u16)>,
    pub user: String,
    pub secret_usage: String,
    /// The Ceph client settings QEMU's librbd reads ([`CEPH_CLIENT_CONF`]).
    pub config: PathBuf,
}

/// The settings of QEMU's Ceph clients on this host. A monitor that stops
/// answering (its host cut off) is left within seconds, not after Ceph's
/// default 30 s: until then the client may not learn of the new OSD map
/// that routes its writes around a lost OSD, and the guest's writes stall.
pub const CEPH_CLIENT_CONF: &str = "\
# Written by overcast-hostd: the Ceph client settings of this host's guests.
[client]
mon_client_ping_interval = 1
mon_client_ping_timeout = 3
mon_client_hunt_interval = 1
";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disk {
    Iscsi(IscsiDisk),
    Rbd(RbdDisk),
}

/// How a disk logs in to its target: a CHAP user, and the libvirt secret
/// (by usage) that holds its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskAuth {
    pub user: String,
    pub secret_usage: String,
}

/// How the instance boots: the image's kernel directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectKernel {
    pub kernel: PathBuf,
    pub initrd: PathBuf,
    pub cmdline: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSpec {
    pub uuid: uuid::Uuid,
    pub name: String,
    pub vcpus: u32,
    pub memory_mib: u64,
    pub accelerator: Accelerator,
    pub boot: DirectKernel,
    /// In slot order: the boot drive first.
    pub disks: Vec<Disk>,
    pub config_drive: Option<PathBuf>,
    pub serial_log: PathBuf,
    /// A virtio-net interface on this host bridge, if any.
    pub bridge: Option<String>,
}

/// A stable locally administered MAC address for an instance's interface.
pub fn mac_address(instance: &uuid::Uuid) -> String {
    let b = instance.as_bytes();
    // 52:54:00 is QEMU's prefix; the rest comes from the id's random tail.
    format!("52:54:00:{:02x}:{:02x}:{:02x}", b[13], b[14], b[15])
}

/// The host-side tap device of an instance's interface: `oc` and the last 12
/// hex digits of its id (14 characters; Linux allows 15).
///
/// Named rather than left to libvirt, which picks the first free `vnetN` on its
/// own: two libvirtds in one network namespace (hosts of one test machine) would
/// both pick `vnet0`, and the second would fail with EBUSY.
pub fn tap_device(instance: &uuid::Uuid) -> String {
    let id = instance.simple().to_string();
    format!("oc{}", &id[id.len() - 12..])
}

/// Escape text for XML attribute values and content.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn disk_target(index: usize) -> String {
    // vda, vdb, ... vdz, vdaa: the kernel's naming for virtio disks.
    let mut n = index;
    let mut name = String::new();
    loop {
        name.insert(0, (b'a' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    format!("vd{name}")
}

impl InstanceSpec {
    pub fn to_xml(&self) -> String {
        let mut x = String::new();
        let kind = match self.accelerator {
            Accelerator::Kvm => "kvm",
            Accelerator::Tcg => "qemu",
        };
        let _ = writeln!(x, "<domain type='{kind}'>");
        let _ = writeln!(x, "  <name>{}</name>", esc(&self.name));
        let _ = writeln!(x, "  <uuid>{}</uuid>", self.uuid);
        let _ = writeln!(x, "  <memory unit='MiB'>{}</memory>", self.memory_mib);
        let _ = writeln!(x, "  <vcpu>{}</vcpu>", self.vcpus);
        let _ = writeln!(x, "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>");
        let _ = writeln!(
            x,
            "    <kernel>{}</kernel>",
            esc(&self.boot.kernel.to_string_lossy())
        );
        let _ = writeln!(
            x,
            "    <initrd>{}</initrd>",
            esc(&self.boot.initrd.to_string_lossy())
        );
        let _ = writeln!(
            x,
            "    <cmdline>{}</cmdline>\n  </os>",
            esc(&self.boot.cmdline)
        );
        let _ = writeln!(
            x,
            "  <on_poweroff>destroy</on_poweroff>\n  <on_crash>destroy</on_crash>\n  <devices>"
        );
        for (i, d) in self.disks.iter().enumerate() {
            let (protocol, name, hosts, auth, config) = match d {
                Disk::Iscsi(d) => (
                    "iscsi",
                    format!("{}/{}", d.iqn, d.lun),
                    vec![(d.host.as_str(), d.port)],
                    d.chap
                        .as_ref()
                        .map(|a| (a.user.as_str(), "iscsi", a.secret_usage.as_str())),
                    None,
                ),
                Disk::Rbd(d) => (
                    "rbd",
                    format!("{}/{}", d.pool, d.image),
                    d.monitors.iter().map(|(h, p)| (h.as_str(), *p)).collect(),
                    Some((d.user.as_str(), "ceph", d.secret_usage.as_str())),
                    Some(&d.config),
                ),
            };
            let mut source = String::new();
            for (host, port) in hosts {
                let _ = writeln!(source, "        <host name='{}' port='{port}'/>", esc(host));
            }
            if let Some(config) = config {
                let _ = writeln!(
                    source,
                    "        <config file='{}'/>",
                    esc(&config.to_string_lossy())
                );
            }
            if let Some((user, kind, usage)) = auth {
                let _ = writeln!(
                    source,
                    "        <auth username='{}'>\n          <secret type='{kind}' usage='{}'/>\n        </auth>",
                    esc(user),
                    esc(usage)
                );
            }
            let _ = writeln!(
                x,
                "    <disk type='network' device='disk'>\n      <driver name='qemu' type='raw' cache='none'/>\n      <source protocol='{protocol}' name='{}'>\n{source}      </source>\n      <target dev='{}' bus='virtio'/>\n    </disk>",
                esc(&name),
                disk_target(i)
            );
        }
        if let Some(cd) = &self.config_drive {
            let _ = writeln!(
                x,
                "    <disk type='file' device='disk'>\n      <driver name='qemu' type='raw'/>\n      <source file='{}'/>\n      <target dev='{}' bus='virtio'/>\n      <readonly/>\n    </disk>",
                esc(&cd.to_string_lossy()),
                disk_target(self.disks.len())
            );
        }
        if let Some(bridge) = &self.bridge {
            let _ = writeln!(
                x,
                "    <interface type='bridge'>\n      <source bridge='{}'/>\n      <target dev='{}'/>\n      <mac address='{}'/>\n      <model type='virtio'/>\n    </interface>",
                esc(bridge),
                tap_device(&self.uuid),
                mac_address(&self.uuid)
            );
        }
        let log = esc(&self.serial_log.to_string_lossy());
        let _ = writeln!(
            x,
            "    <serial type='file'>\n      <source path='{log}' append='on'/>\n      <target port='0'/>\n    </serial>\n    <console type='file'>\n      <source path='{log}' append='on'/>\n      <target type='serial' port='0'/>\n    </console>"
        );
        let _ = writeln!(x, "  </devices>\n</domain>");
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_names() {
        assert_eq!(disk_target(0), "vda");
        assert_eq!(disk_target(25), "vdz");
        assert_eq!(disk_target(26), "vdaa");
    }

    #[test]
    fn xml_has_iscsi_disks_in_order_and_escapes() {
        let spec = InstanceSpec {
            uuid: uuid::Uuid::nil(),
            name: "web-1".into(),
            vcpus: 2,
            memory_mib: 512,
            accelerator: Accelerator::Tcg,
            boot: DirectKernel {
                kernel: "/img/vmlinuz".into(),
                initrd: "/img/initrd.img".into(),
                cmdline: "console=ttyS0 x=<&>".into(),
            },
            disks: vec![
                Disk::Iscsi(IscsiDisk {
                    host: "10.0.0.1".into(),
                    port: 3260,
                    iqn: "iqn.a:boot".into(),
                    lun: 1,
                    chap: Some(DiskAuth {
                        user: "oc-boot".into(),
                        secret_usage: "overcast-x-boot".into(),
                    }),
                }),
                Disk::Iscsi(IscsiDisk {
                    host: "10.0.0.2".into(),
                    port: 3260,
                    iqn: "iqn.a:data".into(),
                    lun: 1,
                    chap: None,
                }),
                Disk::Rbd(RbdDisk {
                    pool: "overcast-r3".into(),
                    image: "drive-1".into(),
                    monitors: vec![("10.0.0.1".into(), 6789), ("10.0.0.2".into(), 6789)],
                    user: "overcast-host-1".into(),
                    secret_usage: "overcast-x-ceph".into(),
                    config: "/var/lib/overcast/ceph-client.conf".into(),
                }),
            ],
            config_drive: Some("/run/cidata.iso".into()),
            serial_log: "/var/log/web-1.log".into(),
            bridge: Some("br0".into()),
        };
        let xml = spec.to_xml();
        assert!(xml.starts_with("<domain type='qemu'>"));
        assert!(xml.contains("name='iqn.a:boot/1'"));
        let boot = xml.find("iqn.a:boot").unwrap();
        let data = xml.find("iqn.a:data").unwrap();
        assert!(boot < data);
        assert!(xml.contains(
            "<host name='10.0.0.1' port='3260'/>\n        <auth username='oc-boot'>\n          <secret type='iscsi' usage='overcast-x-boot'/>\n        </auth>\n      </source>"
        ));
        assert_eq!(
            xml.matches("<auth ").count(),
            2,
            "the second iSCSI disk has no auth"
        );
        assert!(xml.contains(
            "<source protocol='rbd' name='overcast-r3/drive-1'>\n        <host name='10.0.0.1' port='6789'/>\n        <host name='10.0.0.2' port='6789'/>\n        <config file='/var/lib/overcast/ceph-client.conf'/>\n        <auth username='overcast-host-1'>\n          <secret type='ceph' usage='overcast-x-ceph'/>\n        </auth>\n      </source>\n      <target dev='vdc' bus='virtio'/>"
        ));
        assert!(xml.contains("<target dev='vdd' bus='virtio'/>\n      <readonly/>"));
        assert!(xml.contains("x=&lt;&amp;&gt;"));
        assert!(xml.contains(
            "<source bridge='br0'/>\n      <target dev='oc000000000000'/>\n      <mac address='52:54:00:00:00:00'/>"
        ));
    }
}
