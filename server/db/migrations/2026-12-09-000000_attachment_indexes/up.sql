-- A page of instances reads its drives and addresses by instance id; without
-- these, each page scanned both tables whole.
CREATE INDEX drives_instance ON drives (instance_id, slot);
CREATE INDEX ip_addresses_instance ON ip_addresses (instance_id);
