ALTER TABLE workflows DROP COLUMN actor_user_id;
ALTER TABLE events DROP COLUMN actor_user_id;
DROP TABLE login_failures;
DROP TABLE user_invitations;
DROP TABLE user_sessions;
DROP INDEX users_login_email;
ALTER TABLE users DROP COLUMN password_hash;
ALTER TABLE users DROP COLUMN role;
