//! The application layer: authorization, validation beyond shape, state
//! rules, placement, plan and command builders, and the database work of
//! every operation. Each operation is a plain function over a connection
//! and a [`Ctx`]; nothing here holds runtime state, spawns tasks or knows
//! HTTP or the hosts' sessions. Orchestration (`workflow`, `hosts`) and the
//! handlers (`http`) call into here, never the reverse (a test in
//! `tests/architecture.rs` checks the imports).
//!
//! One file per resource family: `tenancy` (partners, accounts, users,
//! tokens, projects, SSH keys, events), `images`, `ips` (pools and
//! addresses), `hosts` (enrollment, credentials, heartbeats), `placement`,
//! `drives`, `snapshots`, `instances`; `people` (passwords, invitations,
//! login sessions); `plans` (workflow plans as data), `commands`
//! (host commands and step effects), `reconcile` (inventories).

pub mod auth;
pub mod brands;
pub mod commands;
pub mod drives;
pub mod failover;
pub mod hosts;
pub mod images;
pub mod instances;
pub mod ips;
pub mod people;
pub mod pki;
pub mod placement;
pub mod plans;
pub mod reconcile;
pub mod replicas;
pub mod second_factor;
pub mod snapshots;
pub mod tenancy;

use diesel::prelude::*;
use overcast_db::models::{AccountRow, EventRow, ProjectRow};
use overcast_db::schema::{accounts, events, projects};
use overcast_db::{DbConn, now_micros};
use overcast_types::ids::{AccountId, EventId, PartnerId, TokenId, UserId, WorkflowId};
use overcast_types::params::IdentityUpdate;
pub use overcast_types::{ApiError, ApiResult, NameOrId, Page, PageRequest};

pub use auth::Actor;
pub use overcast_types::{TokenScope, validate_description, validate_name};

/// Everything an operation needs to know about the request it serves.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub request_id: String,
    pub placement: placement::PlacementPolicy,
    /// Whether the server has a Ceph cluster for `replicated` drives.
    pub replicated_storage: bool,
}

/// What an event is about, for the audit log. `partner_id` is set for
/// partner-level events; account events name their account.
pub struct Subject<'a> {
    pub resource_type: &'static str,
    pub id: &'a str,
    pub name: &'a str,
    pub account_id: Option<AccountId>,
    pub partner_id: Option<PartnerId>,
}

/// Append a mutation to the audit log, inside the mutation's transaction.
pub fn record_event(
    conn: &mut DbConn,
    ctx: &Ctx,
    action: &str,
    subject: Subject<'_>,
) -> ApiResult<()> {
    append_event(
        conn,
        &ctx.request_id,
        Some(EventActor::of(&ctx.actor)),
        action,
        subject,
        None,
    )
}

/// Append something Overcast did on its own (no token behind it) to the
/// audit log: `<resource_type>.<action>`, with a message for people.
pub fn record_system_event(
    conn: &mut DbConn,
    action: &str,
    subject: Subject<'_>,
    message: String,
) -> ApiResult<()> {
    append_event(conn, "", None, action, subject, Some(message))
}

/// Who an event names as its actor: the token or the logged-in user, and
/// the scope it acted with.
pub struct EventActor {
    pub token_id: Option<TokenId>,
    pub user_id: Option<UserId>,
    pub scope: TokenScope,
}

impl EventActor {
    pub fn of(actor: &Actor) -> Self {
        Self {
            token_id: actor.token_id.clone(),
            user_id: actor.user.as_ref().map(|u| u.user_id.clone()),
            scope: actor.scope,
        }
    }
}

/// Append `<resource_type>.<action>` about `subject` to the audit log, by
/// the request and actor given (none for the system's own doing).
pub fn append_event(
    conn: &mut DbConn,
    request_id: &str,
    actor: Option<EventActor>,
    action: &str,
    subject: Subject<'_>,
    message: Option<String>,
) -> ApiResult<()> {
    // An account's events are found through the account (its partner can
    // be looked up when listing), so recording costs no extra query.
    let (actor_token_id, actor_user_id, actor_scope) = match actor {
        Some(a) => (a.token_id, a.user_id, Some(a.scope)),
        None => (None, None, None),
    };
    let row = EventRow {
        id: EventId::new(),
        time_created: now_micros(),
        request_id: request_id.to_string(),
        actor_token_id,
        actor_user_id,
        actor_scope,
        partner_id: subject.partner_id,
        account_id: subject.account_id,
        action: format!("{}.{}", subject.resource_type, action),
        resource_type: subject.resource_type.to_string(),
        resource_id: subject.id.to_string(),
        resource_name: subject.name.to_string(),
        message,
    };
    diesel::insert_into(events::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// The account an account-scoped request addresses. Account tokens address
/// their own account (naming another is a 404); operators and partner
/// admins must name one.
pub fn resolve_account(
    conn: &mut DbConn,
    actor: &Actor,
    selector: Option<&NameOrId>,
) -> ApiResult<AccountRow> {
    let selector = match (selector, &actor.account_id) {
        (Some(s), _) => s.clone(),
        (None, Some(own)) => NameOrId::id(own),
        (None, None) => {
            return Err(ApiError::invalid(
                "account",
                "operator and partner tokens must name an account with ?account=",
            ));
        }
    };
    let query = accounts::table.select(AccountRow::as_select()).into_boxed();
    let row = match &selector {
        NameOrId::Id(id) => query.filter(accounts::id.eq(id)).first(conn),
        NameOrId::Name(name) => query.filter(accounts::name.eq(name)).first(conn),
    }
    .optional()?;
    match row {
        Some(account) if actor.sees_account(&account) => Ok(account),
        _ => Err(ApiError::not_found("account", &selector)),
    }
}

/// The project a project-scoped request addresses. By id it needs nothing
/// else; by name it is looked up in the caller's (or the named) account.
pub fn resolve_project(
    conn: &mut DbConn,
    actor: &Actor,
    selector: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<ProjectRow> {
    let row = match selector {
        NameOrId::Id(id) => projects::table
            .find(id)
            .select(ProjectRow::as_select())
            .first(conn)
            .optional()?,
        NameOrId::Name(name) => {
            // An account token's own account needs no lookup.
            let account_id = match (account, &actor.account_id) {
                (None, Some(own)) => own.clone(),
                _ => resolve_account(conn, actor, account)?.id,
            };
            projects::table
                .filter(projects::account_id.eq(&account_id))
                .filter(projects::name.eq(name))
                .select(ProjectRow::as_select())
                .first(conn)
                .optional()?
        }
    };
    match row {
        Some(p) if actor.sees_account_id(conn, &p.account_id)? => Ok(p),
        _ => Err(ApiError::not_found("project", selector)),
    }
}

/// Compare the generation a client read (from `If-Match`) with the stored one.
pub fn check_generation(expected: Option<i64>, actual: i64) -> ApiResult<()> {
    match expected {
        Some(e) if e != actual => Err(ApiError::precondition_failed(
            "the resource changed since you read it (ETag mismatch); read it again and retry",
        )),
        _ => Ok(()),
    }
}

/// The result of an operation that may have recorded a workflow: the
/// caller launches it once the transaction has committed.
pub struct Launched<T> {
    pub value: T,
    pub workflow: Option<WorkflowId>,
}

impl<T> Launched<T> {
    pub fn now(value: T) -> Self {
        Self {
            value,
            workflow: None,
        }
    }

    pub fn with(value: T, workflow: WorkflowId) -> Self {
        Self {
            value,
            workflow: Some(workflow),
        }
    }
}

/// Selectors of a project-scoped request, from its query string.
#[derive(Debug, Clone, Default)]
pub struct ProjectScope {
    pub project: Option<NameOrId>,
    pub account: Option<NameOrId>,
}

/// Whether a row read by id is the caller's to see, when that is known
/// without another read: in the project `?project=` names by id, if it
/// names one, and in an account the actor sees. `None` when it takes a
/// read (a project named by name, a partner admin's accounts).
pub fn visible_by_id(
    project_id: &str,
    account_id: &AccountId,
    actor: &Actor,
    scope: &ProjectScope,
) -> Option<bool> {
    match &scope.project {
        Some(NameOrId::Name(_)) => None,
        Some(NameOrId::Id(id)) if id != project_id => Some(false),
        _ => actor.sees_account_id_known(account_id),
    }
}

/// What a row read by id on a pipelined read tells: the answer (the row,
/// or a 404 when there is none or `visible` says no), or `None` when
/// `visible` cannot tell without another read and the blocking lookup
/// must answer. The pipelined read is only ever a faster way to the
/// blocking lookup's answer.
pub fn answer_by_id<R>(
    found: Option<R>,
    kind: &str,
    selector: &NameOrId,
    visible: impl FnOnce(&R) -> Option<bool>,
) -> Option<ApiResult<R>> {
    let Some(row) = found else {
        return Some(Err(ApiError::not_found(kind, selector)));
    };
    match visible(&row)? {
        true => Some(Ok(row)),
        false => Some(Err(ApiError::not_found(kind, selector))),
    }
}

/// Reads the `$row` of `$table` with id `$id` on the pipelined connection
/// `$conn`, and returns what it tells (`answer_by_id`, with `$visible`).
macro_rules! pipelined_answer {
    ($conn:expr, $table:ident, $row:ty, $kind:literal, $id:expr, $selector:expr,
     |$r:ident| $visible:expr) => {{
        use diesel::prelude::*;
        use overcast_db::schema::$table;
        let query = $table::table.find($id).select(<$row>::as_select());
        let found = diesel_async::RunQueryDsl::first(query, &mut { $conn })
            .await
            .optional()?;
        Ok(crate::app::answer_by_id(
            found,
            $kind,
            $selector,
            |$r: &$row| $visible,
        ))
    }};
}

pub(crate) use pipelined_answer;

/// Generates the lookup of a project-scoped resource by name or id: by id
/// anywhere the caller can see, by name inside `?project=`. Anything the
/// caller cannot see is a 404. `$fetch` is the same lookup by id on
/// PostgreSQL's pipelined reads (`Database::read_by_id` runs the two).
macro_rules! project_scoped_lookup {
    ($fn:ident, $fetch:ident, $table:ident, $row:ty, $kind:literal) => {
        /// The lookup by id on one of PostgreSQL's pipelined reads: the
        /// answer when the row alone tells it, `None` when the blocking
        /// lookup must give it (see [`crate::app::answer_by_id`]).
        pub async fn $fetch(
            conn: &diesel_async::AsyncPgConnection,
            actor: &crate::app::Actor,
            selector: &overcast_types::NameOrId,
            scope: &crate::app::ProjectScope,
        ) -> diesel::QueryResult<Option<overcast_types::ApiResult<$row>>> {
            // Only what the row alone can settle is read here.
            let (overcast_types::NameOrId::Id(id), true) = (
                selector,
                actor.sees_without_query()
                    && !matches!(scope.project, Some(overcast_types::NameOrId::Name(_))),
            ) else {
                return Ok(None);
            };
            crate::app::pipelined_answer!(conn, $table, $row, $kind, id, selector, |r| {
                crate::app::visible_by_id(r.project_id.as_str(), &r.account_id, actor, scope)
            })
        }

        pub fn $fn(
            conn: &mut overcast_db::DbConn,
            actor: &crate::app::Actor,
            selector: &overcast_types::NameOrId,
            scope: &crate::app::ProjectScope,
        ) -> overcast_types::ApiResult<$row> {
            use diesel::prelude::*;
            use overcast_db::schema::$table;
            use overcast_types::NameOrId;
            let row = match selector {
                NameOrId::Id(id) => $table::table
                    .find(id)
                    .select(<$row>::as_select())
                    .first(conn)
                    .optional()?,
                NameOrId::Name(name) => {
                    let Some(project) = &scope.project else {
                        return Err(overcast_types::ApiError::invalid(
                            "project",
                            concat!("naming a ", $kind, " by name needs ?project="),
                        ));
                    };
                    let project =
                        crate::app::resolve_project(conn, actor, project, scope.account.as_ref())?;
                    $table::table
                        .filter($table::project_id.eq(&project.id))
                        .filter($table::name.eq(name))
                        .select(<$row>::as_select())
                        .first(conn)
                        .optional()?
                }
            };
            // An id from another project than the one named is not there.
            let in_scope = match (&row, &scope.project) {
                (Some(r), Some(NameOrId::Id(project_id))) => r.project_id.as_str() == project_id,
                (Some(r), Some(project @ NameOrId::Name(_)))
                    if matches!(selector, NameOrId::Id(_)) =>
                {
                    crate::app::resolve_project(conn, actor, project, scope.account.as_ref())?.id
                        == r.project_id
                }
                _ => true,
            };
            match row {
                Some(r) if in_scope && actor.sees_account_id(conn, &r.account_id)? => Ok(r),
                _ => Err(overcast_types::ApiError::not_found($kind, selector)),
            }
        }
    };
}

pub(crate) use project_scoped_lookup;

/// Generates the lookup of an account-scoped resource by name or id, and
/// `$fetch` (as for [`project_scoped_lookup`]; an account named in
/// `?account=` takes the blocking lookup).
macro_rules! account_scoped_lookup {
    ($fn:ident, $fetch:ident, $table:ident, $row:ty, $kind:literal) => {
        pub async fn $fetch(
            conn: &diesel_async::AsyncPgConnection,
            actor: &crate::app::Actor,
            selector: &overcast_types::NameOrId,
            account: Option<&overcast_types::NameOrId>,
        ) -> diesel::QueryResult<Option<overcast_types::ApiResult<$row>>> {
            // Only what the row alone can settle is read here.
            let (overcast_types::NameOrId::Id(id), None, true) =
                (selector, account, actor.sees_without_query())
            else {
                return Ok(None);
            };
            crate::app::pipelined_answer!(conn, $table, $row, $kind, id, selector, |r| {
                actor.sees_account_id_known(&r.account_id)
            })
        }

        pub fn $fn(
            conn: &mut overcast_db::DbConn,
            actor: &crate::app::Actor,
            selector: &overcast_types::NameOrId,
            account: Option<&overcast_types::NameOrId>,
        ) -> overcast_types::ApiResult<$row> {
            use diesel::prelude::*;
            use overcast_db::schema::$table;
            use overcast_types::NameOrId;
            let row = match selector {
                NameOrId::Id(id) => $table::table
                    .find(id)
                    .select(<$row>::as_select())
                    .first(conn)
                    .optional()?,
                NameOrId::Name(name) => {
                    let account = crate::app::resolve_account(conn, actor, account)?;
                    $table::table
                        .filter($table::account_id.eq(&account.id))
                        .filter($table::name.eq(name))
                        .select(<$row>::as_select())
                        .first(conn)
                        .optional()?
                }
            };
            // An id from another account than the one named is not there.
            let in_scope = match (&row, account, selector) {
                (Some(r), Some(account), NameOrId::Id(_)) => {
                    crate::app::resolve_account(conn, actor, Some(account))?.id == r.account_id
                }
                _ => true,
            };
            match row {
                Some(r) if in_scope && actor.sees_account_id(conn, &r.account_id)? => Ok(r),
                _ => Err(overcast_types::ApiError::not_found($kind, selector)),
            }
        }
    };
}

pub(crate) use account_scoped_lookup;

/// Generates the lookup of a global (operator-managed) resource by name or id.
macro_rules! global_lookup {
    ($fn:ident, $table:ident, $row:ty, $kind:literal) => {
        pub fn $fn(
            conn: &mut overcast_db::DbConn,
            selector: &overcast_types::NameOrId,
        ) -> overcast_types::ApiResult<$row> {
            use diesel::prelude::*;
            use overcast_db::schema::$table;
            use overcast_types::NameOrId;
            let query = $table::table.select(<$row>::as_select()).into_boxed();
            match selector {
                NameOrId::Id(id) => query.filter($table::id.eq(id)).first(conn),
                NameOrId::Name(name) => query.filter($table::name.eq(name)).first(conn),
            }
            .optional()?
            .ok_or_else(|| overcast_types::ApiError::not_found($kind, selector))
        }
    };
}

pub(crate) use global_lookup;

pub const MIB: u64 = 1 << 20;

/// Drive sizes are whole MiB, from 1 MiB to 64 TiB.
pub fn validate_size(field: &str, size: u64) -> ApiResult<()> {
    if !(MIB..=MAX_BYTES).contains(&size) || !size.is_multiple_of(MIB) {
        return Err(ApiError::invalid(
            field,
            format!("must be a multiple of 1 MiB between 1 MiB and 64 TiB, not {size}"),
        ));
    }
    Ok(())
}

pub fn subject<'a>(
    resource_type: &'static str,
    id: &'a str,
    name: &'a str,
    account_id: &'a AccountId,
) -> Subject<'a> {
    Subject {
        resource_type,
        id,
        name,
        account_id: Some(account_id.clone()),
        partner_id: None,
    }
}

/// Resolve a list of selectors to ids inside one project; `field` names the
/// list in errors (`avoid_drives[2]`).
pub fn resolve_ids_in_project<I, F>(
    conn: &mut DbConn,
    field: &str,
    selectors: &[String],
    mut lookup: F,
) -> ApiResult<Vec<I>>
where
    I: PartialEq,
    F: FnMut(&mut DbConn, &NameOrId) -> ApiResult<I>,
{
    if selectors.len() > 64 {
        return Err(ApiError::invalid(field, "at most 64 entries"));
    }
    let mut ids = Vec::with_capacity(selectors.len());
    for (i, sel) in selectors.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let parsed = NameOrId::parse(&at, sel)?;
        let id = lookup(conn, &parsed).map_err(|e| e.with_field(at.clone()))?;
        if ids.contains(&id) {
            return Err(ApiError::invalid(at, "listed twice"));
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Scope that names things inside one known project.
pub fn in_project(project: &ProjectRow) -> ProjectScope {
    ProjectScope {
        project: Some(NameOrId::id(&project.id)),
        account: None,
    }
}

/// The project a create or list addresses (`?project=` is required).
pub fn project_of(conn: &mut DbConn, actor: &Actor, scope: &ProjectScope) -> ApiResult<ProjectRow> {
    let Some(project) = &scope.project else {
        return Err(ApiError::invalid("project", "?project= is required"));
    };
    resolve_project(conn, actor, project, scope.account.as_ref())
}

/// Sizes are stored as signed 64-bit integers; 64 TiB is far above any drive
/// or host we expect and far below that limit.
pub const MAX_BYTES: u64 = 64 << 40;

pub fn global_subject<'a>(resource_type: &'static str, id: &'a str, name: &'a str) -> Subject<'a> {
    Subject {
        resource_type,
        id,
        name,
        account_id: None,
        partner_id: None,
    }
}

/// Check and apply a rename and a new description.
pub fn apply_identity(
    name: &mut String,
    description: &mut String,
    update: IdentityUpdate,
) -> ApiResult<()> {
    if let Some(new) = update.name {
        validate_name("name", &new)?;
        *name = new;
    }
    if let Some(new) = update.description {
        validate_description(&new)?;
        *description = new;
    }
    Ok(())
}
