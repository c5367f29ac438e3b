DROP INDEX events_resource;
ALTER TABLE events DROP COLUMN message;
ALTER TABLE workflows DROP COLUMN actor_scope;
ALTER TABLE workflows DROP COLUMN actor_token_id;
ALTER TABLE workflows DROP COLUMN request_id;
