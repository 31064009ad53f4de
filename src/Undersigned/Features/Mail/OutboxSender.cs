using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Mail;

/// <summary>
/// Delivers the outbox: wakes when mail is committed, sends over one transport, deletes each row once sent,
/// and backs off while the server is down. Rows survive restarts, so nothing queued is lost.
/// </summary>
public sealed class OutboxSender(Db db, LetterKeys letterKeys, OutboxSignal signal, PublicUrls urls, MailSettings mail,
    IMailTransport transport, TimeProvider clock, ILogger<OutboxSender> log) : BackgroundService
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(15);

    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts), MaxBackoff.TotalSeconds));

    sealed class Row
    {
        public long Id { get; init; }
        public long LetterId { get; init; }
        public byte[] Payload { get; init; } = [];
        public int Attempts { get; init; }
        public string Slug { get; init; } = "";
        public string Title { get; init; } = "";
    }

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
        await using var connection = await db.OpenAsync(ct);
        while (true)
        {
            var now = clock.GetUtcNow();
            var due = (await connection.QueryAsync<Row>("""
                SELECT o.id, o.letter_id, o.payload, o.attempts, l.slug, l.title
                FROM outbox o JOIN letters l ON l.id = o.letter_id
                WHERE o.next_attempt_at <= @now ORDER BY o.id LIMIT 200
                """, new { now })).ToList();
            if (due.Count == 0)
            {
                return await connection.ExecuteScalarAsync<DateTimeOffset?>("SELECT min(next_attempt_at) FROM outbox");
            }

            foreach (var row in due)
            {
                var letterKey = await letterKeys.GetAsync(connection, row.LetterId);
                if (letterKey is null)
                {
                    // The letter's key was destroyed: this mail can no longer be read, and must not be.
                    await connection.ExecuteAsync("DELETE FROM outbox WHERE id = @Id", new { row.Id });
                    continue;
                }
                try
                {
                    var message = Emails.Compose(Outbox.Open(letterKey, row.Payload), new(row.Slug, row.Title), urls.Base, mail.From);
                    await transport.SendAsync(message, ct);
                    await connection.ExecuteAsync("DELETE FROM outbox WHERE id = @Id", new { row.Id });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var retryIn = Backoff(row.Attempts + 1);
                    await connection.ExecuteAsync("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @next WHERE id = @Id",
                        new { next = clock.GetUtcNow() + retryIn, row.Id });
                    // The server's own words can quote the address, so only the kind of failure is logged.
                    var reason = e is MailKit.Net.Smtp.SmtpCommandException smtp ? $"SMTP {(int)smtp.StatusCode} {smtp.ErrorCode}" : e.GetType().Name;
                    log.LogWarning("Mail delivery failed ({Reason}); retrying in {RetrySeconds} s", reason, retryIn.TotalSeconds);
                    return clock.GetUtcNow() + retryIn; // the server is likely down for the rest too
                }
            }
        }
    }
}
