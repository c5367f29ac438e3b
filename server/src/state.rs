//! The running server's shared state: the database, the token cache, the
//! hosts' sessions, the Ceph cluster and the workflow engine. Built once by `Server::start`;
//! handlers get it as axum state.

use std::sync::Arc;
use std::time::Duration;

use overcast_db::Database;
use overcast_types::ApiResult;

use crate::app::Launched;
use crate::app::auth::TokenCache;
use crate::app::commands::StorageOp;
use crate::app::placement::PlacementPolicy;
use crate::hosts::Sessions;
use crate::storage::{ClusterHealth, Storage};
use crate::workflow::Engine;

/// How often blocklist entries are renewed (they last
/// `storage::BLOCKLIST_SECONDS`).
const FENCE_RENEWAL: Duration = Duration::from_secs(60);

/// The singletons: work exactly one replica does at a time.
/// The down-host detector, with the failovers it starts, the OSD
/// mark-downs and the renewal of blocklist entries; and the purge of stale
/// login data.
pub const HOST_WATCH: &str = "host-watch";
/// Recording the storage cluster's health changes as events (every
/// replica reads the health; one records it), and removing the Ceph bases
/// of deleted images.
pub const STORAGE_EVENTS: &str = "storage-events";
const SINGLETONS: [&str; 2] = [HOST_WATCH, STORAGE_EVENTS];
/// How often the holder of `host-watch` removes ended sessions, used links,
/// closed failed-login windows and used recovery codes.
const PURGE_EVERY: Duration = Duration::from_secs(600);
/// The holder of `storage-events` also removes the bases of deleted images,
/// at one health read in this many (every minute at the default 5 s).
const SWEEP_EVERY: u64 = 12;

/// How many times in [`MARKDOWN_PERIOD`] the server marks one host's OSDs
/// down. Ceph stops an OSD marked down five times in ten minutes
/// (`osd_max_markdown_count`, `_period`): a host whose link to the server
/// flaps while its peers still reach it would otherwise lose its OSD to
/// the server's head start. Past this, Ceph's own heartbeats decide.
const MARKDOWNS: usize = 3;
const MARKDOWN_PERIOD: Duration = Duration::from_secs(600);

/// Whether a host whose OSDs were marked down at `history` may be marked
/// again `now`; if so, `now` is recorded.
fn may_mark_down(history: &mut Vec<std::time::Instant>, now: std::time::Instant) -> bool {
    history.retain(|at| now.duration_since(*at) < MARKDOWN_PERIOD);
    if history.len() >= MARKDOWNS {
        return false;
    }
    history.push(now);
    true
}

/// This server as one replica of the control plane.
pub struct Replica {
    /// A new id at each start (UUID v7).
    pub id: String,
    /// How long its liveness, and a singleton it holds, last unrenewed.
    pub lease: Duration,
    /// The singletons it holds, each until when (a fifth of the lease
    /// short of its expiry in the database, so a slow renewal stops the
    /// work before another replica can take it over).
    held: std::sync::Mutex<std::collections::HashMap<&'static str, tokio::time::Instant>>,
}

impl Replica {
    pub fn new(lease: Duration) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            lease,
            held: Default::default(),
        }
    }

    /// Whether this replica holds singleton `name` now.
    pub fn holds(&self, name: &str) -> bool {
        self.held
            .lock()
            .expect("held")
            .get(name)
            .is_some_and(|until| tokio::time::Instant::now() < *until)
    }
}

/// The server's shared state, behind one reference count: axum clones the
/// state for every extractor and middleware of every request, and one
/// atomic increment is what that should cost.
#[derive(Clone)]
pub struct App(Arc<Shared>);

impl std::ops::Deref for App {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`App`] shares.
pub struct Shared {
    pub db: Database,
    pub tokens: Arc<TokenCache>,
    /// Connected hosts.
    pub sessions: Arc<Sessions>,
    pub workflows: Engine,
    pub placement: PlacementPolicy,
    /// The Ceph cluster replicated drives live on, if the server has one.
    pub storage: Option<Arc<dyn Storage>>,
    /// The storage cluster's health as last read, and when (microseconds);
    /// `None` before the first reading or while it cannot be read.
    pub storage_health: Arc<std::sync::RwLock<Option<(ClusterHealth, i64)>>>,
    pub replica: Arc<Replica>,
    /// When each host's OSDs were marked down, recently.
    markdowns: std::sync::Mutex<std::collections::HashMap<String, Vec<std::time::Instant>>>,
}

impl App {
    pub fn new(
        db: Database,
        placement: PlacementPolicy,
        storage: Option<Arc<dyn Storage>>,
        replica: Replica,
    ) -> Self {
        let sessions = Arc::new(Sessions::new(
            storage.clone(),
            db.clone(),
            replica.id.clone(),
        ));
        Self(Arc::new(Shared {
            replica: Arc::new(replica),
            workflows: Engine::new(
                db.clone(),
                sessions.clone(),
                placement.clone(),
                storage.clone(),
            ),
            db,
            tokens: Arc::default(),
            sessions,
            placement,
            storage,
            storage_health: Arc::default(),
            markdowns: std::sync::Mutex::default(),
        }))
    }

    /// Keep this replica alive in the database (`name` and `url` are what
    /// its peers see), hold the singletons it can, take over the workflows
    /// of dead replicas, and forget replicas long dead; four times a lease.
    pub async fn serve_as_replica(self, name: String, url: String) {
        let lease = self.replica.lease;
        let micros = lease.as_micros() as i64;
        let mut turn = 0u64;
        loop {
            let started = tokio::time::Instant::now();
            let (id, n, u) = (self.replica.id.clone(), name.clone(), url.clone());
            let renewed = self
                .db
                .write(move |c| {
                    crate::app::replicas::renew(c, &id, &n, &u, micros)?;
                    let mut held = Vec::new();
                    for singleton in SINGLETONS {
                        if crate::app::replicas::acquire(c, singleton, &id, micros)?.is_some() {
                            held.push(singleton);
                        }
                    }
                    Ok(held)
                })
                .await;
            match renewed {
                Ok(held) => {
                    let until = started + lease - lease / 5;
                    self.workflows.renewed(until);
                    let mut map = self.replica.held.lock().expect("held");
                    for singleton in SINGLETONS {
                        if held.contains(&singleton) {
                            if map.insert(singleton, until).is_none() {
                                tracing::info!(singleton, "holding a singleton");
                            }
                        } else if map.remove(singleton).is_some() {
                            tracing::warn!(singleton, "singleton lost to another replica");
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e.message, "cannot renew this replica's lease"),
            }
            // Once a lease (start-up took over what was orphaned then).
            if turn % 4 == 3 {
                if let Err(e) = self.workflows.take_over_orphans().await {
                    tracing::warn!(error = %e.message, "cannot look for orphaned workflows");
                }
                match self.sessions.reassert_directory().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(mended = n, "session directory mended"),
                    Err(e) => {
                        tracing::warn!(error = %e.message, "cannot mend the session directory")
                    }
                }
                let long = micros * 20;
                if let Err(e) = self
                    .db
                    .write(move |c| crate::app::replicas::forget_dead(c, long))
                    .await
                {
                    tracing::warn!(error = %e.message, "cannot forget dead replicas");
                }
            }
            turn += 1;
            tokio::time::sleep_until(started + lease / 4).await;
        }
    }

    /// This replica is stopping: its row, its directory entries and its
    /// singletons go now, so the others take over without waiting for
    /// its lease to run out.
    pub async fn retire(&self) {
        let id = self.replica.id.clone();
        let result = self
            .db
            .write(move |c| {
                crate::app::replicas::release(c, &id)?;
                crate::app::replicas::retire(c, &id)
            })
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e.message, "cannot retire this replica");
        }
    }

    /// Run `f`, which revokes tokens, in one transaction with the raise of
    /// the token cache's generation; this replica's cache is dropped at
    /// once, the others' at their next look ([`App::watch_caches`]).
    pub async fn write_revoking<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut overcast_db::DbConn) -> ApiResult<T> + Send + 'static,
    {
        let out = self
            .db
            .write(move |c| {
                let out = f(c)?;
                crate::app::replicas::invalidate(c, crate::app::replicas::TOKEN_CACHE)?;
                Ok(out)
            })
            .await?;
        self.tokens.clear();
        Ok(out)
    }

    /// Write the times of heartbeats that said nothing new, every `every`
    /// (a twentieth of the detection time, at most a quarter second, so
    /// the detector reads them at most that much late): one transaction
    /// per replica, whatever the number of hosts.
    pub async fn watch_beats(self, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = self.sessions.flush_beats().await {
                tracing::warn!(error = %e.message, "cannot record heartbeats");
            }
        }
    }

    /// Drop the token cache whenever another replica revokes a token:
    /// its generation is read five times a second.
    pub async fn watch_caches(self) {
        let mut seen: Option<i64> = None;
        loop {
            let now = self
                .db
                .read(|c| {
                    crate::app::replicas::cache_generation(c, crate::app::replicas::TOKEN_CACHE)
                })
                .await;
            match now {
                Ok(g) => {
                    if seen.is_some_and(|s| s != g) {
                        self.tokens.clear();
                    }
                    seen = Some(g);
                }
                Err(e) => {
                    // Unsure what changed: trust nothing cached.
                    self.tokens.clear();
                    tracing::warn!(error = %e.message, "cannot read the cache generations");
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The storage cluster's health as last read.
    pub fn storage_health(&self) -> Option<(ClusterHealth, i64)> {
        self.storage_health.read().expect("storage health").clone()
    }

    /// Read the storage cluster's health every `interval`; record each
    /// change of a pool's replication state, and of Ceph's own verdict, as
    /// an event.
    pub async fn watch_storage(self, interval: Duration) {
        let Some(storage) = self.storage.clone() else {
            return;
        };
        let mut reads: u64 = 0;
        loop {
            let read = tokio::time::timeout(Duration::from_secs(30), storage.health()).await;
            reads += 1;
            match read {
                Ok(Ok(now)) => {
                    if self.replica.holds(STORAGE_EVENTS)
                        && let Err(e) = self.record_storage_changes(now.clone()).await
                    {
                        tracing::warn!(error = %e.message, "cannot record storage events");
                    }
                    if self.replica.holds(STORAGE_EVENTS) && reads % SWEEP_EVERY == 1 {
                        self.sweep_image_bases(storage.as_ref()).await;
                    }
                    *self.storage_health.write().expect("storage health") =
                        Some((now, overcast_db::now_micros()));
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "cannot read the storage cluster's health");
                    *self.storage_health.write().expect("storage health") = None;
                }
                Err(_) => {
                    tracing::warn!("reading the storage cluster's health timed out");
                    *self.storage_health.write().expect("storage health") = None;
                }
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// Remove the bases of deleted images. An image's row goes first (its
    /// deletion is refused while a drive was made from it), so a base whose
    /// image has no row is garbage; the bases are listed before the rows
    /// are read, so a base made meanwhile belongs to a row that is read.
    async fn sweep_image_bases(&self, storage: &dyn Storage) {
        let bases = match storage.image_bases().await {
            Ok(bases) => bases,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list image bases");
                return;
            }
        };
        if bases.is_empty() {
            return;
        }
        let gone = match self
            .db
            .read(move |c| crate::app::images::deleted_of(c, &bases))
            .await
        {
            Ok(gone) => gone,
            Err(e) => {
                tracing::warn!(error = %e.message, "cannot read which images are deleted");
                return;
            }
        };
        for image in gone {
            match storage
                .apply(&StorageOp::RemoveImageBase {
                    image: image.clone(),
                })
                .await
            {
                Ok(()) => tracing::info!(%image, "the base of a deleted image removed"),
                Err(e) => {
                    tracing::warn!(%image, error = %e, "cannot remove a deleted image's base")
                }
            }
        }
    }

    /// Record what changed in `now` since the events last recorded: the
    /// baseline is the log, not this replica's previous reading, so a change
    /// another replica saw while it held `storage-events` but did not record
    /// before it died is recorded by the next holder, and a restart records
    /// nothing twice.
    async fn record_storage_changes(&self, now: ClusterHealth) -> ApiResult<()> {
        let seen = now.clone();
        let changed = self
            .db
            .read(
                move |c| Ok(!storage_changes(Some(&recorded_health(c, &seen)?), &seen).is_empty()),
            )
            .await?;
        if !changed {
            return Ok(());
        }
        let me = self.replica.id.clone();
        self.db
            .write(move |c| {
                // Again, with the lease checked in the same transaction: a
                // replica that lost it meanwhile records nothing.
                use diesel::prelude::*;
                use overcast_db::schema::leases;
                let held = leases::table
                    .filter(leases::name.eq(STORAGE_EVENTS))
                    .filter(leases::replica_id.eq(&me))
                    .filter(leases::time_expires.gt(overcast_db::now_micros()))
                    .count()
                    .get_result::<i64>(c)?
                    > 0;
                if !held {
                    return Ok(());
                }
                let changes = storage_changes(Some(&recorded_health(c, &now)?), &now);
                for (kind, name, action, message) in changes {
                    let id = crate::storage::pool_id(&name).to_string();
                    crate::app::record_system_event(
                        c,
                        action,
                        crate::app::Subject {
                            resource_type: kind,
                            id: &id,
                            name: &name,
                            account_id: None,
                            partner_id: None,
                        },
                        message,
                    )?;
                }
                Ok(())
            })
            .await
    }

    /// Watch the hosts' heartbeats four times a second: silent hosts become
    /// `suspect`, then `down` after `detection`, and the failovers that
    /// starts are launched.
    pub async fn watch_hosts(self, detection: Duration) {
        let since = overcast_db::now_micros();
        let detection = detection.as_micros() as i64;
        let mut renewed = tokio::time::Instant::now();
        let mut purged: Option<tokio::time::Instant> = None;
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if !self.replica.holds(HOST_WATCH) {
                continue;
            }
            if renewed.elapsed() >= FENCE_RENEWAL {
                renewed = tokio::time::Instant::now();
                tokio::spawn(self.clone().renew_storage_fences());
            }
            if purged.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
                purged = Some(tokio::time::Instant::now());
                tokio::spawn(self.clone().purge_stale());
            }
            match self
                .db
                .write(move |c| crate::app::failover::detect(c, detection, since))
                .await
            {
                Ok(found) => {
                    for id in found.workflows {
                        tracing::warn!(workflow = %id, "host down: failing an instance over");
                        self.workflows.launch(id);
                    }
                    for host in found.down {
                        tokio::spawn(self.clone().mark_storage_down(host));
                    }
                }
                Err(e) => tracing::warn!(error = %e.message, "cannot check heartbeats"),
            }
        }
    }

    /// Remove ended sessions, used links and the like (see
    /// `app::people::purge_stale`).
    async fn purge_stale(self) {
        let now = overcast_db::now_micros();
        match self
            .db
            .write(move |c| crate::app::people::purge_stale(c, now))
            .await
        {
            Ok(purged) => tracing::debug!(?purged, "stale login data purged"),
            Err(e) => tracing::warn!(error = %e.message, "cannot purge stale login data"),
        }
    }

    /// Tell the storage cluster that a host found down is gone: its OSDs
    /// are marked down now, not once their peers' heartbeats have timed
    /// out (which a cut link makes the grace plus seconds of Ceph's own
    /// cadences). Only a head start: if it fails, Ceph finds them down by
    /// itself.
    async fn mark_storage_down(self, host: String) {
        let Some(storage) = &self.storage else {
            return;
        };
        let now = std::time::Instant::now();
        let allowed = may_mark_down(
            self.markdowns
                .lock()
                .expect("markdowns")
                .entry(host.clone())
                .or_default(),
            now,
        );
        if !allowed {
            tracing::warn!(%host, "its OSDs were marked down {MARKDOWNS} times in 10 minutes: left to Ceph");
            return;
        }
        let op = StorageOp::MarkHostDown { host: host.clone() };
        match storage.apply(&op).await {
            Ok(()) => tracing::info!(%host, "its OSDs marked down"),
            Err(e) => tracing::warn!(%host, error = %e, "cannot mark its OSDs down"),
        }
    }

    /// Renew the blocklist entry of every host fenced from the replicated
    /// storage, so it does not expire while the host is away.
    async fn renew_storage_fences(self) {
        let Some(ceph) = &self.storage else {
            return;
        };
        let fenced = self.db.read(crate::app::failover::storage_fenced).await;
        for address in fenced.unwrap_or_default() {
            let op = StorageOp::Blocklist {
                address: address.clone(),
            };
            if let Err(e) = ceph.apply(&op).await {
                tracing::warn!(%address, error = %e, "cannot renew a Ceph blocklist entry");
            }
        }
    }

    /// Start the operation's workflow, if it recorded one, in the background.
    pub fn launch<T>(&self, launched: Launched<T>) -> T {
        if let Some(id) = launched.workflow {
            self.workflows.launch(id);
        }
        launched.value
    }

    /// Start the workflow and give it up to `timeout` to end, so quick
    /// operations answer with their final state.
    pub async fn launch_and_wait<T>(&self, launched: Launched<T>, timeout: Duration) -> T {
        if let Some(id) = &launched.workflow {
            self.workflows.launch(id.clone());
            self.workflows.wait(id, timeout).await;
        }
        launched.value
    }
}

/// The storage cluster as its events last recorded it: Ceph's verdict (the
/// first word of the last `storage.health` message) and each pool's state
/// (the last `storage_pool.<state>`); healthy where nothing was recorded.
/// The rest is `now`'s.
fn recorded_health(
    conn: &mut overcast_db::DbConn,
    now: &ClusterHealth,
) -> ApiResult<ClusterHealth> {
    use diesel::prelude::*;
    use overcast_db::schema::events;
    use overcast_types::views::ReplicationState;
    let mut latest = |name: &str| -> ApiResult<Option<(String, Option<String>)>> {
        Ok(events::table
            .filter(events::resource_id.eq(crate::storage::pool_id(name).to_string()))
            .order(events::id.desc())
            .select((events::action, events::message))
            .first(conn)
            .optional()?)
    };
    let mut last = now.clone();
    last.status = latest("ceph")?
        .and_then(|(_, m)| Some(m?.split_whitespace().next()?.to_string()))
        .unwrap_or_else(|| "HEALTH_OK".to_string());
    for pool in &mut last.pools {
        pool.state = latest(&pool.name)?
            .and_then(|(action, _)| {
                let state = action.strip_prefix("storage_pool.")?.to_string();
                [
                    ReplicationState::Healthy,
                    ReplicationState::Degraded,
                    ReplicationState::Recovering,
                ]
                .into_iter()
                .find(|s| s.as_str() == state)
            })
            .unwrap_or(ReplicationState::Healthy);
    }
    Ok(last)
}

/// The events a new reading of the storage cluster calls for: each pool
/// whose replication state changed (`storage_pool.<state>`), and Ceph's
/// verdict if it changed (`storage.health`). A first reading reports what
/// is not healthy.
fn storage_changes(
    last: Option<&ClusterHealth>,
    now: &ClusterHealth,
) -> Vec<(&'static str, String, &'static str, String)> {
    use overcast_types::views::ReplicationState;
    let mut out = Vec::new();
    let default_status = "HEALTH_OK".to_string();
    let last_status = last.map_or(&default_status, |l| &l.status);
    if *last_status != now.status {
        out.push((
            "storage",
            "ceph".to_string(),
            "health",
            format!(
                "{} (was {last_status}): {}",
                now.status,
                now.checks.join("; ")
            ),
        ));
    }
    for pool in &now.pools {
        let before = last
            .and_then(|l| l.pools.iter().find(|p| p.name == pool.name))
            .map_or(ReplicationState::Healthy, |p| p.state);
        if before != pool.state {
            out.push((
                "storage_pool",
                pool.name.clone(),
                pool.state.as_str(),
                format!(
                    "{}: {} (was {}): {:.1}% of object copies missing, {:.0}% of placement groups clean",
                    pool.name,
                    pool.state.as_str(),
                    before.as_str(),
                    pool.degraded_ratio * 100.0,
                    pool.recovery_progress * 100.0
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_host_is_marked_down_at_most_three_times_in_ten_minutes() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let mut history = Vec::new();
        for s in [0, 60, 120] {
            assert!(may_mark_down(&mut history, at(s)), "at {s} s");
        }
        assert!(
            !may_mark_down(&mut history, at(300)),
            "a fourth within 10 min"
        );
        assert_eq!(history.len(), 3, "a refusal is not counted");
        // Once the first is ten minutes old, one more.
        assert!(may_mark_down(&mut history, at(600)));
        assert!(!may_mark_down(&mut history, at(601)));
    }
}
