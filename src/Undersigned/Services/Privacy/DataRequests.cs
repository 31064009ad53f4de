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

    /// <summary>What is held, line by line, in the words of the language the signer signed in (English where there are none).</summary>
    static string Summary(SignatureRow row, PartnerRow? partner, Words w)
    {
        string Or(string? value) => value ?? w["email.summary.none"];
        string At(DateTimeOffset at) => w.Date(at, "UTC", withTime: true);
        var wording = row.ConsentVersion is { } version
            ? w.Format("email.summary.wording", ("language", LanguageTag.NativeName(row.ConsentLanguage ?? row.Language ?? Words.Default)), ("version", version))
            : w["email.summary.none"];
        return string.Join('\n', new[]
        {
            w.Format("email.summary.kind", ("kind", w[$"widget.{row.Kind}"])), w.Format("email.summary.name", ("name", Or(row.Name))),
            w.Format("email.summary.role", ("role", Or(row.Role))), w.Format("email.summary.organisation", ("organisation", Or(row.Organisation))),
            w["email.summary.email"], w[row.ShowName ? "email.summary.shown" : "email.summary.counted"],
            w.Format("email.summary.status", ("status", w[$"status.{row.Status}"])),
            w.Format("email.summary.signed", ("at", At(row.SignedAt)), ("wording", wording)),
            w.Format("email.summary.confirmed", ("at", row.ConfirmedAt is { } c ? At(c) : w["email.summary.none"])),
            w.Format("email.summary.language", ("language", LanguageTag.NativeName(row.Language ?? Words.Default))),
            partner is null ? w["email.summary.noPartner"]
                : w.Format("email.summary.partner", ("partner", partner.Name), ("answer", w[row.PartnerConsent == true ? "email.summary.yes" : "email.summary.no"])),
        });
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
            var summary = Summary(row, partner, Words.Of(row.Language) ?? Words.All[Words.Default]);
            var stopSharing = partner is not null && row.PartnerConsent == true ? new StopSharing(partner.Name, signatures.StopSharingToken(row, emailHmac)) : null;
            await outbox.AddAsync(tx, row.LetterId, row.Id, letterKey,
                new Email(EmailKind.DataSummary, email, null, withdrawToken, summary, StopSharing: stopSharing, Language: row.Language), now);
        }
        await tx.CommitAsync(ct);
    }
}
