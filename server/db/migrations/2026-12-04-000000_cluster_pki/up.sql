-- The cluster's certificate authority: it signs the server's TLS
-- certificate for the internal API and every host's client certificate.
-- Kept in the database so every server of the control plane uses one CA.
CREATE TABLE cluster_ca (
    name TEXT PRIMARY KEY,
    cert_pem TEXT NOT NULL,
    key_pem TEXT NOT NULL,
    time_created BIGINT NOT NULL
);

-- The SHA-256 of the host's current client certificate, and of the one it
-- was last issued and has not used yet (a rotation in flight). A session is
-- accepted only with one of these.
ALTER TABLE hosts ADD COLUMN cert_fingerprint TEXT;
ALTER TABLE hosts ADD COLUMN next_cert_fingerprint TEXT;
