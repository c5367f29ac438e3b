//! `overcast-sim`: a server on SQLite with simulated hosts big enough for
//! thousands of instances and a simulated storage cluster for `replicated`
//! drives, for tests outside Rust that need a fleet without QEMU or Ceph
//! (the console's 1,000-instance measurement, its snapshot pages). Prints the
//! same `Overcast API:` line as `overcast-server`, then the operator
//! token, and runs until SIGTERM or SIGINT, then cleans up after itself.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use overcast_testkit::{Backend, TestServer, sim::SimConfig};
use tokio::signal::unix::{SignalKind, signal};

const USAGE: &str = "usage: overcast-sim [--hosts N] [--console-dir DIR]";

#[tokio::main]
async fn main() -> Result<()> {
    let mut hosts = 4;
    let mut console_dir: Option<PathBuf> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--hosts" => hosts = it.next().context(USAGE)?.parse().context(USAGE)?,
            "--console-dir" => console_dir = Some(it.next().context(USAGE)?.into()),
            _ => bail!("{USAGE}"),
        }
    }
    let mut t = TestServer::start_with_storage_configured(Backend::Sqlite, 1, |c| {
        c.console_dir = console_dir;
        // The health at the default pace: the console polls it every 5 s.
        c.storage_health_seconds = 1.0;
    })
    .await?;
    for i in 1..=hosts {
        let mut config = SimConfig::new(&format!("big-{i}"));
        config.cpus = 256;
        config.memory_mib = 1 << 20;
        t.add_sim_host(config).await?;
    }
    // Handlers before the banner: a caller may stop it as soon as it shows.
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    println!("Overcast API: {}/v1", t.api.base);
    println!("operator token: {}", t.api.operator_token);
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    drop(t);
    Ok(())
}
