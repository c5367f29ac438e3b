//! Database rows: one struct per table, separate from wire views. Ids and
//! states are typed columns (stored as TEXT on both backends).
use diesel::prelude::*;
use overcast_types::ids::*;
use overcast_types::params::{Architecture, BootMode, HaPolicy, StorageClass};
use overcast_types::states::{
    DriveState, HostState, InstanceState, SnapshotState, WorkflowDirection, WorkflowState,
};
use overcast_types::{TokenScope, UserRole};

use crate::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = partners, treat_none_as_null = true)]
pub struct PartnerRow {
    pub id: PartnerId,
    pub name: String,
    pub description: String,
    pub display_name: String,
    pub logo_url: Option<String>,
    pub primary_color: String,
    pub accent_color: String,
    pub support_url: Option<String>,
    pub support_email: Option<String>,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
    pub favicon_url: Option<String>,
    pub support_phone: Option<String>,
    /// JSON: `[{"label", "url"}]`.
    pub footer_links: String,
    pub navigation: String,
    /// JSON: the console sections not shown.
    pub hidden_sections: String,
    /// JSON: the host names its customers use (`partner_host_names` keeps
    /// them unique and finds a partner by one).
    pub host_names: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = accounts, treat_none_as_null = true)]
pub struct AccountRow {
    pub id: AccountId,
    pub partner_id: Option<PartnerId>,
    pub name: String,
    pub description: String,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
    /// When it was suspended; none while it is not.
    pub time_suspended: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    pub id: UserId,
    /// The account of an account's user; none for partner and operator staff.
    pub account_id: Option<AccountId>,
    pub name: String,
    pub description: String,
    pub email: String,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
    pub role: UserRole,
    /// An argon2id PHC string; none until the user sets a password.
    pub password_hash: Option<String>,
    /// The partner of a `partner_admin`.
    pub partner_id: Option<PartnerId>,
    /// The TOTP secret (base32) once a code confirmed it: logins then need
    /// a code or a recovery code.
    pub totp_secret: Option<String>,
    /// A TOTP secret handed out and not yet confirmed.
    pub totp_pending: Option<String>,
    /// The last time step a code was accepted in: a code works once.
    pub totp_last_step: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = tokens, treat_none_as_null = true)]
pub struct TokenRow {
    pub id: TokenId,
    pub description: String,
    pub scope: TokenScope,
    pub partner_id: Option<PartnerId>,
    pub account_id: Option<AccountId>,
    pub secret_hash: String,
    pub time_created: i64,
    pub time_expires: Option<i64>,
    pub time_revoked: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = projects, treat_none_as_null = true)]
pub struct ProjectRow {
    pub id: ProjectId,
    pub account_id: AccountId,
    pub name: String,
    pub description: String,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ssh_keys, treat_none_as_null = true)]
pub struct SshKeyRow {
    pub id: SshKeyId,
    pub account_id: AccountId,
    pub name: String,
    pub description: String,
    pub public_key: String,
    pub fingerprint: String,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = images, treat_none_as_null = true)]
pub struct ImageRow {
    pub id: ImageId,
    pub scope: String,
    pub name: String,
    pub description: String,
    pub os_family: String,
    pub architecture: Architecture,
    pub boot_mode: BootMode,
    pub min_size_bytes: i64,
    pub source_url: String,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
    /// Made from this snapshot: its disk is an RBD image in Ceph, so only
    /// replicated drives can be made from it.
    pub snapshot_id: Option<SnapshotId>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = hosts, treat_none_as_null = true)]
pub struct HostRow {
    pub id: HostId,
    pub name: String,
    pub description: String,
    pub address: String,
    pub cpus: i32,
    pub memory_mib: i64,
    pub storage_bytes: i64,
    pub state: HostState,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
    pub secret_hash: Option<String>,
    pub iscsi_port: i32,
    pub storage_free_bytes: i64,
    pub time_heartbeat: Option<i64>,
    pub time_state_changed: i64,
    pub cert_fingerprint: Option<String>,
    pub next_cert_fingerprint: Option<String>,
    /// Its Ceph clients are blocklisted (see `app::failover`).
    pub storage_fenced: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ip_pools, treat_none_as_null = true)]
pub struct IpPoolRow {
    pub id: IpPoolId,
    pub name: String,
    pub description: String,
    pub first_address: String,
    pub last_address: String,
    pub prefix_len: i32,
    pub gateway: String,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = instances, treat_none_as_null = true)]
pub struct InstanceRow {
    pub id: InstanceId,
    pub project_id: ProjectId,
    pub account_id: AccountId,
    pub name: String,
    pub description: String,
    pub vcpus: i32,
    pub memory_mib: i64,
    pub ssh_key_ids: String,
    pub user_data: String,
    pub ha_policy: HaPolicy,
    pub avoid_instances: String,
    pub state: InstanceState,
    pub host_id: Option<HostId>,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = drives, treat_none_as_null = true)]
pub struct DriveRow {
    pub id: DriveId,
    pub project_id: ProjectId,
    pub account_id: AccountId,
    pub name: String,
    pub description: String,
    pub size_bytes: i64,
    pub image_id: Option<ImageId>,
    pub replicas: i32,
    pub avoid_drives: String,
    pub avoid_instances: String,
    pub state: DriveState,
    pub instance_id: Option<InstanceId>,
    pub slot: Option<i32>,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
    pub host_id: Option<HostId>,
    pub delete_with_instance: bool,
    /// The CHAP user and secret its target admits initiators with.
    pub chap_user: String,
    pub chap_secret: String,
    pub storage_class: StorageClass,
    /// The snapshot its data was copied from, if any.
    pub snapshot_id: Option<SnapshotId>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = snapshots, treat_none_as_null = true)]
pub struct SnapshotRow {
    pub id: SnapshotId,
    pub project_id: ProjectId,
    pub account_id: AccountId,
    pub drive_id: DriveId,
    pub name: String,
    pub description: String,
    /// The drive's size when the snapshot was taken.
    pub size_bytes: i64,
    pub state: SnapshotState,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ip_addresses, treat_none_as_null = true)]
pub struct IpAddressRow {
    pub id: IpAddressId,
    pub project_id: ProjectId,
    pub account_id: AccountId,
    pub pool_id: IpPoolId,
    pub name: String,
    pub description: String,
    pub address: String,
    pub instance_id: Option<InstanceId>,
    pub time_created: i64,
    pub time_modified: i64,
    pub generation: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
pub struct EventRow {
    pub id: EventId,
    pub time_created: i64,
    pub request_id: String,
    /// The token behind the change; none for what the system did itself.
    pub actor_token_id: Option<TokenId>,
    pub actor_scope: Option<TokenScope>,
    pub partner_id: Option<PartnerId>,
    pub account_id: Option<AccountId>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_name: String,
    /// Why a change failed (`<type>.failed` events only).
    pub message: Option<String>,
    /// The logged-in user behind the change, when a session made it.
    pub actor_user_id: Option<UserId>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = idempotency_keys, treat_none_as_null = true)]
pub struct IdempotencyKeyRow {
    pub principal: String,
    pub idem_key: String,
    pub request_hash: String,
    pub status: Option<i32>,
    pub body: Option<String>,
    pub time_created: i64,
    /// The replica that claimed the key (none: claimed by a release that
    /// did not record it).
    pub replica_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = host_enrollments, treat_none_as_null = true)]
pub struct HostEnrollmentRow {
    pub id: HostEnrollmentId,
    pub description: String,
    pub secret_hash: String,
    pub time_created: i64,
    pub time_expires: i64,
    pub time_used: Option<i64>,
    pub host_id: Option<HostId>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = workflows, treat_none_as_null = true)]
pub struct WorkflowRow {
    pub id: WorkflowId,
    pub kind: String,
    pub subject_id: String,
    pub steps: String,
    pub cursor: i32,
    pub direction: WorkflowDirection,
    pub state: WorkflowState,
    pub error: Option<String>,
    pub time_created: i64,
    pub time_modified: i64,
    /// The request, token and scope that started it (none on rows older
    /// than these columns).
    pub request_id: String,
    pub actor_token_id: Option<TokenId>,
    pub actor_scope: Option<TokenScope>,
    /// The replica running it (none until one claims it), and the fencing
    /// generation of that claim.
    pub owner: Option<String>,
    pub generation: i64,
    pub actor_user_id: Option<UserId>,
}

/// The `scope` of a system-wide image; otherwise it is the owning account's id.
pub const SYSTEM_SCOPE: &str = "system";

impl ImageRow {
    /// The owning account; `None` for a system image.
    pub fn owner(&self) -> Option<AccountId> {
        self.scope.parse().ok()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cluster_ca)]
pub struct ClusterCaRow {
    pub name: String,
    pub cert_pem: String,
    pub key_pem: String,
    pub time_created: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_sessions, treat_none_as_null = true)]
pub struct SessionRow {
    pub id: SessionId,
    pub user_id: UserId,
    /// SHA-256 of the cookie's secret; the secret is never stored.
    pub secret_hash: String,
    pub csrf_token: String,
    pub client: String,
    pub user_agent: String,
    pub time_created: i64,
    pub time_last_used: i64,
    pub time_expires: i64,
    pub time_revoked: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_invitations, treat_none_as_null = true)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub user_id: UserId,
    pub kind: String,
    pub secret_hash: String,
    pub time_created: i64,
    pub time_expires: i64,
    pub time_used: Option<i64>,
}
