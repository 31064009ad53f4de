-- The consent wording each signer agreed to, kept per letter and version.
CREATE TABLE letter_consent_versions (
    letter_id  INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (letter_id, version)
) WITHOUT ROWID;
ALTER TABLE letters ADD COLUMN consent_version INTEGER NOT NULL DEFAULT 1;
INSERT INTO letter_consent_versions (letter_id, version, text, created_at) SELECT id, 1, consent_text, created_at FROM letters;

ALTER TABLE signatures ADD COLUMN consent_version INTEGER;   -- NULL for staff-added signatories (consent given another way)

-- Access requests find an address's signatures across letters.
CREATE INDEX signatures_by_email ON signatures (email_hmac) WHERE email_hmac IS NOT NULL;
