-- One letter in several languages. The primary language is the letter's own; each translation records the primary
-- text version it translates (based_on_version; NULL while the letter is a draft: then the text as published) and has
-- text versions of its own once published. A translation based on an older primary text is outdated and not served.
ALTER TABLE letters ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
CREATE TABLE letter_translations (
    letter_id         BIGINT  NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    language          TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    target            TEXT,             -- NULL: the primary's
    consent_text      TEXT,             -- NULL: the primary's
    based_on_version  INTEGER,
    text_version      INTEGER,
    hidden            BOOLEAN NOT NULL DEFAULT FALSE,
    row_version       BIGINT  NOT NULL DEFAULT 1,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    PRIMARY KEY (letter_id, language)
);
CREATE TABLE translation_text_versions (
    letter_id         BIGINT  NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    language          TEXT    NOT NULL,
    version           INTEGER NOT NULL,
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    target            TEXT    NOT NULL,
    sha256            TEXT    NOT NULL,
    based_on_version  INTEGER NOT NULL,
    created_at        BIGINT  NOT NULL,
    created_by        BIGINT  NOT NULL REFERENCES api_keys (id),
    PRIMARY KEY (letter_id, language, version)
);
-- The language a signature was made in (its text_version is that language's); NULL: the primary. Erased at the purge:
-- it can stand in for national origin.
ALTER TABLE signatures ADD COLUMN language TEXT;
