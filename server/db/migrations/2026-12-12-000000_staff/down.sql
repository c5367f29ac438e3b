-- Staff users go; account users stay, their account required again.
DELETE FROM user_invitations WHERE user_id IN (SELECT id FROM users WHERE account_id IS NULL);
DELETE FROM user_sessions WHERE user_id IN (SELECT id FROM users WHERE account_id IS NULL);
DELETE FROM users WHERE account_id IS NULL;
CREATE TABLE users_old (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    email TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    role TEXT NOT NULL DEFAULT 'account_member',
    password_hash TEXT,
    UNIQUE (account_id, name)
);
INSERT INTO users_old SELECT id, account_id, name, description, email, time_created,
    time_modified, generation, role, password_hash FROM users;
CREATE TABLE user_sessions_old (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users_old (id),
    secret_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    client TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_last_used BIGINT NOT NULL,
    time_expires BIGINT NOT NULL,
    time_revoked BIGINT
);
INSERT INTO user_sessions_old SELECT * FROM user_sessions;
CREATE TABLE user_invitations_old (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users_old (id),
    kind TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    time_created BIGINT NOT NULL,
    time_expires BIGINT NOT NULL,
    time_used BIGINT
);
INSERT INTO user_invitations_old SELECT * FROM user_invitations;
DROP TABLE user_invitations;
DROP TABLE user_sessions;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;
ALTER TABLE user_sessions_old RENAME TO user_sessions;
ALTER TABLE user_invitations_old RENAME TO user_invitations;
CREATE UNIQUE INDEX users_login_email ON users (lower(email)) WHERE password_hash IS NOT NULL;
CREATE INDEX user_sessions_user ON user_sessions (user_id, id);
CREATE INDEX user_invitations_user ON user_invitations (user_id);
