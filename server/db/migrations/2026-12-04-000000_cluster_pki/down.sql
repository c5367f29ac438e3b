ALTER TABLE hosts DROP COLUMN next_cert_fingerprint;
ALTER TABLE hosts DROP COLUMN cert_fingerprint;
DROP TABLE cluster_ca;
