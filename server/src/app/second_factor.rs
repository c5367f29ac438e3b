//! The optional second factor of a login: TOTP (RFC 6238: 6 digits, 30 s
//! steps, SHA-1, as every authenticator app reads an `otpauth://` URL) and
//! one-use recovery codes. `totp-rs` computes the codes; which steps are
//! accepted, and that a code works once, is decided here.

use diesel::prelude::*;
use rand::RngCore;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

use super::auth::hash_secret;
use super::{Actor, Ctx, record_event, tenancy};
use overcast_db::models::UserRow;
use overcast_db::schema::{user_recovery_codes, users};
use overcast_db::{DbConn, now_micros};
use overcast_types::{ApiError, ApiResult, NameOrId};

/// Seconds per code.
const STEP: u64 = 30;
/// Steps either side of now that are accepted (clocks drift).
const SKEW: i64 = 1;
const RECOVERY_CODES: usize = 10;

fn totp(secret_base32: &str, account: &str, issuer: &str) -> ApiResult<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .map_err(|e| ApiError::internal(format!("a stored TOTP secret is not base32: {e:?}")))?;
    Ok(TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        SKEW as u8,
        STEP,
        bytes,
        Some(issuer.to_string()),
        account.to_string(),
    ))
}

fn now_step() -> i64 {
    now_micros() / 1_000_000 / STEP as i64
}

/// The step within the skew whose code `code` is, if any (compared in
/// constant time).
fn matching_step(t: &TOTP, code: &str) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    let now = now_step();
    (now - SKEW..=now + SKEW).find(|&step| {
        let expected = t.generate((step as u64) * STEP);
        bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
    })
}

fn own_user(conn: &mut DbConn, actor: &Actor) -> ApiResult<UserRow> {
    let Some(me) = &actor.user else {
        return Err(ApiError::bad_request(
            "not_a_session",
            "a second factor belongs to a person: log in to set it",
        ));
    };
    Ok(users::table
        .find(&me.user_id)
        .select(UserRow::as_select())
        .first(conn)?)
}

fn invalid_code() -> ApiError {
    ApiError::invalid("code", "the code is not right (or was used already)")
}

/// A new TOTP secret for the caller, pending until a code confirms it: the
/// base32 secret and its `otpauth://` URL for an authenticator app.
pub fn enroll(conn: &mut DbConn, actor: &Actor, issuer: &str) -> ApiResult<(String, String)> {
    let user = own_user(conn, actor)?;
    if user.totp_secret.is_some() {
        return Err(ApiError::conflict(
            "totp_enabled",
            "a second factor is on already: turn it off first to set a new one",
        ));
    }
    let mut raw = [0u8; 20];
    rand::rng().fill_bytes(&mut raw);
    let Secret::Encoded(secret) = Secret::Raw(raw.to_vec()).to_encoded() else {
        return Err(ApiError::internal("base32 encoding gave raw bytes"));
    };
    let url = totp(&secret, &user.email, issuer)?.get_url();
    diesel::update(users::table.find(&user.id))
        .set(users::totp_pending.eq(&secret))
        .execute(conn)?;
    Ok((secret, url))
}

/// Turn the pending secret on with a code from it; the recovery codes, shown
/// this once (stored hashed).
pub fn confirm(conn: &mut DbConn, actor: &Actor, code: &str) -> ApiResult<Vec<String>> {
    let user = own_user(conn, actor)?;
    let Some(pending) = &user.totp_pending else {
        return Err(ApiError::conflict(
            "no_totp_pending",
            "no second factor is being set up: start with POST /v1/me/totp",
        ));
    };
    let step = matching_step(&totp(pending, &user.email, "")?, code).ok_or_else(invalid_code)?;
    diesel::update(users::table.find(&user.id))
        .set((
            users::totp_secret.eq(pending),
            users::totp_pending.eq(None::<String>),
            users::totp_last_step.eq(step),
        ))
        .execute(conn)?;
    diesel::delete(user_recovery_codes::table.filter(user_recovery_codes::user_id.eq(&user.id)))
        .execute(conn)?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    for c in &codes {
        diesel::insert_into(user_recovery_codes::table)
            .values((
                user_recovery_codes::code_hash.eq(hash_secret(&normalize(c))),
                user_recovery_codes::user_id.eq(&user.id),
            ))
            .execute(conn)?;
    }
    Ok(codes)
}

/// Turn the second factor off, with a current code or a recovery code.
pub fn disable(conn: &mut DbConn, actor: &Actor, code: &str) -> ApiResult<()> {
    let user = own_user(conn, actor)?;
    if user.totp_secret.is_none() {
        return Err(ApiError::conflict(
            "totp_disabled",
            "no second factor is on",
        ));
    }
    if !check(conn, &user, Some(code), Some(code))? {
        return Err(invalid_code());
    }
    turn_off(conn, &user)
}

/// An admin turns another user's second factor off, for a user who lost
/// both the authenticator and the recovery codes: their next login needs
/// the password only, and they can enroll again.
pub fn reset(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<()> {
    ctx.actor.require_people_admin()?;
    let user = tenancy::lookup_user(conn, &ctx.actor, sel, account)?;
    if user.totp_secret.is_none() && user.totp_pending.is_none() {
        return Err(ApiError::conflict(
            "totp_disabled",
            format!("user \"{}\" has no second factor", user.name),
        ));
    }
    turn_off(conn, &user)?;
    record_event(conn, ctx, "totp_reset", tenancy::user_subject(&user))
}

/// The secret, a pending one and the recovery codes go.
fn turn_off(conn: &mut DbConn, user: &UserRow) -> ApiResult<()> {
    diesel::update(users::table.find(&user.id))
        .set((
            users::totp_secret.eq(None::<String>),
            users::totp_pending.eq(None::<String>),
            users::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)?;
    diesel::delete(user_recovery_codes::table.filter(user_recovery_codes::user_id.eq(&user.id)))
        .execute(conn)?;
    Ok(())
}

/// Whether a login's second factor is right: a TOTP code of a step later
/// than the last one used, or an unused recovery code (then used up).
pub fn check(
    conn: &mut DbConn,
    user: &UserRow,
    code: Option<&str>,
    recovery: Option<&str>,
) -> ApiResult<bool> {
    let Some(secret) = &user.totp_secret else {
        return Ok(true);
    };
    if let Some(code) = code
        && let Some(step) = matching_step(&totp(secret, &user.email, "")?, code)
    {
        // The step moves forward under a condition, so two logins racing
        // with one code cannot both win.
        let won = diesel::update(
            users::table.find(&user.id).filter(
                users::totp_last_step
                    .lt(step)
                    .or(users::totp_last_step.is_null()),
            ),
        )
        .set(users::totp_last_step.eq(step))
        .execute(conn)?;
        if won == 1 {
            return Ok(true);
        }
    }
    if let Some(recovery) = recovery {
        let used = diesel::update(
            user_recovery_codes::table
                .filter(user_recovery_codes::code_hash.eq(hash_secret(&normalize(recovery))))
                .filter(user_recovery_codes::user_id.eq(&user.id))
                .filter(user_recovery_codes::time_used.is_null()),
        )
        .set(user_recovery_codes::time_used.eq(now_micros()))
        .execute(conn)?;
        return Ok(used == 1);
    }
    Ok(false)
}

/// Ten characters from an unambiguous alphabet (50 bits), as `xxxxx-xxxxx`.
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_rfc_6238() {
        // RFC 6238, appendix B: SHA-1, T = 59 s gives 94287082 (8 digits).
        let secret = b"12345678901234567890".to_vec();
        let t = TOTP::new_unchecked(Algorithm::SHA1, 8, 1, 30, secret, None, String::new());
        assert_eq!(t.generate(59), "94287082");
        assert_eq!(t.generate(1_111_111_109), "07081804");
    }

    #[test]
    fn recovery_codes_read_back_however_typed() {
        let code = recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(
            normalize(&code.to_uppercase().replace('-', " ")),
            normalize(&code)
        );
    }
}
