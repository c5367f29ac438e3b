//! Rows to views: how each stored resource appears on the wire.

use chrono::{DateTime, Utc};
use overcast_types::ids::{DriveId, IpAddressId};
use overcast_types::params::Brand;
use overcast_types::views::*;

use crate::json_list;
use crate::models::*;

pub fn time(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

fn identity(
    id: impl Into<uuid::Uuid>,
    name: String,
    description: String,
    time_created: i64,
    time_modified: i64,
) -> Identity {
    Identity {
        id: id.into(),
        name,
        description,
        time_created: time(time_created),
        time_modified: time(time_modified),
    }
}

fn uuids(text: &str) -> Vec<uuid::Uuid> {
    json_list(text)
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// The view of a new enrollment, with its one-time token.
pub fn host_enrollment_view(r: HostEnrollmentRow, token: String) -> HostEnrollment {
    HostEnrollment {
        id: r.id.uuid(),
        description: r.description,
        token,
        time_created: time(r.time_created),
        time_expires: time(r.time_expires),
    }
}

/// The view of an instance with the drives (by slot) and IP addresses composed into it.
pub fn instance_view(r: InstanceRow, drive_ids: &[DriveId], ip_ids: &[IpAddressId]) -> Instance {
    Instance {
        identity: identity(
            &r.id,
            r.name,
            r.description,
            r.time_created,
            r.time_modified,
        ),
        project_id: r.project_id.uuid(),
        vcpus: r.vcpus as u32,
        memory_mib: r.memory_mib as u64,
        drive_ids: drive_ids.iter().map(Into::into).collect(),
        ip_address_ids: ip_ids.iter().map(Into::into).collect(),
        ssh_key_ids: uuids(&r.ssh_key_ids),
        ha_policy: r.ha_policy,
        avoid_instances: uuids(&r.avoid_instances),
        state: r.state,
        host_id: r.host_id.as_ref().map(Into::into),
    }
}

impl From<PartnerRow> for Partner {
    fn from(r: PartnerRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
                r.time_created,
                r.time_modified,
            ),
            brand_warnings: Vec::new(),
            host_names: serde_json::from_str(&r.host_names).unwrap_or_default(),
            brand: Brand {
                display_name: r.display_name,
                logo_url: r.logo_url,
                primary_color: r.primary_color,
                accent_color: r.accent_color,
                support_url: r.support_url,
                support_email: r.support_email,
                favicon_url: r.favicon_url,
                support_phone: r.support_phone,
                footer_links: serde_json::from_str(&r.footer_links).unwrap_or_default(),
                navigation: r.navigation.parse().ok(),
                hidden_sections: serde_json::from_str(&r.hidden_sections).unwrap_or_default(),
            },
        }
        .with_warnings()
    }
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
                r.time_created,
                r.time_modified,
            ),
            partner_id: r.partner_id.as_ref().map(Into::into),
            suspended: r.time_suspended.is_some(),
        }
    }
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
                r.time_created,
                r.time_modified,
            ),
            account_id: r.account_id.as_ref().map(|a| a.uuid()),
            partner_id: r.partner_id.as_ref().map(Into::into),
            email: r.email,
            role: r.role,
            password_set: r.password_hash.is_some(),
            totp_enabled: r.totp_secret.is_some(),
        }
    }
}

impl From<TokenRow> for Token {
    fn from(r: TokenRow) -> Self {
        Self {
            id: r.id.uuid(),
            description: r.description,
            scope: r.scope,
            partner_id: r.partner_id.as_ref().map(Into::into),
            account_id: r.account_id.as_ref().map(Into::into),
            time_created: time(r.time_created),
            time_expires: r.time_expires.map(time),
        }
    }
}

impl From<ProjectRow> for Project {
    fn from(r: ProjectRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
                r.time_created,
                r.time_modified,
            ),
            account_id: r.account_id.uuid(),
        }
    }
}

impl From<SshKeyRow> for SshKey {
    fn from(r: SshKeyRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
                r.time_created,
                r.time_modified,
            ),
            account_id: r.account_id.uuid(),
            public_key: r.public_key,
            fingerprint: r.fingerprint,
        }
    }
}

impl From<ImageRow> for Image {
    fn from(r: ImageRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
                r.time_created,
                r.time_modified,
            ),
            account_id: r.scope.parse().ok(),
            os_family: r.os_family,
            architecture: r.architecture,
            boot_mode: r.boot_mode,
            min_size_bytes: r.min_size_bytes as u64,
            source_url: r.source_url,
        }
    }
}

/// What is placed on a host: the sums placement counts against it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allocated {
    pub vcpus: i64,
    pub memory_mib: i64,
    pub storage_bytes: i64,
}

/// A host as the API shows it, with what is placed on it.
pub fn host_view(r: HostRow, allocated: Allocated) -> Host {
    Host {
        identity: identity(
            &r.id,
            r.name,
            r.description,
            r.time_created,
            r.time_modified,
        ),
        address: r.address,
        cpus: r.cpus as u32,
        memory_mib: r.memory_mib as u64,
        storage_bytes: r.storage_bytes as u64,
        storage_free_bytes: r.storage_free_bytes as u64,
        vcpus_allocated: allocated.vcpus as u32,
        memory_allocated_mib: allocated.memory_mib as u64,
        storage_allocated_bytes: allocated.storage_bytes as u64,
        iscsi_port: r.iscsi_port as u16,
        state: r.state,
        time_state_changed: time(r.time_state_changed),
        time_heartbeat: r.time_heartbeat.map(time),
    }
}

impl From<IpPoolRow> for IpPool {
    fn from(r: IpPoolRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
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

impl From<IpAddressRow> for IpAddress {
    fn from(r: IpAddressRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
                r.time_created,
                r.time_modified,
            ),
            project_id: r.project_id.uuid(),
            pool_id: r.pool_id.uuid(),
            address: r.address,
            instance_id: r.instance_id.as_ref().map(Into::into),
        }
    }
}

impl From<DriveRow> for Drive {
    fn from(r: DriveRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
                r.time_created,
                r.time_modified,
            ),
            project_id: r.project_id.uuid(),
            size_bytes: r.size_bytes as u64,
            image_id: r.image_id.as_ref().map(Into::into),
            storage_class: r.storage_class,
            replicas: r.replicas as u8,
            avoid_drives: uuids(&r.avoid_drives),
            avoid_instances: uuids(&r.avoid_instances),
            state: r.state,
            instance_id: r.instance_id.as_ref().map(Into::into),
            slot: r.slot.map(|s| s as u32),
            host_id: r.host_id.as_ref().map(Into::into),
            delete_with_instance: r.delete_with_instance,
            snapshot_id: r.snapshot_id.as_ref().map(Into::into),
            // Filled in by `app::drives::views`, which sums its snapshots,
            // and by the HTTP layer, which knows the cluster's health.
            snapshots_size_bytes: 0,
            total_size_bytes: r.size_bytes as u64,
            replication: None,
        }
    }
}

impl From<SnapshotRow> for Snapshot {
    fn from(r: SnapshotRow) -> Self {
        Self {
            identity: identity(
                &r.id,
                r.name,
                r.description,
                r.time_created,
                r.time_modified,
            ),
            project_id: r.project_id.uuid(),
            drive_id: r.drive_id.uuid(),
            size_bytes: r.size_bytes as u64,
            state: r.state,
        }
    }
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Self {
        Self {
            id: r.id.uuid(),
            time: time(r.time_created),
            request_id: r.request_id,
            actor_token_id: r.actor_token_id.map(|t| t.uuid()),
            actor_user_id: r.actor_user_id.map(|u| u.uuid()),
            actor_scope: r.actor_scope,
            account_id: r.account_id.as_ref().map(Into::into),
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id.parse().unwrap_or_default(),
            resource_name: r.resource_name,
            message: r.message,
        }
    }
}
