//! The all-in-one mode: the server plus one local `overcast-hostd` (its
//! state under `<data-dir>/host`, its own libvirtd and tgtd) and the system
//! images that `cargo xtask images` built, registered as OS templates.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result};

use crate::config::Config;
use crate::state::App;
use overcast_types::params::HostEnrollmentCreate;

/// The local host's daemon process.
pub struct LocalHost {
    pub state_dir: PathBuf,
    pub hostd: PathBuf,
    child: tokio::process::Child,
}

/// `overcast-hostd` next to this executable (or one directory up, where
/// cargo puts binaries when this is a test).
pub fn hostd_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("the executable has no directory")?;
    [dir.join("overcast-hostd"), dir.join("../overcast-hostd")]
        .into_iter()
        .find(|p| p.exists())
        .with_context(|| {
            format!(
                "overcast-hostd is missing next to {}: build it with `cargo build -p overcast-hostd`",
                exe.display()
            )
        })
}

fn bundle_url(dir: &Path) -> Result<String> {
    Ok(format!("file://{}", dir.canonicalize()?.display()))
}

/// Register the system images found in `images_dir`.
async fn register_images(app: &App, images_dir: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for (name, description) in [
        (
            "tiny",
            "Debian's kernel with a busybox initramfs: small and fast",
        ),
        ("debian-12", "Debian 12 with cloud-init and OpenSSH"),
    ] {
        let dir = images_dir.join(name);
        if !dir.join("vmlinuz").exists() {
            continue;
        }
        let url = bundle_url(&dir)?;
        let disk = std::fs::metadata(dir.join("disk.raw"))
            .map(|m| m.len())
            .unwrap_or(0);
        let min = disk.max(64 << 20).div_ceil(1 << 20) << 20;
        app.db
            .write(move |c| {
                crate::app::images::register_system_image(c, name, description, &url, min)
            })
            .await
            .map_err(|e| anyhow::anyhow!("registering image {name}: {e}"))?;
        found.push(name.to_string());
    }
    if found.is_empty() {
        anyhow::bail!(
            "no system images in {}: build them with `cargo xtask images`",
            images_dir.display()
        );
    }
    Ok(found)
}

/// Register the images and start the local host (enrolling it on its
/// first start).
pub async fn start(
    app: &App,
    config: &Config,
    internal: std::net::SocketAddr,
) -> Result<LocalHost> {
    let images = register_images(app, &config.images_dir).await?;
    tracing::info!(?images, "system images registered");
    let state_dir = config.data_dir.join("host");
    std::fs::create_dir_all(&state_dir)?;
    let state_dir = state_dir.canonicalize()?;
    let token_file = state_dir.join("enrollment.token");
    if !state_dir.join("credentials.json").exists() {
        let (_, token) = app
            .db
            .write(|c| {
                crate::app::hosts::issue_enrollment(
                    c,
                    HostEnrollmentCreate {
                        description: "the all-in-one local host".into(),
                        ttl_seconds: 3600,
                    },
                )
            })
            .await
            .map_err(|e| anyhow::anyhow!("issuing the local host's enrollment token: {e}"))?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&token_file)?;
        std::io::Write::write_all(&mut f, token.as_bytes())?;
    }
    // A bridge of its own for the guests' virtio-net, so several all-in-one
    // hosts (tests) can share a machine.
    let bridge = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(state_dir.to_string_lossy().as_bytes());
        format!(
            "ocbr{:02x}{:02x}{:02x}{:02x}",
            digest[0], digest[1], digest[2], digest[3]
        )
    };
    let hostd = hostd_binary()?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(state_dir.join("hostd.log"))?;
    let child = tokio::process::Command::new(&hostd)
        .arg("run")
        .arg("--server")
        .arg(format!("https://{internal}"))
        .arg("--server-ca")
        .arg(config.data_dir.join(crate::CLUSTER_CA_FILE))
        .arg("--state-dir")
        .arg(&state_dir)
        .args(["--name", "local", "--address", "127.0.0.1"])
        .arg("--enrollment-token-file")
        .arg(&token_file)
        .args(["--accelerator", &config.accelerator])
        .arg("--probe-image")
        .arg(config.images_dir.join("tiny"))
        .args(["--stop-grace", "3"])
        .args(["--bridge", &bridge])
        .stdout(log.try_clone()?)
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", hostd.display()))?;
    tracing::info!(state_dir = %state_dir.display(), "local host started");
    Ok(LocalHost {
        state_dir,
        hostd,
        child,
    })
}

impl LocalHost {
    /// Wait until the local host has enrolled and reports in (the first
    /// start with `--accelerator auto` spends ~20 s probing KVM).
    pub async fn wait_until_up(&self, app: &App, timeout: std::time::Duration) -> Result<()> {
        use diesel::prelude::*;
        let started = std::time::Instant::now();
        loop {
            let up = app
                .db
                .read(|c| {
                    Ok(overcast_db::schema::hosts::table
                        .filter(overcast_db::schema::hosts::name.eq("local"))
                        .filter(
                            overcast_db::schema::hosts::state
                                .eq(overcast_types::states::HostState::Active),
                        )
                        .count()
                        .get_result::<i64>(c)?)
                })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if up > 0 {
                return Ok(());
            }
            if started.elapsed() > timeout {
                anyhow::bail!(
                    "the local host did not come up in {timeout:?}; see {}",
                    self.state_dir.join("hostd.log").display()
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Stop hostd; its guests and daemons keep running for the next start.
    pub async fn stop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .arg(pid.to_string())
                .status();
        }
        let _ = self.child.wait().await;
    }

    /// Stop hostd and everything the host runs.
    pub async fn teardown(&mut self) {
        self.stop().await;
        let _ = tokio::process::Command::new(&self.hostd)
            .arg("teardown")
            .arg("--state-dir")
            .arg(&self.state_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
    }
}
