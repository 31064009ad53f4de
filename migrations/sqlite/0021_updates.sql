-- Updates about what came of a letter, only to signers who asked (until the purge), at most one a day per letter.
ALTER TABLE signatures ADD COLUMN updates INTEGER;          -- 1: asked; 0: unsubscribed; NULL: not asked, or erased
ALTER TABLE signatures ADD COLUMN updates_version INTEGER;  -- the version of the question's wording they answered
CREATE TABLE letter_updates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    letter_id   INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    local_day   TEXT    NOT NULL,   -- the day in the letter's time zone it was sent: one a day
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    recipients  INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL,
    sent_by     INTEGER NOT NULL REFERENCES api_keys (id),
    UNIQUE (letter_id, local_day)
);
-- One-click unsubscribe links, one per update email; only the SHA-256 of each is kept. Gone with the signature.
CREATE TABLE unsubscribe_tokens (
    token_hash    BLOB    PRIMARY KEY,
    signature_id  INTEGER NOT NULL REFERENCES signatures (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX unsubscribe_tokens_signature ON unsubscribe_tokens (signature_id);
