//! `bench terraform`: the provider's overhead per resource. A real
//! Terraform refreshes 200 metadata-only resources (SSH keys, IP addresses,
//! drives without instances) with `plan -parallelism=10`; beside it, the
//! same 200 GETs go straight to the API, 10 at a time. Terraform's and the
//! provider's fixed start-up is measured apart, with a plan of no
//! resources, and left out of the per-resource figure.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use overcast_testkit::{Backend, TempDir, TestServer};
use serde_json::json;

const RESOURCES: usize = 200;
const PARALLELISM: usize = 10;
const ROUNDS: usize = 5;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Terraform {
    dir: PathBuf,
    env: Vec<(String, String)>,
}

impl Terraform {
    fn run(&self, args: &[&str]) -> Result<Duration> {
        let bin = root().join("target/venv/bin/terraform");
        ensure!(
            bin.exists(),
            "Terraform is missing at {}: run `cargo xtask setup`",
            bin.display()
        );
        let started = Instant::now();
        let out = std::process::Command::new(&bin)
            .args(args)
            .arg("-no-color")
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()?;
        let took = started.elapsed();
        // plan -detailed-exitcode: 0 is "no changes", anything else is wrong.
        if !out.status.success() {
            bail!(
                "terraform {args:?} failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(took)
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// An SSH public key in the OpenSSH format, distinct per `i`.
fn ssh_key(i: usize) -> String {
    use base64::Engine as _;
    let mut blob = Vec::new();
    blob.extend_from_slice(&11u32.to_be_bytes());
    blob.extend_from_slice(b"ssh-ed25519");
    blob.extend_from_slice(&32u32.to_be_bytes());
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    key[8] = 0x5a;
    blob.extend_from_slice(&key);
    format!(
        "ssh-ed25519 {} bench-{i}",
        base64::engine::general_purpose::STANDARD.encode(blob)
    )
}

pub fn bench(rt: &tokio::runtime::Runtime) -> Result<()> {
    let provider = std::env::var("OVERCAST_TF_PROVIDER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target/release"));
    ensure!(
        provider.join("terraform-provider-overcast").exists(),
        "terraform-provider-overcast is missing from {}: `cargo xtask bench terraform` builds it",
        provider.display()
    );
    let server = rt.block_on(TestServer::start(Backend::Sqlite))?;
    let api = &server.api;
    let tenant = rt.block_on(async {
        api.create(
            "/v1/ip-pools",
            &api.operator_token,
            json!({"name": "public", "first_address": "10.9.0.10", "last_address": "10.9.3.250", "prefix_len": 22, "gateway": "10.9.0.1"}),
        )
        .await;
        api.tenant("bench").await
    });
    let tmp = TempDir::new("overcast-bench-tf")?;
    let keys = RESOURCES / 3;
    let ips = RESOURCES / 3;
    let drives = RESOURCES - keys - ips;
    let key_list: Vec<String> = (0..keys).map(ssh_key).collect();
    let config = format!(
        r#"terraform {{
  required_providers {{
    overcast = {{ source = "registry.terraform.io/overcast/overcast" }}
  }}
}}
provider "overcast" {{
  project = "main"
}}
variable "keys" {{
  type = list(string)
}}
resource "overcast_ssh_key" "k" {{
  count      = length(var.keys)
  name       = "key-${{count.index}}"
  public_key = var.keys[count.index]
}}
resource "overcast_ip_address" "ip" {{
  count = {ips}
  name  = "ip-${{count.index}}"
  pool  = "public"
}}
resource "overcast_drive" "d" {{
  count      = {drives}
  name       = "drive-${{count.index}}"
  size_bytes = 1048576
}}
"#
    );
    let work = tmp.0.join("full");
    let empty = tmp.0.join("empty");
    std::fs::create_dir_all(&work)?;
    std::fs::create_dir_all(&empty)?;
    std::fs::write(work.join("main.tf"), config)?;
    std::fs::write(
        work.join("terraform.tfvars.json"),
        serde_json::to_string(&json!({ "keys": key_list }))?,
    )?;
    std::fs::write(
        empty.join("main.tf"),
        "terraform {\n  required_providers {\n    overcast = { source = \"registry.terraform.io/overcast/overcast\" }\n  }\n}\nprovider \"overcast\" {}\ndata \"overcast_projects\" \"all\" {}\n",
    )?;
    let rc = tmp.0.join("terraformrc");
    std::fs::write(&rc, overcast_testkit::terraform_cli_config(&provider))?;
    let env = vec![
        ("TF_CLI_CONFIG_FILE".to_string(), rc.display().to_string()),
        ("TF_IN_AUTOMATION".into(), "1".into()),
        ("TF_INPUT".into(), "0".into()),
        ("CHECKPOINT_DISABLE".into(), "1".into()),
        ("OVERCAST_ENDPOINT".into(), api.base.clone()),
        ("OVERCAST_TOKEN".into(), tenant.rw.clone()),
    ];
    let tf = Terraform {
        dir: work,
        env: env.clone(),
    };
    let tf_empty = Terraform { dir: empty, env };
    let parallelism = format!("-parallelism={PARALLELISM}");
    println!("creating {RESOURCES} resources with terraform apply {parallelism}...");
    let took = tf.run(&["apply", "-auto-approve", &parallelism])?;
    println!(
        "apply of {RESOURCES} resources: {:.1} s",
        took.as_secs_f64()
    );

    // What the refresh reads: every resource by id.
    let mut paths = Vec::new();
    rt.block_on(async {
        for collection in ["ssh-keys", "ip-addresses", "drives"] {
            let query = if collection == "ssh-keys" {
                ""
            } else {
                "&project=main"
            };
            let page = api
                .get(&format!("/v1/{collection}?limit=500{query}"), &tenant.rw)
                .await;
            for item in page.body["items"].as_array().into_iter().flatten() {
                paths.push(format!(
                    "/v1/{collection}/{}",
                    item["id"].as_str().unwrap_or_default()
                ));
            }
        }
    });
    ensure!(
        paths.len() == RESOURCES,
        "expected {RESOURCES} resources, found {}",
        paths.len()
    );

    let mut plans = Vec::new();
    let mut no_refresh = Vec::new();
    let mut fixed = Vec::new();
    let mut direct = Vec::new();
    for _ in 0..ROUNDS {
        plans.push(tf.run(&["plan", "-refresh=true", "-detailed-exitcode", &parallelism])?);
        no_refresh.push(tf.run(&["plan", "-refresh=false", "-detailed-exitcode", &parallelism])?);
        fixed.push(tf_empty.run(&["plan", "-detailed-exitcode", &parallelism])?);
        direct.push(rt.block_on(gets(&api.base, &tenant.rw, &paths))?);
    }
    let (plan, no_refresh, fixed, direct) = (
        median(plans),
        median(no_refresh),
        median(fixed),
        median(direct),
    );
    let per = |d: Duration| d.as_secs_f64() * 1000.0 / RESOURCES as f64;
    let overhead = per(plan.saturating_sub(fixed).saturating_sub(direct));
    println!();
    println!(
        "== cargo xtask bench terraform: {RESOURCES} resources, parallelism {PARALLELISM}, median of {ROUNDS} =="
    );
    println!(
        "terraform plan (refresh)        {:>8.0} ms",
        plan.as_secs_f64() * 1000.0
    );
    println!(
        "terraform plan -refresh=false   {:>8.0} ms   (Terraform's own work per resource, and planning)",
        no_refresh.as_secs_f64() * 1000.0
    );
    println!(
        "terraform plan, no resources    {:>8.0} ms   (start-up of Terraform and the provider)",
        fixed.as_secs_f64() * 1000.0
    );
    println!(
        "direct API GETs (baseline)      {:>8.0} ms   ({:.2} ms per resource)",
        direct.as_secs_f64() * 1000.0,
        per(direct)
    );
    println!(
        "provider overhead per resource  {overhead:>8.2} ms   (target <= 2 ms): {}",
        if overhead <= 2.0 {
            "OK"
        } else {
            "ABOVE TARGET"
        }
    );
    rt.block_on(server.stop());
    Ok(())
}

/// GET every path, `PARALLELISM` at a time, as Terraform's refresh does.
async fn gets(base: &str, token: &str, paths: &[String]) -> Result<Duration> {
    let http = reqwest::Client::new();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..PARALLELISM {
        let (http, next, paths) = (http.clone(), next.clone(), paths.to_vec());
        let (base, token) = (base.to_string(), token.to_string());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(path) = paths.get(i) else {
                    return Ok::<_, anyhow::Error>(());
                };
                let r = http
                    .get(format!("{base}{path}"))
                    .bearer_auth(&token)
                    .send()
                    .await?;
                ensure!(r.status().is_success(), "GET {path}: {}", r.status());
                r.bytes().await?;
            }
        }));
    }
    for w in workers {
        w.await.context("a worker panicked")??;
    }
    Ok(started.elapsed())
}
