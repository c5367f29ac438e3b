-- Point-in-time copies of replicated drives: an RBD snapshot of the
-- drive's image, named `snap-<id>`. `size_bytes` is the drive's size when
-- it was taken, what the snapshot counts for in the drive's total.
CREATE TABLE snapshots (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    drive_id TEXT NOT NULL REFERENCES drives (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    state TEXT NOT NULL,
    time_created BIGINT NOT NULL,
    time_modified BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX snapshots_drive ON snapshots (drive_id);

-- The snapshot a drive was made from (its data is copied from it once;
-- not a reference: the snapshot may go later).
ALTER TABLE drives ADD COLUMN snapshot_id TEXT;
-- An image made from a snapshot: its disk is the RBD image
-- `overcast-r3/image-<id>`, so only replicated drives can be made from it.
ALTER TABLE images ADD COLUMN snapshot_id TEXT;
