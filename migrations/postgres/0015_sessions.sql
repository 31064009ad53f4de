-- Console sign-ins: a key exchanged for a bearer token that lasts 8 hours. Only the token's SHA-256 is kept; a session
-- ends when it expires, when it is signed out or revoked, or when its key is revoked.
CREATE TABLE sessions (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_id      BIGINT  NOT NULL REFERENCES api_keys (id),
    token_hash  BYTEA   NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX sessions_key ON sessions (key_id);
