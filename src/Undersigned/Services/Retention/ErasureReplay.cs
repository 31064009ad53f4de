using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Services.Retention;

/// <summary>
/// At start-up, erases again every signature and purges again every letter the <see cref="ErasureRecord"/> holds that
/// the database still keeps (a backup restored from before they went); nothing to do otherwise.
/// </summary>
public sealed class ErasureReplay(ErasureRecord record, SignaturesStore signatures, LettersStore letters, AuditStore audit, Db db, TimeProvider clock,
    ILogger<ErasureReplay> log)
{
    public async Task RunAsync(CancellationToken ct = default)
    {
        var (signatureIds, letterIds) = record.Read();
        if (signatureIds.Count + letterIds.Count == 0) return;
        var now = clock.GetUtcNow();
        var unerased = await signatures.NotErasedAsync(signatureIds, ct);
        var unpurged = await letters.NotPurgedAsync(letterIds, ct);
        if (unerased.Count + unpurged.Count == 0) return;
        await using var tx = await db.BeginWriteAsync(ct);
        foreach (var id in unerased) await signatures.EraseAsync(tx, id);
        foreach (var letterId in unpurged)
        {
            var kept = await signatures.PurgeAsync(tx, letterId);
            await letters.MarkPurgedAsync(tx, letterId, now);
            await audit.RecordAsync(tx, now, null, "letter.purge", letterId, rows: kept);
        }
        await audit.RecordAsync(tx, now, null, "erasures.replayed", null, rows: unerased.Count + unpurged.Count);
        await tx.CommitAsync(ct);
        log.LogWarning("The database held {Signatures} signatures and {Letters} letters erased or purged since it was backed up (a restore): " +
                       "erased and purged again", unerased.Count, unpurged.Count);
    }
}
