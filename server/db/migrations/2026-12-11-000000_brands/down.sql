DROP TABLE operator_brand;
DROP TABLE partner_host_names;
ALTER TABLE partners DROP COLUMN host_names;
ALTER TABLE partners DROP COLUMN hidden_sections;
ALTER TABLE partners DROP COLUMN navigation;
ALTER TABLE partners DROP COLUMN footer_links;
ALTER TABLE partners DROP COLUMN support_phone;
ALTER TABLE partners DROP COLUMN favicon_url;
