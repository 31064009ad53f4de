-- Slugs, partner codes and language tags stored with white space at the end (a pattern anchored with `$` let "slug\n"
-- through) broke every download's header. Trimmed here; a trimmed slug or code another row already has gets "-2". Each
-- change is recorded in the audit trail.
INSERT INTO audit_log (at, key_id, action, letter_id, details)
SELECT (extract(epoch FROM now()) * 1000)::bigint, NULL, 'letter.slug.trimmed', id,
       json_build_object('from', slug, 'to', rtrim(slug, E'\t\n\r ') ||
           CASE WHEN EXISTS (SELECT 1 FROM letters o WHERE o.slug = rtrim(letters.slug, E'\t\n\r ') AND o.id <> letters.id) THEN '-2' ELSE '' END)::text
FROM letters WHERE slug <> rtrim(slug, E'\t\n\r ');
UPDATE letters SET slug = rtrim(slug, E'\t\n\r ') ||
    CASE WHEN EXISTS (SELECT 1 FROM letters o WHERE o.slug = rtrim(letters.slug, E'\t\n\r ') AND o.id <> letters.id) THEN '-2' ELSE '' END
WHERE slug <> rtrim(slug, E'\t\n\r ');

INSERT INTO audit_log (at, key_id, action, details)
SELECT (extract(epoch FROM now()) * 1000)::bigint, NULL, 'partner.code.trimmed',
       json_build_object('partner', id, 'from', code, 'to', rtrim(code, E'\t\n\r ') ||
           CASE WHEN EXISTS (SELECT 1 FROM partners o WHERE o.code = rtrim(partners.code, E'\t\n\r ') AND o.id <> partners.id) THEN '-2' ELSE '' END)::text
FROM partners WHERE code <> rtrim(code, E'\t\n\r ');
UPDATE partners SET code = rtrim(code, E'\t\n\r ') ||
    CASE WHEN EXISTS (SELECT 1 FROM partners o WHERE o.code = rtrim(partners.code, E'\t\n\r ') AND o.id <> partners.id) THEN '-2' ELSE '' END
WHERE code <> rtrim(code, E'\t\n\r ');

-- Language tags: trimmed where that makes no second translation in the same language (no tag takes "-2").
UPDATE letters SET language = rtrim(language, E'\t\n\r ') WHERE language <> rtrim(language, E'\t\n\r ');
UPDATE signatures SET language = rtrim(language, E'\t\n\r ') WHERE language <> rtrim(language, E'\t\n\r ');
UPDATE letter_translations SET language = rtrim(language, E'\t\n\r ')
WHERE language <> rtrim(language, E'\t\n\r ')
  AND NOT EXISTS (SELECT 1 FROM letter_translations o WHERE o.letter_id = letter_translations.letter_id AND o.language = rtrim(letter_translations.language, E'\t\n\r '));
UPDATE translation_text_versions SET language = rtrim(language, E'\t\n\r ')
WHERE language <> rtrim(language, E'\t\n\r ')
  AND NOT EXISTS (SELECT 1 FROM translation_text_versions o WHERE o.letter_id = translation_text_versions.letter_id
                  AND o.language = rtrim(translation_text_versions.language, E'\t\n\r ') AND o.version = translation_text_versions.version);
