-- The replica that claimed an idempotency key: a claim whose replica died
-- is taken over by the client's retry instead of answering 409 for a day.
-- Nullable, so the previous release (which does not write it) still runs.
ALTER TABLE idempotency_keys ADD COLUMN replica_id TEXT;
