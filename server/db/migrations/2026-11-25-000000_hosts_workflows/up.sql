-- Hosts enroll and report; drives live on a host; operations run as
-- persisted workflows.

ALTER TABLE hosts ADD COLUMN secret_hash TEXT;
ALTER TABLE hosts ADD COLUMN iscsi_port INTEGER NOT NULL DEFAULT 3260;
ALTER TABLE hosts ADD COLUMN storage_free_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE hosts ADD COLUMN time_heartbeat BIGINT;

ALTER TABLE drives ADD COLUMN host_id TEXT REFERENCES hosts (id);
CREATE INDEX drives_host ON drives (host_id);
CREATE INDEX instances_host ON instances (host_id);

-- One-use tokens an operator hands to a new host.
CREATE TABLE host_enrollments (
    id TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    time_created BIGINT NOT NULL,
    time_expires BIGINT NOT NULL,
    time_used BIGINT,
    host_id TEXT REFERENCES hosts (id)
);

-- steps is a JSON list; cursor is the next step to run forward, or the
-- number of steps still to undo when direction is 'undo'.
CREATE TABLE workflows (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    steps TEXT NOT NULL,
    cursor INTEGER NOT NULL,
    direction TEXT NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL
);
CREATE INDEX workflows_active ON workflows (state, subject_id);
