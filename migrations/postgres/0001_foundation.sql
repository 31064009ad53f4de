-- PostgreSQL twin of sqlite/0001. Instants are Unix milliseconds (BIGINT) on both engines, so they compare and index simply.

CREATE TABLE api_keys (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'staff')),
    key_hash    BYTEA   NOT NULL UNIQUE,   -- SHA-256 of the key; the key itself is never stored
    hint        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    created_by  BIGINT  REFERENCES api_keys (id),
    revoked_at  BIGINT
);

CREATE TABLE letters (
    id                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- never reused, so old links never reach another letter
    slug                TEXT    NOT NULL UNIQUE,
    title               TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    target              TEXT    NOT NULL,
    opens_at            BIGINT,
    closes_at           BIGINT  NOT NULL,
    time_zone           TEXT    NOT NULL,
    moderation          TEXT    NOT NULL CHECK (moderation IN ('none', 'organisations', 'all')),
    allowed_origins     TEXT    NOT NULL DEFAULT '[]',
    retain_contact_days INTEGER NOT NULL,
    challenge           TEXT    NOT NULL CHECK (challenge IN ('off', 'on', 'auto')),
    consent_text        TEXT    NOT NULL,
    text_version        INTEGER,
    row_version         BIGINT  NOT NULL DEFAULT 1,
    created_at          BIGINT  NOT NULL,
    created_by          BIGINT  NOT NULL REFERENCES api_keys (id),
    updated_at          BIGINT  NOT NULL,
    published_at        BIGINT,
    purged_at           BIGINT
);

CREATE TABLE letter_text_versions (
    letter_id  BIGINT  NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    sha256     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    created_by BIGINT  NOT NULL REFERENCES api_keys (id),
    PRIMARY KEY (letter_id, version)
);

CREATE TABLE letter_deadline_changes (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    letter_id     BIGINT NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    change        TEXT   NOT NULL CHECK (change IN ('moved', 'extended', 'shortened', 'reopened', 'closed')),
    old_closes_at BIGINT NOT NULL,
    new_closes_at BIGINT NOT NULL,
    reason        TEXT,
    changed_at    BIGINT NOT NULL,
    changed_by    BIGINT NOT NULL REFERENCES api_keys (id)
);
CREATE INDEX letter_deadline_changes_by_letter ON letter_deadline_changes (letter_id, id);
