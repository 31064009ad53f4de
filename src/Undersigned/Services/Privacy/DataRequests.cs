using System.Threading.Channels;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Services.Privacy;

/// <summary>
/// Answers access requests in the background, so the HTTP answer is the same, and as quick, whether or not the
/// address is known. The summary goes only to the address asked about, once per letter, within the daily mail cap.
/// </summary>
public sealed class DataRequests(Db db, SignaturesStore signatures, PartnersStore partners, OutboxStore outbox, ServiceKeys serviceKeys, LetterKeys letterKeys,
    Loops loops, TimeProvider clock, ILogger<DataRequests> log) : BackgroundService
{
    public const int QueueCapacity = 1_000;

    readonly Channel<string> queue = Channel.CreateBounded<string>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a request; false when the queue is full (the caller answers 503 rather than drop it silently).</summary>
    public bool TryEnqueue(string email) => queue.Writer.TryWrite(email.Trim());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var email in queue.Reader.ReadAllAsync(stoppingToken))
            {
                // One request at a time, each on its own: a database that does not answer is waited for (the request is kept,
                // with back-off), and a request that fails otherwise is dropped alone (it holds an address: it is not logged).
                for (var failures = 0; ; )
                {
                    try
                    {
                        await AnswerAsync(email, stoppingToken);
                        loops.Succeeded(Loops.DataRequests);
                        break;
                    }
                    catch (Exception e) when (Transient.Is(e))
                    {
                        loops.Failed(Loops.DataRequests, e);
                        await Task.Delay(Loops.Backoff(++failures, TimeSpan.FromMinutes(1)), clock, stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        log.LogError("An access request could not be answered ({Error})", e.GetType().Name);
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    async Task AnswerAsync(string email, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var emailHmac = serviceKeys.EmailHmac(email);
        await using var tx = await db.BeginWriteAsync(ct);
        var rows = await signatures.ForEmailAsync(tx, emailHmac);
        if (rows.Count == 0 || !await outbox.TryCountMailAsync(tx, emailHmac, now)) return;

        foreach (var row in rows)
        {
            var letterKey = await letterKeys.GetAsync(tx, row.LetterId);
            if (letterKey is null) continue;
            var withdrawToken = signatures.WithdrawToken(row, emailHmac);
            var partner = row.PartnerId is { } partnerId ? await partners.FindAsync(partnerId, ct) : null;
            var summary = string.Join('\n', new[]
            {
                $"Signed as: {row.Kind}", $"Name: {row.Name}", $"Role: {row.Role ?? "-"}", $"Organisation: {row.Organisation ?? "-"}",
                $"Email: this address (stored encrypted)", $"Shown publicly by name: {(row.ShowName ? "yes" : "no, only counted")}",
                $"Status: {row.Status}", $"Signed (consent given) at: {Json.Format(row.SignedAt)}, consent wording: {(row.ConsentWording(row.ConsentLanguage ?? "the letter's own language") is { Length: > 0 } wording ? wording : "-")}",
                $"Confirmed at: {(row.ConfirmedAt is { } c ? Json.Format(c) : "-")}", $"Language signed in: {row.Language ?? "the letter's own"}",
                partner is null ? "Came through a partner: no"
                    : $"Came through the partner: {partner.Name}; you let them contact you: {(row.PartnerConsent == true ? "yes" : "no")}",
            });
            var stopSharing = partner is not null && row.PartnerConsent == true ? new StopSharing(partner.Name, signatures.StopSharingToken(row, emailHmac)) : null;
            await outbox.AddAsync(tx, row.LetterId, row.Id, letterKey,
                new Email(EmailKind.DataSummary, email, null, withdrawToken, summary, StopSharing: stopSharing, Language: row.Language), now);
        }
        await tx.CommitAsync(ct);
    }
}
