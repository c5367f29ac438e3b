//! libvirtd and tgtd of our own, for the all-in-one mode and the tests:
//! each host gets private libvirt directories (bind-mounted in a mount
//! namespace of its own), its own libvirt socket, and a tgtd on its own
//! control port and iSCSI portal, so several hosts can share one machine.
//! In production these are system services instead.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::tgt::Tgt;

/// The daemons of one host. [`HostDaemons::start`] owns them: they stop
/// (and their guests with them) on drop. [`HostDaemons::start_or_adopt`]
/// is hostd's: a restarted hostd finds the daemons its predecessor left
/// running, so guests survive hostd restarts; [`HostDaemons::stop`] ends them.
pub struct HostDaemons {
    pub dir: PathBuf,
    pub libvirt_uri: String,
    pub tgt: Tgt,
    pub portal_port: u16,
    tgtd_pid: u32,
    stop_on_drop: bool,
    stopped: bool,
}

fn loopback() -> String {
    "127.0.0.1".into()
}

/// What a later hostd needs to find the daemons again.
#[derive(serde::Serialize, serde::Deserialize)]
struct Recorded {
    control_port: u16,
    portal_port: u16,
    /// Records from before the address was kept: 127.0.0.1, the only
    /// address used then.
    #[serde(default = "loopback")]
    portal_address: String,
    tgtd_pid: u32,
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

fn free_port(address: &str) -> Result<u16> {
    Ok(TcpListener::bind((address, 0))?.local_addr()?.port())
}

fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

impl HostDaemons {
    /// Start virtlogd, libvirtd and tgtd for a host whose state lives in
    /// `dir`; they stop on drop.
    pub fn start(dir: &Path) -> Result<HostDaemons> {
        let mut d = Self::start_or_adopt(dir, "127.0.0.1")?;
        d.stop_on_drop = true;
        Ok(d)
    }

    /// Daemons that are system services (production): used as they are,
    /// never started or stopped by hostd.
    pub fn system(libvirt_uri: String, tgt_control_port: u16, portal_port: u16) -> HostDaemons {
        HostDaemons {
            dir: PathBuf::new(),
            libvirt_uri,
            tgt: Tgt {
                control_port: tgt_control_port,
            },
            portal_port,
            tgtd_pid: 0,
            stop_on_drop: false,
            stopped: true,
        }
    }

    /// Use the daemons a previous hostd started in `dir` where they still
    /// answer, and start the rest; tgtd's portal listens on `address`. They
    /// keep running when this value drops.
    pub fn start_or_adopt(dir: &Path, address: &str) -> Result<HostDaemons> {
        let dir = dir.to_path_buf();
        std::fs::create_dir_all(&dir)?;
        let socket = dir.join("run/libvirt-sock");
        let libvirt_uri = format!("qemu:///system?socket={}", socket.display());
        let libvirtd_alive = read_pid(&dir.join("libvirtd.pid")).is_some_and(pid_alive)
            && virt::connect::Connect::open(Some(&libvirt_uri)).is_ok();
        if !libvirtd_alive {
            Self::start_libvirtd(&dir)?;
        }
        let record_path = dir.join("daemons.json");
        let recorded: Option<Recorded> = std::fs::read(&record_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        let (control_port, portal_port, tgtd_pid) = match recorded {
            Some(r)
                if (Tgt {
                    control_port: r.control_port,
                })
                .exports()
                .is_ok()
                    && pid_alive(r.tgtd_pid as i32)
                    && r.portal_address == address =>
            {
                (r.control_port, r.portal_port, r.tgtd_pid)
            }
            other => {
                // Keep the portal port guests already point at, if it is free.
                let wanted = other
                    .map(|r| r.portal_port)
                    .filter(|p| TcpListener::bind((address, *p)).is_ok());
                Self::start_tgtd(address, wanted)?
            }
        };
        // Written aside and renamed, so a reader never sees half a record.
        let tmp = record_path.with_extension("tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec(&Recorded {
                control_port,
                portal_port,
                portal_address: address.to_string(),
                tgtd_pid,
            })?,
        )?;
        std::fs::rename(&tmp, &record_path)?;
        Ok(HostDaemons {
            dir,
            libvirt_uri,
            tgt: Tgt { control_port },
            portal_port,
            tgtd_pid,
            stop_on_drop: false,
            stopped: false,
        })
    }

    /// The portal address the daemons in `dir` were started with, if any.
    pub fn recorded_address(dir: &Path) -> Option<String> {
        let recorded: Recorded =
            serde_json::from_slice(&std::fs::read(dir.join("daemons.json")).ok()?).ok()?;
        Some(recorded.portal_address)
    }

    fn start_libvirtd(dir: &Path) -> Result<()> {
        // A dead libvirtd's socket must not look like a live one.
        let _ = std::fs::remove_file(dir.join("run/libvirt-sock"));
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
        Ok(())
    }

    /// Start a tgtd; returns its control port, portal port and pid.
    fn start_tgtd(address: &str, portal: Option<u16>) -> Result<(u16, u16, u32)> {
        // tgtd is addressed by a control port (a unix socket number). Take
        // one no running tgtd answers on; if another tgtd grabs it first,
        // ours exits at once on the socket's lock and the next one is tried.
        let portal_port = match portal {
            Some(p) => p,
            None => free_port(address)
                .with_context(|| format!("no free port on the host address {address}"))?,
        };
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
                .arg(format!("portal={address}:{portal_port}"))
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
                // Not waited for: tgtd outlives this hostd on purpose.
                break (child.id(), tgt);
            }
            let _ = child.kill();
            let _ = child.wait();
            if candidate > 60000 {
                bail!("tgtd did not start on any control port");
            }
            candidate += 1;
        };
        Ok((tgt.control_port, portal_port, tgtd))
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
        let _ = Command::new("kill")
            .args(["-9", &self.tgtd_pid.to_string()])
            .status();
        for pidfile in ["libvirtd.pid", "virtlogd.pid"] {
            if let Some(pid) = read_pid(&self.dir.join(pidfile)) {
                let _ = Command::new("kill").arg(pid.to_string()).status();
            }
        }
    }
}

impl Drop for HostDaemons {
    fn drop(&mut self) {
        if self.stop_on_drop {
            self.stop();
        }
    }
}

fn pid_alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}
