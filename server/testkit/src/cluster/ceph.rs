//! Ceph on the cluster harness, deployed by hand as Ceph's manual
//! deployment guide does (no cephadm, no containers): a monitor on every
//! host (a single one on host 1 for fewer than three hosts) and one
//! file-backed BlueStore OSD per host, both inside that host's network
//! namespace and cgroup, so killing, freezing or cutting a host takes them
//! with it; a manager beside the server. CRUSH puts each OSD under its
//! host's name, so no two replicas share a host. Everything lives in
//! `<cluster dir>/ceph` and goes with `down`.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::{Cluster, cgroup_pids, pid_running, run, wait_until};

/// The cephx user the server runs as.
pub const SERVER_USER: &str = "client.overcast-server";

/// Its caps, as the README gives them to an operator with an existing
/// cluster: read the maps and status, make and set up Overcast's pools,
/// blocklist (fencing), mark OSDs down, and make each host's user; RBD on
/// Overcast's pools alone.
pub const SERVER_CAPS: [(&str, &str); 3] = [
    (
        "mon",
        "allow r, allow command \"osd pool create\", allow command \"osd pool set\", \
         allow command \"osd pool application enable\", allow command \"osd blocklist\", \
         allow command \"osd down\", \
         allow command \"auth get-or-create-key\" with entity prefix client.overcast-host-",
    ),
    (
        "osd",
        "profile rbd pool=overcast-r2, profile rbd pool=overcast-r3",
    ),
    (
        "mgr",
        "allow r, profile rbd pool=overcast-r2, profile rbd pool=overcast-r3",
    ),
];

/// Each OSD's BlueStore file (sparse unless written in full).
const OSD_BYTES: u64 = 8 << 30;

/// The allocator the Ceph daemons run with. Upstream builds them with
/// tcmalloc; Debian 12's are linked to glibc's malloc, whose 4 MiB buffers
/// are fresh mappings faulted in and zeroed on every message. Preloading
/// tcmalloc took sequential 4 MiB writes with 3 copies from 311 to about
/// 510 MiB/s on this machine (`cargo xtask bench storage`).
const TCMALLOC: &str = "libtcmalloc.so.4";

impl Cluster {
    /// Where Ceph's configuration, keyrings, data and logs are.
    pub fn ceph_dir(&self) -> PathBuf {
        self.dir.join("ceph")
    }

    /// The cluster's `ceph.conf`.
    pub fn ceph_conf(&self) -> PathBuf {
        self.ceph_dir().join("ceph.conf")
    }

    /// The admin keyring (the harness's and the server's alone).
    pub fn ceph_admin_keyring(&self) -> PathBuf {
        self.ceph_dir().join("ceph.client.admin.keyring")
    }

    /// The keyring of the server's own cephx user, which holds the caps
    /// the README lists for an existing cluster ([`SERVER_CAPS`]) and no
    /// more: the server runs as it, not as the admin.
    pub fn ceph_server_keyring(&self) -> PathBuf {
        self.ceph_dir().join("ceph.client.overcast-server.keyring")
    }

    /// The hosts that run a monitor.
    fn mon_hosts(&self) -> Vec<usize> {
        if self.hosts.len() >= 3 {
            (0..self.hosts.len()).collect()
        } else {
            vec![0]
        }
    }

    /// Run the `ceph` CLI as the admin, with JSON output.
    pub fn ceph(&self, args: &[&str]) -> Result<Value> {
        let mut all = vec!["--format", "json"];
        all.extend(args);
        let out = self.ceph_text(&all)?;
        Ok(serde_json::from_str(&out).unwrap_or(Value::Null))
    }

    /// Run the `ceph` CLI as the admin, as it prints by default.
    fn ceph_text(&self, args: &[&str]) -> Result<String> {
        let conf = self.ceph_conf();
        let mut all = vec![
            "-c",
            conf.to_str().context("a UTF-8 path")?,
            "--connect-timeout",
            "10",
        ];
        all.extend(args);
        run("ceph", &all)
    }

    fn write_conf(&self, fsid: &str) -> Result<()> {
        let dir = self.ceph_dir();
        let d = dir.display();
        let mons = self.mon_hosts();
        let names: Vec<&str> = mons.iter().map(|&i| self.hosts[i].name.as_str()).collect();
        let addrs: Vec<String> = mons
            .iter()
            .map(|&i| {
                let a = &self.hosts[i].address;
                format!("[v2:{a}:3300,v1:{a}:6789]")
            })
            .collect();
        // Set on purpose, not Ceph's defaults: a dead OSD is noticed in
        // 6 s (default 20), on the first report of a peer on another host
        // (not two: with three hosts that waited for the slower
        // survivor's next tick, up to a second), the monitors commit the
        // map that marks it down within 0.1 s of deciding (not a batch a
        // second later), and recovery does not sleep between ops on these
        // disks, which report themselves rotational. The monitors' stores
        // sit on the build machine's shared disk, whose free space is not
        // the scenario's to judge: Ceph's default warns below 30% free
        // (MON_DISK_LOW turns health to `warn`, which a CI machine with
        // 9% free did) and stops a monitor below 5%; here a warning comes
        // below 1% and nothing stops.
        //
        // A monitor that dies leaves the quorum in about 6 s: the leader's
        // proposal times out after 2.25 s (lease 1.5 s x 1.5), then the
        // survivors probe (2 s) and elect (2 s; Ceph's default is 5). A
        // dead host is fenced by monitor commands (its OSDs down, its
        // clients blocklisted), which wait for that quorum. A monitor
        // that comes back rejoins it in 1-4 s: its peers retry their
        // connections to its fixed address at least every 2 s (Ceph's
        // backoff grows to 15 s, and the peers had backed off while it was
        // dead: a returning monitor took about 10 s and four elections to
        // rejoin). 1 s probe and election timeouts did not help, so they
        // are not used.
        //
        // These disks report rotational but are not (direct writes to a
        // file here run at about 3.5 GB/s), so BlueStore's HDD settings
        // are replaced where they cost throughput: each I/O no longer
        // counts as 670 kB against the write throttle (the SSD figure,
        // 4 kB), the throttle holds 256 MiB (a QD16 stream of 4 MiB
        // writes is 64 MiB per copy in flight), and a blob may be a whole
        // 4 MiB object. With these and Ceph's debug logs off (level 0
        // still logs errors), sequential 4 MiB writes at QD16 went from
        // 645 to about 810 MiB/s with 2 copies and 430 to about 565 with
        // 3 (2026-12-07, every core busy); more op shards or messenger
        // threads, and xxhash64 checksums, made no difference beyond
        // noise.
        let conf = format!(
            "[global]
fsid = {fsid}
mon_initial_members = {members}
mon_host = {mon_host}
public_network = {subnet}.0/24
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
auth_allow_insecure_global_id_reclaim = false
ms_bind_ipv6 = false
osd_pool_default_size = 3
osd_pool_default_min_size = 2
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 1
mon_allow_pool_delete = true
mon_data_avail_warn = 1
mon_data_avail_crit = 0
mon_warn_on_pool_no_redundancy = false
osd_heartbeat_grace = 6
mon_osd_adjust_heartbeat_grace = false
mon_lease = 1.5
mon_lease_ack_timeout_factor = 1.5
mon_accept_timeout_factor = 1.5
mon_election_timeout = 2
ms_max_backoff = 2
paxos_propose_interval = 0.1
mon_osd_min_down_reporters = 1
mon_client_ping_interval = 1
mon_client_ping_timeout = 3
mon_client_hunt_interval = 1
osd_heartbeat_interval = 1
mon_osd_down_out_interval = 30
osd_recovery_sleep_hdd = 0
bluestore_throttle_cost_per_io_hdd = 4000
bluestore_throttle_bytes = 268435456
bluestore_throttle_deferred_bytes = 536870912
bluestore_max_blob_size_hdd = 4194304
debug_ms = 0/0
debug_osd = 0/0
debug_bluestore = 0/0
debug_bluefs = 0/0
debug_rocksdb = 0/0
debug_bdev = 0/0
debug_rbd = 0/0
debug_objecter = 0/0
debug_monc = 0/0
debug_auth = 0/0
debug_throttle = 0/0
debug_finisher = 0/0
debug_heartbeatmap = 0/0
osd_memory_target = 939524096
run_dir = {d}/run
admin_socket = {d}/run/$cluster-$name.asok
log_file = {d}/log/$cluster-$name.log
keyring = {d}/$cluster.$name.keyring

[mon]
mon_data = {d}/mon/$cluster-$id
keyring = {d}/mon/$cluster-$id/keyring

[mgr]
mgr_data = {d}/mgr/$cluster-$id
keyring = {d}/mgr/$cluster-$id/keyring

[osd]
osd_data = {d}/osd/$cluster-$id
keyring = {d}/osd/$cluster-$id/keyring
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = {OSD_BYTES}
",
            members = names.join(", "),
            mon_host = addrs.join(","),
            subnet = self.subnet,
        );
        std::fs::write(self.ceph_conf(), conf)?;
        Ok(())
    }

    /// Make the Ceph cluster: keys, monitor map, monitors, manager and one
    /// OSD per host; then wait until every placement group is
    /// active+clean. The hosts' namespaces and cgroups must exist.
    ///
    /// With `write_osd_files`, each OSD's file is written in full before
    /// BlueStore is made on it. BlueStore puts every overwrite somewhere
    /// new until it has gone once round its device, and on a sparse file
    /// each of those writes makes ext4 allocate blocks first: `qemu-img
    /// bench` wrote 4 MiB at QD16 into holes at 1.8-2.3 GB/s and into
    /// written blocks at 3.0-4.1 GB/s here (a `fallocate`d file did no
    /// better than holes). An OSD in production owns a block device and
    /// pays nothing of the kind, so a benchmark writes the files; tests
    /// keep them sparse, which is quicker and takes no disk.
    pub(super) fn bootstrap_ceph(&mut self, write_osd_files: bool) -> Result<()> {
        let started = Instant::now();
        // A preload the loader cannot find is only a warning on stderr:
        // check, so that a missing tcmalloc fails here, not as slow writes.
        let libraries = Command::new("ldconfig").arg("-p").output()?;
        if !String::from_utf8_lossy(&libraries.stdout).contains(TCMALLOC) {
            bail!("{TCMALLOC} is missing (Debian: libgoogle-perftools4; `cargo xtask setup`)");
        }
        let dir = self.ceph_dir();
        for sub in ["run", "log", "mon", "mgr", "osd"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        let fsid = uuid::Uuid::new_v4().to_string();
        self.write_conf(&fsid)?;
        let path = |name: &str| dir.join(name).display().to_string();
        let (mon_keyring, admin, monmap) = (
            path("ceph.mon.keyring"),
            self.ceph_admin_keyring().display().to_string(),
            path("monmap"),
        );
        run(
            "ceph-authtool",
            &[
                "--create-keyring",
                &mon_keyring,
                "--gen-key",
                "-n",
                "mon.",
                "--cap",
                "mon",
                "allow *",
            ],
        )?;
        run(
            "ceph-authtool",
            &[
                "--create-keyring",
                &admin,
                "--gen-key",
                "-n",
                "client.admin",
                "--cap",
                "mon",
                "allow *",
                "--cap",
                "osd",
                "allow *",
                "--cap",
                "mgr",
                "allow *",
                "--cap",
                "mds",
                "allow *",
            ],
        )?;
        run("ceph-authtool", &[&mon_keyring, "--import-keyring", &admin])?;
        let mut args = vec!["--create".to_string(), "--fsid".into(), fsid];
        for &i in &self.mon_hosts() {
            let a = &self.hosts[i].address;
            args.extend([
                "--addv".into(),
                self.hosts[i].name.clone(),
                format!("[v2:{a}:3300,v1:{a}:6789]"),
            ]);
        }
        args.push(monmap.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run("monmaptool", &args)?;
        let conf = self.ceph_conf().display().to_string();
        for &i in &self.mon_hosts() {
            let name = self.hosts[i].name.clone();
            std::fs::create_dir_all(dir.join(format!("mon/ceph-{name}")))?;
            // Inside the namespace: the monitor finds its address there.
            run(
                "ip",
                &[
                    "netns",
                    "exec",
                    &self.hosts[i].netns,
                    "ceph-mon",
                    "-c",
                    &conf,
                    "--mkfs",
                    "-i",
                    &name,
                    "--monmap",
                    &monmap,
                    "--keyring",
                    &mon_keyring,
                ],
            )?;
            self.start_ceph_daemon(i, "ceph-mon", &name)?;
        }
        wait_until(
            "the monitors to form a quorum",
            Duration::from_secs(60),
            || {
                self.ceph(&["quorum_status"])
                    .is_ok_and(|q| q["quorum_names"].as_array().is_some_and(|n| !n.is_empty()))
            },
        )?;
        let mgr = dir.join("mgr/ceph-x");
        std::fs::create_dir_all(&mgr)?;
        self.ceph_text(&[
            "auth",
            "get-or-create",
            "mgr.x",
            "mon",
            "allow profile mgr",
            "osd",
            "allow *",
            "mds",
            "allow *",
            "-o",
            &mgr.join("keyring").display().to_string(),
        ])?;
        self.start_ceph_mgr()?;
        for i in 0..self.hosts.len() {
            let uuid = uuid::Uuid::new_v4().to_string();
            let id = self.ceph(&["osd", "new", &uuid])?["osdid"]
                .as_u64()
                .context("`ceph osd new` gives an id")?
                .to_string();
            let data = dir.join(format!("osd/ceph-{id}"));
            std::fs::create_dir_all(&data)?;
            self.ceph_text(&[
                "auth",
                "get-or-create",
                &format!("osd.{id}"),
                "mon",
                "allow profile osd",
                "mgr",
                "allow profile osd",
                "osd",
                "allow *",
                "-o",
                &data.join("keyring").display().to_string(),
            ])?;
            if write_osd_files {
                write_in_full(&data.join("block"), OSD_BYTES)?;
            }
            run(
                "ip",
                &[
                    "netns",
                    "exec",
                    &self.hosts[i].netns,
                    "ceph-osd",
                    "-c",
                    &conf,
                    "-i",
                    &id,
                    "--mkfs",
                    "--osd-uuid",
                    &uuid,
                ],
            )?;
            std::fs::write(self.hosts[i].dir.join("ceph-osd-id"), &id)?;
            self.start_ceph_daemon(i, "ceph-osd", &id)?;
        }
        self.save()?;
        self.wait_ceph_clean(Duration::from_secs(120))?;
        let mut args = vec!["auth", "get-or-create", SERVER_USER];
        for (daemon, caps) in SERVER_CAPS {
            args.extend([daemon, caps]);
        }
        let keyring = self.ceph_server_keyring().display().to_string();
        args.extend(["-o", &keyring]);
        self.ceph_text(&args)?;
        eprintln!(
            "ceph: {} monitors, {} OSDs, active+clean in {:.1} s",
            self.mon_hosts().len(),
            self.hosts.len(),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }

    /// The OSD id host `i` runs.
    pub fn osd_id(&self, i: usize) -> Option<String> {
        std::fs::read_to_string(self.hosts[i].dir.join("ceph-osd-id"))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// Start `daemon` (`ceph-mon` or `ceph-osd`) with id `id` inside host
    /// `i`, unless it already runs there.
    fn start_ceph_daemon(&self, i: usize, daemon: &str, id: &str) -> Result<()> {
        let running = cgroup_pids(&self.hosts[i].cgroup).into_iter().any(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                let c = String::from_utf8_lossy(&c);
                c.starts_with(daemon) && c.contains(&format!("\0-i\0{id}\0"))
            })
        });
        if running {
            return Ok(());
        }
        let mut command = format!(
            "env LD_PRELOAD={TCMALLOC} {daemon} -f -c {} -i {id}",
            self.ceph_conf().display()
        );
        if daemon == "ceph-osd" {
            command.push_str(&format!(
                " --crush-location 'root=default host={}'",
                self.hosts[i].name
            ));
        }
        self.spawn_in_host(
            i,
            &command,
            &self.ceph_dir().join(format!("log/{daemon}.{id}.out")),
        )
    }

    /// Start host `i`'s monitor (if it has one) and OSD again (a revived
    /// host); nothing for a host that was never given an OSD.
    pub(super) fn start_ceph_daemons(&self, i: usize) -> Result<()> {
        if self.mon_hosts().contains(&i)
            && self
                .ceph_dir()
                .join(format!("mon/ceph-{}", self.hosts[i].name))
                .exists()
        {
            self.start_ceph_daemon(i, "ceph-mon", &self.hosts[i].name)?;
        }
        if let Some(id) = self.osd_id(i) {
            self.start_ceph_daemon(i, "ceph-osd", &id)?;
        }
        Ok(())
    }

    fn start_ceph_mgr(&mut self) -> Result<()> {
        let log = std::fs::File::create(self.ceph_dir().join("log/ceph-mgr.x.out"))?;
        let child = Command::new("ceph-mgr")
            .env("LD_PRELOAD", TCMALLOC)
            .args(["-f", "-i", "x", "-c"])
            .arg(self.ceph_conf())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .context("starting ceph-mgr")?;
        self.ceph_mgr_pid = Some(child.id());
        self.save()
    }

    /// Kill the manager (SIGKILL), if it still is ours.
    pub(super) fn kill_ceph_mgr(&mut self) {
        let ours = |pid: &u32| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "ceph-mgr")
        };
        if let Some(pid) = self.ceph_mgr_pid.take().filter(ours) {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            let _ = wait_until("ceph-mgr to exit", Duration::from_secs(10), || {
                !pid_running(pid)
            });
        }
    }

    /// Wait until every placement group is active+clean (HEALTH_OK can
    /// show while they are still unknown), every OSD is up and every
    /// monitor is in the quorum (a monitor that has just come back may
    /// still be joining it).
    pub fn wait_ceph_clean(&self, timeout: Duration) -> Result<()> {
        let started = Instant::now();
        loop {
            let stat = self.ceph(&["pg", "stat"]).unwrap_or(Value::Null);
            let total = stat["pg_summary"]["num_pgs"].as_u64().unwrap_or(0);
            let clean: u64 = stat["pg_summary"]["num_pg_by_state"]
                .as_array()
                .map(|states| {
                    states
                        .iter()
                        .filter(|s| s["name"] == "active+clean")
                        .filter_map(|s| s["num"].as_u64())
                        .sum()
                })
                .unwrap_or(0);
            let osds_up = self.ceph(&["osd", "stat"]).unwrap_or(Value::Null)["num_up_osds"]
                .as_u64()
                .unwrap_or(0);
            let quorum = self.ceph(&["quorum_status"]).unwrap_or(Value::Null)["quorum_names"]
                .as_array()
                .map_or(0, Vec::len);
            if total > 0
                && clean == total
                && osds_up == self.hosts.len() as u64
                && quorum == self.mon_hosts().len()
            {
                return Ok(());
            }
            if started.elapsed() > timeout {
                bail!(
                    "Ceph not clean after {timeout:?}: {clean}/{total} placement groups active+clean, {osds_up} OSDs up, {quorum} monitors in quorum: {stat}"
                );
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// A file of `bytes` zeros, every block written and on disk.
fn write_in_full(path: &Path, bytes: u64) -> Result<()> {
    use std::io::Write;
    let write = || -> std::io::Result<()> {
        let zeros = vec![0u8; 4 << 20];
        let mut file = std::fs::File::create(path)?;
        let mut written = 0;
        while written < bytes {
            let n = (bytes - written).min(zeros.len() as u64) as usize;
            file.write_all(&zeros[..n])?;
            written += n as u64;
        }
        file.sync_all()
    };
    write().with_context(|| format!("writing {} in full", path.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_written_in_full_has_every_block_allocated() {
        use std::os::unix::fs::MetadataExt;
        let path = std::env::temp_dir().join(format!("overcast-full-{}", uuid::Uuid::new_v4()));
        let bytes = (5 << 20) + 4096;
        super::write_in_full(&path, bytes).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(meta.len(), bytes);
        assert!(
            meta.blocks() * 512 >= bytes,
            "{} of {bytes} bytes allocated",
            meta.blocks() * 512
        );
    }
}
