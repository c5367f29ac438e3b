DROP INDEX ip_addresses_instance;
DROP INDEX drives_instance;
