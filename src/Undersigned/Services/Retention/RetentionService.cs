using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Service;
using Undersigned.Domain.Signatures;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Services.Retention;

/// <summary>
/// Every few minutes: pending signatures that can no longer be confirmed become expired, and letters past
/// <c>closesAt + retainContactDays</c> are purged — their data key destroyed (every email under it unreadable at
/// once), everything but confirmed signatures deleted, and contact details erased from what stays.
/// </summary>
public sealed class RetentionService(Db db, LettersStore letters, SignaturesStore signatures, OutboxStore outbox, WebhooksStore webhooks, AuditStore audit, ServiceStateStore state, Settings settings,
    Loops loops, TimeProvider clock, ILogger<RetentionService> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            do
            {
                try
                {
                    await RunAsync(stoppingToken);
                }
                catch (Exception e) when (Transient.Is(e))
                {
                    loops.Failed(Loops.Retention, e);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    readonly SetAside<long> purges = new(loops, Loops.Retention, "The purge of letter", log);

    public async Task RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (!await state.TryStartRunAsync(Loops.Retention, now, Interval, ct))
        {
            log.LogInformation("Retention run left to the instance that started this interval's");
            return;
        }
        log.LogInformation("Retention run started");
        var failed = 0;
        // Each step on its own: one that fails does not stop the others, and it runs again next interval.
        async Task Step(string name, Func<Task> step)
        {
            try
            {
                await step();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                log.LogError("Retention step '{Step}' failed ({Error}); it runs again in {Minutes} minutes", name, e.GetType().Name, Interval.TotalMinutes);
            }
        }
        await Step("expire", async () =>
        {
            var expired = await signatures.ExpireUnconfirmedAsync(now, TimeSpan.FromHours(settings.VerificationGraceHours), ct);
            if (expired > 0) log.LogInformation("{Count} unconfirmed signatures expired", expired);
        });
        await Step("challenges", () => signatures.ForgetExpiredChallengesAsync(now, ct));
        await Step("mail counts", async () =>
        {
            var forgotten = await outbox.ForgetPastMailCountsAsync(now, ct);
            if (forgotten > 0) log.LogInformation("{Count} past days' mail counts forgotten", forgotten);
        });
        await Step("webhook deliveries", async () =>
        {
            var deliveries = await webhooks.ForgetOldDeliveriesAsync(now, ct);
            if (deliveries > 0) log.LogInformation("{Count} webhook deliveries older than 30 days forgotten", deliveries);
        });
        await Step("purge", async () =>
        {
            foreach (var letterId in await letters.DueForPurgeAsync(now, ct))
            {
                if (purges.Contains(letterId)) continue;
                try
                {
                    await PurgeAsync(letterId, now, ct);
                    purges.Succeeded(letterId);
                }
                catch (Exception e) when (e is not OperationCanceledException && !Transient.Is(e))
                {
                    failed++;
                    purges.Failed(letterId, e);
                }
            }
        });
        if (failed == 0) loops.Succeeded(Loops.Retention);
        else loops.Failed(Loops.Retention, $"{failed} step(s) failed");
    }

    async Task PurgeAsync(long letterId, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var kept = await signatures.PurgeAsync(tx, letterId);
        await letters.MarkPurgedAsync(tx, letterId, now);
        await audit.RecordAsync(tx, now, null, "letter.purge", letterId, rows: kept);
        await tx.CommitAsync(ct);
        log.LogInformation("Purged letter {LetterId}: data key destroyed, {Kept} confirmed signatures kept without contact details", letterId, kept);
    }
}
