//! Which accelerator guests get. `auto` uses KVM only where a probe guest
//! actually boots with it: on nested-virtualization machines `/dev/kvm`
//! exists and opens, yet guests hang early in boot, so only a real boot
//! tells. The probe boots the `tiny` image directly under QEMU.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::domain::Accelerator;

/// The `accelerator` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceleratorSetting {
    Auto,
    Kvm,
    Tcg,
}

impl FromStr for AcceleratorSetting {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Self::Auto),
            "kvm" => Ok(Self::Kvm),
            "tcg" => Ok(Self::Tcg),
            other => bail!("accelerator must be auto, kvm or tcg, not `{other}`"),
        }
    }
}

/// What a direct boot of `tiny` printed: the readiness line and how long it took.
#[derive(Debug, Clone)]
pub struct Boot {
    pub ready_line: String,
    pub elapsed: Duration,
}

/// Boot `tiny` (kernel + initrd in `image`) under QEMU with `accel` and
/// `extra` arguments; the readiness line, or `None` if it did not come
/// within `timeout` (the console is in the error then).
pub fn boot_tiny(
    accel: Accelerator,
    image: &Path,
    extra: &[String],
    timeout: Duration,
) -> Result<Option<Boot>> {
    let accel = match accel {
        Accelerator::Kvm => "kvm",
        Accelerator::Tcg => "tcg",
    };
    let started = Instant::now();
    let mut qemu = Command::new("qemu-system-x86_64")
        .args([
            "-accel",
            accel,
            "-m",
            "256",
            "-nographic",
            "-no-reboot",
            "-nodefaults",
            "-serial",
            "stdio",
        ])
        .arg("-kernel")
        .arg(image.join("vmlinuz"))
        .arg("-initrd")
        .arg(image.join("initrd.img"))
        .args(["-append", "console=ttyS0 quiet panic=-1"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .context("running qemu-system-x86_64 (install it with `cargo xtask setup`)")?;
    let (tx, rx) = mpsc::channel();
    let stdout = qemu.stdout.take().context("qemu's stdout")?;
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let ready = loop {
        match rx.recv_timeout(timeout.saturating_sub(started.elapsed())) {
            Ok(line) if line.contains("OVERCAST-READY") => {
                let at = line.find("OVERCAST-READY").unwrap_or(0);
                break Some(Boot {
                    ready_line: line[at..].trim().to_string(),
                    elapsed: started.elapsed(),
                });
            }
            Ok(_) => {}
            Err(_) => break None,
        }
    };
    let _ = qemu.kill();
    let _ = qemu.wait();
    Ok(ready)
}

/// Resolve the setting: `auto` probes KVM with a real boot and falls back
/// to TCG when the probe guest does not reach its readiness marker.
pub fn resolve(
    setting: AcceleratorSetting,
    tiny: &Path,
    probe_timeout: Duration,
) -> Result<Accelerator> {
    Ok(match setting {
        AcceleratorSetting::Kvm => Accelerator::Kvm,
        AcceleratorSetting::Tcg => Accelerator::Tcg,
        AcceleratorSetting::Auto => {
            if !Path::new("/dev/kvm").exists() {
                return Ok(Accelerator::Tcg);
            }
            match boot_tiny(Accelerator::Kvm, tiny, &[], probe_timeout) {
                Ok(Some(_)) => Accelerator::Kvm,
                _ => Accelerator::Tcg,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings() {
        assert_eq!(
            "auto".parse::<AcceleratorSetting>().unwrap(),
            AcceleratorSetting::Auto
        );
        assert_eq!(
            "tcg".parse::<AcceleratorSetting>().unwrap(),
            AcceleratorSetting::Tcg
        );
        assert!("hvf".parse::<AcceleratorSetting>().is_err());
    }
}
