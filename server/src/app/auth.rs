//! API tokens and the actor a request acts as.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use overcast_db::models::{AccountRow, TokenRow};
use overcast_db::schema::{accounts, tokens};
use overcast_db::{DbConn, now_micros};
use overcast_types::ids::{AccountId, PartnerId, SessionId, TokenId, UserId};
use overcast_types::{ApiError, ApiResult, TokenScope, UserRole};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The authenticated principal of a request.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The token, for a request with a bearer token.
    pub token_id: Option<TokenId>,
    /// The user and session, for a request with a session cookie.
    pub user: Option<SessionUser>,
    pub scope: TokenScope,
    pub partner_id: Option<PartnerId>,
    pub account_id: Option<AccountId>,
}

/// The logged-in user behind a request.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub role: UserRole,
    /// What changes made with the session's cookie must send.
    pub csrf_token: String,
}

impl Actor {
    /// Whether this actor may manage the people of an account: its users,
    /// their invitations, and API tokens. Every token that can write may;
    /// a logged-in user needs the `account_admin` role.
    pub fn require_people_admin(&self) -> ApiResult<()> {
        match &self.user {
            Some(u) if u.role == UserRole::AccountMember || u.role == UserRole::AccountReadOnly => {
                Err(ApiError::forbidden(
                    "managing users and tokens needs the account_admin role",
                ))
            }
            _ => Ok(()),
        }
    }

    pub fn is_operator(&self) -> bool {
        self.scope == TokenScope::Operator
    }

    pub fn is_read_only(&self) -> bool {
        self.scope == TokenScope::AccountReadOnly
    }

    pub fn require_operator(&self) -> ApiResult<()> {
        if self.is_operator() {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "this operation needs an operator token",
            ))
        }
    }

    /// Whether this actor may see an account (and everything in it).
    pub fn sees_account(&self, account: &AccountRow) -> bool {
        match self.scope {
            TokenScope::Operator => true,
            TokenScope::PartnerAdmin => {
                account.partner_id.is_some() && account.partner_id == self.partner_id
            }
            TokenScope::AccountReadWrite | TokenScope::AccountReadOnly => {
                self.account_id.as_ref() == Some(&account.id)
            }
        }
    }

    /// Whether [`Actor::sees_account_id_known`] answers for every account
    /// (all but a partner admin, who needs the account's partner).
    pub fn sees_without_query(&self) -> bool {
        self.scope != TokenScope::PartnerAdmin
    }

    /// Whether this actor may see the account with this id, when that is
    /// known without a query: `None` for a partner admin, who needs the
    /// account's partner.
    pub fn sees_account_id_known(&self, account_id: &AccountId) -> Option<bool> {
        match self.scope {
            TokenScope::Operator => Some(true),
            TokenScope::AccountReadWrite | TokenScope::AccountReadOnly => {
                Some(self.account_id.as_ref() == Some(account_id))
            }
            TokenScope::PartnerAdmin => None,
        }
    }

    /// Whether this actor may see the account with this id. Account tokens
    /// answer without a query; partner admins need the account's partner.
    pub fn sees_account_id(&self, conn: &mut DbConn, account_id: &AccountId) -> ApiResult<bool> {
        match self.sees_account_id_known(account_id) {
            Some(known) => Ok(known),
            None => {
                let partner: Option<Option<PartnerId>> = accounts::table
                    .find(account_id)
                    .select(accounts::partner_id)
                    .first(conn)
                    .optional()?;
                Ok(partner
                    .flatten()
                    .is_some_and(|p| Some(p) == self.partner_id))
            }
        }
    }
}

/// A new token secret and the hash that is stored for it.
pub fn generate_secret() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    use base64::Engine;
    let secret = format!(
        "oc_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_secret(&secret);
    (secret, hash)
}

/// Token secrets carry 256 random bits, so a fast hash is enough: there is
/// nothing to brute-force that a slow hash would protect.
pub fn hash_secret(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// How long a verified token is trusted without asking the database again.
/// Revocation through this server clears the cache at once; the TTL bounds
/// how long another server's revocation takes to reach this one.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(10);
const TOKEN_CACHE_MAX: usize = 100_000;

/// A verified token: its actor, its expiry, and when it was verified.
struct Verified {
    actor: Actor,
    expires: Option<i64>,
    at: Instant,
}

/// Verified tokens by secret hash, so most requests cost one query, not two.
#[derive(Default)]
pub struct TokenCache {
    entries: RwLock<HashMap<String, Verified>>,
    /// Raised by every `clear`: a lookup that began before a clear does
    /// not put what it read (the revocation may have committed after its
    /// read).
    epoch: std::sync::atomic::AtomicU64,
}

impl TokenCache {
    /// The epoch to pass to `put` for a lookup beginning now.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn get(&self, hash: &str) -> Option<Actor> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        let v = entries.get(hash)?;
        let fresh = v.at.elapsed() < TOKEN_CACHE_TTL && v.expires.is_none_or(|e| e > now_micros());
        fresh.then(|| v.actor.clone())
    }

    /// Cache a lookup that began at `epoch`, unless the cache was cleared
    /// since.
    pub fn put(&self, hash: String, actor: Actor, expires: Option<i64>, epoch: u64) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if self.epoch() != epoch {
            return;
        }
        if entries.len() >= TOKEN_CACHE_MAX {
            entries.clear();
        }
        entries.insert(
            hash,
            Verified {
                actor,
                expires,
                at: Instant::now(),
            },
        );
    }

    /// Forget every cached token: called after anything that revokes tokens.
    pub fn clear(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        entries.clear();
    }
}

/// The secret's hash from an `Authorization` header value.
pub fn bearer_hash(authorization: Option<&str>) -> ApiResult<String> {
    let Some(value) = authorization else {
        return Err(ApiError::unauthorized(
            "missing Authorization header; send `Authorization: Bearer <token>`",
        ));
    };
    let Some(secret) = value.strip_prefix("Bearer ") else {
        return Err(ApiError::unauthorized(
            "the Authorization header must use the Bearer scheme",
        ));
    };
    Ok(hash_secret(secret.trim()))
}

/// The actor of a live token, with its expiry, by the secret's hash.
pub fn token_actor(conn: &mut DbConn, hash: &str) -> ApiResult<(Actor, Option<i64>)> {
    let row: Option<TokenRow> = tokens::table
        .filter(tokens::secret_hash.eq(hash))
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?;
    let now = now_micros();
    match row {
        Some(t) if t.time_revoked.is_none() && t.time_expires.is_none_or(|e| e > now) => {
            if let Some(account) = &t.account_id {
                super::tenancy::check_not_suspended(conn, account)?;
            }
            Ok((
                Actor {
                    scope: t.scope,
                    token_id: Some(t.id),
                    user: None,
                    partner_id: t.partner_id,
                    account_id: t.account_id,
                },
                t.time_expires,
            ))
        }
        _ => Err(ApiError::unauthorized(
            "the token is unknown, revoked or expired",
        )),
    }
}
