using System.Text.Json;
using Dapper;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Letters;

// Outcomes: part of the letter, so each change moves its version and forgets its cache.
public sealed partial class LettersStore
{
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
