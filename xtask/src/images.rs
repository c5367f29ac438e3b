//! `cargo xtask images`: the system OS templates, built from Debian packages
//! only. `tiny` is Debian's kernel plus a busybox initramfs that carries the
//! virtio drivers and applies a NoCloud config drive; it prints
//! `OVERCAST-READY ...` on the serial console when it is up.

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
