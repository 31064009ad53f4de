using System.Text.Json;
using Dapper;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Signatures;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Letters;

/// <summary>A letter with what staff read beside it.</summary>
public sealed record LetterHistory(TextVersion[] TextVersions, DeadlineChange[] DeadlineHistory);

/// <summary>
/// The only place that reads and writes letters, their text and consent versions and their deadline history.
/// Every change forgets the published-letter cache once committed, so no caller has to remember to.
/// </summary>
public sealed partial class LettersStore(Db db, LetterKeys letterKeys, ChangeNotices notices, WebhooksStore webhooks, ErasureRecord erasures)
{
    readonly LetterCache published = new();

    // ----- reads

    public async Task<LetterRow?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<LetterRow>(SelectById, new { id });
    }

    public Task<LetterRow?> FindAsync(WriteTransaction tx, long id) => tx.SingleOrDefaultAsync<LetterRow>(SelectById, new { id });

    const string SelectById = "SELECT * FROM letters WHERE id = @id";

    public async Task<bool> ExistsAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM letters WHERE id = @id)", new { id });
    }

    /// <summary>Newest first, before the cursor's id.</summary>
    public async Task<List<LetterRow>> ListAsync(long? before, int take, CancellationToken ct = default)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<LetterRow>("SELECT * FROM letters WHERE id < @before ORDER BY id DESC LIMIT @take",
            new { before = before ?? long.MaxValue, take })).ToList();
    }

    /// <summary>A published letter by slug, from memory when it can be; drafts do not exist publicly.</summary>
    public Task<PublishedLetter?> FindPublishedAsync(string slug, CancellationToken ct = default)
        => published.GetAsync(slug, async () =>
        {
            if (!LetterSlug.IsWellFormed(slug)) return null; // no letter has it: nothing to ask the database
            await using var connection = await db.OpenReadAsync(ct);
            var row = await connection.QuerySingleOrDefaultAsync<LetterRow>(
                "SELECT * FROM letters WHERE slug = @slug AND published_at IS NOT NULL", new { slug });
            return row is null ? null : (row, await Partners.PartnersStore.ActiveAsync(connection, row.Id), await OutcomesAsync(connection, row.Id),
                await TranslationsAsync(connection, row.Id));
        });

    public async Task<Dictionary<long, LetterHistory>> HistoriesAsync(IReadOnlyList<long> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0) return [];
        await using var connection = await db.OpenReadAsync(ct);
        var versions = (await connection.QueryAsync<(long LetterId, int Version, string Sha256, DateTimeOffset CreatedAt)>(
                $"SELECT letter_id, version, sha256, created_at FROM letter_text_versions WHERE {db.In("letter_id", "ids")} ORDER BY version", new { ids }))
            .ToLookup(v => v.LetterId, v => new TextVersion { Version = v.Version, Sha256 = v.Sha256, CreatedAt = v.CreatedAt });
        var history = (await connection.QueryAsync<long, DeadlineChange, (long LetterId, DeadlineChange Change)>($"""
                SELECT letter_id, change, old_closes_at, new_closes_at, reason, changed_at, changed_by
                FROM letter_deadline_changes WHERE {db.In("letter_id", "ids")} ORDER BY id
                """, (letterId, change) => (letterId, change), new { ids }, splitOn: "change"))
            .ToLookup(h => h.LetterId, h => h.Change);
        return ids.ToDictionary(id => id, id => new LetterHistory(versions[id].ToArray(), history[id].ToArray()));
    }

    /// <summary>Published letters whose contact data is due to be purged.</summary>
    public async Task<List<long>> DueForPurgeAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<long>(
            "SELECT id FROM letters WHERE purged_at IS NULL AND published_at IS NOT NULL AND closes_at + CAST(retain_contact_days AS BIGINT) * 86400000 <= @now",
            new { now })).ToList();
    }

    /// <summary>A free slug: the wanted one, or with -2, -3… appended when it was generated rather than chosen.</summary>
    public async Task<string?> FreeSlugAsync(WriteTransaction tx, string wanted, bool generated)
    {
        var taken = (await tx.QueryAsync<string>("SELECT slug FROM letters WHERE slug = @wanted OR slug LIKE @pattern",
            new { wanted, pattern = wanted + "-%" })).ToHashSet();
        if (!taken.Contains(wanted)) return wanted;
        if (!generated) return null;
        for (var n = 2; ; n++)
            if (!taken.Contains($"{wanted}-{n}")) return $"{wanted}-{n}";
    }

    // ----- writes: each forgets the cache once its transaction commits

    /// <summary>
    /// In any transaction that changes what a published letter shows or accepts (its partners too): the cached letters
    /// are forgotten when it commits, here and, through the change notice, on every other instance.
    /// </summary>
    public async Task ChangedAsync(WriteTransaction tx)
    {
        tx.AfterCommit(published.Forget);
        await notices.AnnounceAsync(tx, ChangeNotices.Letters);
    }

    /// <summary>Another instance changed a letter.</summary>
    public void ForgetCached() => published.Forget();

    public async Task<long> CreateAsync(WriteTransaction tx, LetterValues values, long keyId, DateTimeOffset now)
    {
        var id = await tx.ScalarAsync<long>("""
            INSERT INTO letters (slug, title, body, target, opens_at, closes_at, time_zone, moderation, allowed_origins,
                                 retain_contact_days, challenge, consent_text, milestones, notify_email, language, created_at, created_by, updated_at)
            VALUES (@Slug, @Title, @Body, @Target, @OpensAt, @ClosesAt, @TimeZone, @Moderation, @origins,
                    @RetainContactDays, @Challenge, @ConsentText, @milestones, @NotifyEmail, @Language, @now, @keyId, @now)
            RETURNING id
            """, Parameters(values, new { now, keyId }));
        await AddConsentVersionAsync(tx, id, 1, values.ConsentText, now);
        await SetMilestonesAsync(tx, id, values.Milestones, now);
        await ChangedAsync(tx);
        return id;
    }

    /// <summary>Saves an edit; a published letter's text change makes a new text version. False when the row changed since it was read.</summary>
    public async Task<bool> UpdateAsync(WriteTransaction tx, LetterRow row, LetterValues values, long keyId, DateTimeOffset now)
    {
        var textVersion = row.TextVersion;
        if (row.TextVersion is { } current && (values.Title != row.Title || values.Body != row.Body || values.Target != row.Target))
        {
            textVersion = current + 1;
            await AddTextVersionAsync(tx, row.Id, textVersion.Value, values.Title, values.Target, values.Body, now, keyId);
        }
        var consentVersion = row.ConsentVersion;
        if (values.ConsentText != row.ConsentText) await AddConsentVersionAsync(tx, row.Id, ++consentVersion, values.ConsentText, now);

        if (!values.Milestones.SequenceEqual(row.Thresholds)) await SetMilestonesAsync(tx, row.Id, values.Milestones, now);

        await ChangedAsync(tx);
        return await tx.ExecuteAsync("""
            UPDATE letters SET slug = @Slug, title = @Title, body = @Body, target = @Target, opens_at = @OpensAt, closes_at = @ClosesAt,
                time_zone = @TimeZone, moderation = @Moderation, allowed_origins = @origins, retain_contact_days = @RetainContactDays,
                challenge = @Challenge, consent_text = @ConsentText, consent_version = @consentVersion, text_version = @textVersion,
                milestones = @milestones, notify_email = @NotifyEmail, language = @Language, row_version = row_version + 1, updated_at = @now
            WHERE id = @id AND row_version = @rowVersion
            """, Parameters(values, new { textVersion, consentVersion, now, id = row.Id, rowVersion = row.RowVersion })) == 1;
    }

    static DynamicParameters Parameters(LetterValues v, object more)
    {
        var parameters = new DynamicParameters(new
        {
            v.Slug, v.Title, v.Body, v.Target, v.OpensAt, v.ClosesAt, v.TimeZone, v.Moderation,
            origins = JsonSerializer.Serialize(v.AllowedOrigins), v.RetainContactDays, v.Challenge, v.ConsentText,
            milestones = JsonSerializer.Serialize(v.Milestones), v.NotifyEmail, v.Language,
        });
        parameters.AddDynamicParams(more);
        return parameters;
    }

    /// <summary>
    /// Keeps a letter's milestones to <paramref name="thresholds"/>: ones no longer listed go, new ones are added, and any
    /// the letter has already passed are marked reached now, without an email (nobody crossed them just now).
    /// </summary>
    async Task SetMilestonesAsync(WriteTransaction tx, long letterId, long[] thresholds, DateTimeOffset now)
    {
        await tx.ExecuteAsync($"DELETE FROM letter_milestones WHERE letter_id = @letterId AND NOT ({db.In("threshold", "thresholds")})",
            new { letterId, thresholds });
        foreach (var threshold in thresholds)
            await tx.ExecuteAsync("INSERT INTO letter_milestones (letter_id, threshold) VALUES (@letterId, @threshold) ON CONFLICT DO NOTHING",
                new { letterId, threshold });
        await ReachMilestonesAsync(tx, letterId, now);
    }

    /// <summary>
    /// Marks reached every milestone the letter's confirmed count now meets that was not reached before, and returns
    /// them. Called in the transaction that adds a confirmed signature, so a threshold is marked (and announced) once:
    /// a later signature, a dip and a re-crossing, or another instance passing it at the same moment finds it marked.
    /// </summary>
    public async Task<long[]> ReachMilestonesAsync(WriteTransaction tx, long letterId, DateTimeOffset now)
        => (await tx.QueryAsync<long>($"""
            UPDATE letter_milestones SET reached_at = @now
            WHERE letter_id = @letterId AND reached_at IS NULL
              AND threshold <= (SELECT COALESCE(sum(count), 0) FROM signature_counts WHERE letter_id = @letterId AND status = '{SignatureStatus.Confirmed}')
            RETURNING threshold
            """, new { letterId, now })).Order().ToArray();

    public async Task<Dictionary<long, Milestone[]>> ReachedMilestonesAsync(IReadOnlyList<long> letterIds, CancellationToken ct = default)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long LetterId, long Threshold, DateTimeOffset ReachedAt)>(
                $"SELECT letter_id, threshold, reached_at FROM letter_milestones WHERE {db.In("letter_id", "letterIds")} AND reached_at IS NOT NULL ORDER BY threshold",
                new { letterIds }))
            .GroupBy(m => m.LetterId).ToDictionary(g => g.Key, g => g.Select(m => new Milestone { Threshold = m.Threshold, ReachedAt = m.ReachedAt }).ToArray());
    }
}
