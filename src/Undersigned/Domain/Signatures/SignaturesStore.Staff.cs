using System.Collections.Concurrent;
using Dapper;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Outbox;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Signatures;

// What staff read and decide: lists, the pack's rows, moderation, corrections, bulk rejection.
public sealed partial class SignaturesStore
{
    public async Task<SignatureRow?> FindAsync(long letterId, long signatureId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SignatureRow>(SelectOne, new { letterId, signatureId });
    }

    public Task<SignatureRow?> FindAsync(WriteTransaction tx, long letterId, long signatureId)
        => tx.SingleOrDefaultAsync<SignatureRow>(SelectOne, new { letterId, signatureId });

    const string SelectOne = $"SELECT {Columns} FROM signatures WHERE id = @signatureId AND letter_id = @letterId";

    /// <summary>Newest first, before the cursor's id; with <paramref name="search"/>, only names or organisations containing it.</summary>
    public async Task<List<SignatureRow>> ListAsync(long letterId, string[] statuses, long? before, int take, CancellationToken ct, string? search = null)
    {
        // Case-insensitive for every script on PostgreSQL; SQLite's lower() folds only ASCII letters.
        var pattern = search is null ? null : "%" + search.ToLowerInvariant().Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>($"""
            SELECT {Columns} FROM signatures
            WHERE letter_id = @letterId AND {db.In("status", "statuses")} AND id < @before
              AND (@pattern IS NULL OR lower(name) LIKE @pattern ESCAPE '\' OR lower(organisation) LIKE @pattern ESCAPE '\')
            ORDER BY id DESC LIMIT @take
            """, new { letterId, statuses, before = before ?? long.MaxValue, take, pattern })).ToList();
    }

    /// <summary>Oldest first, after the cursor's id: the export's keyset batches.</summary>
    public async Task<List<SignatureRow>> BatchAfterAsync(long letterId, string[] statuses, long after, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>($"""
            SELECT {Columns} FROM signatures
            WHERE letter_id = @letterId AND {db.In("status", "statuses")} AND id > @after ORDER BY id LIMIT @take
            """, new { letterId, statuses, after, take })).ToList();
    }

    /// <summary>Every signature in these statuses, without contact details: the delivery pack's block.</summary>
    public async Task<List<SignatureRow>> ForPackAsync(long letterId, string[] statuses, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>(
            $"SELECT kind, status, name, role, organisation, show_name, text_version, method, language FROM signatures WHERE letter_id = @letterId AND {db.In("status", "statuses")}",
            new { letterId, statuses })).ToList();
    }

    /// <summary>Approves (review → confirmed) or rejects a signature; false when its status does not allow it.</summary>
    public async Task<bool> DecideAsync(WriteTransaction tx, long letterId, long signatureId, bool approve, long keyId, DateTimeOffset now)
    {
        if (await MoveAsync(tx, approve ? SignatureMove.Approve : SignatureMove.Reject, approve ? SignatureStatus.Confirmed : SignatureStatus.Rejected,
                "id = @signatureId AND letter_id = @letterId", new { signatureId, letterId, keyId, now },
                // A rejected entry that staff or a partner gathered must not stop its address signing online: it lets go of the address.
                "decided_at = @now, decided_by = @keyId" + (approve ? "" : $", email_hmac = CASE WHEN method = '{SigningMethod.Online}' THEN email_hmac ELSE NULL END")) != 1)
            return false;
        if (approve) await StartedToCountAsync(tx, letterId, signatureId, now);
        return true;
    }

    public Task CorrectAsync(WriteTransaction tx, long signatureId, string? name, string? role, string? organisation)
        => PublicCountsChange(tx).ExecuteAsync("UPDATE signatures SET name = @name, role = @role, organisation = @organisation WHERE id = @signatureId",
            new { name, role, organisation, signatureId });

    /// <summary>Signatures a bulk invalidation may reject, signed in [from, to) and, when given, from one address.</summary>
    public async Task<List<(long Id, byte[]? EmailEncrypted)>> RejectableAsync(long letterId, DateTimeOffset from, DateTimeOffset to,
        byte[]? addressHash, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long, byte[]?)>($"""
            SELECT id, email_encrypted FROM signatures
            WHERE letter_id = @letterId AND {db.In("status", "from")} AND signed_at >= @start AND signed_at < @end
              AND (@addressHash IS NULL OR address_hash = @addressHash)
            ORDER BY id
            """, new { letterId, from = SignatureMove.Reject.From, start = from, end = to, addressHash })).ToList();
    }

    /// <summary>Rejects these signatures, in batches that stay well inside SQLite's parameter limit; returns how many moved.</summary>
    public async Task<int> RejectAsync(WriteTransaction tx, long letterId, IReadOnlyList<long> ids, long keyId, DateTimeOffset now)
    {
        var moved = 0;
        foreach (var chunk in ids.Chunk(500))
            moved += await MoveAsync(tx, SignatureMove.Reject, SignatureStatus.Rejected, $"letter_id = @letterId AND {db.In("id", "chunk")}",
                new { letterId, chunk, keyId, now }, "decided_at = @now, decided_by = @keyId");
        return moved;
    }
}
