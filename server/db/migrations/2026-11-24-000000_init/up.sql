-- Portable SQL: the same migration runs on SQLite and PostgreSQL.
-- Ids are UUIDv7 text; times are microseconds since the Unix epoch; JSON lists are text.

CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    display_name TEXT NOT NULL,
    logo_url TEXT,
    primary_color TEXT NOT NULL,
    accent_color TEXT NOT NULL,
    support_url TEXT,
    support_email TEXT,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    partner_id TEXT REFERENCES partners (id),
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL
);
CREATE INDEX accounts_partner ON accounts (partner_id, name);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    email TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    scope TEXT NOT NULL,
    partner_id TEXT REFERENCES partners (id),
    account_id TEXT REFERENCES accounts (id),
    secret_hash TEXT NOT NULL UNIQUE,
    time_created BIGINT NOT NULL,
    time_expires BIGINT,
    time_revoked BIGINT
);
CREATE INDEX tokens_account ON tokens (account_id);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE ssh_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    public_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

-- scope is 'system' for operator images, else the owning account's id.
CREATE TABLE images (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    os_family TEXT NOT NULL,
    architecture TEXT NOT NULL,
    boot_mode TEXT NOT NULL,
    min_size_bytes BIGINT NOT NULL,
    source_url TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    UNIQUE (scope, name)
);

CREATE TABLE hosts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    address TEXT NOT NULL,
    cpus INTEGER NOT NULL,
    memory_mib BIGINT NOT NULL,
    storage_bytes BIGINT NOT NULL,
    state TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL
);

CREATE TABLE ip_pools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    first_address TEXT NOT NULL,
    last_address TEXT NOT NULL,
    prefix_len INTEGER NOT NULL,
    gateway TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL
);

CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    vcpus INTEGER NOT NULL,
    memory_mib BIGINT NOT NULL,
    ssh_key_ids TEXT NOT NULL,
    user_data TEXT NOT NULL,
    ha_policy TEXT NOT NULL,
    avoid_instances TEXT NOT NULL,
    state TEXT NOT NULL,
    host_id TEXT REFERENCES hosts (id),
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    UNIQUE (project_id, name)
);

-- slot 0 is the boot drive; higher slots are extra drives in order.
CREATE TABLE drives (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    image_id TEXT REFERENCES images (id),
    replicas INTEGER NOT NULL,
    avoid_drives TEXT NOT NULL,
    avoid_instances TEXT NOT NULL,
    state TEXT NOT NULL,
    instance_id TEXT REFERENCES instances (id),
    slot INTEGER,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    UNIQUE (project_id, name),
    UNIQUE (instance_id, slot)
);

CREATE TABLE ip_addresses (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    pool_id TEXT NOT NULL REFERENCES ip_pools (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT NOT NULL,
    instance_id TEXT REFERENCES instances (id),
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    UNIQUE (project_id, name),
    UNIQUE (pool_id, address)
);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    time_created BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    actor_token_id TEXT NOT NULL,
    actor_scope TEXT NOT NULL,
    partner_id TEXT,
    account_id TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    resource_name TEXT NOT NULL
);
CREATE INDEX events_account ON events (account_id, id);
CREATE INDEX events_partner ON events (partner_id, id);

CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    time_created BIGINT NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
