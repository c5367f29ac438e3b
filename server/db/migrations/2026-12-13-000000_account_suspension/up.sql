-- A suspended account's tokens and logins are refused until it is resumed;
-- what it runs keeps running.
ALTER TABLE accounts ADD COLUMN time_suspended BIGINT;
