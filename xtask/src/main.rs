//! Overcast's developer tasks (`cargo xtask <task>`). Each task installs what
//! it needs first, so a fresh Debian machine needs only a Rust toolchain.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Overcast developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install the Debian packages the build and the tests need (idempotent).
    Setup,
    /// Run the control plane on embedded defaults (SQLite in ./overcast-data).
    Run {
        /// Extra arguments for overcast-server (see `overcast-server --help`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Every check and test: formatting, clippy, spec drift, unit and
    /// integration tests on SQLite and on a PostgreSQL the tests start.
    Test,
    /// Regenerate api-spec/openapi.json and api-spec/openapi-3.0.json.
    Openapi {
        /// Fail if the committed files differ instead of writing them.
        #[arg(long)]
        check: bool,
    },
    /// Regenerate the SDKs' generated code from api-spec/.
    Clients {
        /// Fail if the committed code differs instead of writing it.
        #[arg(long)]
        check: bool,
    },
    /// Benchmarks, compared side by side with a baseline on this machine.
    Bench {
        /// Which benchmark: `api`.
        which: String,
    },
}

/// Debian packages: (package, why).
const PACKAGES: &[(&str, &str)] = &[
    ("libpq-dev", "diesel's PostgreSQL backend links libpq"),
    ("libsqlite3-dev", "diesel's SQLite backend links libsqlite3"),
    ("pkg-config", "finding the C libraries"),
    (
        "postgresql",
        "the tests and benchmarks start their own PostgreSQL",
    ),
    ("postgresql-contrib", "pgbench, the benchmark baseline"),
    ("wrk", "the HTTP load generator of the benchmarks"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(mut cmd: Command) -> Result<()> {
    eprintln!("+ {cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn setup() -> Result<()> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| !installed(p))
        .collect();
    if missing.is_empty() {
        eprintln!("setup: all Debian packages present");
        return Ok(());
    }
    eprintln!("setup: installing {missing:?}");
    let sudo = !Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let apt = |args: &[&str]| {
        let mut c = if sudo {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        } else {
            Command::new("apt-get")
        };
        c.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        c
    };
    run(apt(&["update", "-q"]))?;
    let mut install = apt(&["install", "-y", "-q", "--no-install-recommends"]);
    install.args(&missing);
    run(install)?;
    // Debian starts a cluster on install; the tests start their own, so
    // the system one is not needed (and may not be running without systemd).
    Ok(())
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Setup => setup(),
        Task::Run { args } => {
            setup()?;
            let mut c = cargo();
            c.args(["run", "--release", "-p", "overcast-server", "--"])
                .args(args);
            run(c)
        }
        Task::Test => {
            setup()?;
            let mut fmt = cargo();
            fmt.args(["fmt", "--all", "--check"]);
            run(fmt)?;
            let mut clippy = cargo();
            clippy.args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]);
            run(clippy)?;
            let mut test = cargo();
            test.args(["test", "--workspace"]);
            run(test)
        }
        Task::Openapi { check } => {
            let mut c = cargo();
            c.args(["run", "-q", "-p", "overcast-api-spec", "--"])
                .arg(if check { "check" } else { "write" });
            run(c)
        }
        Task::Clients { check } => {
            let mut c = cargo();
            c.args(["run", "-q", "-p", "overcast-clients-gen", "--"])
                .arg(if check { "check" } else { "write" });
            run(c)
        }
        Task::Bench { which } => {
            setup()?;
            let mut c = cargo();
            c.args([
                "run",
                "--release",
                "-p",
                "overcast-testkit",
                "--bin",
                "overcast-bench",
                "--",
            ])
            .arg(which);
            run(c)
        }
    }
}
