-- Every active host with what is placed on it: allocations count whatever
-- state an instance or drive is in (a stopped instance keeps its place).
-- One host's row is read through the host indexes of `instances` and
-- `drives`; placement reads it under the host's lock (and PostgreSQL's
-- `overcast_place_attempt_v1` reads it too).
CREATE VIEW host_free AS
SELECT h.id AS id, h.cpus AS cpus, h.memory_mib AS memory_mib,
    h.storage_bytes AS storage_bytes,
    CAST(COALESCE((SELECT SUM(vcpus) FROM instances WHERE host_id = h.id), 0) AS BIGINT)
        AS used_vcpus,
    CAST(COALESCE((SELECT SUM(memory_mib) FROM instances WHERE host_id = h.id), 0) AS BIGINT)
        AS used_memory_mib,
    CAST(COALESCE((SELECT SUM(size_bytes) FROM drives WHERE host_id = h.id), 0) AS BIGINT)
        AS used_storage
FROM hosts h WHERE h.state = 'active';
