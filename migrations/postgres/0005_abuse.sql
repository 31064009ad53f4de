-- PostgreSQL twin of sqlite/0005.
ALTER TABLE signatures ADD COLUMN address_hash BYTEA;
ALTER TABLE signatures ADD COLUMN held BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX signatures_by_address ON signatures (letter_id, address_hash) WHERE address_hash IS NOT NULL;

CREATE TABLE service_pause (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    reason     TEXT    NOT NULL,
    extend     BOOLEAN NOT NULL,
    paused_at  BIGINT  NOT NULL,
    paused_by  BIGINT  NOT NULL REFERENCES api_keys (id)
);
