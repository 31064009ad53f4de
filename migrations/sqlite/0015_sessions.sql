-- Console sign-ins: a key exchanged for a bearer token that lasts 8 hours. Only the token's SHA-256 is kept; a session
-- ends when it expires, when it is signed out or revoked, or when its key is revoked.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id      INTEGER NOT NULL REFERENCES api_keys (id),
    token_hash  BLOB    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX sessions_key ON sessions (key_id);
