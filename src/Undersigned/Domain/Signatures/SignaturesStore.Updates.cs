using System.Collections.Concurrent;
using Dapper;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Outbox;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Signatures;

// Updates to signers, and what an access request finds for an address.
public sealed partial class SignaturesStore
{
    /// <summary>
    /// Who an update goes to: confirmed signers of the letter who confirmed by email, asked for updates and have not
    /// unsubscribed, and whose address no mail server has refused for good.
    /// </summary>
    public async Task<List<(long Id, byte[] EmailEncrypted, string? Language)>> UpdateRecipientsAsync(WriteTransaction tx, long letterId)
        => (await tx.QueryAsync<(long, byte[], string?)>($"SELECT s.id, s.email_encrypted, s.language {UpdateRecipients} ORDER BY s.id",
            new { letterId, SignatureStatus.Confirmed, yes = true })).ToList();

    /// <summary>How many an update would go to now: read only, for the preview (no write lock taken).</summary>
    public async Task<int> CountUpdateRecipientsAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.ExecuteScalarAsync<int>($"SELECT count(*) {UpdateRecipients}", new { letterId, SignatureStatus.Confirmed, yes = true });
    }

    const string UpdateRecipients = """
        FROM signatures s
        WHERE s.letter_id = @letterId AND s.status = @Confirmed AND s.updates = @yes AND s.email_encrypted IS NOT NULL AND s.staff_added_by IS NULL
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.signature_id = s.id AND o.failed_at IS NOT NULL)
        """;

    /// <summary>A new one-click unsubscribe link for a signer; only its hash is kept.</summary>
    public async Task<string> NewUnsubscribeTokenAsync(WriteTransaction tx, long signatureId, DateTimeOffset now)
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await tx.ExecuteAsync("INSERT INTO unsubscribe_tokens (token_hash, signature_id, created_at) VALUES (@hash, @signatureId, @now)",
            new { hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)), signatureId, now });
        return token;
    }

    /// <summary>Stops updates to the signer this link was sent to (the signature stays); false for a link nobody was sent.</summary>
    /// <summary>The language the signer behind an unsubscribe token read the letter in (their page speaks it); null for no such token.</summary>
    public async Task<string?> LanguageOfUnsubscribeAsync(string token, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.ExecuteScalarAsync<string?>("""
            SELECT coalesce(s.language, l.language) FROM unsubscribe_tokens u JOIN signatures s ON s.id = u.signature_id
            JOIN letters l ON l.id = s.letter_id WHERE u.token_hash = @hash
            """, new { hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)) });
    }

    public async Task<bool> UnsubscribeAsync(string token, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var signatureId = await tx.ScalarAsync<long?>("SELECT signature_id FROM unsubscribe_tokens WHERE token_hash = @hash",
            new { hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)) });
        if (signatureId is null) return false;
        await tx.ExecuteAsync("UPDATE signatures SET updates = @no WHERE id = @signatureId AND updates IS NOT NULL", new { signatureId, no = false });
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// The public record of changes: signatures that started and stopped counting in each UTC hour, at the hour each
    /// happened (kept by triggers). A withdrawal is never taken from the hour its signature once started to count.
    /// </summary>
    public async Task<List<PublicChange>> PublicChangesByHourAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long Hour, long Added, long Removed)>("""
            SELECT hour, CAST(sum(added) AS BIGINT), CAST(sum(removed) AS BIGINT) FROM public_changes WHERE letter_id = @letterId
            GROUP BY hour ORDER BY hour
            """, new { letterId })).Select(r => new PublicChange(DateTimeOffset.FromUnixTimeMilliseconds(r.Hour), r.Added, r.Removed)).ToList();
    }

    /// <summary>Confirmed signatures by the UTC hour they started to count (kept by triggers; no scan of signatures).</summary>
    public async Task<List<TimelinePoint>> ConfirmedByHourAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long Hour, long Confirmed)>("""
            SELECT hour, CAST(sum(confirmed) AS BIGINT) FROM signature_hours WHERE letter_id = @letterId
            GROUP BY hour HAVING sum(confirmed) <> 0 ORDER BY hour
            """, new { letterId })).Select(r => new TimelinePoint(DateTimeOffset.FromUnixTimeMilliseconds(r.Hour), r.Confirmed)).ToList();
    }

    /// <summary>
    /// Confirmed signatories who chose to be shown: organisations, then individuals, each in order of signing. The cursor
    /// packs rank (organisations 0, individuals 1) and id into one key; each kind reads its own index range.
    /// </summary>
    public async Task<List<SignatureRow>> PublicPageAsync(long letterId, long cursorKey, int take, CancellationToken ct)
    {
        var (rank, afterId) = (cursorKey / PublicRankShift, cursorKey % PublicRankShift);
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>("""
            SELECT * FROM (
                SELECT id, kind, name, role, organisation FROM signatures
                WHERE letter_id = @letterId AND status = @Confirmed AND kind = @Organisation AND show_name = @shown AND @rank = 0 AND id > @afterId
                ORDER BY id LIMIT @take) AS organisations
            UNION ALL
            SELECT * FROM (
                SELECT id, kind, name, role, organisation FROM signatures
                WHERE letter_id = @letterId AND status = @Confirmed AND kind = @Individual AND show_name = @shown
                  AND id > (CASE WHEN @rank = 1 THEN @afterId ELSE 0 END)
                ORDER BY id LIMIT @take) AS individuals
            ORDER BY kind DESC, id
            """, new
        {
            letterId, rank, afterId, take, SignatureStatus.Confirmed, SignatureKind.Organisation, SignatureKind.Individual, shown = true,
        })).ToList();
    }

    public const long PublicRankShift = 1L << 48;

    public static long PublicCursorKey(SignatureRow row) => (row.Kind == SignatureKind.Organisation ? 0 : PublicRankShift) + row.Id;

    // ----- access requests

    /// <summary>Every signature made with this address, for an access request.</summary>
    public async Task<List<SignatureRow>> ForEmailAsync(WriteTransaction tx, byte[] emailHmac)
        => (await tx.QueryAsync<SignatureRow>($"SELECT {Columns} FROM signatures WHERE email_hmac = @emailHmac ORDER BY letter_id, id",
            new { emailHmac })).ToList();

    /// <summary>The signature's withdraw link, for the summary email: the one its earlier emails carry.</summary>
    public string WithdrawToken(SignatureRow row, byte[] emailHmac) => serviceKeys.WithdrawToken(row.Id, row.LetterId, row.Kind, emailHmac);
}
