-- What came of a letter: delivered, a response, anything else staff record. Public, newest first.
CREATE TABLE letter_outcomes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    letter_id    INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('delivered', 'response', 'other')),
    occurred_at  INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    url          TEXT,
    created_at   INTEGER NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES api_keys (id),
    updated_at   INTEGER NOT NULL
);
CREATE INDEX letter_outcomes_letter ON letter_outcomes (letter_id, occurred_at);
