//! `overcast-server`: runs the Overcast control plane.

use std::io::IsTerminal;

use clap::Parser;
use overcast_server::{Admin, Command, Config, Server};

/// mimalloc rather than glibc's malloc: a request allocates a few dozen
/// small blocks across threads, and glibc's arenas took about a seventh of
/// the server's CPU under `bench api`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Colour only on a terminal: not in files, pipes or the journal.
    let ansi = std::io::stdout().is_terminal();
    let _log = overcast_server::logging::init(std::io::stdout(), ansi);
    let config = Config::parse();
    if let Some(Command::Admin(Admin::OperatorToken)) = &config.command {
        let path = overcast_server::admin_operator_token(&config).await?;
        println!("New operator token in: {}", path.display());
        return Ok(());
    }
    // Handlers first: a supervisor (or a test) that stops the server as soon
    // as the banner shows must not meet the default action, which kills the
    // process before its log is flushed.
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let server = Server::start(config).await?;
    if let Some(host) = &server.local_host {
        eprintln!("waiting for the local host (the first start probes KVM)...");
        host.wait_until_up(&server.app, std::time::Duration::from_secs(180))
            .await?;
    }
    println!("Overcast API:      http://{}/v1", server.addr);
    println!("API explorer:      http://{}/docs/", server.addr);
    println!(
        "Operator token in: {}",
        server.operator_token_path.display()
    );
    println!("Internal API:      http://{}", server.internal_addr);
    if let Some(host) = &server.local_host {
        println!("Local host state:  {}", host.state_dir.display());
    }
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = term.recv() => {}
    }
    tracing::info!("stopping");
    server.stop().await
}
