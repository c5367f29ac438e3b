//! `overcast-cluster`: the cluster harness as a command (what `cargo xtask
//! cluster` runs). `up --hosts N [--ceph]` starts a server and N hosts, each
//! in its own namespaces and cgroup (with `--ceph`, a Ceph monitor and OSD
//! on each, and a manager), and leaves them running; `status` shows the
//! hosts as the API sees them; `down` removes everything `up` made. The
//! cluster's files live in `--dir` (default `target/cluster`).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use overcast_testkit::cluster::{Cluster, ClusterConfig};

const USAGE: &str = "usage: overcast-cluster (up [--hosts N] [--ceph] | status | down) [--dir DIR]";

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut hosts = 3;
    let mut ceph = false;
    let mut dir = PathBuf::from("target/cluster");
    let mut action = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--hosts" => hosts = it.next().context(USAGE)?.parse().context(USAGE)?,
            "--dir" => dir = it.next().context(USAGE)?.into(),
            "--ceph" => ceph = true,
            "up" | "down" | "status" => action = Some(a.clone()),
            _ => bail!("{USAGE}"),
        }
    }
    match action.as_deref() {
        Some("up") => {
            if dir.join("cluster.json").exists() {
                bail!(
                    "a cluster is already up in {}: take it down first",
                    dir.display()
                );
            }
            let mut config = ClusterConfig::new(hosts);
            config.dir = dir;
            config.ceph = ceph;
            let cluster = Cluster::start(config).await?;
            println!(
                "cluster {} is up: API {} (operator token in {}), internal API {}",
                cluster.id,
                cluster.api.base,
                cluster.dir.join("server/operator.token").display(),
                cluster.internal_url()
            );
            if cluster.ceph {
                println!(
                    "  ceph: `ceph -c {}` (admin keyring beside it)",
                    cluster.ceph_conf().display()
                );
            }
            for h in &cluster.hosts {
                println!(
                    "  {} at {} (netns {}, log {})",
                    h.name,
                    h.address,
                    h.netns,
                    h.dir.join("hostd.log").display()
                );
            }
            cluster.detach();
            Ok(())
        }
        Some("status") => {
            let cluster = Cluster::load(&dir)?;
            let r = cluster
                .api
                .get("/v1/hosts", &cluster.api.operator_token)
                .await;
            for h in r.body["items"].as_array().into_iter().flatten() {
                println!("{} {} {}", h["name"], h["address"], h["state"]);
            }
            Ok(())
        }
        Some("down") => {
            let cluster = Cluster::load(&dir)?;
            let id = cluster.id.clone();
            cluster.down()?;
            println!("cluster {id} is down");
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}
