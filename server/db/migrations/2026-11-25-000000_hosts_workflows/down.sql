DROP TABLE workflows;
DROP TABLE host_enrollments;
DROP INDEX instances_host;
DROP INDEX drives_host;
ALTER TABLE drives DROP COLUMN host_id;
ALTER TABLE hosts DROP COLUMN time_heartbeat;
ALTER TABLE hosts DROP COLUMN storage_free_bytes;
ALTER TABLE hosts DROP COLUMN iscsi_port;
ALTER TABLE hosts DROP COLUMN secret_hash;
