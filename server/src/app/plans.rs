//! Plans: what a workflow does, as data. An operation that reaches a host
//! builds a plan of idempotent steps (each with an optional undo) and
//! records it in the same transaction as its state change; the engine in
//! `workflow/` runs it. Every kind of plan is listed in [`PlanKind`], so
//! the generic workflow tests cover each one.

use diesel::prelude::*;
use overcast_db::models::WorkflowRow;
use overcast_db::schema::{drives, events, instances, snapshots, workflows};
use overcast_db::{DbConn, now_micros};
use overcast_types::ids::{
    AccountId, DriveId, HostId, ImageId, InstanceId, SnapshotId, WorkflowId,
};

use super::Ctx;
use super::failover::FailoverStage;
use overcast_types::states::{InstanceState, WorkflowDirection, WorkflowState};
use overcast_types::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};

/// One idempotent step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Step {
    /// Make the drive's file and export on its host, ACL included.
    EnsureDrive {
        drive: DriveId,
    },
    /// Remove the drive's export and file from its host.
    RemoveDrive {
        drive: DriveId,
    },
    /// The drive is made: `available`, or `attached` if an instance has it.
    DriveReady {
        drive: DriveId,
    },
    DriveFailed {
        drive: DriveId,
    },
    /// Remove the drive's row.
    ForgetDrive {
        drive: DriveId,
    },
    /// Define the domain and make it run or stop.
    EnsureInstance {
        instance: InstanceId,
        running: bool,
    },
    RebootInstance {
        instance: InstanceId,
    },
    /// Destroy and undefine the domain.
    RemoveInstance {
        instance: InstanceId,
    },
    SetInstanceState {
        instance: InstanceId,
        state: InstanceState,
    },
    /// Detach the instance's drives and IPs and remove its row; drives the
    /// quick form made for it go with it (see `app::instances`).
    ForgetInstance {
        instance: InstanceId,
    },
    /// Take the instance off its (lost) host: its drives' ACLs then admit
    /// no host.
    Unplace {
        instance: InstanceId,
    },
    /// Choose a healthy host for an instance that has none, never the
    /// host it was lost from.
    PlaceInstance {
        instance: InstanceId,
        #[serde(default)]
        lost_host: Option<HostId>,
    },
    /// Blocklist the lost host's Ceph clients (every one from its address),
    /// so nothing it still runs can write to a replicated drive again.
    FenceStorage {
        host: HostId,
    },
    /// Break the locks on a replicated drive's image (its exclusive lock
    /// is still held by the fenced host's client). Plans recorded before
    /// `BreakInstanceLocks` have one per drive.
    BreakLocks {
        drive: DriveId,
    },
    /// Break the locks on every replicated drive of the instance at once.
    BreakInstanceLocks {
        instance: InstanceId,
    },
    /// Take the snapshot of its drive's image.
    EnsureSnapshot {
        snapshot: SnapshotId,
    },
    /// Remove the snapshot from its drive's image.
    RemoveSnapshot {
        snapshot: SnapshotId,
    },
    SnapshotReady {
        snapshot: SnapshotId,
    },
    SnapshotFailed {
        snapshot: SnapshotId,
    },
    /// Remove the snapshot's row.
    ForgetSnapshot {
        snapshot: SnapshotId,
    },
    /// Roll the drive's image back to the snapshot.
    RollbackDrive {
        drive: DriveId,
        snapshot: SnapshotId,
    },
    /// Make the base of an image made from a snapshot (before the
    /// snapshot goes).
    EnsureImageBase {
        image: ImageId,
    },
    /// Record a stage of a failover as an event, timed from `down_at`
    /// (microseconds), when the lost host was found down.
    FailoverEvent {
        instance: InstanceId,
        lost_host: HostId,
        stage: FailoverStage,
        #[serde(default)]
        down_at: i64,
    },
}

impl Step {
    /// Whether the step sends a command to a host or the storage (the
    /// others only change the database).
    pub fn reaches_host(&self) -> bool {
        matches!(
            self,
            Step::EnsureDrive { .. }
                | Step::RemoveDrive { .. }
                | Step::EnsureInstance { .. }
                | Step::RebootInstance { .. }
                | Step::RemoveInstance { .. }
                | Step::FenceStorage { .. }
                | Step::BreakLocks { .. }
                | Step::BreakInstanceLocks { .. }
                | Step::EnsureSnapshot { .. }
                | Step::RemoveSnapshot { .. }
                | Step::RollbackDrive { .. }
                | Step::EnsureImageBase { .. }
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub step: Step,
    #[serde(default)]
    pub undo: Option<Step>,
}

/// What a workflow does: its steps, and what marks its subject once it has
/// unwound.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<Entry>,
    pub on_unwind: Option<Step>,
}

impl Plan {
    pub fn new() -> Self {
        Self::default()
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

/// Every kind of workflow the server records. The stored name is the
/// workflow row's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanKind {
    InstanceCreate,
    InstanceStart,
    InstanceStop,
    InstanceReboot,
    InstanceResize,
    InstanceDelete,
    DriveCreate,
    DriveGrow,
    DriveDelete,
    DriveRollback,
    SnapshotCreate,
    SnapshotDelete,
    InstanceFailover,
}

impl PlanKind {
    pub const ALL: &'static [PlanKind] = &[
        PlanKind::InstanceCreate,
        PlanKind::InstanceStart,
        PlanKind::InstanceStop,
        PlanKind::InstanceReboot,
        PlanKind::InstanceResize,
        PlanKind::InstanceDelete,
        PlanKind::DriveCreate,
        PlanKind::DriveGrow,
        PlanKind::DriveDelete,
        PlanKind::DriveRollback,
        PlanKind::SnapshotCreate,
        PlanKind::SnapshotDelete,
        PlanKind::InstanceFailover,
    ];

    /// The kind a workflow row names.
    pub fn parse(kind: &str) -> Option<PlanKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == kind)
    }

    /// The type of resource its subject is, as events name it.
    pub fn subject_type(self) -> &'static str {
        match self {
            PlanKind::DriveCreate
            | PlanKind::DriveGrow
            | PlanKind::DriveDelete
            | PlanKind::DriveRollback => "drive",
            PlanKind::SnapshotCreate | PlanKind::SnapshotDelete => "snapshot",
            _ => "instance",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::InstanceCreate => "instance_create",
            PlanKind::InstanceStart => "start",
            PlanKind::InstanceStop => "stop",
            PlanKind::InstanceReboot => "reboot",
            PlanKind::InstanceResize => "resize",
            PlanKind::InstanceDelete => "instance_delete",
            PlanKind::DriveCreate => "drive_create",
            PlanKind::DriveGrow => "drive_grow",
            PlanKind::DriveDelete => "drive_delete",
            PlanKind::DriveRollback => "drive_rollback",
            PlanKind::SnapshotCreate => "snapshot_create",
            PlanKind::SnapshotDelete => "snapshot_delete",
            PlanKind::InstanceFailover => "instance_failover",
        }
    }
}

/// Record a workflow for `subject` (in the caller's transaction). Only one
/// workflow runs per subject at a time: 409 otherwise.
pub fn insert(
    conn: &mut DbConn,
    ctx: &Ctx,
    kind: PlanKind,
    subject: &str,
    plan: &Plan,
) -> ApiResult<WorkflowId> {
    insert_for(conn, Some(ctx), kind, subject, plan)
}

/// Record a workflow Overcast starts on its own (no request behind it).
pub fn insert_system(
    conn: &mut DbConn,
    kind: PlanKind,
    subject: &str,
    plan: &Plan,
) -> ApiResult<WorkflowId> {
    insert_for(conn, None, kind, subject, plan)
}

fn insert_for(
    conn: &mut DbConn,
    ctx: Option<&Ctx>,
    kind: PlanKind,
    subject: &str,
    plan: &Plan,
) -> ApiResult<WorkflowId> {
    let busy: i64 = workflows::table
        .filter(workflows::state.eq(WorkflowState::Running))
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
        id: WorkflowId::new(),
        kind: kind.as_str().to_string(),
        subject_id: subject.to_string(),
        steps: serde_json::to_string(plan).map_err(ApiError::internal)?,
        cursor: 0,
        direction: WorkflowDirection::Forward,
        state: WorkflowState::Running,
        error: None,
        time_created: now,
        time_modified: now,
        request_id: ctx.map(|c| c.request_id.clone()).unwrap_or_default(),
        actor_token_id: ctx.and_then(|c| c.actor.token_id.clone()),
        actor_user_id: ctx.and_then(|c| c.actor.user.as_ref().map(|u| u.user_id.clone())),
        actor_scope: ctx.map(|c| c.actor.scope),
        owner: None,
        generation: 0,
    };
    diesel::insert_into(workflows::table)
        .values(&row)
        .execute(conn)?;
    Ok(row.id)
}

/// Record that workflow `row` failed, as a `<type>.failed` event carrying
/// its error and the actor and request that started it, if any (in the
/// caller's transaction).
pub fn record_failure(conn: &mut DbConn, row: &WorkflowRow) -> ApiResult<()> {
    let Some(kind) = PlanKind::parse(&row.kind) else {
        return Ok(());
    };
    let resource_type = kind.subject_type();
    let subject: Option<(String, AccountId)> = if resource_type == "drive" {
        drives::table
            .find(&row.subject_id)
            .select((drives::name, drives::account_id))
            .first(conn)
            .optional()?
    } else if resource_type == "snapshot" {
        snapshots::table
            .find(&row.subject_id)
            .select((snapshots::name, snapshots::account_id))
            .first(conn)
            .optional()?
    } else {
        instances::table
            .find(&row.subject_id)
            .select((instances::name, instances::account_id))
            .first(conn)
            .optional()?
    };
    let (name, account_id) = match subject {
        Some((name, account)) => (name, Some(account)),
        // A subject whose record is already gone: as its history names it.
        None => events::table
            .filter(events::resource_id.eq(&row.subject_id))
            .order(events::id.desc())
            .select((events::resource_name, events::account_id))
            .first(conn)
            .optional()?
            .unwrap_or_default(),
    };
    super::append_event(
        conn,
        &row.request_id,
        row.actor_scope.map(|scope| super::EventActor {
            token_id: row.actor_token_id.clone(),
            user_id: row.actor_user_id.clone(),
            scope,
        }),
        "failed",
        super::Subject {
            resource_type,
            id: &row.subject_id,
            name: &name,
            account_id,
            partner_id: None,
        },
        Some(format!(
            "{}: {}",
            row.kind,
            row.error.as_deref().unwrap_or("failed")
        )),
    )
}
