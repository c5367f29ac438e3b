//! `cargo xtask images`: the system OS templates, built from Debian packages
//! only. `tiny` is Debian's kernel plus a busybox initramfs that carries the
//! virtio drivers and applies a NoCloud config drive; it prints
//! `OVERCAST-READY ...` on the serial console when it is up. `debian-12` is a
//! debootstrap root filesystem with cloud-init and OpenSSH in an ext4 disk
//! image made by `mkfs.ext4 -d`, booted with its own kernel and initrd.
//! Each is a bundle directory: `vmlinuz`, `initrd.img`, `cmdline`, and for
//! `debian-12` the boot drive's content, `disk.raw`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{root, run};

const TINY_INIT: &str = include_str!("../images/tiny-init.sh");
/// The drivers `tiny` loads; their dependencies come along.
const TINY_MODULES: &[&str] = &["virtio_pci", "virtio_blk", "virtio_net", "isofs"];

pub fn images_dir() -> PathBuf {
    root().join("target/images")
}

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The kernel package Debian's `linux-image-amd64` currently points at.
fn kernel_package() -> Result<String> {
    let text = output(Command::new("apt-cache").args(["depends", "linux-image-amd64"]))?;
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("Depends: "))
        .find(|p| p.starts_with("linux-image-") && p.ends_with("-amd64"))
        .map(str::to_string)
        .context("linux-image-amd64 depends on no kernel package")
}

/// A module's dependencies, from the `depends=` entry of its .modinfo section.
fn module_depends(ko: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(ko)?;
    let needle = b"depends=";
    let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) else {
        return Ok(Vec::new());
    };
    let rest = &bytes[at + needle.len()..];
    let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    Ok(String::from_utf8_lossy(&rest[..end])
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}

fn find_module(modules: &Path, name: &str) -> Result<PathBuf> {
    let mut stack = vec![modules.join("kernel")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .is_some_and(|n| n == format!("{name}.ko").as_str())
            {
                return Ok(path);
            }
        }
    }
    bail!("module {name} is not in {}", modules.display())
}

/// Modules in load order: every module after its dependencies.
fn load_order(modules: &Path, wanted: &[&str]) -> Result<Vec<(String, PathBuf)>> {
    fn visit(
        modules: &Path,
        name: &str,
        seen: &mut BTreeSet<String>,
        out: &mut Vec<(String, PathBuf)>,
    ) -> Result<()> {
        if !seen.insert(name.to_string()) {
            return Ok(());
        }
        let path = find_module(modules, name)?;
        for dep in module_depends(&path)? {
            visit(modules, &dep, seen, out)?;
        }
        out.push((name.to_string(), path));
        Ok(())
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for name in wanted {
        visit(modules, name, &mut seen, &mut out)?;
    }
    Ok(out)
}

/// Build `tiny` into target/images/tiny unless it is already built from the
/// current kernel package.
pub fn build_tiny() -> Result<PathBuf> {
    let kernel_pkg = kernel_package()?;
    let dir = images_dir().join("tiny");
    let stamp = dir.join("built-from");
    let recipe = format!("{kernel_pkg}\n{TINY_INIT}\n{TINY_MODULES:?}");
    // The bundle's kernel command line, read by hostd at each boot.
    let write_cmdline = || std::fs::write(dir.join("cmdline"), "console=ttyS0 quiet panic=-1\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(recipe.as_str()) {
        write_cmdline()?;
        eprintln!("images: tiny is up to date ({kernel_pkg})");
        return Ok(dir);
    }
    let work = images_dir().join("work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("debs"))?;
    let mut download = Command::new("apt-get");
    download
        .current_dir(work.join("debs"))
        .args(["download", &kernel_pkg, "busybox-static"]);
    run(download)?;
    for deb in std::fs::read_dir(work.join("debs"))? {
        let mut x = Command::new("dpkg");
        x.arg("-x").arg(deb?.path()).arg(work.join("root"));
        run(x)?;
    }
    let version = kernel_pkg
        .strip_prefix("linux-image-")
        .expect("checked above")
        .to_string();
    let modules_dir = work.join("root/lib/modules").join(&version);
    let initrd = work.join("initrd");
    for sub in [
        "bin",
        "lib/modules",
        "etc",
        "proc",
        "sys",
        "dev",
        "run",
        "root",
        "tmp",
    ] {
        std::fs::create_dir_all(initrd.join(sub))?;
    }
    std::fs::copy(work.join("root/bin/busybox"), initrd.join("bin/busybox"))?;
    let applets = output(Command::new(initrd.join("bin/busybox")).arg("--list"))?;
    for applet in applets.lines().filter(|a| !a.is_empty() && *a != "busybox") {
        std::os::unix::fs::symlink("busybox", initrd.join("bin").join(applet))?;
    }
    let order = load_order(&modules_dir, TINY_MODULES)?;
    for (name, path) in &order {
        std::fs::copy(path, initrd.join("lib/modules").join(format!("{name}.ko")))?;
    }
    let names: Vec<&str> = order.iter().map(|(n, _)| n.as_str()).collect();
    std::fs::write(initrd.join("etc/modules"), names.join("\n") + "\n")?;
    let init = initrd.join("init");
    std::fs::write(&init, TINY_INIT)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&init, std::fs::Permissions::from_mode(0o755))?;
    std::fs::create_dir_all(&dir)?;
    let mut cpio = Command::new("sh");
    cpio.current_dir(&initrd).arg("-c").arg(format!(
        "find . | sort | cpio --quiet -o -H newc --owner 0:0 | gzip -9 > {}",
        dir.join("initrd.img").display()
    ));
    run(cpio)?;
    std::fs::copy(
        work.join("root/boot").join(format!("vmlinuz-{version}")),
        dir.join("vmlinuz"),
    )?;
    write_cmdline()?;
    std::fs::write(stamp, recipe)?;
    let _ = std::fs::remove_dir_all(&work);
    eprintln!(
        "images: built tiny from {kernel_pkg} with modules {names:?} in {}",
        dir.display()
    );
    Ok(dir)
}

/// What `debian-12` is made of, beyond Debian's minimal base.
const DEBIAN_PACKAGES: &str = "systemd-sysv,udev,linux-image-amd64,cloud-init,python3-cffi-backend,\
openssh-server,ifupdown,isc-dhcp-client,iproute2";
/// cloud-init looks only for our NoCloud config drive.
const DEBIAN_CLOUD_CFG: &str = "datasource_list: [ NoCloud, None ]\n";
const DEBIAN_DISK_BYTES: u64 = 2 << 30;

/// The Debian mirror debootstrap uses (`OVERCAST_DEBIAN_MIRROR` overrides).
fn debian_mirror() -> String {
    std::env::var("OVERCAST_DEBIAN_MIRROR")
        .unwrap_or_else(|_| "http://deb.debian.org/debian".into())
}

/// Build `debian-12` into target/images/debian-12 unless it is up to date:
/// a debootstrap root filesystem with cloud-init and OpenSSH, put into an
/// ext4 disk image by `mkfs.ext4 -d` (no mounting), and its own kernel and
/// initrd beside it for direct boot.
pub fn build_debian() -> Result<PathBuf> {
    let dir = images_dir().join("debian-12");
    let stamp = dir.join("built-from");
    let recipe = format!("bookworm\n{DEBIAN_PACKAGES}\n{DEBIAN_CLOUD_CFG}\n{DEBIAN_DISK_BYTES}");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(recipe.as_str()) {
        eprintln!("images: debian-12 is up to date");
        return Ok(dir);
    }
    let work = images_dir().join("work-debian");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let rootfs = work.join("root");
    eprintln!("images: debootstrap of Debian 12 (a few minutes)...");
    let mut boot = Command::new("debootstrap");
    boot.args([
        "--variant=minbase",
        &format!("--include={DEBIAN_PACKAGES}"),
        "bookworm",
    ])
    .arg(&rootfs)
    .arg(debian_mirror());
    run(boot)?;
    // Each instance gets its own identity at first boot: cloud-init makes
    // the SSH host keys, systemd the machine id.
    for entry in std::fs::read_dir(rootfs.join("etc/ssh"))? {
        let path = entry?.path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("ssh_host_"))
        {
            std::fs::remove_file(path)?;
        }
    }
    std::fs::write(rootfs.join("etc/machine-id"), "")?;
    let _ = std::fs::remove_file(rootfs.join("var/lib/dbus/machine-id"));
    std::fs::write(
        rootfs.join("etc/cloud/cloud.cfg.d/90-overcast.cfg"),
        DEBIAN_CLOUD_CFG,
    )?;
    std::fs::write(
        rootfs.join("etc/fstab"),
        "LABEL=root / ext4 errors=remount-ro 0 1\n",
    )?;
    for entry in std::fs::read_dir(rootfs.join("var/cache/apt/archives"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "deb") {
            std::fs::remove_file(path)?;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let boot_dir = rootfs.join("boot");
    let mut kernel = None;
    let mut initrd = None;
    for entry in std::fs::read_dir(&boot_dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with("vmlinuz-") {
            kernel = Some(name);
        } else if name.starts_with("initrd.img-") {
            initrd = Some(name);
        }
    }
    let (kernel, initrd) = (
        kernel.context("debootstrap left no kernel in /boot")?,
        initrd.context("debootstrap left no initrd in /boot")?,
    );
    std::fs::copy(boot_dir.join(&kernel), dir.join("vmlinuz"))?;
    std::fs::copy(boot_dir.join(&initrd), dir.join("initrd.img"))?;
    std::fs::write(dir.join("cmdline"), "root=/dev/vda rw console=ttyS0\n")?;
    let disk = dir.join("disk.raw");
    std::fs::File::create(&disk)?.set_len(DEBIAN_DISK_BYTES)?;
    let mut mkfs = Command::new("mkfs.ext4");
    mkfs.args(["-q", "-F", "-L", "root", "-d"])
        .arg(&rootfs)
        .arg(&disk);
    run(mkfs)?;
    std::fs::write(stamp, recipe)?;
    let _ = std::fs::remove_dir_all(&work);
    eprintln!("images: built debian-12 ({kernel}) in {}", dir.display());
    Ok(dir)
}

/// Every system image.
pub fn build_all() -> Result<()> {
    build_tiny()?;
    build_debian()?;
    Ok(())
}
