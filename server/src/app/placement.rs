//! Placement: which host takes a new drive or instance, from what the hosts
//! have and what is already placed on them. 507 when nothing fits, naming
//! what ran out.

use std::collections::HashSet;

use diesel::prelude::*;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, json_ids};
use overcast_types::ids::*;
use overcast_types::states::HostState;
use overcast_types::{ApiError, ApiResult};

/// How placement counts capacity.
#[derive(Debug, Clone, Copy)]
pub struct PlacementPolicy {
    /// vCPUs placed per host CPU.
    pub cpu_allocation_ratio: f64,
}

impl Default for PlacementPolicy {
    fn default() -> Self {
        Self {
            cpu_allocation_ratio: 4.0,
        }
    }
}

/// A host that can take new work, with what it has left.
#[derive(Debug, Clone)]
struct Candidate {
    host: HostRow,
    free_vcpus: f64,
    free_memory_mib: i64,
    free_storage: i64,
}

fn candidates(conn: &mut DbConn, policy: PlacementPolicy) -> ApiResult<Vec<Candidate>> {
    // Suspect and down hosts are not `active`.
    let hosts: Vec<HostRow> = hosts::table
        .filter(hosts::state.eq(HostState::Active))
        .order(hosts::name.asc())
        .select(HostRow::as_select())
        .load(conn)?;
    let mut out = Vec::new();
    for host in hosts {
        let placed: Vec<(i32, i64)> = instances::table
            .filter(instances::host_id.eq(&host.id))
            .select((instances::vcpus, instances::memory_mib))
            .load(conn)?;
        let vcpus: i64 = placed.iter().map(|(v, _)| i64::from(*v)).sum();
        let memory: i64 = placed.iter().map(|(_, m)| *m).sum();
        let storage: i64 = drives::table
            .filter(drives::host_id.eq(&host.id))
            .select(drives::size_bytes)
            .load::<i64>(conn)?
            .into_iter()
            .sum();
        out.push(Candidate {
            free_vcpus: f64::from(host.cpus) * policy.cpu_allocation_ratio - vcpus as f64,
            free_memory_mib: host.memory_mib - memory,
            free_storage: host.storage_bytes - storage,
            host,
        });
    }
    Ok(out)
}

fn insufficient(what: String) -> ApiError {
    ApiError::insufficient("insufficient_capacity", what)
}

/// Hosts that hold any of `drive_ids` or run any of `instance_ids`.
fn hosts_of(
    conn: &mut DbConn,
    drive_ids: &[DriveId],
    instance_ids: &[InstanceId],
) -> ApiResult<HashSet<HostId>> {
    let mut set: HashSet<HostId> = drives::table
        .filter(drives::id.eq_any(drive_ids))
        .select(drives::host_id)
        .load::<Option<HostId>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    set.extend(
        instances::table
            .filter(instances::id.eq_any(instance_ids))
            .select(instances::host_id)
            .load::<Option<HostId>>(conn)?
            .into_iter()
            .flatten(),
    );
    Ok(set)
}

/// Choose a host for a drive: one with room for `size_bytes`, avoiding the
/// hosts of `avoid_drives` and `avoid_instances`; the one with the most
/// room left wins (`prefer` first, if it fits). 507 when none fits, saying what ran out.
pub fn place_drive(
    conn: &mut DbConn,
    policy: PlacementPolicy,
    size_bytes: i64,
    avoid_drives: &[DriveId],
    avoid_instances: &[InstanceId],
    prefer: Option<&HostId>,
) -> ApiResult<HostId> {
    let avoid = hosts_of(conn, avoid_drives, avoid_instances)?;
    let all = candidates(conn, policy)?;
    if all.is_empty() {
        return Err(insufficient("no host is up to hold the drive".into()));
    }
    let allowed: Vec<&Candidate> = all.iter().filter(|c| !avoid.contains(&c.host.id)).collect();
    if allowed.is_empty() {
        return Err(insufficient(
            "every host that is up is excluded by the avoid hints".into(),
        ));
    }
    allowed
        .iter()
        .filter(|c| c.free_storage >= size_bytes)
        .max_by_key(|c| (prefer == Some(&c.host.id), c.free_storage))
        .map(|c| c.host.id.clone())
        .ok_or_else(|| {
            let most = allowed.iter().map(|c| c.free_storage).max().unwrap_or(0);
            insufficient(format!(
                "storage ran out: the drive needs {size_bytes} bytes, the roomiest host has {most} unallocated"
            ))
        })
}

/// Choose a host for an instance: free vCPUs and memory, not the host of
/// any instance in `avoid_instances` nor `avoid_host`, preferring the host
/// that holds its boot drive, then the one with the most free memory. 507
/// when none fits.
pub fn place_instance(
    conn: &mut DbConn,
    policy: PlacementPolicy,
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
    let all = candidates(conn, policy)?;
    if all.is_empty() {
        return Err(insufficient("no host is up to run the instance".into()));
    }
    let allowed: Vec<&Candidate> = all.iter().filter(|c| !avoid.contains(&c.host.id)).collect();
    if allowed.is_empty() {
        return Err(insufficient(
            "every host that is up is excluded by avoid_instances".into(),
        ));
    }
    let cpu_fit: Vec<&&Candidate> = allowed
        .iter()
        .filter(|c| c.free_vcpus >= f64::from(instance.vcpus))
        .collect();
    if cpu_fit.is_empty() {
        return Err(insufficient(format!(
            "vCPUs ran out: the instance needs {}, no host has that many free",
            instance.vcpus
        )));
    }
    cpu_fit
        .iter()
        .filter(|c| c.free_memory_mib >= instance.memory_mib)
        .max_by_key(|c| {
            (
                boot_drive_host == Some(&c.host.id),
                c.free_memory_mib,
            )
        })
        .map(|c| c.host.id.clone())
        .ok_or_else(|| {
            let most = cpu_fit.iter().map(|c| c.free_memory_mib).max().unwrap_or(0);
            insufficient(format!(
                "memory ran out: the instance needs {} MiB, the host with the most has {most} MiB free",
                instance.memory_mib
            ))
        })
}

/// Whether `host_id` still fits the instance after a resize (its own
/// current allocation excluded).
pub fn fits_after_resize(
    conn: &mut DbConn,
    policy: PlacementPolicy,
    host_id: &HostId,
    old: &InstanceRow,
    vcpus: i32,
    memory_mib: i64,
) -> ApiResult<()> {
    let Some(c) = candidates(conn, policy)?
        .into_iter()
        .find(|c| &c.host.id == host_id)
    else {
        return Err(insufficient("the instance's host is not up".into()));
    };
    if c.free_vcpus + f64::from(old.vcpus) < f64::from(vcpus) {
        return Err(insufficient(format!(
            "vCPUs ran out on the instance's host: {vcpus} do not fit"
        )));
    }
    if c.free_memory_mib + old.memory_mib < memory_mib {
        return Err(insufficient(format!(
            "memory ran out on the instance's host: {memory_mib} MiB do not fit"
        )));
    }
    Ok(())
}
