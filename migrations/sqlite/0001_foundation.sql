-- Instants are Unix milliseconds (INTEGER) so they compare and index simply.

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'staff')),
    key_hash    BLOB    NOT NULL UNIQUE,   -- SHA-256 of the key; the key itself is never stored
    hint        TEXT    NOT NULL,          -- the first few characters, to recognise a key in a list
    created_at  INTEGER NOT NULL,
    created_by  INTEGER REFERENCES api_keys (id),
    revoked_at  INTEGER
);

CREATE TABLE letters (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so old links never reach another letter
    slug                TEXT    NOT NULL UNIQUE,
    title               TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    target              TEXT    NOT NULL,
    opens_at            INTEGER,
    closes_at           INTEGER NOT NULL,
    time_zone           TEXT    NOT NULL,
    moderation          TEXT    NOT NULL CHECK (moderation IN ('none', 'organisations', 'all')),
    allowed_origins     TEXT    NOT NULL DEFAULT '[]',      -- JSON array of origins
    retain_contact_days INTEGER NOT NULL,
    challenge           TEXT    NOT NULL CHECK (challenge IN ('off', 'on', 'auto')),
    consent_text        TEXT    NOT NULL,
    text_version        INTEGER,                             -- current published text version; NULL while draft
    row_version         INTEGER NOT NULL DEFAULT 1,          -- the ETag
    created_at          INTEGER NOT NULL,
    created_by          INTEGER NOT NULL REFERENCES api_keys (id),
    updated_at          INTEGER NOT NULL,
    published_at        INTEGER,
    purged_at           INTEGER
);

-- What signers saw: each published wording of a letter, with its hash.
CREATE TABLE letter_text_versions (
    letter_id  INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    sha256     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER NOT NULL REFERENCES api_keys (id),
    PRIMARY KEY (letter_id, version)
) WITHOUT ROWID;

-- Every move of a letter's deadline: extensions, early closes, reopenings.
CREATE TABLE letter_deadline_changes (
    id            INTEGER PRIMARY KEY,
    letter_id     INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    change        TEXT    NOT NULL CHECK (change IN ('moved', 'extended', 'shortened', 'reopened', 'closed')),
    old_closes_at INTEGER NOT NULL,
    new_closes_at INTEGER NOT NULL,
    reason        TEXT,
    changed_at    INTEGER NOT NULL,
    changed_by    INTEGER NOT NULL REFERENCES api_keys (id)
);
CREATE INDEX letter_deadline_changes_by_letter ON letter_deadline_changes (letter_id, id);
