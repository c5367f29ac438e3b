//! Lifecycle states, as the API shows them and as the database stores them
//! (TEXT, by wire name). Code compares these enums, never their names.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text_enum::text_enum;

/// Lifecycle state of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[schema(example = "running")]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum InstanceState {
    Creating,
    Starting,
    Running,
    Stopping,
    Stopped,
    Rebooting,
    Migrating,
    /// Its host failed: being fenced and started on another host.
    Restarting,
    Failed,
    Deleting,
}

text_enum!(InstanceState {
    Creating => "creating",
    Starting => "starting",
    Running => "running",
    Stopping => "stopping",
    Stopped => "stopped",
    Rebooting => "rebooting",
    Migrating => "migrating",
    Restarting => "restarting",
    Failed => "failed",
    Deleting => "deleting",
});

/// Lifecycle state of a drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[schema(example = "available")]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum DriveState {
    Creating,
    Available,
    Attaching,
    Attached,
    Detaching,
    Resizing,
    /// Being rolled back to one of its snapshots.
    Restoring,
    Deleting,
    Failed,
}

text_enum!(DriveState {
    Creating => "creating",
    Available => "available",
    Attaching => "attaching",
    Attached => "attached",
    Detaching => "detaching",
    Resizing => "resizing",
    Restoring => "restoring",
    Deleting => "deleting",
    Failed => "failed",
});

/// Lifecycle state of a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[schema(example = "available")]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum SnapshotState {
    Creating,
    Available,
    Deleting,
    Failed,
}

text_enum!(SnapshotState {
    Creating => "creating",
    Available => "available",
    Deleting => "deleting",
    Failed => "failed",
});

impl DriveState {
    /// Made on its host and usable.
    pub fn is_ready(self) -> bool {
        matches!(self, DriveState::Available | DriveState::Attached)
    }
}

/// Lifecycle state of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "active")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum HostState {
    /// Takes new instances and drives.
    Active,
    /// Keeps what it has, takes nothing new.
    Draining,
    /// Missed heartbeats for half the detection time: takes nothing new.
    Suspect,
    /// Missed heartbeats for the detection time: its HA instances are
    /// restarted elsewhere.
    Down,
}

text_enum!(HostState {
    Active => "active",
    Draining => "draining",
    Suspect => "suspect",
    Down => "down",
});

/// Where a workflow is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum WorkflowState {
    /// Under way (or waiting to be resumed).
    Running,
    /// Every step done.
    Done,
    /// A step failed for good and the done steps were undone.
    Unwound,
    /// Could not be run at all (an unreadable plan).
    Failed,
}

text_enum!(WorkflowState {
    Running => "running",
    Done => "done",
    Unwound => "unwound",
    Failed => "failed",
});

/// Which way a workflow's cursor moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum WorkflowDirection {
    /// Doing the steps.
    Forward,
    /// Undoing the done steps, newest first.
    Undo,
}

text_enum!(WorkflowDirection {
    Forward => "forward",
    Undo => "undo",
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text_enum::assert_names_match_serde;

    #[test]
    fn stored_names_are_the_wire_names() {
        assert_names_match_serde(InstanceState::ALL);
        assert_names_match_serde(DriveState::ALL);
        assert_names_match_serde(HostState::ALL);
        assert_names_match_serde(WorkflowState::ALL);
        assert_names_match_serde(WorkflowDirection::ALL);
        assert!("runnin".parse::<InstanceState>().is_err());
    }
}
