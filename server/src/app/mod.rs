//! The application layer: authorization, validation beyond shape, state
//! rules and the database work of every operation. HTTP handlers call into
//! here and convert the rows they get back into views.

pub mod auth;
pub mod compute;
pub mod fleet;
pub mod infra;
pub mod storage;
pub mod tenancy;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::LazyLock;

use base64::Engine;
use diesel::prelude::*;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::db::models::{AccountRow, EventRow, ProjectRow};
use crate::db::schema::{accounts, events, projects};
use crate::db::{Database, DbConn, new_id, now_micros};
use crate::error::{ApiError, ApiResult};
pub use auth::{Actor, TokenScope};

/// Everything an operation needs to know about the request it serves.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub request_id: String,
    pub placement: fleet::PlacementPolicy,
}

/// A path or query selector: a UUID, or a DNS-label name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOrId {
    Id(String),
    Name(String),
}

impl NameOrId {
    /// Parse a selector; `field` names it in the error.
    pub fn parse(field: &str, value: &str) -> ApiResult<Self> {
        if let Ok(id) = uuid::Uuid::from_str(value) {
            return Ok(NameOrId::Id(id.to_string()));
        }
        validate_name(field, value)?;
        Ok(NameOrId::Name(value.to_string()))
    }
}

impl std::fmt::Display for NameOrId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameOrId::Id(s) | NameOrId::Name(s) => f.write_str(s),
        }
    }
}

static NAME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$").expect("valid regex"));

/// Names are DNS labels: lower case letters, digits and hyphens, starting
/// with a letter, at most 63 characters, not ending with a hyphen.
pub fn validate_name(field: &str, name: &str) -> ApiResult<()> {
    if NAME_RE.is_match(name) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!(
                "\"{}\" is not a valid name: use 1 to 63 lower-case letters, digits and \
                 hyphens, starting with a letter and not ending with a hyphen",
                name.chars().take(80).collect::<String>()
            ),
        ))
    }
}

pub const MAX_DESCRIPTION: usize = 1024;

pub fn validate_description(description: &str) -> ApiResult<()> {
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(ApiError::invalid(
            "description",
            format!("description is longer than {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(())
}

/// One page of a keyset-paginated list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_page: Option<String>,
}

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

/// Where a list continues: the sort key of the last item of the previous
/// page and the query that started the listing, wrapped so clients treat it
/// as opaque. Carrying the query lets a client ask for the next page with
/// the token alone (as progenitor's page streams do).
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<String>,
    params: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct PageToken {
    v: u8,
    after: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
}

impl PageRequest {
    /// `query`: the listing's selectors as given in this request.
    pub fn parse(
        limit: Option<u32>,
        page_token: Option<&str>,
        query: &[(&str, Option<&str>)],
    ) -> ApiResult<Self> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::invalid(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let mut params: BTreeMap<String, String> = query
            .iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v.to_string())))
            .collect();
        let after = match page_token {
            None => None,
            Some(token) => {
                let bad = || ApiError::invalid("page_token", "the page token is not valid");
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(token)
                    .map_err(|_| bad())?;
                let parsed: PageToken = serde_json::from_slice(&bytes).map_err(|_| bad())?;
                if parsed.v != 1 {
                    return Err(bad());
                }
                for (key, value) in parsed.params {
                    match params.get(&key) {
                        Some(given) if *given != value => {
                            return Err(ApiError::invalid(
                                "page_token",
                                format!("the page token belongs to a listing with another {key}"),
                            ));
                        }
                        _ => {
                            params.insert(key, value);
                        }
                    }
                }
                Some(parsed.after)
            }
        };
        Ok(Self {
            limit,
            after,
            params,
        })
    }

    /// A selector of the listing, from the query or from the page token.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// Rows to fetch: one more than the limit tells whether a next page exists.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Cut the fetched rows to a page; `key` gives an item's sort key.
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> String) -> Page<T> {
        let next_page = if rows.len() > self.limit as usize {
            rows.truncate(self.limit as usize);
            rows.last().map(|last| {
                let token = PageToken {
                    v: 1,
                    after: key(last),
                    params: self.params.clone(),
                };
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(serde_json::to_vec(&token).expect("token serializes"))
            })
        } else {
            None
        };
        Page {
            items: rows,
            next_page,
        }
    }
}

/// Convert a list of `T` pages to views.
impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_page: self.next_page,
        }
    }
}

/// What an event is about, for the audit log. `partner_id` is set for
/// partner-level events; account events name their account.
pub struct Subject<'a> {
    pub resource_type: &'static str,
    pub id: &'a str,
    pub name: &'a str,
    pub account_id: Option<&'a str>,
    pub partner_id: Option<&'a str>,
}

/// Append a mutation to the audit log, inside the mutation's transaction.
pub fn record_event(
    conn: &mut DbConn,
    ctx: &Ctx,
    action: &str,
    subject: Subject<'_>,
) -> ApiResult<()> {
    // An account's events are found through the account (its partner can
    // be looked up when listing), so recording costs no extra query.
    let partner_id = subject.partner_id.map(str::to_string);
    let row = EventRow {
        id: new_id(),
        time_created: now_micros(),
        request_id: ctx.request_id.clone(),
        actor_token_id: ctx.actor.token_id.clone(),
        actor_scope: ctx.actor.scope.as_str().to_string(),
        partner_id,
        account_id: subject.account_id.map(str::to_string),
        action: format!("{}.{}", subject.resource_type, action),
        resource_type: subject.resource_type.to_string(),
        resource_id: subject.id.to_string(),
        resource_name: subject.name.to_string(),
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
        (None, Some(own)) => NameOrId::Id(own.clone()),
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
            let account = resolve_account(conn, actor, account)?;
            projects::table
                .filter(projects::account_id.eq(&account.id))
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

/// Shared state of the running server.
#[derive(Clone)]
pub struct App {
    pub db: Database,
    pub metrics: std::sync::Arc<crate::http::metrics::HttpMetrics>,
    pub tokens: std::sync::Arc<auth::TokenCache>,
    /// Connected hosts.
    pub sessions: std::sync::Arc<crate::hosts::Sessions>,
    /// Bumped whenever a workflow ends, for [`crate::workflow::wait`].
    pub workflow_ends: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    pub placement: fleet::PlacementPolicy,
}

impl App {
    pub fn new(db: Database, placement: fleet::PlacementPolicy) -> Self {
        Self {
            db,
            metrics: Default::default(),
            tokens: Default::default(),
            sessions: Default::default(),
            workflow_ends: std::sync::Arc::new(tokio::sync::watch::channel(0).0),
            placement,
        }
    }
}

/// The result of an operation that may have recorded a workflow: the
/// caller launches it once the transaction has committed.
pub struct Launched<T> {
    pub value: T,
    pub workflow: Option<String>,
}

impl<T> Launched<T> {
    pub fn now(value: T) -> Self {
        Self {
            value,
            workflow: None,
        }
    }

    pub fn with(value: T, workflow: String) -> Self {
        Self {
            value,
            workflow: Some(workflow),
        }
    }

    /// Start the workflow in the background.
    pub fn launch(self, app: &App) -> T {
        if let Some(id) = self.workflow {
            crate::workflow::launch(app, id);
        }
        self.value
    }

    /// Start the workflow and give it up to `timeout` to end, so quick
    /// operations answer with their final state.
    pub async fn launch_and_wait(self, app: &App, timeout: std::time::Duration) -> T {
        if let Some(id) = &self.workflow {
            crate::workflow::launch(app, id.clone());
            crate::workflow::wait(app, id, timeout).await;
        }
        self.value
    }
}

/// Parse a JSON list column.
pub fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub fn to_json_list(items: &[String]) -> String {
    serde_json::to_string(items).expect("list serializes")
}

/// Selectors of a project-scoped request, from its query string.
#[derive(Debug, Clone, Default)]
pub struct ProjectScope {
    pub project: Option<NameOrId>,
    pub account: Option<NameOrId>,
}

/// Generates the lookup of a project-scoped resource by name or id: by id
/// anywhere the caller can see, by name inside `?project=`. Anything the
/// caller cannot see is a 404.
macro_rules! project_scoped_lookup {
    ($fn:ident, $table:ident, $row:ty, $kind:literal) => {
        pub fn $fn(
            conn: &mut crate::db::DbConn,
            actor: &crate::app::Actor,
            selector: &crate::app::NameOrId,
            scope: &crate::app::ProjectScope,
        ) -> crate::error::ApiResult<$row> {
            use crate::app::NameOrId;
            use crate::db::schema::$table;
            use diesel::prelude::*;
            let row = match selector {
                NameOrId::Id(id) => $table::table
                    .find(id)
                    .select(<$row>::as_select())
                    .first(conn)
                    .optional()?,
                NameOrId::Name(name) => {
                    let Some(project) = &scope.project else {
                        return Err(crate::error::ApiError::invalid(
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
                (Some(r), Some(NameOrId::Id(project_id))) => &r.project_id == project_id,
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
                _ => Err(crate::error::ApiError::not_found($kind, selector)),
            }
        }
    };
}
pub(crate) use project_scoped_lookup;

/// Generates the lookup of an account-scoped resource by name or id.
macro_rules! account_scoped_lookup {
    ($fn:ident, $table:ident, $row:ty, $kind:literal) => {
        pub fn $fn(
            conn: &mut crate::db::DbConn,
            actor: &crate::app::Actor,
            selector: &crate::app::NameOrId,
            account: Option<&crate::app::NameOrId>,
        ) -> crate::error::ApiResult<$row> {
            use crate::app::NameOrId;
            use crate::db::schema::$table;
            use diesel::prelude::*;
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
                _ => Err(crate::error::ApiError::not_found($kind, selector)),
            }
        }
    };
}
pub(crate) use account_scoped_lookup;

/// Generates the lookup of a global (operator-managed) resource by name or id.
macro_rules! global_lookup {
    ($fn:ident, $table:ident, $row:ty, $kind:literal) => {
        pub fn $fn(
            conn: &mut crate::db::DbConn,
            selector: &crate::app::NameOrId,
        ) -> crate::error::ApiResult<$row> {
            use crate::app::NameOrId;
            use crate::db::schema::$table;
            use diesel::prelude::*;
            let query = $table::table.select(<$row>::as_select()).into_boxed();
            match selector {
                NameOrId::Id(id) => query.filter($table::id.eq(id)).first(conn),
                NameOrId::Name(name) => query.filter($table::name.eq(name)).first(conn),
            }
            .optional()?
            .ok_or_else(|| crate::error::ApiError::not_found($kind, selector))
        }
    };
}
pub(crate) use global_lookup;

/// Generates a keyset-paginated list, ordered by name, of the rows of
/// `$table` whose `$column` equals a value.
macro_rules! list_by_name {
    ($fn:ident, $table:ident, $row:ty, $column:ident) => {
        pub fn $fn(
            conn: &mut crate::db::DbConn,
            value: &str,
            page: &crate::app::PageRequest,
        ) -> crate::error::ApiResult<crate::app::Page<$row>> {
            use crate::db::schema::$table;
            use diesel::prelude::*;
            let mut query = $table::table
                .filter($table::$column.eq(value))
                .select(<$row>::as_select())
                .order($table::name.asc())
                .limit(page.fetch())
                .into_boxed();
            if let Some(after) = &page.after {
                query = query.filter($table::name.gt(after));
            }
            Ok(page.finish(query.load(conn)?, |r| r.name.clone()))
        }
    };
}
pub(crate) use list_by_name;

/// Write back a changed row if nobody changed it since it was read: the
/// compare-and-swap on `generation` that makes concurrent updates safe.
/// Bumps `generation` and `time_modified`.
macro_rules! save_row {
    ($conn:expr, $table:ident, $row:expr) => {{
        use crate::db::schema::$table;
        use diesel::prelude::*;
        let row = &mut $row;
        let read_generation = row.generation;
        row.generation += 1;
        row.time_modified = crate::db::now_micros();
        let changed = diesel::update($table::table.find(row.id.clone()))
            .filter($table::generation.eq(read_generation))
            .set(&*row)
            .execute($conn)?;
        if changed == 0 {
            Err(crate::error::ApiError::precondition_failed(
                "the resource changed while this request was updating it; read it again and retry",
            ))
        } else {
            Ok(())
        }
    }};
}
pub(crate) use save_row;
