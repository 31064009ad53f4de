-- The admin key from configuration is marked, so a new one replaces it (revoking the old) and a revoked one stays
-- revoked. Its hint showed the first characters of a key a person chose: it shows none now.
ALTER TABLE api_keys ADD COLUMN configured INTEGER NOT NULL DEFAULT 0;
UPDATE api_keys SET configured = 1 WHERE name = 'configured admin key' AND created_by IS NULL;
UPDATE api_keys SET hint = '(from configuration)' WHERE configured = 1 AND hint NOT LIKE 'usk\_%' ESCAPE '\';
