-- A workflow remembers who started it, so the event that records its
-- failure names the same actor and request.
ALTER TABLE workflows ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE workflows ADD COLUMN actor_token_id TEXT;
ALTER TABLE workflows ADD COLUMN actor_scope TEXT;
-- Why a change failed, on `<type>.failed` events.
ALTER TABLE events ADD COLUMN message TEXT;
-- `GET /v1/events?resource_id=` reads one resource's history.
CREATE INDEX events_resource ON events (resource_id, id);
