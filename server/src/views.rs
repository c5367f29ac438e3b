//! Response bodies of the public API, converted from database rows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{Page, TokenScope, json_list};
use crate::db::models::*;
use crate::params::{Architecture, BootMode, Brand, HaPolicy, HostState};

fn time(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> T {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .expect("stored enum values are written by this server")
}

/// Store an enum by its wire name.
pub fn enum_str<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v).expect("enum serializes") {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

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

fn identity(
    id: &str,
    name: &str,
    description: &str,
    time_created: i64,
    time_modified: i64,
) -> Identity {
    Identity {
        id: id.parse().unwrap_or_default(),
        name: name.to_string(),
        description: description.to_string(),
        time_created: time(time_created),
        time_modified: time(time_modified),
    }
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
}

impl From<PartnerRow> for Partner {
    fn from(r: PartnerRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            brand: Brand {
                display_name: r.display_name,
                logo_url: r.logo_url,
                primary_color: r.primary_color,
                accent_color: r.accent_color,
                support_url: r.support_url,
                support_email: r.support_email,
            },
        }
    }
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
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            partner_id: r.partner_id.and_then(|p| p.parse().ok()),
        }
    }
}
page_type!(AccountPage, Account);

/// A person with access to an account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    #[serde(flatten)]
    pub identity: Identity,
    pub account_id: uuid::Uuid,
    #[schema(example = "alice@acme.example")]
    pub email: String,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            account_id: r.account_id.parse().unwrap_or_default(),
            email: r.email,
        }
    }
}
page_type!(UserPage, User);

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

impl From<TokenRow> for Token {
    fn from(r: TokenRow) -> Self {
        Self {
            id: r.id.parse().unwrap_or_default(),
            description: r.description,
            scope: TokenScope::parse(&r.scope).unwrap_or(TokenScope::AccountReadOnly),
            partner_id: r.partner_id.and_then(|p| p.parse().ok()),
            account_id: r.account_id.and_then(|p| p.parse().ok()),
            time_created: time(r.time_created),
            time_expires: r.time_expires.map(time),
        }
    }
}
page_type!(TokenPage, Token);

/// A new API token. The secret is shown here once and never again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenCreated {
    #[serde(flatten)]
    pub token: Token,
    /// Send as `Authorization: Bearer <secret>`.
    #[schema(example = "oc_3q2+7w==example")]
    pub secret: String,
}

/// A group of resources inside an account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Project {
    #[serde(flatten)]
    pub identity: Identity,
    pub account_id: uuid::Uuid,
}

impl From<ProjectRow> for Project {
    fn from(r: ProjectRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            account_id: r.account_id.parse().unwrap_or_default(),
        }
    }
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

impl From<SshKeyRow> for SshKey {
    fn from(r: SshKeyRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            account_id: r.account_id.parse().unwrap_or_default(),
            public_key: r.public_key,
            fingerprint: r.fingerprint,
        }
    }
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

impl From<ImageRow> for Image {
    fn from(r: ImageRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            account_id: r.scope.parse().ok(),
            os_family: r.os_family,
            architecture: parse_enum(&r.architecture),
            boot_mode: parse_enum(&r.boot_mode),
            min_size_bytes: r.min_size_bytes as u64,
            source_url: r.source_url,
        }
    }
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
    /// The TCP port of the host's iSCSI portal.
    #[schema(example = 3260)]
    pub iscsi_port: u16,
    pub state: HostState,
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
    #[schema(example = "oc_3q2+7w==example")]
    pub token: String,
    #[schema(example = "2026-11-24T17:30:00Z")]
    pub time_created: DateTime<Utc>,
    #[schema(example = "2026-11-24T18:30:00Z")]
    pub time_expires: DateTime<Utc>,
}

impl HostEnrollment {
    pub fn new(r: HostEnrollmentRow, token: String) -> Self {
        Self {
            id: r.id.parse().unwrap_or_default(),
            description: r.description,
            token,
            time_created: time(r.time_created),
            time_expires: time(r.time_expires),
        }
    }
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

impl From<HostRow> for Host {
    fn from(r: HostRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            address: r.address,
            cpus: r.cpus as u32,
            memory_mib: r.memory_mib as u64,
            storage_bytes: r.storage_bytes as u64,
            storage_free_bytes: r.storage_free_bytes as u64,
            iscsi_port: r.iscsi_port as u16,
            state: parse_enum(&r.state),
            time_heartbeat: r.time_heartbeat.map(time),
        }
    }
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

impl From<IpPoolRow> for IpPool {
    fn from(r: IpPoolRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            first_address: r.first_address,
            last_address: r.last_address,
            prefix_len: r.prefix_len as u8,
            gateway: r.gateway,
        }
    }
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

impl From<IpAddressRow> for IpAddress {
    fn from(r: IpAddressRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            project_id: r.project_id.parse().unwrap_or_default(),
            pool_id: r.pool_id.parse().unwrap_or_default(),
            address: r.address,
            instance_id: r.instance_id.and_then(|i| i.parse().ok()),
        }
    }
}
page_type!(IpAddressPage, IpAddress);

/// Lifecycle state of a drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = "available")]
#[serde(rename_all = "snake_case")]
pub enum DriveState {
    Creating,
    Available,
    Attaching,
    Attached,
    Detaching,
    Resizing,
    Deleting,
    Failed,
}

/// A virtual drive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Drive {
    #[serde(flatten)]
    pub identity: Identity,
    pub project_id: uuid::Uuid,
    #[schema(example = 10737418240_u64)]
    pub size_bytes: u64,
    pub image_id: Option<uuid::Uuid>,
    #[schema(example = 1)]
    pub replicas: u8,
    pub avoid_drives: Vec<uuid::Uuid>,
    pub avoid_instances: Vec<uuid::Uuid>,
    pub state: DriveState,
    /// The instance it is attached to, if any.
    pub instance_id: Option<uuid::Uuid>,
    /// Its position on that instance: 0 is the boot drive.
    #[schema(example = 0)]
    pub slot: Option<u32>,
    /// The host whose storage holds it.
    pub host_id: Option<uuid::Uuid>,
}

fn uuids(text: &str) -> Vec<uuid::Uuid> {
    json_list(text)
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

impl From<DriveRow> for Drive {
    fn from(r: DriveRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            project_id: r.project_id.parse().unwrap_or_default(),
            size_bytes: r.size_bytes as u64,
            image_id: r.image_id.and_then(|i| i.parse().ok()),
            replicas: r.replicas as u8,
            avoid_drives: uuids(&r.avoid_drives),
            avoid_instances: uuids(&r.avoid_instances),
            state: parse_enum(&r.state),
            instance_id: r.instance_id.and_then(|i| i.parse().ok()),
            slot: r.slot.map(|s| s as u32),
            host_id: r.host_id.and_then(|h| h.parse().ok()),
        }
    }
}
page_type!(DrivePage, Drive);

/// Lifecycle state of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = "running")]
#[serde(rename_all = "snake_case")]
pub enum InstanceState {
    Creating,
    Starting,
    Running,
    Stopping,
    Stopped,
    Rebooting,
    Migrating,
    Failed,
    Deleting,
}

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

impl Instance {
    pub fn from_parts(r: InstanceRow, drive_ids: Vec<String>, ip_ids: Vec<String>) -> Self {
        Self {
            identity: identity(
                &r.id,
                &r.name,
                &r.description,
                r.time_created,
                r.time_modified,
            ),
            project_id: r.project_id.parse().unwrap_or_default(),
            vcpus: r.vcpus as u32,
            memory_mib: r.memory_mib as u64,
            drive_ids: drive_ids.iter().filter_map(|s| s.parse().ok()).collect(),
            ip_address_ids: ip_ids.iter().filter_map(|s| s.parse().ok()).collect(),
            ssh_key_ids: uuids(&r.ssh_key_ids),
            ha_policy: parse_enum(&r.ha_policy),
            avoid_instances: uuids(&r.avoid_instances),
            state: parse_enum(&r.state),
            host_id: r.host_id.and_then(|h| h.parse().ok()),
        }
    }
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
    /// The token that made the change.
    pub actor_token_id: uuid::Uuid,
    pub actor_scope: TokenScope,
    pub account_id: Option<uuid::Uuid>,
    /// `<resource_type>.<verb>`.
    #[schema(example = "drive.create")]
    pub action: String,
    #[schema(example = "drive")]
    pub resource_type: String,
    pub resource_id: uuid::Uuid,
    #[schema(example = "data")]
    pub resource_name: String,
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Self {
        Self {
            id: r.id.parse().unwrap_or_default(),
            time: time(r.time_created),
            request_id: r.request_id,
            actor_token_id: r.actor_token_id.parse().unwrap_or_default(),
            actor_scope: TokenScope::parse(&r.actor_scope).unwrap_or(TokenScope::AccountReadOnly),
            account_id: r.account_id.and_then(|a| a.parse().ok()),
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id.parse().unwrap_or_default(),
            resource_name: r.resource_name,
        }
    }
}
page_type!(EventPage, Event);
