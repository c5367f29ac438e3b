ALTER TABLE drives DROP COLUMN chap_secret;
ALTER TABLE drives DROP COLUMN chap_user;
