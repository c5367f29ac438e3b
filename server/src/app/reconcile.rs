//! Reconciliation: compare a host's reported inventory with the database
//! and decide what to remove, re-create or record.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use overcast_db::DbConn;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_internal_api::v1::{self as api, server_message::Command as Cmd};
use overcast_types::ApiResult;
use overcast_types::ids::*;
use overcast_types::states::{InstanceState, WorkflowState};

use super::commands::{ensure_drive_command, ensure_instance_command, set_instance_state};
use super::hosts::HostRefusal;

/// A heartbeat's inventory, ids checked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// Instance id -> running.
    pub domains: HashMap<String, bool>,
    /// Drive id -> exported.
    pub drives: HashMap<String, bool>,
}

impl Inventory {
    /// Check a heartbeat's inventory: every id must be a UUID.
    pub fn from_report(i: api::Inventory) -> Result<Self, HostRefusal> {
        let check = |id: &str| {
            uuid::Uuid::parse_str(id)
                .map(|u| u.to_string())
                .map_err(|_| HostRefusal::Invalid(format!("inventory id `{id}` is not a UUID")))
        };
        let mut out = Inventory::default();
        for d in i.domains {
            out.domains.insert(check(&d.instance_id)?, d.running);
        }
        for d in i.drives {
            out.drives.insert(check(&d.drive_id)?, d.exported);
        }
        Ok(out)
    }
}

/// A generation no later command can be newer than: for objects the
/// database no longer knows.
const FOREVER: u64 = i64::MAX as u64;

/// Objects changed this recently are left alone: the inventory may predate
/// the change.
const SETTLE_MICROS: i64 = 5_000_000;

/// Compare a host's inventory with the database: remove what the database
/// does not know, re-create what is missing, and let instance states follow
/// what the host reports. Objects with a workflow under way are skipped.
pub fn plan_reconciliation(
    conn: &mut DbConn,
    host_id: &HostId,
    inv: &Inventory,
    arrived: i64,
) -> ApiResult<Vec<(String, Cmd)>> {
    let busy: HashSet<String> = workflows::table
        .filter(workflows::state.eq(WorkflowState::Running))
        .select(workflows::subject_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let settled = |modified: i64| modified < arrived - SETTLE_MICROS;
    let mut plan = Vec::new();

    let instances: Vec<InstanceRow> = instances::table
        .filter(instances::host_id.eq(host_id))
        .select(InstanceRow::as_select())
        .load(conn)?;
    let known_instances: HashSet<&str> = instances.iter().map(|r| r.id.as_str()).collect();
    // Domains of instances that are gone or live elsewhere.
    let elsewhere: HashMap<String, i64> = instances::table
        .filter(instances::id.eq_any(inv.domains.keys().cloned().collect::<Vec<_>>()))
        .select((instances::id, instances::generation))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    for id in inv.domains.keys() {
        if !known_instances.contains(id.as_str()) && !busy.contains(id) {
            let generation = elsewhere.get(id).map_or(FOREVER, |g| *g as u64);
            plan.push((
                format!("remove unknown domain of instance {id}"),
                Cmd::RemoveInstance(api::RemoveInstance {
                    instance_id: id.clone(),
                    generation,
                }),
            ));
        }
    }
    for row in &instances {
        if busy.contains(row.id.as_str()) || !settled(row.time_modified) {
            continue;
        }
        let state = row.state;
        let reported = inv.domains.get(row.id.as_str()).copied();
        match (state, reported) {
            (InstanceState::Running, None) => {
                let cmd = ensure_instance_command(conn, &row.id, true)?.1;
                plan.push((
                    format!("re-create missing domain of instance {}", row.id),
                    cmd,
                ));
            }
            (InstanceState::Running, Some(false)) => {
                // The guest powered itself off.
                set_instance_state(conn, &row.id, InstanceState::Stopped)?;
            }
            (InstanceState::Stopped, Some(true)) => {
                let cmd = ensure_instance_command(conn, &row.id, false)?.1;
                plan.push((format!("stop instance {} that should not run", row.id), cmd));
            }
            _ => {}
        }
    }

    let drives: Vec<DriveRow> = drives::table
        .filter(drives::host_id.eq(host_id))
        .select(DriveRow::as_select())
        .load(conn)?;
    let known_drives: HashSet<&str> = drives.iter().map(|r| r.id.as_str()).collect();
    let drive_generations: HashMap<String, i64> = drives::table
        .filter(drives::id.eq_any(inv.drives.keys().cloned().collect::<Vec<_>>()))
        .select((drives::id, drives::generation))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    for id in inv.drives.keys() {
        if !known_drives.contains(id.as_str()) && !busy.contains(id) {
            let generation = drive_generations.get(id).map_or(FOREVER, |g| *g as u64);
            plan.push((
                format!("remove unknown drive {id}"),
                Cmd::RemoveDrive(api::RemoveDrive {
                    drive_id: id.clone(),
                    generation,
                }),
            ));
        }
    }
    for row in &drives {
        let ready = row.state.is_ready();
        if busy.contains(row.id.as_str()) || !ready || !settled(row.time_modified) {
            continue;
        }
        if inv.drives.get(row.id.as_str()) != Some(&true) {
            let cmd = ensure_drive_command(conn, &row.id)?.1;
            plan.push((format!("re-create missing drive {}", row.id), cmd));
        }
    }
    Ok(plan)
}
