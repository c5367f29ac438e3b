-- Boot drives the quick form makes are deleted with their instance
-- (AWS's DeleteOnTermination); drives made on their own are not.
ALTER TABLE drives ADD COLUMN delete_with_instance BOOLEAN NOT NULL DEFAULT FALSE;
