//! Placement: which host takes a new drive or instance, from what the hosts
//! have and what is already placed on them. 507 when nothing fits, naming
//! what ran out.
//!
//! Each replica keeps a view of every active host's free capacity, read
//! whole from the database at most once a second and adjusted by its own
//! placements. A choice made from the view is then checked against the
//! database under a per-host lock (a transaction-scoped advisory lock on
//! PostgreSQL; SQLite's single writer already takes turns), so two creates,
//! on one replica or two, never overcommit a host. A host that turns out
//! fuller than the view said is corrected in it and the next candidate is
//! tried; a 507 is only ever answered from a view read in the request's
//! own transaction. Among many hosts that fit, the choice is random within
//! the roomiest 64th (at most 32 hosts), so concurrent creates spread out
//! instead of queueing on one host's lock; with 64 fitting hosts or fewer
//! the roomiest wins, as before.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Integer, Nullable, Text};
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, json_ids};
use overcast_types::ids::*;
use overcast_types::{ApiError, ApiResult};
use rand::Rng;

/// How long a view read from the database is used before it is read again.
const VIEW_TTL: Duration = Duration::from_secs(1);
/// Candidates from a view that may be stale, before it is read afresh.
const TRIES: usize = 8;
/// The share of fitting hosts chosen among at random (1/SPREAD of them)...
const SPREAD: usize = 64;
/// ...and at most this many.
const MAX_SPREAD: usize = 32;
/// The first key of the per-host advisory locks (the second is the hash of
/// the host's id).
pub const LOCK_CLASS: i32 = 0xca57;

/// How placement counts capacity, and this replica's view of what each
/// active host has free (shared by every clone).
#[derive(Debug, Clone)]
pub struct PlacementPolicy {
    /// vCPUs placed per host CPU.
    pub cpu_allocation_ratio: f64,
    view: Arc<Mutex<View>>,
}

impl PlacementPolicy {
    pub fn new(cpu_allocation_ratio: f64) -> Self {
        Self {
            cpu_allocation_ratio,
            view: Arc::default(),
        }
    }
}

impl Default for PlacementPolicy {
    fn default() -> Self {
        Self::new(4.0)
    }
}

/// What one host has left.
#[derive(Debug, Clone)]
struct Free {
    id: HostId,
    /// Still active (false once found otherwise).
    up: bool,
    vcpus: f64,
    memory_mib: i64,
    storage: i64,
}

/// Active hosts in name order, with an index by id, and the hosts still
/// up ordered by each room that ranks them (free memory for instances,
/// free storage for drives), so that a choice among the roomiest reads
/// only as many hosts as it needs, not the whole fleet.
#[derive(Debug, Default, Clone)]
struct View {
    loaded: Option<Instant>,
    loading: bool,
    hosts: Vec<Free>,
    index: HashMap<HostId, usize>,
    /// (free memory, position in `hosts`) of every host up.
    by_memory: BTreeSet<(i64, usize)>,
    /// (free storage, position in `hosts`) of every host up.
    by_storage: BTreeSet<(i64, usize)>,
}

impl View {
    /// The view of `hosts` (in name order), read at `loaded`.
    fn new(hosts: Vec<Free>, loaded: Instant) -> Self {
        let mut view = View {
            loaded: Some(loaded),
            ..View::default()
        };
        for (i, f) in hosts.iter().enumerate() {
            view.index.insert(f.id.clone(), i);
            if f.up {
                view.by_memory.insert((f.memory_mib, i));
                view.by_storage.insert((f.storage, i));
            }
        }
        view.hosts = hosts;
        view
    }

    fn set(&mut self, free: Free) {
        if let Some(&i) = self.index.get(&free.id) {
            self.unrank(i);
            if free.up {
                self.by_memory.insert((free.memory_mib, i));
                self.by_storage.insert((free.storage, i));
            }
            self.hosts[i] = free;
        }
    }

    /// A host no longer active: it stays in the list (keeping the index
    /// true), out of the running.
    fn drop_host(&mut self, id: &HostId) {
        if let Some(&i) = self.index.get(id) {
            self.unrank(i);
            self.hosts[i].up = false;
        }
    }

    fn unrank(&mut self, i: usize) {
        let old = &self.hosts[i];
        self.by_memory.remove(&(old.memory_mib, i));
        self.by_storage.remove(&(old.storage, i));
    }
}

/// What is being placed.
#[derive(Debug, Clone, Copy)]
enum Need {
    Instance { vcpus: i32, memory_mib: i64 },
    Drive { bytes: i64 },
}

impl Need {
    fn fits(self, f: &Free) -> bool {
        f.up && match self {
            Need::Instance { vcpus, memory_mib } => {
                f.vcpus >= f64::from(vcpus) && f.memory_mib >= memory_mib
            }
            Need::Drive { bytes } => f.storage >= bytes,
        }
    }

    fn take(self, f: &mut Free) {
        match self {
            Need::Instance { vcpus, memory_mib } => {
                f.vcpus -= f64::from(vcpus);
                f.memory_mib -= memory_mib;
            }
            Need::Drive { bytes } => f.storage -= bytes,
        }
    }

    /// The 507 for a view in which nothing allowed fits.
    fn shortfall(self, view: &View, avoid: &HashSet<HostId>, excluded_by: &str) -> ApiError {
        let up: Vec<&Free> = view.hosts.iter().filter(|f| f.up).collect();
        let what = match self {
            Need::Instance { .. } => "run the instance",
            Need::Drive { .. } => "hold the drive",
        };
        if up.is_empty() {
            return insufficient(format!("no host is up to {what}"));
        }
        let allowed: Vec<&Free> = up.into_iter().filter(|f| !avoid.contains(&f.id)).collect();
        if allowed.is_empty() {
            return insufficient(format!(
                "every host that is up is excluded by {excluded_by}"
            ));
        }
        match self {
            Need::Instance { vcpus, memory_mib } => {
                let cpu_fit: Vec<&&Free> = allowed
                    .iter()
                    .filter(|f| f.vcpus >= f64::from(vcpus))
                    .collect();
                if cpu_fit.is_empty() {
                    return insufficient(format!(
                        "vCPUs ran out: the instance needs {vcpus}, no host has that many free"
                    ));
                }
                let most = cpu_fit.iter().map(|f| f.memory_mib).max().unwrap_or(0);
                insufficient(format!(
                    "memory ran out: the instance needs {memory_mib} MiB, the host with the most \
                     has {most} MiB free"
                ))
            }
            Need::Drive { bytes } => {
                let most = allowed.iter().map(|f| f.storage).max().unwrap_or(0);
                insufficient(format!(
                    "storage ran out: the drive needs {bytes} bytes, the roomiest host has {most} \
                     unallocated"
                ))
            }
        }
    }
}

#[derive(QueryableByName)]
struct FreeRow {
    #[diesel(sql_type = Text)]
    id: HostId,
    #[diesel(sql_type = Integer)]
    cpus: i32,
    #[diesel(sql_type = BigInt)]
    memory_mib: i64,
    #[diesel(sql_type = BigInt)]
    storage_bytes: i64,
    #[diesel(sql_type = BigInt)]
    used_vcpus: i64,
    #[diesel(sql_type = BigInt)]
    used_memory_mib: i64,
    #[diesel(sql_type = BigInt)]
    used_storage: i64,
}

impl FreeRow {
    fn free(self, policy: &PlacementPolicy) -> Free {
        Free {
            up: true,
            vcpus: f64::from(self.cpus) * policy.cpu_allocation_ratio - self.used_vcpus as f64,
            memory_mib: self.memory_mib - self.used_memory_mib,
            storage: self.storage_bytes - self.used_storage,
            id: self.id,
        }
    }
}

/// Every active host with what is placed on it, in name order (suspect and
/// down hosts are not `active`). Allocations count whatever state the
/// instance is in: a stopped instance keeps its place.
const ALL_FREE: &str = "SELECT h.id AS id, h.cpus AS cpus, h.memory_mib AS memory_mib, \
     h.storage_bytes AS storage_bytes, \
     CAST(COALESCE(i.vcpus, 0) AS BIGINT) AS used_vcpus, \
     CAST(COALESCE(i.memory_mib, 0) AS BIGINT) AS used_memory_mib, \
     CAST(COALESCE(d.bytes, 0) AS BIGINT) AS used_storage \
     FROM hosts h \
     LEFT JOIN (SELECT host_id, SUM(vcpus) AS vcpus, SUM(memory_mib) AS memory_mib \
                FROM instances WHERE host_id IS NOT NULL GROUP BY host_id) i ON i.host_id = h.id \
     LEFT JOIN (SELECT host_id, SUM(size_bytes) AS bytes \
                FROM drives WHERE host_id IS NOT NULL GROUP BY host_id) d ON d.host_id = h.id \
     WHERE h.state = 'active' ORDER BY h.name";

/// One host, if active, with what is placed on it (the `host_free` view,
/// through the host indexes of `instances` and `drives`).
const ONE_FREE: &str = "SELECT id, cpus, memory_mib, storage_bytes, used_vcpus, \
     used_memory_mib, used_storage FROM host_free WHERE id = $1";

fn insufficient(what: String) -> ApiError {
    ApiError::insufficient("insufficient_capacity", what)
}

impl View {
    /// Choose: `prefer` if it fits, else the roomiest (or one at random
    /// among the roomiest when many fit).
    fn choose(
        &self,
        need: Need,
        avoid: &HashSet<HostId>,
        tried: &HashSet<HostId>,
        prefer: Option<&HostId>,
    ) -> Option<HostId> {
        let ok = |f: &Free| need.fits(f) && !avoid.contains(&f.id) && !tried.contains(&f.id);
        if let Some(p) = prefer
            && self.index.get(p).is_some_and(|&i| ok(&self.hosts[i]))
        {
            return Some(p.clone());
        }
        // The roomiest first (the last in name order among equals); the
        // walk stops once so many fit that the spread is at its widest.
        let ranked = match need {
            Need::Instance { .. } => &self.by_memory,
            Need::Drive { .. } => &self.by_storage,
        };
        let mut roomiest = Vec::with_capacity(MAX_SPREAD);
        let mut fitting = 0;
        for &(_, i) in ranked.iter().rev() {
            if !ok(&self.hosts[i]) {
                continue;
            }
            fitting += 1;
            if roomiest.len() < MAX_SPREAD {
                roomiest.push(i);
            }
            if fitting == SPREAD * MAX_SPREAD {
                break;
            }
        }
        let k = fitting.div_ceil(SPREAD).min(MAX_SPREAD);
        let pick = match k {
            0 => return None,
            1 => 0,
            k => rand::rng().random_range(0..k),
        };
        Some(self.hosts[roomiest[pick]].id.clone())
    }
}

impl PlacementPolicy {
    fn view(&self) -> std::sync::MutexGuard<'_, View> {
        self.view.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Read the whole view from the database now, and make it the shared
    /// one unless a read begun later already is.
    fn reload(&self, conn: &mut DbConn) -> ApiResult<View> {
        let began = Instant::now();
        let rows: Vec<FreeRow> = diesel::sql_query(ALL_FREE).load(conn)?;
        let fresh = View::new(rows.into_iter().map(|r| r.free(self)).collect(), began);
        let mut view = self.view();
        if view.loaded.is_none_or(|t| t < began) {
            *view = fresh.clone();
        }
        view.loading = false;
        Ok(fresh)
    }

    /// Read the view again if it is older than [`VIEW_TTL`] and no other
    /// request is already reading it (that one's result is waited for only
    /// if there is no view at all yet).
    fn refresh(&self, conn: &mut DbConn) -> ApiResult<()> {
        {
            let mut view = self.view();
            let fresh = view.loaded.is_some_and(|t| t.elapsed() < VIEW_TTL);
            if fresh || (view.loading && view.loaded.is_some()) {
                return Ok(());
            }
            view.loading = true;
        }
        match self.reload(conn) {
            Ok(_) => Ok(()),
            Err(e) => {
                self.view().loading = false;
                Err(e)
            }
        }
    }

    /// One host's free capacity from the database (under its lock, taken
    /// by an earlier statement: each statement reads what was committed
    /// when it began).
    fn truth(&self, conn: &mut DbConn, id: &HostId) -> ApiResult<Option<Free>> {
        let row: Option<FreeRow> = diesel::sql_query(ONE_FREE)
            .bind::<Text, _>(id)
            .get_result(conn)
            .optional()?;
        Ok(row.map(|r| r.free(self)))
    }

    /// Place `need`: the shared view's choice, checked against the database
    /// under the host's lock; after [`TRIES`] misses, or when the view has
    /// no candidate, the view is read afresh in this transaction, and that
    /// read alone (not the shared view, which other requests change) is
    /// chosen from and can answer 507.
    fn place(
        &self,
        conn: &mut DbConn,
        need: Need,
        avoid: &HashSet<HostId>,
        prefer: Option<&HostId>,
        excluded_by: &str,
    ) -> ApiResult<HostId> {
        self.refresh(conn)?;
        let mut tried = HashSet::new();
        for _ in 0..TRIES {
            let Some(pick) = self.view().choose(need, avoid, &tried, prefer) else {
                break;
            };
            tried.insert(pick.clone());
            match self.attempt(conn, need, &pick, false)? {
                Attempt::Fits(free) => return Ok(self.taken(need, free)),
                Attempt::Busy => {}
                Attempt::Full(free) => self.view().set(free),
                Attempt::Gone => self.view().drop_host(&pick),
            }
        }
        let mut mine = self.reload(conn)?;
        tried.clear();
        while let Some(pick) = mine.choose(need, avoid, &tried, prefer) {
            tried.insert(pick.clone());
            match self.attempt(conn, need, &pick, true)? {
                Attempt::Fits(free) => return Ok(self.taken(need, free)),
                Attempt::Busy => {}
                Attempt::Full(free) => {
                    mine.set(free.clone());
                    self.view().set(free);
                }
                Attempt::Gone => {
                    mine.drop_host(&pick);
                    self.view().drop_host(&pick);
                }
            }
        }
        Err(need.shortfall(&mine, avoid, excluded_by))
    }

    /// Lock `host` and read what it has: the lock is kept if `need` fits,
    /// and released otherwise (a transaction then never holds the lock of
    /// a host it did not place on, so two placements cannot wait for each
    /// other's). On PostgreSQL this is one round trip, the function
    /// `overcast_place_attempt_v1` (done from here, it took four: a
    /// savepoint, the lock, the read and the release). SQLite's writers
    /// take turns (`Database::write`), so there it is the read alone.
    fn attempt(
        &self,
        conn: &mut DbConn,
        need: Need,
        host: &HostId,
        wait: bool,
    ) -> ApiResult<Attempt> {
        if let DbConn::Pg(pg) = conn {
            return self.attempt_in_one(pg, need, host, wait);
        }
        Ok(match self.truth(conn, host)? {
            Some(free) if need.fits(&free) => Attempt::Fits(free),
            Some(free) => Attempt::Full(free),
            None => Attempt::Gone,
        })
    }

    /// [`Self::attempt`] on PostgreSQL, in one statement. The function
    /// decides whether `need` fits with the same arithmetic as
    /// [`Need::fits`], which checks its answer again here.
    fn attempt_in_one(
        &self,
        pg: &mut diesel::PgConnection,
        need: Need,
        host: &HostId,
        wait: bool,
    ) -> ApiResult<Attempt> {
        let (vcpus, memory_mib, bytes) = match need {
            Need::Instance { vcpus, memory_mib } => {
                (Some(f64::from(vcpus)), Some(memory_mib), None)
            }
            Need::Drive { bytes } => (None, None, Some(bytes)),
        };
        let tried: Tried = AttemptQuery {
            host: host.as_ref(),
            wait,
            ratio: self.cpu_allocation_ratio,
            vcpus,
            memory_mib,
            bytes,
        }
        .get_result(pg)
        .map_err(busy_on_deadlock)?;
        let free = tried.free.free(self);
        match tried.outcome.as_str() {
            "busy" => Ok(Attempt::Busy),
            "gone" => Ok(Attempt::Gone),
            "fits" if need.fits(&free) => Ok(Attempt::Fits(free)),
            "full" if !need.fits(&free) => Ok(Attempt::Full(free)),
            other => Err(ApiError::internal(format!(
                "placement on {host}: the database said {other} for {free:?}"
            ))),
        }
    }

    /// `need` placed on the host with `free`: the shared view learns what
    /// is left there.
    fn taken(&self, need: Need, mut free: Free) -> HostId {
        need.take(&mut free);
        let id = free.id.clone();
        self.view().set(free);
        id
    }
}

/// What `overcast_place_attempt_v1` answers: the outcome, and the host's
/// figures (NULL for `busy` and `gone`, which do not read them).
#[derive(QueryableByName)]
struct Tried {
    #[diesel(sql_type = Text)]
    outcome: String,
    #[diesel(embed)]
    free: FreeRow,
}

/// The call of `overcast_place_attempt_v1`, as a query diesel prepares once
/// per connection and then only binds: its text never changes, but text
/// given to `sql_query` is parsed and planned again at every call (diesel
/// does not cache it), which `perf` found in PostgreSQL's share of `bench
/// placement`.
struct AttemptQuery<'a> {
    host: &'a str,
    wait: bool,
    ratio: f64,
    vcpus: Option<f64>,
    memory_mib: Option<i64>,
    bytes: Option<i64>,
}

impl diesel::query_builder::QueryId for AttemptQuery<'_> {
    type QueryId = AttemptQuery<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for AttemptQuery<'_> {
    type SqlType = diesel::sql_types::Untyped;
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for AttemptQuery<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql(
            "SELECT outcome, id, COALESCE(cpus, 0) AS cpus, \
             COALESCE(memory_mib, 0) AS memory_mib, COALESCE(storage_bytes, 0) AS storage_bytes, \
             COALESCE(used_vcpus, 0) AS used_vcpus, \
             COALESCE(used_memory_mib, 0) AS used_memory_mib, \
             COALESCE(used_storage, 0) AS used_storage \
             FROM overcast_place_attempt_v1(",
        );
        out.push_bind_param::<Integer, _>(&LOCK_CLASS)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.host)?;
        out.push_sql(", ");
        out.push_bind_param::<Bool, _>(&self.wait)?;
        out.push_sql(", ");
        out.push_bind_param::<Double, _>(&self.ratio)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Double>, _>(&self.vcpus)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&self.memory_mib)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&self.bytes)?;
        out.push_sql(")");
        Ok(())
    }
}

impl RunQueryDsl<diesel::PgConnection> for AttemptQuery<'_> {}

/// What one attempt on a host found.
enum Attempt {
    Fits(Free),
    /// Its lock is held elsewhere (only when not waiting).
    Busy,
    /// Fuller than the view said: what it has.
    Full(Free),
    /// No longer active.
    Gone,
}

/// Take `host`'s placement lock for the rest of the transaction, waiting
/// for it (a resize or a grow checks its host under it; a placement
/// attempt takes it inside `overcast_place_attempt_v1`). A
/// transaction holds only the locks of hosts it placed on, so a cycle of
/// waits needs one request placing on two hosts (an instance and, where its
/// host has no room, its drive); PostgreSQL breaks it (`deadlock_timeout`,
/// 1 s by default) by failing one, which is answered 409 `busy` (retry).
fn lock_host(conn: &mut DbConn, host: &HostId) -> ApiResult<()> {
    if !matches!(conn, DbConn::Pg(_)) {
        // SQLite's writers take turns (`Database::write`).
        return Ok(());
    }
    diesel::sql_query(format!(
        "SELECT pg_advisory_xact_lock({LOCK_CLASS}, hashtext($1))"
    ))
    .bind::<Text, _>(host)
    .execute(conn)
    .map_err(busy_on_deadlock)?;
    Ok(())
}

/// A deadlock between placements is answered 409 `busy` (retry).
fn busy_on_deadlock(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::DatabaseError(_, info)
            if info.message().contains("deadlock detected") =>
        {
            ApiError::conflict(
                "busy",
                "another request was placing on the same hosts; retry",
            )
        }
        e => e.into(),
    }
}

/// Hosts that hold any of `drive_ids` or run any of `instance_ids`.
fn hosts_of(
    conn: &mut DbConn,
    drive_ids: &[DriveId],
    instance_ids: &[InstanceId],
) -> ApiResult<HashSet<HostId>> {
    let mut set = HashSet::new();
    if !drive_ids.is_empty() {
        set.extend(
            drives::table
                .filter(drives::id.eq_any(drive_ids))
                .select(drives::host_id)
                .load::<Option<HostId>>(conn)?
                .into_iter()
                .flatten(),
        );
    }
    if !instance_ids.is_empty() {
        set.extend(
            instances::table
                .filter(instances::id.eq_any(instance_ids))
                .select(instances::host_id)
                .load::<Option<HostId>>(conn)?
                .into_iter()
                .flatten(),
        );
    }
    Ok(set)
}

/// Choose a host for a drive: one with room for `size_bytes`, avoiding the
/// hosts of `avoid_drives` and `avoid_instances`; the one with the most
/// room left wins (`prefer` first, if it fits). 507 when none fits, saying what ran out.
pub fn place_drive(
    conn: &mut DbConn,
    policy: &PlacementPolicy,
    size_bytes: i64,
    avoid_drives: &[DriveId],
    avoid_instances: &[InstanceId],
    prefer: Option<&HostId>,
) -> ApiResult<HostId> {
    let avoid = hosts_of(conn, avoid_drives, avoid_instances)?;
    policy.place(
        conn,
        Need::Drive { bytes: size_bytes },
        &avoid,
        prefer,
        "the avoid hints",
    )
}

/// Choose a host for an instance: free vCPUs and memory, not the host of
/// any instance in `avoid_instances` nor `avoid_host`, preferring the host
/// that holds its boot drive, then the one with the most free memory. 507
/// when none fits.
pub fn place_instance(
    conn: &mut DbConn,
    policy: &PlacementPolicy,
    instance: &InstanceRow,
    boot_drive_host: Option<&HostId>,
    avoid_host: Option<&HostId>,
) -> ApiResult<HostId> {
    let mut avoid = hosts_of(
        conn,
        &[],
        &json_ids::<InstanceId>(&instance.avoid_instances),
    )?;
    avoid.extend(avoid_host.cloned());
    policy.place(
        conn,
        Need::Instance {
            vcpus: instance.vcpus,
            memory_mib: instance.memory_mib,
        },
        &avoid,
        boot_drive_host,
        "avoid_instances",
    )
}

/// Whether `host_id` still fits the instance after a resize (its own
/// current allocation excluded), checked under the host's lock.
pub fn fits_after_resize(
    conn: &mut DbConn,
    policy: &PlacementPolicy,
    host_id: &HostId,
    old: &InstanceRow,
    vcpus: i32,
    memory_mib: i64,
) -> ApiResult<()> {
    lock_host(conn, host_id)?;
    let Some(free) = policy.truth(conn, host_id)? else {
        return Err(insufficient("the instance's host is not up".into()));
    };
    if free.vcpus + f64::from(old.vcpus) < f64::from(vcpus) {
        return Err(insufficient(format!(
            "vCPUs ran out on the instance's host: {vcpus} do not fit"
        )));
    }
    if free.memory_mib + old.memory_mib < memory_mib {
        return Err(insufficient(format!(
            "memory ran out on the instance's host: {memory_mib} MiB do not fit"
        )));
    }
    Ok(())
}

/// Whether `host_id` has room for a drive on it to grow by `bytes`,
/// checked under the host's lock.
pub fn fits_after_grow(
    conn: &mut DbConn,
    policy: &PlacementPolicy,
    host_id: &HostId,
    bytes: i64,
) -> ApiResult<()> {
    lock_host(conn, host_id)?;
    let Some(free) = policy.truth(conn, host_id)? else {
        return Err(insufficient(
            "the drive's host is not active: it cannot grow now".into(),
        ));
    };
    if free.storage < bytes {
        return Err(insufficient(format!(
            "storage ran out on the drive's host: {bytes} more bytes do not fit, it has {} \
             unallocated",
            free.storage.max(0)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(hosts: &[(&str, f64, i64, i64)]) -> PlacementPolicy {
        let policy = PlacementPolicy::default();
        {
            let hosts = hosts
                .iter()
                .map(|&(_, vcpus, memory_mib, storage)| Free {
                    id: HostId::new(),
                    up: true,
                    vcpus,
                    memory_mib,
                    storage,
                })
                .collect();
            *policy.view() = View::new(hosts, Instant::now());
        }
        policy
    }

    fn id(policy: &PlacementPolicy, i: usize) -> HostId {
        policy.view().hosts[i].id.clone()
    }

    const VM: Need = Need::Instance {
        vcpus: 2,
        memory_mib: 1024,
    };

    #[test]
    fn few_hosts_the_roomiest_wins_and_prefer_goes_first() {
        let p = view(&[
            ("a", 8.0, 4096, 0),
            ("b", 8.0, 8192, 0),
            ("c", 1.0, 65536, 0),
        ]);
        let (a, b, c) = (id(&p, 0), id(&p, 1), id(&p, 2));
        let none = HashSet::new();
        let v = p.view();
        // c has the most memory but too few vCPUs.
        assert_eq!(v.choose(VM, &none, &none, None), Some(b.clone()));
        assert_eq!(v.choose(VM, &none, &none, Some(&a)), Some(a.clone()));
        // A preferred host that does not fit is passed over.
        assert_eq!(v.choose(VM, &none, &none, Some(&c)), Some(b.clone()));
        let avoid: HashSet<HostId> = [b.clone()].into();
        assert_eq!(v.choose(VM, &avoid, &none, None), Some(a.clone()));
        let all: HashSet<HostId> = [a, b].into();
        assert_eq!(v.choose(VM, &none, &all, None), None);
    }

    #[test]
    fn many_hosts_spread_over_the_roomiest() {
        let hosts: Vec<(&str, f64, i64, i64)> =
            (0..1000).map(|i| ("h", 64.0, 1024 * i, 0)).collect();
        let p = view(&hosts);
        let none = HashSet::new();
        let v = p.view();
        let mut seen = HashSet::new();
        for _ in 0..400 {
            let pick = v.choose(VM, &none, &none, None).unwrap();
            let i = v.index[&pick];
            // 999 fit (all but the first), so the pick is among the 16 roomiest.
            assert!(i >= 1000 - 16, "picked host {i}");
            seen.insert(i);
        }
        assert!(seen.len() > 8, "only {} hosts picked", seen.len());
    }

    #[test]
    fn the_507_says_what_ran_out() {
        let p = view(&[("a", 1.0, 4096, 10), ("b", 8.0, 512, 20)]);
        let none = HashSet::new();
        let msg = |need: Need, avoid: &HashSet<HostId>| {
            need.shortfall(&p.view(), avoid, "the hints").message
        };
        assert!(
            msg(VM, &none).contains("memory ran out"),
            "{}",
            msg(VM, &none)
        );
        let big = Need::Instance {
            vcpus: 16,
            memory_mib: 1,
        };
        assert!(msg(big, &none).contains("vCPUs ran out"));
        assert!(msg(Need::Drive { bytes: 30 }, &none).contains("roomiest host has 20"));
        let both: HashSet<HostId> = [id(&p, 0), id(&p, 1)].into();
        assert!(msg(VM, &both).contains("excluded by the hints"));
        for i in 0..2 {
            let gone = id(&p, i);
            p.view().drop_host(&gone);
        }
        assert!(msg(VM, &none).contains("no host is up"));
    }
}
