using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Undersigned.Features.Mail;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signing;

/// <summary>A signature to store: from the public form (pending, confirmed by email) or added by staff.</summary>
public sealed record SignatureDraft(
    long LetterId, string Kind, string Name, string? Role, string? Organisation, string? Email, bool ShowName, int TextVersion,
    int? ConsentVersion, long? StaffAddedBy = null, byte[]? AddressHash = null, bool Held = false);

public enum SignOutcome { Stored, Duplicate }

public sealed record SignResult(SignOutcome Outcome, long SignatureId);

/// <summary>
/// The one writer of signatures. Requests queue here; the writer commits many at once (signatures, outbox rows
/// and counter updates in one transaction) and answers each only after COMMIT, so a 202 means durable.
/// A first signature and a duplicate take the same path, so neither the answer nor its timing tells them apart.
/// </summary>
public sealed class SignatureWriter(Db db, ServiceKeys serviceKeys, LetterKeys letterKeys, OutboxSignal outboxSignal,
    TimeProvider clock, ILogger<SignatureWriter> log) : BackgroundService
{
    public const int QueueCapacity = 20_000, MaxBatch = 512, MailsPerSignature = 3;

    readonly Channel<(SignatureDraft Draft, TaskCompletionSource<SignResult> Done)> queue =
        Channel.CreateBounded<(SignatureDraft, TaskCompletionSource<SignResult>)>(
            new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a signature; null when the queue is full (answer 503 rather than grow without bound).</summary>
    public Task<SignResult>? TryWrite(SignatureDraft draft)
    {
        var done = new TaskCompletionSource<SignResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        return queue.Writer.TryWrite((draft, done)) ? done.Task : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(SignatureDraft Draft, TaskCompletionSource<SignResult> Done)>(MaxBatch);
        PreparedStatements? statements = null;
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item)) batch.Add(item);
                statements ??= new PreparedStatements(await db.OpenAsync(stoppingToken));
                if (!await WriteBatchAsync(statements, batch, stoppingToken))
                {
                    await statements.DisposeAsync(); // start the next batch on a fresh connection
                    statements = null;
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            if (statements is not null) await statements.DisposeAsync();
            // Nothing waits forever: anything still queued at shutdown was never stored, and says so.
            foreach (var (_, done) in batch) done.TrySetCanceled();
            while (queue.Reader.TryRead(out var item)) item.Done.TrySetCanceled();
        }
    }

    /// <summary>Writes and commits a batch, then answers each request; false when the connection should be replaced.</summary>
    async Task<bool> WriteBatchAsync(PreparedStatements statements, List<(SignatureDraft Draft, TaskCompletionSource<SignResult> Done)> batch,
        CancellationToken ct)
    {
        var results = new (SignResult? Result, Exception? Error)[batch.Count];
        try
        {
            var connection = statements.Connection;
            // FULL: a signature answered 202 must survive a power cut, not only a crash of the process.
            // A large page cache: the writer's indexes are keyed by hashes, so its inserts touch pages all over the file.
            await connection.ExecuteAsync("PRAGMA synchronous = FULL; PRAGMA cache_size = -65536");
            await using var tx = await connection.BeginWriteAsync(ct);
            var now = clock.GetUtcNow();
            for (var i = 0; i < batch.Count; i++)
            {
                // A savepoint per signature: one failure does not undo the others in the batch.
                await statements.ExecuteAsync(tx, "SAVEPOINT signature");
                try
                {
                    results[i] = (await WriteOneAsync(statements, tx, batch[i].Draft, now), null);
                    await statements.ExecuteAsync(tx, "RELEASE signature");
                }
                catch (Exception e) when (e is SqliteException or System.Security.Cryptography.CryptographicException)
                {
                    await connection.ExecuteAsync("ROLLBACK TO signature; RELEASE signature", transaction: tx);
                    log.LogError("Could not store a signature for letter {LetterId}: {Error}", batch[i].Draft.LetterId, e.GetType().Name);
                    results[i] = (null, e);
                }
            }
            await tx.CommitAsync(ct);
        }
        catch (Exception e)
        {
            log.LogError("A batch of {Count} signatures was not committed: {Error}", batch.Count, e.GetType().Name);
            foreach (var (_, done) in batch) done.TrySetException(e);
            return false;
        }

        for (var i = 0; i < batch.Count; i++)
            if (results[i].Result is { } result) batch[i].Done.TrySetResult(result);
            else batch[i].Done.TrySetException(results[i].Error!);
        outboxSignal.Notify();
        return true;
    }

    async Task<SignResult> WriteOneAsync(PreparedStatements statements, SqliteTransaction tx, SignatureDraft draft, DateTimeOffset now)
    {
        var connection = statements.Connection;
        var letterKey = await letterKeys.GetAsync(connection, draft.LetterId, tx)
                        ?? throw new System.Security.Cryptography.CryptographicException("The letter's data key is gone.");
        var emailHmac = draft.Email is null ? null : serviceKeys.EmailHmac(draft.Email);
        var found = emailHmac is null ? null : await statements.RowAsync(tx,
            "SELECT id, status, mails_sent FROM signatures WHERE letter_id = $letter AND kind = $kind AND email_hmac = $hmac",
            ("$letter", draft.LetterId), ("$kind", draft.Kind), ("$hmac", emailHmac));
        var existing = found is null ? default((long Id, string Status, long MailsSent)?) : ((long)found[0], (string)found[1], (long)found[2]);

        if (draft.StaffAddedBy is { } staffKey)
        {
            if (existing is not null) return new(SignOutcome.Duplicate, existing.Value.Id);
            var staffAddedId = await connection.ExecuteScalarAsync<long>("""
                INSERT INTO signatures (letter_id, kind, status, name, role, organisation, show_name, email_hmac, email_encrypted,
                                        text_version, staff_added_by, signed_at, confirmed_at)
                VALUES (@LetterId, @Kind, 'confirmed', @Name, @Role, @Organisation, @ShowName, @emailHmac, @email,
                        @TextVersion, @staffKey, @now, @now)
                RETURNING id
                """, new
            {
                draft.LetterId, draft.Kind, draft.Name, draft.Role, draft.Organisation, draft.ShowName, emailHmac,
                email = draft.Email is null ? null : Aead.SealText(letterKey, draft.Email.Trim()), draft.TextVersion, staffKey, now,
            }, tx);
            return new(SignOutcome.Stored, staffAddedId);
        }

        var verifyToken = Token.New();
        var withdrawToken = Token.New();
        var email = draft.Email!.Trim();
        var (existingId, status, mailsSent) = existing ?? (0, SignatureStatus.Pending, 0);
        var mail = existing is null || status is SignatureStatus.Pending or SignatureStatus.Expired
            ? new Email(EmailKind.Verify, email, verifyToken, withdrawToken,
                Signatory: SignerFields.Display(draft.Kind, draft.Name, draft.Role, draft.Organisation), ShowName: draft.ShowName)
            : status is SignatureStatus.Confirmed or SignatureStatus.Review ? new Email(EmailKind.AlreadySigned, email, null, withdrawToken)
            : null; // rejected: nothing to say
        var send = mail is not null && mailsSent < MailsPerSignature && await statements.ExecuteAsync(tx, MailCaps.CountSql,
            ("$hmac", emailHmac), ("$day", MailCaps.Day(now)), ("$cap", MailCaps.PerAddressPerDay)) == 1;

        if (existing is null)
        {
            var id = (long)(await statements.ScalarAsync(tx, """
                INSERT INTO signatures (letter_id, kind, status, name, role, organisation, show_name, email_hmac, email_encrypted,
                                        text_version, consent_version, verify_token_hash, verify_issued_at, withdraw_token_hash, mails_sent,
                                        address_hash, held, signed_at)
                VALUES ($letter, $kind, 'pending', $name, $role, $organisation, $showName, $hmac, $email,
                        $textVersion, $consentVersion, $verifyHash, $now, $withdrawHash, $mailsSent, $addressHash, $held, $now)
                RETURNING id
                """,
                ("$letter", draft.LetterId), ("$kind", draft.Kind), ("$name", draft.Name), ("$role", draft.Role), ("$organisation", draft.Organisation),
                ("$showName", draft.ShowName), ("$hmac", emailHmac), ("$email", Aead.SealText(letterKey, email)), ("$textVersion", draft.TextVersion),
                ("$consentVersion", draft.ConsentVersion), ("$verifyHash", Token.Hash(verifyToken)), ("$now", now),
                ("$withdrawHash", Token.Hash(withdrawToken)), ("$mailsSent", send ? 1 : 0), ("$addressHash", draft.AddressHash), ("$held", draft.Held)))!;
            if (send)
                await statements.ExecuteAsync(tx, Outbox.InsertSql, ("$letter", draft.LetterId), ("$signature", id),
                    ("$payload", Outbox.Seal(letterKey, mail!)), ("$now", now));
            return new(SignOutcome.Stored, id);
        }

        if (send)
        {
            // Tokens are kept only as hashes, so a re-sent email carries new ones (and the older links stop working).
            // A new verification link publishes exactly what was submitted with it: the newest submission's details
            // replace the pending ones, so whoever signed first with an address cannot choose what its owner confirms.
            await connection.ExecuteAsync(mail!.Kind == EmailKind.Verify
                ? """
                  UPDATE signatures SET status = 'pending', verify_token_hash = @verifyHash, verify_issued_at = @now,
                      withdraw_token_hash = @withdrawHash, mails_sent = mails_sent + 1,
                      name = @Name, role = @Role, organisation = @Organisation, show_name = @ShowName, text_version = @TextVersion,
                      consent_version = @ConsentVersion, address_hash = @AddressHash, held = @Held, signed_at = @now
                  WHERE id = @existingId
                  """
                : "UPDATE signatures SET withdraw_token_hash = @withdrawHash, mails_sent = mails_sent + 1 WHERE id = @existingId",
                new
                {
                    verifyHash = Token.Hash(verifyToken), withdrawHash = Token.Hash(withdrawToken), now, existingId,
                    draft.Name, draft.Role, draft.Organisation, draft.ShowName, draft.TextVersion, draft.ConsentVersion, draft.AddressHash, draft.Held,
                }, tx);
            await Outbox.AddAsync(connection, tx, draft.LetterId, existingId, letterKey, mail, now);
        }
        return new(SignOutcome.Duplicate, existingId);
    }
}
