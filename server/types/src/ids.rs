//! Typed ids: each resource has its own id type, so an instance id cannot
//! be passed where a drive id is expected. Ids are time-ordered UUIDv7,
//! kept in their canonical text form (which is also how they are stored
//! and how they sort), checked when parsed.

use std::str::FromStr;

/// A text that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnId {
    pub kind: &'static str,
    pub text: String,
}

impl std::fmt::Display for NotAnId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\" is not a {} id (a UUID)", self.text, self.kind)
    }
}

impl std::error::Error for NotAnId {}

/// Canonical text of a UUID, or `None`.
pub fn canonical_uuid(text: &str) -> Option<String> {
    uuid::Uuid::from_str(text).ok().map(|u| u.to_string())
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $ty:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[cfg_attr(
            feature = "diesel",
            derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
            diesel(sql_type = diesel::sql_types::Text)
        )]
        pub struct $ty(String);

        impl $ty {
            /// What the id names, for messages.
            pub const KIND: &'static str = $kind;

            /// A new time-ordered id.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn uuid(&self) -> uuid::Uuid {
                uuid::Uuid::from_str(&self.0).expect("typed ids hold UUIDs")
            }
        }

        impl FromStr for $ty {
            type Err = NotAnId;

            fn from_str(s: &str) -> Result<Self, NotAnId> {
                canonical_uuid(s).map(Self).ok_or_else(|| NotAnId {
                    kind: $kind,
                    text: s.chars().take(64).collect(),
                })
            }
        }

        impl TryFrom<String> for $ty {
            type Error = NotAnId;

            fn try_from(s: String) -> Result<Self, NotAnId> {
                s.parse()
            }
        }

        impl From<$ty> for String {
            fn from(id: $ty) -> String {
                id.0
            }
        }

        impl From<uuid::Uuid> for $ty {
            fn from(u: uuid::Uuid) -> Self {
                Self(u.to_string())
            }
        }

        impl From<&$ty> for uuid::Uuid {
            fn from(id: &$ty) -> uuid::Uuid {
                id.uuid()
            }
        }

        impl std::ops::Deref for $ty {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $ty {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($ty), self.0)
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $ty {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        crate::text_enum::text_sql!($ty);
    };
}

typed_id!(
    /// A partner (white-label reseller).
    PartnerId, "partner");
typed_id!(
    /// An account (a customer).
    AccountId, "account");
typed_id!(
    /// A user of an account.
    UserId, "user");
typed_id!(
    /// An API token.
    TokenId, "token");
typed_id!(
    /// A login session of a user.
    SessionId, "session");
typed_id!(
    /// A one-use link that sets a user's password.
    InvitationId, "invitation");
typed_id!(
    /// A project.
    ProjectId, "project");
typed_id!(
    /// An SSH key.
    SshKeyId, "SSH key");
typed_id!(
    /// An OS image.
    ImageId, "image");
typed_id!(
    /// A host.
    HostId, "host");
typed_id!(
    /// A host enrollment token.
    HostEnrollmentId, "host enrollment");
typed_id!(
    /// An IP pool.
    IpPoolId, "IP pool");
typed_id!(
    /// An IP address.
    IpAddressId, "IP address");
typed_id!(
    /// A drive.
    DriveId, "drive");
typed_id!(
    /// A snapshot of a drive.
    SnapshotId, "snapshot");
typed_id!(
    /// An instance.
    InstanceId, "instance");
typed_id!(
    /// An audit event.
    EventId, "event");
typed_id!(
    /// A workflow.
    WorkflowId, "workflow");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_canonically_and_refuse_non_uuids() {
        let id = InstanceId::new();
        assert_eq!(id.uuid().get_version_num(), 7);
        let upper = id.as_str().to_uppercase();
        assert_eq!(upper.parse::<InstanceId>().unwrap(), id);
        let err = "web-1".parse::<DriveId>().unwrap_err();
        assert_eq!(err.to_string(), "\"web-1\" is not a drive id (a UUID)");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<InstanceId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<InstanceId>("\"nope\"").is_err());
    }

    #[test]
    fn new_ids_sort_by_time() {
        let a = HostId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = HostId::new();
        assert!(a < b);
    }
}
