-- A key with role 'metrics' reads /metrics and readiness details and nothing else. SQLite cannot change a CHECK
-- constraint, so the table is rebuilt (same rows, same ids) as in 0018.
CREATE TABLE api_keys_rebuilt (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'staff', 'partner', 'metrics')),
    key_hash    BLOB    NOT NULL UNIQUE,   -- SHA-256 of the key; the key itself is never stored
    hint        TEXT    NOT NULL,          -- a few characters, to recognise a key in a list
    created_at  INTEGER NOT NULL,
    created_by  INTEGER REFERENCES api_keys (id),
    revoked_at  INTEGER,
    configured  INTEGER NOT NULL DEFAULT 0,
    partner_id  INTEGER REFERENCES partners (id),
    CHECK ((role = 'partner') = (partner_id IS NOT NULL))
);
INSERT INTO api_keys_rebuilt (id, name, role, key_hash, hint, created_at, created_by, revoked_at, configured, partner_id)
SELECT id, name, role, key_hash, hint, created_at, created_by, revoked_at, configured, partner_id FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_rebuilt RENAME TO api_keys;
