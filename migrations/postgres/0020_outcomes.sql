-- What came of a letter: delivered, a response, anything else staff record. Public, newest first.
CREATE TABLE letter_outcomes (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    letter_id    BIGINT  NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('delivered', 'response', 'other')),
    occurred_at  BIGINT  NOT NULL,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    url          TEXT,
    created_at   BIGINT  NOT NULL,
    created_by   BIGINT  NOT NULL REFERENCES api_keys (id),
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX letter_outcomes_letter ON letter_outcomes (letter_id, occurred_at);
