-- Each drive's iSCSI target admits its initiators only with this CHAP
-- user and secret, made by the server and renewed whenever the drive is
-- fenced. Drives from before are given theirs when the server starts.
ALTER TABLE drives ADD COLUMN chap_user TEXT NOT NULL DEFAULT '';
ALTER TABLE drives ADD COLUMN chap_secret TEXT NOT NULL DEFAULT '';
