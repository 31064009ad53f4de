-- A keyed hash of the client address a signature came from (never the address), for bulk invalidation; erased after 7 days.
ALTER TABLE signatures ADD COLUMN address_hash BLOB;
-- Signed in a burst from one address: on confirmation it waits in review instead of counting.
ALTER TABLE signatures ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE INDEX signatures_by_address ON signatures (letter_id, address_hash) WHERE address_hash IS NOT NULL;

-- The pause switch: one row while signing is paused.
CREATE TABLE service_pause (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    reason     TEXT    NOT NULL,
    extend     INTEGER NOT NULL,   -- on resume, move open letters' deadlines by the paused time
    paused_at  INTEGER NOT NULL,
    paused_by  INTEGER NOT NULL REFERENCES api_keys (id)
);
