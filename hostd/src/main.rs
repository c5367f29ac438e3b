//! `overcast-hostd`: the host daemon. `run` enrolls (once) and serves the
//! server's commands; `teardown` stops everything a host started.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use overcast_hostd::accel::{self, AcceleratorSetting};
use overcast_hostd::agent::{self, AgentSettings};
use overcast_hostd::daemons::HostDaemons;
use overcast_hostd::domain::Accelerator;
use overcast_hostd::host::{Host, HostSettings, SystemDaemons};

#[derive(Parser)]
#[command(name = "overcast-hostd", version, about = "The Overcast host daemon")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Common {
    /// Where the host keeps its drives, instance files, credential and daemons.
    #[arg(
        long,
        env = "OVERCAST_HOST_STATE_DIR",
        default_value = "/var/lib/overcast-hostd"
    )]
    state_dir: PathBuf,
    /// Host bridge for instances' virtio-net interfaces (created if missing).
    #[arg(long, env = "OVERCAST_HOST_BRIDGE")]
    bridge: Option<String>,
    /// Use the system's libvirtd at this URI (e.g. `qemu:///system`) instead
    /// of a private one; needs --tgt-control-port and --iscsi-port too.
    #[arg(long, env = "OVERCAST_LIBVIRT_URI", requires_all = ["tgt_control_port", "iscsi_port"])]
    libvirt_uri: Option<String>,
    /// The system tgtd's control port (`tgtd -C`, usually 0).
    #[arg(long, env = "OVERCAST_TGT_CONTROL_PORT", requires = "libvirt_uri")]
    tgt_control_port: Option<u16>,
    /// The system tgtd's iSCSI portal port (usually 3260).
    #[arg(long, env = "OVERCAST_ISCSI_PORT", requires = "libvirt_uri")]
    iscsi_port: Option<u16>,
}

impl Common {
    fn system_daemons(&self) -> Option<SystemDaemons> {
        Some(SystemDaemons {
            libvirt_uri: self.libvirt_uri.clone()?,
            tgt_control_port: self.tgt_control_port?,
            iscsi_port: self.iscsi_port?,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Enroll if needed, then serve the server's commands.
    Run {
        #[command(flatten)]
        common: Common,
        /// The server's internal (gRPC) API: TLS only, so `https://`. One
        /// address, or each replica's (comma separated, or the option
        /// repeated): a lost session is redialled to the next.
        #[arg(
            long,
            env = "OVERCAST_HOST_SERVER",
            default_value = "https://127.0.0.1:8081",
            value_delimiter = ','
        )]
        server: Vec<String>,
        /// The cluster CA's certificate (the server's `cluster-ca.pem`), to
        /// trust the server by when enrolling; kept with the credential.
        #[arg(long, env = "OVERCAST_SERVER_CA")]
        server_ca: Option<PathBuf>,
        /// This host's name (a DNS label).
        #[arg(long, env = "OVERCAST_HOST_NAME")]
        name: String,
        /// This host's cluster address: other hosts reach its iSCSI portal
        /// there, and a private tgtd listens on it.
        #[arg(long, env = "OVERCAST_HOST_ADDRESS", default_value = "127.0.0.1")]
        address: String,
        /// File holding an enrollment token (needed only for the first start).
        #[arg(long, env = "OVERCAST_ENROLLMENT_TOKEN_FILE")]
        enrollment_token_file: Option<PathBuf>,
        /// `auto` uses KVM only where a probe guest boots with it.
        #[arg(long, env = "OVERCAST_ACCELERATOR", default_value = "auto")]
        accelerator: AcceleratorSetting,
        /// The image `auto` probes KVM with (the `tiny` bundle).
        #[arg(long, env = "OVERCAST_PROBE_IMAGE")]
        probe_image: Option<PathBuf>,
        /// Seconds a stop waits for an ACPI shutdown before a hard stop.
        #[arg(long, env = "OVERCAST_STOP_GRACE", default_value_t = 10.0)]
        stop_grace: f64,
        /// Seconds between heartbeats.
        #[arg(long, env = "OVERCAST_HEARTBEAT", default_value_t = 1.0)]
        heartbeat: f64,
    },
    /// Stop this host's guests, exports, daemons and bridge.
    Teardown {
        #[command(flatten)]
        common: Common,
    },
}

/// The accelerator, probed once per host and remembered.
fn accelerator(
    state_dir: &std::path::Path,
    setting: AcceleratorSetting,
    probe: Option<PathBuf>,
) -> Result<Accelerator> {
    let cache = state_dir.join("accelerator");
    if setting == AcceleratorSetting::Auto
        && let Ok(known) = std::fs::read_to_string(&cache)
    {
        return Ok(if known.trim() == "kvm" {
            Accelerator::Kvm
        } else {
            Accelerator::Tcg
        });
    }
    let chosen = match (setting, probe) {
        (AcceleratorSetting::Auto, None) if std::path::Path::new("/dev/kvm").exists() => {
            anyhow::bail!("--accelerator auto needs --probe-image to test KVM with a real boot")
        }
        (setting, probe) => {
            accel::resolve(setting, &probe.unwrap_or_default(), Duration::from_secs(20))?
        }
    };
    if setting == AcceleratorSetting::Auto {
        std::fs::write(
            &cache,
            if chosen == Accelerator::Kvm {
                "kvm"
            } else {
                "tcg"
            },
        )?;
    }
    Ok(chosen)
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        // Colour only on a terminal: not in files, pipes or the journal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    match Cli::parse().command {
        Command::Run {
            common,
            server,
            server_ca,
            name,
            address,
            enrollment_token_file,
            accelerator: setting,
            probe_image,
            stop_grace,
            heartbeat,
        } => {
            std::fs::create_dir_all(&common.state_dir)
                .with_context(|| format!("creating {}", common.state_dir.display()))?;
            let accelerator = accelerator(&common.state_dir, setting, probe_image)?;
            tracing::info!(?accelerator, "accelerator chosen");
            let enrollment_token = match enrollment_token_file {
                Some(path) => Some(
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?
                        .trim()
                        .to_string(),
                ),
                None => None,
            };
            let server_ca = match server_ca {
                Some(path) => Some(
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?,
                ),
                None => None,
            };
            let settings = HostSettings {
                system_daemons: common.system_daemons(),
                state_dir: common.state_dir,
                accelerator,
                bridge: common.bridge,
                stop_grace: Duration::from_secs_f64(stop_grace),
                address: address.clone(),
            };
            let host = Arc::new(tokio::task::spawn_blocking(move || Host::open(settings)).await??);
            // The handlers now, not when the shutdown future is first
            // polled: a SIGTERM before that would meet the default action.
            use tokio::signal::unix::{SignalKind, signal};
            let mut term = signal(SignalKind::terminate())?;
            let mut interrupt = signal(SignalKind::interrupt())?;
            let shutdown = async move {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = term.recv() => {}
                }
                tracing::info!("stopping; guests and daemons keep running");
            };
            agent::run(
                host,
                AgentSettings {
                    servers: server,
                    server_ca,
                    name,
                    address,
                    enrollment_token,
                    heartbeat: Duration::from_secs_f64(heartbeat),
                },
                shutdown,
            )
            .await
        }
        Command::Teardown { common } => {
            // The daemons are adopted as they were started.
            let address = HostDaemons::recorded_address(&common.state_dir.join("daemons"))
                .unwrap_or_else(|| "127.0.0.1".into());
            let settings = HostSettings {
                system_daemons: common.system_daemons(),
                state_dir: common.state_dir,
                accelerator: Accelerator::Tcg,
                bridge: common.bridge,
                stop_grace: Duration::ZERO,
                address,
            };
            tokio::task::spawn_blocking(move || Host::teardown_dir(settings)).await?
        }
    }
}
