-- Partner and operator staff log in too. A user belongs to an account
-- (the account roles), to a partner (`partner_admin`) or to neither
-- (`operator`). SQLite cannot drop NOT NULL, so users is rebuilt, and with
-- it the two tables that reference it (PostgreSQL would not drop a table
-- others reference; SQLite, migrating without foreign keys enforced,
-- repoints their references when the new table takes the old name).
CREATE TABLE users_new (
    id TEXT PRIMARY KEY,
    account_id TEXT REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    email TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    role TEXT NOT NULL DEFAULT 'account_member',
    password_hash TEXT,
    partner_id TEXT REFERENCES partners (id),
    CHECK (
        (role IN ('account_admin', 'account_member', 'account_read_only')
            AND account_id IS NOT NULL AND partner_id IS NULL)
        OR (role = 'partner_admin' AND account_id IS NULL AND partner_id IS NOT NULL)
        OR (role = 'operator' AND account_id IS NULL AND partner_id IS NULL)
    )
);
INSERT INTO users_new (id, account_id, name, description, email, time_created, time_modified,
    generation, role, password_hash, partner_id)
SELECT id, account_id, name, description, email, time_created, time_modified, generation, role,
    password_hash, NULL
FROM users;

CREATE TABLE user_sessions_new (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users_new (id),
    secret_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    client TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_last_used BIGINT NOT NULL,
    time_expires BIGINT NOT NULL,
    time_revoked BIGINT
);
INSERT INTO user_sessions_new SELECT id, user_id, secret_hash, csrf_token, client, user_agent,
    time_created, time_last_used, time_expires, time_revoked FROM user_sessions;

CREATE TABLE user_invitations_new (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users_new (id),
    kind TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    time_created BIGINT NOT NULL,
    time_expires BIGINT NOT NULL,
    time_used BIGINT
);
INSERT INTO user_invitations_new SELECT id, user_id, kind, secret_hash, time_created,
    time_expires, time_used FROM user_invitations;

DROP TABLE user_invitations;
DROP TABLE user_sessions;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
ALTER TABLE user_sessions_new RENAME TO user_sessions;
ALTER TABLE user_invitations_new RENAME TO user_invitations;

-- A name is unique among its owner's users: an account's, a partner's, the operator's.
CREATE UNIQUE INDEX users_account_name ON users (account_id, name) WHERE account_id IS NOT NULL;
CREATE UNIQUE INDEX users_partner_name ON users (partner_id, name) WHERE partner_id IS NOT NULL;
CREATE UNIQUE INDEX users_operator_name ON users (name)
    WHERE account_id IS NULL AND partner_id IS NULL;
CREATE UNIQUE INDEX users_login_email ON users (lower(email)) WHERE password_hash IS NOT NULL;
CREATE INDEX user_sessions_user ON user_sessions (user_id, id);
CREATE INDEX user_invitations_user ON user_invitations (user_id);
