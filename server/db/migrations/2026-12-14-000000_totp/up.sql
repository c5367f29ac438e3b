-- An optional second factor per user: a TOTP secret (RFC 6238; pending
-- until a first code confirms it), the last time step a code was used in
-- (a code works once), and one-use recovery codes, stored hashed.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

CREATE TABLE user_recovery_codes (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    time_used BIGINT
);
CREATE INDEX user_recovery_codes_user ON user_recovery_codes (user_id);
