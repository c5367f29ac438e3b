-- A lost host whose Ceph clients the server blocklisted before restarting
-- its instances elsewhere: the entry is renewed while this is set, and
-- removed (and this cleared) once the host has rejoined and destroyed its
-- stale domains.
ALTER TABLE hosts ADD COLUMN storage_fenced BOOLEAN NOT NULL DEFAULT FALSE;
