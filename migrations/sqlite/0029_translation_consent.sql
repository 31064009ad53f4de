-- A translation's consent wording is versioned per language, as the primary's is, and a signature records which
-- language's wording it was shown (NULL: the primary's, as every signature before this one).
ALTER TABLE letter_translations ADD COLUMN consent_version INTEGER;   -- NULL while consent_text is NULL
CREATE TABLE translation_consent_versions (
    letter_id  INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    language   TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (letter_id, language, version)
) WITHOUT ROWID;
INSERT INTO translation_consent_versions (letter_id, language, version, text, created_at)
    SELECT letter_id, language, 1, consent_text, updated_at FROM letter_translations WHERE consent_text IS NOT NULL;
UPDATE letter_translations SET consent_version = 1 WHERE consent_text IS NOT NULL;
ALTER TABLE signatures ADD COLUMN consent_language TEXT;
