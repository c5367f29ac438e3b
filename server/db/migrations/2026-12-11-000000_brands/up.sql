-- A brand covers what the seed panels let a reseller set: a favicon, a
-- support phone, footer links and the console's layout. Partners name the
-- host names their customers use (one partner per name), and the operator
-- has a brand of its own (one row).
ALTER TABLE partners ADD COLUMN favicon_url TEXT;
ALTER TABLE partners ADD COLUMN support_phone TEXT;
-- Unset stays unset: JSON null for the lists, '' for the navigation.
ALTER TABLE partners ADD COLUMN footer_links TEXT NOT NULL DEFAULT 'null';
ALTER TABLE partners ADD COLUMN navigation TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN hidden_sections TEXT NOT NULL DEFAULT 'null';
ALTER TABLE partners ADD COLUMN host_names TEXT NOT NULL DEFAULT '[]';
CREATE TABLE partner_host_names (
    host_name TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id)
);
CREATE INDEX partner_host_names_partner ON partner_host_names (partner_id);
CREATE TABLE operator_brand (
    id INTEGER PRIMARY KEY,
    brand TEXT NOT NULL,
    generation BIGINT NOT NULL
);
