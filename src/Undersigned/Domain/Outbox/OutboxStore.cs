using System.Text.Json;
using Dapper;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Outbox;

public enum EmailKind { Verify, AlreadySigned, DataSummary, Milestone, Update }

/// <summary>
/// What an outbox row holds, encrypted under the letter's key: the address, the raw tokens for the links and, in a
/// verification, how the signatory will be shown, so the person confirms exactly what the link publishes.
/// </summary>
/// <remarks><see cref="Language"/>: the language the signer signed in (null: the letter's own), for the email's words and the letter's title.</remarks>
public sealed record Email(EmailKind Kind, string To, string? VerifyToken, string? WithdrawToken, string? Summary = null,
    string? Signatory = null, bool? ShowName = null, StopSharing? StopSharing = null, string? Subject = null, string? UnsubscribeToken = null,
    string? Language = null);

/// <summary>For a signer who lets a partner contact them: the partner's name and the link's token to stop that.</summary>
public sealed record StopSharing(string Partner, string Token);

public sealed class OutboxRow
{
    public long Id { get; init; }
    public long LetterId { get; init; }
    public long? SignatureId { get; init; }
    public byte[] Payload { get; init; } = [];
    public int Attempts { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>One letter's mail in the outbox (see <see cref="OutboxStore.ByLetterAsync"/>).</summary>
/// <remarks>A class, not a positional record: Dapper matches a record's constructor by column types, which SQLite leaves unknown on an empty result.</remarks>
public sealed class LetterMail
{
    public long LetterId { get; init; }
    public string Slug { get; init; } = "";
    /// <summary>Emails not sent yet: held with the queue while the relay refuses us, or waiting to be tried again.</summary>
    public long Waiting { get; init; }
    /// <summary>Emails refused for good; their contents are gone.</summary>
    public long Undeliverable { get; init; }
    /// <summary>Of those, signers still pending: their confirmation link never reached them, so they must sign again.</summary>
    public long MustSignAgain { get; init; }
}

/// <summary>The only place that reads and writes the outbox and the per-address mail caps.</summary>
public sealed class OutboxStore(Db db)
{
    public const int MailsPerAddressPerDay = 5;

    /// <summary>Raised after a transaction that queued mail commits, whatever queued it: the sender wakes instead of polling.</summary>
    public event Action? Queued;
    Action? raiseQueued;

    public Task AddAsync(WriteTransaction tx, long letterId, long? signatureId, byte[] letterKey, Email email, DateTimeOffset now)
    {
        tx.AfterCommit(raiseQueued ??= () => Queued?.Invoke());
        return tx.ExecuteAsync("""
            INSERT INTO outbox (letter_id, signature_id, payload, next_attempt_at, created_at) VALUES (@letterId, @signatureId, @payload, @now, @now)
            """, new { letterId, signatureId, payload = Aead.Seal(letterKey, JsonSerializer.SerializeToUtf8Bytes(email)), now });
    }

    /// <summary>Queues many emails with one statement for them all (the signature writer's set path).</summary>
    public async Task AddManyAsync(WriteTransaction tx, IReadOnlyList<(long LetterId, long? SignatureId, byte[] LetterKey, Email Email)> emails, DateTimeOffset now)
    {
        if (emails.Count == 0) return;
        tx.AfterCommit(raiseQueued ??= () => Queued?.Invoke());
        await tx.EachAsync("INSERT INTO outbox (letter_id, signature_id, payload, next_attempt_at, created_at) VALUES (@p0, @p1, @p2, @p3, @p3)",
            [.. emails.Select(e => new object?[] { e.LetterId, e.SignatureId, Aead.Seal(e.LetterKey, JsonSerializer.SerializeToUtf8Bytes(e.Email)), now })]);
    }

    public static Email Open(byte[] letterKey, byte[] payload) => JsonSerializer.Deserialize<Email>(Aead.Open(letterKey, payload))!;

    /// <summary>Counts an email to this address today; false when it has had its share (so neither the form nor access requests can flood an inbox).</summary>
    public async Task<bool> TryCountMailAsync(WriteTransaction tx, byte[] emailHmac, DateTimeOffset now)
        => await tx.ExecuteAsync("""
            INSERT INTO mail_caps (email_hmac, day, count) VALUES (@emailHmac, @day, 1)
            ON CONFLICT (email_hmac, day) DO UPDATE SET count = mail_caps.count + 1 WHERE mail_caps.count < @cap
            """, new { emailHmac, day = Day(now), cap = MailsPerAddressPerDay }) == 1;

    /// <summary>
    /// <see cref="TryCountMailAsync"/> for many addresses (each once) with one statement for them all: for each, whether
    /// it was within its day's share.
    /// </summary>
    public async Task<bool[]> TryCountMailsAsync(WriteTransaction tx, IReadOnlyList<byte[]> emailHmacs, DateTimeOffset now)
    {
        var counted = new bool[emailHmacs.Count];
        foreach (var (row, _) in await tx.EachAsync("""
                     INSERT INTO mail_caps (email_hmac, day, count) VALUES (@p0, @p1, 1)
                     ON CONFLICT (email_hmac, day) DO UPDATE SET count = mail_caps.count + 1 WHERE mail_caps.count < @p2 RETURNING 1
                     """, [.. emailHmacs.Select(h => new object?[] { h, Day(now), MailsPerAddressPerDay })], _ => true))
            counted[row] = true;
        return counted;
    }

    /// <summary>The UTC day mail is counted in.</summary>
    public static long Day(DateTimeOffset now) => now.ToUnixTimeSeconds() / 86_400;

    /// <summary>A day's counts are useless once it is over: they go, with the address HMACs they hold. Returns how many.</summary>
    public async Task<int> ForgetPastMailCountsAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync("DELETE FROM mail_caps WHERE day < @today", new { today = Day(now) });
    }

    /// <summary>
    /// The rows due now, claimed for this sender until the batch is disposed. PostgreSQL: locked in one transaction
    /// (<c>FOR UPDATE SKIP LOCKED</c>), so no other instance sends them, and a sender that dies releases them at once;
    /// what became of them is written in that transaction. SQLite: one instance, and what became of them is written
    /// through group commit (<see cref="RecordAsync"/>), so the file's single write lock is never held while a mail
    /// server answers, and sending costs no COMMIT of its own.
    /// </summary>
    public async Task<OutboxBatch> ClaimDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        const string due = "SELECT id, letter_id, signature_id, payload, attempts, created_at FROM outbox WHERE failed_at IS NULL AND refused_at IS NULL AND next_attempt_at <= @now ORDER BY id LIMIT @limit";
        if (db.Engine == Engine.Postgres)
        {
            var tx = await db.BeginWriteAsync(ct);
            return new OutboxBatch((await tx.QueryAsync<OutboxRow>(due + " FOR UPDATE SKIP LOCKED", new { now, limit })).ToList(), tx);
        }
        await using var connection = await db.OpenReadAsync(ct);
        return new OutboxBatch((await connection.QueryAsync<OutboxRow>(due, new { now, limit })).ToList(), null);
    }

    /// <summary>What became of a batch's rows, in one transaction.</summary>
    public async Task<bool> RecordAsync(WriteTransaction tx, OutboxBatch batch)
    {
        // The relay accepted a message after earlier refusals: those were the recipients' own.
        if (batch.EarlierRefusalsConfirmed)
            await tx.ExecuteAsync("""
                UPDATE outbox SET failed_at = refused_at, failure = refusal, payload = @none, refused_at = NULL, refusal = NULL
                WHERE refused_at IS NOT NULL
                """, new { none = Array.Empty<byte>() });
        foreach (var (id, at, refusal) in batch.Refusals)
            await tx.ExecuteAsync("UPDATE outbox SET refused_at = @at, refusal = @refusal WHERE id = @id", new { at, refusal, id });
        // The relay refused too many in a row to be the recipients' doing: every refused row is sent again once it accepts.
        // Each goes back behind the rest of the queue, so other mail can show whether the relay takes anything.
        if (batch.RefusalsRetriedAt is { } retryAt)
            await tx.ExecuteAsync("""
                UPDATE outbox SET refused_at = NULL, refusal = NULL, attempts = attempts + 1, next_attempt_at = @retryAt WHERE refused_at IS NOT NULL
                """, new { retryAt });
        if (batch.SentIds.Count > 0) await tx.ExecuteAsync($"DELETE FROM outbox WHERE {db.In("id", "ids")}", new { ids = batch.SentIds });
        foreach (var (id, next) in batch.Retries)
            await tx.ExecuteAsync("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @next WHERE id = @id", new { next, id });
        foreach (var (id, at, failure) in batch.Failures)
            await tx.ExecuteAsync("UPDATE outbox SET failed_at = @at, failure = @failure, payload = @none WHERE id = @id",
                new { at, failure, none = Array.Empty<byte>(), id });
        return true;
    }

    /// <summary>When the next row is due; null when the outbox is empty.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>("SELECT min(next_attempt_at) FROM outbox WHERE failed_at IS NULL AND refused_at IS NULL");
    }

    /// <summary>Emails waiting to be sent (held and refused-for-now ones included), and when the oldest was queued.</summary>
    public async Task<(long Count, DateTimeOffset? Oldest)> BacklogAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        var (count, oldest) = await connection.QuerySingleAsync<(long, long?)>("SELECT count(*), min(created_at) FROM outbox WHERE failed_at IS NULL");
        return (count, oldest is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
    }

    /// <summary>Emails refused for good, per letter.</summary>
    public async Task<Dictionary<long, long>> UndeliverableAsync(IReadOnlyList<long> letterIds, CancellationToken ct)
    {
        if (letterIds.Count == 0) return [];
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long LetterId, long Count)>(
                $"SELECT letter_id, count(*) FROM outbox WHERE failed_at IS NOT NULL AND {db.In("letter_id", "letterIds")} GROUP BY letter_id", new { letterIds }))
            .ToDictionary(r => r.LetterId, r => r.Count);
    }

    /// <summary>
    /// Per letter with mail in the outbox: how many emails wait to be sent (held with the queue, or to be tried again),
    /// how many were refused for good (their contents gone), and of those the signers still pending, who must sign again.
    /// </summary>
    public async Task<List<LetterMail>> ByLetterAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<LetterMail>($"""
            SELECT o.letter_id AS LetterId, l.slug AS Slug,
                   sum(CASE WHEN o.failed_at IS NULL THEN 1 ELSE 0 END) AS Waiting,
                   sum(CASE WHEN o.failed_at IS NOT NULL THEN 1 ELSE 0 END) AS Undeliverable,
                   sum(CASE WHEN o.failed_at IS NOT NULL AND s.status = '{SignatureStatus.Pending}' THEN 1 ELSE 0 END) AS MustSignAgain
            FROM outbox o JOIN letters l ON l.id = o.letter_id LEFT JOIN signatures s ON s.id = o.signature_id
            GROUP BY o.letter_id, l.slug ORDER BY o.letter_id
            """)).ToList();
    }

    /// <summary>Mail not yet sent to a signer who withdrew or was erased is not sent.</summary>
    public Task CancelForSignatureAsync(WriteTransaction tx, long signatureId)
        => tx.ExecuteAsync("DELETE FROM outbox WHERE signature_id = @signatureId", new { signatureId });

    public Task DeleteForLetterAsync(WriteTransaction tx, long letterId)
        => tx.ExecuteAsync("DELETE FROM outbox WHERE letter_id = @letterId", new { letterId });
}

/// <summary>Claimed outbox rows and what became of each: sent, to try again later, or refused for good.</summary>
public sealed class OutboxBatch(List<OutboxRow> rows, WriteTransaction? claim) : IAsyncDisposable
{
    public IReadOnlyList<OutboxRow> Rows => rows;
    /// <summary>PostgreSQL: the transaction holding the rows, where what became of them is written.</summary>
    public WriteTransaction? Claim => claim;
    /// <summary>Sent, or unreadable for good: the rows go.</summary>
    public List<long> SentIds { get; } = [];
    public List<(long Id, DateTimeOffset Next)> Retries { get; } = [];
    /// <summary>
    /// Refused for good (the recipient refused with a 5xx answer, and the relay took other mail since): each row stays as a record staff can count, without its payload, so the address
    /// and links it held are gone, and it is never retried.
    /// </summary>
    public List<(long Id, DateTimeOffset At, string Failure)> Failures { get; } = [];
    /// <summary>Refused by the relay, not yet known to be the recipient's refusal: kept with the payload, not retried for now.</summary>
    public List<(long Id, DateTimeOffset At, string Refusal)> Refusals { get; } = [];
    /// <summary>The relay accepted a message after refusals kept from earlier batches: they fail for good.</summary>
    public bool EarlierRefusalsConfirmed { get; set; }
    /// <summary>The relay refused too many different recipients in a row: every kept refusal is retried from then.</summary>
    public DateTimeOffset? RefusalsRetriedAt { get; set; }
    public bool HasOutcomes => SentIds.Count + Retries.Count + Failures.Count + Refusals.Count > 0 || EarlierRefusalsConfirmed || RefusalsRetriedAt is not null;

    /// <summary>Commits the claim (PostgreSQL), releasing the rows.</summary>
    public async ValueTask DisposeAsync()
    {
        if (claim is null) return;
        await claim.CommitAsync();
        await claim.DisposeAsync();
    }
}
