//! The control plane's replicas as the database records them: each
//! replica's lease, the session directory (which replica holds which
//! host's session), singleton leases, and the claims on workflows.
//!
//! Every replica is an `overcast-server` process on the one database. A
//! replica is alive while its row's `time_expires` is ahead; it renews it
//! several times per lease. Times are each replica's clock (microseconds),
//! so replicas on different machines need their clocks in step (NTP) to
//! well within a lease.

use diesel::prelude::*;
use overcast_db::models::WorkflowRow;
use overcast_db::schema::{caches, host_sessions, leases, replicas, workflows};
use overcast_db::{DbConn, now_micros};
use overcast_types::ApiResult;
use overcast_types::ids::{HostId, WorkflowId};
use overcast_types::states::WorkflowState;

/// Another replica, as its peers reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub id: String,
    pub internal_url: String,
}

/// Record this replica as alive for `lease` microseconds from now (a new
/// row, or the renewal of its own).
pub fn renew(conn: &mut DbConn, id: &str, name: &str, url: &str, lease: i64) -> ApiResult<()> {
    let now = now_micros();
    let updated = diesel::update(replicas::table.find(id))
        .set(replicas::time_expires.eq(now + lease))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(replicas::table)
            .values((
                replicas::id.eq(id),
                replicas::name.eq(name),
                replicas::internal_url.eq(url),
                replicas::time_started.eq(now),
                replicas::time_expires.eq(now + lease),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// This replica is stopping: its row and its session directory entries go,
/// so its workflows are taken over at once, not after its lease.
pub fn retire(conn: &mut DbConn, id: &str) -> ApiResult<()> {
    diesel::delete(host_sessions::table.filter(host_sessions::replica_id.eq(id))).execute(conn)?;
    diesel::delete(replicas::table.find(id)).execute(conn)?;
    Ok(())
}

/// The replicas alive now (ids and names), this one included.
pub fn alive(conn: &mut DbConn) -> ApiResult<Vec<(String, String)>> {
    Ok(replicas::table
        .filter(replicas::time_expires.gt(now_micros()))
        .select((replicas::id, replicas::name))
        .load(conn)?)
}

/// Whether replica `id` holds an unexpired lease.
pub fn is_alive(conn: &mut DbConn, id: &str) -> ApiResult<bool> {
    Ok(replicas::table
        .find(id)
        .filter(replicas::time_expires.gt(now_micros()))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Forget replicas whose lease ran out more than `after` microseconds ago
/// (their host sessions went with them).
pub fn forget_dead(conn: &mut DbConn, after: i64) -> ApiResult<usize> {
    let dead: Vec<String> = replicas::table
        .filter(replicas::time_expires.lt(now_micros() - after))
        .select(replicas::id)
        .load(conn)?;
    if dead.is_empty() {
        return Ok(0);
    }
    diesel::delete(host_sessions::table.filter(host_sessions::replica_id.eq_any(&dead)))
        .execute(conn)?;
    Ok(diesel::delete(replicas::table.filter(replicas::id.eq_any(&dead))).execute(conn)?)
}

/// Record that this replica now holds `host`'s session.
pub fn session_opened(
    conn: &mut DbConn,
    host: &HostId,
    replica: &str,
    epoch: i64,
) -> ApiResult<()> {
    let now = now_micros();
    let updated = diesel::update(host_sessions::table.find(host))
        .set((
            host_sessions::replica_id.eq(replica),
            host_sessions::epoch.eq(epoch),
            host_sessions::time_opened.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(host_sessions::table)
            .values((
                host_sessions::host_id.eq(host),
                host_sessions::replica_id.eq(replica),
                host_sessions::epoch.eq(epoch),
                host_sessions::time_opened.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Record that this replica's session `epoch` of `host` closed (a newer
/// session, here or on another replica, keeps its entry).
pub fn session_closed(
    conn: &mut DbConn,
    host: &HostId,
    replica: &str,
    epoch: i64,
) -> ApiResult<()> {
    diesel::delete(
        host_sessions::table
            .filter(host_sessions::host_id.eq(host))
            .filter(host_sessions::replica_id.eq(replica))
            .filter(host_sessions::epoch.eq(epoch)),
    )
    .execute(conn)?;
    Ok(())
}

/// Make the directory name this replica for each of its sessions, where a
/// late write of another replica's (or a closing session's delete) left it
/// saying otherwise. How many entries were mended.
pub fn reassert_sessions(
    conn: &mut DbConn,
    replica: &str,
    sessions: &[(HostId, i64)],
) -> ApiResult<usize> {
    let mut mended = 0;
    for chunk in sessions.chunks(1000) {
        let ids: Vec<&HostId> = chunk.iter().map(|(h, _)| h).collect();
        let recorded: std::collections::HashMap<HostId, (String, i64)> = host_sessions::table
            .filter(host_sessions::host_id.eq_any(ids))
            .select((
                host_sessions::host_id,
                host_sessions::replica_id,
                host_sessions::epoch,
            ))
            .load::<(HostId, String, i64)>(conn)?
            .into_iter()
            .map(|(h, r, e)| (h, (r, e)))
            .collect();
        for (host, epoch) in chunk {
            if recorded.get(host) != Some(&(replica.to_string(), *epoch)) {
                session_opened(conn, host, replica, *epoch)?;
                mended += 1;
            }
        }
    }
    Ok(mended)
}

/// The live replica holding `host`'s session, if any.
pub fn session_holder(conn: &mut DbConn, host: &HostId) -> ApiResult<Option<Peer>> {
    let Some(replica) = host_sessions::table
        .find(host)
        .select(host_sessions::replica_id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    Ok(replicas::table
        .find(&replica)
        .filter(replicas::time_expires.gt(now_micros()))
        .select(replicas::internal_url)
        .first::<String>(conn)
        .optional()?
        .map(|internal_url| Peer {
            id: replica,
            internal_url,
        }))
}

/// Hold the singleton `name` for `lease` microseconds from now: renew it
/// if this replica holds it, take it if its holder's lease ran out. The
/// generation held, or `None` if another replica holds it.
pub fn acquire(conn: &mut DbConn, name: &str, me: &str, lease: i64) -> ApiResult<Option<i64>> {
    let now = now_micros();
    let current: Option<(String, i64, i64)> = leases::table
        .find(name)
        .select((leases::replica_id, leases::generation, leases::time_expires))
        .first(conn)
        .optional()?;
    // The migration made a row for each singleton.
    let Some((holder, generation, expires)) = current else {
        return Ok(None);
    };
    let next = if holder == me && expires > now {
        generation
    } else if expires <= now {
        generation + 1
    } else {
        return Ok(None);
    };
    // Compare and swap on the row as read: of two replicas taking an
    // expired lease at once, or one taking it while its holder renews,
    // one wins.
    let updated = diesel::update(
        leases::table
            .find(name)
            .filter(leases::replica_id.eq(&holder))
            .filter(leases::generation.eq(generation))
            .filter(leases::time_expires.eq(expires)),
    )
    .set((
        leases::replica_id.eq(me),
        leases::generation.eq(next),
        leases::time_expires.eq(now + lease),
    ))
    .execute(conn)?;
    Ok((updated == 1).then_some(next))
}

/// Let go of every singleton this replica holds (it is stopping).
pub fn release(conn: &mut DbConn, me: &str) -> ApiResult<()> {
    diesel::update(leases::table.filter(leases::replica_id.eq(me)))
        .set(leases::time_expires.eq(0i64))
        .execute(conn)?;
    Ok(())
}

/// Running workflows no live replica runs: their owner's lease ran out, or
/// none claimed them within `grace` microseconds of their creation.
pub fn orphaned_workflows(conn: &mut DbConn, grace: i64) -> ApiResult<Vec<WorkflowId>> {
    let now = now_micros();
    let live: std::collections::HashSet<String> = replicas::table
        .filter(replicas::time_expires.gt(now))
        .select(replicas::id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let running: Vec<(WorkflowId, Option<String>, i64)> = workflows::table
        .filter(workflows::state.eq(WorkflowState::Running))
        .order(workflows::id.asc())
        .select((workflows::id, workflows::owner, workflows::time_created))
        .load(conn)?;
    Ok(running
        .into_iter()
        .filter(|(_, owner, created)| match owner {
            Some(o) => !live.contains(o),
            None => *created < now - grace,
        })
        .map(|(id, _, _)| id)
        .collect())
}

/// Claim workflow `id` for this replica: it must be running, and unowned
/// or owned by a replica no longer alive (or by this one). Raises its
/// generation; the row as claimed, or `None`.
pub fn claim(conn: &mut DbConn, id: &WorkflowId, me: &str) -> ApiResult<Option<WorkflowRow>> {
    let Some(row) = workflows::table
        .find(id)
        .select(WorkflowRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    if row.state != WorkflowState::Running {
        return Ok(None);
    }
    if let Some(owner) = &row.owner
        && owner != me
    {
        let alive: i64 = replicas::table
            .find(owner)
            .filter(replicas::time_expires.gt(now_micros()))
            .count()
            .get_result(conn)?;
        if alive > 0 {
            return Ok(None);
        }
    }
    let updated = diesel::update(
        workflows::table
            .find(id)
            .filter(workflows::generation.eq(row.generation)),
    )
    .set((
        workflows::owner.eq(me),
        workflows::generation.eq(row.generation + 1),
    ))
    .execute(conn)?;
    Ok((updated == 1).then(|| WorkflowRow {
        owner: Some(me.to_string()),
        generation: row.generation + 1,
        ..row
    }))
}

/// The token cache's row in `caches`.
pub const TOKEN_CACHE: &str = "tokens";

/// Tell every replica to drop cache `name` (in the caller's transaction).
pub fn invalidate(conn: &mut DbConn, name: &str) -> ApiResult<()> {
    diesel::update(caches::table.find(name))
        .set(caches::generation.eq(caches::generation + 1))
        .execute(conn)?;
    Ok(())
}

/// Cache `name`'s generation now.
pub fn cache_generation(conn: &mut DbConn, name: &str) -> ApiResult<i64> {
    Ok(caches::table
        .find(name)
        .select(caches::generation)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}
