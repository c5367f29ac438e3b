//! `terraform-provider-overcast`: started by Terraform, never by hand.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Logs go to stderr, which go-plugin relays into Terraform's log at
    // the level TF_LOG_PROVIDER (or TF_LOG) asks for; stdout carries only
    // the handshake line.
    let level = std::env::var("TF_LOG_PROVIDER")
        .or_else(|_| std::env::var("TF_LOG"))
        .unwrap_or_default()
        .to_lowercase();
    let level = match level.as_str() {
        "trace" | "json" => "trace",
        "debug" => "debug",
        "info" => "info",
        "warn" => "warn",
        "error" => "error",
        _ => "off",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(tracing_subscriber::EnvFilter::new(format!(
            "overcast_terraform_provider={level}"
        )))
        .init();
    if let Err(e) = overcast_terraform_provider::plugin::check_environment() {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(overcast_terraform_provider::run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terraform-provider-overcast: {e:#}");
            ExitCode::FAILURE
        }
    }
}
