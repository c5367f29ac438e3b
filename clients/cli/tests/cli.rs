//! The built `overcast` binary against a live server.

use std::process::Output;

use overcast_testkit::{Backend, TempDir, TestServer};
use serde_json::Value;

struct Cli {
    config: TempDir,
}

impl Cli {
    fn new() -> Self {
        Self {
            config: TempDir::new("overcast-cli-test").unwrap(),
        }
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_overcast"));
        c.args(args)
            .env("OVERCAST_CONFIG_DIR", &self.config.0)
            .env_remove("OVERCAST_ENDPOINT")
            .env_remove("OVERCAST_TOKEN")
            .env_remove("OVERCAST_PROFILE");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .expect("the overcast binary runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "overcast {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--output", "json"]);
        serde_json::from_str(&self.ok(&all)).expect("--output json prints JSON")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_create_list_delete_and_errors() {
    let t = TestServer::start(Backend::Sqlite).await.unwrap();
    let cli = Cli::new();
    let base = t.base.clone();
    let op = t.operator_token.clone();
    let tenant = t.tenant("acme").await;
    tokio::task::spawn_blocking(move || {
        // Not logged in: a clear message and a failing exit code.
        let out = cli.run(&["drive", "list", "--project", "main"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("overcast login"));

        // A bad token is refused at login and nothing is saved.
        let out = cli.run(&["login", "--endpoint", &base, "--token", "oc_nope"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(!cli.config.0.join("profiles.toml").exists());

        // Two profiles: the operator's and the customer's.
        cli.ok(&[
            "login",
            "--endpoint",
            &base,
            "--token",
            &op,
            "--profile",
            "ops",
        ]);
        cli.ok(&["login", "--endpoint", &base, "--token", &tenant.rw]);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cli.config.0.join("profiles.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the profile file is private");

        let drive = cli.json(&[
            "drive",
            "create",
            "--project",
            "main",
            "--name",
            "data",
            "--size-bytes",
            "1073741824",
        ]);
        assert_eq!(drive["name"], "data");
        assert_eq!(drive["size_bytes"], 1073741824_u64);
        for i in 0..3 {
            cli.ok(&[
                "drive",
                "create",
                "--project",
                "main",
                "--name",
                &format!("extra-{i}"),
                "--size-bytes",
                "1048576",
            ]);
        }
        let list = cli.json(&["drive", "list", "--project", "main"]);
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["data", "extra-0", "extra-1", "extra-2"]);
        let table = cli.ok(&["drive", "list", "--project", "main"]);
        assert!(
            table.contains("NAME") && table.contains("extra-2"),
            "{table}"
        );

        // The friendly instance form and waiting for a state.
        let instance = cli.json(&[
            "instance",
            "create",
            "web-1",
            "--project",
            "main",
            "--memory",
            "256M",
            "--vcpus",
            "2",
            "--image",
            "tiny",
            "--disk",
            "64M",
            "--no-start",
        ]);
        assert_eq!(instance["memory_mib"], 256);
        assert_eq!(instance["vcpus"], 2);
        cli.ok(&[
            "wait",
            "instance",
            "web-1",
            "--project",
            "main",
            "--state",
            "stopped",
            "--timeout",
            "30",
        ]);
        let out = cli.run(&[
            "wait",
            "instance",
            "web-1",
            "--project",
            "main",
            "--state",
            "running",
            "--timeout",
            "1",
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("timed out"));

        // Boot it and follow its console until the guest says it is ready.
        cli.ok(&[
            "instance",
            "start",
            "--project",
            "main",
            "--instance",
            "web-1",
        ]);
        cli.ok(&[
            "wait",
            "instance",
            "web-1",
            "--project",
            "main",
            "--state",
            "running",
            "--timeout",
            "60",
        ]);
        let mut follow = cli
            .command(&[
                "instance",
                "serial",
                "web-1",
                "--project",
                "main",
                "--follow",
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines =
            std::io::BufRead::lines(std::io::BufReader::new(follow.stdout.take().unwrap()));
        let ready = lines
            .find_map(|l| l.ok().filter(|l| l.starts_with("OVERCAST-READY")))
            .expect("the console shows the readiness marker");
        follow.kill().unwrap();
        follow.wait().unwrap();
        assert!(ready.contains("hostname=web-1"), "{ready}");
        let log = cli.ok(&["instance", "serial", "web-1", "--project", "main"]);
        assert!(log.contains("OVERCAST-READY hostname=web-1"), "{log}");
        cli.ok(&[
            "instance",
            "stop",
            "--project",
            "main",
            "--instance",
            "web-1",
        ]);
        cli.ok(&[
            "wait",
            "instance",
            "web-1",
            "--project",
            "main",
            "--state",
            "stopped",
            "--timeout",
            "60",
        ]);
        let out = cli.run(&[
            "instance",
            "create",
            "web-2",
            "--project",
            "main",
            "--memory",
            "lots",
            "--image",
            "x",
        ]);
        assert_eq!(out.status.code(), Some(1));

        // API errors: nonzero exit, message, error code and request id.
        let out = cli.run(&[
            "drive",
            "delete",
            "--project",
            "main",
            "--drive",
            "web-1-boot",
        ]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("in_use") && stderr.contains("request "),
            "{stderr}"
        );
        cli.ok(&[
            "instance",
            "delete",
            "--project",
            "main",
            "--instance",
            "web-1",
        ]);
        cli.ok(&["drive", "delete", "--project", "main", "--drive", "data"]);
        // The quick form's boot drive went with its instance.
        let out = cli.run(&["drive", "get", "--project", "main", "--drive", "web-1-boot"]);
        assert!(String::from_utf8_lossy(&out.stderr).contains("not_found"));
        let out = cli.run(&["drive", "get", "--project", "main", "--drive", "data"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not_found"));

        // The other profile is the operator.
        let hosts = cli.json(&["host", "list", "--profile", "ops"]);
        assert_eq!(hosts[0]["name"], "sim-1", "{hosts}");
        let out = cli.run(&["host", "list"]);
        assert!(String::from_utf8_lossy(&out.stderr).contains("forbidden"));

        // The one text endpoint.
        assert!(
            cli.ok(&["metrics"])
                .contains("overcast_http_requests_total")
        );

        // Completion scripts.
        for shell in ["bash", "zsh", "fish"] {
            assert!(cli.ok(&["completion", shell]).contains("overcast"));
        }
    })
    .await
    .unwrap();
    t.stop().await;
}

#[test]
fn every_api_operation_has_a_command() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_overcast"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let doc = serde_json::to_value(overcast_testkit::openapi_document()).unwrap();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            let (noun, verb) = id.rsplit_once('_').unwrap_or((id, ""));
            let noun = noun.replace('_', "-");
            assert!(
                help.contains(&format!("  {noun} ")) || help.contains(&format!("  {noun}\n")),
                "no `{noun}` command for {id}"
            );
            if !verb.is_empty() {
                let sub = std::process::Command::new(env!("CARGO_BIN_EXE_overcast"))
                    .args([&noun, "--help"])
                    .output()
                    .unwrap();
                let sub = String::from_utf8(sub.stdout).unwrap();
                assert!(
                    sub.contains(&format!("  {verb} ")) || sub.contains(&format!("  {verb}\n")),
                    "no `{noun} {verb}` command for {id}"
                );
            }
        }
    }
}
