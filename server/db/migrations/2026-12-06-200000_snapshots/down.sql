ALTER TABLE images DROP COLUMN snapshot_id;
ALTER TABLE drives DROP COLUMN snapshot_id;
DROP TABLE snapshots;
