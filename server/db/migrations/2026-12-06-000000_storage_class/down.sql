ALTER TABLE drives DROP COLUMN storage_class;
