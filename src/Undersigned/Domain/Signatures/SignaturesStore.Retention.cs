using System.Collections.Concurrent;
using Dapper;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Outbox;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Signatures;

// Retention: challenges, unconfirmed signatures and contact details, each gone when its time is up.
public sealed partial class SignaturesStore
{
    public async Task ForgetExpiredChallengesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync("DELETE FROM used_challenges WHERE expires_at < @now", new { now });
    }

    /// <summary>Pending signatures that can no longer be confirmed become expired; returns how many.</summary>
    public async Task<int> ExpireUnconfirmedAsync(DateTimeOffset now, TimeSpan grace, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        // A read of the letter's deadline inside the statement: the expiry moves with every extension.
        var expired = await MoveAsync(tx, SignatureMove.Expire, SignatureStatus.Expired, """
            (verify_issued_at + @lifetime + verify_extended_ms < @now
             OR (SELECT closes_at FROM letters WHERE letters.id = signatures.letter_id) + @grace + verify_extended_ms < @now)
            -- Its email has not left yet (the relay holds the queue): the time it waits is given back once it leaves.
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.signature_id = signatures.id AND o.failed_at IS NULL)
            """, new { lifetime = (long)VerifyTokenLifetime.TotalMilliseconds, grace = (long)grace.TotalMilliseconds, now },
            "mails_sent = 0"); // a later submission starts afresh
        await tx.ExecuteAsync("UPDATE signatures SET address_hash = NULL WHERE address_hash IS NOT NULL AND signed_at < @cutoff",
            new { cutoff = now - AddressHashLifetime });
        await tx.CommitAsync(ct);
        return expired;
    }

    /// <summary>Of these ids, the signatures that still hold personal data (not withdrawn): a restored backup's.</summary>
    public async Task<List<long>> NotErasedAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var found = new List<long>();
        await using var connection = await db.OpenReadAsync(ct);
        foreach (var chunk in ids.Chunk(500))
            found.AddRange(await connection.QueryAsync<long>($"SELECT id FROM signatures WHERE {db.In("id", "chunk")} AND status <> @Withdrawn",
                new { chunk, SignatureStatus.Withdrawn }));
        return found;
    }

    /// <summary>
    /// The purge: everything but confirmed signatures is deleted, and contact details (emails, their HMACs, tokens, address
    /// hashes, organisations' contact people) are erased from what stays. Returns how many confirmed signatures stay.
    /// </summary>
    public async Task<int> PurgeAsync(WriteTransaction tx, long letterId)
    {
        PublicCountsChange(tx);
        await outbox.DeleteForLetterAsync(tx, letterId);
        await tx.ExecuteAsync("DELETE FROM unsubscribe_tokens WHERE signature_id IN (SELECT id FROM signatures WHERE letter_id = @letterId)", new { letterId });
        await tx.ExecuteAsync("DELETE FROM signatures WHERE letter_id = @letterId AND status <> @Confirmed", new { letterId, SignatureStatus.Confirmed });
        var kept = await tx.ExecuteAsync("""
            UPDATE signatures SET email_hmac = NULL, email_encrypted = NULL, verify_issued_at = NULL, address_hash = NULL,
                partner_consent = NULL, partner_consent_version = NULL, updates = NULL, updates_version = NULL, language = NULL, consent_language = NULL,
                name = CASE kind WHEN @Organisation THEN NULL ELSE name END,
                role = CASE kind WHEN @Organisation THEN NULL ELSE role END
            WHERE letter_id = @letterId
            """, new { letterId, SignatureKind.Organisation });
        await audit.ForgetLetterSignatureDetailsAsync(tx, letterId);
        return kept;
    }
}
