-- PostgreSQL twin of sqlite/0009.
ALTER TABLE api_keys ADD COLUMN configured BOOLEAN NOT NULL DEFAULT false;
UPDATE api_keys SET configured = true WHERE name = 'configured admin key' AND created_by IS NULL;
UPDATE api_keys SET hint = '(from configuration)' WHERE configured AND hint NOT LIKE 'usk\_%';
