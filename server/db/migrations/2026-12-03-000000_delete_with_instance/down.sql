ALTER TABLE drives DROP COLUMN delete_with_instance;
