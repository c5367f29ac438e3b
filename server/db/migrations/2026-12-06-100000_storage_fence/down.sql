ALTER TABLE hosts DROP COLUMN storage_fenced;
