DROP INDEX hosts_heartbeat;
DROP TABLE caches;
DROP INDEX workflows_running_owner;
ALTER TABLE workflows DROP COLUMN generation;
ALTER TABLE workflows DROP COLUMN owner;
DROP TABLE leases;
DROP TABLE host_sessions;
DROP TABLE replicas;
