//! libvirtd and tgtd of our own, for the all-in-one mode and the tests:
//! each host gets private libvirt directories (bind-mounted in a mount
//! namespace of its own), its own libvirt socket, and a tgtd on its own
//! control port and iSCSI portal, so several hosts can share one machine.
//! In production these are system services instead.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::tgt::Tgt;

/// The daemons of one host, stopped (and their guests with them) on drop.
pub struct HostDaemons {
    pub dir: PathBuf,
    pub libvirt_uri: String,
    pub tgt: Tgt,
    pub portal_port: u16,
    tgtd: Child,
    stopped: bool,
}

const LIBVIRT_DIRS: &[(&str, &str)] = &[
    ("etc", "/etc/libvirt"),
    ("run", "/var/run/libvirt"),
    ("lib", "/var/lib/libvirt"),
    ("log", "/var/log/libvirt"),
    ("cache", "/var/cache/libvirt"),
];

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let start = Instant::now();
    while !ready() {
        if start.elapsed() > timeout {
            bail!("{what} did not come up within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

impl HostDaemons {
    /// Start virtlogd, libvirtd and tgtd for a host whose state lives in `dir`.
    pub fn start(dir: &Path) -> Result<HostDaemons> {
        let dir = dir.to_path_buf();
        let mut script = String::from("set -e\n");
        for (name, target) in LIBVIRT_DIRS {
            let private = dir.join(name);
            std::fs::create_dir_all(&private)?;
            std::fs::create_dir_all(target)
                .with_context(|| format!("creating the mount point {target} (needs root)"))?;
            script.push_str(&format!(
                "mount --bind '{}' '{target}'\n",
                private.display()
            ));
        }
        if Path::new("/etc/libvirt").is_dir() {
            for entry in std::fs::read_dir("/etc/libvirt")? {
                let entry = entry?;
                if entry.path().is_file() {
                    std::fs::copy(entry.path(), dir.join("etc").join(entry.file_name()))?;
                }
            }
        }
        // Guests run as root in this private libvirtd: its files are ours.
        std::fs::write(
            dir.join("etc/qemu.conf"),
            "user = \"root\"\ngroup = \"root\"\nstdio_handler = \"file\"\n",
        )?;
        script.push_str(&format!(
            "virtlogd -d -p '{0}/virtlogd.pid'\nlibvirtd -d -p '{0}/libvirtd.pid'\n",
            dir.display()
        ));
        let status = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &script])
            .status()
            .context("running unshare (needs root)")?;
        if !status.success() {
            bail!("starting libvirtd failed: {status}");
        }
        let socket = dir.join("run/libvirt-sock");
        wait_for("libvirtd", Duration::from_secs(20), || socket.exists())?;
        let libvirt_uri = format!("qemu:///system?socket={}", socket.display());

        // tgtd is addressed by a control port (a unix socket number). Take
        // one no running tgtd answers on; if another tgtd grabs it first,
        // ours exits at once on the socket's lock and the next one is tried.
        let portal_port = free_port()?;
        let mut candidate = (portal_port % 30000) + 1000;
        let (tgtd, tgt) = loop {
            while (Tgt {
                control_port: candidate,
            })
            .exports()
            .is_ok()
            {
                candidate += 1;
            }
            let mut child = Command::new("tgtd")
                .args(["-f", "-C", &candidate.to_string(), "--iscsi"])
                .arg(format!("portal=127.0.0.1:{portal_port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("starting tgtd (install tgt with `cargo xtask setup`)")?;
            let tgt = Tgt {
                control_port: candidate,
            };
            let up = wait_for("tgtd", Duration::from_secs(10), || {
                tgt.exports().is_ok() || matches!(child.try_wait(), Ok(Some(_)))
            });
            if up.is_ok() && tgt.exports().is_ok() {
                break (child, tgt);
            }
            let _ = child.kill();
            let _ = child.wait();
            if candidate > 60000 {
                bail!("tgtd did not start on any control port");
            }
            candidate += 1;
        };
        Ok(HostDaemons {
            dir,
            libvirt_uri,
            tgt,
            portal_port,
            tgtd,
            stopped: false,
        })
    }

    /// Stop guests, exports and daemons (once).
    pub fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        if let Ok(conn) = virt::connect::Connect::open(Some(&self.libvirt_uri)) {
            for dom in conn.list_all_domains(0).unwrap_or_default() {
                let _ = dom.destroy();
                let _ = dom.undefine();
            }
        }
        for export in self.tgt.exports().unwrap_or_default() {
            let _ = Command::new("tgtadm")
                .args(["-C", &self.tgt.control_port.to_string(), "--lld", "iscsi"])
                .args(["--op", "delete", "--force", "--mode", "target", "--tid"])
                .arg(export.tid.to_string())
                .status();
        }
        // tgtd ignores SIGTERM; deleting the system stops it.
        let _ = Command::new("tgtadm")
            .args(["-C", &self.tgt.control_port.to_string(), "--lld", "iscsi"])
            .args(["--op", "delete", "--mode", "system"])
            .status();
        let _ = self.tgtd.kill();
        let _ = self.tgtd.wait();
        for pidfile in ["libvirtd.pid", "virtlogd.pid"] {
            if let Some(pid) = read_pid(&self.dir.join(pidfile)) {
                let _ = Command::new("kill").arg(pid.to_string()).status();
            }
        }
    }
}

impl Drop for HostDaemons {
    fn drop(&mut self) {
        self.stop();
    }
}
