//! Overcast's benchmarks, each against a baseline run side by side on the
//! same machine: `api` (throughput and latency against PostgreSQL, beside
//! pgbench on the same database server, and the same figures on SQLite),
//! `iscsi` (qemu-img bench through tgt against the backing file) and
//! `provision` (API call to guest readiness, beside raw `virsh create`),
//! `terraform` (the provider's refresh, beside the same GETs made directly)
//! `failover` (a host killed to its HA instance's readiness elsewhere,
//! beside a raw boot of the same domain) and `storage` (writes to local and
//! replicated drives beside the raw disk, clone against copy, recovery, and
//! failover on replicated drives), `fleet` (a replica killed under a
//! host's session, then heartbeats of simulated hosts into three replicas;
//! the first part alone is `replica-failover`) and `placement` (placement and lists at 10,000
//! hosts and 100,000 instances).

use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use overcast_testkit::{Api as Api2, Backend, Config, PgCluster, Server, TempDir};

mod failover;
mod fleet;
mod floor;
mod placement;
mod provision;
mod replica_failover;
mod storage;
mod terraform;
use serde_json::{Value, json};

const CLIENTS: usize = 32;
const PHASE: Duration = Duration::from_secs(10);
const WARMUP: Duration = Duration::from_secs(2);

struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

/// Run pgbench against the `bench` database; its standard output.
fn pgbench(cluster: &PgCluster, args: &[&str]) -> Result<String> {
    let pgbench = cluster.bin.join("pgbench");
    let out = Command::new(&pgbench)
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &cluster.port.to_string(),
            "-U",
            "postgres",
        ])
        .args(args)
        .arg("bench")
        .output()
        .with_context(|| format!("running {}", pgbench.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "pgbench {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(text.into_owned())
}

/// pgbench's throughput figure.
fn pgbench_tps(cluster: &PgCluster, args: &[&str]) -> Result<f64> {
    let text = pgbench(cluster, args)?;
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("no tps in pgbench output:\n{text}"))
}

/// wrk's Lua hook for writes: each request's body gets a unique name from a
/// per-thread counter. Reads take no script: wrk then sends the one request
/// it built at the start, where a `request` hook costs a Lua call and a
/// string built per request, on the two cores the server also runs on.
const WRK_SCRIPT: &str = r#"
local counter = 0
local thread_id = 0
local run = tostring(os.time()) .. tostring(math.random(1000000))
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  thread_id = id
end
request = function()
  counter = counter + 1
  local body = string.format('{"name":"p%s-%d-%d"}', run, thread_id, counter)
  return wrk.format(nil, nil, nil, body)
end
"#;

/// Load `url` with wrk: `CLIENTS` connections on 2 threads for `PHASE`
/// after a warm-up run.
fn wrk(api: &Api, method: &str, path: &str) -> Result<Figures> {
    wrk_at(&api.base, &api.token, method, path)
}

/// [`wrk`] against any base URL, with `token` as the bearer; `GET` or `POST`.
fn wrk_at(base: &str, token: &str, method: &str, path: &str) -> Result<Figures> {
    let script = std::env::temp_dir().join(format!("overcast-bench-{}.lua", std::process::id()));
    let write = match method {
        "GET" => false,
        "POST" => true,
        other => bail!("wrk_at sends GET or POST, not {other}"),
    };
    if write {
        // wrk takes the method from the script.
        std::fs::write(&script, format!("wrk.method = \"{method}\"\n{WRK_SCRIPT}"))?;
    }
    let run = |duration: Duration| -> Result<String> {
        let mut wrk = Command::new("wrk");
        wrk.args(["-t", "2", "-c", &CLIENTS.to_string(), "--latency"])
            .arg("-d")
            .arg(format!("{}s", duration.as_secs()));
        if write {
            wrk.arg("-s").arg(&script);
        }
        let out = wrk
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["-H", "Content-Type: application/json"])
            .arg(format!("{base}{path}"))
            .output()
            .context("running wrk (run `cargo xtask setup`)")?;
        if !out.status.success() {
            bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    run(WARMUP)?;
    let text = run(PHASE)?;
    let _ = std::fs::remove_file(&script);
    let field = |prefix: &str| -> Result<String> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().last())
            .map(str::to_string)
            .with_context(|| format!("no `{prefix}` in wrk output:\n{text}"))
    };
    let ms = |v: String| -> Result<f64> {
        let (num, unit) = v.split_at(v.find(|c: char| c.is_alphabetic()).unwrap_or(v.len()));
        let n: f64 = num.parse()?;
        Ok(match unit {
            "us" => n / 1000.0,
            "ms" => n,
            "s" => n * 1000.0,
            other => bail!("unknown wrk unit {other}"),
        })
    };
    let errors = text
        .lines()
        .find(|l| l.contains("Non-2xx or 3xx responses"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Ok(Figures {
        rps: field("Requests/sec:")?.parse()?,
        p50_ms: ms(field("50%")?)?,
        p99_ms: ms(field("99%")?)?,
        errors,
    })
}

struct Api {
    base: String,
    token: String,
    drive_id: String,
}

async fn prepare(server: &Server, data: &TempDir) -> Result<Api> {
    let http = reqwest::Client::new();
    let base = format!("http://{}", server.addr);
    let op = std::fs::read_to_string(data.0.join("operator.token"))?
        .trim()
        .to_string();
    let post = |path: &str, token: &str, body: Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let account: Value = post("/v1/accounts", &op, json!({"name": "bench"}))
        .await?
        .json()
        .await?;
    let token: Value = post(
        "/v1/tokens",
        &op,
        json!({"scope": "account_read_write", "account": account["id"]}),
    )
    .await?
    .json()
    .await?;
    let token = token["secret"]
        .as_str()
        .context("token secret")?
        .to_string();
    post("/v1/projects", &token, json!({"name": "main"})).await?;
    let drive: Value = post(
        "/v1/drives?project=main",
        &token,
        json!({"name": "data", "size_bytes": 1073741824_u64}),
    )
    .await?
    .json()
    .await?;
    Ok(Api {
        base,
        token,
        drive_id: drive["id"].as_str().context("drive id")?.to_string(),
    })
}

fn api_figures(api: &Api) -> Result<(Figures, Figures)> {
    let get = wrk(api, "GET", &format!("/v1/drives/{}", api.drive_id))?;
    let create = wrk(api, "POST", "/v1/projects")?;
    Ok((get, create))
}

/// An all-in-one server on port 0: a local host (TCG guests) and the
/// system images, as `cargo xtask run` brings up.
fn all_in_one_config(data: &TempDir) -> Result<Config> {
    let mut config = Config::new(&data.0);
    config.listen = "127.0.0.1:0".parse()?;
    config.internal_listen = "127.0.0.1:0".parse()?;
    config.all_in_one = true;
    config.accelerator = "tcg".into();
    config.images_dir = overcast_testkit::images_dir();
    Ok(config)
}

fn read_token(data: &TempDir) -> Result<String> {
    Ok(std::fs::read_to_string(data.0.join("operator.token"))?
        .trim()
        .to_string())
}

/// Run the server on its own runtime, as it would run in its own process.
fn start_server(config: Config) -> Result<(Server, tokio::runtime::Runtime)> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let server = rt.block_on(Server::start(config))?;
    Ok((server, rt))
}

fn row(name: &str, f: &Figures) {
    println!(
        "{name:<36} {:>10.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   errors {}",
        f.rps, f.p50_ms, f.p99_ms, f.errors
    );
}

fn verdict(ok: bool) -> &'static str {
    if ok { "meets target" } else { "BELOW TARGET" }
}

/// Clients run on `rt`; each server on a runtime of its own.
fn bench_api(rt: &tokio::runtime::Runtime) -> Result<()> {
    println!("starting PostgreSQL...");
    let cluster = PgCluster::start()?;
    {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        let mut c = diesel::PgConnection::establish(&cluster.url("postgres"))?;
        c.batch_execute("CREATE DATABASE bench")?;
        c.batch_execute("CREATE DATABASE overcast")?;
    }
    let clients = CLIENTS.to_string();
    let secs = PHASE.as_secs().to_string();
    println!("pgbench: initialising scale 10...");
    pgbench(&cluster, &["-i", "-q", "-s", "10"])?;
    let run = [
        "-c",
        clients.as_str(),
        "-j",
        "2",
        "-T",
        secs.as_str(),
        "-M",
        "prepared",
    ];
    let select = || pgbench_tps(&cluster, &[&run[..], &["-S"]].concat());
    let update = || pgbench_tps(&cluster, &[&run[..], &["-N"]].concat());
    println!("floors: axum with tokio-postgres, and with diesel/r2d2...");
    let mut floors = Vec::new();
    for (label, start) in [
        (
            "floor: axum + tokio-postgres",
            floor::start_async as fn(&str) -> Result<floor::Floor>,
        ),
        ("floor: axum + diesel/r2d2 (sync)", floor::start_sync),
    ] {
        let server = start(&cluster.url("bench"))?;
        let figures = wrk_at(&server.base, "-", "GET", "/")?;
        server.stop();
        floors.push((label, figures));
    }

    // PostgreSQL: each API phase right after its pgbench baseline, for
    // ROUNDS rounds, so that a change in the machine's speed (it shares its
    // host) moves both sides of a ratio; the verdict takes the median ratio
    // and the worst p99.
    let mut rounds = Vec::new();
    let mut sqlite = None;
    for backend in [Backend::Postgres, Backend::Sqlite] {
        let data = TempDir::new("overcast-bench")?;
        let mut config = all_in_one_config(&data)?;
        if backend == Backend::Postgres {
            config.database = Some(cluster.url("overcast"));
        }
        let (server, server_rt) = start_server(config)?;
        let host = server
            .local_host
            .as_ref()
            .map(|h| (h.hostd.clone(), h.state_dir.clone()));
        let api = rt.block_on(async {
            Api2::new(format!("http://{}", server.addr), read_token(&data)?)?
                .wait_for_host()
                .await?;
            prepare(&server, &data).await
        })?;
        let label = format!("{backend:?}").to_lowercase();
        println!(
            "API on {label}: {CLIENTS} clients, {}s per phase...",
            PHASE.as_secs()
        );
        if backend == Backend::Postgres {
            for _ in 0..ROUNDS {
                let select_tps = select()?;
                let get = wrk(&api, "GET", &format!("/v1/drives/{}", api.drive_id))?;
                let update_tps = update()?;
                let create = wrk(&api, "POST", "/v1/projects")?;
                rounds.push(Round {
                    select_tps,
                    get,
                    update_tps,
                    create,
                });
            }
        } else {
            sqlite = Some(api_figures(&api)?);
        }
        server_rt.block_on(server.stop())?;
        server_rt.shutdown_background();
        if let Some((hostd, state)) = host {
            overcast_testkit::teardown_host(&hostd, &state);
        }
    }

    println!();
    println!(
        "== cargo xtask bench api: {CLIENTS} concurrent clients, {}s per phase, same machine ==",
        PHASE.as_secs()
    );
    for (i, r) in rounds.iter().enumerate() {
        println!("round {} of {ROUNDS} on postgres:", i + 1);
        println!(
            "  {:<34} {:>10.0} tps",
            "pgbench -S (select only)", r.select_tps
        );
        row("  GET /v1/drives/{id}", &r.get);
        println!(
            "  {:<34} {:>10.0} tps",
            "pgbench -N (simple update)", r.update_tps
        );
        row("  POST /v1/projects", &r.create);
        println!(
            "  GET / pgbench -S = {:.2}x; create / pgbench -N = {:.2}x",
            r.get.rps / r.select_tps,
            r.create.rps / r.update_tps
        );
    }
    let (sqlite_get, sqlite_create) = sqlite.context("the SQLite phase ran")?;
    row("GET /v1/drives/{id} [sqlite]", &sqlite_get);
    row("POST /v1/projects [sqlite]", &sqlite_create);
    for (label, figures) in &floors {
        row(label, figures);
    }
    let select_tps = median(rounds.iter().map(|r| r.select_tps).collect());
    let get_ratio = median(rounds.iter().map(|r| r.get.rps / r.select_tps).collect());
    let create_ratio = median(rounds.iter().map(|r| r.create.rps / r.update_tps).collect());
    let worst = |p99: fn(&Round) -> f64| rounds.iter().map(p99).fold(0.0, f64::max);
    let (get_p99, create_p99) = (worst(|r| r.get.p99_ms), worst(|r| r.create.p99_ms));
    println!();
    println!(
        "floors / median pgbench -S  = {:.2}x async, {:.2}x sync",
        floors[0].1.rps / select_tps,
        floors[1].1.rps / select_tps,
    );
    println!(
        "GET-by-id / pgbench -S      = {get_ratio:.2}x median of {ROUNDS} (target >= 0.5x), worst p99 {get_p99:.2} ms (target < 10 ms): {}",
        verdict(get_ratio >= 0.5 && get_p99 < 10.0)
    );
    println!(
        "create    / pgbench -N      = {create_ratio:.2}x median of {ROUNDS} (target >= 0.3x), worst p99 {create_p99:.2} ms (target < 50 ms): {}",
        verdict(create_ratio >= 0.3 && create_p99 < 50.0)
    );
    Ok(())
}

/// One round of the PostgreSQL phases: each API figure after its baseline.
struct Round {
    select_tps: f64,
    get: Figures,
    update_tps: f64,
    create: Figures,
}

/// How many rounds of baseline and API phases `bench api` runs.
const ROUNDS: usize = 3;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One `qemu-img bench` read run: seconds taken.
fn qemu_img_bench(
    target: &str,
    cache: &str,
    size: &str,
    step: &str,
    count: u32,
    depth: u32,
) -> Result<f64> {
    let start = std::time::Instant::now();
    let out = Command::new("qemu-img")
        .args(["bench", "-f", "raw", "-t", cache, "-s", size, "-S", step])
        .args(["-c", &count.to_string(), "-d", &depth.to_string()])
        .arg(target)
        .output()
        .context(
            "running qemu-img (install qemu-utils and qemu-block-extra with `cargo xtask setup`)",
        )?;
    if !out.status.success() {
        bail!(
            "qemu-img bench {target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(start.elapsed().as_secs_f64())
}

/// The median of five runs.
fn median_of_five(mut run: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut times = (0..5).map(|_| run()).collect::<Result<Vec<f64>>>()?;
    times.sort_by(f64::total_cmp);
    Ok(times[2])
}

/// The iSCSI data path (tgtd + QEMU's libiscsi initiator) against the same
/// backing file read directly, twice: with O_DIRECT (`-t none`, how a guest
/// with a local disk and cache='none' reads) and through the page cache
/// (`-t writeback`, which is how tgtd itself reads its backing file). Both
/// ratios are printed; neither alone is the whole truth.
fn bench_iscsi() -> Result<()> {
    const SIZE_MIB: u64 = 256;
    let dir = TempDir::new("overcast-bench-iscsi")?;
    let mut host = overcast_hostd::daemons::HostDaemons::start(&dir.0.join("daemons"))?;
    let file = dir.0.join("drive.raw");
    let status = Command::new("dd")
        .arg("if=/dev/urandom")
        .arg(format!("of={}", file.display()))
        .args(["bs=1M", &format!("count={SIZE_MIB}"), "status=none"])
        .status()?;
    anyhow::ensure!(status.success(), "dd failed");
    let drive = uuid::Uuid::new_v4();
    // Logged in with CHAP, as every guest is.
    let chap = overcast_hostd::tgt::Chap {
        user: "oc-bench".into(),
        secret: "bench-secret-0123456789".into(),
    };
    let export = host
        .tgt
        .ensure_export(&drive, &file, &["127.0.0.1".to_string()], &chap)?;
    let iscsi = format!(
        "iscsi://{}%{}@127.0.0.1:{}/{}/1",
        chap.user, chap.secret, host.portal_port, export.iqn
    );
    let direct = file.display().to_string();
    // Sequential: 1 MiB reads, 4 in flight. Scattered: 4 KiB reads, 16 in
    // flight, each 254 pages past the last (qemu-img bench wraps at the end).
    let seq_count = 1024;
    let rnd_count = 20000;
    let mut rows = Vec::new();
    for (label, size, step, count, depth) in [
        ("sequential 1 MiB", "1M", "1M", seq_count, 4),
        ("scattered 4 KiB", "4K", "1040384", rnd_count, 16),
    ] {
        let iscsi_s = median_of_five(|| qemu_img_bench(&iscsi, "none", size, step, count, depth))?;
        for cache in ["none", "writeback"] {
            let file_s =
                median_of_five(|| qemu_img_bench(&direct, cache, size, step, count, depth))?;
            rows.push((label, cache, count, file_s, iscsi_s));
        }
    }
    host.tgt.remove_export(&drive)?;
    host.stop();
    println!();
    println!(
        "== cargo xtask bench iscsi: qemu-img bench reads, median of 5, same file, same machine =="
    );
    for (label, cache, count, file_s, iscsi_s) in &rows {
        let ratio = file_s / iscsi_s;
        let (unit, f, i) = if label.starts_with("seq") {
            ("MiB/s", *count as f64 / file_s, *count as f64 / iscsi_s)
        } else {
            ("IOPS", *count as f64 / file_s, *count as f64 / iscsi_s)
        };
        let target = if label.starts_with("seq") { 0.8 } else { 0.5 };
        println!(
            "{label:<18} file (-t {cache:<9}) {f:>9.0} {unit}   iscsi {i:>9.0} {unit}   ratio {ratio:.2} (target >= {target}): {}",
            verdict(ratio >= target)
        );
    }
    Ok(())
}

/// The allocator `overcast-server` runs with, for the servers started here.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    let which = std::env::args().nth(1).unwrap_or_default();
    // The servers started in this process log as `overcast-server` does, a
    // line per request (their cost is part of what is measured), to a file.
    let log = std::env::temp_dir().join("overcast-bench.log");
    let _log = overcast_server::logging::init(std::fs::File::create(&log)?, false);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match which.as_str() {
        "api" => bench_api(&rt),
        "iscsi" => bench_iscsi(),
        "provision" => provision::bench(&rt),
        "terraform" => terraform::bench(&rt),
        "failover" => failover::bench(&rt),
        "storage" => storage::bench(&rt),
        "fleet" => replica_failover::bench(&rt).and_then(|()| fleet::bench(&rt)),
        "replica-failover" => replica_failover::bench(&rt),
        "placement" => placement::bench(&rt),
        other => bail!(
            "unknown benchmark `{other}`; available: api, iscsi, provision, terraform, failover, \
             storage, fleet, replica-failover, placement"
        ),
    }
}
