//! Host failure: detection, and what happens to a lost host's instances.
//!
//! A host silent for half the detection time is `suspect` (it takes
//! nothing new); silent for all of it, `down`. Then each of its instances
//! that should run is dealt with in the same transaction:
//! - HA policy `none`: `failed`;
//! - a drive that lived on the lost host: `failed`, naming the drive (only
//!   replication can save it);
//! - otherwise `restarting`, with an `instance_failover` workflow: take it
//!   off the lost host, fence every drive it used (the serving host's ACL
//!   stops admitting the lost host and its open connections are dropped;
//!   the serving host confirms by answering; a replicated drive's Ceph
//!   clients on the lost host are blocklisted, then its image's locks
//!   broken), place it on a healthy host,
//!   admit that host, start it there. A drive whose serving host cannot be
//!   reached cannot be fenced: the workflow fails and says so, and the
//!   instance is not started anywhere.
//!
//! Every stage is an event, with its time since the host was found down.

use diesel::prelude::*;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, now_micros};
use overcast_types::ApiResult;
use overcast_types::ids::*;
use overcast_types::params::{HaPolicy, StorageClass};
use overcast_types::states::{HostState, InstanceState, WorkflowState};
use serde::{Deserialize, Serialize};

use super::placement::PlacementPolicy;
use super::plans::{self, Plan, PlanKind, Step};
use super::{global_subject, record_system_event, subject};

/// A stage of a failover, recorded as an event `instance.<stage>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailoverStage {
    /// No drive it used admits the lost host any more.
    Fenced,
    /// A healthy host was chosen.
    Placed,
    /// It runs there.
    Restarted,
}

impl FailoverStage {
    fn verb(self) -> &'static str {
        match self {
            FailoverStage::Fenced => "fenced",
            FailoverStage::Placed => "placed",
            FailoverStage::Restarted => "restarted",
        }
    }
}

fn seconds(micros: i64) -> String {
    format!("{:.1} s", micros as f64 / 1e6)
}

/// What one round of detection found: the failovers it recorded, and the
/// names of the hosts it found down.
#[derive(Debug, Default)]
pub struct Detected {
    pub workflows: Vec<WorkflowId>,
    pub down: Vec<String>,
}

/// One pass of failure detection: hosts silent for half of
/// `detection_micros` become `suspect`, for all of it `down`, and the
/// instances of a host found down are failed or given a failover
/// workflow. Silence is counted from `since` at the earliest (the server's
/// start: a restarted server does not find every host down at once).
/// Returns the workflows to launch and the hosts found down.
pub fn detect(conn: &mut DbConn, detection_micros: i64, since: i64) -> ApiResult<Detected> {
    let now = now_micros();
    let mut down = Vec::new();
    // Only hosts silent for half the detection time or more: a fleet of
    // healthy hosts costs one index read.
    let watched: Vec<HostRow> = hosts::table
        .filter(hosts::state.eq_any([HostState::Active, HostState::Draining, HostState::Suspect]))
        .filter(
            hosts::time_heartbeat
                .is_null()
                .or(hosts::time_heartbeat.lt(now - detection_micros / 2)),
        )
        .select(HostRow::as_select())
        .load(conn)?;
    let mut launch = Vec::new();
    for mut host in watched {
        let last = host.time_heartbeat.unwrap_or(host.time_created).max(since);
        let silent = now - last;
        let state = if silent >= detection_micros {
            HostState::Down
        } else if silent >= detection_micros / 2 {
            HostState::Suspect
        } else {
            continue;
        };
        if state == host.state {
            continue;
        }
        // Only if no heartbeat or other change came in since it was read
        // (PostgreSQL lets a heartbeat commit in between).
        let written = diesel::update(
            hosts::table
                .find(&host.id)
                .filter(hosts::generation.eq(host.generation))
                .filter(
                    hosts::time_heartbeat
                        .le(host.time_heartbeat.unwrap_or(i64::MIN))
                        .or(hosts::time_heartbeat.is_null()),
                ),
        )
        .set((
            hosts::state.eq(state),
            hosts::time_state_changed.eq(now),
            hosts::time_modified.eq(now),
            hosts::generation.eq(host.generation + 1),
        ))
        .execute(conn)?;
        if written == 0 {
            continue;
        }
        host.state = state;
        host.time_state_changed = now;
        let verb = if state == HostState::Down {
            "down"
        } else {
            "suspect"
        };
        record_system_event(
            conn,
            verb,
            global_subject("host", &host.id, &host.name),
            format!(
                "no heartbeat for {} (detection time {})",
                seconds(silent),
                seconds(detection_micros)
            ),
        )?;
        if state == HostState::Down {
            launch.extend(host_down(conn, &host)?);
            down.push(host.name.clone());
        }
    }
    Ok(Detected {
        workflows: launch,
        down,
    })
}

/// Fail or fail over every instance of `host` (found down) that should
/// be running and has no workflow under way (one that has fails on the
/// lost host by itself).
fn host_down(conn: &mut DbConn, host: &HostRow) -> ApiResult<Vec<WorkflowId>> {
    let busy: Vec<String> = workflows::table
        .filter(workflows::state.eq(WorkflowState::Running))
        .select(workflows::subject_id)
        .load(conn)?;
    let instances: Vec<InstanceRow> = instances::table
        .filter(instances::host_id.eq(&host.id))
        .filter(instances::state.eq_any([
            InstanceState::Running,
            InstanceState::Starting,
            InstanceState::Rebooting,
        ]))
        .select(InstanceRow::as_select())
        .load(conn)?;
    let mut launch = Vec::new();
    for row in instances {
        if busy.iter().any(|b| b == row.id.as_str()) {
            continue;
        }
        let drives: Vec<DriveRow> = drives::table
            .filter(drives::instance_id.eq(&row.id))
            .order(drives::slot.asc())
            .select(DriveRow::as_select())
            .load(conn)?;
        let lost = drives.iter().find(|d| d.host_id.as_ref() == Some(&host.id));
        let unfenceable = unfenceable_drive(conn, &drives, &host.id)?;
        let refusal = match (row.ha_policy, lost, unfenceable) {
            (HaPolicy::None, _, _) => Some(format!(
                "host {} is down and the HA policy is `none`: not restarted",
                host.name
            )),
            (_, Some(d), _) => Some(format!(
                "drive {} ({}) lived only on host {}, which is down: not restarted",
                d.name, d.id, host.name
            )),
            (_, None, Some((d, server))) => Some(format!(
                "drive {} ({}) is served by host {server}, which is down too: it cannot be \
                 fenced, so the instance is not restarted",
                d.name, d.id
            )),
            _ => None,
        };
        let state = if refusal.is_some() {
            InstanceState::Failed
        } else {
            InstanceState::Restarting
        };
        super::commands::set_instance_state(conn, &row.id, state)?;
        match refusal {
            Some(message) => {
                record_system_event(
                    conn,
                    "failed",
                    subject("instance", &row.id, &row.name, &row.account_id),
                    message,
                )?;
            }
            None => {
                record_system_event(
                    conn,
                    "restarting",
                    subject("instance", &row.id, &row.name, &row.account_id),
                    format!(
                        "host {} is down: fencing its drives, then restarting it elsewhere",
                        host.name
                    ),
                )?;
                // New CHAP secrets: the fence remakes each target with
                // them, so nothing the lost host knew opens it again.
                for drive in &drives {
                    super::drives::rotate_chap(conn, &drive.id)?;
                }
                // Its failover blocklists the host: the server keeps the
                // entry until the host is back and clean.
                if drives
                    .iter()
                    .any(|d| d.storage_class == StorageClass::Replicated)
                {
                    diesel::update(hosts::table.find(&host.id))
                        .set(hosts::storage_fenced.eq(true))
                        .execute(conn)?;
                }
                let plan =
                    failover_plan(conn, &row.id, &host.id, host.time_state_changed, &drives)?;
                launch.push(plans::insert_system(
                    conn,
                    PlanKind::InstanceFailover,
                    &row.id,
                    &plan,
                )?);
            }
        }
    }
    Ok(launch)
}

/// A drive of the instance whose serving host (not `lost`) is down, with
/// that host's name: its target cannot confirm a fence.
fn unfenceable_drive(
    conn: &mut DbConn,
    drives: &[DriveRow],
    lost: &HostId,
) -> ApiResult<Option<(DriveRow, String)>> {
    for d in drives {
        let Some(server) = d.host_id.as_ref().filter(|h| *h != lost) else {
            continue;
        };
        let (name, state): (String, HostState) = hosts::table
            .find(server)
            .select((hosts::name, hosts::state))
            .first(conn)?;
        if state == HostState::Down {
            return Ok(Some((d.clone(), name)));
        }
    }
    Ok(None)
}

/// Fence, place, then start as a start does (admit, boot, `running`).
pub fn failover_plan(
    conn: &mut DbConn,
    instance: &InstanceId,
    lost: &HostId,
    down_at: i64,
    drives: &[DriveRow],
) -> ApiResult<Plan> {
    let stage = |stage| Step::FailoverEvent {
        instance: instance.clone(),
        lost_host: lost.clone(),
        stage,
        down_at,
    };
    let mut plan = Plan::new().then(Step::Unplace {
        instance: instance.clone(),
    });
    // With the instance on no host, each drive's ACL admits nobody: the
    // serving host drops the lost host's connections and confirms.
    for d in drives {
        plan = plan.then(Step::EnsureDrive {
            drive: d.id.clone(),
        });
    }
    // Replicated drives: the lost host's Ceph clients are blocklisted (the
    // server renews the entry until the host is back and clean), and only
    // then are the images' locks broken. RBD's exclusive lock alone does
    // not fence: it is handed over cooperatively.
    let replicated: Vec<&DriveRow> = drives
        .iter()
        .filter(|d| d.storage_class == StorageClass::Replicated)
        .collect();
    if !replicated.is_empty() {
        plan =
            plan.then(Step::FenceStorage { host: lost.clone() })
                .then(Step::BreakInstanceLocks {
                    instance: instance.clone(),
                });
    }
    plan = plan
        .then(stage(FailoverStage::Fenced))
        .then(Step::PlaceInstance {
            instance: instance.clone(),
            lost_host: Some(lost.clone()),
        })
        .then(stage(FailoverStage::Placed));
    // The stage is recorded once the host runs the instance, before the
    // last step shows it `running`: that step ends the workflow with it,
    // so a client seeing `running` never finds the instance still busy.
    let mut start = super::instances::power_plan(conn, instance, InstanceState::Running)?;
    let shown = start
        .steps
        .pop()
        .expect("a power plan ends by setting the state");
    plan.steps.extend(start.steps);
    plan.on_unwind = start.on_unwind;
    plan = plan.then(stage(FailoverStage::Restarted));
    plan.steps.push(shown);
    Ok(plan)
}

/// The addresses of hosts whose Ceph clients are blocklisted and that are
/// not back: their entries are renewed. (One that is back `active` keeps
/// its entry for up to its last renewal's 10 minutes while it cleans up,
/// so a renewal never races the lifting of its entry.)
pub fn storage_fenced(conn: &mut DbConn) -> ApiResult<Vec<String>> {
    Ok(hosts::table
        .filter(hosts::storage_fenced.eq(true))
        .filter(hosts::state.ne(HostState::Active))
        .select(hosts::address)
        .load(conn)?)
}

/// Whether host `id` is blocklisted and back: `active`, with nothing left
/// to reconcile (its stale domains are destroyed), so its blocklist entry
/// can go. Its address, if so.
pub fn ready_to_unfence(conn: &mut DbConn, id: &HostId) -> ApiResult<Option<String>> {
    Ok(hosts::table
        .find(id)
        .filter(hosts::storage_fenced.eq(true))
        .filter(hosts::state.eq(HostState::Active))
        .select(hosts::address)
        .first(conn)
        .optional()?)
}

/// The host's blocklist entry is gone.
pub fn unfenced(conn: &mut DbConn, id: &HostId) -> ApiResult<()> {
    diesel::update(hosts::table.find(id))
        .set(hosts::storage_fenced.eq(false))
        .execute(conn)?;
    Ok(())
}

/// Take the instance off its host.
pub fn unplace(conn: &mut DbConn, id: &InstanceId) -> ApiResult<()> {
    diesel::update(instances::table.find(id))
        .set((
            instances::host_id.eq(None::<HostId>),
            instances::generation.eq(instances::generation + 1),
            instances::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Give the instance a healthy host other than the one it was lost from,
/// unless it has one (a step run twice).
pub fn place(
    conn: &mut DbConn,
    policy: &PlacementPolicy,
    id: &InstanceId,
    lost: Option<&HostId>,
) -> ApiResult<()> {
    let Some(row) = instances::table
        .find(id)
        .select(InstanceRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(());
    };
    if row.host_id.is_some() {
        return Ok(());
    }
    let host = super::placement::place_instance(conn, policy, &row, None, lost)?;
    diesel::update(instances::table.find(id))
        .set((
            instances::host_id.eq(Some(host)),
            instances::generation.eq(instances::generation + 1),
            instances::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Record a stage of the failover, timed from the moment the lost host was
/// found down.
pub fn record_stage(
    conn: &mut DbConn,
    id: &InstanceId,
    lost: &HostId,
    stage: FailoverStage,
    down_at: i64,
) -> ApiResult<()> {
    let Some(row) = instances::table
        .find(id)
        .select(InstanceRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(());
    };
    let lost: Option<HostRow> = hosts::table
        .find(lost)
        .select(HostRow::as_select())
        .first(conn)
        .optional()?;
    let (lost_name, since) = lost
        .map(|h| {
            // Plans recorded before `down_at` existed: the host's own time.
            let down_at = if down_at > 0 {
                down_at
            } else {
                h.time_state_changed
            };
            (h.name, now_micros() - down_at)
        })
        .unwrap_or_default();
    let at = match &row.host_id {
        Some(h) => hosts::table
            .find(h)
            .select(hosts::name)
            .first::<String>(conn)
            .optional()?
            .unwrap_or_default(),
        None => String::new(),
    };
    let message = match stage {
        FailoverStage::Fenced => format!("no drive admits host {lost_name} any more"),
        FailoverStage::Placed => format!("placed on host {at}"),
        FailoverStage::Restarted => format!("running on host {at}"),
    };
    record_system_event(
        conn,
        stage.verb(),
        subject("instance", &row.id, &row.name, &row.account_id),
        format!(
            "{message}, {} after host {lost_name} was found down",
            seconds(since)
        ),
    )
}
