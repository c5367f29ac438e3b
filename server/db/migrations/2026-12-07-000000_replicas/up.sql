-- The control plane's servers ("replicas") while they run: where the others
-- reach each one's internal API, and until when it counts as alive (a lease
-- it renews about four times per lease). A row past its expiry is a dead
-- replica: its host sessions are void and its workflows are taken over.
CREATE TABLE replicas (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    internal_url TEXT NOT NULL,
    time_started BIGINT NOT NULL,
    time_expires BIGINT NOT NULL
);

-- The session directory: which replica holds each connected host's session.
-- Written when a session opens or closes, never per heartbeat.
CREATE TABLE host_sessions (
    host_id TEXT PRIMARY KEY REFERENCES hosts (id) ON DELETE CASCADE,
    replica_id TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    time_opened BIGINT NOT NULL
);

-- Singletons (the down-host detector, storage events): one replica holds
-- each at a time; the generation grows with each new holder.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    replica_id TEXT NOT NULL,
    generation BIGINT NOT NULL,
    time_expires BIGINT NOT NULL
);
INSERT INTO leases (name, replica_id, generation, time_expires)
VALUES ('host-watch', '', 0, 0), ('storage-events', '', 0, 0);

-- The replica running a workflow, and a fencing generation: each claim
-- raises it, and every write of the workflow's progress requires the
-- generation its writer claimed, so a stale owner's writes are refused.
ALTER TABLE workflows ADD COLUMN owner TEXT;
ALTER TABLE workflows ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
CREATE INDEX workflows_running_owner ON workflows (state, owner);

-- Generations of the caches every replica keeps (the token cache): a change
-- that must reach every replica's cache raises its generation in its own
-- transaction, and each replica polls these rows a few times a second.
CREATE TABLE caches (
    name TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO caches (name, generation) VALUES ('tokens', 0);

-- The down-host detector reads only hosts silent for a while.
CREATE INDEX hosts_heartbeat ON hosts (time_heartbeat);
