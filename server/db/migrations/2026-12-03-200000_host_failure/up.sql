-- Events the system records itself (a host found down, an instance
-- restarted elsewhere) have no token behind them: the actor columns
-- become optional. SQLite cannot drop NOT NULL, so the table is rebuilt.
CREATE TABLE events_new (
    id TEXT PRIMARY KEY,
    time_created BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    actor_token_id TEXT,
    actor_scope TEXT,
    partner_id TEXT,
    account_id TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    message TEXT
);
INSERT INTO events_new
    SELECT id, time_created, request_id, actor_token_id, actor_scope, partner_id, account_id,
           action, resource_type, resource_id, resource_name, message
    FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_account ON events (account_id, id);
CREATE INDEX events_partner ON events (partner_id, id);
CREATE INDEX events_resource ON events (resource_id, id);

-- When a host's state last changed (detection, recovery, an operator).
ALTER TABLE hosts ADD COLUMN time_state_changed BIGINT NOT NULL DEFAULT 0;
UPDATE hosts SET time_state_changed = time_modified;
