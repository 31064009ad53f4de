-- Slugs, partner codes and language tags stored with white space at the end (a pattern anchored with `$` let "slug\n"
-- through) broke every download's header. Trimmed here; a trimmed slug or code another row already has gets "-2". Each
-- change is recorded in the audit trail.
INSERT INTO audit_log (at, key_id, action, letter_id, details)
SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), NULL, 'letter.slug.trimmed', id,
       json_object('from', slug, 'to', rtrim(slug, char(9, 10, 13, 32)) ||
           CASE WHEN EXISTS (SELECT 1 FROM letters o WHERE o.slug = rtrim(letters.slug, char(9, 10, 13, 32)) AND o.id <> letters.id) THEN '-2' ELSE '' END)
FROM letters WHERE slug <> rtrim(slug, char(9, 10, 13, 32));
UPDATE letters SET slug = rtrim(slug, char(9, 10, 13, 32)) ||
    CASE WHEN EXISTS (SELECT 1 FROM letters o WHERE o.slug = rtrim(letters.slug, char(9, 10, 13, 32)) AND o.id <> letters.id) THEN '-2' ELSE '' END
WHERE slug <> rtrim(slug, char(9, 10, 13, 32));

INSERT INTO audit_log (at, key_id, action, details)
SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), NULL, 'partner.code.trimmed',
       json_object('partner', id, 'from', code, 'to', rtrim(code, char(9, 10, 13, 32)) ||
           CASE WHEN EXISTS (SELECT 1 FROM partners o WHERE o.code = rtrim(partners.code, char(9, 10, 13, 32)) AND o.id <> partners.id) THEN '-2' ELSE '' END)
FROM partners WHERE code <> rtrim(code, char(9, 10, 13, 32));
UPDATE partners SET code = rtrim(code, char(9, 10, 13, 32)) ||
    CASE WHEN EXISTS (SELECT 1 FROM partners o WHERE o.code = rtrim(partners.code, char(9, 10, 13, 32)) AND o.id <> partners.id) THEN '-2' ELSE '' END
WHERE code <> rtrim(code, char(9, 10, 13, 32));

-- Language tags: trimmed where that makes no second translation in the same language (no tag takes "-2").
UPDATE letters SET language = rtrim(language, char(9, 10, 13, 32)) WHERE language <> rtrim(language, char(9, 10, 13, 32));
UPDATE signatures SET language = rtrim(language, char(9, 10, 13, 32)) WHERE language <> rtrim(language, char(9, 10, 13, 32));
UPDATE letter_translations SET language = rtrim(language, char(9, 10, 13, 32))
WHERE language <> rtrim(language, char(9, 10, 13, 32))
  AND NOT EXISTS (SELECT 1 FROM letter_translations o WHERE o.letter_id = letter_translations.letter_id AND o.language = rtrim(letter_translations.language, char(9, 10, 13, 32)));
UPDATE translation_text_versions SET language = rtrim(language, char(9, 10, 13, 32))
WHERE language <> rtrim(language, char(9, 10, 13, 32))
  AND NOT EXISTS (SELECT 1 FROM translation_text_versions o WHERE o.letter_id = translation_text_versions.letter_id
                  AND o.language = rtrim(translation_text_versions.language, char(9, 10, 13, 32)) AND o.version = translation_text_versions.version);
