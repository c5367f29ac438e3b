ALTER TABLE hosts DROP COLUMN time_state_changed;
DELETE FROM events WHERE actor_token_id IS NULL;
CREATE TABLE events_old (
    id TEXT PRIMARY KEY,
    time_created BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    actor_token_id TEXT NOT NULL,
    actor_scope TEXT NOT NULL,
    partner_id TEXT,
    account_id TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    message TEXT
);
INSERT INTO events_old SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_old RENAME TO events;
CREATE INDEX events_account ON events (account_id, id);
CREATE INDEX events_partner ON events (partner_id, id);
CREATE INDEX events_resource ON events (resource_id, id);
