using MailKit.Net.Smtp;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Services.Mail;

/// <summary>
/// Delivers the outbox: wakes when mail is committed, sends over one transport, deletes the rows sent (a batch at a
/// time, in one transaction). Rows survive restarts, so nothing queued is lost.
/// </summary>
/// <remarks>
/// Only a refusal of the recipient itself makes an email undeliverable, and only once the relay has accepted other mail
/// since (until then the row keeps its payload). Anything that is the sender's problem — the relay out of reach, a
/// refused greeting, TLS or authentication, <c>MAIL FROM</c>, a <c>5.7.x</c> relaying or policy refusal, a refusal at
/// <c>DATA</c>, or <see cref="RefusalsInARow"/> refusals in a row to <see cref="RefusalDomains"/> or more domains — holds
/// the queue with every payload kept, retried with back-off; the time an email waited is given back to its signer.
/// </remarks>
public sealed class OutboxSender(OutboxStore outbox, GroupCommit writer, LettersStore letters, SignaturesStore signatures, LetterKeys letterKeys,
    OutboxSignal signal, PublicUrls urls, MailSettings mail, IMailTransport transport, Loops loops, ServiceMetrics metrics, TimeProvider clock,
    ILogger<OutboxSender> log) : BackgroundService
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(15);
    public const int RefusalsInARow = 5, RefusalDomains = 3;

    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts), MaxBackoff.TotalSeconds));

    DateTimeOffset? heldUntil;
    /// <summary>Recipients' domains refused since the relay last accepted a message.</summary>
    readonly List<string> refusedInARow = [];
    int holds, senderRefusalsInARow;
    readonly SetAside<long> unreadable = new(loops, Loops.Outbox, "Outbox row", log);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => loops.RunDueAsync(Loops.Outbox, SendDueAsync, signal.WaitAsync, stoppingToken);

    /// <summary>Sends what is due; returns when the next row is due, or null when the outbox is empty.</summary>
    async Task<DateTimeOffset?> SendDueAsync(CancellationToken ct)
    {
        // New mail wakes the sender, but a held queue waits for its retry.
        if (heldUntil > clock.GetUtcNow()) return heldUntil;
        while (true)
        {
            await using var batch = await outbox.ClaimDueAsync(clock.GetUtcNow(), 200, ct);
            if (batch.Rows.Count == 0) return await outbox.NextDueAsync(ct);
            try
            {
                heldUntil = await SendAsync(batch, ct);
            }
            finally
            {
                // What was sent is recorded even when sending stopped part-way, so it is not sent again.
                if (batch.HasOutcomes)
                    await (batch.Claim is { } claim ? RecordAsync(claim, batch)
                        : writer.WriteAsync((tx, _) => RecordAsync(tx, batch), CancellationToken.None));
            }
            if (heldUntil is not null) return heldUntil;
        }
    }

    Task<bool> RecordAsync(WriteTransaction tx, OutboxBatch batch)
    {
        metrics.Email("sent", batch.SentIds.Count);
        metrics.Email("refused", batch.Refusals.Count);
        metrics.Email("undeliverable", batch.Failures.Count);
        return outbox.RecordAsync(tx, batch);
    }

    /// <summary>
    /// Mail normally leaves within seconds. An email that waited (the relay refused us, or was out of reach) gives its
    /// signer the time it waited, committed before it is sent, so the link works the moment it arrives.
    /// </summary>
    async Task GiveBackWaitsAsync(OutboxBatch batch, DateTimeOffset now, CancellationToken ct)
    {
        var delayed = batch.Rows.Where(r => r.SignatureId is not null && now - r.CreatedAt > TimeSpan.FromMinutes(1))
            .Select(r => (r.SignatureId!.Value, now - r.CreatedAt)).ToList();
        if (delayed.Count == 0) return;
        if (batch.Claim is null)
        {
            await writer.WriteAsync(async (tx, _) => { await signatures.GiveBackTimeAsync(tx, delayed); return true; }, ct);
            return;
        }
        await signatures.GiveBackTimeAsync(delayed, ct); // apart from the claim, which commits only after sending
    }

    /// <summary>The letter's slug, and its title in the language the signer read it in (its own where it has no such translation).</summary>
    async Task<Emails.LetterInfo> LetterInfoAsync(long letterId, string? language, CancellationToken ct)
    {
        if (await letters.FindAsync(letterId, ct) is not { } letter) return new("", "");
        var translation = language is null || language == letter.Language ? null
            : (await letters.TranslationsAsync(letterId, ct)).FirstOrDefault(t => t.Language == language);
        return new(letter.Slug, translation?.Title ?? letter.Title);
    }

    /// <summary>Sends a batch, noting what became of each row; returns until when the queue is held, if the relay refused the sender.</summary>
    async Task<DateTimeOffset?> SendAsync(OutboxBatch batch, CancellationToken ct)
    {
        var letterInfo = new Dictionary<(long, string?), Emails.LetterInfo>();
        await GiveBackWaitsAsync(batch, clock.GetUtcNow(), ct);
        foreach (var row in batch.Rows)
        {
            if (unreadable.Contains(row.Id)) continue;
            var letterKey = await letterKeys.GetAsync(row.LetterId, ct);
            if (letterKey is null)
            {
                // The letter's key was destroyed: this mail can no longer be read, and must not be.
                batch.SentIds.Add(row.Id);
                continue;
            }
            MimeKit.MimeMessage message;
            try
            {
                var email = OutboxStore.Open(letterKey, row.Payload);
                if (!letterInfo.TryGetValue((row.LetterId, email.Language), out var letter))
                    letterInfo[(row.LetterId, email.Language)] = letter = await LetterInfoAsync(row.LetterId, email.Language, ct);
                message = Emails.Compose(email, letter, urls.Base, mail.From);
                unreadable.Succeeded(row.Id);
            }
            catch (Exception e) when (!Transient.Is(e) && e is not OperationCanceledException)
            {
                // This row alone cannot be composed: the others go on, and after five tries it is set aside.
                if (unreadable.Failed(row.Id, e)) batch.Failures.Add((row.Id, clock.GetUtcNow(), "could not be composed"));
                continue;
            }

            var now = clock.GetUtcNow();
            try
            {
                await transport.SendAsync(message, ct);
            }
            catch (SmtpCommandException e) when (Verdict(e) == Refused.Recipient)
            {
                // The server's own words can quote the address, so only the codes are kept and logged.
                batch.Refusals.Add((row.Id, now, Describe(e)));
                refusedInARow.Add(e.Mailbox?.Domain?.ToLowerInvariant() ?? "");
                log.LogWarning("The relay refused a recipient ({Reason}); undeliverable once the relay takes other mail", Describe(e));
                if (refusedInARow.Count >= RefusalsInARow && refusedInARow.Distinct().Count() >= RefusalDomains)
                {
                    batch.Refusals.Clear();
                    var heldUntil = Hold($"{refusedInARow.Count} recipients at {refusedInARow.Distinct().Count()} domains refused in a row", now);
                    batch.RefusalsRetriedAt = heldUntil + MaxBackoff;
                    return heldUntil;
                }
                continue;
            }
            catch (SmtpCommandException e) when (Verdict(e) == Refused.ForNow)
            {
                var retryIn = Backoff(row.Attempts + 1);
                batch.Retries.Add((row.Id, now + retryIn));
                metrics.Email("deferred");
                log.LogWarning("Mail refused for now ({Reason}); retrying in {RetrySeconds} s", Describe(e), retryIn.TotalSeconds);
                continue;
            }
            catch (SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.RecipientNotAccepted)
            {
                // Refused at RCPT for the sender's reasons (relaying, policy, our greeting): not the address. The row
                // waits behind the rest, so mail the relay does take (relaying refused to one domain) goes on; a second
                // such refusal in a row means the relay takes nothing from us, and the queue is held.
                batch.Retries.Add((row.Id, now + Backoff(row.Attempts + 1)));
                metrics.Email("held");
                loops.Failed(Loops.Mail, $"mail held: {Describe(e)}");
                if (++senderRefusalsInARow >= 2) return Hold(Describe(e), now);
                log.LogWarning("The relay refused us for this message ({Reason}); it waits, the rest goes on", Describe(e));
                continue;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Out of reach, or refused as a sender: nothing about this row (or any other) is wrong, so all wait.
                return Hold(e is SmtpCommandException smtp ? Describe(smtp) : e.GetType().Name, now);
            }

            batch.SentIds.Add(row.Id);
            senderRefusalsInARow = 0;
            if (refusedInARow.Count > 0)
            {
                // Accepted: the refusals before it were the recipients' own.
                batch.Failures.AddRange(batch.Refusals);
                batch.Refusals.Clear();
                batch.EarlierRefusalsConfirmed = true;
                refusedInARow.Clear();
            }
            if (loops[Loops.Mail].FailingSince is not null)
            {
                holds = 0;
                loops.Succeeded(Loops.Mail);
            }
        }
        return null;
    }

    DateTimeOffset Hold(string reason, DateTimeOffset now)
    {
        metrics.Email("held");
        refusedInARow.Clear();
        senderRefusalsInARow = 0;
        var retryIn = Backoff(++holds);
        loops.Failed(Loops.Mail, $"mail held: {reason}");
        log.LogWarning("Mail is held, every email kept ({Reason}); trying the relay again in {RetrySeconds} s", reason, retryIn.TotalSeconds);
        return now + retryIn;
    }

    enum Refused { Recipient, ForNow, Sender }

    /// <summary>
    /// Whose problem a refusal is: the recipient's, this message's for now, or the sender's (which holds the queue). At
    /// <c>RCPT TO</c> only an addressing or mailbox status (RFC 3463 <c>5.1.x</c>, <c>5.2.x</c>, or with no enhanced code
    /// 550–553) is the recipient's: relays such as postfix refuse a bad greeting, relaying or policy there too
    /// (<c>504 5.5.2 Helo command rejected</c>, <c>554 5.7.1 Relay access denied</c>).
    /// </summary>
    static Refused Verdict(SmtpCommandException e)
    {
        var permanent = (int)e.StatusCode >= 500;
        return e.ErrorCode switch
        {
            SmtpErrorCode.RecipientNotAccepted when !permanent => Refused.ForNow,
            SmtpErrorCode.RecipientNotAccepted => EnhancedStatus(e.Message) is { } enhanced
                ? enhanced.StartsWith("5.1.", StringComparison.Ordinal) || enhanced.StartsWith("5.2.", StringComparison.Ordinal) ? Refused.Recipient : Refused.Sender
                : (int)e.StatusCode is >= 550 and <= 553 ? Refused.Recipient : Refused.Sender,
            SmtpErrorCode.MessageNotAccepted when !permanent => Refused.ForNow,
            _ => Refused.Sender, // the greeting, authentication, MAIL FROM, or a policy refusal at DATA
        };
    }

    /// <summary>"SMTP 550 5.1.1 RecipientNotAccepted": the codes, never the server's words (they can quote the address).</summary>
    static string Describe(SmtpCommandException e)
        => $"SMTP {(int)e.StatusCode}{(EnhancedStatus(e.Message) is { } enhanced ? " " + enhanced : "")} {e.ErrorCode}";

    /// <summary>The RFC 3463 enhanced status code a reply starts with ("5.7.1 Relay access denied" → "5.7.1"), if any.</summary>
    static string? EnhancedStatus(string reply)
    {
        var code = reply.TrimStart().Split(' ', 2)[0];
        var parts = code.Split('.');
        return parts.Length == 3 && parts[0] is "2" or "4" or "5" && parts.Skip(1).All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit))
            ? code : null;
    }
}
