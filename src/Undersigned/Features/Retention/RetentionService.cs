using Dapper;
using Undersigned.Features.Public;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Retention;

/// <summary>
/// Every few minutes: pending signatures that can no longer be confirmed become expired, and letters past
/// <c>closesAt + retainContactDays</c> are purged — their data key destroyed (every email under it unreadable at
/// once), everything but confirmed signatures deleted, and contact details erased from what stays.
/// </summary>
public sealed class RetentionService(Db db, LetterKeys letterKeys, LetterCache letterCache, Settings settings, TimeProvider clock,
    ILogger<RetentionService> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan AddressHashLifetime = TimeSpan.FromDays(7);

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
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError("Retention run failed ({Error}); it runs again in {Minutes} minutes", e.GetType().Name, Interval.TotalMinutes);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        var expired = await connection.ExecuteAsync("""
            UPDATE signatures SET status = 'expired'
            WHERE status = 'pending' AND (verify_issued_at + @lifetime < @now
               OR (SELECT closes_at FROM letters WHERE letters.id = signatures.letter_id) + @grace < @now)
            """, new { lifetime = (long)Signing.Verify.Endpoint.TokenLifetime.TotalMilliseconds, grace = settings.VerificationGraceHours * 3_600_000L, now });
        await connection.ExecuteAsync("UPDATE signatures SET address_hash = NULL WHERE address_hash IS NOT NULL AND signed_at < @cutoff",
            new { cutoff = now - AddressHashLifetime });
        if (expired > 0) log.LogInformation("{Count} unconfirmed signatures expired", expired);

        var due = await connection.QueryAsync<long>(
            "SELECT id FROM letters WHERE purged_at IS NULL AND published_at IS NOT NULL AND closes_at + retain_contact_days * 86400000 <= @now",
            new { now });
        foreach (var letterId in due)
        {
            await using var tx = await connection.BeginWriteAsync(ct);
            var deleted = await connection.ExecuteAsync("""
                DELETE FROM outbox WHERE letter_id = @letterId;
                DELETE FROM signatures WHERE letter_id = @letterId AND status <> 'confirmed';
                """, new { letterId }, tx);
            var kept = await connection.ExecuteAsync("""
                UPDATE signatures SET email_hmac = NULL, email_encrypted = NULL, verify_token_hash = NULL, verify_issued_at = NULL, address_hash = NULL,
                    withdraw_token_hash = NULL,
                    name = CASE kind WHEN 'organisation' THEN NULL ELSE name END,
                    role = CASE kind WHEN 'organisation' THEN NULL ELSE role END
                WHERE letter_id = @letterId
                """, new { letterId }, tx);
            await connection.ExecuteAsync("""
                UPDATE audit_log SET details = NULL WHERE letter_id = @letterId AND signature_id IS NOT NULL;
                DELETE FROM letter_keys WHERE letter_id = @letterId;
                UPDATE letters SET purged_at = @now WHERE id = @letterId;
                """, new { letterId, now }, tx);
            await AuditTrail.RecordAsync(connection, tx, now, null, "letter.purge", letterId, rows: kept);
            await tx.CommitAsync(ct);
            letterKeys.Forget(letterId);
            letterCache.Forget();
            log.LogInformation("Purged letter {LetterId}: data key destroyed, {Kept} confirmed signatures kept without contact details", letterId, kept);
        }
    }
}
