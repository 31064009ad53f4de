using MailKit.Net.Smtp;

namespace Undersigned.Services.Mail;

/// <summary>
/// Delivers the outbox: wakes when mail is committed, sends over one transport, deletes the rows sent (a batch at a
/// time, in one transaction), and backs off while the server is down. Rows survive restarts, so nothing queued is lost.
/// </summary>
public sealed class OutboxSender(OutboxStore outbox, GroupCommit writer, LettersStore letters, LetterKeys letterKeys, OutboxSignal signal, PublicUrls urls, MailSettings mail,
    IMailTransport transport, TimeProvider clock, ILogger<OutboxSender> log) : BackgroundService
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(15);

    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts), MaxBackoff.TotalSeconds));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                DateTimeOffset? next;
                try
                {
                    next = await SendDueAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be busy or full; the rows wait, nothing is lost.
                    log.LogError("The outbox could not be read ({Error}); trying again shortly", e.GetType().Name);
                    next = clock.GetUtcNow() + TimeSpan.FromSeconds(5);
                }

                var remaining = next - clock.GetUtcNow();
                if (remaining <= TimeSpan.Zero) continue;
                using var woken = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delay = remaining is { } wait ? Task.Delay(wait, clock, woken.Token) : Task.Delay(Timeout.Infinite, woken.Token);
                // The clock may have moved while the timer was being set: look again rather than wait past the due time.
                if (next <= clock.GetUtcNow())
                {
                    await woken.CancelAsync();
                    continue;
                }
                await Task.WhenAny(signal.WaitAsync(woken.Token), delay);
                await woken.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>Sends what is due; returns when the next row is due, or null when the outbox is empty.</summary>
    async Task<DateTimeOffset?> SendDueAsync(CancellationToken ct)
    {
        while (true)
        {
            await using var batch = await outbox.ClaimDueAsync(clock.GetUtcNow(), 200, ct);
            if (batch.Rows.Count == 0) return await outbox.NextDueAsync(ct);
            DateTimeOffset? unreachableUntil;
            try
            {
                unreachableUntil = await SendAsync(batch, ct);
            }
            finally
            {
                // What was sent is recorded even when sending stopped part-way, so it is not sent again.
                if (batch.HasOutcomes)
                    await (batch.Claim is { } claim ? outbox.RecordAsync(claim, batch)
                        : writer.WriteAsync((tx, _) => outbox.RecordAsync(tx, batch), CancellationToken.None));
            }
            if (unreachableUntil is not null) return unreachableUntil;
        }
    }

    /// <summary>The letter's slug, and its title in the language the signer read it in (its own where it has no such translation).</summary>
    async Task<Emails.LetterInfo> LetterInfoAsync(long letterId, string? language, CancellationToken ct)
    {
        if (await letters.FindAsync(letterId, ct) is not { } letter) return new("", "");
        var translation = language is null || language == letter.Language ? null
            : (await letters.TranslationsAsync(letterId, ct)).FirstOrDefault(t => t.Language == language);
        return new(letter.Slug, translation?.Title ?? letter.Title);
    }

    /// <summary>Sends a batch, noting what became of each row; returns when to try again if the server is out of reach.</summary>
    async Task<DateTimeOffset?> SendAsync(OutboxBatch batch, CancellationToken ct)
    {
        var letterInfo = new Dictionary<(long, string?), Emails.LetterInfo>();
        foreach (var row in batch.Rows)
        {
            var letterKey = await letterKeys.GetAsync(row.LetterId, ct);
            if (letterKey is null)
            {
                // The letter's key was destroyed: this mail can no longer be read, and must not be.
                batch.SentIds.Add(row.Id);
                continue;
            }
            try
            {
                var email = OutboxStore.Open(letterKey, row.Payload);
                if (!letterInfo.TryGetValue((row.LetterId, email.Language), out var letter))
                    letterInfo[(row.LetterId, email.Language)] = letter = await LetterInfoAsync(row.LetterId, email.Language, ct);
                var message = Emails.Compose(email, letter, urls.Base, mail.From);
                await transport.SendAsync(message, ct);
                batch.SentIds.Add(row.Id);
            }
            catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
            {
                // The server's own words can quote the address, so only the code is kept and logged.
                var reason = $"SMTP {(int)e.StatusCode} {e.ErrorCode}";
                batch.Failures.Add((row.Id, clock.GetUtcNow(), reason));
                log.LogWarning("Mail refused for good ({Reason}): kept as undeliverable, not retried", reason);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var retryIn = Backoff(row.Attempts + 1);
                batch.Retries.Add((row.Id, clock.GetUtcNow() + retryIn));
                var reason = e is SmtpCommandException smtp ? $"SMTP {(int)smtp.StatusCode} {smtp.ErrorCode}" : e.GetType().Name;
                log.LogWarning("Mail delivery failed ({Reason}); retrying in {RetrySeconds} s", reason, retryIn.TotalSeconds);
                // A refusal for now is this message's (it backs off alone); anything else means the server is out of reach.
                if (e is not SmtpCommandException) return clock.GetUtcNow() + retryIn;
            }
        }
        return null;
    }
}
