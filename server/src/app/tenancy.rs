//! Partners, accounts, users, API tokens, projects, SSH keys and the audit log.

use base64::Engine;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::auth::generate_secret;
use super::brands;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, list_by_name, now_micros, save_row};
use overcast_types::ids::*;
use overcast_types::{ApiError, ApiResult, UserRole};

use super::{
    Actor, Ctx, NameOrId, Page, PageRequest, Subject, TokenScope, account_scoped_lookup,
    apply_identity, check_generation, global_lookup, record_event, resolve_account, subject,
    validate_description, validate_name,
};
use overcast_types::params::{
    AccountCreate, AccountUpdate, IdentityUpdate, PartnerCreate, PartnerUpdate, ProjectCreate,
    SshKeyCreate, TokenCreate, UserCreate,
};

global_lookup!(lookup_partner, partners, PartnerRow, "partner");
global_lookup!(lookup_account_row, accounts, AccountRow, "account");
account_scoped_lookup!(
    lookup_project,
    fetch_project,
    projects,
    ProjectRow,
    "project"
);
account_scoped_lookup!(
    lookup_ssh_key,
    fetch_ssh_key,
    ssh_keys,
    SshKeyRow,
    "ssh key"
);
list_by_name!(
    list_projects_in,
    projects,
    ProjectRow,
    account_id,
    AccountId
);
list_by_name!(list_ssh_keys_in, ssh_keys, SshKeyRow, account_id, AccountId);
list_by_name!(list_users_in, users, UserRow, account_id, AccountId);

pub(super) fn validate_url(field: &str, url: &str) -> ApiResult<()> {
    if (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2048
        && !url.contains(char::is_whitespace)
    {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            "must be an http(s) URL of at most 2048 characters",
        ))
    }
}

pub(super) fn validate_email(field: &str, email: &str) -> ApiResult<()> {
    let ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !email.contains(' '));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(field, "must be an e-mail address"))
    }
}

fn partner_subject(row: &PartnerRow) -> Subject<'_> {
    Subject {
        resource_type: "partner",
        id: &row.id,
        name: &row.name,
        account_id: None,
        partner_id: Some(row.id.clone()),
    }
}

/// A partner the actor may see: operators see all, partner admins their own.
/// Account tokens see their own partner (its brand is their control panel's).
pub fn partner_get(conn: &mut DbConn, actor: &Actor, sel: &NameOrId) -> ApiResult<PartnerRow> {
    let row = lookup_partner(conn, sel)?;
    if actor.is_operator() || actor.partner_id.as_deref() == Some(row.id.as_str()) {
        Ok(row)
    } else {
        Err(ApiError::not_found("partner", sel))
    }
}

pub fn partner_create(conn: &mut DbConn, ctx: &Ctx, p: PartnerCreate) -> ApiResult<PartnerRow> {
    ctx.actor.require_operator()?;
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    brands::validate_brand(&p.brand)?;
    let now = now_micros();
    let mut row = PartnerRow {
        id: PartnerId::new(),
        name: p.name,
        description: p.description,
        display_name: String::new(),
        logo_url: None,
        primary_color: String::new(),
        accent_color: String::new(),
        support_url: None,
        support_email: None,
        time_created: now,
        time_modified: now,
        generation: 1,
        favicon_url: None,
        support_phone: None,
        footer_links: String::new(),
        navigation: String::new(),
        hidden_sections: String::new(),
        host_names: String::new(),
    };
    brands::set_brand(&mut row, p.brand);
    let host_names = brands::validate_host_names(p.host_names)?;
    row.host_names = brands::host_names_json(&host_names);
    diesel::insert_into(partners::table)
        .values(&row)
        .execute(conn)?;
    brands::claim_host_names(conn, &row.id, &host_names)?;
    record_event(conn, ctx, "create", partner_subject(&row))?;
    Ok(row)
}

pub fn partner_list(
    conn: &mut DbConn,
    actor: &Actor,
    page: &PageRequest,
) -> ApiResult<Page<PartnerRow>> {
    let mut query = partners::table
        .select(PartnerRow::as_select())
        .order(partners::name.asc())
        .limit(page.fetch())
        .into_boxed();
    if !actor.is_operator() {
        let own = actor
            .partner_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        query = query.filter(partners::id.eq(own));
    }
    if let Some(after) = &page.after {
        query = query.filter(partners::name.gt(after));
    }
    Ok(page.finish(query.load(conn)?, |r| r.name.clone()))
}

pub fn partner_update(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    p: PartnerUpdate,
    if_match: Option<i64>,
) -> ApiResult<PartnerRow> {
    let mut row = partner_get(conn, &ctx.actor, sel)?;
    if ctx.actor.scope != TokenScope::Operator && ctx.actor.scope != TokenScope::PartnerAdmin {
        return Err(ApiError::forbidden(
            "partners are changed by the operator or their admins",
        ));
    }
    if p.name.is_some() && !ctx.actor.is_operator() {
        return Err(ApiError::forbidden("only the operator renames partners"));
    }
    check_generation(if_match, row.generation)?;
    apply_identity(
        &mut row.name,
        &mut row.description,
        IdentityUpdate {
            name: p.name,
            description: p.description,
        },
    )?;
    if let Some(brand) = p.brand {
        brands::validate_brand(&brand)?;
        brands::set_brand(&mut row, brand);
    }
    if let Some(names) = p.host_names {
        let names = brands::validate_host_names(names)?;
        row.host_names = brands::host_names_json(&names);
        brands::claim_host_names(conn, &row.id, &names)?;
    }
    save_row!(conn, partners, row)?;
    record_event(conn, ctx, "update", partner_subject(&row))?;
    Ok(row)
}

pub fn partner_delete(conn: &mut DbConn, ctx: &Ctx, sel: &NameOrId) -> ApiResult<()> {
    let row = partner_get(conn, &ctx.actor, sel)?;
    ctx.actor.require_operator()?;
    let owned: i64 = accounts::table
        .filter(accounts::partner_id.eq(&row.id))
        .count()
        .get_result(conn)?;
    if owned > 0 {
        return Err(ApiError::conflict(
            "not_empty",
            format!("partner \"{}\" still owns {owned} account(s)", row.name),
        ));
    }
    diesel::delete(tokens::table.filter(tokens::partner_id.eq(&row.id))).execute(conn)?;
    // Its staff go with it, and their sessions and links.
    let staff: Vec<UserId> = users::table
        .filter(users::partner_id.eq(&row.id))
        .select(users::id)
        .load(conn)?;
    super::people::forget_user(conn, &staff)?;
    diesel::delete(users::table.filter(users::partner_id.eq(&row.id))).execute(conn)?;
    brands::claim_host_names(conn, &row.id, &[])?;
    diesel::delete(partners::table.find(&row.id)).execute(conn)?;
    record_event(conn, ctx, "delete", partner_subject(&row))?;
    Ok(())
}

fn account_subject(row: &AccountRow) -> Subject<'_> {
    Subject {
        resource_type: "account",
        id: &row.id,
        name: &row.name,
        account_id: Some(row.id.clone()),
        partner_id: row.partner_id.clone(),
    }
}

/// An account the actor may see, by name or id.
pub fn account_get(conn: &mut DbConn, actor: &Actor, sel: &NameOrId) -> ApiResult<AccountRow> {
    resolve_account(conn, actor, Some(sel))
}

pub fn account_create(conn: &mut DbConn, ctx: &Ctx, p: AccountCreate) -> ApiResult<AccountRow> {
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    // A partner the caller cannot see is a 404 whatever the caller's role.
    let named_partner = match &p.partner {
        Some(partner) => Some(
            partner_get(conn, &ctx.actor, &NameOrId::parse("partner", partner)?)
                .map_err(|e| e.with_field("partner"))?
                .id,
        ),
        None => None,
    };
    let partner_id = match ctx.actor.scope {
        TokenScope::Operator => named_partner,
        TokenScope::PartnerAdmin => ctx.actor.partner_id.clone(),
        TokenScope::AccountReadWrite | TokenScope::AccountReadOnly => {
            return Err(ApiError::forbidden(
                "accounts are created by the operator or a partner admin",
            ));
        }
    };
    let now = now_micros();
    let row = AccountRow {
        id: AccountId::new(),
        partner_id,
        name: p.name,
        description: p.description,
        time_created: now,
        time_modified: now,
        generation: 1,
        time_suspended: None,
    };
    diesel::insert_into(accounts::table)
        .values(&row)
        .execute(conn)?;
    record_event(conn, ctx, "create", account_subject(&row))?;
    Ok(row)
}

pub fn account_list(
    conn: &mut DbConn,
    actor: &Actor,
    page: &PageRequest,
) -> ApiResult<Page<AccountRow>> {
    let mut query = accounts::table
        .select(AccountRow::as_select())
        .order(accounts::name.asc())
        .limit(page.fetch())
        .into_boxed();
    match actor.scope {
        TokenScope::Operator => {}
        TokenScope::PartnerAdmin => {
            query = query.filter(accounts::partner_id.eq(actor.partner_id.clone()));
        }
        TokenScope::AccountReadWrite | TokenScope::AccountReadOnly => {
            query = query.filter(
                accounts::id.eq(actor
                    .account_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()),
            );
        }
    }
    if let Some(after) = &page.after {
        query = query.filter(accounts::name.gt(after));
    }
    Ok(page.finish(query.load(conn)?, |r| r.name.clone()))
}

pub fn account_update(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    p: AccountUpdate,
    if_match: Option<i64>,
) -> ApiResult<AccountRow> {
    let mut row = account_get(conn, &ctx.actor, sel)?;
    check_generation(if_match, row.generation)?;
    let was_suspended = row.time_suspended.is_some();
    // Saying what already is changes nothing and needs no power.
    if let Some(suspended) = p.suspended.filter(|&s| s != was_suspended) {
        if !matches!(
            ctx.actor.scope,
            TokenScope::Operator | TokenScope::PartnerAdmin
        ) {
            return Err(ApiError::forbidden(
                "accounts are suspended and resumed by the operator or their partner",
            ));
        }
        row.time_suspended = suspended.then(now_micros);
    }
    let identity = IdentityUpdate {
        name: p.name,
        description: p.description,
    };
    apply_identity(&mut row.name, &mut row.description, identity)?;
    save_row!(conn, accounts, row)?;
    let action = match (was_suspended, row.time_suspended.is_some()) {
        (false, true) => "suspend",
        (true, false) => "resume",
        _ => "update",
    };
    record_event(conn, ctx, action, account_subject(&row))?;
    Ok(row)
}

/// Refuse an account's tokens and logins while it is suspended.
pub fn check_not_suspended(conn: &mut DbConn, account: &AccountId) -> ApiResult<()> {
    let suspended: Option<Option<i64>> = accounts::table
        .find(account)
        .select(accounts::time_suspended)
        .first(conn)
        .optional()?;
    match suspended {
        Some(Some(_)) => Err(ApiError::account_suspended()),
        _ => Ok(()),
    }
}

pub fn account_delete(conn: &mut DbConn, ctx: &Ctx, sel: &NameOrId) -> ApiResult<()> {
    let row = account_get(conn, &ctx.actor, sel)?;
    if !matches!(
        ctx.actor.scope,
        TokenScope::Operator | TokenScope::PartnerAdmin
    ) {
        return Err(ApiError::forbidden(
            "accounts are deleted by the operator or their partner",
        ));
    }
    let projects: i64 = projects::table
        .filter(projects::account_id.eq(&row.id))
        .count()
        .get_result(conn)?;
    if projects > 0 {
        return Err(ApiError::conflict(
            "not_empty",
            format!("account \"{}\" still has {projects} project(s)", row.name),
        ));
    }
    diesel::delete(ssh_keys::table.filter(ssh_keys::account_id.eq(&row.id))).execute(conn)?;
    let people: Vec<UserId> = users::table
        .filter(users::account_id.eq(&row.id))
        .select(users::id)
        .load(conn)?;
    super::people::forget_user(conn, &people)?;
    diesel::delete(users::table.filter(users::account_id.eq(&row.id))).execute(conn)?;
    diesel::delete(tokens::table.filter(tokens::account_id.eq(&row.id))).execute(conn)?;
    diesel::delete(images::table.filter(images::scope.eq(&row.id))).execute(conn)?;
    diesel::delete(accounts::table.find(&row.id)).execute(conn)?;
    record_event(conn, ctx, "delete", account_subject(&row))?;
    Ok(())
}

/// The partner a partner admin (user or token) is made for: the one named,
/// or the caller's own; `missing` says why one is needed when neither is.
fn partner_for(
    conn: &mut DbConn,
    actor: &Actor,
    named: Option<&str>,
    missing: &str,
) -> ApiResult<PartnerRow> {
    let partner = match (named, &actor.partner_id) {
        (Some(sel), _) => NameOrId::parse("partner", sel)?,
        (None, Some(own)) => NameOrId::id(own),
        (None, None) => return Err(ApiError::invalid("partner", missing.to_string())),
    };
    partner_get(conn, actor, &partner).map_err(|e| e.with_field("partner"))
}

/// The audit log's subject for a user: under its account, its partner, or
/// the operator.
pub(super) fn user_subject(row: &UserRow) -> Subject<'_> {
    Subject {
        resource_type: "user",
        id: &row.id,
        name: &row.name,
        account_id: row.account_id.clone(),
        partner_id: row.partner_id.clone(),
    }
}

/// Whether the request addresses staff (partner or operator users) rather
/// than an account's: a staff token or login that names no account.
fn addresses_staff(actor: &Actor, account: Option<&NameOrId>) -> bool {
    account.is_none() && actor.account_id.is_none()
}

pub fn user_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    account: Option<&NameOrId>,
    p: UserCreate,
) -> ApiResult<UserRow> {
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    validate_email("email", &p.email)?;
    let actor = &ctx.actor;
    actor.require_people_admin()?;
    let (account_id, partner_id) = match p.role {
        UserRole::Operator => {
            actor.require_operator()?;
            (None, None)
        }
        UserRole::PartnerAdmin => {
            if !matches!(actor.scope, TokenScope::Operator | TokenScope::PartnerAdmin) {
                return Err(ApiError::forbidden(
                    "only the operator and partner admins make partner admins",
                ));
            }
            let row = partner_for(
                conn,
                actor,
                p.partner.as_deref(),
                "a partner_admin belongs to a partner: give `partner`",
            )?;
            (None, Some(row.id))
        }
        UserRole::AccountAdmin | UserRole::AccountMember | UserRole::AccountReadOnly => {
            // The account first: one the caller cannot see is a 404 whatever the body.
            let account = resolve_account(conn, actor, account)?;
            if p.partner.is_some() {
                return Err(ApiError::invalid(
                    "partner",
                    "only a partner_admin belongs to a partner",
                ));
            }
            (Some(account.id), None)
        }
    };
    let now = now_micros();
    let row = UserRow {
        id: UserId::new(),
        account_id,
        name: p.name,
        description: p.description,
        email: p.email,
        time_created: now,
        time_modified: now,
        generation: 1,
        role: p.role,
        password_hash: None,
        partner_id,
        totp_secret: None,
        totp_pending: None,
        totp_last_step: None,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    record_event(conn, ctx, "create", user_subject(&row))?;
    Ok(row)
}

/// A user the actor may see, by id or name: an account's (found as other
/// account resources are), or staff: a partner admin sees its partner's,
/// the operator everyone. Staff are named within their owner (the caller's
/// partner, or the operator).
pub fn lookup_user(
    conn: &mut DbConn,
    actor: &Actor,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<UserRow> {
    let row: Option<UserRow> = match sel {
        NameOrId::Id(id) => users::table
            .find(id)
            .select(UserRow::as_select())
            .first(conn)
            .optional()?,
        NameOrId::Name(name) if addresses_staff(actor, account) => {
            let query = users::table
                .filter(users::account_id.is_null())
                .filter(users::name.eq(name))
                .select(UserRow::as_select())
                .into_boxed();
            let query = match (&actor.scope, &actor.partner_id) {
                (TokenScope::PartnerAdmin, Some(own)) => query.filter(users::partner_id.eq(own)),
                _ => query.filter(users::partner_id.is_null()),
            };
            query.first(conn).optional()?
        }
        NameOrId::Name(name) => {
            let account = resolve_account(conn, actor, account)?;
            users::table
                .filter(users::account_id.eq(&account.id))
                .filter(users::name.eq(name))
                .select(UserRow::as_select())
                .first(conn)
                .optional()?
        }
    };
    let visible = match &row {
        None => false,
        Some(r) => match (&r.account_id, &r.partner_id) {
            (Some(of), _) => {
                // An id from another account than the one named is not there.
                let named = match (account, sel) {
                    (Some(named), NameOrId::Id(_)) => {
                        resolve_account(conn, actor, Some(named))?.id == *of
                    }
                    _ => true,
                };
                named && actor.sees_account_id(conn, of)?
            }
            (None, Some(partner)) => {
                actor.is_operator()
                    || (actor.scope == TokenScope::PartnerAdmin
                        && actor.partner_id.as_ref() == Some(partner))
            }
            (None, None) => actor.is_operator(),
        },
    };
    match row {
        Some(r) if visible => Ok(r),
        _ => Err(ApiError::not_found("user", sel)),
    }
}

/// The users of an account; or, for a staff caller naming no account, the
/// staff it may see (a partner's admins; for the operator, all staff).
pub fn user_list(
    conn: &mut DbConn,
    actor: &Actor,
    account: Option<&NameOrId>,
    page: &PageRequest,
) -> ApiResult<Page<UserRow>> {
    if !addresses_staff(actor, account) {
        let account = resolve_account(conn, actor, account)?;
        return list_users_in(conn, &account.id, page);
    }
    let mut query = users::table
        .filter(users::account_id.is_null())
        .select(UserRow::as_select())
        .order(users::name.asc())
        .limit(page.fetch())
        .into_boxed();
    match (&actor.scope, &actor.partner_id) {
        (TokenScope::Operator, _) => {}
        (TokenScope::PartnerAdmin, Some(own)) => query = query.filter(users::partner_id.eq(own)),
        _ => return Err(ApiError::forbidden("only staff list staff")),
    }
    if let Some(after) = &page.after {
        query = query.filter(users::name.gt(after));
    }
    Ok(page.finish(query.load(conn)?, |r| r.name.clone()))
}

pub fn user_delete(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<()> {
    ctx.actor.require_people_admin()?;
    let row = lookup_user(conn, &ctx.actor, sel, account)?;
    super::people::forget_user(conn, std::slice::from_ref(&row.id))?;
    diesel::delete(users::table.find(&row.id)).execute(conn)?;
    record_event(conn, ctx, "delete", user_subject(&row))?;
    Ok(())
}

/// The new token and its secret, which is never stored.
pub struct NewToken {
    pub row: TokenRow,
    pub secret: String,
}

/// Create the operator's first token, at first start.
pub fn bootstrap_operator_token(conn: &mut DbConn) -> ApiResult<Option<String>> {
    let existing: i64 = tokens::table
        .filter(tokens::scope.eq(TokenScope::Operator))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(None);
    }
    mint_operator_token(conn, "operator token made at first start").map(|(_, secret)| Some(secret))
}

/// A new operator token, not expiring. The offline recovery command
/// (`overcast-server admin operator-token`) and the first start make one;
/// the recovery records itself in the audit log as the new token.
pub fn mint_operator_token(conn: &mut DbConn, description: &str) -> ApiResult<(TokenId, String)> {
    let (secret, hash) = generate_secret();
    let row = TokenRow {
        id: TokenId::new(),
        description: description.into(),
        scope: TokenScope::Operator,
        partner_id: None,
        account_id: None,
        secret_hash: hash,
        time_created: now_micros(),
        time_expires: None,
        time_revoked: None,
    };
    diesel::insert_into(tokens::table)
        .values(&row)
        .execute(conn)?;
    Ok((row.id, secret))
}

/// Refuse to revoke `token` if no other live operator token that never
/// expires would remain: nothing could administer the cloud afterwards.
fn keep_an_operator_token(conn: &mut DbConn, token: &TokenRow) -> ApiResult<()> {
    if token.scope != TokenScope::Operator {
        return Ok(());
    }
    // Lock the live operator tokens first (a no-op write), so two revokes
    // of the last two take turns on PostgreSQL instead of both passing.
    let live = tokens::table
        .filter(tokens::scope.eq(TokenScope::Operator))
        .filter(tokens::time_revoked.is_null());
    diesel::update(live)
        .set(tokens::description.eq(tokens::description))
        .execute(conn)?;
    let others: i64 = live
        .filter(tokens::id.ne(&token.id))
        .filter(tokens::time_expires.is_null())
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Err(ApiError::conflict(
            "last_operator_token",
            "this is the last operator token that does not expire; create another operator \
             token first (or recover offline with `overcast-server admin operator-token`)",
        ));
    }
    Ok(())
}

pub fn token_create(conn: &mut DbConn, ctx: &Ctx, p: TokenCreate) -> ApiResult<NewToken> {
    validate_description(&p.description)?;
    let actor = &ctx.actor;
    actor.require_people_admin()?;
    let (partner_id, account_id) = match p.scope {
        TokenScope::Operator => {
            actor.require_operator()?;
            (None, None)
        }
        TokenScope::PartnerAdmin => {
            let row = partner_for(
                conn,
                actor,
                p.partner.as_deref(),
                "a partner_admin token needs a partner",
            )?;
            if !matches!(actor.scope, TokenScope::Operator | TokenScope::PartnerAdmin) {
                return Err(ApiError::forbidden(
                    "account tokens cannot create partner tokens",
                ));
            }
            (Some(row.id), None)
        }
        TokenScope::AccountReadWrite | TokenScope::AccountReadOnly => {
            let account = match &p.account {
                Some(sel) => Some(NameOrId::parse("account", sel)?),
                None => None,
            };
            let account = resolve_account(conn, actor, account.as_ref())
                .map_err(|e| e.with_field("account"))?;
            (account.partner_id.clone(), Some(account.id))
        }
    };
    let time_expires = match p.expires_in_seconds {
        None => None,
        Some(s) if (60..=10 * 365 * 86400).contains(&s) => {
            Some(now_micros() + s as i64 * 1_000_000)
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "expires_in_seconds",
                "must be between 60 seconds and 10 years",
            ));
        }
    };
    let (secret, hash) = generate_secret();
    let row = TokenRow {
        id: TokenId::new(),
        description: p.description,
        scope: p.scope,
        partner_id,
        account_id,
        secret_hash: hash,
        time_created: now_micros(),
        time_expires,
        time_revoked: None,
    };
    diesel::insert_into(tokens::table)
        .values(&row)
        .execute(conn)?;
    record_event(
        conn,
        ctx,
        "create",
        Subject {
            resource_type: "token",
            id: &row.id,
            name: row.scope.as_str(),
            account_id: row.account_id.clone(),
            partner_id: row.partner_id.clone(),
        },
    )?;
    Ok(NewToken { row, secret })
}

/// Tokens of the named account, or else of the caller's own level
/// (account, partner, or operator), live ones only, oldest first.
pub fn token_list(
    conn: &mut DbConn,
    actor: &Actor,
    account: Option<&NameOrId>,
    page: &PageRequest,
) -> ApiResult<Page<TokenRow>> {
    let mut query = tokens::table
        .filter(tokens::time_revoked.is_null())
        .select(TokenRow::as_select())
        .order(tokens::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if account.is_some() || actor.account_id.is_some() {
        let account = resolve_account(conn, actor, account)?;
        query = query.filter(tokens::account_id.eq(account.id));
    } else if actor.scope == TokenScope::PartnerAdmin {
        query = query
            .filter(tokens::scope.eq(TokenScope::PartnerAdmin.as_str()))
            .filter(tokens::partner_id.eq(actor.partner_id.clone()));
    } else {
        query = query.filter(tokens::scope.eq(TokenScope::Operator.as_str()));
    }
    if let Some(after) = &page.after {
        query = query.filter(tokens::id.gt(after));
    }
    Ok(page.finish(query.load(conn)?, |r| r.id.to_string()))
}

/// Revoke a token. It stops working at once.
pub fn token_revoke(conn: &mut DbConn, ctx: &Ctx, id: &str) -> ApiResult<()> {
    ctx.actor.require_people_admin()?;
    let row: Option<TokenRow> = tokens::table
        .find(id)
        .filter(tokens::time_revoked.is_null())
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?;
    let actor = &ctx.actor;
    let visible = match &row {
        None => false,
        Some(t) => {
            actor.is_operator()
                || match &t.account_id {
                    Some(a) => actor.sees_account_id(conn, a)?,
                    None => {
                        actor.scope == TokenScope::PartnerAdmin
                            && t.partner_id.is_some()
                            && t.partner_id == actor.partner_id
                    }
                }
        }
    };
    let Some(row) = row.filter(|_| visible) else {
        return Err(ApiError::not_found("token", id));
    };
    keep_an_operator_token(conn, &row)?;
    diesel::update(tokens::table.find(&row.id))
        .set(tokens::time_revoked.eq(Some(now_micros())))
        .execute(conn)?;
    record_event(
        conn,
        ctx,
        "revoke",
        Subject {
            resource_type: "token",
            id: &row.id,
            name: row.scope.as_str(),
            account_id: row.account_id.clone(),
            partner_id: row.partner_id.clone(),
        },
    )?;
    Ok(())
}

pub fn project_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    account: Option<&NameOrId>,
    p: ProjectCreate,
) -> ApiResult<ProjectRow> {
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    let account = resolve_account(conn, &ctx.actor, account)?;
    let now = now_micros();
    let row = ProjectRow {
        id: ProjectId::new(),
        account_id: account.id,
        name: p.name,
        description: p.description,
        time_created: now,
        time_modified: now,
        generation: 1,
    };
    diesel::insert_into(projects::table)
        .values(&row)
        .execute(conn)?;
    record_event(
        conn,
        ctx,
        "create",
        subject("project", &row.id, &row.name, &row.account_id),
    )?;
    Ok(row)
}

pub fn project_list(
    conn: &mut DbConn,
    actor: &Actor,
    account: Option<&NameOrId>,
    page: &PageRequest,
) -> ApiResult<Page<ProjectRow>> {
    let account = resolve_account(conn, actor, account)?;
    list_projects_in(conn, &account.id, page)
}

pub fn project_update(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    account: Option<&NameOrId>,
    p: IdentityUpdate,
    if_match: Option<i64>,
) -> ApiResult<ProjectRow> {
    let mut row = lookup_project(conn, &ctx.actor, sel, account)?;
    check_generation(if_match, row.generation)?;
    apply_identity(&mut row.name, &mut row.description, p)?;
    save_row!(conn, projects, row)?;
    record_event(
        conn,
        ctx,
        "update",
        subject("project", &row.id, &row.name, &row.account_id),
    )?;
    Ok(row)
}

pub fn project_delete(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<()> {
    let row = lookup_project(conn, &ctx.actor, sel, account)?;
    let held: i64 = drives::table
        .filter(drives::project_id.eq(&row.id))
        .count()
        .get_result::<i64>(conn)?
        + instances::table
            .filter(instances::project_id.eq(&row.id))
            .count()
            .get_result::<i64>(conn)?
        + ip_addresses::table
            .filter(ip_addresses::project_id.eq(&row.id))
            .count()
            .get_result::<i64>(conn)?;
    if held > 0 {
        return Err(ApiError::conflict(
            "not_empty",
            format!("project \"{}\" still holds {held} resource(s)", row.name),
        ));
    }
    diesel::delete(projects::table.find(&row.id)).execute(conn)?;
    record_event(
        conn,
        ctx,
        "delete",
        subject("project", &row.id, &row.name, &row.account_id),
    )?;
    Ok(())
}

const SSH_KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// Check an OpenSSH public key line and compute its SHA256 fingerprint.
pub fn ssh_fingerprint(line: &str) -> ApiResult<String> {
    let bad = |why: &str| ApiError::invalid("public_key", format!("not an SSH public key: {why}"));
    if line.len() > 16 * 1024 || line.contains('\n') {
        return Err(bad("must be one line of at most 16 KiB"));
    }
    let mut parts = line.split_whitespace();
    let kind = parts.next().ok_or_else(|| bad("empty"))?;
    if !SSH_KEY_TYPES.contains(&kind) {
        return Err(bad("unsupported key type"));
    }
    let blob = base64::engine::general_purpose::STANDARD
        .decode(parts.next().ok_or_else(|| bad("missing key data"))?)
        .map_err(|_| bad("key data is not base64"))?;
    // The blob starts with the key type as an SSH string (u32 length + bytes).
    let declared = blob
        .get(0..4)
        .map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize)
        .and_then(|len| blob.get(4..4 + len))
        .ok_or_else(|| bad("key data is truncated"))?;
    if declared != kind.as_bytes() {
        return Err(bad("key data does not match the key type"));
    }
    let digest = Sha256::digest(&blob);
    Ok(format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    ))
}

pub fn ssh_key_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    account: Option<&NameOrId>,
    p: SshKeyCreate,
) -> ApiResult<SshKeyRow> {
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    let fingerprint = ssh_fingerprint(p.public_key.trim())?;
    let account = resolve_account(conn, &ctx.actor, account)?;
    let now = now_micros();
    let row = SshKeyRow {
        id: SshKeyId::new(),
        account_id: account.id,
        name: p.name,
        description: p.description,
        public_key: p.public_key.trim().to_string(),
        fingerprint,
        time_created: now,
        time_modified: now,
        generation: 1,
    };
    diesel::insert_into(ssh_keys::table)
        .values(&row)
        .execute(conn)?;
    record_event(
        conn,
        ctx,
        "create",
        subject("ssh_key", &row.id, &row.name, &row.account_id),
    )?;
    Ok(row)
}

pub fn ssh_key_list(
    conn: &mut DbConn,
    actor: &Actor,
    account: Option<&NameOrId>,
    page: &PageRequest,
) -> ApiResult<Page<SshKeyRow>> {
    let account = resolve_account(conn, actor, account)?;
    list_ssh_keys_in(conn, &account.id, page)
}

pub fn ssh_key_delete(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<()> {
    let row = lookup_ssh_key(conn, &ctx.actor, sel, account)?;
    diesel::delete(ssh_keys::table.find(&row.id)).execute(conn)?;
    record_event(
        conn,
        ctx,
        "delete",
        subject("ssh_key", &row.id, &row.name, &row.account_id),
    )?;
    Ok(())
}

/// Which events of the audit log to list, and in which order.
#[derive(Debug, Default)]
pub struct EventFilter {
    pub resource_id: Option<String>,
    pub resource_type: Option<String>,
    pub action: Option<String>,
    pub newest_first: bool,
}

/// The audit log the actor may read: one account's, or everything under the
/// actor's own level, filtered. Event ids grow with time, so they order the
/// log and its pages.
pub fn event_list(
    conn: &mut DbConn,
    actor: &Actor,
    account: Option<&NameOrId>,
    filter: &EventFilter,
    page: &PageRequest,
) -> ApiResult<Page<EventRow>> {
    let mut query = events::table
        .select(EventRow::as_select())
        .limit(page.fetch())
        .into_boxed();
    if account.is_some() || actor.account_id.is_some() {
        let account = resolve_account(conn, actor, account)?;
        query = query.filter(events::account_id.eq(account.id));
    } else if actor.scope == TokenScope::PartnerAdmin {
        let own = actor
            .partner_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let partner_accounts = accounts::table
            .filter(accounts::partner_id.eq(own.clone()))
            .select(accounts::id);
        query = query.filter(
            events::partner_id
                .eq(own)
                .or(events::account_id.eq_any(partner_accounts.nullable())),
        );
    }
    if let Some(resource_id) = &filter.resource_id {
        query = query.filter(events::resource_id.eq(resource_id));
    }
    if let Some(resource_type) = &filter.resource_type {
        query = query.filter(events::resource_type.eq(resource_type));
    }
    if let Some(action) = &filter.action {
        query = query.filter(events::action.eq(action));
    }
    query = match (&page.after, filter.newest_first) {
        (None, false) => query.order(events::id.asc()),
        (None, true) => query.order(events::id.desc()),
        (Some(after), false) => query.filter(events::id.gt(after)).order(events::id.asc()),
        (Some(after), true) => query.filter(events::id.lt(after)).order(events::id.desc()),
    };
    Ok(page.finish(query.load(conn)?, |r| r.id.to_string()))
}
