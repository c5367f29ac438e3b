//! `overcast-bench provision`: from `POST /v1/instances` to the `tiny`
//! guest's readiness marker on its serial console, against a raw `virsh
//! create` of the very domain definition hostd made (same disks over iSCSI,
//! same config drive, same libvirtd), booted right after on the same
//! machine. Both are timed the same way: polling the serial log file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use overcast_testkit::{Api, TempDir};
use serde_json::json;

const BOOTS: usize = 10;
const CONCURRENT: usize = 10;

struct Host {
    dir: PathBuf,
    uri: String,
    scratch: PathBuf,
}

impl Host {
    fn virsh(&self, args: &[&str]) -> Result<String> {
        let out = Command::new("virsh")
            .args(["-c", &self.uri])
            .args(args)
            .output()
            .context("running virsh")?;
        if !out.status.success() {
            bail!(
                "virsh {args:?}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn serial_log(&self, id: &str) -> PathBuf {
        self.dir.join("instances").join(id).join("serial.log")
    }

    /// The instance's domain XML, renamed and logging elsewhere, for a raw
    /// boot of the same guest.
    fn raw_definition(&self, id: &str, name: &str) -> Result<(PathBuf, PathBuf)> {
        let xml = self.virsh(&["dumpxml", &format!("instance-{id}")])?;
        let log = self.scratch.join(format!("{name}.log"));
        let _ = std::fs::remove_file(&log);
        let mut out = String::new();
        for line in xml.lines() {
            let t = line.trim_start();
            if t.starts_with("<uuid>") {
                continue;
            }
            if t.starts_with("<name>") {
                out.push_str(&format!("  <name>{name}</name>\n"));
                continue;
            }
            out.push_str(&line.replace(
                &self.serial_log(id).display().to_string(),
                &log.display().to_string(),
            ));
            out.push('\n');
        }
        let file = self.scratch.join(format!("{name}.xml"));
        std::fs::write(&file, out)?;
        Ok((file, log))
    }
}

/// Wait for the readiness marker in a serial log; the time it appeared.
async fn ready(log: &Path) -> Result<Instant> {
    let started = Instant::now();
    loop {
        if std::fs::read(log).is_ok_and(|b| b.windows(14).any(|w| w == b"OVERCAST-READY")) {
            return Ok(Instant::now());
        }
        if started.elapsed() > Duration::from_secs(180) {
            bail!("no readiness marker in {} after 180 s", log.display());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn create(api: &Api, token: &str, name: &str) -> Result<String> {
    let r = api
        .post(
            "/v1/instances?project=main",
            token,
            json!({"name": name, "image": "tiny", "vcpus": 1, "memory_mib": 256}),
        )
        .await;
    if r.status != 201 {
        bail!("creating {name}: {} {}", r.status, r.body);
    }
    Ok(r.body["id"].as_str().context("an id")?.to_string())
}

async fn stop_and_delete(api: &Api, token: &str, id: &str, name: &str) -> Result<()> {
    let path = format!("/v1/instances/{id}");
    api.post(&format!("{path}/stop"), token, json!({})).await;
    api.wait_state(&path, token, "stopped").await;
    let r = api.delete(&path, token).await;
    if r.status != 204 {
        bail!("deleting {name}: {} {}", r.status, r.body);
    }
    // The quick form's boot drive goes with its instance.
    let r = api
        .get(&format!("/v1/drives/{name}-boot?project=main"), token)
        .await;
    if r.status != 404 {
        bail!("{name}-boot outlived its instance: {} {}", r.status, r.body);
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(api: &Api, host: &Host) -> Result<()> {
    api.wait_for_host().await?;
    let tenant = api.tenant("bench").await;
    let token = tenant.rw.as_str();

    // One at a time: the API boot, then the raw boot of the same definition.
    let mut api_ms = Vec::new();
    let mut raw_ms = Vec::new();
    for i in 0..=BOOTS {
        let name = format!("seq-{i}");
        let t0 = Instant::now();
        let id = create(api, token, &name).await?;
        let t1 = ready(&host.serial_log(&id)).await?;
        let (xml, log) = host.raw_definition(&id, &format!("raw-{i}"))?;
        let path = format!("/v1/instances/{id}");
        api.post(&format!("{path}/stop"), token, json!({})).await;
        api.wait_state(&path, token, "stopped").await;
        let r0 = Instant::now();
        host.virsh(&["create", &xml.display().to_string()])?;
        let r1 = ready(&log).await?;
        host.virsh(&["destroy", &format!("raw-{i}")])?;
        stop_and_delete(api, token, &id, &name).await?;
        // The first boot warms caches for both; it is not counted.
        if i > 0 {
            api_ms.push(ms(t1 - t0));
            raw_ms.push(ms(r1 - r0));
        }
        eprintln!(
            "boot {i}: API {:.0} ms, raw virsh create {:.0} ms",
            ms(t1 - t0),
            ms(r1 - r0)
        );
    }

    // Ten at once.
    let t0 = Instant::now();
    let ids = futures::future::try_join_all(
        (0..CONCURRENT).map(|i| async move { create(api, token, &format!("par-{i}")).await }),
    )
    .await?;
    futures::future::try_join_all(ids.iter().map(|id| ready_owned(host.serial_log(id)))).await?;
    let api_total = t0.elapsed();
    let mut raws = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        raws.push(host.raw_definition(id, &format!("rawpar-{i}"))?);
    }
    for id in &ids {
        let path = format!("/v1/instances/{id}");
        api.post(&format!("{path}/stop"), token, json!({})).await;
    }
    for id in &ids {
        api.wait_state(&format!("/v1/instances/{id}"), token, "stopped")
            .await;
    }
    let r0 = Instant::now();
    let creates: Vec<std::process::Child> = raws
        .iter()
        .map(|(xml, _)| {
            Command::new("virsh")
                .args(["-c", &host.uri, "create"])
                .arg(xml)
                .stdout(std::process::Stdio::null())
                .spawn()
        })
        .collect::<std::io::Result<_>>()?;
    futures::future::try_join_all(raws.iter().map(|(_, log)| ready_owned(log.clone()))).await?;
    let raw_total = r0.elapsed();
    for mut c in creates {
        c.wait()?;
    }
    for i in 0..CONCURRENT {
        host.virsh(&["destroy", &format!("rawpar-{i}")])?;
    }
    for (i, id) in ids.iter().enumerate() {
        stop_and_delete(api, token, id, &format!("par-{i}")).await?;
    }

    let mut overhead: Vec<f64> = api_ms.iter().zip(&raw_ms).map(|(a, r)| a - r).collect();
    let mut a = api_ms.clone();
    let mut r = raw_ms.clone();
    for v in [&mut a, &mut r, &mut overhead] {
        v.sort_by(f64::total_cmp);
    }
    let ratio = percentile(&a, 0.5) / percentile(&r, 0.5);
    println!();
    println!(
        "== cargo xtask bench provision: tiny under TCG, {BOOTS} boots one at a time, then {CONCURRENT} at once =="
    );
    println!(
        "{:<44} p50 {:>7.0} ms   p90 {:>7.0} ms",
        "POST /v1/instances -> OVERCAST-READY",
        percentile(&a, 0.5),
        percentile(&a, 0.9)
    );
    println!(
        "{:<44} p50 {:>7.0} ms   p90 {:>7.0} ms",
        "raw virsh create -> OVERCAST-READY",
        percentile(&r, 0.5),
        percentile(&r, 0.9)
    );
    println!(
        "{:<44} p50 {:>7.0} ms   p90 {:>7.0} ms",
        "overhead (API - raw, per boot)",
        percentile(&overhead, 0.5),
        percentile(&overhead, 0.9)
    );
    println!(
        "ratio (p50 API / p50 raw) = {ratio:.3} (target <= 1.15): {}; p50 overhead {:.0} ms (target <= 300 ms): {}",
        super::verdict(ratio <= 1.15),
        percentile(&overhead, 0.5),
        super::verdict(percentile(&overhead, 0.5) <= 300.0)
    );
    println!(
        "{CONCURRENT} concurrent creates: API {:.0} ms vs {CONCURRENT} parallel raw virsh create {:.0} ms -> ratio {:.3}",
        ms(api_total),
        ms(raw_total),
        api_total.as_secs_f64() / raw_total.as_secs_f64()
    );
    Ok(())
}

async fn ready_owned(log: PathBuf) -> Result<Instant> {
    ready(&log).await
}

pub fn bench(rt: &tokio::runtime::Runtime) -> Result<()> {
    let data = TempDir::new("overcast-bench-provision")?;
    let scratch = TempDir::new("overcast-bench-raw")?;
    let mut config = super::all_in_one_config(&data)?;
    // Ten 1-vCPU guests on a small machine.
    config.cpu_allocation_ratio = 16.0;
    let (server, server_rt) = super::start_server(config)?;
    let local = server.local_host.as_ref().context("the local host")?;
    let (hostd, state_dir) = (local.hostd.clone(), local.state_dir.clone());
    let host = Host {
        uri: format!(
            "qemu:///system?socket={}",
            state_dir.join("daemons/run/libvirt-sock").display()
        ),
        dir: state_dir.clone(),
        scratch: scratch.0.clone(),
    };
    let api = Api::new(format!("http://{}", server.addr), super::read_token(&data)?)?;
    let outcome = rt.block_on(run(&api, &host));
    server_rt.block_on(server.stop())?;
    server_rt.shutdown_background();
    overcast_testkit::teardown_host(&hostd, &state_dir);
    outcome
}
