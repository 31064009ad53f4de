using System.Data.Common;
using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Letters;

/// <summary>A letter's translations: part of the letter, written only here, and forgotten from the cache like any change to it.</summary>
public sealed partial class LettersStore
{
    const string TranslationColumns = """
        letter_id, language, title, body, target, consent_text, consent_version, based_on_version, text_version, hidden, row_version, created_at, updated_at
        """;

    public async Task<List<Translation>> TranslationsAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return [.. await TranslationsAsync(connection, letterId)];
    }

    static async Task<Translation[]> TranslationsAsync(DbConnection connection, long letterId)
        => (await connection.QueryAsync<Translation>($"SELECT {TranslationColumns} FROM letter_translations WHERE letter_id = @letterId ORDER BY language",
            new { letterId })).ToArray();

    /// <summary>Which of these letters have translations.</summary>
    public async Task<HashSet<long>> TranslatedAsync(IReadOnlyList<long> letterIds, CancellationToken ct)
    {
        if (letterIds.Count == 0) return [];
        await using var connection = await db.OpenReadAsync(ct);
        return [.. await connection.QueryAsync<long>($"SELECT DISTINCT letter_id FROM letter_translations WHERE {db.In("letter_id", "letterIds")}", new { letterIds })];
    }

    public Task<Translation?> TranslationAsync(WriteTransaction tx, long letterId, string language)
        => tx.SingleOrDefaultAsync<Translation>($"SELECT {TranslationColumns} FROM letter_translations WHERE letter_id = @letterId AND language = @language",
            new { letterId, language });

    /// <summary>
    /// Writes a translation. While the letter is a draft it has no versions yet (publishing makes them, based on the text
    /// as published). Once published, changed text makes a new text version of the language, and any write records that
    /// it translates the primary's current text (so it is no longer outdated). False when it changed since it was read.
    /// </summary>
    public async Task<bool> PutTranslationAsync(WriteTransaction tx, LetterRow letter, Translation? existing, TranslationValues values,
        long keyId, DateTimeOffset now)
    {
        int? textVersion = null, basedOn = null;
        if (letter.TextVersion is { } primaryVersion)
        {
            basedOn = primaryVersion;
            var changed = existing is null || existing.Title != values.Title || existing.Body != values.Body || existing.Target != values.Target;
            textVersion = existing?.TextVersion is { } current ? (changed ? current + 1 : current) : 1;
            if (changed || existing?.TextVersion is null)
                await AddTranslationVersionAsync(tx, letter, values.Language, textVersion.Value, values.Title, values.Target ?? letter.Target,
                    values.Body, primaryVersion, keyId, now);
        }
        // The consent wording is versioned per language as the primary's is: each signature records the version it was shown.
        var consentVersion = existing?.ConsentVersion;
        if (values.ConsentText is { } consent && consent != existing?.ConsentText)
            await tx.ExecuteAsync("""
                INSERT INTO translation_consent_versions (letter_id, language, version, text, created_at) VALUES (@Id, @language, @version, @consent, @now)
                """, new { letter.Id, language = values.Language, version = consentVersion = (consentVersion ?? 0) + 1, consent, now });
        var parameters = new
        {
            letterId = letter.Id, language = values.Language, values.Title, values.Body, values.Target, values.ConsentText, consentVersion, values.Hidden,
            basedOn, textVersion, now, rowVersion = existing?.RowVersion,
        };
        var written = existing is null
            ? await tx.ExecuteAsync("""
                INSERT INTO letter_translations (letter_id, language, title, body, target, consent_text, consent_version, based_on_version, text_version,
                                                 hidden, created_at, updated_at)
                VALUES (@letterId, @language, @Title, @Body, @Target, @ConsentText, @consentVersion, @basedOn, @textVersion, @Hidden, @now, @now)
                ON CONFLICT (letter_id, language) DO NOTHING
                """, parameters)
            : await tx.ExecuteAsync("""
                UPDATE letter_translations SET title = @Title, body = @Body, target = @Target, consent_text = @ConsentText, consent_version = @consentVersion,
                       based_on_version = @basedOn, text_version = @textVersion, hidden = @Hidden, row_version = row_version + 1, updated_at = @now
                WHERE letter_id = @letterId AND language = @language AND row_version = @rowVersion
                """, parameters);
        if (written == 1) await ShownChangedAsync(tx, letter.Id, now);
        return written == 1;
    }

    /// <summary>Deletes a translation nobody has signed in; false when someone has (hide it instead) or there is none.</summary>
    public async Task<bool> DeleteTranslationAsync(WriteTransaction tx, long letterId, string language, DateTimeOffset now)
    {
        if (await tx.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM signatures WHERE letter_id = @letterId AND language = @language)", new { letterId, language })
            || await tx.ExecuteAsync("DELETE FROM letter_translations WHERE letter_id = @letterId AND language = @language", new { letterId, language }) == 0)
            return false;
        await tx.ExecuteAsync("DELETE FROM translation_text_versions WHERE letter_id = @letterId AND language = @language", new { letterId, language });
        await tx.ExecuteAsync("DELETE FROM translation_consent_versions WHERE letter_id = @letterId AND language = @language", new { letterId, language });
        await ShownChangedAsync(tx, letterId, now);
        return true;
    }

    /// <summary>Translations written while the letter was a draft become version 1 of their language, based on the text as published.</summary>
    async Task PublishTranslationsAsync(WriteTransaction tx, LetterRow letter, long keyId, DateTimeOffset now)
    {
        foreach (var translation in await TranslationsAsync(tx.Connection, letter.Id))
            await AddTranslationVersionAsync(tx, letter, translation.Language, 1, translation.Title, translation.Target ?? letter.Target, translation.Body, 1, keyId, now);
        await tx.ExecuteAsync("UPDATE letter_translations SET based_on_version = 1, text_version = 1 WHERE letter_id = @Id", new { letter.Id });
    }

    Task AddTranslationVersionAsync(WriteTransaction tx, LetterRow letter, string language, int version, string title, string target, string body,
        int basedOn, long keyId, DateTimeOffset now)
        => tx.ExecuteAsync("""
            INSERT INTO translation_text_versions (letter_id, language, version, title, body, target, sha256, based_on_version, created_at, created_by)
            VALUES (@Id, @language, @version, @title, @body, @target, @sha256, @basedOn, @now, @keyId)
            """, new { letter.Id, language, version, title, body, target, sha256 = TextVersion.Hash(title, target, body), basedOn, now, keyId });

    /// <summary>Every text version of every language, the primary's first: what the delivery pack states and staff read.</summary>
    public async Task<List<LanguageVersion>> LanguageVersionsAsync(LetterRow letter, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<LanguageVersion>("""
            SELECT @primary AS language, version, sha256, NULL AS based_on_version, created_at FROM letter_text_versions WHERE letter_id = @Id
            UNION ALL
            SELECT language, version, sha256, based_on_version, created_at FROM translation_text_versions WHERE letter_id = @Id
            """, new { letter.Id, primary = letter.Language }))
            .OrderBy(v => v.Language != letter.Language).ThenBy(v => v.Language, StringComparer.Ordinal).ThenBy(v => v.Version).ToList();
    }
}
