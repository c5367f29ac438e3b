ALTER TABLE idempotency_keys DROP COLUMN replica_id;
