-- People who log in: a role and a password (argon2id, PHC string) on users,
-- their sessions, one-use invitation and reset links, and the counters that
-- rate-limit failed logins (shared by every replica).
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'account_member';
ALTER TABLE users ADD COLUMN password_hash TEXT;
-- A login names its user by e-mail, so two users with a password never share one.
CREATE UNIQUE INDEX users_login_email ON users (lower(email)) WHERE password_hash IS NOT NULL;

CREATE TABLE user_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    secret_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    client TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_last_used BIGINT NOT NULL,
    time_expires BIGINT NOT NULL,
    time_revoked BIGINT
);
CREATE INDEX user_sessions_user ON user_sessions (user_id, id);

CREATE TABLE user_invitations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    time_created BIGINT NOT NULL,
    time_expires BIGINT NOT NULL,
    time_used BIGINT
);
CREATE INDEX user_invitations_user ON user_invitations (user_id);

CREATE TABLE login_failures (
    subject TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start BIGINT NOT NULL
);

-- The audit log and workflows name the user behind a session.
ALTER TABLE events ADD COLUMN actor_user_id TEXT;
ALTER TABLE workflows ADD COLUMN actor_user_id TEXT;
