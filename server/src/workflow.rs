//! Persisted workflows. Every operation that reaches a host (provision,
//! start, stop, reboot, resize, delete of instances; create, grow and
//! delete of drives) is a row in `workflows`: a list of idempotent steps,
//! each with an optional undo, and a cursor. The row is written in the same
//! transaction as the API's state change, and the cursor moves after each
//! step, so a server killed at any step resumes on restart: it re-runs the
//! step at the cursor (steps are idempotent), or, when a step fails for
//! good, unwinds by running the undos of the steps done, newest first.
//!
//! Why not steno (Oxide's saga engine): our workflows are short, linear
//! lists; steno's DAG builder, action registry and saga log store would be
//! more code to wire up than this engine.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use overcast_internal_api::v1::{self as api, server_message::Command as Cmd};
use serde::{Deserialize, Serialize};

use crate::app::{App, json_list};
use crate::db::models::*;
use crate::db::schema::*;
use crate::db::{DbConn, new_id, now_micros};
use crate::error::{ApiError, ApiResult};
use crate::hosts::CallError;
use crate::views::{DriveState, InstanceState, enum_str};

/// Transient failures (host unreachable) are retried this long before the
/// workflow unwinds.
pub const RETRY_FOR: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Step {
    /// Make the drive's file and export on its host, ACL included.
    EnsureDrive {
        drive: String,
    },
    /// Remove the drive's export and file from its host.
    RemoveDrive {
        drive: String,
    },
    /// The drive is made: `available`, or `attached` if an instance has it.
    DriveReady {
        drive: String,
    },
    DriveFailed {
        drive: String,
    },
    /// Remove the drive's row.
    ForgetDrive {
        drive: String,
    },
    /// Define the domain and make it run or stop.
    EnsureInstance {
        instance: String,
        running: bool,
    },
    RebootInstance {
        instance: String,
    },
    /// Destroy and undefine the domain.
    RemoveInstance {
        instance: String,
    },
    SetInstanceState {
        instance: String,
        state: InstanceState,
    },
    /// Detach the instance's drives and IPs (kept) and remove its row.
    ForgetInstance {
        instance: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub step: Step,
    #[serde(default)]
    pub undo: Option<Step>,
}

/// What a workflow does: its steps, and what marks its subject once it has
/// unwound.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<Entry>,
    pub on_unwind: Option<Step>,
}

impl Plan {
    pub fn new() -> Self {
        Self {
            steps: Vec::new(),
            on_unwind: None,
        }
    }

    pub fn then(mut self, step: Step) -> Self {
        self.steps.push(Entry { step, undo: None });
        self
    }

    pub fn then_undoable(mut self, step: Step, undo: Step) -> Self {
        self.steps.push(Entry {
            step,
            undo: Some(undo),
        });
        self
    }

    pub fn on_unwind(mut self, step: Step) -> Self {
        self.on_unwind = Some(step);
        self
    }
}

impl Default for Plan {
    fn default() -> Self {
        Self::new()
    }
}

const RUNNING: &str = "running";

/// Record a workflow for `subject` (in the caller's transaction). Only one
/// workflow runs per subject at a time: 409 otherwise.
pub fn insert(conn: &mut DbConn, kind: &str, subject: &str, plan: &Plan) -> ApiResult<String> {
    let busy: i64 = workflows::table
        .filter(workflows::state.eq(RUNNING))
        .filter(workflows::subject_id.eq(subject))
        .count()
        .get_result(conn)?;
    if busy > 0 {
        return Err(ApiError::conflict(
            "busy",
            "another operation on this resource is under way; retry when it ends",
        ));
    }
    let now = now_micros();
    let row = WorkflowRow {
        id: new_id(),
        kind: kind.to_string(),
        subject_id: subject.to_string(),
        steps: serde_json::to_string(plan).map_err(ApiError::internal)?,
        cursor: 0,
        direction: "forward".into(),
        state: RUNNING.into(),
        error: None,
        time_created: now,
        time_modified: now,
    };
    diesel::insert_into(workflows::table)
        .values(&row)
        .execute(conn)?;
    Ok(row.id)
}

/// Run a recorded workflow in the background.
pub fn launch(app: &App, id: String) {
    tokio::spawn(run(app.clone(), id));
}

/// Resume every workflow that was under way when the server stopped.
pub async fn resume_all(app: &App) -> ApiResult<usize> {
    let ids: Vec<String> = app
        .db
        .read(|c| {
            Ok(workflows::table
                .filter(workflows::state.eq(RUNNING))
                .order(workflows::id.asc())
                .select(workflows::id)
                .load(c)?)
        })
        .await?;
    for id in &ids {
        tracing::info!(workflow = %id, "resuming workflow");
        launch(app, id.clone());
    }
    Ok(ids.len())
}

/// Wait until the workflow ends or `timeout` passes; true if it ended.
pub async fn wait(app: &App, id: &str, timeout: Duration) -> bool {
    let mut changes = app.workflow_ends.subscribe();
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let id2 = id.to_string();
        let state = app
            .db
            .read(move |c| {
                Ok(workflows::table
                    .find(&id2)
                    .select(workflows::state)
                    .first::<String>(c)
                    .optional()?)
            })
            .await;
        if !matches!(state, Ok(Some(ref s)) if s == RUNNING) {
            return true;
        }
        if tokio::time::timeout_at(deadline, changes.changed())
            .await
            .is_err()
        {
            return false;
        }
    }
}

enum Failure {
    Transient(String),
    Permanent(String),
}

impl From<CallError> for Failure {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Unreachable(m) => Failure::Transient(m),
            e @ CallError::Refused { .. } => Failure::Permanent(e.to_string()),
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Transient(format!("database: {}", e.message))
    }
}

async fn run(app: App, id: String) {
    let mut backoff = Duration::from_millis(50);
    let mut failing_since: Option<Instant> = None;
    loop {
        let id2 = id.clone();
        let row = match app
            .db
            .read(move |c| {
                Ok(workflows::table
                    .find(&id2)
                    .select(WorkflowRow::as_select())
                    .first(c)?)
            })
            .await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(workflow = %id, error = %e.message, "cannot load workflow");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if row.state != RUNNING {
            break;
        }
        let plan: Plan = match serde_json::from_str(&row.steps) {
            Ok(p) => p,
            Err(e) => {
                record(&app, &row, |r| {
                    r.state = "failed".into();
                    r.error = Some(format!("unreadable plan: {e}"));
                })
                .await;
                break;
            }
        };
        let cursor = row.cursor as usize;
        if row.direction == "forward" {
            let Some(entry) = plan.steps.get(cursor) else {
                record(&app, &row, |r| r.state = "done".into()).await;
                break;
            };
            match execute(&app, &entry.step).await {
                Ok(()) => {
                    failing_since = None;
                    backoff = Duration::from_millis(50);
                    record(&app, &row, |r| r.cursor += 1).await;
                }
                Err(Failure::Transient(m))
                    if failing_since.get_or_insert_with(Instant::now).elapsed() < RETRY_FOR =>
                {
                    tracing::info!(workflow = %id, step = ?entry.step, error = %m, "step failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
                Err(Failure::Transient(m) | Failure::Permanent(m)) => {
                    tracing::warn!(workflow = %id, step = ?entry.step, error = %m, "step failed; unwinding");
                    failing_since = None;
                    // The failed step may have half-happened: undo it too.
                    record(&app, &row, |r| {
                        r.cursor += 1;
                        r.direction = "undo".into();
                        r.error = Some(m);
                    })
                    .await;
                }
            }
        } else {
            if cursor == 0 {
                if let Some(step) = &plan.on_unwind
                    && let Err(Failure::Transient(m) | Failure::Permanent(m)) =
                        execute(&app, step).await
                {
                    tracing::warn!(workflow = %id, error = %m, "marking the unwound subject failed");
                }
                record(&app, &row, |r| r.state = "unwound".into()).await;
                break;
            }
            let entry = &plan.steps[cursor - 1];
            let Some(undo) = &entry.undo else {
                record(&app, &row, |r| r.cursor -= 1).await;
                continue;
            };
            match execute(&app, undo).await {
                Ok(()) => record(&app, &row, |r| r.cursor -= 1).await,
                Err(Failure::Permanent(m)) => {
                    tracing::warn!(workflow = %id, step = ?undo, error = %m, "undo failed; going on");
                    record(&app, &row, |r| r.cursor -= 1).await;
                }
                Err(Failure::Transient(m)) => {
                    tracing::info!(workflow = %id, step = ?undo, error = %m, "undo failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
    app.workflow_ends.send_modify(|n| *n += 1);
}

/// Save a change to the workflow's row (progress, direction, end state).
async fn record(app: &App, row: &WorkflowRow, change: impl FnOnce(&mut WorkflowRow)) {
    let mut row = row.clone();
    change(&mut row);
    row.time_modified = now_micros();
    let result = app
        .db
        .write(move |c| {
            diesel::update(workflows::table.find(&row.id))
                .set(&row)
                .execute(c)?;
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::warn!(error = %e.message, "cannot record workflow progress");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn execute(app: &App, step: &Step) -> Result<(), Failure> {
    match step.clone() {
        Step::EnsureDrive { drive } => {
            let (host, cmd) = app
                .db
                .read(move |c| ensure_drive_command(c, &drive))
                .await?;
            app.sessions.call(&host, cmd).await?;
        }
        Step::RemoveDrive { drive } => {
            let found = app
                .db
                .read(move |c| {
                    Ok(drives::table
                        .find(&drive)
                        .select((drives::id, drives::host_id, drives::generation))
                        .first::<(String, Option<String>, i64)>(c)
                        .optional()?)
                })
                .await?;
            if let Some((id, Some(host), generation)) = found {
                let cmd = Cmd::RemoveDrive(api::RemoveDrive {
                    drive_id: id,
                    generation: generation as u64,
                });
                app.sessions.call(&host, cmd).await?;
            }
        }
        Step::DriveReady { drive } => {
            app.db
                .write(move |c| {
                    let attached: Option<Option<String>> = drives::table
                        .find(&drive)
                        .select(drives::instance_id)
                        .first(c)
                        .optional()?;
                    let state = match attached {
                        Some(Some(_)) => DriveState::Attached,
                        _ => DriveState::Available,
                    };
                    set_drive_state(c, &drive, state)
                })
                .await?;
        }
        Step::DriveFailed { drive } => {
            app.db
                .write(move |c| set_drive_state(c, &drive, DriveState::Failed))
                .await?;
        }
        Step::ForgetDrive { drive } => {
            app.db
                .write(move |c| {
                    diesel::delete(drives::table.find(&drive)).execute(c)?;
                    Ok(())
                })
                .await?;
        }
        Step::EnsureInstance { instance, running } => {
            let (host, cmd) = app
                .db
                .read(move |c| ensure_instance_command(c, &instance, running))
                .await?;
            app.sessions.call(&host, cmd).await?;
        }
        Step::RebootInstance { instance } | Step::RemoveInstance { instance } => {
            let remove = matches!(step, Step::RemoveInstance { .. });
            let found = app
                .db
                .read(move |c| {
                    Ok(instances::table
                        .find(&instance)
                        .select((instances::id, instances::host_id, instances::generation))
                        .first::<(String, Option<String>, i64)>(c)
                        .optional()?)
                })
                .await?;
            if let Some((id, Some(host), generation)) = found {
                let generation = generation as u64;
                let cmd = if remove {
                    Cmd::RemoveInstance(api::RemoveInstance {
                        instance_id: id,
                        generation,
                    })
                } else {
                    Cmd::RebootInstance(api::RebootInstance {
                        instance_id: id,
                        generation,
                    })
                };
                app.sessions.call(&host, cmd).await?;
            }
        }
        Step::SetInstanceState { instance, state } => {
            app.db
                .write(move |c| crate::hosts::set_instance_state(c, &instance, state))
                .await?;
        }
        Step::ForgetInstance { instance } => {
            app.db
                .write(move |c| crate::app::compute::forget_instance(c, &instance))
                .await?;
        }
    }
    Ok(())
}

fn set_drive_state(conn: &mut DbConn, id: &str, state: DriveState) -> ApiResult<()> {
    diesel::update(drives::table.find(id))
        .set((
            drives::state.eq(enum_str(&state)),
            drives::generation.eq(drives::generation + 1),
            drives::time_modified.eq(now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

fn image_source(conn: &mut DbConn, image_id: &Option<String>) -> ApiResult<String> {
    Ok(match image_id {
        Some(id) => images::table
            .find(id)
            .select(images::source_url)
            .first::<String>(conn)
            .optional()?
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// The host of a drive and the command that makes it as the database says:
/// its ACL admits the host of the instance that has it, if any.
pub fn ensure_drive_command(conn: &mut DbConn, drive_id: &str) -> ApiResult<(String, Cmd)> {
    let drive: DriveRow = drives::table
        .find(drive_id)
        .select(DriveRow::as_select())
        .first(conn)?;
    let host = drive
        .host_id
        .clone()
        .ok_or_else(|| ApiError::internal(format!("drive {drive_id} has no host")))?;
    let mut initiators = Vec::new();
    if let Some(instance) = &drive.instance_id {
        let address: Option<String> = instances::table
            .inner_join(hosts::table.on(instances::host_id.eq(hosts::id.nullable())))
            .filter(instances::id.eq(instance))
            .select(hosts::address)
            .first(conn)
            .optional()?;
        initiators.extend(address);
    }
    let image_source = image_source(conn, &drive.image_id)?;
    Ok((
        host,
        Cmd::EnsureDrive(api::EnsureDrive {
            drive_id: drive.id,
            generation: drive.generation as u64,
            size_bytes: drive.size_bytes as u64,
            image_source,
            initiators,
        }),
    ))
}

/// The host of an instance and the command that defines it as the
/// database says, running or stopped.
pub fn ensure_instance_command(
    conn: &mut DbConn,
    instance_id: &str,
    running: bool,
) -> ApiResult<(String, Cmd)> {
    let row: InstanceRow = instances::table
        .find(instance_id)
        .select(InstanceRow::as_select())
        .first(conn)?;
    let host = row
        .host_id
        .clone()
        .ok_or_else(|| ApiError::internal(format!("instance {instance_id} has no host")))?;
    let drives: Vec<(DriveRow, HostRow)> = drives::table
        .inner_join(hosts::table.on(drives::host_id.eq(hosts::id.nullable())))
        .filter(drives::instance_id.eq(instance_id))
        .order(drives::slot.asc())
        .select((DriveRow::as_select(), HostRow::as_select()))
        .load(conn)?;
    let boot_image = drives.first().and_then(|(d, _)| d.image_id.clone());
    let image_source = image_source(conn, &boot_image)?;
    let ssh_keys: Vec<String> = ssh_keys::table
        .filter(ssh_keys::id.eq_any(json_list(&row.ssh_key_ids)))
        .order(ssh_keys::name.asc())
        .select(ssh_keys::public_key)
        .load(conn)?;
    let ip: Option<(String, i32, String)> = ip_addresses::table
        .inner_join(ip_pools::table.on(ip_addresses::pool_id.eq(ip_pools::id)))
        .filter(ip_addresses::instance_id.eq(instance_id))
        .order(ip_addresses::address.asc())
        .select((
            ip_addresses::address,
            ip_pools::prefix_len,
            ip_pools::gateway,
        ))
        .first(conn)
        .optional()?;
    let mut cmd = api::EnsureInstance {
        instance_id: row.id.clone(),
        generation: row.generation as u64,
        hostname: row.name.clone(),
        vcpus: row.vcpus as u32,
        memory_mib: row.memory_mib as u64,
        image_source,
        disks: drives
            .iter()
            .map(|(d, h)| api::IscsiDisk {
                drive_id: d.id.clone(),
                portal_host: h.address.clone(),
                portal_port: h.iscsi_port as u32,
            })
            .collect(),
        ssh_keys,
        user_data: row.user_data.clone(),
        ..Default::default()
    };
    if let Some((address, prefix, gateway)) = ip {
        cmd.address_cidr = format!("{address}/{prefix}");
        cmd.gateway = gateway;
    }
    cmd.set_power(if running {
        api::Power::Running
    } else {
        api::Power::Stopped
    });
    Ok((host, Cmd::EnsureInstance(cmd)))
}
