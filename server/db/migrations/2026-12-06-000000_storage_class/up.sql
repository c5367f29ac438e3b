-- A drive is `local` (a file on host_id, exported over iSCSI) or
-- `replicated` (a Ceph RBD image of `replicas` copies; host_id is null).
ALTER TABLE drives ADD COLUMN storage_class TEXT NOT NULL DEFAULT 'local';
