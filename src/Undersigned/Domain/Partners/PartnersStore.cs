using System.Data.Common;
using System.Text.Json;
using Dapper;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Partners;

/// <summary>
/// The only place that writes partners and their attachments to letters. Attaching or detaching changes what a
/// published letter accepts, so it makes <see cref="LettersStore"/> forget its cached letters when it commits.
/// </summary>
public sealed class PartnersStore(Db db, LettersStore letters)
{
    const string Columns = "id, name, code, website, created_at, updated_at";

    /// <summary>A new partner, or null when another already has the code.</summary>
    public async Task<PartnerRow?> CreateAsync(string name, string code, string? website, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<PartnerRow>($"""
            INSERT INTO partners (name, code, website, created_at, updated_at) VALUES (@name, @code, @website, @now, @now)
            ON CONFLICT (code) DO NOTHING RETURNING {Columns}
            """, new { name, code, website, now });
    }

    public async Task<List<PartnerRow>> ListAsync(long? after, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<PartnerRow>($"SELECT {Columns} FROM partners WHERE id > @after ORDER BY id LIMIT @take",
            new { after = after ?? 0, take })).ToList();
    }

    public async Task<PartnerRow?> FindAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<PartnerRow>($"SELECT {Columns} FROM partners WHERE id = @id", new { id });
    }

    public enum Update { Updated, NotFound, CodeTaken }

    public async Task<Update> UpdateAsync(WriteTransaction tx, long id, string name, string code, string? website, DateTimeOffset now)
    {
        if (await tx.ScalarAsync<long>("SELECT count(*) FROM partners WHERE code = @code AND id <> @id", new { code, id }) > 0) return Update.CodeTaken;
        if (await tx.ExecuteAsync("UPDATE partners SET name = @name, code = @code, website = @website, updated_at = @now WHERE id = @id",
                new { id, name, code, website, now }) == 0)
            return Update.NotFound;
        await letters.ChangedAsync(tx); // names and codes are part of published letters
        return Update.Updated;
    }

    /// <summary>Attaches a partner to a letter, or updates (and re-opens) its attachment.</summary>
    public async Task AttachAsync(WriteTransaction tx, long letterId, long partnerId, string[] origins, bool askContactConsent, DateTimeOffset now)
    {
        await tx.ExecuteAsync("""
            INSERT INTO letter_partners (letter_id, partner_id, allowed_origins, ask_contact_consent, attached_at)
            VALUES (@letterId, @partnerId, @origins, @askContactConsent, @now)
            ON CONFLICT (letter_id, partner_id) DO UPDATE SET allowed_origins = @origins, ask_contact_consent = @askContactConsent, detached_at = NULL
            """, new { letterId, partnerId, origins = JsonSerializer.Serialize(origins), askContactConsent, now });
        await letters.ChangedAsync(tx);
    }

    /// <summary>Detaches a partner: its code stops working for new signatures; false when it was not attached.</summary>
    public async Task<bool> DetachAsync(WriteTransaction tx, long letterId, long partnerId, DateTimeOffset now)
    {
        var detached = await tx.ExecuteAsync("""
            UPDATE letter_partners SET detached_at = @now WHERE letter_id = @letterId AND partner_id = @partnerId AND detached_at IS NULL
            """, new { letterId, partnerId, now }) == 1;
        if (detached) await letters.ChangedAsync(tx);
        return detached;
    }

    const string AttachedColumns = """
        SELECT lp.partner_id, p.code, p.name, lp.allowed_origins, lp.ask_contact_consent, lp.attached_at, lp.detached_at
        FROM letter_partners lp JOIN partners p ON p.id = lp.partner_id
        """;

    /// <summary>Every partner ever attached to the letter (detached ones too), with its signatures' counts by status.</summary>
    public async Task<List<(AttachedPartner Partner, Dictionary<string, long> Counts)>> AttachedAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        var attached = (await connection.QueryAsync<AttachedPartner>($"{AttachedColumns} WHERE lp.letter_id = @letterId ORDER BY p.name", new { letterId })).ToList();
        var counts = (await connection.QueryAsync<(long PartnerId, string Status, long Count)>("""
            SELECT partner_id, status, count(*) FROM signatures WHERE letter_id = @letterId AND partner_id IS NOT NULL GROUP BY partner_id, status
            """, new { letterId })).ToList();
        return attached.Select(p => (p, SignatureStatus.All.ToDictionary(s => s,
            s => counts.Where(c => c.PartnerId == p.PartnerId && c.Status == s).Sum(c => c.Count)))).ToList();
    }

    /// <summary>The partners attached now, for the published-letter cache (read on the connection it loads the letter with).</summary>
    public static async Task<AttachedPartner[]> ActiveAsync(DbConnection connection, long letterId)
        => (await connection.QueryAsync<AttachedPartner>($"{AttachedColumns} WHERE lp.letter_id = @letterId AND lp.detached_at IS NULL ORDER BY p.name",
            new { letterId })).ToArray();

    /// <summary>The published letters a partner is attached to now (not drafts, not once detached), newest first.</summary>
    public async Task<List<LetterRow>> LettersOfAsync(long partnerId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<LetterRow>("""
            SELECT l.* FROM letter_partners lp JOIN letters l ON l.id = lp.letter_id
            WHERE lp.partner_id = @partnerId AND lp.detached_at IS NULL AND l.published_at IS NOT NULL ORDER BY l.id DESC
            """, new { partnerId })).ToList();
    }

    /// <summary>Whether the partner may read this letter's signers now: attached, not detached, and the letter published.</summary>
    public async Task<LetterRow?> LetterOfAsync(long partnerId, long letterId, CancellationToken ct)
        => (await LettersOfAsync(partnerId, ct)).FirstOrDefault(l => l.Id == letterId);

    /// <summary>
    /// What a partner may see of its own numbers, per letter: every submission it made (whatever became of it) and the
    /// signatures first submitted through it that count now. No pending, review or expired counts: those would move
    /// differently for an address that had signed already than for a new one, and tell the partner who had.
    /// </summary>
    public async Task<Dictionary<long, PartnerCounts>> CountsOfAsync(long partnerId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        var confirmed = (await connection.QueryAsync<(long LetterId, long Count)>(
                "SELECT letter_id, count(*) FROM signatures WHERE partner_id = @partnerId AND status = @Confirmed GROUP BY letter_id",
                new { partnerId, SignatureStatus.Confirmed }))
            .ToDictionary(c => c.LetterId, c => c.Count);
        return (await connection.QueryAsync<(long LetterId, long Submitted)>(
                "SELECT letter_id, submitted FROM partner_submissions WHERE partner_id = @partnerId", new { partnerId }))
            .ToDictionary(s => s.LetterId, s => new PartnerCounts(s.Submitted, confirmed.GetValueOrDefault(s.LetterId)));
    }
}
