using System.Text.Json;
using Dapper;

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

    // ----- updates to signers: one a day per letter (a unique index), kept with how many it went to

    /// <summary>Records an update sent today in the letter's zone; null when one was sent that day already.</summary>
    public async Task<long?> RecordUpdateAsync(WriteTransaction tx, LetterRow letter, string subject, string body, long keyId, DateTimeOffset now)
    {
        var localDay = TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(letter.TimeZone)).ToString("yyyy-MM-dd");
        return await tx.ScalarAsync<long?>("""
            INSERT INTO letter_updates (letter_id, local_day, subject, body, recipients, sent_at, sent_by)
            VALUES (@Id, @localDay, @subject, @body, 0, @now, @keyId) ON CONFLICT (letter_id, local_day) DO NOTHING RETURNING id
            """, new { letter.Id, localDay, subject, body, now, keyId });
    }

    public Task SetUpdateRecipientsAsync(WriteTransaction tx, long updateId, int recipients)
        => tx.ExecuteAsync("UPDATE letter_updates SET recipients = @recipients WHERE id = @updateId", new { updateId, recipients });

    public async Task<List<LetterUpdate>> UpdatesAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<LetterUpdate>(
            "SELECT id, local_day, subject, body, recipients, sent_at, sent_by FROM letter_updates WHERE letter_id = @letterId ORDER BY id DESC",
            new { letterId })).ToList();
    }

    // ----- outcomes: part of the letter, so each change moves its version (public caches revalidate) and its cache

    const string OutcomeColumns = "id, kind, occurred_at, title, body, url, created_at, updated_at";

    static async Task<Outcome[]> OutcomesAsync(System.Data.Common.DbConnection connection, long letterId)
        => (await connection.QueryAsync<Outcome>($"SELECT {OutcomeColumns} FROM letter_outcomes WHERE letter_id = @letterId ORDER BY occurred_at DESC, id DESC",
            new { letterId })).ToArray();

    /// <summary>A letter's outcomes, newest first.</summary>
    public async Task<Outcome[]> OutcomesAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await OutcomesAsync(connection, letterId);
    }

    public async Task<Outcome> AddOutcomeAsync(WriteTransaction tx, long letterId, OutcomeValues values, long keyId, DateTimeOffset now)
    {
        var outcome = (await tx.SingleOrDefaultAsync<Outcome>($"""
            INSERT INTO letter_outcomes (letter_id, kind, occurred_at, title, body, url, created_at, created_by, updated_at)
            VALUES (@letterId, @Kind, @OccurredAt, @Title, @Body, @Url, @now, @keyId, @now) RETURNING {OutcomeColumns}
            """, new { letterId, values.Kind, values.OccurredAt, values.Title, values.Body, values.Url, now, keyId }))!;
        await ShownChangedAsync(tx, letterId, now);
        return outcome;
    }

    /// <summary>Replaces an outcome's fields; false when the letter has no such outcome.</summary>
    public async Task<bool> UpdateOutcomeAsync(WriteTransaction tx, long letterId, long outcomeId, OutcomeValues values, DateTimeOffset now)
    {
        if (await tx.ExecuteAsync("""
                UPDATE letter_outcomes SET kind = @Kind, occurred_at = @OccurredAt, title = @Title, body = @Body, url = @Url, updated_at = @now
                WHERE id = @outcomeId AND letter_id = @letterId
                """, new { letterId, outcomeId, values.Kind, values.OccurredAt, values.Title, values.Body, values.Url, now }) == 0)
            return false;
        await ShownChangedAsync(tx, letterId, now);
        return true;
    }

    public async Task<bool> DeleteOutcomeAsync(WriteTransaction tx, long letterId, long outcomeId, DateTimeOffset now)
    {
        if (await tx.ExecuteAsync("DELETE FROM letter_outcomes WHERE id = @outcomeId AND letter_id = @letterId", new { letterId, outcomeId }) == 0)
            return false;
        await ShownChangedAsync(tx, letterId, now);
        return true;
    }

    /// <summary>What the public letter shows changed beside its row (outcomes, translations): its ETags move too.</summary>
    async Task ShownChangedAsync(WriteTransaction tx, long letterId, DateTimeOffset now)
    {
        await tx.ExecuteAsync("UPDATE letters SET row_version = row_version + 1, updated_at = @now WHERE id = @letterId", new { letterId, now });
        await ChangedAsync(tx);
    }

    /// <summary>Opens the letter for signing: its data key, and its wording as text version 1.</summary>
    public async Task PublishAsync(WriteTransaction tx, LetterRow row, long keyId, DateTimeOffset now)
    {
        await letterKeys.CreateAsync(tx, row.Id, now);
        await AddTextVersionAsync(tx, row.Id, 1, row.Title, row.Target, row.Body, now, keyId);
        await PublishTranslationsAsync(tx, row, keyId, now);
        await tx.ExecuteAsync(
            "UPDATE letters SET published_at = @now, text_version = 1, row_version = row_version + 1, updated_at = @now WHERE id = @Id",
            new { now, row.Id });
        await webhooks.LetterEventAsync(tx, WebhookEvent.LetterPublished, row.Id, null, now);
        await ChangedAsync(tx);
    }

    /// <summary>Moves <c>closesAt</c>, keeping the move in the letter's history.</summary>
    public async Task MoveDeadlineAsync(WriteTransaction tx, LetterRow row, string change, DateTimeOffset closesAt, string? reason,
        long keyId, DateTimeOffset now)
    {
        await tx.ExecuteAsync("""
            INSERT INTO letter_deadline_changes (letter_id, change, old_closes_at, new_closes_at, reason, changed_at, changed_by)
            VALUES (@Id, @change, @oldClosesAt, @newClosesAt, @reason, @now, @keyId)
            """, new { row.Id, change, oldClosesAt = row.ClosesAt, newClosesAt = closesAt, reason, now, keyId });
        await tx.ExecuteAsync("UPDATE letters SET closes_at = @closesAt, row_version = row_version + 1, updated_at = @now WHERE id = @Id",
            new { closesAt, now, row.Id });
        await webhooks.LetterEventAsync(tx, change == DeadlineChangeKind.Closed ? WebhookEvent.LetterClosed : WebhookEvent.LetterDeadlineChanged, row.Id,
            new { change, previousClosesAt = row.ClosesAt, closesAt, reason }, now);
        await ChangedAsync(tx);
    }

    /// <summary>Letters that were open when signing was paused get the paused time back; returns their ids.</summary>
    public async Task<List<long>> ExtendPausedAsync(WriteTransaction tx, DateTimeOffset pausedAt, string reason, long keyId, DateTimeOffset now)
    {
        var letters = await tx.QueryAsync<LetterRow>(
            "SELECT * FROM letters WHERE published_at IS NOT NULL AND purged_at IS NULL AND closes_at > @pausedAt AND coalesce(opens_at, 0) <= @pausedAt",
            new { pausedAt });
        var extended = new List<long>();
        foreach (var letter in letters)
        {
            await MoveDeadlineAsync(tx, letter, DeadlineChangeKind.Extended, letter.ClosesAt + (now - pausedAt), reason, keyId, now);
            extended.Add(letter.Id);
        }
        return extended;
    }

    public enum Deletion { Deleted, Published, NotFound }

    public async Task<Deletion> DeleteDraftAsync(long id, CancellationToken ct = default)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        // One statement decides, so a publish racing this delete cannot lose.
        var result = await tx.ExecuteAsync("DELETE FROM letters WHERE id = @id AND published_at IS NULL", new { id }) == 1 ? Deletion.Deleted
            : await tx.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM letters WHERE id = @id)", new { id }) ? Deletion.Published
            : Deletion.NotFound;
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>Marks the letter purged and destroys its data key (the signatures store erases the rest in the same transaction).</summary>
    /// <summary>Of these ids, the letters that exist and are not purged: a restored backup's.</summary>
    public async Task<List<long>> NotPurgedAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<long>($"SELECT id FROM letters WHERE {db.In("id", "ids")} AND purged_at IS NULL", new { ids = ids.ToArray() })).ToList();
    }

    /// <summary>Destroys the letter's data key and marks it purged; recorded first, so a restored backup is purged again.</summary>
    public async Task MarkPurgedAsync(WriteTransaction tx, long letterId, DateTimeOffset now)
    {
        erasures.Letter(letterId);
        await letterKeys.DestroyAsync(tx, letterId);
        await tx.ExecuteAsync("UPDATE letters SET purged_at = @now WHERE id = @letterId", new { letterId, now });
        await ChangedAsync(tx);
    }

    Task AddTextVersionAsync(WriteTransaction tx, long letterId, int version, string title, string target, string body, DateTimeOffset now, long keyId)
        => tx.ExecuteAsync("""
            INSERT INTO letter_text_versions (letter_id, version, title, body, target, sha256, created_at, created_by)
            VALUES (@letterId, @version, @title, @body, @target, @sha256, @now, @keyId)
            """, new { letterId, version, title, body, target, sha256 = TextVersion.Hash(title, target, body), now, keyId });

    Task AddConsentVersionAsync(WriteTransaction tx, long letterId, int version, string text, DateTimeOffset now)
        => tx.ExecuteAsync("INSERT INTO letter_consent_versions (letter_id, version, text, created_at) VALUES (@letterId, @version, @text, @now)",
            new { letterId, version, text, now });
}
