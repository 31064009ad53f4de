using System.Text.Json;
using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Letters;

// Updates to signers: one a day per letter, kept with how many it went to.
public sealed partial class LettersStore
{
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
}
