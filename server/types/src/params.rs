//! Request bodies and query parameters of the public API.
//!
//! Every body rejects unknown fields. Every field a client sets on create
//! says in `x-overcast-mutability` whether a later change is `live`, needs
//! the instance `requires_stop`ped, or means `replace`ment.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::scope::TokenScope;
use crate::text_enum::text_enum;

pub use crate::states::HostState;

/// Query parameters of every list operation.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<u32>,
    /// The `next_page` of the previous page, as returned; any other value is a 400.
    pub page_token: Option<String>,
}

/// Which account an account-scoped request addresses (account tokens may omit it).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountSelector {
    /// Name or id of the account. Account tokens default to their own;
    /// operator and partner tokens must give it (a 400 otherwise).
    #[param(example = "acme")]
    pub account: Option<String>,
}

/// Account selector plus pagination, for account-scoped lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountListParams {
    /// Name or id of the account. Account tokens default to their own;
    /// operator and partner tokens must give it (a 400 otherwise).
    #[param(example = "acme")]
    pub account: Option<String>,
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<u32>,
    /// The `next_page` of the previous page, as returned; any other value is a 400.
    pub page_token: Option<String>,
}

/// Which events to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
    /// Name or id of the account. Account tokens default to their own;
    /// operators see every event without it.
    #[param(example = "acme")]
    pub account: Option<String>,
    /// Only the events about this resource.
    #[param(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a70")]
    pub resource_id: Option<uuid::Uuid>,
    /// Only the events about this kind of resource, as events name it
    /// (`instance`, `drive`, `user`, ...).
    #[param(example = "instance", max_length = 64)]
    pub resource_type: Option<String>,
    /// Only the events of this action (`instance.create`, `drive.delete`, ...).
    #[param(example = "instance.delete", max_length = 64)]
    pub action: Option<String>,
    /// `oldest_first` (the default) or `newest_first`.
    #[param(inline, example = "newest_first")]
    pub order: Option<EventOrder>,
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<u32>,
    /// The `next_page` of the previous page, as returned; any other value is a 400.
    pub page_token: Option<String>,
}

/// The order of the audit log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "newest_first")]
pub enum EventOrder {
    #[default]
    OldestFirst,
    NewestFirst,
}

impl EventOrder {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventOrder::OldestFirst => "oldest_first",
            EventOrder::NewestFirst => "newest_first",
        }
    }
}

/// Which project a project-scoped request addresses.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProjectSelector {
    /// Name or id of the project. Needed when the resource is named by name.
    #[param(example = "web")]
    pub project: Option<String>,
    /// Name or id of the account holding the project: operator and partner
    /// tokens must give it when `project` is a name (a 400 otherwise).
    #[param(example = "acme")]
    pub account: Option<String>,
}

/// Project selector plus where to read an instance's serial log from.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SerialParams {
    /// Name or id of the project. Needed when the resource is named by name.
    #[param(example = "web")]
    pub project: Option<String>,
    /// Name or id of the account holding the project: operator and partner
    /// tokens must give it when `project` is a name (a 400 otherwise).
    #[param(example = "acme")]
    pub account: Option<String>,
    /// Byte offset to read from (the previous read's `next_offset`).
    #[param(example = 0, minimum = 0)]
    pub offset: Option<u64>,
    /// Most bytes to return (default and maximum 65536).
    #[param(example = 65536, minimum = 1, maximum = 65536)]
    pub max_bytes: Option<u32>,
}

/// Project selector plus pagination, for project-scoped lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProjectListParams {
    /// Name or id of the project. Required unless `page_token` is given.
    #[param(example = "web")]
    pub project: Option<String>,
    /// Name or id of the account holding the project: operator and partner
    /// tokens must give it when `project` is a name (a 400 otherwise).
    #[param(example = "acme")]
    pub account: Option<String>,
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<u32>,
    /// The `next_page` of the previous page, as returned; any other value is a 400.
    pub page_token: Option<String>,
}

/// Create a partner (white-label reseller).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerCreate {
    #[schema(example = "cloudco", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Reseller for the APAC region", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    #[schema(inline)]
    pub brand: Brand,
    /// Host names the partner's customers open the console on (at most
    /// 20; lowercase, no port). No two partners share one.
    #[serde(default)]
    #[schema(example = json!(["cloud.cloudco.example"]), extensions(("x-overcast-mutability" = json!("live"))))]
    pub host_names: Vec<String>,
}

/// How a partner's control panel looks and where its customers get help.
#[derive(Debug, Clone, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// Shown in the control panel's title bar.
    #[schema(example = "CloudCo", extensions(("x-overcast-mutability" = json!("live"))))]
    pub display_name: String,
    #[schema(example = "https://cloudco.example/logo.svg", extensions(("x-overcast-mutability" = json!("live"))))]
    pub logo_url: Option<String>,
    /// `#rrggbb`.
    #[schema(example = "#1a73e8", extensions(("x-overcast-mutability" = json!("live"))))]
    pub primary_color: String,
    /// `#rrggbb`.
    #[schema(example = "#fbbc04", extensions(("x-overcast-mutability" = json!("live"))))]
    pub accent_color: String,
    #[schema(example = "https://cloudco.example/support", extensions(("x-overcast-mutability" = json!("live"))))]
    pub support_url: Option<String>,
    #[schema(example = "support@cloudco.example", extensions(("x-overcast-mutability" = json!("live"))))]
    pub support_email: Option<String>,
    /// The browser tab's icon.
    #[schema(example = "https://cloudco.example/favicon.png", extensions(("x-overcast-mutability" = json!("live"))))]
    pub favicon_url: Option<String>,
    /// As people dial it; digits, spaces and `+()-.` only.
    #[schema(example = "+61 2 5550 1234", extensions(("x-overcast-mutability" = json!("live"))))]
    pub support_phone: Option<String>,
    /// Links in the console's footer (at most 10; none when absent).
    #[schema(extensions(("x-overcast-mutability" = json!("live"))))]
    pub footer_links: Option<Vec<BrandLink>>,
    /// Where the console's navigation goes (`side` when absent).
    #[schema(inline)]
    pub navigation: Option<Navigation>,
    /// Console sections this brand's customers do not see (none when absent).
    #[schema(inline, extensions(("x-overcast-mutability" = json!("live"))))]
    pub hidden_sections: Option<Vec<ConsoleSection>>,
}

text_enum!(Navigation {
    Side => "side",
    Top => "top",
});

text_enum!(ConsoleSection {
    Dashboard => "dashboard",
    Instances => "instances",
    Drives => "drives",
    IpAddresses => "ip_addresses",
    SshKeys => "ssh_keys",
    Projects => "projects",
    Users => "users",
    Tokens => "tokens",
    Events => "events",
});

/// WCAG 2's relative luminance of a `#rrggbb` colour (none if malformed).
fn luminance(color: &str) -> Option<f64> {
    let hex = color.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| -> Option<f64> {
        let c = f64::from(u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()?) / 255.0;
        Some(if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

/// WCAG 2's contrast ratio of two `#rrggbb` colours (1 to 21).
pub fn contrast_ratio(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

impl Brand {
    /// What falls short of WCAG AA: the primary colour carries white text
    /// (buttons, the navigation bar), so it needs 4.5:1 against white; the
    /// accent marks controls and focus on white, so it needs 3:1 (AA for
    /// non-text contrast).
    pub fn contrast_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (field, color, needed, against) in [
            ("primary_color", &self.primary_color, 4.5, "white text"),
            (
                "accent_color",
                &self.accent_color,
                3.0,
                "a white background",
            ),
        ] {
            if let Some(ratio) = contrast_ratio(color, "#ffffff")
                && ratio < needed
            {
                out.push(format!(
                    "{field} {color} has a contrast of {ratio:.1}:1 with {against}; WCAG AA needs {needed}:1"
                ));
            }
        }
        out
    }
}

/// A link in the console's footer.
#[derive(Debug, Clone, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandLink {
    /// 1 to 60 characters.
    #[schema(example = "Terms of service")]
    pub label: String,
    #[schema(example = "https://cloudco.example/terms")]
    pub url: String,
}

/// Where the console puts its navigation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "side")]
pub enum Navigation {
    /// A bar down the left side.
    #[default]
    Side,
    /// A bar across the top.
    Top,
}

/// A section of the console's customer navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "events")]
pub enum ConsoleSection {
    Dashboard,
    Instances,
    Drives,
    IpAddresses,
    SshKeys,
    Projects,
    Users,
    Tokens,
    Events,
}

/// Change a partner. Absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerUpdate {
    #[schema(example = "cloudco")]
    pub name: Option<String>,
    #[schema(example = "Reseller for the APAC region")]
    pub description: Option<String>,
    pub brand: Option<Brand>,
    /// Replaces the host names when present.
    #[schema(example = json!(["cloud.cloudco.example"]))]
    pub host_names: Option<Vec<String>>,
}

/// Create an account (a customer).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountCreate {
    #[schema(example = "acme", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "ACME Corp.", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    /// Name or id of the owning partner. Partner admins may omit it (their own);
    /// operators omit it for a direct customer.
    #[schema(example = "cloudco", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub partner: Option<String>,
}

/// Change a resource's name and description. Absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityUpdate {
    #[schema(example = "new-name")]
    pub name: Option<String>,
    #[schema(example = "A better description")]
    pub description: Option<String>,
}

/// Change an account. Absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountUpdate {
    #[schema(example = "new-name")]
    pub name: Option<String>,
    #[schema(example = "A better description")]
    pub description: Option<String>,
    /// Suspend (`true`) or resume (`false`) the account: its partner's
    /// admins and the operator only.
    #[schema(example = false)]
    pub suspended: Option<bool>,
}

/// Create a user: of an account (the account roles, `?account=` as for
/// other account resources), of a partner (`partner_admin`, with
/// `partner`), or of the operator (`operator`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
// A whole example, so that tools do not join the fields' own (`partner`
// goes only with `partner_admin`).
#[schema(example = json!({"name": "alice", "description": "Site reliability",
    "email": "alice@acme.example", "role": "account_member"}))]
pub struct UserCreate {
    #[schema(example = "alice", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Site reliability", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    #[schema(example = "alice@acme.example", extensions(("x-overcast-mutability" = json!("live"))))]
    pub email: String,
    #[serde(default = "default_role")]
    #[schema(inline, example = "account_member")]
    pub role: crate::UserRole,
    /// Name or id of the partner, for `partner_admin` (a partner admin's
    /// own by default).
    #[schema(example = "cloudco", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub partner: Option<String>,
}

fn default_role() -> crate::UserRole {
    crate::UserRole::AccountMember
}

/// The shortest and longest passwords taken, in characters and bytes.
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_BYTES: usize = 1024;

/// Set a password with the secret of an invitation or reset link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationAccept {
    #[schema(example = "oc_inv_Qm9vbXN0aWNrLWV4YW1wbGUtc2VjcmV0LXZhbHVl")]
    pub secret: String,
    /// At least 10 characters, at most 1,024 bytes.
    #[schema(example = "correct horse battery staple", min_length = 10, max_length = 1024, format = Password)]
    pub password: String,
}

/// Log in with an e-mail and a password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "alice@acme.example")]
    pub email: String,
    #[schema(example = "correct horse battery staple", format = Password)]
    pub password: String,
    /// The code from the user's authenticator app, when the user has a
    /// second factor (without one, such a login answers 401 `totp_required`).
    #[schema(example = "492039")]
    pub totp_code: Option<String>,
    /// One of the user's recovery codes, instead of `totp_code`; each works once.
    #[schema(example = "k7m2p-x9qrt")]
    pub recovery_code: Option<String>,
}

/// A code that proves the second factor: from the authenticator app, or
/// (to turn it off) a recovery code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    #[schema(example = "492039")]
    pub code: String,
}

/// Create an API token. Its secret is shown once, in the response.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    #[schema(inline, example = "account_read_write", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub scope: TokenScope,
    #[serde(default)]
    #[schema(example = "CI pipeline", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub description: String,
    /// Name or id of the account, for account scopes (account tokens default to their own).
    #[schema(example = "acme", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub account: Option<String>,
    /// Name or id of the partner, for the partner-admin scope.
    #[schema(example = "cloudco", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub partner: Option<String>,
    /// Lifetime in seconds; absent means the token does not expire.
    #[schema(example = 86400, minimum = 60, extensions(("x-overcast-mutability" = json!("replace"))))]
    pub expires_in_seconds: Option<u64>,
}

/// Create a project in an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectCreate {
    #[schema(example = "web", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Production web tier", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
}

/// Add an SSH public key to an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SshKeyCreate {
    #[schema(example = "laptop", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Alice's laptop", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    /// An OpenSSH public key line.
    #[schema(example = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f alice@laptop", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub public_key: String,
}

/// How an image boots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "firmware")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum BootMode {
    /// The host boots the image's kernel and initrd directly.
    DirectKernel,
    /// UEFI firmware boots the image's own boot loader.
    Firmware,
}

text_enum!(BootMode {
    DirectKernel => "direct_kernel",
    Firmware => "firmware",
});

/// CPU architecture of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "x86_64")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum Architecture {
    X86_64,
    Aarch64,
}

text_enum!(Architecture {
    X86_64 => "x86_64",
    Aarch64 => "aarch64",
});

/// Register an OS template.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageCreate {
    #[schema(example = "debian-12", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Debian 12 with cloud-init", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    #[schema(example = "debian", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub os_family: String,
    #[schema(inline, example = "x86_64", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub architecture: Architecture,
    #[schema(inline, example = "firmware", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub boot_mode: BootMode,
    /// The smallest drive, in bytes, the image fits on.
    #[schema(example = 2147483648_u64, minimum = 1, extensions(("x-overcast-mutability" = json!("replace"))))]
    pub min_size_bytes: u64,
    /// Where a host fetches the image (`http(s)://` or `file://`).
    #[schema(example = "https://images.example/debian-12.raw", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub source_url: String,
    /// Make a system-wide image (operators only). Otherwise the image belongs to the account.
    #[serde(default)]
    #[schema(example = true, extensions(("x-overcast-mutability" = json!("replace"))))]
    pub system: bool,
}

/// Ask for a one-use token that enrolls a new host (`overcast-hostd run
/// --enrollment-token-file`): the host then reports its own capacity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HostEnrollmentCreate {
    #[serde(default)]
    #[schema(example = "Rack 4, slot 12", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub description: String,
    /// How long the token stays usable, in seconds (default one hour).
    #[serde(default = "default_enrollment_ttl")]
    #[schema(example = 3600, minimum = 60, maximum = 604800, extensions(("x-overcast-mutability" = json!("replace"))))]
    pub ttl_seconds: u32,
}

fn default_enrollment_ttl() -> u32 {
    3600
}

/// Change a host. Absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HostUpdate {
    #[schema(example = "Rack 4, slot 12")]
    pub description: Option<String>,
    #[schema(inline, example = "draining")]
    pub state: Option<HostState>,
}

/// Create an IPv4 pool: a range of addresses in one subnet.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpPoolCreate {
    #[schema(example = "public", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Public addresses", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    #[schema(example = "203.0.113.10", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub first_address: String,
    #[schema(example = "203.0.113.250", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub last_address: String,
    #[schema(example = 24, minimum = 8, maximum = 30, extensions(("x-overcast-mutability" = json!("replace"))))]
    pub prefix_len: u8,
    #[schema(example = "203.0.113.1", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub gateway: String,
}

/// Allocate an IP address from a pool.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpAddressCreate {
    #[schema(example = "web-1-public", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Public address of web-1", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    /// Name or id of the pool.
    #[schema(example = "public", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub pool: String,
}

/// Create a drive: blank, or a copy of an image.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DriveCreate {
    #[schema(example = "data", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Database volume", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    /// Size in bytes: a multiple of 1 MiB, at most 64 TiB. Drives grow live and never shrink.
    #[schema(example = 10737418240_u64, minimum = 1048576, multiple_of = 1048576, extensions(("x-overcast-mutability" = json!("live"))))]
    pub size_bytes: u64,
    /// Name or id of an image to copy onto the drive.
    #[schema(example = "debian-12", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub image: Option<String>,
    /// Name or id of a snapshot (same project) whose data the drive starts
    /// with, instead of an image: `replicated` drives only, at least the
    /// snapshot's size.
    #[schema(example = "data-before-upgrade", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub snapshot: Option<String>,
    // Described by `StorageClass` (a field comment here would wrap the
    // inlined enum in an `allOf` with an object); its mutability is set in
    // `http/spec.rs`.
    #[serde(default)]
    #[schema(inline, example = "replicated")]
    pub storage_class: StorageClass,
    /// Copies kept on distinct hosts: 1 for a `local` drive (the default),
    /// 2 or 3 for a `replicated` one (default 3). With 3 copies writes go on
    /// through the loss of one host; with 2 they pause until its copy is
    /// back. Neither ever acknowledges a write held by fewer than 2 hosts.
    #[schema(example = 3, minimum = 1, maximum = 3, extensions(("x-overcast-mutability" = json!("replace"))))]
    pub replicas: Option<u8>,
    /// Drives (name or id, same project) whose hosts this drive should avoid.
    #[serde(default)]
    #[schema(example = json!(["data-replica"]), extensions(("x-overcast-mutability" = json!("replace"))))]
    pub avoid_drives: Vec<String>,
    /// Instances (name or id, same project) whose hosts this drive should avoid.
    #[serde(default)]
    #[schema(example = json!(["web-2"]), extensions(("x-overcast-mutability" = json!("replace"))))]
    pub avoid_instances: Vec<String>,
}

/// Change a drive. Absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DriveUpdate {
    #[schema(example = "data")]
    pub name: Option<String>,
    #[schema(example = "Database volume")]
    pub description: Option<String>,
    /// A larger size in bytes (multiple of 1 MiB). Drives never shrink.
    #[schema(example = 21474836480_u64, minimum = 1048576, multiple_of = 1048576)]
    pub size_bytes: Option<u64>,
}

/// Take a snapshot of a drive: a point-in-time, crash-consistent copy of a
/// `replicated` drive, kept in Ceph beside it (409 for a `local` drive).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotCreate {
    #[schema(example = "data-before-upgrade", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Before the 2.4 upgrade", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    /// Name or id of the drive (same project).
    #[schema(example = "data", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub drive: String,
}

/// Roll a drive back to one of its snapshots. The drive must be detached,
/// or its instance stopped; what was written since the snapshot is lost.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DriveRollback {
    /// Name or id of one of the drive's snapshots.
    #[schema(example = "data-before-upgrade")]
    pub snapshot: String,
}

/// Make an image of the account from a snapshot of a boot drive. It boots
/// like the image the drive was made from (same kernel, OS family and
/// boot mode) with the snapshot's data; only `replicated` drives can be
/// made from it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotImageCreate {
    #[schema(example = "web-golden", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Web tier, configured", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
}

/// Where a drive's data lives: `local` (the default: one copy, a sparse
/// file on one host, exported over iSCSI) or `replicated` (a Ceph RBD image
/// kept on `replicas` different hosts; needs a server with Ceph, else 422).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, serde::Serialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(example = "replicated")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum StorageClass {
    /// A sparse file on one host, exported by that host's tgt over iSCSI.
    #[default]
    Local,
    /// A Ceph RBD image in a pool of `replicas` copies on different hosts.
    Replicated,
}

text_enum!(StorageClass {
    Local => "local",
    Replicated => "replicated",
});

/// What happens to an instance when its host fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "restart")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum HaPolicy {
    /// Restart it on another host.
    Restart,
    /// Leave it stopped.
    None,
}

text_enum!(HaPolicy {
    Restart => "restart",
    None => "none",
});

/// Create an instance: composed from drives and IPs allocated beforehand,
/// or in the quick form from an image, which makes the boot drive too.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceCreate {
    #[schema(example = "web-1", extensions(("x-overcast-mutability" = json!("live"))))]
    pub name: String,
    #[serde(default)]
    #[schema(example = "Frontend", extensions(("x-overcast-mutability" = json!("live"))))]
    pub description: String,
    #[schema(example = 2, minimum = 1, maximum = 64, extensions(("x-overcast-mutability" = json!("requires_stop"))))]
    pub vcpus: u32,
    #[schema(example = 2048, minimum = 128, maximum = 1048576, extensions(("x-overcast-mutability" = json!("requires_stop"))))]
    pub memory_mib: u64,
    /// Name or id of an available drive to boot from. Give this or `image`.
    #[schema(example = "web-1-boot", extensions(("x-overcast-mutability" = json!("requires_stop"))))]
    pub boot_drive: Option<String>,
    /// Quick form: the image the new boot drive is copied from.
    #[schema(example = "debian-12", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub image: Option<String>,
    /// Quick form: the size in bytes of the new boot drive (default: the image's minimum).
    #[schema(example = 10737418240_u64, minimum = 1048576, multiple_of = 1048576, extensions(("x-overcast-mutability" = json!("replace"))))]
    pub boot_drive_size_bytes: Option<u64>,
    /// Quick form: delete the new boot drive when the instance is deleted
    /// (default true). Drives composed into an instance are always kept.
    #[schema(example = true, extensions(("x-overcast-mutability" = json!("replace"))))]
    pub boot_drive_delete_with_instance: Option<bool>,
    /// Quick form: the new boot drive's storage class (default `local`, a
    /// copy of the image). A `replicated` boot drive is a copy-on-write
    /// clone of the image, made in the same time whatever its size, with
    /// 3 copies.
    #[schema(inline, example = "replicated")]
    pub boot_drive_storage_class: Option<StorageClass>,
    /// Extra drives, in order (name or id, same project, available).
    #[serde(default)]
    #[schema(example = json!(["data"]), extensions(("x-overcast-mutability" = json!("requires_stop"))))]
    pub drives: Vec<String>,
    /// IP addresses (name or id, same project, unattached).
    #[serde(default)]
    #[schema(example = json!(["web-1-public"]), extensions(("x-overcast-mutability" = json!("requires_stop"))))]
    pub ip_addresses: Vec<String>,
    /// SSH keys (name or id, same account) installed at first boot.
    #[serde(default)]
    #[schema(example = json!(["laptop"]), extensions(("x-overcast-mutability" = json!("replace"))))]
    pub ssh_keys: Vec<String>,
    /// cloud-init user-data, at most 64 KiB.
    #[serde(default)]
    #[schema(example = "#cloud-config\npackages: [nginx]\n", extensions(("x-overcast-mutability" = json!("replace"))))]
    pub user_data: String,
    #[serde(default = "restart")]
    #[schema(inline, example = "restart", extensions(("x-overcast-mutability" = json!("live"))))]
    pub ha_policy: HaPolicy,
    /// Instances (name or id, same project) this one should not share a host with.
    #[serde(default)]
    #[schema(example = json!(["web-2"]), extensions(("x-overcast-mutability" = json!("requires_stop"))))]
    pub avoid_instances: Vec<String>,
    /// Start the instance once created (default true).
    #[serde(default = "yes")]
    #[schema(example = true, extensions(("x-overcast-mutability" = json!("live"))))]
    pub start: bool,
}

fn restart() -> HaPolicy {
    HaPolicy::Restart
}

fn yes() -> bool {
    true
}

/// Change an instance. Absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceUpdate {
    #[schema(example = "web-1")]
    pub name: Option<String>,
    #[schema(example = "Frontend")]
    pub description: Option<String>,
    #[schema(inline, example = "none")]
    pub ha_policy: Option<HaPolicy>,
}

/// Change an instance's size. The instance must be stopped.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceResize {
    #[schema(example = 4, minimum = 1, maximum = 64)]
    pub vcpus: Option<u32>,
    #[schema(example = 4096, minimum = 128, maximum = 1048576)]
    pub memory_mib: Option<u64>,
}

/// Attach or detach a drive. The instance must be stopped.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DriveAttachment {
    /// Name or id of the drive (same project).
    #[schema(example = "data")]
    pub drive: String,
}

/// Attach or detach an IP address. The instance must be stopped.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpAttachment {
    /// Name or id of the IP address (same project).
    #[schema(example = "web-1-public")]
    pub ip_address: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_wire_names() {
        crate::text_enum::assert_names_match_serde(BootMode::ALL);
        crate::text_enum::assert_names_match_serde(Architecture::ALL);
        crate::text_enum::assert_names_match_serde(HaPolicy::ALL);
        crate::text_enum::assert_names_match_serde(StorageClass::ALL);
    }
}

#[cfg(test)]
mod brand_tests {
    use super::*;

    #[test]
    fn contrast_follows_wcag() {
        // The extremes, and WCAG's own worked figure for #777 on white (4.48:1).
        assert!((contrast_ratio("#000000", "#ffffff").unwrap() - 21.0).abs() < 1e-9);
        assert!((contrast_ratio("#ffffff", "#ffffff").unwrap() - 1.0).abs() < 1e-9);
        let grey = contrast_ratio("#777777", "#ffffff").unwrap();
        assert!((grey - 4.48).abs() < 0.01, "{grey}");
        assert_eq!(contrast_ratio("#12345", "#ffffff"), None);
    }

    #[test]
    fn a_pale_primary_gets_a_warning() {
        let mut brand = Brand {
            display_name: "CloudCo".into(),
            logo_url: None,
            primary_color: "#1a56db".into(),
            accent_color: "#c2410c".into(),
            support_url: None,
            support_email: None,
            favicon_url: None,
            support_phone: None,
            footer_links: None,
            navigation: None,
            hidden_sections: None,
        };
        assert!(brand.contrast_warnings().is_empty());
        brand.primary_color = "#a0c4ff".into();
        brand.accent_color = "#fde68a".into();
        let warnings = brand.contrast_warnings();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("primary_color #a0c4ff"),
            "{warnings:?}"
        );
    }

    #[test]
    fn stored_names_are_the_wire_names() {
        crate::text_enum::assert_names_match_serde(Navigation::ALL);
        crate::text_enum::assert_names_match_serde(ConsoleSection::ALL);
    }
}
