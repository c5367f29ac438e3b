-- One placement attempt on one host in one round trip (PostgreSQL only;
-- see `placement::attempt` in the server, which does the same in four
-- statements on SQLite, whose writers take turns and need no lock).
--
-- Takes the host's transaction-scoped advisory lock (waiting for it, or
-- only if free), then reads the host's free capacity. The read is a
-- statement after the lock's, so in READ COMMITTED it sees every placement
-- committed by the lock's previous holder. The host fits when each needed
-- figure (NULL: not needed) is at most what is free, and then the lock is
-- kept for the rest of the transaction. Otherwise the block's
-- subtransaction is rolled back, which releases the lock: a transaction
-- never holds the lock of a host it did not place on.
--
-- outcome: 'fits', 'full' (the figures say what is free), 'busy' (the lock
-- is held elsewhere and `wait` is false) or 'gone' (not active).
CREATE FUNCTION overcast_place_attempt_v1(
    lock_class INTEGER, host TEXT, wait BOOLEAN, ratio DOUBLE PRECISION,
    need_vcpus DOUBLE PRECISION, need_memory_mib BIGINT, need_bytes BIGINT,
    OUT outcome TEXT, OUT id TEXT, OUT cpus INTEGER, OUT memory_mib BIGINT,
    OUT storage_bytes BIGINT, OUT used_vcpus BIGINT, OUT used_memory_mib BIGINT,
    OUT used_storage BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_variable
BEGIN
    id := host;
    BEGIN
        IF wait THEN
            PERFORM pg_advisory_xact_lock(lock_class, hashtext(host));
        ELSIF NOT pg_try_advisory_xact_lock(lock_class, hashtext(host)) THEN
            outcome := 'busy';
            RETURN;
        END IF;
        SELECT f.cpus, f.memory_mib, f.storage_bytes, f.used_vcpus, f.used_memory_mib,
               f.used_storage
          INTO cpus, memory_mib, storage_bytes, used_vcpus, used_memory_mib, used_storage
          FROM host_free f WHERE f.id = host;
        IF NOT FOUND THEN
            -- (the figures, NULL here, are not read for 'gone' or 'busy')
            outcome := 'gone';
        ELSIF (need_vcpus IS NULL OR cpus * ratio - used_vcpus >= need_vcpus)
            AND (need_memory_mib IS NULL OR memory_mib - used_memory_mib >= need_memory_mib)
            AND (need_bytes IS NULL OR storage_bytes - used_storage >= need_bytes) THEN
            outcome := 'fits';
            RETURN;
        ELSE
            outcome := 'full';
        END IF;
        RAISE EXCEPTION 'no placement on %', host;
    EXCEPTION WHEN raise_exception THEN
        RETURN;
    END;
END;
$$;
