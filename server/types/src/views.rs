//! Response bodies of the public API. The database crate converts its rows
//! into these.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::page::Page;
use crate::params::{Architecture, BootMode, Brand, HaPolicy, StorageClass};
use crate::scope::TokenScope;
pub use crate::states::{DriveState, HostState, InstanceState, SnapshotState};

/// Fields every resource has.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Identity {
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub id: uuid::Uuid,
    #[schema(example = "web")]
    pub name: String,
    #[schema(example = "Production web tier")]
    pub description: String,
    #[schema(example = "2026-11-24T17:30:00Z")]
    pub time_created: DateTime<Utc>,
    #[schema(example = "2026-11-24T17:30:00Z")]
    pub time_modified: DateTime<Utc>,
}

macro_rules! page_type {
    ($page:ident, $item:ty) => {
        #[doc = concat!("One page of ", stringify!($item), " items, in a stable order.")]
        #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
        pub struct $page {
            pub items: Vec<$item>,
            /// Pass as `page_token` to get the next page; absent on the last page.
            #[schema(example = "eyJ2IjoxLCJhZnRlciI6IndlYiJ9")]
            pub next_page: Option<String>,
        }

        impl From<Page<$item>> for $page {
            fn from(page: Page<$item>) -> Self {
                Self {
                    items: page.items,
                    next_page: page.next_page,
                }
            }
        }
    };
}

/// A white-label reseller.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Partner {
    #[serde(flatten)]
    pub identity: Identity,
    pub brand: Brand,
    #[schema(example = json!(["cloud.cloudco.example"]))]
    pub host_names: Vec<String>,
    /// What in the brand falls short of WCAG AA contrast (empty when nothing).
    #[schema(example = json!(["primary_color #a0c4ff has a contrast of 1.9:1 with white text; WCAG AA needs 4.5:1"]))]
    pub brand_warnings: Vec<String>,
}

impl Partner {
    /// Fill `brand_warnings` from the brand.
    pub fn with_warnings(mut self) -> Self {
        self.brand_warnings = self.brand.contrast_warnings();
        self
    }
}

/// The brand a console shows on the host it was opened on: a partner's,
/// or the operator's own.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BrandInfo {
    /// The partner whose brand this is; absent for the operator's.
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6c")]
    pub partner_id: Option<uuid::Uuid>,
    pub brand: Brand,
    #[schema(example = json!([]))]
    pub warnings: Vec<String>,
}

page_type!(PartnerPage, Partner);

/// A customer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Account {
    #[serde(flatten)]
    pub identity: Identity,
    /// The owning partner; absent for the operator's direct customers.
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6c")]
    pub partner_id: Option<uuid::Uuid>,
    /// A suspended account's tokens and logins are refused (403
    /// `account_suspended`); what it runs keeps running.
    #[schema(example = false)]
    pub suspended: bool,
}

page_type!(AccountPage, Account);

/// A person with access to an account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    #[serde(flatten)]
    pub identity: Identity,
    /// The account of an account's user; absent for staff.
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub account_id: Option<uuid::Uuid>,
    /// The partner of a `partner_admin`.
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6c")]
    pub partner_id: Option<uuid::Uuid>,
    #[schema(example = "alice@acme.example")]
    pub email: String,
    pub role: crate::UserRole,
    /// Whether the user has set a password (and so can log in).
    #[schema(example = true)]
    pub password_set: bool,
    /// Whether logging in also needs a code from an authenticator app (or
    /// a recovery code).
    #[schema(example = false)]
    pub totp_enabled: bool,
}

page_type!(UserPage, User);

/// A second factor being set up: give the secret (or its URL, as a QR code)
/// to an authenticator app, then confirm with a code it shows.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TotpEnrollment {
    /// The TOTP secret, base32.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// The `otpauth://` URL authenticator apps read.
    #[schema(
        example = "otpauth://totp/Overcast:alice%40acme.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Overcast"
    )]
    pub otpauth_url: String,
}

/// One-use codes that stand in for the authenticator app, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecoveryCodes {
    #[schema(example = json!(["k7m2p-x9qrt", "b3hjw-4tz8n"]))]
    pub codes: Vec<String>,
}

/// An API token, without its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Token {
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6d")]
    pub id: uuid::Uuid,
    #[schema(example = "CI pipeline")]
    pub description: String,
    pub scope: TokenScope,
    pub partner_id: Option<uuid::Uuid>,
    pub account_id: Option<uuid::Uuid>,
    #[schema(example = "2026-11-24T17:30:00Z")]
    pub time_created: DateTime<Utc>,
    pub time_expires: Option<DateTime<Utc>>,
}

page_type!(TokenPage, Token);

/// A new API token. The secret is shown here once and never again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenCreated {
    #[serde(flatten)]
    pub token: Token,
    /// Send as `Authorization: Bearer <secret>`.
    #[schema(example = "oc_3q2+7w==example", format = Password)]
    pub secret: String,
}

/// A group of resources inside an account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Project {
    #[serde(flatten)]
    pub identity: Identity,
    pub account_id: uuid::Uuid,
}

page_type!(ProjectPage, Project);

/// An SSH public key of an account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SshKey {
    #[serde(flatten)]
    pub identity: Identity,
    pub account_id: uuid::Uuid,
    #[schema(
        example = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f alice@laptop"
    )]
    pub public_key: String,
    /// SHA256 fingerprint, as `ssh-keygen -l` prints it.
    #[schema(example = "SHA256:Jx4mJQ0f4Zb8oUuC6y4c3m2bH0bU6r7gq5yq3Vq1o0E")]
    pub fingerprint: String,
}

page_type!(SshKeyPage, SshKey);

/// An OS template.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Image {
    #[serde(flatten)]
    pub identity: Identity,
    /// The owning account; absent for system-wide images.
    pub account_id: Option<uuid::Uuid>,
    #[schema(example = "debian")]
    pub os_family: String,
    pub architecture: Architecture,
    pub boot_mode: BootMode,
    #[schema(example = 2147483648_u64)]
    pub min_size_bytes: u64,
    #[schema(example = "https://images.example/debian-12.raw")]
    pub source_url: String,
}

page_type!(ImagePage, Image);

/// A virtualization host.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Host {
    #[serde(flatten)]
    pub identity: Identity,
    #[schema(example = "10.0.0.11")]
    pub address: String,
    #[schema(example = 32)]
    pub cpus: u32,
    #[schema(example = 131072)]
    pub memory_mib: u64,
    #[schema(example = 4000000000000_u64)]
    pub storage_bytes: u64,
    /// Free space on the host's storage filesystem, as last reported.
    #[schema(example = 3500000000000_u64)]
    pub storage_free_bytes: u64,
    /// The vCPUs of the instances placed here. Stopped instances count: they
    /// keep their place. It can pass `cpus` by the CPU allocation ratio.
    #[schema(example = 24)]
    pub vcpus_allocated: u32,
    /// The memory of the instances placed here, stopped ones included.
    #[schema(example = 65536)]
    pub memory_allocated_mib: u64,
    /// The sizes of the local drives placed here (sparse files may use
    /// less; `storage_free_bytes` says what is really free).
    #[schema(example = 500000000000_u64)]
    pub storage_allocated_bytes: u64,
    /// The TCP port of the host's iSCSI portal.
    #[schema(example = 3260)]
    pub iscsi_port: u16,
    pub state: HostState,
    /// When `state` last changed.
    #[schema(example = "2026-11-24T17:30:00Z")]
    pub time_state_changed: DateTime<Utc>,
    /// When the host last reported in.
    #[schema(example = "2026-11-24T17:30:00Z")]
    pub time_heartbeat: Option<DateTime<Utc>>,
}

/// A one-use token that enrolls a new host. The token is shown here once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HostEnrollment {
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6d")]
    pub id: uuid::Uuid,
    #[schema(example = "Rack 4, slot 12")]
    pub description: String,
    /// Give it to `overcast-hostd run --enrollment-token-file`.
    #[schema(example = "oc_3q2+7w==example", format = Password)]
    pub token: String,
    #[schema(example = "2026-11-24T17:30:00Z")]
    pub time_created: DateTime<Utc>,
    #[schema(example = "2026-11-24T18:30:00Z")]
    pub time_expires: DateTime<Utc>,
}

/// A chunk of an instance's serial console log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SerialOutput {
    /// The console text (invalid UTF-8 replaced).
    #[schema(example = "OVERCAST-READY hostname=web-1 address=none ssh_keys=0 disks=vda:64M\n")]
    pub data: String,
    /// Pass as `?offset=` to read what comes next.
    #[schema(example = 4096)]
    pub next_offset: u64,
    /// The log's size now, in bytes.
    #[schema(example = 4096)]
    pub size: u64,
}

page_type!(HostPage, Host);

/// A range of IPv4 addresses that IP addresses are allocated from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IpPool {
    #[serde(flatten)]
    pub identity: Identity,
    #[schema(example = "203.0.113.10")]
    pub first_address: String,
    #[schema(example = "203.0.113.250")]
    pub last_address: String,
    #[schema(example = 24)]
    pub prefix_len: u8,
    #[schema(example = "203.0.113.1")]
    pub gateway: String,
}

page_type!(IpPoolPage, IpPool);

/// An IP address allocated to a project.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IpAddress {
    #[serde(flatten)]
    pub identity: Identity,
    pub project_id: uuid::Uuid,
    pub pool_id: uuid::Uuid,
    #[schema(example = "203.0.113.10")]
    pub address: String,
    /// The instance it is attached to, if any.
    pub instance_id: Option<uuid::Uuid>,
}

page_type!(IpAddressPage, IpAddress);

/// A virtual drive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Drive {
    #[serde(flatten)]
    pub identity: Identity,
    pub project_id: uuid::Uuid,
    #[schema(example = 10737418240_u64)]
    pub size_bytes: u64,
    pub image_id: Option<uuid::Uuid>,
    pub storage_class: StorageClass,
    /// Copies kept on distinct hosts.
    #[schema(example = 3)]
    pub replicas: u8,
    pub avoid_drives: Vec<uuid::Uuid>,
    pub avoid_instances: Vec<uuid::Uuid>,
    pub state: DriveState,
    /// The instance it is attached to, if any.
    pub instance_id: Option<uuid::Uuid>,
    /// Its position on that instance: 0 is the boot drive.
    #[schema(example = 0)]
    pub slot: Option<u32>,
    /// The host whose storage holds a `local` drive; none for a
    /// `replicated` one, which Ceph spreads over several.
    pub host_id: Option<uuid::Uuid>,
    /// Deleted together with the instance it is attached to: set on the
    /// boot drive the quick form of instance creation makes, unless that
    /// create said `boot_drive_delete_with_instance: false`.
    #[schema(example = false)]
    pub delete_with_instance: bool,
    /// The snapshot the drive's data was copied from, if any.
    pub snapshot_id: Option<uuid::Uuid>,
    /// What its snapshots count for: the sum of the drive's size when
    /// each was taken.
    #[schema(example = 21474836480_u64)]
    pub snapshots_size_bytes: u64,
    /// `size_bytes` plus `snapshots_size_bytes`: what the drive is metered
    /// for.
    #[schema(example = 32212254720_u64)]
    pub total_size_bytes: u64,
    /// How a `replicated` drive's copies stand, as the storage cluster
    /// last reported (every 5 seconds); absent for a `local` drive, or
    /// while the cluster cannot be reached.
    pub replication: Option<Replication>,
}

page_type!(DrivePage, Drive);

/// How a replicated drive's copies stand, from the placement groups its
/// objects fall in (each object the drive can have, written or not). While
/// its pool is not clean and the cluster's image list cannot be read, the
/// figures are the pool's.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Replication {
    pub state: ReplicationState,
    /// The share of the drive's object copies missing (0 when `healthy`):
    /// each object counts with its placement group's share.
    #[schema(example = 0.3333)]
    pub degraded_ratio: f64,
    /// The share of the drive's objects whose placement group holds every
    /// copy (1 when `healthy`).
    #[schema(example = 0.75)]
    pub recovery_progress: f64,
    /// When the storage cluster was last read.
    #[schema(example = "2026-11-24T17:30:00Z")]
    pub time_observed: DateTime<Utc>,
}

/// `healthy`: every copy is in place. `degraded`: a host holding copies is
/// gone and nothing is being copied back yet; writes go on as long as two
/// copies are kept. `recovering`: missing copies are being made again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "healthy")]
pub enum ReplicationState {
    Healthy,
    Degraded,
    Recovering,
}

impl ReplicationState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicationState::Healthy => "healthy",
            ReplicationState::Degraded => "degraded",
            ReplicationState::Recovering => "recovering",
        }
    }
}

/// The replicated storage cluster (Ceph), as the server last read it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StorageStatus {
    pub health: StorageHealth,
    /// Ceph's health checks, as `CODE: message`.
    #[schema(example = json!(["OSD_DOWN: 1 osds down"]))]
    pub checks: Vec<String>,
    #[schema(example = 25769803776_u64)]
    pub total_bytes: u64,
    #[schema(example = 913055744_u64)]
    pub used_bytes: u64,
    #[schema(example = 24856748032_u64)]
    pub available_bytes: u64,
    /// Storage daemons (one or more per host): all, up, and in the data
    /// placement.
    #[schema(example = 3)]
    pub osds: u32,
    #[schema(example = 2)]
    pub osds_up: u32,
    #[schema(example = 3)]
    pub osds_in: u32,
    /// Overcast's pools: one per number of copies.
    pub pools: Vec<StoragePool>,
    /// Replicated drives that are not `healthy`: some of their objects
    /// fall in a placement group short of copies.
    #[schema(example = 1)]
    pub degraded_drive_count: u64,
    /// The first 100 of them, by id.
    pub degraded_drives: Vec<uuid::Uuid>,
    /// When the cluster was last read (absent if never).
    pub time_observed: Option<DateTime<Utc>>,
}

/// The storage cluster's overall verdict: Ceph's `HEALTH_OK`, `HEALTH_WARN`
/// or `HEALTH_ERR`; `unreachable` when it could not be read (lost quorum,
/// network); `not_configured` on a server without Ceph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "warn")]
pub enum StorageHealth {
    Ok,
    Warn,
    Error,
    Unreachable,
    NotConfigured,
}

/// One of Overcast's Ceph pools.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StoragePool {
    /// Stable for the pool's name: the `resource_id` of its events.
    #[schema(example = "6f1c2b8e-3a4d-5e6f-8a9b-0c1d2e3f4a5b")]
    pub id: uuid::Uuid,
    #[schema(example = "overcast-r3")]
    pub name: String,
    #[schema(example = 3)]
    pub replicas: u8,
    pub state: ReplicationState,
    #[schema(example = 0.3333)]
    pub degraded_ratio: f64,
    #[schema(example = 0.75)]
    pub recovery_progress: f64,
    #[schema(example = 2048)]
    pub objects: u64,
    #[schema(example = 8589934592_u64)]
    pub stored_bytes: u64,
    /// Replicated drives kept in it.
    #[schema(example = 12)]
    pub drives: u64,
}

/// A point-in-time copy of a replicated drive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    #[serde(flatten)]
    pub identity: Identity,
    pub project_id: uuid::Uuid,
    /// The drive it is a snapshot of.
    pub drive_id: uuid::Uuid,
    /// The drive's size when it was taken.
    #[schema(example = 10737418240_u64)]
    pub size_bytes: u64,
    pub state: SnapshotState,
}

page_type!(SnapshotPage, Snapshot);

/// A virtual machine.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Instance {
    #[serde(flatten)]
    pub identity: Identity,
    pub project_id: uuid::Uuid,
    #[schema(example = 2)]
    pub vcpus: u32,
    #[schema(example = 2048)]
    pub memory_mib: u64,
    /// The boot drive, then extra drives in order.
    pub drive_ids: Vec<uuid::Uuid>,
    pub ip_address_ids: Vec<uuid::Uuid>,
    pub ssh_key_ids: Vec<uuid::Uuid>,
    pub ha_policy: HaPolicy,
    pub avoid_instances: Vec<uuid::Uuid>,
    pub state: InstanceState,
    /// The host it runs on, once placed.
    pub host_id: Option<uuid::Uuid>,
}

page_type!(InstancePage, Instance);

/// One mutation in the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub id: uuid::Uuid,
    #[schema(example = "2026-11-24T17:30:00Z")]
    pub time: DateTime<Utc>,
    /// The request that made the change.
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a70")]
    pub request_id: String,
    /// The token that made the change; absent on what Overcast did
    /// itself (a host found down, an instance restarted elsewhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_token_id: Option<uuid::Uuid>,
    /// The logged-in user behind the change, when it was made with a session.
    pub actor_user_id: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_scope: Option<TokenScope>,
    pub account_id: Option<uuid::Uuid>,
    /// `<resource_type>.<verb>`.
    #[schema(example = "drive.create")]
    pub action: String,
    #[schema(example = "drive")]
    pub resource_type: String,
    pub resource_id: uuid::Uuid,
    #[schema(example = "data")]
    pub resource_name: String,
    /// Why a change failed, on `<resource_type>.failed` events: the
    /// operation and the host's own reason. Absent on other events.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "drive_create: the disk is full")]
    pub message: Option<String>,
}

page_type!(EventPage, Event);

/// A one-use link that lets a user set a password: an invitation for a
/// user without one, a reset for a user with one. Its secret is shown once,
/// here; pass the link on to the user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a70")]
    pub id: uuid::Uuid,
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6e")]
    pub user_id: uuid::Uuid,
    /// `invitation` (the user has no password yet) or `reset`.
    #[schema(example = "invitation")]
    pub kind: String,
    /// The secret to send with `POST /v1/invitations/accept`.
    #[schema(example = "oc_inv_Qm9vbXN0aWNrLWV4YW1wbGUtc2VjcmV0LXZhbHVl")]
    pub secret: String,
    /// The console's page for this link, on the host name it was asked for on.
    #[schema(
        example = "https://cloud.example.com/invitation#oc_inv_Qm9vbXN0aWNrLWV4YW1wbGUtc2VjcmV0LXZhbHVl"
    )]
    pub url: String,
    #[schema(example = "2026-12-10T17:30:00Z")]
    pub time_expires: DateTime<Utc>,
}

/// A login session. Its secret travels only in the `overcast_session`
/// cookie; requests that change something with that cookie also send
/// `csrf_token` in the `X-CSRF-Token` header.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Session {
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a71")]
    pub id: uuid::Uuid,
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6e")]
    pub user_id: uuid::Uuid,
    /// The address the session logged in from.
    #[schema(example = "203.0.113.7")]
    pub client: String,
    #[schema(example = "Mozilla/5.0 (X11; Linux x86_64)")]
    pub user_agent: String,
    #[schema(example = "2026-12-07T17:30:00Z")]
    pub time_created: DateTime<Utc>,
    #[schema(example = "2026-12-07T17:42:00Z")]
    pub time_last_used: DateTime<Utc>,
    /// When the session ends whatever its use (the idle expiry comes sooner
    /// when it is not used).
    #[schema(example = "2026-12-08T05:30:00Z")]
    pub time_expires: DateTime<Utc>,
    /// Whether this is the session the request was made with.
    #[schema(example = true)]
    pub current: bool,
}

page_type!(SessionPage, Session);

/// A new login session: the session, its user, and the token to send in
/// `X-CSRF-Token` with every change made with its cookie.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Login {
    pub session: Session,
    pub user: User,
    #[schema(example = "Y3NyZi10b2tlbi1leGFtcGxlLXZhbHVlLTEyMzQ1Ng")]
    pub csrf_token: String,
}

/// Who the request acts as: a token or a logged-in user, and its powers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub scope: TokenScope,
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6c")]
    pub partner_id: Option<uuid::Uuid>,
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub account_id: Option<uuid::Uuid>,
    /// The token, when the request carries one.
    pub token_id: Option<uuid::Uuid>,
    /// The user, when the request carries a session cookie (absent for a token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub user: Option<User>,
    /// The session's CSRF token, for a request made with a session cookie:
    /// a console that reloads reads it here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        nullable = false,
        example = "Y3NyZi10b2tlbi1leGFtcGxlLXZhbHVlLTEyMzQ1Ng"
    )]
    pub csrf_token: Option<String>,
}
