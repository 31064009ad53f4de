-- PostgreSQL twin of sqlite/0004.
CREATE TABLE letter_consent_versions (
    letter_id  BIGINT  NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (letter_id, version)
);
ALTER TABLE letters ADD COLUMN consent_version INTEGER NOT NULL DEFAULT 1;
INSERT INTO letter_consent_versions (letter_id, version, text, created_at) SELECT id, 1, consent_text, created_at FROM letters;

ALTER TABLE signatures ADD COLUMN consent_version INTEGER;

CREATE INDEX signatures_by_email ON signatures (email_hmac) WHERE email_hmac IS NOT NULL;
