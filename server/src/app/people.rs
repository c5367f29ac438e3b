//! People who log in: passwords (argon2id), one-use invitation and reset
//! links, login sessions, and the rate limit on failed logins.
//!
//! A session's secret travels only in an HttpOnly cookie and is stored as
//! its SHA-256, as token secrets are (256 random bits need no slow hash).
//! Passwords are chosen by people, so they get argon2id with the `argon2`
//! crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's first choice).
//! Hashing and checking run outside any transaction (callers do them on
//! the blocking pool first), so no connection waits on them.

use diesel::prelude::*;
use overcast_db::models::{InvitationRow, SessionRow, UserRow};
use overcast_db::schema::{
    login_failures, user_invitations, user_recovery_codes, user_sessions, users,
};
use overcast_db::{DbConn, now_micros};
use overcast_types::ids::{InvitationId, SessionId, UserId};
use overcast_types::params::{PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS};
use overcast_types::{ApiError, ApiResult, NameOrId, Page, PageRequest};

use super::auth::{Actor, SessionUser, hash_secret};
use super::{Ctx, record_event, tenancy};

/// The cookie that carries a session's secret.
pub const SESSION_COOKIE: &str = "overcast_session";
/// The header that carries a session's CSRF token on changes.
pub const CSRF_HEADER: &str = "x-csrf-token";

const MICROS: i64 = 1_000_000;
/// A session not used for this long has ended.
pub const SESSION_IDLE_SECS: i64 = 2 * 3600;
/// A session ends this long after its login, however much it is used.
pub const SESSION_ABSOLUTE_SECS: i64 = 24 * 3600;
/// How stale a session's last use may be recorded: its idle expiry is
/// exact to this, and a busy session writes at most once per this time.
const LAST_USED_GRANULARITY_SECS: i64 = 60;
/// How long an invitation (a user without a password) and a reset link live.
const INVITATION_SECS: i64 = 7 * 24 * 3600;
const RESET_SECS: i64 = 3600;

/// Failed logins are counted per e-mail and per client address in windows
/// of this length; past the limit, logins are refused until it ends.
const FAILURE_WINDOW_SECS: i64 = 15 * 60;
const FAILURES_PER_EMAIL: i32 = 5;
const FAILURES_PER_CLIENT: i32 = 20;

/// The one answer to a wrong e-mail or a wrong password: it never says
/// which, so it never says whether an e-mail has a login.
pub fn wrong_login() -> ApiError {
    ApiError::unauthorized("the e-mail or the password is wrong")
}

/// Check a new password's length (the only rule: NIST SP 800-63B asks for
/// length, not composition).
pub fn validate_password(password: &str) -> ApiResult<()> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(ApiError::invalid(
            "password",
            format!("a password needs at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(ApiError::invalid(
            "password",
            format!("a password may have at most {PASSWORD_MAX_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// The argon2id PHC string of `password`, with a fresh salt. Slow on
/// purpose: call it on the blocking pool.
pub fn hash_password(password: &str) -> ApiResult<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(ApiError::internal)?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Whether `password` matches `hash` (a PHC string). With no hash (no such
/// user), a dummy is checked instead, so the answer takes as long.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        hash_password("no user has this password").expect("hashing a constant")
    });
    let phc = hash.unwrap_or(DUMMY.as_str());
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let ok = argon2::Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && hash.is_some()
}

/// A new random secret with a prefix saying what it is: `(secret, hash)`.
fn new_secret(prefix: &str) -> (String, String) {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_secret(&secret);
    (secret, hash)
}

/// A new invitation (or reset, for a user who has a password) for the
/// user `sel`, replacing any unused one: the row and its secret.
pub fn invitation_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<(InvitationRow, String)> {
    ctx.actor.require_people_admin()?;
    let user = tenancy::lookup_user(conn, &ctx.actor, sel, account)?;
    let now = now_micros();
    // One live link per user: an older one stops working.
    diesel::update(
        user_invitations::table
            .filter(user_invitations::user_id.eq(&user.id))
            .filter(user_invitations::time_used.is_null()),
    )
    .set(user_invitations::time_used.eq(now))
    .execute(conn)?;
    let (kind, life) = if user.password_hash.is_some() {
        ("reset", RESET_SECS)
    } else {
        ("invitation", INVITATION_SECS)
    };
    let (secret, secret_hash) = new_secret("oc_inv_");
    let row = InvitationRow {
        id: InvitationId::new(),
        user_id: user.id.clone(),
        kind: kind.into(),
        secret_hash,
        time_created: now,
        time_expires: now + life * MICROS,
        time_used: None,
    };
    diesel::insert_into(user_invitations::table)
        .values(&row)
        .execute(conn)?;
    record_event(conn, ctx, "invite", tenancy::user_subject(&user))?;
    Ok((row, secret))
}

/// Use an invitation or reset link: set its user's password (already
/// hashed) and end the user's sessions. The link works once.
pub fn invitation_accept(
    conn: &mut DbConn,
    secret: &str,
    password_hash: String,
) -> ApiResult<UserRow> {
    let now = now_micros();
    let invitation: Option<InvitationRow> = user_invitations::table
        .filter(user_invitations::secret_hash.eq(hash_secret(secret)))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?;
    let invitation = match invitation {
        Some(i) if i.time_used.is_none() && i.time_expires > now => i,
        _ => {
            return Err(ApiError::bad_request(
                "invalid_invitation",
                "the link is unknown, used or expired; ask an administrator for a new one",
            )
            .with_field("secret"));
        }
    };
    // Marking it used first makes a second, concurrent use find it used
    // (or wait for this transaction, on PostgreSQL).
    let marked = diesel::update(
        user_invitations::table
            .find(&invitation.id)
            .filter(user_invitations::time_used.is_null()),
    )
    .set(user_invitations::time_used.eq(now))
    .execute(conn)?;
    if marked != 1 {
        return Err(ApiError::bad_request(
            "invalid_invitation",
            "the link was used already",
        ));
    }
    let mut user: UserRow = users::table
        .find(&invitation.user_id)
        .select(UserRow::as_select())
        .first(conn)?;
    let taken: i64 = users::table
        .filter(users::id.ne(&user.id))
        .filter(users::password_hash.is_not_null())
        .filter(lower(users::email).eq(user.email.to_lowercase()))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "email_taken",
            "another user with this e-mail can already log in; give this user another e-mail",
        ));
    }
    diesel::update(users::table.find(&user.id))
        .set((
            users::password_hash.eq(Some(&password_hash)),
            users::time_modified.eq(now),
            users::generation.eq(users::generation + 1),
        ))
        .execute(conn)?;
    end_sessions(conn, &user.id, now)?;
    user.password_hash = Some(password_hash);
    Ok(user)
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The user who may log in with `email`, if any.
pub fn login_user(conn: &mut DbConn, email: &str) -> ApiResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::password_hash.is_not_null())
        .filter(lower(users::email).eq(email.trim().to_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The rate-limit subjects of a login attempt.
pub fn failure_subjects(email: &str, client: &str) -> [(String, i32); 2] {
    [
        (
            format!("email:{}", email.trim().to_lowercase()),
            FAILURES_PER_EMAIL,
        ),
        (format!("client:{client}"), FAILURES_PER_CLIENT),
    ]
}

/// Refuse with 429 while any subject is over its limit in its window.
pub fn check_failures(conn: &mut DbConn, subjects: &[(String, i32)]) -> ApiResult<()> {
    let now = now_micros();
    for (subject, limit) in subjects {
        let row: Option<(i32, i64)> = login_failures::table
            .find(subject)
            .select((login_failures::failures, login_failures::window_start))
            .first(conn)
            .optional()?;
        if let Some((failures, start)) = row {
            let end = start + FAILURE_WINDOW_SECS * MICROS;
            if failures >= *limit && end > now {
                return Err(ApiError::too_many_requests(
                    "too_many_logins",
                    "too many failed logins; wait before trying again",
                    ((end - now) / MICROS) as u64 + 1,
                ));
            }
        }
    }
    Ok(())
}

/// Count a failed login against every subject: one more in its window,
/// or the first of a new one. Each step is one statement, so concurrent
/// failures (on any replica) are all counted; a first failure that meets
/// another's insert counts itself in that row.
pub fn record_failure(conn: &mut DbConn, subjects: &[(String, i32)]) -> ApiResult<()> {
    use diesel::result::{DatabaseErrorKind, Error};
    let now = now_micros();
    let window_open = login_failures::window_start.gt(now - FAILURE_WINDOW_SECS * MICROS);
    let one_more = login_failures::failures.eq(login_failures::failures + 1);
    for (subject, _) in subjects {
        let row = login_failures::table.find(subject);
        if diesel::update(row.filter(window_open))
            .set(one_more)
            .execute(conn)?
            == 1
        {
            continue;
        }
        let restart = (
            login_failures::failures.eq(1),
            login_failures::window_start.eq(now),
        );
        if diesel::update(row).set(restart).execute(conn)? == 1 {
            continue;
        }
        // A savepoint, so that losing the race leaves the transaction usable.
        let inserted = conn.transaction(|c| {
            diesel::insert_into(login_failures::table)
                .values((login_failures::subject.eq(subject), restart.0, restart.1))
                .execute(c)
        });
        match inserted {
            Ok(_) => {}
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                diesel::update(row).set(one_more).execute(conn)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// A new session: its row, the cookie's secret, and its user.
pub struct NewSession {
    pub row: SessionRow,
    pub secret: String,
    pub user: UserRow,
}

/// The second half of a login whose password was right: the user's second
/// factor if it has one (401 `totp_required` when none was sent; a wrong
/// one counts as a failure, 401 `wrong_second_factor`), then the session.
/// `Ok(Err(..))` is a refusal whose counted failure must still commit.
pub fn login_second_half(
    conn: &mut DbConn,
    user: UserRow,
    code: Option<&str>,
    recovery: Option<&str>,
    subjects: &[(String, i32)],
    client: &str,
    user_agent: &str,
) -> ApiResult<Result<NewSession, ApiError>> {
    if user.totp_secret.is_some() && code.is_none() && recovery.is_none() {
        return Ok(Err(ApiError::unauthorized_as(
            "totp_required",
            "this user has a second factor: send totp_code (or a recovery_code) with the password",
        )));
    }
    if !super::second_factor::check(conn, &user, code, recovery)? {
        record_failure(conn, subjects)?;
        return Ok(Err(ApiError::unauthorized_as(
            "wrong_second_factor",
            "the code is not right, or was used already",
        )));
    }
    session_create(conn, user, client, user_agent).map(Ok)
}

/// Open a session for `user` (whose password was checked), and clear the
/// failures counted against its e-mail.
pub fn session_create(
    conn: &mut DbConn,
    user: UserRow,
    client: &str,
    user_agent: &str,
) -> ApiResult<NewSession> {
    let now = now_micros();
    let (email_subject, _) = &failure_subjects(&user.email, client)[0];
    diesel::delete(login_failures::table.find(email_subject)).execute(conn)?;
    let (secret, secret_hash) = new_secret("oc_ses_");
    let (csrf_token, _) = new_secret("");
    let row = SessionRow {
        id: SessionId::new(),
        user_id: user.id.clone(),
        secret_hash,
        csrf_token,
        client: client.chars().take(64).collect(),
        user_agent: user_agent.chars().take(256).collect(),
        time_created: now,
        time_last_used: now,
        time_expires: now + SESSION_ABSOLUTE_SECS * MICROS,
        time_revoked: None,
    };
    diesel::insert_into(user_sessions::table)
        .values(&row)
        .execute(conn)?;
    Ok(NewSession { row, secret, user })
}

/// A live session found by its cookie: the actor it acts as, its CSRF
/// token, and whether its last use should be recorded.
pub struct LiveSession {
    pub actor: Actor,
    pub csrf_token: String,
    pub stale: bool,
}

/// The live session whose cookie secret hashes to `hash`.
pub fn session_actor(conn: &mut DbConn, hash: &str) -> ApiResult<LiveSession> {
    let now = now_micros();
    let found: Option<(SessionRow, UserRow)> = user_sessions::table
        .inner_join(users::table)
        .filter(user_sessions::secret_hash.eq(hash))
        .select((SessionRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?;
    match found {
        Some((s, u))
            if s.time_revoked.is_none()
                && s.time_expires > now
                && s.time_last_used + SESSION_IDLE_SECS * MICROS > now =>
        {
            if let Some(account) = &u.account_id {
                tenancy::check_not_suspended(conn, account)?;
            }
            Ok(LiveSession {
                actor: Actor {
                    token_id: None,
                    scope: u.role.scope(),
                    partner_id: u.partner_id,
                    account_id: u.account_id,
                    user: Some(SessionUser {
                        user_id: u.id,
                        session_id: s.id,
                        role: u.role,
                        csrf_token: s.csrf_token.clone(),
                    }),
                },
                csrf_token: s.csrf_token,
                stale: s.time_last_used + LAST_USED_GRANULARITY_SECS * MICROS < now,
            })
        }
        _ => Err(ApiError::unauthorized(
            "the session has ended (logged out, expired or idle); log in again",
        )),
    }
}

/// Record that a session was used now.
pub fn session_touch(conn: &mut DbConn, id: &SessionId) -> ApiResult<()> {
    diesel::update(user_sessions::table.find(id))
        .set(user_sessions::time_last_used.eq(now_micros()))
        .execute(conn)?;
    Ok(())
}

/// The session of a request made with a cookie, or a 400 for a token.
fn own_session(actor: &Actor) -> ApiResult<&SessionUser> {
    actor.user.as_ref().ok_or_else(|| {
        ApiError::bad_request(
            "not_a_session",
            "this request carries a token, not a login session",
        )
    })
}

/// End the session of the request (log out).
pub fn logout(conn: &mut DbConn, actor: &Actor) -> ApiResult<()> {
    let me = own_session(actor)?;
    diesel::update(user_sessions::table.find(&me.session_id))
        .set(user_sessions::time_revoked.eq(now_micros()))
        .execute(conn)?;
    Ok(())
}

/// The live sessions of the logged-in user, oldest first.
pub fn session_list(
    conn: &mut DbConn,
    actor: &Actor,
    page: &PageRequest,
) -> ApiResult<Page<SessionRow>> {
    let me = own_session(actor)?;
    let now = now_micros();
    let mut query = user_sessions::table
        .filter(user_sessions::user_id.eq(&me.user_id))
        .filter(user_sessions::time_revoked.is_null())
        .filter(user_sessions::time_expires.gt(now))
        .filter(user_sessions::time_last_used.gt(now - SESSION_IDLE_SECS * MICROS))
        .select(SessionRow::as_select())
        .order(user_sessions::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(user_sessions::id.gt(after));
    }
    Ok(page.finish(query.load(conn)?, |r| r.id.to_string()))
}

/// End one of the logged-in user's own sessions.
pub fn session_revoke(conn: &mut DbConn, actor: &Actor, id: &str) -> ApiResult<()> {
    let me = own_session(actor)?;
    let n = diesel::update(
        user_sessions::table
            .find(id)
            .filter(user_sessions::user_id.eq(&me.user_id))
            .filter(user_sessions::time_revoked.is_null()),
    )
    .set(user_sessions::time_revoked.eq(now_micros()))
    .execute(conn)?;
    if n == 0 {
        return Err(ApiError::not_found("session", id));
    }
    Ok(())
}

/// End every session of a user (its password changed).
fn end_sessions(conn: &mut DbConn, user: &UserId, now: i64) -> ApiResult<()> {
    diesel::update(
        user_sessions::table
            .filter(user_sessions::user_id.eq(user))
            .filter(user_sessions::time_revoked.is_null()),
    )
    .set(user_sessions::time_revoked.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Remove the sessions and links of users about to be deleted.
pub fn forget_user(conn: &mut DbConn, ids: &[UserId]) -> ApiResult<()> {
    diesel::delete(user_sessions::table.filter(user_sessions::user_id.eq_any(ids)))
        .execute(conn)?;
    diesel::delete(user_recovery_codes::table.filter(user_recovery_codes::user_id.eq_any(ids)))
        .execute(conn)?;
    diesel::delete(user_invitations::table.filter(user_invitations::user_id.eq_any(ids)))
        .execute(conn)?;
    Ok(())
}

/// What [`purge_stale`] removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: usize,
    pub links: usize,
    pub failure_counts: usize,
    pub recovery_codes: usize,
}

/// Remove, as of `now` (microseconds), what can no longer be used: sessions
/// ended (revoked, past their absolute expiry, or idle too long), links
/// used or expired, failed-login counts whose window has closed, and used
/// recovery codes. Each would be refused as it stands, so nothing a request
/// could still use goes. The holder of `host-watch` runs it every ten
/// minutes.
pub fn purge_stale(conn: &mut DbConn, now: i64) -> ApiResult<Purged> {
    let idle_since = now - (SESSION_IDLE_SECS + LAST_USED_GRANULARITY_SECS) * MICROS;
    let sessions = diesel::delete(
        user_sessions::table.filter(
            user_sessions::time_revoked
                .is_not_null()
                .or(user_sessions::time_expires.le(now))
                .or(user_sessions::time_last_used.lt(idle_since)),
        ),
    )
    .execute(conn)?;
    let links = diesel::delete(
        user_invitations::table.filter(
            user_invitations::time_used
                .is_not_null()
                .or(user_invitations::time_expires.le(now)),
        ),
    )
    .execute(conn)?;
    let failure_counts = diesel::delete(
        login_failures::table
            .filter(login_failures::window_start.le(now - FAILURE_WINDOW_SECS * MICROS)),
    )
    .execute(conn)?;
    let recovery_codes = diesel::delete(
        user_recovery_codes::table.filter(user_recovery_codes::time_used.is_not_null()),
    )
    .execute(conn)?;
    Ok(Purged {
        sessions,
        links,
        failure_counts,
        recovery_codes,
    })
}
