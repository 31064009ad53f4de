using System.Collections.Concurrent;
using Dapper;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Outbox;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Signatures;

// Counts and the public list: what anyone may read of a letter's signatures.
public sealed partial class SignaturesStore
{
    /// <summary>Signatures per status for each letter.</summary>
    public async Task<ILookup<long, (string Status, long Count)>> CountsByStatusAsync(IReadOnlyList<long> letterIds, CancellationToken ct = default)
    {
        if (letterIds.Count == 0) return Array.Empty<(long, string, long)>().ToLookup(c => c.Item1, c => (c.Item2, c.Item3));
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long LetterId, string Status, long Count)>($"""
                SELECT letter_id, status, CAST(sum(count) AS BIGINT) FROM signature_counts WHERE {db.In("letter_id", "letterIds")} GROUP BY letter_id, status
                """, new { letterIds }))
            .ToLookup(c => c.LetterId, c => (c.Status, c.Count));
    }

    /// <summary>
    /// Confirmed signatures per language signed in (a language can stand in for national origin: staff only, never
    /// public). A signature with no language was made in the letter's primary. Reads every confirmed signature of the
    /// letters: callers ask only for letters with translations, or when staff ask.
    /// </summary>
    public async Task<ILookup<long, (string Language, long Count)>> ConfirmedByLanguageAsync(IReadOnlyList<long> letterIds, CancellationToken ct = default)
    {
        if (letterIds.Count == 0) return Array.Empty<(long, string, long)>().ToLookup(c => c.Item1, c => (c.Item2, c.Item3));
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long LetterId, string Language, long Count)>($"""
                SELECT s.letter_id, coalesce(s.language, l.language), count(*) FROM signatures s JOIN letters l ON l.id = s.letter_id
                WHERE {db.In("s.letter_id", "letterIds")} AND s.status = '{SignatureStatus.Confirmed}'
                GROUP BY s.letter_id, coalesce(s.language, l.language)
                """, new { letterIds }))
            .ToLookup(c => c.LetterId, c => (c.Language, c.Count));
    }

    /// <summary>
    /// Public counts read in the last second, per letter: a spike of reads costs one query a second, not one a read.
    /// Forgotten when this instance commits a change to them; another instance's change shows within the second.
    /// </summary>
    readonly ConcurrentDictionary<long, (DateTimeOffset ReadAt, PublicCounts Counts, long Version)> publicCounts = new();
    static readonly TimeSpan PublicCountsLifetime = TimeSpan.FromSeconds(1);

    WriteTransaction PublicCountsChange(WriteTransaction tx)
    {
        tx.AfterCommit(publicCounts.Clear);
        return tx;
    }

    /// <summary>
    /// A letter's public counts, and the version of its public list: a number that every confirmation, withdrawal,
    /// erasure, decision and correction of a confirmed signature moves (kept by the same triggers as the counts).
    /// </summary>
    /// <param name="fresh">Read the database whatever was kept: for the signatory list, whose 304s must never extend a cache's copy of a name that went.</param>
    public async Task<(PublicCounts Counts, long Version)> PublicCountsAsync(long letterId, CancellationToken ct, bool fresh = false)
    {
        var now = clock.GetUtcNow();
        if (!fresh && publicCounts.TryGetValue(letterId, out var kept) && now - kept.ReadAt < PublicCountsLifetime) return (kept.Counts, kept.Version);
        await using var connection = await db.OpenReadAsync(ct);
        var rows = (await connection.QueryAsync<(string Kind, bool ShowName, long Count, long Changes)>("""
            SELECT kind, show_name, CAST(sum(count) AS BIGINT), CAST(sum(changes) AS BIGINT) FROM signature_counts
            WHERE letter_id = @letterId AND status = @Confirmed GROUP BY kind, show_name
            """, new { letterId, SignatureStatus.Confirmed })).ToList();
        var counts = new PublicCounts
        {
            Organisations = rows.Where(r => r.Kind == SignatureKind.Organisation).Sum(r => r.Count),
            Individuals = rows.Where(r => r.Kind == SignatureKind.Individual).Sum(r => r.Count),
            NotNamed = rows.Where(r => !r.ShowName).Sum(r => r.Count),
        };
        publicCounts[letterId] = (now, counts, rows.Sum(r => r.Changes));
        return (counts, rows.Sum(r => r.Changes));
    }

    /// <summary>
    /// What a partner may see of a letter's signers: only those it brought, confirmed, who agreed to hear from it, oldest
    /// first after the cursor's id. Every condition is here, not in the caller, so none can be left out.
    /// </summary>
    public async Task<List<SignatureRow>> ConsentingToPartnerAsync(long letterId, long partnerId, long after, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>($"""
            SELECT {Columns} FROM signatures
            WHERE partner_id = @partnerId AND letter_id = @letterId AND status = @Confirmed AND partner_consent = @yes AND id > @after
            ORDER BY id LIMIT @take
            """, new { letterId, partnerId, SignatureStatus.Confirmed, yes = true, after, take })).ToList();
    }
}
